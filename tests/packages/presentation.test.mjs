// Counter presentation (PROTOCOL.md §7) from Node through the installed package:
// PresentationRequest and Verifier.verifyPresentationResponse with credentials signed in
// JS (fixtures.mjs, independent of the Rust core), the status list served from
// 127.0.0.1:0. One row per §7.2 outcome, each beside the valid answer it breaks.
import { test, before, after, beforeEach, describe } from "node:test";
import assert from "node:assert/strict";
import { Verifier, MirairoIdError, PresentationRequest } from "@mirairo-id/sdk";
import { disclosure, es256Key, issue, present, startProvider, statusListJwt } from "./fixtures.mjs";

const now = () => Math.floor(Date.now() / 1000);
const RESPONSE_URI = "https://rail.example/api/counter/response";
const CLAIMS = ["certificate_type", "fare_class", "caregiver", "valid_until"];

async function codeOf(fn) {
  try {
    await fn();
  } catch (e) {
    assert.ok(e instanceof MirairoIdError, `expected a MirairoIdError, got ${e?.constructor?.name}: ${e?.message}`);
    return e.code;
  }
  assert.fail("expected a MirairoIdError, but it succeeded");
}

describe("PresentationRequest", () => {
  test("create: the openid4vp:// request of §7.1, with fresh state and nonce", () => {
    const r = PresentationRequest.create({ responseUri: RESPONSE_URI, claims: CLAIMS, clientName: "みらい鉄道" });
    assert.equal(r.clientId, `redirect_uri:${RESPONSE_URI}`);
    assert.equal(r.responseUri, RESPONSE_URI);
    assert.deepEqual(r.claims, CLAIMS);
    assert.equal(r.clientName, "みらい鉄道");
    assert.ok(Math.abs(r.expiresAt - (now() + 300)) <= 2);
    assert.match(r.state, /^[A-Za-z0-9_-]{43}$/);
    assert.match(r.nonce, /^[A-Za-z0-9_-]{43}$/);
    const url = new URL(r.url);
    assert.equal(url.protocol, "openid4vp:");
    const q = url.searchParams;
    assert.deepEqual(
      [q.get("client_id"), q.get("response_type"), q.get("response_mode"), q.get("response_uri"), q.get("state"), q.get("nonce")],
      [r.clientId, "vp_token", "direct_post", RESPONSE_URI, r.state, r.nonce],
    );
    assert.deepEqual(JSON.parse(q.get("dcql_query")).credentials[0].claims, CLAIMS.map((c) => ({ path: [c] })));
    assert.equal(JSON.parse(q.get("client_metadata")).client_name, "みらい鉄道");
    const other = PresentationRequest.create({ responseUri: RESPONSE_URI, claims: ["fare_class"] });
    assert.notEqual(other.state, r.state);
    assert.equal(other.clientName, undefined);
  });

  test("toJSON / fromJSON round-trip exactly (object or text); anything else is invalid_config", async () => {
    const r = PresentationRequest.create({ responseUri: RESPONSE_URI, claims: CLAIMS, expiresInSeconds: 120 });
    const stored = r.toJSON();
    assert.deepEqual(Object.keys(stored), ["response_uri", "claims", "state", "nonce", "expires_at"]);
    for (const json of [stored, JSON.stringify(stored), JSON.parse(JSON.stringify(r))]) {
      const back = PresentationRequest.fromJSON(json);
      assert.deepEqual(back.toJSON(), stored);
      assert.equal(back.url, r.url);
    }
    const rows = [{ ...stored, extra: 1 }, { ...stored, state: "short" }, { ...stored, claims: ["address"] }, { ...stored, expires_at: "1" }, null, 42, "{"];
    for (const json of rows) assert.equal(await codeOf(() => PresentationRequest.fromJSON(json)), "invalid_config", JSON.stringify(json));
  });

  test("create refuses bad options with invalid_config", async () => {
    const rows = [
      undefined,
      {},
      { claims: CLAIMS },
      { responseUri: "http://rail.example/r", claims: CLAIMS },
      { responseUri: `${RESPONSE_URI}#x`, claims: CLAIMS },
      { responseUri: RESPONSE_URI, claims: [] },
      { responseUri: RESPONSE_URI, claims: ["fare_class", "fare_class"] },
      { responseUri: RESPONSE_URI, claims: CLAIMS, expiresInSeconds: NaN },
      { responseUri: RESPONSE_URI, claims: CLAIMS, expiresInSeconds: 5 },
      { responseUri: RESPONSE_URI, claims: CLAIMS, expiresInSecond: 60 },
      { responseUri: RESPONSE_URI, claims: CLAIMS, clientName: "" },
    ];
    for (const opts of rows) assert.equal(await codeOf(() => PresentationRequest.create(opts)), "invalid_config", JSON.stringify(opts));
    // Accepted: loopback http (development, the sandbox).
    assert.ok(PresentationRequest.create({ responseUri: "http://127.0.0.1:3000/api/counter/response", claims: ["fare_class"] }));
  });

  test("stateOf reads a direct_post body with the core's form decoder", async () => {
    assert.equal(PresentationRequest.stateOf("vp_token=%7B%7D&state=abc"), "abc");
    assert.equal(PresentationRequest.stateOf(new URLSearchParams({ error: "access_denied", state: "s 1" })), "s 1");
    assert.equal(PresentationRequest.stateOf({ error: "access_denied", state: "x" }), "x");
    for (const body of ["vp_token=%7B%7D", "state=a&state=b&vp_token=x", "state=%zz&vp_token=x", 42, { state: 1 }]) {
      assert.equal(await codeOf(() => PresentationRequest.stateOf(body)), "invalid_request", String(body));
    }
  });
});

