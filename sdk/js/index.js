// Browser and bundler entry: fetches the wasm next to this module (Vite and webpack 5
// understand the `new URL(…, import.meta.url)` inside the wasm-bindgen glue).
import init from "./wasm/mirairo_id_sdk.js";
import { setLoader } from "./load.js";

setLoader(() => init());

export * from "./common.js";
