// Verifier and fareDiscount: every check and rule runs in wasm (the Rust core: option
// validation, the metadata issuer rule, the JWK Set refetch rule, the status list cache);
// this file only does what needs the network or the platform (fetching metadata, the JWK
// Set and status lists, running the ECDSA checks of Verifier.verifyOnline with
// crypto.subtle between the two wasm phases `prepare` and `finish`, and inflating fetched
// status lists with DecompressionStream, under the core's size cap).
import { MirairoIdError } from "./error.js";
import { argJson, assertReady, bindings, loadEs256, ready, readyCore } from "./load.js";
import { PresentationRequest, formBody } from "./presentation.js";

/** Each metadata, JWK Set or status list request gives up after this long. */
const FETCH_TIMEOUT_MS = 10_000;
/** Imported WebCrypto keys kept (issuer keys and recent holder keys). */
const KEY_CACHE_SIZE = 64;

const fail = (code, message, cause) =>
  new MirairoIdError(code, message, cause === undefined ? undefined : { cause });

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

/** The `jwks_uri` of the issuer's metadata (PROTOCOL §1; the core checks its `issuer`). */
async function jwksUriOf(issuer) {
  const { VerifierCore } = bindings();
  const text = await get(VerifierCore.discoveryUrl(issuer), "application/json");
  return VerifierCore.metadataJwksUri(text, issuer);
}

// ECDSA P-256 / SHA-256 with WebCrypto where it exists (browsers in a secure context,
// Node ≥ 20); otherwise the checks run in wasm: p256 in the Node build, the ES256 module
// (loaded here on first need) in the browser build.
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

/**
 * @internal Runs ECDSA checks given flat as [x, y, data, signature, …] (the core's
 * `checks` of a prepared credential, status list or token answer); 1 where one passed.
 * With WebCrypto when there is one, else in wasm (same outcome either way).
 */
export async function run(flat) {
  const results = new Uint8Array(flat.length / 4);
  const webCrypto = subtle() !== undefined;
  if (!webCrypto && results.length > 0) await loadEs256();
  const pending = [];
  for (let i = 0; i < results.length; i++) {
    const [x, y, data, signature] = flat.slice(i * 4, i * 4 + 4);
    if (webCrypto) pending.push(ecdsa(x, y, data, signature).then((ok) => (results[i] = ok ? 1 : 0)));
    else results[i] = bindings().verifyEs256(x, y, data, signature) ? 1 : 0;
  }
  await Promise.all(pending);
  return results;
}

/**
 * Inflates a status list's zlib stream (`lst`) with the platform's DecompressionStream,
 * reading at most one byte more than the core's cap (the core decides that it is too
 * large, and checks what comes back); `null` when the stream is not valid zlib;
 * `undefined` where there is no DecompressionStream or no stream (the wasm inflates,
 * or refuses the list, itself).
 * @param {Uint8Array | undefined} zlib
 * @returns {Promise<Uint8Array | null | undefined>}
 */
