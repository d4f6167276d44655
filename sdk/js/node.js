// Node entry (the package's "node" export condition): reads the wasm from disk.
import { readFile } from "node:fs/promises";
import { initSync } from "./wasm/mirairo_id_sdk.js";
import { ready, setLoader } from "./load.js";

setLoader(async () => {
  const bytes = await readFile(new URL("./wasm/mirairo_id_sdk_bg.wasm", import.meta.url));
  initSync({ module: bytes });
});

// The same surface as index.js (tests/packages/ssr.test.mjs checks both lists).
export { MirairoIdError } from "./error.js";
export { ready, VERSION } from "./load.js";
export { Verifier, fareDiscount } from "./verifier.js";
export { PresentationRequest } from "./presentation.js";
export { MirairoPresentationQr } from "./presentation-qr.js";
export { MirairoId } from "./login.js";
export { MirairoLoginButton } from "./button.js";

// On Node the module is on disk: load it during import, so that `new Verifier(…)` and
// `fareDiscount(…)` work at once (await ready() stays valid and returns immediately).
await ready();
