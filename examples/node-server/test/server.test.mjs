// The example server against a real sandbox: a presentation made by a holder key is
// accepted once, and refused with the PROTOCOL.md §4 code for a wrong or replayed
// nonce, another audience, a missing key binding, or a credential revoked after the
// nonce was issued.
//
// Needs: target/debug/mirairo-id-sandbox, and @mirairo-id/sdk installed here
// (npm install --no-save ../../target/packages/mirairo-id-sdk-*.tgz).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { startSandbox } from "../../../tests/lib/harness.mjs";
import { startServer } from "../server.mjs";

const AUDIENCE = "https://rail.example";
const HANAKO_STATUS_IDX = 412; // hanako's certificate 0: 身体 2級 第1種

let sandbox;
before(async () => {
  sandbox = await startSandbox();
});
after(async () => {
  await sandbox?.stop();
});

const b64 = (x) => Buffer.from(x).toString("base64url");

/** A holder: an EC P-256 key and a credential bound to it. */
async function holder() {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const { kty, crv, x, y } = publicKey.export({ format: "jwk" });
  const { credential } = await sandbox.control("/_sandbox/issue", {
    user: "hanako",
    certificate: 0,
    claims: ["fare_class", "caregiver"],
    holder_jwk: { kty, crv, x, y },
  });
  return {
    credential,
    /** The credential with a KB-JWT for `aud` and `nonce` (RFC 9901 §4.3). */
    present(aud, nonce, key = privateKey) {
      const header = b64(JSON.stringify({ alg: "ES256", typ: "kb+jwt" }));
      const sdHash = createHash("sha256").update(credential, "ascii").digest("base64url");
      const payload = b64(JSON.stringify({ iat: Math.floor(Date.now() / 1000), aud, nonce, sd_hash: sdHash }));
      const sig = sign("sha256", Buffer.from(`${header}.${payload}`), { key, dsaEncoding: "ieee-p1363" });
      return `${credential}${header}.${payload}.${b64(sig)}`;
    },
  };
}

async function post(url, body) {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

async function withServer(fn, options = {}) {
  const server = await startServer({ issuer: sandbox.url, audience: AUDIENCE, ...options });
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

async function nonce(server) {
  const { status, body } = await post(`${server.url}/nonce`, {});
  assert.equal(status, 200);
  assert.equal(body.audience, AUDIENCE);
  return body.nonce;
}

test("a fresh presentation is accepted once, with only the disclosed claims", () =>
  withServer(async (server) => {
    const h = await holder();
    const presentation = h.present(AUDIENCE, await nonce(server));
    const ok = await post(`${server.url}/verify`, { presentation });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.verified.keyBound, true);
    assert.equal(ok.body.verified.fareClass, 1);
    assert.deepEqual(ok.body.verified.disclosed, ["fare_class", "caregiver"]);
    assert.equal("familyName" in ok.body.verified, false);

    const replay = await post(`${server.url}/verify`, { presentation });
    assert.deepEqual([replay.status, replay.body.error], [403, "bad_key_binding"], "a replayed nonce");
  }));

test("refusals carry the protocol code", () =>
  withServer(async (server) => {
    const h = await holder();
    const other = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    // Each row gets a fresh nonce, so only its own fault can fail it.
    const rows = [
      ["a nonce this server never issued", () => h.present(AUDIENCE, "never-issued-0123456789"), 403, "bad_key_binding"],
      ["an issued nonce with its expiry moved", (n) => h.present(AUDIENCE, n.replace(/^\d+/, (t) => String(Number(t) + 3_600_000))), 403, "bad_key_binding"],
      ["an issued nonce with another random part", (n) => h.present(AUDIENCE, n.replace(/\.(.)/, (_, c) => `.${c === "A" ? "B" : "A"}`)), 403, "bad_key_binding"],
      ["another partner's audience", (n) => h.present("https://other.example", n), 403, "bad_key_binding"],
      ["a KB-JWT signed by another key", (n) => h.present(AUDIENCE, n, other), 403, "bad_key_binding"],
      ["no key binding", () => h.credential, 403, "key_binding_required"],
      ["not an SD-JWT", () => "hello", 403, "malformed"],
    ];
    for (const [what, make, status, code] of rows) {
      const r = await post(`${server.url}/verify`, { presentation: make(await nonce(server)) });
      assert.deepEqual([r.status, r.body.error], [status, code], what);
    }
    const bad = await post(`${server.url}/verify`, { nope: 1 });
    assert.deepEqual([bad.status, bad.body.error], [400, "invalid_request"]);
  }));

test("a nonce has one spelling: its HMAC re-spelt with unused bits or stray characters is refused", () =>
  withServer(async (server) => {
    const h = await holder();
    const n = await nonce(server);
    const tag = n.slice(n.lastIndexOf(".") + 1);
    const body = n.slice(0, n.lastIndexOf(".") + 1);
    // 32 bytes: 43 characters whose last carries 2 unused bits.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = alphabet.indexOf(tag.at(-1));
    const spellings = [
      ["an unused bit set", body + tag.slice(0, -1) + alphabet[last ^ 1]],
      ["a stray character", body + tag.slice(0, 10) + "!" + tag.slice(10)],
    ];
    for (const [what, respelt] of spellings) {
      const r = await post(`${server.url}/verify`, { presentation: h.present(AUDIENCE, respelt) });
      assert.deepEqual([r.status, r.body.error], [403, "bad_key_binding"], what);
    }
    const ok = await post(`${server.url}/verify`, { presentation: h.present(AUDIENCE, n) });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  }));

test("a nonce is usable only until it expires", () =>
  withServer(
    async (server) => {
      const h = await holder();
      const n = await nonce(server);
      await new Promise((r) => setTimeout(r, 300));
      const r = await post(`${server.url}/verify`, { presentation: h.present(AUDIENCE, n) });
      assert.deepEqual([r.status, r.body.error], [403, "bad_key_binding"]);
    },
    { nonceTtlMs: 200 },
  ));

test("a refused presentation does not use up its nonce; an accepted one does", () =>
  withServer(async (server) => {
    const h = await holder();
    const n = await nonce(server);
    const wrong = await post(`${server.url}/verify`, { presentation: h.present("https://other.example", n) });
    assert.deepEqual([wrong.status, wrong.body.error], [403, "bad_key_binding"]);
    const right = await post(`${server.url}/verify`, { presentation: h.present(AUDIENCE, n) });
    assert.equal(right.status, 200, JSON.stringify(right.body));
    const again = await post(`${server.url}/verify`, { presentation: h.present(AUDIENCE, n) });
    assert.deepEqual([again.status, again.body.error], [403, "bad_key_binding"], "a second presentation for the same nonce");
  }));

test("a credential revoked after the nonce was issued is refused", () =>
  withServer(async (server) => {
    const h = await holder();
    const n = await nonce(server);
    await sandbox.control("/_sandbox/status", { idx: HANAKO_STATUS_IDX, status: 1 });
    try {
      const r = await post(`${server.url}/verify`, { presentation: h.present(AUDIENCE, n) });
      assert.deepEqual([r.status, r.body.error], [403, "revoked"]);
    } finally {
      await sandbox.control("/_sandbox/status", { idx: HANAKO_STATUS_IDX, status: 0 });
    }
  }));
