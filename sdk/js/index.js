// Browser and bundler entry: fetches the wasm next to this module (Vite and webpack 5
// understand the `new URL(…, import.meta.url)` inside the wasm-bindgen glue).
import init from "./wasm/mirairo_id_sdk.js";
import { setLoader } from "./load.js";
// Defines <mirairo-login-button>; imported here so bundlers that prune side-effect-free
// re-exports (package.json "sideEffects") keep the element registration.
import "./button.js";
import "./presentation-qr.js";

setLoader(() => init());

// The package's surface, named here and not through a shared module: a page without a
// bundler then fetches every module of the SDK in one round (this module's imports)
// instead of three. node.js names the same list (tests/packages/ssr.test.mjs checks both).
export { MirairoIdError } from "./error.js";
export { ready, VERSION } from "./load.js";
export { Verifier, fareDiscount } from "./verifier.js";
export { PresentationRequest } from "./presentation.js";
export { MirairoPresentationQr } from "./presentation-qr.js";
export { MirairoId } from "./login.js";
export { MirairoLoginButton } from "./button.js";
