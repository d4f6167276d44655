// The example server's counter API (PROTOCOL.md §7.2) against a real sandbox: every
// outcome of an answer beside its negative case, one answer per request (also when
// several arrive at once), replays, a huge body, revocation, expiry, and the status
// endpoint's lifecycle.
//
// Needs: target/debug/mirairo-id-sandbox, and @mirairo-id/sdk installed here
// (npm install --no-save ../../target/packages/mirairo-id-sdk-*.tgz).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { startSandbox } from "../../../tests/lib/harness.mjs";
import { startServer, COUNTER_CLAIMS, FORGET_AFTER_MS, MAX_COUNTER_REQUESTS, MAX_RESPONSE_BYTES } from "../server.mjs";

const HANAKO_STATUS_IDX = 412; // hanako's certificate 0: 身体 2級 第1種, 介護あり

let sandbox;
before(async () => {
  sandbox = await startSandbox();
});
after(async () => {
  await sandbox?.stop();
});

const b64 = (x) => Buffer.from(x).toString("base64url");

/** The holder's app: a P-256 key and a credential bound to it, disclosing `claims`. */
async function wallet(claims = COUNTER_CLAIMS) {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const { kty, crv, x, y } = publicKey.export({ format: "jwk" });
  const { credential } = await sandbox.control("/_sandbox/issue", { user: "hanako", certificate: 0, claims, holder_jwk: { kty, crv, x, y } });
  return {
    credential,
    present(aud, nonce) {
      const header = b64(JSON.stringify({ alg: "ES256", typ: "kb+jwt" }));
      const sdHash = createHash("sha256").update(credential, "ascii").digest("base64url");
      const payload = b64(JSON.stringify({ iat: Math.floor(Date.now() / 1000), aud, nonce, sd_hash: sdHash }));
      const sig = sign("sha256", Buffer.from(`${header}.${payload}`), { key: privateKey, dsaEncoding: "ieee-p1363" });
      return `${credential}${header}.${payload}.${b64(sig)}`;
    },
    /** The direct_post form answering `req` as PROTOCOL.md §7.2 says. */
    answer(req) {
      return vpForm(req.state, { certificate: [this.present(req.clientId, req.nonce)] });
    },
  };
}

const vpForm = (state, vpToken) => new URLSearchParams({ state, vp_token: JSON.stringify(vpToken) }).toString();
const decline = (state) => new URLSearchParams({ error: "access_denied", state }).toString();

async function withServer(fn, options = {}) {
  const server = await startServer({ issuer: sandbox.url, audience: "https://rail.example", ...options });
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

async function create(server, lang = "ja") {
  const res = await fetch(`${server.url}/api/counter/requests`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ lang }) });
  const body = await res.json();
  assert.equal(res.status, 201, JSON.stringify(body));
  const q = new URL(body.url).searchParams;
  return { ...body, state: q.get("state"), nonce: q.get("nonce"), clientId: q.get("client_id"), query: q };
}