async function inflate(zlib) {
  if (zlib === undefined) return undefined;
  if (typeof DecompressionStream !== "function") {
    // The browser build's core inflates with the ES256 module's zlib (Node's has its own);
    // if the module cannot load, the core refuses the list (status_unavailable).
    await ready().catch(() => {});
    return undefined;
  }
  const max = bindings().VerifierCore.statusListMaxBytes();
  let reader;
  const chunks = [];
  let total = 0;
  try {
    reader = new Blob([zlib]).stream().pipeThrough(new DecompressionStream("deflate")).getReader();
    while (total <= max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.length;
    }
  } catch {
    return null;
  } finally {
    reader?.cancel().catch(() => {});
  }
  const out = new Uint8Array(Math.min(total, max + 1));
  let at = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, out.length - at);
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** The `kid` in a JWT's header, if it can be read. */
function kidOf(jwt) {
  try {
    const header = jwt.slice(0, jwt.indexOf(".")).replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(header + "===".slice((header.length + 3) % 4))).kid;
  } catch {
    return undefined;
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
  #loading = new Map(); // status list URI -> Promise<boolean> while it is fetched
  #statusKid = undefined; // kid of the last status list that named an unknown key

  /**
   * @param {{ issuer: string, jwks: object | string, vct?: string, leewaySeconds?: number }} opts
   */
  constructor(opts) {
    assertReady();
    // The core validates every member (invalid_config naming it).
    this.#core = new (bindings().VerifierCore)(argJson(opts, "options"));
    this.#issuer = opts.issuer;
  }

  /**
   * Fetches the issuer's metadata (its `issuer` must equal `issuer`) and JWK Set.
   * @param {string} issuer
   * @param {{ vct?: string, leewaySeconds?: number }} [opts]
   * @returns {Promise<Verifier>}
   */
  static async fromIssuer(issuer, opts = {}) {
    // The core only: verifyOnline and presentation responses use WebCrypto. The
    // synchronous verify needs `await ready()` (the ES256 module) in browsers.
    await readyCore();
    const jwksUri = await jwksUriOf(issuer);
    const jwks = await get(jwksUri, "application/json");
    const verifier = new Verifier({ ...opts, issuer, jwks });
    verifier.#jwksUri = jwksUri;
    return verifier;
  }

  /**
   * Every check of PROTOCOL.md §4, synchronously (ECDSA in wasm). In browsers
   * `await ready()` first (it loads the ES256 module); before that this throws
   * `invalid_config`. `verifyOnline` never needs it.
   * @param {string} credential
   * @param {import("./index.js").VerifyOptions} [opts]
   */
  verify(credential, opts) {
    string(credential, "credential", "malformed");
    return JSON.parse(this.#core.verify(credential, argJson(opts, "options")));
  }

  /**
   * `verify` plus the status list (fetched and cached until its `exp`/`ttl`), with one
   * JWK Set refetch when the `kid` is unknown; ECDSA with WebCrypto where available.
   * @param {string} credential
   * @param {import("./index.js").VerifyOptions} [opts]
   */
  async verifyOnline(credential, opts) {
    string(credential, "credential", "malformed");
    // requireStatus defaults to true here: the core applies it (`prepare`).
    const options = argJson(opts, "options");
    // A caller's status list is inflated in the core, synchronously: in browsers with the
    // ES256 module's zlib, which ready() installs (a fetched list uses DecompressionStream).
    // If the module cannot load, the core's typed invalid_config says so.
    if (opts?.statusList !== undefined && opts?.statusList !== null) await ready().catch(() => {});
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
   * Verifies a counter presentation response (PROTOCOL.md §7.2): the `direct_post` form
   * a wallet posted to `request`'s response URI. Every §7.2 check, then every §4 check
   * with key binding (`aud` = `request.clientId`, the request's nonce), the requested
   * claims and status required (the status list fetched and cached as in
   * `verifyOnline`). The result holds only the requested claims. Settle the request
   * whatever the outcome: one answer per request.
   * @param {string | URLSearchParams | Record<string, string>} body
   * @param {PresentationRequest | object} request the request, or what its toJSON() returned
   * @param {{ now?: number }} [opts]
   * @returns {Promise<import("./index.js").VerifiedCertificate>}
   */
  async verifyPresentationResponse(body, request, opts) {
    const text = formBody(body);
    const stored = request instanceof PresentationRequest ? request : PresentationRequest.fromJSON(request);
    const requestJson = JSON.stringify(stored.toJSON());
    const options = argJson(opts, "options");
    for (let retried = false; ; retried = true) {
      try {
        return await this.#complete(this.#core.preparePresentationResponse(text, requestJson, options));
      } catch (e) {
        if (!retried && e instanceof MirairoIdError && e.code === "unknown_key" && (await this.#refetchJwks())) continue;
        if (!retried && e instanceof MirairoIdError && e.code === "status_unavailable" && this.#statusKeyUnknown() && (await this.#refetchJwks())) continue;
        throw e;
      }
    }
  }

  /**
   * Verifies an ID token (PROTOCOL §2.4); failures are `bad_id_token` with `reason`.
   * Synchronous: in browsers `await ready()` first (else `invalid_config`).
   * @param {string} idToken
   * @param {{ audience: string, nonce?: string, now?: number }} opts
   */
  verifyIdToken(idToken, opts) {
    string(idToken, "idToken", "bad_id_token");
    return JSON.parse(this.#core.verifyIdToken(idToken, argJson(opts, "options")));
  }

  async #online(credential, options) {
    // The cached status list for the credential's URI, if fresh, is attached in wasm.
    return this.#complete(this.#core.prepare(credential, options));
  }

  /** Phase two of a prepared credential: ECDSA checks, the status list when wanted, finish. */
  async #complete(prepared) {
    try {
      const results = await run(prepared.checks);
      const uri = prepared.statusUri;
      // A list is fetched only for a credential whose issuer signature verified, so an
      // unsigned input cannot make this verifier fetch a URL of its choosing; `statusUri`
      // is undefined when the options carry a `statusList`.
      if (
        uri !== undefined &&
        !prepared.statusCached &&
        prepared.issuerSignaturePassed(results)
      ) {
        if (await this.#loadStatus(uri)) this.#core.attachStatus(prepared);
      }
      return JSON.parse(prepared.finish(results));
    } finally {
      prepared.free();
    }
  }

  /** Fetches, verifies and caches (in wasm) the status list at `uri`; one fetch at a time. */
  #loadStatus(uri) {
    let loading = this.#loading.get(uri);
    if (loading === undefined) {
      loading = (async () => {
        let jwt = "";
        try {
          jwt = await get(uri, "application/statuslist+jwt");
        } catch {
          // Unreachable: nothing cached (an empty JWT drops any old list).
        }
        const check = this.#core.statusListCheck(uri, jwt);
        if (check === undefined) {
          this.#statusKid = kidOf(jwt);
          return this.#core.addStatusList(uri, jwt, false);
        }
        const [ok] = await run(check);
        // Inflated only once its signature verified.
        const inflated = ok === 1 ? await inflate(this.#core.statusListZlib(uri, jwt)) : undefined;
        return this.#core.addStatusList(uri, jwt, ok === 1, inflated);
      })().finally(() => this.#loading.delete(uri));
      this.#loading.set(uri, loading);
    }
    return loading;
  }

  /** Whether the last status list that failed named a key this verifier lacks. */
  #statusKeyUnknown() {
    const kid = this.#statusKid;
    this.#statusKid = undefined;
    return typeof kid === "string" && !this.#core.hasKey(kid);
  }

  /** One JWK Set refetch when the core's rule allows it (PROTOCOL §1); false when not or it failed. */
  async #refetchJwks() {
    if (!this.#core.beginJwksRefetch()) return false;
    try {
      this.#jwksUri ??= await jwksUriOf(this.#issuer);
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
  return JSON.parse(bindings().fareDiscount(argJson(certificate, "certificate", "malformed"), argJson(trip, "trip", "malformed"), argJson(rates, "rates")));
}
