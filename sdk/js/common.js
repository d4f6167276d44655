// The JavaScript surface of @mirairo-id/sdk, shared by the browser entry (index.js) and
// the Node entry (node.js). Each entry supplies how the wasm module is loaded (setLoader).
export { MirairoIdError } from "./error.js";
export { ready, VERSION } from "./load.js";
export { Verifier, fareDiscount } from "./verifier.js";
export { PresentationRequest } from "./presentation.js";
export { MirairoPresentationQr } from "./presentation-qr.js";
export { MirairoId } from "./login.js";
export { MirairoLoginButton } from "./button.js";
