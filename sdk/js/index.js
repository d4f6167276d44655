// Browser and bundler entry: fetches the wasm next to this module (Vite and webpack 5
// understand the `new URL(…, import.meta.url)` inside the wasm-bindgen glue).
import init from "./wasm/mirairo_id_sdk.js";
import { setLoader } from "./load.js";
// Defines <mirairo-login-button>; imported here so bundlers that prune side-effect-free
// re-exports (package.json "sideEffects") keep the element registration.
import "./button.js";
import "./presentation-qr.js";

setLoader(() => init());

export * from "./common.js";
