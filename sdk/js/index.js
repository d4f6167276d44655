// Browser and bundler entry: the browser build of the wasm (`wasm/`, the core without
// p256), fetched next to this module (Vite and webpack 5 understand the
// `new URL(…, import.meta.url)` inside the wasm-bindgen glue). The ES256 module
// (`es256/`) is imported only by ready() and by the fallbacks where WebCrypto is missing:
// a login page never fetches it.
import init, {
  LoginCore,
  PendingSignature,
  PendingTokenAnswer,
  PreparedCredential,
  VerifierCore,
  createPresentationRequest,
  es256Digest,
  es256PublicJwk,
  fareDiscount as fareDiscountCore,
  presentationResponseState,
  readPresentationRequest,
  setErrorClass,
  setEs256,
  verifyEs256,
  version,
} from "./wasm/mirairo_id_sdk.js";
import { setLoader } from "./load.js";
// Defines <mirairo-login-button>; imported here so bundlers that prune side-effect-free
// re-exports (package.json "sideEffects") keep the element registration.
import "./button.js";
import "./presentation-qr.js";

// The glue's exports by name, not `import * as`: a namespace object makes esbuild put its
// helper in a chunk shared with the lazy chunks (ES256 module, QR encoder), which the
// page's script then fetches before anything runs, one more round trip before the wasm
// (tests/bench/login.bench.mjs). tests/packages/builds.test.mjs checks the list is whole.
const glue = {
  LoginCore,
  PendingSignature,
  PendingTokenAnswer,
  PreparedCredential,
  VerifierCore,
  createPresentationRequest,
  es256Digest,
  es256PublicJwk,
  fareDiscount: fareDiscountCore,
  presentationResponseState,
  readPresentationRequest,
  setErrorClass,
  setEs256,
  verifyEs256,
  version,
};

setLoader({
  glue,
  core: () => init(),
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
