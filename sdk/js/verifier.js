// Verifier and fareDiscount: every check runs in wasm (the Rust core); this file only
// adds what needs the network or WebCrypto (fetching metadata, the JWK Set and status
// lists, caching them, and running the ECDSA checks of Verifier.verifyOnline with
// crypto.subtle between the two wasm phases `prepare` and `finish`).
import { VerifierCore, fareDiscount as wasmFareDiscount } from "./wasm/mirairo_id_sdk.js";
import { MirairoIdError } from "./error.js";
import { assertReady, ready } from "./load.js";

/** JWK Set refetches for an unknown `kid`: at most one per this many ms (PROTOCOL §1). */
const REFETCH_INTERVAL_MS = 60_000;
/** Each metadata, JWK Set or status list request gives up after this long. */
const FETCH_TIMEOUT_MS = 10_000;
/** Imported WebCrypto keys kept (issuer keys and recent holder keys). */
const KEY_CACHE_SIZE = 64;

const fail = (code, message, cause) =>
  new MirairoIdError(code, message, cause === undefined ? undefined : { cause });

function json(value, what, code = "invalid_config") {
  if (value === undefined || value === null) return "";
  if (typeof value !== "object") throw fail(code, `${what} must be an object`);
  try {
    return JSON.stringify(value);
  } catch (e) {
    throw fail(code, `${what} cannot be read as JSON`, e);
  }
}

function string(value, what, code) {
  if (typeof value !== "string") throw fail(code, `${what} must be a string`);
  return value;
}

