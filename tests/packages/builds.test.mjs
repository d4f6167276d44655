// The SDK package ships two builds of one wasm crate: `wasm/` (browsers: the core
// without p256) and `wasm-node/` (Node: with p256), sharing every hand-written JS file,
// and the browser's ES256 module `es256/`. The shared JS works only if both glues (and
// both wasm binaries) export the same names.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const dir = path.dirname(require.resolve("@mirairo-id/sdk/package.json"));
const wasmExports = (file) =>
  WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(path.join(dir, file))))
    .map((e) => e.name)
    .sort();

test("the browser and Node builds have the same glue exports and the same wasm exports", async () => {
  const browser = await import(pathToFileURL(path.join(dir, "wasm/mirairo_id_sdk.js")).href);
  const node = await import(pathToFileURL(path.join(dir, "wasm-node/mirairo_id_sdk.js")).href);
  const names = (m) => Object.keys(m).sort();
  assert.deepEqual(names(browser), names(node));
  for (const name of ["VerifierCore", "LoginCore", "PendingTokenAnswer", "setEs256", "verifyEs256", "es256Digest", "es256PublicJwk"]) {
    assert.ok(name in browser, `${name} exported`);
  }
  assert.deepEqual(wasmExports("wasm/mirairo_id_sdk_bg.wasm"), wasmExports("wasm-node/mirairo_id_sdk_bg.wasm"));
});

test("the browser entry hands load.js every export of the browser glue", async () => {
  // index.js names the glue's exports one by one (no namespace import, see there).
  await import(pathToFileURL(path.join(dir, "index.js")).href);
  const { bindings } = await import(pathToFileURL(path.join(dir, "load.js")).href);
  const glue = await import(pathToFileURL(path.join(dir, "wasm/mirairo_id_sdk.js")).href);
  const loaders = new Set(["default", "initSync"]);
  assert.deepEqual(Object.keys(bindings()).sort(), Object.keys(glue).filter((n) => !loaders.has(n)).sort());
  for (const [name, value] of Object.entries(bindings())) assert.equal(value, glue[name], name);
});

test("the browser build is the smaller one (no p256), the ES256 module exports verify and SigningKey", async () => {
  const size = (file) => readFileSync(path.join(dir, file)).length;
  assert.ok(size("wasm/mirairo_id_sdk_bg.wasm") < size("wasm-node/mirairo_id_sdk_bg.wasm"));
  const es256 = await import(pathToFileURL(path.join(dir, "es256/mirairo_id_es256.js")).href);
  assert.equal(typeof es256.verify, "function");
  assert.equal(typeof es256.SigningKey, "function");
});
