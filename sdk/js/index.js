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

export * from "./common.js";
