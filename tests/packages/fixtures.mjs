// Test fixtures written independently of the Rust core: ES256 keys, SD-JWT VC
// credentials, KB-JWTs and status lists made with WebCrypto and node:zlib exactly as
// PROTOCOL.md §3/§4 describes, and a provider on 127.0.0.1:0 serving the metadata,
// JWK Set and status list (with request counts), for the package tests and the bench.
import { createServer } from "node:http";
import { deflateSync } from "node:zlib";

const { subtle } = globalThis.crypto;
export const VCT = "urn:mirairo-id:disability-certificate:1";
export const b64u = (bytes) => Buffer.from(bytes).toString("base64url");
const json64 = (value) => b64u(Buffer.from(JSON.stringify(value)));
const sha256 = async (text) => b64u(await subtle.digest("SHA-256", Buffer.from(text)));

/** An ES256 key pair; `jwk` is the public JWK (with kid/use/alg when `kid` is given). */
export async function es256Key(kid) {
  const pair = await subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
  const { x, y } = await subtle.exportKey("jwk", pair.publicKey);
  const jwk = { kty: "EC", crv: "P-256", x, y, ...(kid === undefined ? {} : { kid, use: "sig", alg: "ES256" }) };
  return { privateKey: pair.privateKey, jwk, kid };
}

/** A compact JWS; `header.alg` defaults to ES256; a string payload is used verbatim (already base64url). */
export async function signJws(key, header, payload) {
  const input = `${json64({ alg: "ES256", ...header })}.${typeof payload === "string" ? payload : json64(payload)}`;
  const sig = await subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key.privateKey, Buffer.from(input));
  return `${input}.${b64u(sig)}`;
}

/** base64url(JSON [salt, name, value]). */
export function disclosure(name, value) {
  return json64([b64u(globalThis.crypto.getRandomValues(new Uint8Array(16))), name, value]);
}

/**
 * An issuer-signed SD-JWT VC `<jwt>~<disclosure>~…~`. `claims` become disclosures in
 * order; `payload`/`header` override members (a value of `undefined` removes one);
 * `extraDisclosures` are appended without a digest in `_sd`.
 */
export async function issue({ issuer, issuerKey, holderKey, claims = {}, payload = {}, header = {}, now, extraDisclosures = [], decoys = 2 }) {
  const disclosures = Object.entries(claims).map(([name, value]) => disclosure(name, value));
  const digests = await Promise.all(disclosures.map(sha256));
  for (let i = 0; i < decoys; i++) digests.push(await sha256(`decoy-${Math.random()}`));
  digests.sort();
  const body = {
    iss: issuer,
    iat: now,
    exp: now + 86_400,
    vct: VCT,
    cnf: { jwk: { kty: "EC", crv: "P-256", x: holderKey.jwk.x, y: holderKey.jwk.y } },
    _sd_alg: "sha-256",
    _sd: digests,
    ...payload,
  };
  const jwt = await signJws(issuerKey, { typ: "dc+sd-jwt", kid: issuerKey.kid, ...header }, body);
  return `${jwt}~${[...disclosures, ...extraDisclosures].map((d) => `${d}~`).join("")}`;
}

/** Appends a KB-JWT (RFC 9901 §4.3) for `aud`/`nonce` signed by the holder key. */
export async function present(sdJwt, holderKey, { aud, nonce, iat, claims = {} }) {
  const kb = await signJws(holderKey, { typ: "kb+jwt" }, { iat, aud, nonce, sd_hash: await sha256(sdJwt), ...claims });
  return sdJwt + kb;
}

/** A status list JWT (2 bits per entry, LSB first, zlib) for `uri`. */
export async function statusListJwt(issuerKey, uri, statuses, { now, exp = now + 3600, ttl } = {}) {
  const bytes = new Uint8Array(Math.ceil(statuses.length / 4));
  statuses.forEach((s, i) => (bytes[i >> 2] |= s << ((i & 3) * 2)));
  const claims = { sub: uri, iat: now, exp, status_list: { bits: 2, lst: b64u(deflateSync(bytes)) } };
  if (ttl !== undefined) claims.ttl = ttl;
  return signJws(issuerKey, { typ: "statuslist+jwt", kid: issuerKey.kid }, claims);
}

/** The core's cap on an inflated status list (MAX_STATUS_LIST_BYTES; PROTOCOL §4 limits, contract notes). */
export const STATUS_LIST_CAP = 4 * 1024 * 1024;

/**
 * Signed status lists for `uri` around the inflate rules: `small` (index 1 revoked),
 * `atCap` (exactly the core's cap), `overCap` (one byte more), `corrupt` (not zlib) and
 * `badChecksum` (the Adler-32 off by one bit).
 */
export async function inflateCaseLists(issuerKey, uri, now) {
  const list = (zlib) =>
    signJws(issuerKey, { typ: "statuslist+jwt", kid: issuerKey.kid }, { sub: uri, iat: now, exp: now + 3600, status_list: { bits: 2, lst: b64u(zlib) } });
  const revokedAt1 = new Uint8Array([0b0100]); // index 0 valid, index 1 revoked
  return {
    small: await list(deflateSync(revokedAt1)),
    atCap: await list(deflateSync(new Uint8Array(STATUS_LIST_CAP))),
    overCap: await list(deflateSync(new Uint8Array(STATUS_LIST_CAP + 1))),
    corrupt: await list(new TextEncoder().encode("not zlib at all")),
    badChecksum: await list(deflateSync(revokedAt1).map((b, i, a) => (i === a.length - 1 ? b ^ 1 : b))),
  };
}

/** An ID token (PROTOCOL §2.4). */
export function idToken(issuerKey, claims, header = {}) {
  return signJws(issuerKey, { typ: "JWT", kid: issuerKey.kid, ...header }, claims);
}

/**
 * A provider on 127.0.0.1:0: `/.well-known/openid-configuration`, `/jwks.json`,
 * `/status/1`. `state.keys` (public JWKs), `state.status` (a JWT or an HTTP status
 * number), `state.metadataIssuer` can change at any time; `hits` counts requests per path.
 */
export async function startProvider() {
  const state = { keys: [], status: 404, metadataIssuer: undefined };
  const hits = {};
  const server = createServer((req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    hits[path] = (hits[path] ?? 0) + 1;
    const send = (status, type, body) => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      res.end(body);
    };
    if (path === "/.well-known/openid-configuration") {
      send(200, "application/json", JSON.stringify({ issuer: state.metadataIssuer ?? url, jwks_uri: `${url}/jwks.json` }));
    } else if (path === "/jwks.json") {
      send(200, "application/json", JSON.stringify({ keys: state.keys }));
    } else if (path === "/status/1" && typeof state.status === "string") {
      send(200, "application/statuslist+jwt", state.status);
    } else {
      send(typeof state.status === "number" ? state.status : 404, "text/plain", "no");
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    statusUri: `${url}/status/1`,
    state,
    hits,
    close: () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      }),
  };
}
