// Credential verification speed in Node, one process, the same credential for every
// contender, side by side with ratios (a benchmark: it prints, it asserts nothing).
//
//   node tests/bench/verify.bench.mjs        (after `cargo xtask build`)
//
// Contenders, each doing the same checks on an SD-JWT VC with 5 disclosures and a
// status list reference (issuer signature ES256, typ/alg/kid, iss/vct/exp/iat, every
// disclosure digest found in _sd, claim types, status index looked up in a cached list):
//   - sdk verifyOnline: @mirairo-id/sdk, WebCrypto ECDSA between the two wasm phases,
//     status list cached (the target: within 1.5x of the WebCrypto anchor);
//   - sdk verify: synchronous, p256 in wasm (with and without a status list passed in,
//     which the caller then has verified on every call);
//   - jose anchor: jose.jwtVerify (ES256, key imported once) + node:crypto SHA-256 of
//     each disclosure + a pre-decoded status list;
//   - WebCrypto anchor: crypto.subtle.verify (key imported once) + subtle.digest of each
//     disclosure + a pre-decoded status list.
import { createHash } from "node:crypto";
import { inflateSync } from "node:zlib";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as jose from "jose";
import { es256Key, issue, startProvider, statusListJwt } from "../packages/fixtures.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
// MIRAIRO_SDK_DIR: another build of the package to compare (default: dist/npm/sdk).
const sdkDir = process.env.MIRAIRO_SDK_DIR ?? path.join(root, "dist/npm/sdk");
const { Verifier, ready } = await import(path.join(sdkDir, "node.js"));
await ready();

const provider = await startProvider();
const issuerKey = await es256Key("k1");
const holderKey = await es256Key();
provider.state.keys = [issuerKey.jwk];
const now = Math.floor(Date.now() / 1000);
const statuses = Array.from({ length: 10_000 }, (_, i) => (i % 97 === 5 ? 1 : 0));
const list = await statusListJwt(issuerKey, provider.statusUri, statuses, { now, ttl: 3600 });
provider.state.status = list;
const claims = { certificate_type: "physical", grade: "2", fare_class: 1, caregiver: true, valid_until: "2030-03-31" };
const credential = await issue({
  issuer: provider.url,
  issuerKey,
  holderKey,
  now,
  claims,
  payload: { status: { status_list: { idx: 412, uri: provider.statusUri } } },
});

const verifier = new Verifier({ issuer: provider.url, jwks: { keys: [issuerKey.jwk] } });

// --- anchors ---------------------------------------------------------------------
const b64 = (s) => Buffer.from(s, "base64url");
const decodedList = (() => {
  const claims = JSON.parse(b64(list.split(".")[1]).toString());
  return { bits: claims.status_list.bits, bytes: inflateSync(b64(claims.status_list.lst)) };
})();
function statusAt(idx) {
  const { bits, bytes } = decodedList;
  const perByte = 8 / bits;
  return (bytes[Math.floor(idx / perByte)] >> ((idx % perByte) * bits)) & ((1 << bits) - 1);
}
const types = {
  certificate_type: (v) => ["physical", "mental", "intellectual"].includes(v),
  grade: (v) => typeof v === "string",
  fare_class: (v) => v === 1 || v === 2 || v === null,
  caregiver: (v) => typeof v === "boolean",
  valid_until: (v) => v === null || /^\d{4}-\d{2}-\d{2}$/.test(v),
};
function checkClaims(payload, disclosures, digest) {
  if (payload.iss !== provider.url || payload.vct !== "urn:mirairo-id:disability-certificate:1") throw new Error("claims");
  const t = Math.floor(Date.now() / 1000);
  if (payload.exp <= t - 60 || payload.iat > t + 60) throw new Error("time");
  const sd = new Set(payload._sd);
  const out = {};
  for (let i = 0; i < disclosures.length; i++) {
    if (!sd.delete(digest[i])) throw new Error("bad_disclosure");
    const [, name, value] = JSON.parse(b64(disclosures[i]).toString());
    if (!types[name]?.(value)) throw new Error("bad_disclosure type");
    out[name] = value;
  }
  if (statusAt(payload.status.status_list.idx) !== 0) throw new Error("revoked");
  if (out.valid_until && out.valid_until < "2026-01-01") throw new Error("certificate_expired");
  return out;
}
const joseKey = await jose.importJWK(issuerKey.jwk, "ES256");
async function joseAnchor(presentation) {
  const [jwt, ...rest] = presentation.split("~");
  const disclosures = rest.filter(Boolean);
  const { payload } = await jose.jwtVerify(jwt, joseKey, { algorithms: ["ES256"], typ: "dc+sd-jwt", issuer: provider.url });
  const digests = disclosures.map((d) => createHash("sha256").update(d).digest("base64url"));
  return checkClaims(payload, disclosures, digests);
}
const subtleKey = await crypto.subtle.importKey("jwk", issuerKey.jwk, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
const ascii = new TextEncoder();
async function webCryptoAnchor(presentation) {
  const [jwt, ...rest] = presentation.split("~");
  const disclosures = rest.filter(Boolean);
  const [h, p, s] = jwt.split(".");
  const header = JSON.parse(b64(h).toString());
  if (header.alg !== "ES256" || header.typ !== "dc+sd-jwt" || header.kid !== "k1") throw new Error("header");
  const ok = await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, subtleKey, b64(s), ascii.encode(`${h}.${p}`));
  if (!ok) throw new Error("bad_signature");
  const payload = JSON.parse(b64(p).toString());
  const digests = await Promise.all(
    disclosures.map(async (d) => Buffer.from(await crypto.subtle.digest("SHA-256", ascii.encode(d))).toString("base64url")),
  );
  return checkClaims(payload, disclosures, digests);
}

