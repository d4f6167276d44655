// Browser and bundler entry: the browser build of the wasm (`wasm/`, the core without
// p256), fetched next to this module (Vite and webpack 5 understand the
// `new URL(…, import.meta.url)` inside the wasm-bindgen glue). The ES256 module
// (`es256/`) is imported only by ready() and by the fallbacks where WebCrypto is missing:
// a login page never fetches it.
import * as glue from "./wasm/mirairo_id_sdk.js";
import { setLoader } from "./load.js";
// Defines <mirairo-login-button>; imported here so bundlers that prune side-effect-free
// re-exports (package.json "sideEffects") keep the element registration.
import "./button.js";
import "./presentation-qr.js";

setLoader({
  glue,
  core: () => glue.default(),
  es256: async () => {
    const es256 = await import("./es256/mirairo_id_es256.js");
    await es256.default();
    return es256;
  },
  coreHasEs256: false,
});

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
