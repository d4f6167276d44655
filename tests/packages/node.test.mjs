// Imports the installed tarball by package name from Node, as a partner's server would.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as sdk from "@mirairo-id/sdk";

const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(require.resolve("@mirairo-id/sdk/package.json"), "utf8"));

test("ready() instantiates the wasm once and VERSION matches package.json", async () => {
  const first = sdk.ready();
  assert.equal(sdk.ready(), first, "a second call returns the same promise");
  await first;
  assert.equal(sdk.VERSION, pkg.version);
});
