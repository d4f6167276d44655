// Node entry (the package's "node" export condition): reads the wasm from disk.
import { readFile } from "node:fs/promises";
import { initSync } from "./wasm/mirairo_id_sdk.js";
import { ready, setLoader } from "./load.js";

setLoader(async () => {
  const bytes = await readFile(new URL("./wasm/mirairo_id_sdk_bg.wasm", import.meta.url));
  initSync({ module: bytes });
});

export * from "./common.js";

// On Node the module is on disk: load it during import, so that `new Verifier(…)` and
// `fareDiscount(…)` work at once (await ready() stays valid and returns immediately).
await ready();
