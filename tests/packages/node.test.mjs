// Imports the installed tarball by package name from Node, as a partner's server would.
// Credentials are made in JS (fixtures.mjs, independent of the Rust core) and by the
// sandbox provider; keys and status lists are served from 127.0.0.1:0.
import { test, before, beforeEach, after, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as sdk from "@mirairo-id/sdk";
import { Verifier, MirairoIdError, fareDiscount, ready, VERSION } from "@mirairo-id/sdk";
import { startSandbox } from "../../tests/lib/harness.mjs";
import { b64u, disclosure, es256Key, idToken, issue, present, startProvider, statusListJwt } from "./fixtures.mjs";

const require = createRequire(import.meta.url);
const pkgJsonPath = require.resolve("@mirairo-id/sdk/package.json");
const pkg = JSON.parse(readFileSync(pkgJsonPath, "utf8"));
const now = () => Math.floor(Date.now() / 1000);

/** The code of the MirairoIdError thrown by `fn` (sync or async); fails on success or another error class. */
async function codeOf(fn) {
  try {
    await fn();
  } catch (e) {
    assert.ok(e instanceof MirairoIdError, `expected a MirairoIdError, got ${e?.constructor?.name}: ${e?.message}`);
    assert.ok(e instanceof Error);
    assert.equal(e.name, "MirairoIdError");
    assert.equal(typeof e.message, "string");
    return e.code;
  }
  assert.fail("expected a MirairoIdError, but it succeeded");
}

/** Runs `fn` with globalThis.crypto hidden, as on an http: page that is not localhost. */
async function withoutWebCrypto(fn) {
  const saved = Object.getOwnPropertyDescriptor(globalThis, "crypto");
  Object.defineProperty(globalThis, "crypto", { value: undefined, configurable: true, writable: true });
  try {
    return await fn();
  } finally {
    Object.defineProperty(globalThis, "crypto", saved);
  }
}

const thumbprint = async ({ x, y }) =>
  b64u(await crypto.subtle.digest("SHA-256", Buffer.from(`{"crv":"P-256","kty":"EC","x":"${x}","y":"${y}"}`)));

test("ready() instantiates the wasm once and VERSION matches package.json", async () => {
  const first = ready();
  assert.equal(ready(), first, "a second call returns the same promise");
  await first;
  assert.equal(VERSION, pkg.version);
});

/** The value names a .d.ts declares for export, following `export * from "./x.js"`. */
function declaredValues(file) {
  const dts = readFileSync(file, "utf8");
  const names = [...dts.matchAll(/^export (?:declare )?(?:abstract )?(?:const|let|function|class) (\w+)/gm)].map((m) => m[1]);
  // `export { A, B as C } from "./x.js"`: the names that x.d.ts declares as values.
  for (const [, list, target] of dts.matchAll(/^export \{([^}]*)\} from "(\.[^"]+)\.js";/gm)) {
    const values = declaredValues(new URL(`${target}.d.ts`, file));
    for (const item of list.split(",").map((s) => s.trim()).filter((s) => s && !s.startsWith("type "))) {
      const [name, alias = name] = item.split(/\s+as\s+/);
      if (values.includes(name)) names.push(alias);
    }
  }
  for (const [, target] of dts.matchAll(/^export \* from "(\.[^"]+)\.js";/gm)) {
    names.push(...declaredValues(new URL(`${target}.d.ts`, file)));
  }
  return names;
}

test("golden: the runtime exports are exactly the values declared in index.d.ts", () => {
  const declared = declaredValues(new URL("./index.d.ts", `file://${pkgJsonPath}`));
  assert.ok(declared.includes("Verifier") && declared.includes("MirairoIdError"));
  assert.deepEqual(Object.keys(sdk).sort(), [...new Set(declared)].sort());
});

test("MirairoIdError is one class: thrown by wasm, constructible, with code/reason/providerError", () => {
  const e = new MirairoIdError("provider_error", "refused", { providerError: "access_denied" });
  assert.ok(e instanceof Error);
  assert.deepEqual([e.name, e.code, e.message, e.providerError, "reason" in e], ["MirairoIdError", "provider_error", "refused", "access_denied", false]);
  try {
    new Verifier({ issuer: "ftp://example", jwks: { keys: [] } });
    assert.fail("no error");
  } catch (thrown) {
    assert.equal(Object.getPrototypeOf(thrown), MirairoIdError.prototype, "the wasm threw the package's own class");
    assert.equal(thrown.code, "invalid_config");
    assert.ok(thrown.stack.includes("MirairoIdError"));
  }
});