describe("Verifier.verifyPresentationResponse", () => {
  const issuer = "http://127.0.0.1:8080";
  let provider;
  let k1;
  let holder;
  let list;
  let credential; // every claim of the certificate, as the holder's app stores it
  before(async () => {
    provider = await startProvider();
    k1 = await es256Key("k1");
    holder = await es256Key();
    list = await statusListJwt(k1, provider.statusUri, [0, 1, 2, 0], { now: now() });
    credential = await makeCredential(0);
  });
  after(() => provider.close());
  beforeEach(() => Object.assign(provider.state, { keys: [k1.jwk], status: list }));

  const claims = {
    certificate_type: "physical",
    grade: "2",
    fare_class: 1,
    caregiver: true,
    issuer_prefecture: "13",
    valid_until: "2030-03-31",
  };
  const makeCredential = (idx, extra = {}) =>
    issue({ issuer, issuerKey: k1, holderKey: holder, now: now(), claims, payload: { status: { status_list: { idx, uri: provider.statusUri } } }, ...extra });
  const verifier = () => new Verifier({ issuer, jwks: { keys: [k1.jwk] } });
  const request = (o = {}) => PresentationRequest.create({ responseUri: RESPONSE_URI, claims: CLAIMS, ...o });

  /** The holder's answer: the requested disclosures of `cred` (all when `keep` says so) and a KB-JWT. */
  async function answer(r, { cred = credential, keep = (name) => CLAIMS.includes(name), aud = r.clientId, nonce = r.nonce, kb = true } = {}) {
    const [jwt, ...rest] = cred.split("~");
    const chosen = rest.filter((d) => d && keep(JSON.parse(Buffer.from(d, "base64url"))[1]));
    const sdJwt = `${jwt}~${chosen.map((d) => `${d}~`).join("")}`;
    return kb ? present(sdJwt, holder, { aud, nonce, iat: now() }) : sdJwt;
  }
  const body = (state, presentations) => new URLSearchParams({ vp_token: JSON.stringify({ certificate: presentations }), state }).toString();

  test("a valid answer verifies, as a string, URLSearchParams or a record; only the requested claims are kept", async () => {
    const r = request();
    const p = await answer(r);
    const text = body(r.state, [p]);
    for (const form of [text, new URLSearchParams(text), Object.fromEntries(new URLSearchParams(text))]) {
      const cert = await verifier().verifyPresentationResponse(form, r);
      assert.equal(cert.keyBound, true);
      assert.deepEqual(cert.disclosed, CLAIMS);
      assert.deepEqual([cert.fareClass, cert.caregiver, cert.validUntil, cert.certificateType], [1, true, "2030-03-31", "physical"]);
    }
    // The stored JSON works in place of the request object.
    assert.equal((await verifier().verifyPresentationResponse(text, r.toJSON())).fareClass, 1);
    // A wallet that discloses more than asked: not refused, but grade and issuer_prefecture never reach the result.
    const over = await answer(r, { keep: () => true });
    const cert = await verifier().verifyPresentationResponse(body(r.state, [over]), r);
    assert.deepEqual(cert.disclosed, CLAIMS);
    assert.ok(!("grade" in cert) && !("issuerPrefecture" in cert));
    assert.ok(!("holderKeyThumbprint" in cert), "no persistent holder identifier either");
  });

  test("the status list is fetched once and cached", async () => {
    const v = verifier();
    const before = provider.hits["/status/1"] ?? 0;
    for (let i = 0; i < 3; i++) {
      const r = request();
      await v.verifyPresentationResponse(body(r.state, [await answer(r)]), r);
    }
    assert.equal((provider.hits["/status/1"] ?? 0) - before, 1);
  });

  test("every §7.2 outcome with its code", async () => {
    const rows = [
      ["no state", async (r) => new URLSearchParams({ vp_token: JSON.stringify({ certificate: [await answer(r)] }) }).toString(), "invalid_request"],
      ["neither vp_token nor error", async (r) => `state=${r.state}`, "invalid_request"],
      ["state twice", async (r) => `${body(r.state, [await answer(r)])}&state=${r.state}`, "invalid_request"],
      ["vp_token not JSON", async (r) => new URLSearchParams({ vp_token: await answer(r), state: r.state }).toString(), "invalid_request"],
      ["no certificate key", async (r) => new URLSearchParams({ vp_token: JSON.stringify({ other: [await answer(r)] }), state: r.state }).toString(), "invalid_request"],
      ["two presentations", async (r) => body(r.state, [await answer(r), await answer(r)]), "invalid_request"],
      ["zero presentations", async (r) => body(r.state, []), "invalid_request"],
      ["garbage", async () => "\u0000%%%&&==", "invalid_request"],
      ["huge", async (r) => `state=${r.state}&vp_token=${"A".repeat(600 * 1024)}`, "invalid_request"],
      ["wrong state", async (r) => body("another-state", [await answer(r)]), "request_not_found"],
      ["declined", async (r) => `error=access_denied&state=${r.state}`, "access_denied"],
      ["wallet error", async (r) => `error=invalid_request&error_description=unsupported&state=${r.state}`, "wallet_error"],
      ["KB-JWT missing", async (r) => body(r.state, [await answer(r, { kb: false })]), "key_binding_required"],
      ["aud without the prefix", async (r) => body(r.state, [await answer(r, { aud: RESPONSE_URI })]), "bad_key_binding"],
      ["nonce of another request", async (r) => body(r.state, [await answer(r, { nonce: request().nonce })]), "bad_key_binding"],
      ["requested claim missing", async (r) => body(r.state, [await answer(r, { keep: (n) => n === "fare_class" })]), "missing_claim"],
      ["revoked", async (r) => body(r.state, [await answer(r, { cred: await makeCredential(1) })]), "revoked"],
      ["suspended", async (r) => body(r.state, [await answer(r, { cred: await makeCredential(2) })]), "suspended"],
      ["signed by another key", async (r) => body(r.state, [await answer(r, { cred: await makeCredential(0, { issuerKey: { ...(await es256Key("k1")) } }) })]), "bad_signature"],
    ];
    for (const [name, make, code] of rows) {
      const r = request();
      assert.equal(await codeOf(async () => verifier().verifyPresentationResponse(await make(r), r)), code, name);
    }
    // Expired: the same valid answer, one second late.
    const r = request({ expiresInSeconds: 30 });
    const valid = body(r.state, [await answer(r)]);
    assert.equal((await verifier().verifyPresentationResponse(valid, r, { now: r.expiresAt - 1 })).fareClass, 1);
    assert.equal(await codeOf(() => verifier().verifyPresentationResponse(valid, r, { now: r.expiresAt })), "request_expired");
  });

  test("the status list unreachable is status_unavailable; bad arguments fail clearly", async () => {
    const r = request();
    const valid = body(r.state, [await answer(r)]);
    provider.state.status = 500;
    assert.equal(await codeOf(() => verifier().verifyPresentationResponse(valid, r)), "status_unavailable");
    provider.state.status = list;
    assert.equal(await codeOf(() => verifier().verifyPresentationResponse(42, r)), "invalid_request");
    assert.equal(await codeOf(() => verifier().verifyPresentationResponse(valid, r, { statusList: list })), "invalid_config");
    assert.equal(await codeOf(() => verifier().verifyPresentationResponse(valid, r, { now: NaN })), "invalid_config");
    assert.equal(await codeOf(() => verifier().verifyPresentationResponse(valid, { state: r.state })), "invalid_config");
    // Still verifies afterwards.
    assert.equal((await verifier().verifyPresentationResponse(valid, r)).fareClass, 1);
  });

  test("an extra disclosure without a digest is refused, not stripped", async () => {
    const r = request();
    const cred = await makeCredential(0, { extraDisclosures: [disclosure("grade", "1")] });
    const p = await answer(r, { cred, keep: () => true });
    assert.equal(await codeOf(() => verifier().verifyPresentationResponse(body(r.state, [p]), r)), "bad_disclosure");
  });
});
