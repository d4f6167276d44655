// Interop (issue 12): an independent OpenID4VP 1.0 library acts as the WALLET for a request
// made by @mirairo-id/sdk, and the SDK's verifier judges its answer. The library
// (@openid4vc/openid4vp, with `dcql` evaluating the query) parses and resolves our
// openid4vp:// URL, selects the claims to disclose from a real credential signed in JS
// (fixtures.mjs), builds the direct_post response and POSTs it to our response URI, where
// Verifier.verifyPresentationResponse checks it. The KB-JWT is made in the test, as a
// wallet would. (The other direction, a library verifier answered by our wallet, is the
// holder app simulator's test.)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { Verifier, PresentationRequest, MirairoIdError } from "@mirairo-id/sdk";
import {
  DcqlQuery,
  parseOpenid4vpAuthorizationRequest,
  resolveOpenid4vpAuthorizationRequest,
  createOpenid4vpAuthorizationResponse,
  submitOpenid4vpAuthorizationResponse,
} from "../../tests/lib/openid4vp.mjs";
import { es256Key, issue, present, startProvider, statusListJwt } from "./fixtures.mjs";

const now = () => Math.floor(Date.now() / 1000);
const issuer = "http://127.0.0.1:8080";
const claims = { certificate_type: "mental", grade: "2", fare_class: 2, caregiver: false, issuer_prefecture: "13", valid_until: "2030-01-31", family_name: "ミライロ" };

let provider;
let verifierServer; // the partner's response URI, settling each request once
let issuerKey;
let holder;
let credential;
const pending = new Map(); // state -> stored request
const outcomes = new Map(); // state -> { status, body }

before(async () => {
  provider = await startProvider();
  issuerKey = await es256Key("k1");
  holder = await es256Key();
  provider.state.keys = [issuerKey.jwk];
  provider.state.status = await statusListJwt(issuerKey, provider.statusUri, [0], { now: now() });
  credential = await issue({ issuer, issuerKey, holderKey: holder, now: now(), claims, payload: { status: { status_list: { idx: 0, uri: provider.statusUri } } } });
  const verifier = new Verifier({ issuer, jwks: { keys: [issuerKey.jwk] } });
  verifierServer = createServer(async (req, res) => {
    let text = "";
    for await (const chunk of req) text += chunk;
    const reply = (status, body) => {
      res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
      res.end(JSON.stringify(body));
    };
    let state;
    try {
      state = PresentationRequest.stateOf(text);
    } catch (e) {
      return reply(400, { error: e.code });
    }
    const stored = pending.get(state);
    if (stored === undefined) return reply(400, { error: "request_not_found" });
    pending.delete(state); // one answer per request, whatever the outcome
    try {
      const cert = await verifier.verifyPresentationResponse(text, stored);
      outcomes.set(state, { status: "verified", cert });
      reply(200, {});
    } catch (e) {
      assert.ok(e instanceof MirairoIdError);
      outcomes.set(state, { status: "failed", error: e.code });
      reply(e.code === "access_denied" ? 200 : 400, e.code === "access_denied" ? {} : { error: e.code });
    }
  });
  await new Promise((resolve) => verifierServer.listen(0, "127.0.0.1", resolve));
});
after(async () => {
  await provider?.close();
  verifierServer?.closeAllConnections();
  await new Promise((resolve) => verifierServer?.close(resolve));
});

function newRequest(wanted) {
  const r = PresentationRequest.create({
    responseUri: `http://127.0.0.1:${verifierServer.address().port}/api/counter/response`,
    claims: wanted,
    clientName: "みらい鉄道",
  });
  pending.set(r.state, r.toJSON());
  return r;
}

/** The library, as a wallet, reads our QR code URL. */
async function libraryWalletReads(url) {
  const parsed = parseOpenid4vpAuthorizationRequest({ authorizationRequest: url });
  assert.equal(parsed.type, "openid4vp");
  const resolved = await resolveOpenid4vpAuthorizationRequest({
    authorizationRequestPayload: parsed.params,
    callbacks: { hash: async (data) => new Uint8Array(await crypto.subtle.digest("SHA-256", data)) },
  });
  assert.equal(resolved.version, 100, "recognised as OpenID4VP 1.0 final");
  assert.equal(resolved.client.prefix, "redirect_uri");
  assert.equal(resolved.jar, undefined, "unsigned, by value");
  return resolved;
}