async function get(url, accept) {
  let res;
  try {
    res = await fetch(url, {
      headers: { accept },
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch (e) {
    const timeout = e?.name === "TimeoutError";
    throw fail(timeout ? "timeout" : "network", `${timeout ? "timed out" : "cannot fetch"}: ${url}`, e);
  }
  if (!res.ok) throw fail("network", `${url} answered HTTP ${res.status}`);
  return res.text();
}

async function getJson(url) {
  const body = await get(url, "application/json");
  try {
    return JSON.parse(body);
  } catch (e) {
    throw fail("network", `${url} did not answer JSON`, e);
  }
}

/** Provider metadata (PROTOCOL §1), its `issuer` checked against the URL it came from. */
async function metadata(issuer) {
  const doc = await getJson(`${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`);
  if (doc?.issuer !== issuer) {
    throw fail("issuer_mismatch", `the metadata names issuer ${JSON.stringify(doc?.issuer)}, not ${issuer}`);
  }
  if (typeof doc.jwks_uri !== "string") throw fail("invalid_config", "the metadata has no jwks_uri");
  return doc;
}

// ECDSA P-256 / SHA-256 with WebCrypto where it exists (browsers in a secure context,
// Node ≥ 20); otherwise verifyOnline runs the checks with the wasm p256 code.
const subtle = () => globalThis.crypto?.subtle;
const keys = new Map();

function importKey(x, y) {
  const id = `${x}.${y}`;
  let key = keys.get(id);
  if (key === undefined) {
    if (keys.size >= KEY_CACHE_SIZE) keys.clear();
    key = subtle().importKey("jwk", { kty: "EC", crv: "P-256", x, y, ext: true }, { name: "ECDSA", namedCurve: "P-256" }, false, [
      "verify",
    ]);
    keys.set(id, key);
    key.catch(() => keys.delete(id));
  }
  return key;
}

async function ecdsa(x, y, data, signature) {
  try {
    return await subtle().verify({ name: "ECDSA", hash: "SHA-256" }, await importKey(x, y), signature, data);
  } catch {
    return false;
  }
}

function sameBytes(a, b) {
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

function base64url(text) {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(b64 + "===".slice((b64.length + 3) % 4)), (c) => c.charCodeAt(0));
}

/** What the cache needs of a status list JWT (the wasm core verifies it on use). */
function statusEntry(jwt, fetchedAt) {
  try {
    const [header, payload, signature] = jwt.split(".");
    const claims = JSON.parse(new TextDecoder().decode(base64url(payload)));
    const kid = JSON.parse(new TextDecoder().decode(base64url(header))).kid;
    let until = Number.isSafeInteger(claims.exp) ? claims.exp * 1000 : fetchedAt;
    if (Number.isSafeInteger(claims.ttl) && claims.ttl >= 0) until = Math.min(until, fetchedAt + claims.ttl * 1000);
    return { jwt, until, kid, signature: base64url(signature), verifiedKey: undefined };
  } catch {
    // Not a JWT: used once (the core refuses it: status_unavailable), never cached.
    return { jwt, until: fetchedAt, kid: undefined, signature: undefined, verifiedKey: undefined };
  }
}

/**
 * Verifies Mirairo ID certificate credentials (SD-JWT VC) and ID tokens against one
 * issuer. See API.md.
 */
export class Verifier {
  #core;
  #issuer;
  #jwksUri = undefined;
  #lastRefetch = -Infinity;
  #status = new Map(); // uri -> entry, or a Promise of one while it is being fetched
  #lastStatusUri = undefined;

  /**
   * @param {{ issuer: string, jwks: object | string, vct?: string, leewaySeconds?: number }} opts
   */
  constructor(opts) {
    assertReady();
    if (opts === null || typeof opts !== "object") throw fail("invalid_config", "new Verifier({ issuer, jwks }) needs an object");
    const issuer = string(opts.issuer, "issuer", "invalid_config");
    const jwks = typeof opts.jwks === "string" ? opts.jwks : json(opts.jwks, "jwks");
    if (opts.vct !== undefined) string(opts.vct, "vct", "invalid_config");
    if (opts.leewaySeconds !== undefined && typeof opts.leewaySeconds !== "number") {
      throw fail("invalid_config", "leewaySeconds must be a number");
    }
    this.#core = new VerifierCore(issuer, jwks, opts.vct, opts.leewaySeconds);
    this.#issuer = issuer;
  }

  /**
   * Fetches the issuer's metadata (its `issuer` must equal `issuer`) and JWK Set.
   * @param {string} issuer
   * @param {{ vct?: string, leewaySeconds?: number }} [opts]
   * @returns {Promise<Verifier>}
   */
  static async fromIssuer(issuer, opts = {}) {
    await ready();
    string(issuer, "issuer", "invalid_config");
    const doc = await metadata(issuer);
    const jwks = await get(doc.jwks_uri, "application/json");
    const verifier = new Verifier({ ...opts, issuer, jwks });
    verifier.#jwksUri = doc.jwks_uri;
    return verifier;
  }

  /**
   * Every check of PROTOCOL.md §4, synchronously (ECDSA in wasm).
   * @param {string} credential
   * @param {import("./index.js").VerifyOptions} [opts]
   */
  verify(credential, opts) {
    string(credential, "credential", "malformed");
    return JSON.parse(this.#core.verify(credential, json(opts, "options")));
  }

  /**
   * `verify` plus the status list (fetched and cached until its `exp`/`ttl`), with one
   * JWK Set refetch when the `kid` is unknown; ECDSA with WebCrypto where available.
   * @param {string} credential
   * @param {import("./index.js").VerifyOptions} [opts]
   */
  async verifyOnline(credential, opts) {
    string(credential, "credential", "malformed");
    if (opts !== undefined && (opts === null || typeof opts !== "object")) throw fail("invalid_config", "options must be an object");
    const options = { ...opts, requireStatus: opts?.requireStatus ?? true };
    json(options, "options"); // refuse unserializable options before any fetch
    for (let retried = false; ; retried = true) {
      try {
        return await this.#online(credential, options);
      } catch (e) {
        if (!retried && e instanceof MirairoIdError && e.code === "unknown_key" && (await this.#refetchJwks())) continue;
        if (!retried && e instanceof MirairoIdError && e.code === "status_unavailable" && this.#statusKeyUnknown() && (await this.#refetchJwks())) continue;
        throw e;
      }
    }
  }

  /**
   * Verifies an ID token (PROTOCOL §2.4); failures are `bad_id_token` with `reason`.
   * @param {string} idToken
   * @param {{ audience: string, nonce?: string, now?: number }} opts
   */
  verifyIdToken(idToken, opts) {
    string(idToken, "idToken", "bad_id_token");
    return JSON.parse(this.#core.verifyIdToken(idToken, json(opts, "options")));
  }

  async #online(credential, options) {
    const given = options.statusList !== undefined;
    // Most credentials of an issuer share one list: try the one used last, so that a
    // warm cache needs a single `prepare`.
    const guess = given ? undefined : this.#freshStatus(this.#lastStatusUri);
    let prepared = this.#prepare(credential, options, guess);
    try {
      if (subtle() === undefined) {
        // No WebCrypto (e.g. an http: page that is not localhost): p256 in wasm.
        // As below, a status list is fetched only once the issuer signature verified.
        const uri = prepared.statusUri;
        let entry = guess;
        if (!given && uri !== undefined && uri !== guess?.uri) {
          try {
            this.#core.verify(credential, JSON.stringify({ ...options, requireStatus: false }));
            entry = await this.#fetchStatus(uri);
          } catch (e) {
            if (e?.code !== "certificate_expired") throw e;
            entry = await this.#fetchStatus(uri); // a revoked certificate must say revoked
          }
        }
        if (uri !== undefined) this.#lastStatusUri = uri;
        return JSON.parse(this.#core.verify(credential, JSON.stringify(this.#withStatus(options, entry))));
      }
      let results = await this.#run(prepared.checks, guess);
      const uri = prepared.statusUri;
      // A list is fetched only for a credential whose issuer signature verified, so an
      // unsigned input cannot make this verifier fetch a URL of its choosing.
      if (!given && uri !== undefined && uri !== guess?.uri && results[0] === 1) {
        const entry = await this.#fetchStatus(uri);
        if (entry !== undefined) {
          const again = this.#prepare(credential, options, entry);
          prepared.free();
          prepared = again;
          results = await this.#run(prepared.checks, entry, results);
        }
      }
      if (uri !== undefined) this.#lastStatusUri = uri;
      return JSON.parse(prepared.finish(results));
    } finally {
      prepared.free();
    }
  }

  #withStatus(options, entry) {
    return entry === undefined ? options : { ...options, statusList: entry.jwt };
  }

  #prepare(credential, options, entry) {
    return this.#core.prepare(credential, JSON.stringify(this.#withStatus(options, entry)));
  }

  /**
   * Runs the ECDSA checks (flat [x, y, data, signature, …]). `known` are outcomes of an
   * earlier run whose checks are a prefix of these; a status list signature that was
   * verified with the same key before is not checked again.
   */
  async #run(flat, entry, known = []) {
    const results = new Uint8Array(flat.length / 4);
    const pending = [];
    for (let i = 0; i < results.length; i++) {
      const [x, y, data, signature] = flat.slice(i * 4, i * 4 + 4);
      if (i < known.length) {
        results[i] = known[i];
      } else if (entry?.verifiedKey === `${x}.${y}` && sameBytes(signature, entry.signature)) {
        results[i] = 1;
      } else {
        pending.push(
          ecdsa(x, y, data, signature).then((ok) => {
            results[i] = ok ? 1 : 0;
            if (ok && sameBytes(signature, entry?.signature)) entry.verifiedKey = `${x}.${y}`;
          }),
        );
      }
    }
    await Promise.all(pending);
    return results;
  }

  #freshStatus(uri) {
    const entry = uri === undefined ? undefined : this.#status.get(uri);
    return entry !== undefined && !(entry instanceof Promise) && Date.now() < entry.until ? entry : undefined;
  }

  /** The cached list for `uri`, or a fresh fetch; undefined when it cannot be fetched. */
  async #fetchStatus(uri) {
    const cached = this.#freshStatus(uri);
    if (cached !== undefined) return cached;
    const inflight = this.#status.get(uri);
    if (inflight instanceof Promise) return inflight;
    const fetching = get(uri, "application/statuslist+jwt").then(
      (jwt) => {
        const entry = { ...statusEntry(jwt, Date.now()), uri };
        this.#status.set(uri, entry);
        return entry;
      },
      () => {
        this.#status.delete(uri);
        return undefined;
      },
    );
    this.#status.set(uri, fetching);
    return fetching;
  }

  #statusKeyUnknown() {
    const entry = this.#freshStatus(this.#lastStatusUri);
    return typeof entry?.kid === "string" && !this.#core.hasKey(entry.kid);
  }

  /** One JWK Set refetch, at most once per 60 s; false when not allowed or it failed. */
  async #refetchJwks() {
    if (Date.now() - this.#lastRefetch < REFETCH_INTERVAL_MS) return false;
    this.#lastRefetch = Date.now();
    try {
      this.#jwksUri ??= (await metadata(this.#issuer)).jwks_uri;
      this.#core.setJwks(await get(this.#jwksUri, "application/json"));
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * The fare a holder and companion pay under the 旅客運賃減額 rules (PROTOCOL.md §6).
 * @param {object} certificate a VerifiedCertificate
 * @param {object} trip
 * @param {object} [rates] an operator's own rates (private railways, buses)
 */
export function fareDiscount(certificate, trip, rates) {
  assertReady();
  if (certificate === null || typeof certificate !== "object") throw fail("malformed", "certificate must be an object");
  if (trip === null || typeof trip !== "object") throw fail("malformed", "trip must be an object");
  return JSON.parse(wasmFareDiscount(json(certificate, "certificate", "malformed"), json(trip, "trip", "malformed"), json(rates, "rates")));
}
