// Node entry (the package's "node" export condition): the Node build of the wasm
// (`wasm-node/`, with p256: every API synchronous at once), read from disk.
import { readFile } from "node:fs/promises";
import * as glue from "./wasm-node/mirairo_id_sdk.js";
import { ready, setLoader } from "./load.js";

setLoader({
  glue,
  core: async () => {
    glue.initSync({ module: await readFile(new URL("./wasm-node/mirairo_id_sdk_bg.wasm", import.meta.url)) });
  },
  // Only for a signing key where WebCrypto is missing (never on Node ≥ 20).
  es256: async () => {
    const es256 = await import("./es256/mirairo_id_es256.js");
    es256.initSync({ module: await readFile(new URL("./es256/mirairo_id_es256_bg.wasm", import.meta.url)) });
    return es256;
  },
  coreHasEs256: true,
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
