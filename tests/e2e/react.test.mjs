// examples/react end to end: the production build (React 19 + Vite, the packages
// installed from the packed tarballs, type-checked with tsc) served through the sandbox
// at its registered redirect URI. The login button is a React element wrapping
// <mirairo-login-button>, drawn before the wasm has loaded; the places widget's
// events reach React state through React 19's custom-element event props; the login
// goes through the real provider pages to the signed-in state; axe-clean throughout.
//
// Needs: target/debug/mirairo-id-sandbox and examples/react/dist (examples/TESTING.md).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { startSandbox, launchBrowser, expectNoAxeViolations, watchPageErrors, repoRoot } from "../lib/harness.mjs";

const dist = path.join(repoRoot, "examples/react/dist");
let sandbox;
let browser;

before(async () => {
  assert.ok(existsSync(path.join(dist, "index.html")), "examples/react/dist missing: run the react steps of examples/TESTING.md first");
  sandbox = await startSandbox();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

const W = {
  ja: { login: "ミライロIDでログイン", loading: "読み込み中…", selected: "選んだ場所", signIn: "サインイン", agree: "同意する", welcome: "ログインしました", fareClass: "旅客運賃減額" },
  en: { login: "Log in with Mirairo ID", loading: "Loading…", selected: "Place you chose", signIn: "Sign in", agree: "Agree", welcome: "You are logged in", fareClass: "Fare discount class" },
};

/** A page of the example with the `mirairo-place-select` events it saw recorded. */
async function open(lang, { hold } = {}) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  // Requests for wasm whose name matches `hold` wait until release() is called.
  let release = () => {};
  if (hold) {
    const gate = new Promise((resolve) => (release = resolve));
    await page.route(hold, async (route) => {
      await gate;
      await route.continue();
    });
  }
  await page.goto(`${sandbox.url}/examples/react/dist/?lang=${lang}`);
  return { context, page, errors, release };
}

test("the Vite build bundles both packages' wasm and keeps every script external (CSP)", () => {
  const html = readFileSync(path.join(dist, "index.html"), "utf8");
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, "no inline script");
  assert.match(html, /src="\/examples\/react\/dist\/assets\/[^"]+\.js"/);
  const assets = readdirSync(path.join(dist, "assets"));
  for (const wasm of ["mirairo_id_sdk_bg", "mirairo_id_widget_bg"]) {
    assert.ok(assets.some((f) => f.startsWith(wasm) && f.endsWith(".wasm")), `${wasm} among ${assets.join(", ")}`);
  }
  const css = assets.filter((f) => f.endsWith(".css")).map((f) => readFileSync(path.join(dist, "assets", f), "utf8")).join("\n");
  assert.match(css, /mirairo-places:not\(:defined\)/, "the widget's placeholder.css is bundled");
  assert.match(css, /mirairo-login-button:not\(:defined\)/, "the SDK's button.css is bundled");
});

for (const lang of ["ja", "en"]) {
  const w = W[lang];
  test(`React: the widget's select event reaches React state, then a login through the sandbox (${lang})`, async () => {
    const { context, page, errors } = await open(lang);
    try {
      const button = page.getByRole("button", { name: w.login });
      await button.waitFor();
      const row = page.locator("mirairo-places").locator("[part~=item-button]").first();
      await row.waitFor({ timeout: 30_000 });
      await expectNoAxeViolations(page, `react (${lang})`);

      const rowId = (await row.getAttribute("id")).replace(/^row-/, "");
      await row.click();
      // React rendered the event's detail.id: the onmirairo-place-select prop ran.
      await page.locator(".selected").filter({ hasText: `${w.selected}: ${rowId}` }).waitFor();
      await expectNoAxeViolations(page, `react, a place chosen (${lang})`);

      await button.click();
      await page.locator("input[name=user]").first().waitFor();
      await page.getByRole("button", { name: w.signIn, exact: true }).click();
      await page.getByRole("button", { name: w.agree, exact: true }).click();
      await page.waitForURL(/\/examples\/react\/dist\//);
      const heading = page.getByRole("heading", { name: w.welcome });
      await heading.waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.id), "mirairo-signed-in-h", "focus moves to the signed-in heading");
      assert.doesNotMatch(page.url(), /[?&](code|state|iss)=/, "the callback parameters are removed");
      const shown = await page.locator(".certificate").textContent();
      assert.match(shown, new RegExp(w.fareClass));
      assert.match(shown, /ミライロ ハナコ/, "the name from the ID token (profile)");
      assert.equal(await page.getByRole("button", { name: w.login }).count(), 0, "the button is gone once signed in");
      await expectNoAxeViolations(page, `react signed in (${lang})`);
      assert.deepEqual(errors.filter((e) => !/status of 404/.test(e)), [], "console errors (the provider pages' /favicon.ico aside)");
    } finally {
      await context.close();
    }
  });
}

test("React: the button is drawn before the SDK's wasm loads, and a click then waits for the client", async () => {
  const { context, page, errors, release } = await open("ja", { hold: /mirairo_id_sdk_bg[^/]*\.wasm$/ });
  try {
    const button = page.getByRole("button", { name: W.ja.login });
    await button.waitFor();
    assert.equal(await page.evaluate(() => document.querySelector("mirairo-login-button").client), null, "no client yet: the wasm is held");
    await button.click();
    // Busy (and renamed 「ミライロIDに移動しています…」) while it waits for the client.
    assert.equal(await page.locator("mirairo-login-button button").getAttribute("aria-busy"), "true");
    release();
    await page.locator("input[name=user]").first().waitFor();
    assert.deepEqual(errors, []);
  } finally {
    release();
    await context.close();
  }
});

test("React: the widget shows a loading placeholder with its final box while its wasm loads", async () => {
  const { context, page, errors, release } = await open("en", { hold: /mirairo_id_widget_bg[^/]*\.wasm$/ });
  try {
    const places = page.locator("mirairo-places");
    const status = places.getByRole("status");
    await status.filter({ hasText: W.en.loading }).waitFor();
    const box = await places.boundingBox();
    assert.ok(box.height >= 768, `the placeholder reserves 48rem, got ${box.height}px`);
    await expectNoAxeViolations(page, "react, widget loading (en)");
    // The places answer waits too, so the widget's own loading skeleton can be measured:
    // it takes the placeholder's place without moving what follows (within 1rem).
    let answer;
    const answered = new Promise((resolve) => (answer = resolve));
    await page.route(/\/api\/v1\/places/, async (route) => {
      await answered;
      await route.continue();
    });
    release();
    await page.waitForFunction(() => document.querySelector("mirairo-places").shadowRoot.querySelector(".skeleton"));
    const skeleton = await places.boundingBox();
    assert.ok(Math.abs(skeleton.height - box.height) <= 16, `placeholder ${box.height}px, skeleton ${skeleton.height}px`);
    answer();
    await places.locator("[part~=item-button]").first().waitFor({ timeout: 30_000 });
    assert.equal(await status.filter({ hasText: W.en.loading }).count(), 0, "the placeholder is gone");
    assert.deepEqual(errors, []);
  } finally {
    release();
    await context.close();
  }
});
