// Loads the installed packages by name in Chromium from a page with no build step.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { launchBrowser, watchPageErrors } from "../../tests/lib/harness.mjs";
import { serveStatic } from "../../tests/lib/static-server.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
let server;
let browser;

before(async () => {
  server = await serveStatic(here);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test("a page imports @mirairo-id/sdk and @mirairo-id/widget by name", async () => {
  const page = await browser.newPage();
  const errors = watchPageErrors(page);
  await page.goto(`${server.url}/page.html`);
  const status = page.locator("#status");
  await status.filter({ hasText: "loaded" }).waitFor({ timeout: 15_000 });
  assert.equal(await status.getAttribute("data-places"), "true");
  assert.equal(await status.getAttribute("data-coupons"), "true");
  assert.match(await status.getAttribute("data-sdk-version"), /^\d+\.\d+\.\d+$/);
  assert.deepEqual(errors, []);
  await page.close();
});
