// Loading the wasm once, shared by every part of the package (no cycles: this module
// imports only the error class). Each entry hands over its build's wasm-bindgen glue:
// index.js the browser build (`wasm/`: the core without p256, ES256 by WebCrypto or by
// the separate ES256 module `es256/`), node.js the Node build (`wasm-node/`: with p256).
// Both builds have the same exports, so every other module is shared.
import { MirairoIdError } from "./error.js";

/** The SDK version, equal to the npm package version and the Rust crate version. */
export const VERSION = "0.1.0";

let loader = null;
let glue = null;
let loading = null;
let loaded = false;
let es256Loading = null;
let readyAll = null;

/**
 * @internal Called once by the entry module: `glue` is its build's wasm-bindgen glue
 * (the module, or its exports by name as index.js hands them), `core()` instantiates that
 * wasm, `es256()` loads and instantiates the ES256 module and returns its glue; `coreHasEs256` says the core verifies ES256 itself (Node), so that
 * ready() need not load the ES256 module.
 */
export function setLoader(entry) {
  loader = entry;
  glue = entry.glue;
}

/** @internal The wasm-bindgen glue of this entry's build (its functions need readyCore()). */
export function bindings() {
  return glue;
}

/**
 * @internal Options and arguments as JSON text for the wasm core, which validates them
 * (one home for every option rule): "" for undefined or null. A number JSON cannot hold
 * (NaN, ±Infinity) is sent as `{"nonFinite": "NaN"}`, a value no option accepts, so the
 * core refuses it with a message naming the member (JSON.stringify alone would turn it
 * into null, that is "not given").
 */
export function argJson(value, what, code = "invalid_config") {
  if (value === undefined || value === null) return "";
  try {
    return JSON.stringify(value, (_key, v) => (typeof v === "number" && !Number.isFinite(v) ? { nonFinite: String(v) } : v));
  } catch (e) {
    throw new MirairoIdError(code, `${what} cannot be written as JSON: ${e.message}`, { cause: e });
  }
}

/** @internal Whether the core's wasm is instantiated (synchronous APIs need it). */
export function isReady() {
  return loaded;
}

/** @internal Throws unless ready() has completed. */
export function assertReady() {
  if (!loaded) {
    throw new MirairoIdError(
      "invalid_config",
      "@mirairo-id/sdk is not loaded yet: await ready() first (先に await ready() を呼んでください)",
    );
  }
}

/**
 * Fetches and instantiates the WebAssembly core once. In browsers it also loads the
 * ES256 module, which the synchronous `Verifier.verify` and `verifyIdToken` need (its
 * ECDSA, and its zlib for a `statusList` given to `verify`); the login and
 * `verifyOnline` do not (WebCrypto, DecompressionStream) and load only the core
 * (`readyCore`). Later calls return the same promise, already settled.
 * @returns {Promise<void>}
 */
export function ready() {
  if (loader?.coreHasEs256) return readyCore();
  if (readyAll === null) {
    readyAll = Promise.all([readyCore(), loadEs256()]).then(() => {});
    readyAll.catch(() => {
      readyAll = null;
    });
  }
  return readyAll;
}

/**
 * @internal The ES256 module (`es256/`), loaded once, installed as the core's
 * synchronous ES256 and status list inflater (`setEs256`); resolves to its glue
 * (`verify`, `inflate`, `SigningKey`). For ready() and for the fallbacks where WebCrypto
 * or DecompressionStream is missing.
 */
export function loadEs256() {
  if (es256Loading === null) {
    es256Loading = Promise.all([readyCore(), Promise.resolve().then(() => loader.es256())]).then(([, es256]) => {
      glue.setEs256(es256.verify, es256.inflate);
      return es256;
    });
    // A failed load may be retried by calling again.
    es256Loading.catch(() => {
      es256Loading = null;
    });
  }
  return es256Loading;
}

/**
 * @internal Fetches and instantiates the core's wasm once (what every async factory of
 * the SDK awaits: `MirairoId.create`, `Verifier.fromIssuer`).
 * @returns {Promise<void>}
 */
export function readyCore() {
  if (loading === null) {
    loading = Promise.resolve()
      .then(() => loader.core())
      .then(() => {
        const wasm = glue;
        if (wasm.version() !== VERSION) {
          throw new Error(`@mirairo-id/sdk: wasm ${wasm.version()} does not match JS ${VERSION}`);
        }
        wasm.setErrorClass(MirairoIdError);
        loaded = true;
      });
    // A failed load (for example a network error) may be retried by calling ready() again.
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}