/** The disclosures DCQL selects for the query, from the credential, with a KB-JWT for `aud`. */
async function presentationFor(resolved, aud) {
  const query = DcqlQuery.parse(resolved.dcql.query);
  DcqlQuery.validate(query);
  const result = DcqlQuery.query(query, [{ credential_format: "dc+sd-jwt", vct: "urn:mirairo-id:disability-certificate:1", claims, cryptographic_holder_binding: true }]);
  assert.equal(result.can_be_satisfied, true);
  const [queryId] = Object.keys(result.credential_matches);
  const match = result.credential_matches[queryId].valid_credentials[0];
  const selected = Object.keys(match.claims.valid_claim_sets[0].output);
  const [jwt, ...disclosures] = credential.split("~");
  const chosen = disclosures.filter((d) => d && selected.includes(JSON.parse(Buffer.from(d, "base64url"))[1]));
  const sdJwt = `${jwt}~${chosen.map((d) => `${d}~`).join("")}`;
  const presentation = await present(sdJwt, holder, { aud, nonce: resolved.authorizationRequestPayload.nonce, iat: now() });
  return { queryId, selected, presentation };
}

async function librarySubmits(resolved, queryId, presentation) {
  const { authorizationResponsePayload } = await createOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: resolved.authorizationRequestPayload,
    authorizationResponsePayload: { vp_token: { [queryId]: [presentation] } },
    callbacks: {},
  });
  const { response } = await submitOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: resolved.authorizationRequestPayload,
    authorizationResponsePayload,
    callbacks: { fetch },
  });
  return response;
}

test("a request from PresentationRequest resolves in @openid4vc/openid4vp and its DCQL query validates with dcql", async () => {
  const r = newRequest(["fare_class", "valid_until", "certificate_type", "caregiver"]);
  const resolved = await libraryWalletReads(r.url);
  assert.equal(resolved.client.effective, r.clientId);
  assert.equal(resolved.client.redirectUri, r.responseUri);
  assert.equal(resolved.client.clientMetadata.client_name, "みらい鉄道");
  assert.deepEqual(resolved.client.clientMetadata.vp_formats_supported, { "dc+sd-jwt": { "sd-jwt_alg_values": ["ES256"], "kb-jwt_alg_values": ["ES256"] } });
  const payload = resolved.authorizationRequestPayload;
  assert.deepEqual([payload.response_type, payload.response_mode, payload.state, payload.nonce], ["vp_token", "direct_post", r.state, r.nonce]);
  const query = DcqlQuery.parse(resolved.dcql.query);
  DcqlQuery.validate(query);
  assert.deepEqual(query.credentials.map((c) => [c.id, c.format, c.meta.vct_values, c.require_cryptographic_holder_binding]), [["certificate", "dc+sd-jwt", ["urn:mirairo-id:disability-certificate:1"], true]]);
});

test("the library's direct_post answer is accepted by verifyPresentationResponse, with exactly the asked claims", async () => {
  const r = newRequest(["fare_class", "valid_until"]);
  const resolved = await libraryWalletReads(r.url);
  const { queryId, selected, presentation } = await presentationFor(resolved, resolved.client.effective);
  assert.deepEqual(selected.sort(), ["fare_class", "valid_until"], "DCQL selects only the asked claims");
  const response = await librarySubmits(resolved, queryId, presentation);
  assert.equal(response.status, 200);
  const outcome = outcomes.get(r.state);
  assert.equal(outcome.status, "verified", JSON.stringify(outcome));
  assert.deepEqual(outcome.cert.disclosed.sort(), ["fare_class", "valid_until"]);
  assert.deepEqual([outcome.cert.fareClass, outcome.cert.validUntil, outcome.cert.keyBound], [2, "2030-01-31", true]);
  assert.ok(!("familyName" in outcome.cert));
  // The same answer again: the request is settled.
  const again = await librarySubmits(resolved, queryId, presentation);
  assert.equal(again.status, 400);
  assert.deepEqual(await again.json(), { error: "request_not_found" });
});

test("negative: a KB-JWT whose aud lacks the redirect_uri: prefix, or bound to another request, is refused", async () => {
  for (const [name, audOf, nonceOf] of [
    ["aud without prefix", (resolved) => resolved.client.identifier, null],
    ["nonce of another request", (resolved) => resolved.client.effective, () => newRequest(["fare_class"]).nonce],
  ]) {
    const r = newRequest(["fare_class"]);
    const resolved = await libraryWalletReads(r.url);
    if (nonceOf) resolved.authorizationRequestPayload = { ...resolved.authorizationRequestPayload, nonce: nonceOf() };
    const { queryId, presentation } = await presentationFor(resolved, audOf(resolved));
    const response = await librarySubmits(resolved, queryId, presentation);
    assert.equal(response.status, 400, name);
    assert.deepEqual(await response.json(), { error: "bad_key_binding" }, name);
    assert.deepEqual(outcomes.get(r.state), { status: "failed", error: "bad_key_binding" }, name);
  }
});