describe("Verifier", () => {
  let provider, k1, k2, holder, list, issuer;
  const claims = { certificate_type: "physical", grade: "2", fare_class: 1, caregiver: true, valid_until: "2030-03-31" };

  before(async () => {
    provider = await startProvider();
    issuer = provider.url;
    [k1, k2, holder] = await Promise.all([es256Key("k1"), es256Key("k2"), es256Key()]);
    provider.state.keys = [k1.jwk];
    list = await statusListJwt(k1, provider.statusUri, [0, 1, 2, 0], { now: now() });
    provider.state.status = list;
  });
  after(() => provider.close());
  // Each test starts from the same provider state, whatever the previous one changed.
  beforeEach(() => {
    Object.assign(provider.state, { keys: [k1.jwk], status: list, metadataIssuer: undefined });
  });

  const statusAt = (idx, uri = provider.statusUri) => ({ status: { status_list: { idx, uri } } });
  const make = (o = {}) =>
    issue({ issuer, issuerKey: k1, holderKey: holder, now: now(), claims, ...o, payload: { ...statusAt(0), ...o.payload } });
  const verifier = () => new Verifier({ issuer, jwks: { keys: provider.state.keys } });

  test("constructor: invalid_config for a jwks that is not a JWK Set or an issuer that is not http(s)", async () => {
    const rows = [
      [{ issuer, jwks: "not json" }, "invalid_config"],
      [{ issuer, jwks: { keys: "no" } }, "invalid_config"],
      [{ issuer, jwks: {} }, "invalid_config"],
      [{ issuer, jwks: 42 }, "invalid_config"],
      [{ issuer: "ftp://127.0.0.1", jwks: { keys: [] } }, "invalid_config"],
      [{ issuer: "127.0.0.1:8080", jwks: { keys: [] } }, "invalid_config"],
      [{ issuer: 8080, jwks: { keys: [] } }, "invalid_config"],
      [{ issuer, jwks: { keys: [] }, leewaySeconds: -1 }, "invalid_config"],
      [{ issuer, jwks: { keys: [] }, leewaySeconds: "60" }, "invalid_config"],
      [undefined, "invalid_config"],
    ];
    for (const [opts, code] of rows) assert.equal(await codeOf(() => new Verifier(opts)), code, JSON.stringify(opts));
    // Accepted: a JWK Set as an object or as JSON text; unusable keys are skipped (RFC 7517 §5).
    const set = { keys: [{ kty: "RSA", n: "x", e: "AQAB", kid: "r" }, k1.jwk, { ...k2.jwk, crv: "P-384" }] };
    const cred = await make();
    for (const jwks of [set, JSON.stringify(set)]) {
      assert.equal(new Verifier({ issuer, jwks }).verify(cred, { statusList: list }).issuer, issuer);
    }
  });

  test("verify returns the camelCase certificate; claims not disclosed are absent", async () => {
    const cert = verifier().verify(await make(), { statusList: list, requireStatus: true });
    const [iat, exp] = [cert.issuedAt, cert.expiresAt];
    assert.ok(Math.abs(iat - now()) < 60);
    assert.deepEqual(cert, {
      issuer,
      issuedAt: iat,
      expiresAt: exp,
      keyBound: false,
      holderKeyThumbprint: await thumbprint(holder.jwk),
      disclosed: ["certificate_type", "grade", "fare_class", "caregiver", "valid_until"],
      certificateType: "physical",
      grade: "2",
      fareClass: 1,
      caregiver: true,
      validUntil: "2030-03-31",
    });
    assert.equal(exp - iat, 86_400);
    for (const absent of ["familyName", "birthdate", "renewedOn", "mynaportal", "issuedOn"]) {
      assert.equal(absent in cert, false, `${absent} must be absent, not undefined`);
    }
    // Disclosed as null: present and null.
    const nulls = verifier().verify(await make({ claims: { fare_class: null, valid_until: null, renewed_on: null } }));
    assert.deepEqual([nulls.fareClass, nulls.validUntil, nulls.renewedOn], [null, null, null]);
    assert.ok("fareClass" in nulls && !("grade" in nulls));
  });

  test("a presentation with a KB-JWT is key bound", async () => {
    const p = await present(await make(), holder, { aud: "https://rail.example", nonce: "n-1", iat: now() });
    const opts = { audience: "https://rail.example", nonce: "n-1", requireKeyBinding: true, statusList: list };
    assert.equal(verifier().verify(p, opts).keyBound, true);
    assert.equal((await verifier().verifyOnline(p, opts)).keyBound, true);
  });

  test("every §4 code, the same from verify (p256) and verifyOnline (WebCrypto)", async () => {
    const other = await es256Key("k1"); // same kid, different key: the signature fails
    const kbOpts = { audience: "https://rail.example", nonce: "n-2" };
    const rows = [
      ["malformed: not an SD-JWT", async () => "not a credential", {}, "malformed"],
      ["malformed: three JWS parts but bad base64url", async () => "a.b.c~", {}, "malformed"],
      ["malformed: iat missing", () => make({ payload: { iat: undefined } }), {}, "malformed"],
      ["malformed: cnf.jwk missing", () => make({ payload: { cnf: {} } }), {}, "malformed"],
      ["unsupported_algorithm: HS256", () => make({ header: { alg: "HS256" } }), {}, "unsupported_algorithm"],
      ["unsupported_algorithm: embedded jwk", () => make({ header: { jwk: k1.jwk } }), {}, "unsupported_algorithm"],
      ["unsupported_algorithm: crit", () => make({ header: { crit: ["exp"] } }), {}, "unsupported_algorithm"],
      ["wrong_type: typ JWT", () => make({ header: { typ: "JWT" } }), {}, "wrong_type"],
      ["unknown_key: kid not in the set", () => make({ header: { kid: "k9" } }), {}, "unknown_key"],
      ["unknown_key: no kid", () => make({ header: { kid: undefined } }), {}, "unknown_key"],
      ["bad_signature", () => make({ issuerKey: other }), {}, "bad_signature"],
      ["wrong_issuer", () => make({ payload: { iss: "http://127.0.0.1:9" } }), {}, "wrong_issuer"],
      ["wrong_credential_type", () => make({ payload: { vct: "urn:example:other" } }), {}, "wrong_credential_type"],
      ["expired", () => make({ payload: { exp: now() - 61 } }), {}, "expired"],
      ["not_yet_valid: iat", () => make({ payload: { iat: now() + 120 } }), {}, "not_yet_valid"],
      ["not_yet_valid: nbf", () => make({ payload: { nbf: now() + 120 } }), {}, "not_yet_valid"],
      ["bad_disclosure: unreferenced", () => make({ extraDisclosures: [disclosure("grade", "1")] }), {}, "bad_disclosure"],
      ["bad_disclosure: wrong type", () => make({ claims: { fare_class: "1" } }), {}, "bad_disclosure"],
      ["bad_disclosure: _sd_alg", () => make({ payload: { _sd_alg: "sha-512" } }), {}, "bad_disclosure"],
      ["key_binding_required", () => make(), { requireKeyBinding: true }, "key_binding_required"],
      [
        "bad_key_binding: nonce differs",
        async () => present(await make(), holder, { aud: kbOpts.audience, nonce: "other", iat: now() }),
        kbOpts,
        "bad_key_binding",
      ],
      [
        "bad_key_binding: signed by another key",
        async () => present(await make(), other, { ...kbOpts, aud: kbOpts.audience, iat: now() }),
        kbOpts,
        "bad_key_binding",
      ],
      [
        "bad_key_binding: too old",
        async () => present(await make(), holder, { aud: kbOpts.audience, nonce: kbOpts.nonce, iat: now() - 301 }),
        kbOpts,
        "bad_key_binding",
      ],
      ["missing_claim", () => make(), { requiredClaims: ["birthdate"] }, "missing_claim"],
      ["revoked", () => make({ payload: statusAt(1) }), {}, "revoked"],
      ["suspended", () => make({ payload: statusAt(2) }), {}, "suspended"],
      ["status_unavailable: no list", () => make({ payload: statusAt(0, `${provider.url}/status/none`) }), { requireStatus: true }, "status_unavailable"],
      ["status_unavailable: no status claim", () => make({ payload: { status: undefined } }), { requireStatus: true }, "status_unavailable"],
      ["certificate_expired", () => make({ claims: { ...claims, valid_until: "2000-01-01" } }), {}, "certificate_expired"],
      // Order: the earlier check wins.
      ["order: revoked before certificate_expired", () => make({ claims: { valid_until: "2000-01-01" }, payload: statusAt(1) }), {}, "revoked"],
      ["order: bad_signature before expired", () => make({ issuerKey: other, payload: { exp: 1 } }), {}, "bad_signature"],
      ["order: wrong_issuer before expired", () => make({ payload: { iss: "http://x.example", exp: 1 } }), {}, "wrong_issuer"],
    ];
    for (const [name, build, opts, expected] of rows) {
      const credential = await build();
      const sync = await codeOf(() => verifier().verify(credential, { ...opts, statusList: list }));
      const online = await codeOf(() => verifier().verifyOnline(credential, opts));
      const fallback = await withoutWebCrypto(() => codeOf(() => verifier().verifyOnline(credential, opts)));
      assert.deepEqual({ name, sync, online, fallback }, { name, sync: expected, online: expected, fallback: expected });
    }
  });

  test("bad options are invalid_config, a non-string credential malformed", async () => {
    const v = verifier();
    const cred = await make();
    assert.equal(await codeOf(() => v.verify(cred, { requireKeybinding: true })), "invalid_config"); // misspelt: refused
    assert.equal(await codeOf(() => v.verify(cred, { now: "soon" })), "invalid_config");
    assert.equal(await codeOf(() => v.verify(cred, { now: Infinity })), "invalid_config");
    assert.equal(await codeOf(() => v.verify(cred, 5)), "invalid_config");
    assert.equal(await codeOf(() => v.verifyOnline(cred, { requiredClaims: "fare_class" })), "invalid_config");
    assert.equal(await codeOf(() => v.verify(42)), "malformed");
    assert.equal(await codeOf(() => v.verifyOnline(null)), "malformed");
    // Checked once, in the core: numbers JSON cannot hold are refused, not read as "not given".
    const rows = [
      { now: NaN },
      { now: -Infinity },
      { maxKeyBindingAgeSeconds: NaN },
      { maxKeyBindingAgeSeconds: -1 },
      { maxKeyBindingAgeSeconds: "300" },
      { requireStatus: "yes" },
    ];
    for (const opts of rows) {
      assert.equal(await codeOf(() => v.verify(cred, opts)), "invalid_config", `verify ${String(Object.values(opts)[0])}`);
      assert.equal(await codeOf(() => v.verifyOnline(cred, opts)), "invalid_config", `verifyOnline ${String(Object.values(opts)[0])}`);
    }
    for (const leewaySeconds of [NaN, Infinity, -1, "60"]) {
      assert.equal(await codeOf(() => new Verifier({ issuer, jwks: { keys: [] }, leewaySeconds })), "invalid_config", String(leewaySeconds));
    }
    assert.equal(await codeOf(() => v.verifyIdToken("a.b.c", { audience: "c", now: NaN })), "invalid_config");
    assert.equal(await codeOf(() => fareDiscount({ fareClass: 1 }, { fare: NaN, ticket: "regular" })), "malformed");
    // `now` may be fractional (Date.now() / 1000).
    assert.equal(v.verify(cred, { now: Date.now() / 1000 }).fareClass, 1);
  });

  test("never panics on garbage: empty, 10 MB of '~', invalid UTF-8, deep nesting, random", async () => {
    const v = verifier();
    const base = await make();
    const jwt = base.split("~")[0];
    const deep = "[".repeat(10_000) + "]".repeat(10_000);
    const rows = [
      ["", "malformed"],
      ["~".repeat(10_000_000), "malformed"],
      [`${jwt}~${b64u(Buffer.from([0xff, 0xfe, 0xfd]))}~`, "malformed"],
      [`${jwt}~${b64u(Buffer.from(`["salt","grade",${deep}]`))}~`, "malformed"],
      [`${b64u(Buffer.from(deep))}.${b64u(Buffer.from(deep))}.AA~`, "malformed"],
      [`${jwt}~~`, "malformed"],
    ];
    for (const [input, expected] of rows) {
      assert.equal(await codeOf(() => v.verify(input)), expected, input.slice(0, 40));
    }
    const alphabet = "AbZz09-_.~=+/ {}[]\"é\u0000";
    for (let i = 0; i < 300; i++) {
      const len = Math.floor(Math.random() * 200);
      const s = Array.from({ length: len }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join("");
      const mutated = base.slice(0, Math.floor(Math.random() * base.length)) + s;
      for (const input of [s, mutated]) {
        try {
          v.verify(input);
        } catch (e) {
          assert.ok(e instanceof MirairoIdError && typeof e.code === "string", `${input}: ${e}`);
        }
      }
    }
    // Still usable afterwards.
    assert.equal(v.verify(base).grade, "2");
  });

  test("verifyOnline fetches the status list once and caches it until ttl", async () => {
    provider.state.status = await statusListJwt(k1, provider.statusUri, [0, 1, 2, 0], { now: now(), ttl: 1 });
    const v = verifier();
    const before = provider.hits["/status/1"] ?? 0;
    for (let i = 0; i < 3; i++) assert.equal((await v.verifyOnline(await make())).grade, "2");
    assert.equal(provider.hits["/status/1"] - before, 1, "one fetch for three verifications");
    await new Promise((r) => setTimeout(r, 1100));
    // The list changed meanwhile: idx 0 is now revoked, and the expired cache sees it.
    provider.state.status = await statusListJwt(k1, provider.statusUri, [1], { now: now(), ttl: 1 });
    const again = await make();
    assert.equal(await codeOf(() => v.verifyOnline(again)), "revoked");
    assert.equal(provider.hits["/status/1"] - before, 2);
    provider.state.status = 503;
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal(await codeOf(() => v.verifyOnline(again)), "status_unavailable");
    assert.equal((await v.verifyOnline(await make(), { requireStatus: false })).grade, "2", "not required: ignored");
    provider.state.status = list;
  });

  test("an issuer signature that cannot be ES256 never lets the presenter's KB-JWT stand in for it", async () => {
    // A 63-byte issuer signature has no check at all; the presenter's own (valid) KB-JWT
    // check then comes first. The status list must still not be fetched.
    const [jwt, ...rest] = (await make()).split("~");
    const [h, p] = jwt.split(".");
    const unsigned = `${h}.${p}.${b64u(new Uint8Array(63))}~${rest.join("~")}`;
    const opts = { audience: "https://rail.example", nonce: "n-63", requireKeyBinding: true };
    const presented = await present(unsigned, holder, { aud: opts.audience, nonce: opts.nonce, iat: now() });
    for (const hidden of [false, true]) {
      const before = provider.hits["/status/1"] ?? 0;
      const run = () => codeOf(() => verifier().verifyOnline(presented, opts));
      assert.equal(hidden ? await withoutWebCrypto(run) : await run(), "bad_signature");
      assert.equal(provider.hits["/status/1"] ?? 0, before, "no request for an unsigned URI");
    }
  });

  test("verifyOnline fetches a status list only for a credential whose issuer signature verified", async () => {
    const forger = await es256Key("k1");
    for (const hidden of [false, true]) {
      const before = provider.hits["/status/1"] ?? 0;
      const forged = await make({ issuerKey: forger });
      const run = () => codeOf(() => verifier().verifyOnline(forged));
      assert.equal(hidden ? await withoutWebCrypto(run) : await run(), "bad_signature");
      assert.equal(provider.hits["/status/1"] ?? 0, before, "no request for an unsigned URI");
    }
    const v = verifier();
    const good = await make();
    const before = provider.hits["/status/1"] ?? 0;
    assert.equal((await withoutWebCrypto(() => v.verifyOnline(good))).grade, "2", "p256 fallback");
    assert.equal((await v.verifyOnline(good)).grade, "2", "WebCrypto, same cache");
    assert.equal(provider.hits["/status/1"] - before, 1);
  });

  test("a status list that does not verify is not cached", async () => {
    const forger = await es256Key("k1");
    provider.state.status = await statusListJwt(forger, provider.statusUri, [0], { now: now(), ttl: 3600 });
    const v = verifier();
    const good = await make();
    const before = provider.hits["/status/1"] ?? 0;
    assert.equal(await codeOf(() => v.verifyOnline(good)), "status_unavailable");
    provider.state.status = list;
    assert.equal((await v.verifyOnline(good)).grade, "2", "fetched again, now valid");
    assert.equal(provider.hits["/status/1"] - before, 2);
  });

  test("verifyOnline refetches the JWK Set once for an unknown kid, at most once per 60 s", async () => {
    provider.state.keys = [k1.jwk];
    const v = await Verifier.fromIssuer(issuer);
    const fetched = provider.hits["/jwks.json"];
    provider.state.keys = [k1.jwk, k2.jwk]; // the provider rotates
    const byK2 = await make({ issuerKey: k2 });
    assert.equal(await codeOf(() => v.verify(byK2, { statusList: list })), "unknown_key", "verify never fetches");
    assert.equal((await v.verifyOnline(byK2)).grade, "2");
    assert.equal(provider.hits["/jwks.json"], fetched + 1);
    assert.equal(v.verify(byK2, { statusList: list }).grade, "2", "the new set is kept");
    const k3 = await es256Key("k3");
    provider.state.keys = [k1.jwk, k2.jwk, k3.jwk];
    const byK3 = await make({ issuerKey: k3 });
    assert.equal(await codeOf(() => v.verifyOnline(byK3)), "unknown_key");
    assert.equal(provider.hits["/jwks.json"], fetched + 1, "no second refetch within 60 s");
    provider.state.keys = [k1.jwk];
  });

  test("a status list signed by a key the verifier lacks triggers the one refetch too", async () => {
    provider.state.keys = [k1.jwk];
    const v = verifier();
    provider.state.keys = [k1.jwk, k2.jwk];
    provider.state.status = await statusListJwt(k2, provider.statusUri, [0], { now: now() });
    assert.equal((await v.verifyOnline(await make())).grade, "2");
    provider.state.status = list;
    provider.state.keys = [k1.jwk];
  });

  test("fromIssuer checks the metadata issuer and reports network failures", async () => {
    provider.state.metadataIssuer = "http://127.0.0.1:9";
    assert.equal(await codeOf(() => Verifier.fromIssuer(issuer)), "issuer_mismatch");
    provider.state.metadataIssuer = undefined;
    assert.equal(await codeOf(() => Verifier.fromIssuer("http://127.0.0.1:9")), "network");
    assert.equal(await codeOf(() => Verifier.fromIssuer(42)), "invalid_config");
    assert.ok((await Verifier.fromIssuer(issuer, { leewaySeconds: 5 })) instanceof Verifier);
  });

  test("verifyIdToken returns wire-named claims; failures are bad_id_token with a reason", async () => {
    const t = now();
    const good = { iss: issuer, sub: "pairwise-1", aud: "demo-railway", exp: t + 600, iat: t, auth_time: t, nonce: "n", name: "ミライロ ハナコ" };
    const v = verifier();
    assert.deepEqual(v.verifyIdToken(await idToken(k1, good), { audience: "demo-railway", nonce: "n" }), good);
    const rows = [
      [await idToken(k1, { ...good, aud: "other" }), "wrong_audience"],
      [await idToken(k1, good), "nonce_mismatch", "other-nonce"],
      [await idToken(k1, { ...good, iss: "http://127.0.0.1:9" }), "wrong_issuer"],
      [await idToken(k1, { ...good, exp: t - 61 }), "expired"],
      [await idToken(k1, { ...good, sub: undefined }), "missing_claim"],
      [await idToken(k2, good), "unknown_key"],
      [await idToken(k1, good, { alg: "none" }), "unsupported_algorithm"],
      ["x.y", "malformed"],
    ];
    for (const [token, reason, nonce = "n"] of rows) {
      try {
        v.verifyIdToken(token, { audience: "demo-railway", nonce });
        assert.fail(`accepted (${reason})`);
      } catch (e) {
        assert.ok(e instanceof MirairoIdError);
        assert.deepEqual([e.code, e.reason], ["bad_id_token", reason]);
      }
    }
    const token = await idToken(k1, good);
    assert.equal(await codeOf(() => v.verifyIdToken(token)), "invalid_config", "audience is required");
  });
});

test("fareDiscount prices trips from a certificate, with optional operator rates", () => {
  const class1 = { fareClass: 1, validUntil: null, disclosed: ["fare_class", "valid_until"] };
  const r = fareDiscount(class1, { fare: 1234, ticket: "regular", withCompanion: true });
  assert.deepEqual([r.eligible, r.holderFare, r.companionFare, r.rule], [true, 610, 610, "class1_with_companion"]);
  assert.match(r.explanation.ja, /610円/);
  assert.match(r.explanation.en, /¥610/);
  const commuter = { fare: 10_000, ticket: "commuter", withCompanion: true };
  assert.equal(fareDiscount(class1, commuter).holderFare, 5000);
  assert.equal(fareDiscount(class1, commuter, { commuterDiscountPercent: 30 }).holderFare, 7000, "a bus's own rate");
  const none = fareDiscount({ disclosed: [] }, { fare: 1000, ticket: "regular" });
  assert.deepEqual([none.eligible, none.rule, none.companionFare], [false, "fare_class_not_disclosed", null]);
  assert.equal(fareDiscount({ fareClass: null }, { fare: 1000, ticket: "regular" }).rule, "no_fare_class");
  // travelDate defaults to today in Japan: a certificate valid until yesterday is refused.
  const expired = { fareClass: 1, validUntil: "2000-01-01" };
  assert.equal(fareDiscount(expired, { fare: 1000, ticket: "regular", withCompanion: true }).rule, "certificate_expired");
  assert.equal(fareDiscount(expired, { fare: 1000, ticket: "regular", withCompanion: true, travelDate: "1999-12-31" }).eligible, true);
  const errors = [
    [() => fareDiscount(class1, { fare: 1.5, ticket: "regular" }), "malformed"],
    [() => fareDiscount(class1, { fare: 100, ticket: "rocket" }), "malformed"],
    [() => fareDiscount(class1, { fare: 100, ticket: "regular", oneWayKm: -1 }), "malformed"],
    [() => fareDiscount(class1, null), "malformed"],
    [() => fareDiscount({ fareClass: 3 }, { fare: 100, ticket: "regular" }), "malformed"],
    [() => fareDiscount(class1, { fare: 100, ticket: "regular" }, { discountPercent: 101 }), "invalid_config"],
  ];
  for (const [fn, code] of errors) {
    assert.throws(fn, (e) => e instanceof MirairoIdError && e.code === code);
  }
});

describe("against the sandbox provider", () => {
  let sandbox;
  before(async () => {
    sandbox = await startSandbox();
  });
  after(() => sandbox?.stop());

  test("fromIssuer + verifyOnline accept a sandbox credential; revocation and key rotation follow", async () => {
    const holder = await es256Key();
    const issueOne = async () =>
      (await sandbox.control("/_sandbox/issue", { user: "hanako", certificate: 0, claims: ["certificate_type", "grade", "fare_class", "caregiver", "valid_until"], holder_jwk: holder.jwk })).credential;
    const credential = await issueOne();
    const v = await Verifier.fromIssuer(sandbox.url);
    const cert = await v.verifyOnline(credential, { requiredClaims: ["fare_class"] });
    assert.deepEqual([cert.issuer, cert.certificateType, cert.grade, cert.fareClass, cert.keyBound], [sandbox.url, "physical", "2", 1, false]);
    assert.equal(cert.holderKeyThumbprint, await thumbprint(holder.jwk));
    assert.equal(fareDiscount(cert, { fare: 2000, ticket: "regular", withCompanion: true }).rule, "class1_with_companion");

    const p = await present(credential, holder, { aud: "https://rail.example", nonce: "sandbox-n", iat: now() });
    assert.equal((await v.verifyOnline(p, { audience: "https://rail.example", nonce: "sandbox-n", requireKeyBinding: true })).keyBound, true);

    await sandbox.control("/_sandbox/rotate-keys");
    assert.equal((await v.verifyOnline(await issueOne())).grade, "2", "refetched the rotated JWK Set");

    const payload = JSON.parse(Buffer.from(credential.split(".")[1], "base64url").toString());
    await sandbox.control("/_sandbox/status", { idx: payload.status.status_list.idx, status: 1 });
    assert.equal(await codeOf(() => Verifier.fromIssuer(sandbox.url).then((fresh) => fresh.verifyOnline(credential))), "revoked");
  });
});