// --- timing --------------------------------------------------------------------------
// The machine may be shared: contenders run interleaved in short rounds and each keeps
// its best round, so background load hits all of them alike and is mostly filtered out.
async function round(fn, ms) {
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < 20; i++) await fn();
    n += 20;
    elapsed = performance.now() - start;
  }
  return elapsed / n; // ms per op, sequential (latency)
}

const contenders = [
  ["WebCrypto anchor (subtle.verify + subtle.digest)", () => webCryptoAnchor(credential)],
  ["jose anchor (jwtVerify + node:crypto sha256)", () => joseAnchor(credential)],
  ["sdk verifyOnline (WebCrypto, status list cached)", () => verifier.verifyOnline(credential)],
  ["sdk verify (p256 in wasm, no status list)", () => verifier.verify(credential)],
  ["sdk verify (p256 in wasm, status list passed)", () => verifier.verify(credential, { statusList: list, requireStatus: true })],
];
// Sanity: every contender accepts the credential and reads the same claims.
for (const [name, fn] of contenders) {
  const r = await fn();
  if ((r.fareClass ?? r.fare_class) !== 1) throw new Error(`${name} returned ${JSON.stringify(r)}`);
}

for (const [, fn] of contenders) for (let i = 0; i < 100; i++) await fn(); // warm up
const best = contenders.map(() => Infinity);
for (let r = 0; r < 8; r++) {
  for (let c = 0; c < contenders.length; c++) best[c] = Math.min(best[c], await round(contenders[c][1], 250));
}
const results = contenders.map(([name], c) => [name, best[c]]);
const anchor = results[0][1];
console.log(`credential: ${credential.length} bytes, 5 disclosures, status list of ${statuses.length} entries; Node ${process.version}`);
console.log(`${"contender".padEnd(52)}${"ops/s".padStart(10)}${"ms/op".padStart(10)}${"vs WebCrypto".padStart(14)}`);
for (const [name, ms] of results) {
  console.log(`${name.padEnd(52)}${Math.round(1000 / ms).toString().padStart(10)}${ms.toFixed(4).padStart(10)}${`${(ms / anchor).toFixed(2)}x`.padStart(14)}`);
}
const online = results[2][1] / anchor;
console.log(`target: sdk verifyOnline within 1.5x of the WebCrypto anchor: ${online.toFixed(2)}x (${online <= 1.5 ? "met" : "NOT met"})`);
console.log(`status list requests during the run: ${provider.hits["/status/1"]}`);
await provider.close();
