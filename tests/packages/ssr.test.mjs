// Server rendering: both packages import cleanly in Node, as a Next.js, Nuxt or Astro
// server render imports them: no throw, no DOM global needed or created, nothing
// fetched. Each import runs in its own child process (server-import.mjs) so that no
// other test's globals or loaded modules can hide a failure.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const packageDir = (name) => path.dirname(require.resolve(`${name}/package.json`));

async function importOnServer(spec, ...args) {
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(here, "server-import.mjs"), spec, ...args], { cwd: here, timeout: 60_000 });
  return JSON.parse(stdout.trim().split("\n").at(-1));
}

const entries = [
  ["@mirairo-id/sdk by name (the node export condition)", "@mirairo-id/sdk", ["MirairoId", "MirairoIdError", "MirairoLoginButton", "MirairoPresentationQr", "PresentationRequest", "VERSION", "Verifier", "fareDiscount", "ready"]],
  ["@mirairo-id/sdk's browser entry (index.js, the default condition)", () => path.join(packageDir("@mirairo-id/sdk"), "index.js"), ["MirairoId", "MirairoIdError", "MirairoLoginButton", "MirairoPresentationQr", "PresentationRequest", "VERSION", "Verifier", "fareDiscount", "ready"]],
  ["@mirairo-id/widget by name", "@mirairo-id/widget", ["ready"]],
];

for (const [what, spec, exports] of entries) {
  test(`${what} imports on a server: no throw, no DOM, no network`, async () => {
    const r = await importOnServer(typeof spec === "function" ? spec() : spec);
    assert.equal(r.error, undefined, `import threw: ${r.error}`);
    assert.deepEqual(r.dom, [], "the child process has no DOM globals");
    assert.deepEqual(r.domAfter, [], "the import created no DOM global");
    assert.deepEqual(r.network, [], "nothing was fetched");
    assert.deepEqual(r.exports, exports);
  });
}

test("the SDK's Node entry is ready without the network (its wasm is read from disk)", async () => {
  const r = await importOnServer("@mirairo-id/sdk", "ready");
  assert.equal(r.ready, true);
  assert.deepEqual(r.network, []);
});