async function respond(server, body) {
  const res = await fetch(`${server.url}/api/counter/response`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
  return { status: res.status, body: await res.json() };
}

async function read(server, id) {
  const res = await fetch(`${server.url}/api/counter/requests/${id}`);
  return { status: res.status, body: await res.json() };
}

test("a counter request: the openid4vp URL asks for the counter claims, and its id is not its state", () =>
  withServer(async (server) => {
    const req = await create(server);
    assert.match(req.url, /^openid4vp:\/\/\?/);
    assert.equal(req.expires_in, 300);
    assert.equal(req.query.get("response_uri"), `${server.url}/api/counter/response`);
    assert.equal(req.clientId, `redirect_uri:${server.url}/api/counter/response`);
    const asked = JSON.parse(req.query.get("dcql_query")).credentials[0].claims.map((c) => c.path[0]);
    assert.deepEqual(asked, COUNTER_CLAIMS);
    assert.notEqual(req.id, req.state);
    assert.equal(req.url.includes(req.id), false, "the QR code does not carry the id");
    assert.deepEqual(await read(server, req.id), { status: 200, body: { status: "pending" } });
    assert.equal((await read(server, req.state)).status, 404, "the state reads nothing");
    const bad = await fetch(`${server.url}/api/counter/requests`, { method: "POST", body: '{"lang":"fr"}' });
    assert.equal(bad.status, 400);
  }));

test("a public address the SDK refuses as a response_uri stops the server at start", async () => {
  await assert.rejects(
    startServer({ issuer: sandbox.url, audience: "https://rail.example", publicUrl: "http://rail.example" }),
    (e) => e.code === "invalid_config",
  );
});

test("every answer has its outcome", () =>
  withServer(async (server) => {
    const w = await wallet();
    const shy = await wallet(["fare_class", "valid_until", "certificate_type"]);
    // [what, answer, HTTP status, error code, page status, page error]
    const rows = [
      ["the presentation asked for", (r) => w.answer(r), 200, undefined, "verified", undefined],
      ["the holder declines", (r) => decline(r.state), 200, undefined, "declined", undefined],
      ["the wallet could not answer", (r) => new URLSearchParams({ error: "invalid_request", state: r.state }).toString(), 400, "wallet_error", "failed", "wallet_error"],
      ["no state: nothing settled", (r) => new URLSearchParams({ vp_token: JSON.stringify({ certificate: [w.present(r.clientId, r.nonce)] }) }).toString(), 400, "invalid_request", "pending", undefined],
      ["state twice: nothing settled", (r) => `state=${r.state}&state=${r.state}&error=access_denied`, 400, "invalid_request", "pending", undefined],
      ["an unknown state", (r) => vpForm("not-a-state-0123456789", { certificate: [w.present(r.clientId, r.nonce)] }), 400, "request_not_found", "pending", undefined],
      ["neither vp_token nor error: not an answer, nothing settled", (r) => new URLSearchParams({ state: r.state }).toString(), 400, "invalid_request", "pending", undefined],
      ["vp_token not JSON", (r) => new URLSearchParams({ state: r.state, vp_token: w.present(r.clientId, r.nonce) }).toString(), 400, "invalid_request", "failed", "invalid_request"],
      ["vp_token without \"certificate\"", (r) => vpForm(r.state, { cert: [w.present(r.clientId, r.nonce)] }), 400, "invalid_request", "failed", "invalid_request"],
      ["two presentations", (r) => vpForm(r.state, { certificate: [w.present(r.clientId, r.nonce), w.present(r.clientId, r.nonce)] }), 400, "invalid_request", "failed", "invalid_request"],
      ["aud without the redirect_uri: prefix", (r) => vpForm(r.state, { certificate: [w.present(r.clientId.replace(/^redirect_uri:/, ""), r.nonce)] }), 400, "bad_key_binding", "failed", "bad_key_binding"],
      ["another nonce", (r) => vpForm(r.state, { certificate: [w.present(r.clientId, "another-nonce-0123456789")] }), 400, "bad_key_binding", "failed", "bad_key_binding"],
      ["no key binding", (r) => vpForm(r.state, { certificate: [w.credential] }), 400, "key_binding_required", "failed", "key_binding_required"],
      ["a requested claim not disclosed", (r) => shy.answer(r), 400, "missing_claim", "failed", "missing_claim"],
    ];
    for (const [what, answer, status, code, page, pageError] of rows) {
      const req = await create(server);
      const r = await respond(server, answer(req));
      assert.deepEqual([r.status, r.body.error], [status, code], `${what}: ${JSON.stringify(r.body)}`);
      if (status === 200) assert.deepEqual(r.body, {}, what);
      const s = await read(server, req.id);
      assert.equal(s.body.status, page, `${what}: ${JSON.stringify(s.body)}`);
      assert.equal(s.body.error, pageError, what);
      if (page === "verified") {
        const c = s.body.certificate;
        assert.deepEqual(c.disclosed, COUNTER_CLAIMS);
        assert.deepEqual([c.fareClass, c.caregiver, c.certificateType, c.validUntil], [1, true, "physical", null]);
        for (const kept of ["holderKeyThumbprint", "grade", "familyName", "certificateNumber"]) assert.equal(kept in c, false, kept);
      }
    }
  }));

test("a request is answered once: replays and later answers get request_not_found", () =>
  withServer(async (server) => {
    const w = await wallet();
    const req = await create(server);
    const first = w.answer(req);
    assert.equal((await respond(server, first)).status, 200);
    for (const [what, body] of [["a replay", first], ["a fresh answer", w.answer(req)], ["a decline", decline(req.state)]]) {
      const r = await respond(server, body);
      assert.deepEqual([r.status, r.body.error], [400, "request_not_found"], what);
    }
    assert.equal((await read(server, req.id)).body.status, "verified");
    // Read once, then forgotten.
    assert.equal((await read(server, req.id)).status, 404);
  }));

test("answers arriving together: exactly one wins", () =>
  withServer(async (server) => {
    const w = await wallet();
    for (let round = 0; round < 3; round++) {
      const req = await create(server);
      const bodies = [w.answer(req), w.answer(req), w.answer(req), decline(req.state), decline(req.state)];
      const replies = await Promise.all(bodies.map((b) => respond(server, b)));
      const wins = replies.filter((r) => r.status === 200);
      assert.equal(wins.length, 1, JSON.stringify(replies));
      for (const r of replies.filter((x) => x.status !== 200)) assert.equal(r.body.error, "request_not_found");
    }
  }));

test("a huge body is refused before it is read and settles nothing", () =>
  withServer(async (server) => {
    const w = await wallet();
    const req = await create(server);
    const huge = `state=${req.state}&vp_token=${"A".repeat(MAX_RESPONSE_BYTES)}`;
    const r = await respond(server, huge);
    assert.deepEqual([r.status, r.body.error], [413, "request_too_large"]);
    assert.deepEqual((await read(server, req.id)).body, { status: "pending" });
    assert.equal((await respond(server, w.answer(req))).status, 200, "still open");
  }));

test("a credential revoked before the answer fails with revoked", () =>
  withServer(async (server) => {
    const w = await wallet();
    const req = await create(server);
    await sandbox.control("/_sandbox/status", { idx: HANAKO_STATUS_IDX, status: 1 });
    try {
      const r = await respond(server, w.answer(req));
      assert.deepEqual([r.status, r.body.error], [400, "revoked"]);
      assert.deepEqual((await read(server, req.id)).body, { status: "failed", error: "revoked" });
    } finally {
      await sandbox.control("/_sandbox/status", { idx: HANAKO_STATUS_IDX, status: 0 });
    }
  }));

test("a request expires: the page reads expired, a late answer is refused, unread outcomes are forgotten", () => {
  let offset = 0;
  return withServer(
    async (server) => {
      const w = await wallet();
      const unanswered = await create(server);
      const late = await create(server);
      const unread = await create(server);
      assert.equal((await respond(server, w.answer(unread))).status, 200);
      offset = (unanswered.expires_at + 1) * 1000 - Date.now();
      assert.deepEqual((await read(server, unanswered.id)).body, { status: "expired" });
      assert.equal((await read(server, unanswered.id)).status, 404, "forgotten once read");
      const r = await respond(server, w.answer(late));
      assert.equal(r.status, 400);
      assert.ok(["request_expired", "request_not_found"].includes(r.body.error), r.body.error);
      assert.deepEqual((await read(server, late.id)).body, { status: "expired" });
      // A minute after expiry, the next request made drops the outcome nobody read.
      offset += (FORGET_AFTER_MS + 2000);
      await create(server);
      assert.equal((await read(server, unread.id)).status, 404);
    },
    { now: () => Date.now() + offset },
  );
});

test("an unread outcome is forgotten FORGET_AFTER_MS after expiry even when no request is created", () => {
  let offset = 0;
  return withServer(
    async (server) => {
      const w = await wallet();
      const unread = await create(server);
      assert.equal((await respond(server, w.answer(unread))).status, 200);
      offset = unread.expires_at * 1000 + FORGET_AFTER_MS - Date.now();
      const r = await read(server, unread.id);
      assert.equal(r.status, 404, `the disclosed claims outlived FORGET_AFTER_MS: ${JSON.stringify(r.body)}`);
    },
    { now: () => Date.now() + offset },
  );
});

test("a flood of requests is bounded, and pushes out nobody's request", () =>
  withServer(async (server) => {
    const first = await create(server);
    for (let i = 1; i < MAX_COUNTER_REQUESTS; i++) {
      const res = await fetch(`${server.url}/api/counter/requests`, { method: "POST", body: "{}" });
      assert.equal(res.status, 201);
    }
    const res = await fetch(`${server.url}/api/counter/requests`, { method: "POST", body: "{}" });
    assert.equal(res.status, 503);
    assert.equal((await res.json()).error, "temporarily_unavailable");
    assert.deepEqual((await read(server, first.id)).body, { status: "pending" });
  }));
