// examples/vite-ts end to end: the production build (installed from the packed tarballs
// like a partner would, type-checked and built by Vite with no plugin), served through
// the sandbox at its registered redirect URI, logs in through the real provider pages
// and prices a trip with the SDK's fare rules, in Japanese and in English.
//
// Needs: target/debug/mirairo-id-sandbox and examples/vite-ts/dist (examples/TESTING.md).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { startSandbox, launchBrowser, expectNoAxeViolations, watchPageErrors, repoRoot } from "../lib/harness.mjs";

const dist = path.join(repoRoot, "examples/vite-ts/dist");
let sandbox;
let browser;

before(async () => {
  assert.ok(existsSync(path.join(dist, "index.html")), "examples/vite-ts/dist missing: run the vite-ts steps of examples/TESTING.md first");
  sandbox = await startSandbox();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

test("the Vite build bundles the SDK's wasm and keeps every script external (CSP)", () => {
  const html = readFileSync(path.join(dist, "index.html"), "utf8");
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, "no inline script");
  assert.match(html, /src="\/examples\/vite-ts\/dist\/assets\/[^"]+\.js"/);
  const assets = readdirSync(path.join(dist, "assets"));
  assert.ok(assets.some((f) => f.endsWith(".wasm")), `a .wasm asset among ${assets.join(", ")}`);
});

for (const [lang, w] of [
  ["ja", { login: "ミライロIDでログイン", signIn: "サインイン", agree: "同意する", result: "確認できた手帳の情報", fareClass: "旅客運賃減額" }],
  ["en", { login: "Log in with Mirairo ID", signIn: "Sign in", agree: "Agree", result: "What the certificate shows", fareClass: "Fare discount class" }],
]) {
  test(`vite-ts logs in through the sandbox and prices a trip (${lang})`, async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    try {
      await page.goto(`${sandbox.url}/examples/vite-ts/dist/?lang=${lang}`);
      const button = page.getByRole("button", { name: w.login });
      await button.waitFor();
      await expectNoAxeViolations(page, `vite-ts (${lang})`);
      await button.click();
      await page.locator("input[name=user]").first().waitFor();
      await page.getByRole("button", { name: w.signIn, exact: true }).click();
      await page.getByRole("button", { name: w.agree, exact: true }).click();
      await page.waitForURL(/\/examples\/vite-ts\/dist\//);
      await page.locator("#result-h").filter({ hasText: w.result }).waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.id), "result-h");
      assert.doesNotMatch(page.url(), /[?&](code|state|iss)=/, "the callback parameters are removed");
      assert.match(await page.locator("#certificate").textContent(), new RegExp(w.fareClass));
      // hanako's 第1種 with a companion: 1,000 yen → 500 each.
      assert.match(await page.locator("#fare").textContent(), /500/);
      await expectNoAxeViolations(page, `vite-ts logged in (${lang})`);
      assert.deepEqual(errors.filter((e) => !/status of 404/.test(e)), [], "console errors (the provider pages' /favicon.ico aside)");
    } finally {
      await context.close();
    }
  });
}
