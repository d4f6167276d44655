// Loading the wasm module once, shared by every part of the package (no cycles: this
// module imports only the wasm glue and the error class).
import * as wasm from "./wasm/mirairo_id_sdk.js";
import { MirairoIdError } from "./error.js";

/** The SDK version, equal to the npm package version and the Rust crate version. */
export const VERSION = "0.1.0";

let loader = null;
let loading = null;
let loaded = false;

/** @internal Called once by the entry module with its way of instantiating the wasm. */
export function setLoader(load) {
  loader = load;
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

/** @internal Whether the wasm module is instantiated (synchronous APIs need it). */
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
 * Fetches and instantiates the WebAssembly module once. Later calls return the same
 * promise, which is already settled. Every async factory of the SDK calls it itself.
 * @returns {Promise<void>}
 */
export function ready() {
  if (loading === null) {
    loading = Promise.resolve()
      .then(() => loader())
      .then(() => {
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
