// Login with Mirairo ID end to end, in Debian's Chromium against the sandbox provider,
// clicking through its REAL sign-in and consent pages: the redirect and popup flows
// on examples/plain-html/, keyboard-only login, axe on every button variant and on the
// example page, an unticked claim, a replayed callback, token endpoint faults and the
// retry rules, invalid configurations, `present()` checked by the Node Verifier, and
// logout (with `id_token_hint`, straight back; without, the provider's confirmation).
//
// Needs: target/debug/mirairo-id-sandbox and dist/npm/sdk (cargo xtask build).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { startSandbox, launchBrowser, expectNoAxeViolations, watchPageErrors, repoRoot } from "../lib/harness.mjs";

const sdkNode = path.join(repoRoot, "dist/npm/sdk/node.js");
let sandbox;
let browser;

before(async () => {
  assert.ok(existsSync(sdkNode), "dist/npm/sdk missing: run `cargo xtask build` first");
  sandbox = await startSandbox();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

const LABEL = { ja: "ミライロIDでログイン", en: "Log in with Mirairo ID" };

/** Page object: examples/plain-html/. */
class ExamplePage {
  constructor(page) {
    this.page = page;
    this.errors = watchPageErrors(page);
    this.loginButton = page.getByRole("button", { name: LABEL.ja });
    this.certificate = page.locator("#cert");
    this.error = page.locator("#error");
  }
  static async open(context, query = "") {
    const page = await context.newPage();
    const p = new ExamplePage(page);
    await page.goto(`${sandbox.url}/examples/plain-html/${query}`);
    await p.loginButton.waitFor();
    return p;
  }
  async waitForCertificate() {
    await this.page.locator("#cert-section:not([hidden])").waitFor({ timeout: 15_000 });
    return this.certificate.innerText();
  }
  async errorCode() {
    await this.error.waitFor({ state: "visible", timeout: 15_000 });
    return this.error.getAttribute("data-code");
  }
  /** Page errors other than the browser's own logs of deliberately failed requests. */
  unexpectedErrors() {
    return this.errors.filter((e) => !/Failed to load resource/.test(e));
  }
}

/** Page object for the sandbox's sign-in and consent pages (in a tab or popup). */
class ProviderPages {
  constructor(page) {
    this.page = page;
  }
  async signIn(user = "hanako") {
    await this.page.locator(`input[name="user"][value="${user}"]`).check();
    await this.page.locator('button[name="action"][value="ok"]').click();
  }
  async consent({ untick = [] } = {}) {
    await this.page.locator('input[name="claim"]').first().waitFor();
    for (const claim of untick) await this.page.locator(`input[name="claim"][value="${claim}"]`).uncheck();
    await this.page.locator('button[name="action"][value="ok"]').click();
  }
  async cancel() {
    await this.page.locator('button[name="action"][value="cancel"]').click();
  }
}

async function redirectLogin(context, opts = {}) {
  const example = await ExamplePage.open(context);
  await example.loginButton.click();
  await example.page.waitForURL(/\/(authorize|signin|consent)/);
  const provider = new ProviderPages(example.page);
  await provider.signIn();
  // The address as loaded (the SDK removes code/state/iss from it right away).
  const callback = example.page.waitForRequest((r) => r.isNavigationRequest() && /\/examples\/plain-html\/\?code=/.test(r.url()));
  await provider.consent(opts);
  const callbackUrl = (await callback).url();
  return { example, callbackUrl };
}

test("redirect flow: real sign-in and consent, certificate shown, address cleaned", async () => {
  const context = await browser.newContext();
  const { example, callbackUrl } = await redirectLogin(context);
  assert.match(callbackUrl, /[?&]iss=/);
  const text = await example.waitForCertificate();
  assert.match(text, /身体障害者手帳/);
  assert.match(text, /2級/);
  assert.match(text, /第1種/);
  assert.match(text, /あり/);
  assert.match(text, /(令和|平成)[元0-9]+年[0-9]+月[0-9]+日|記載なし/);
  const url = new URL(example.page.url());
  for (const p of ["code", "state", "iss"]) assert.equal(url.searchParams.get(p), null, `${p} left in the address bar`);
  // Tokens and keys are nowhere in web storage.
  const stored = await example.page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.doesNotMatch(stored, /access_token|refresh_token|eyJ/);
  assert.deepEqual(example.unexpectedErrors(), []);
  await expectNoAxeViolations(example.page, "example page, logged in");

  // A replayed callback URL (reload of the old address, back button): state_mismatch, shown calmly.
  await example.page.goto(callbackUrl);
  assert.equal(await example.errorCode(), "state_mismatch");
  assert.match(await example.error.innerText(), /すでに使われた/);
  await expectNoAxeViolations(example.page, "example page, state_mismatch");
  await context.close();
});

test("the callback page redeems the code with the attempt's own metadata: no discovery round trip first", async () => {
  const context = await browser.newContext();
  const example = await ExamplePage.open(context);
  await example.loginButton.click();
  await example.page.waitForURL(/\/(authorize|signin|consent)/);
  const provider = new ProviderPages(example.page);
  await provider.signIn();
  // The provider's endpoints the callback page calls, in order, from its navigation on.
  const calls = [];
  let onCallback = false;
  example.page.on("request", (r) => {
    if (r.isNavigationRequest() && /\/examples\/plain-html\/\?code=/.test(r.url())) onCallback = true;
    const path = new URL(r.url()).pathname;
    if (onCallback && /^\/(\.well-known\/openid-configuration|token|jwks\.json)$/.test(path)) calls.push(path);
  });
  await provider.consent();
  assert.match(await example.waitForCertificate(), /第1種/);
  assert.ok(calls.includes("/token"), `calls: ${calls}`);
  assert.ok(!calls.slice(0, calls.indexOf("/token")).includes("/.well-known/openid-configuration"), `calls: ${calls}`);
  assert.deepEqual(example.unexpectedErrors(), []);
  await context.close();
});

test("back and forward after login never replay the code", async () => {
  const context = await browser.newContext();
  const { example } = await redirectLogin(context);
  await example.waitForCertificate();
  const page = example.page;
  const tokenPosts = [];
  page.on("request", (r) => r.method() === "POST" && new URL(r.url()).pathname === "/token" && tokenPosts.push(r.url()));
  await page.goBack();
  await page.goForward();
  await page.waitForLoadState("load");
  const url = new URL(page.url());
  assert.equal(url.pathname, "/examples/plain-html/");
  assert.equal(url.searchParams.get("code"), null, "the callback URL is not in the history");
  // Either restored from the back/forward cache (still signed in) or reloaded (tokens
  // live in memory only: signed out); never an error, never a second code redemption.
  await page.waitForFunction(() => document.querySelector("#cert-section:not([hidden])") || document.querySelector("mirairo-login-button"));
  assert.equal(await example.error.isHidden(), true);
  assert.deepEqual(tokenPosts, []);
  await context.close();
});

test("present() output verifies with the Node Verifier and key binding", async () => {
  const context = await browser.newContext();
  const { example } = await redirectLogin(context);
  await example.waitForCertificate();
  const page = example.page;
  await page.locator('input[name="disclose"][value="caregiver"]').uncheck();
  const nonce = "server-nonce-4f9a1c2b";
  await page.locator("#nonce").fill(nonce);
  await page.getByRole("button", { name: "提示データを作る" }).click();
  await page.waitForFunction(() => document.querySelector("#presentation").value.length > 0);
  const presentation = await page.locator("#presentation").inputValue();
  assert.equal(presentation.split("~").length - 2, 4, "four disclosures chosen");

  const { Verifier } = await import(pathToFileURL(sdkNode).href);
  const verifier = await Verifier.fromIssuer(sandbox.url);
  const cert = verifier.verify(presentation, { requireKeyBinding: true, audience: sandbox.url, nonce });
  assert.equal(cert.keyBound, true);
  assert.equal(cert.fareClass, 1);
  assert.equal("caregiver" in cert, false);
  assert.deepEqual([...cert.disclosed].sort(), ["certificate_type", "fare_class", "grade", "valid_until"]);
  assert.throws(
    () => verifier.verify(presentation, { requireKeyBinding: true, audience: sandbox.url, nonce: "another" }),
    (e) => e.code === "bad_key_binding",
  );
  await context.close();
});

test("refresh: rotated refresh token, fresh credential, still signed in", async () => {
  const context = await browser.newContext();
  const { example } = await redirectLogin(context);
  await example.waitForCertificate();
  const page = example.page;
  const bodies = [];
  page.on("request", (r) => {
    if (r.method() === "POST" && new URL(r.url()).pathname === "/token") bodies.push(new URLSearchParams(r.postData()));
  });
  for (let i = 0; i < 2; i++) {
    await page.getByRole("button", { name: "最新の情報に更新" }).click();
    await page.locator("#status", { hasText: "更新しました" }).waitFor();
    await page.locator("#status").evaluate((el) => (el.textContent = ""));
  }
  assert.equal(bodies.length, 2);
  assert.deepEqual(bodies.map((b) => b.get("grant_type")), ["refresh_token", "refresh_token"]);
  assert.notEqual(bodies[0].get("refresh_token"), bodies[1].get("refresh_token"), "the refresh token rotates");
  assert.match(await example.certificate.innerText(), /身体障害者手帳/);
  assert.equal(await example.error.isHidden(), true);
  await context.close();
});

test("unticking a claim on the consent page leaves it out of the certificate", async () => {
  const context = await browser.newContext();
  const { example } = await redirectLogin(context, { untick: ["caregiver"] });
  const text = await example.waitForCertificate();
  assert.doesNotMatch(text, /介護者/);
  assert.match(text, /第1種/);
  const offered = await example.page.locator('input[name="disclose"]').evaluateAll((els) => els.map((e) => e.value));
  assert.equal(offered.includes("caregiver"), false);
  await context.close();
});

test("popup flow: the popup signs in, the opener gets the result", async () => {
  const context = await browser.newContext();
  const example = await ExamplePage.open(context);
  await example.page.locator("#use-popup").check();
  await example.loginButton.waitFor();
  const popupOpened = example.page.waitForEvent("popup");
  await example.loginButton.click();
  const popup = await popupOpened;
  await popup.waitForURL(/\/(authorize|signin|consent)/);
  const provider = new ProviderPages(popup);
  await provider.signIn();
  await provider.consent();
  const text = await example.waitForCertificate();
  assert.match(text, /身体障害者手帳/);
  if (!popup.isClosed()) await popup.waitForEvent("close", { timeout: 5_000 });
  assert.equal(popup.isClosed(), true, "the popup is closed by the SDK");
  assert.deepEqual(example.unexpectedErrors(), []);
  await context.close();
});

test("popup closed by the user: popup_closed", async () => {
  const context = await browser.newContext();
  const example = await ExamplePage.open(context);
  await example.page.locator("#use-popup").check();
  const popupOpened = example.page.waitForEvent("popup");
  await example.loginButton.click();
  const popup = await popupOpened;
  await popup.waitForURL(/\/(authorize|signin|consent)/);
  // A person sees the provider's page before closing it. The opener, now a background
  // page, polls the popup about once a second (timer throttling); a popup closed before
  // it was ever seen away from its blank start is indistinguishable from one cut off by
  // COOP, which keeps waiting for the hand-over (sdk/js/login.js, docs/contract-notes.md).
  await popup.waitForLoadState("load");
  await popup.waitForTimeout(2_000);
  await popup.close();
  assert.equal(await example.errorCode(), "popup_closed");
  await context.close();
});

test("keyboard only: Tab, Enter and Space through the button and the provider pages", async () => {
  const context = await browser.newContext();
  const example = await ExamplePage.open(context);
  const page = example.page;
  const tabTo = async (matches, what) => {
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press("Tab");
      if (await page.evaluate(matches)) return;
    }
    assert.fail(`Tab never reached ${what}`);
  };
  await tabTo(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el?.tagName === "BUTTON" && el.getRootNode().host?.tagName === "MIRAIRO-LOGIN-BUTTON";
  }, "the login button");
  // The focus ring is visible.
  const outline = await page.evaluate(() => {
    const host = document.querySelector("mirairo-login-button");
    return getComputedStyle(host.shadowRoot.querySelector("button")).outlineStyle;
  });
  assert.notEqual(outline, "none");
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/(authorize|signin|consent)/);
  await tabTo(() => document.activeElement?.matches('input[name="user"]'), "the user choice");
  for (let i = 0; i < 10 && !(await page.evaluate(() => document.activeElement?.value === "hanako")); i++) await page.keyboard.press("Tab");
  await page.keyboard.press("Space");
  await tabTo(() => document.activeElement?.matches('button[value="ok"]'), "the sign-in button");
  await page.keyboard.press("Enter");
  await page.locator('input[name="claim"]').first().waitFor();
  await tabTo(() => document.activeElement?.matches('button[value="ok"]'), "the consent button");
  const callback = page.waitForURL(/\/examples\/plain-html\//);
  await page.keyboard.press("Enter");
  await callback;
  assert.match(await example.waitForCertificate(), /身体障害者手帳/);
  // Focus moved to the result.
  assert.equal(await page.evaluate(() => document.activeElement?.id), "cert-h");
  await context.close();
});

/** Counts the POSTs to /token and keeps their DPoP proofs. */
function watchToken(page) {
  const proofs = [];
  page.on("request", (r) => {
    if (r.method() === "POST" && new URL(r.url()).pathname === "/token") proofs.push(r.headers().dpop);
  });
  return proofs;
}

test("token endpoint faults: one retry for 503, none for 400", async () => {
  /** Logs in with `count` faults of `status` armed on /token right before consent. */
  async function loginWithTokenFault(status, count) {
    const context = await browser.newContext();
    const example = await ExamplePage.open(context);
    const proofs = watchToken(example.page);
    await example.loginButton.click();
    const provider = new ProviderPages(example.page);
    await provider.signIn();
    await sandbox.control("/_sandbox/faults", { path: "/token", status, count });
    await provider.consent();
    return { context, example, proofs };
  }

  // 503 once: the SDK retries once with a fresh DPoP proof, and the login succeeds.
  {
    const { context, example, proofs } = await loginWithTokenFault(503, 1);
    assert.match(await example.waitForCertificate(), /身体障害者手帳/);
    assert.equal(proofs.length, 2, "one retry");
    assert.notEqual(proofs[0], proofs[1], "a fresh DPoP proof for the retry");
    await context.close();
  }
  // 503 twice: one retry only, then the error is shown; 400 once: never retried (a
  // retry would have succeeded, the fault being used up).
  for (const [status, count, attempts, why] of [
    [503, 2, 2, "one retry only"],
    [400, 1, 1, "no retry after a 4xx"],
  ]) {
    const { context, example, proofs } = await loginWithTokenFault(status, count);
    assert.equal(await example.errorCode(), "provider_error");
    assert.equal(proofs.length, attempts, why);
    await context.close();
  }
});

test("clock skew: ±50 s still logs in, +150 s is refused", async () => {
  for (const [skewSeconds, expected] of [
    [50, "ok"],
    [-50, "ok"],
    [150, "provider_error"], // the DPoP proof's iat is outside the provider's ±60 s
  ]) {
    const context = await browser.newContext();
    await context.addInitScript((skew) => {
      const realNow = Date.now;
      Date.now = () => realNow() + skew * 1000;
    }, skewSeconds);
    const example = await ExamplePage.open(context);
    await example.loginButton.click();
    const provider = new ProviderPages(example.page);
    await provider.signIn();
    await provider.consent();
    if (expected === "ok") assert.match(await example.waitForCertificate(), /身体障害者手帳/, `skew ${skewSeconds} s`);
    else assert.equal(await example.errorCode(), expected, `skew ${skewSeconds} s`);
    await context.close();
  }
});

test("the holder refusing consent: provider_error access_denied", async () => {
  const context = await browser.newContext();
  const example = await ExamplePage.open(context);
  await example.loginButton.click();
  const provider = new ProviderPages(example.page);
  await provider.signIn();
  await provider.page.locator('input[name="claim"]').first().waitFor();
  await provider.cancel();
  assert.equal(await example.errorCode(), "provider_error");
  assert.match(await example.error.innerText(), /キャンセル/);
  await context.close();
});

test("invalid configuration fails at create with invalid_config", async () => {
  const context = await browser.newContext();
  const example = await ExamplePage.open(context);
  const codes = await example.page.evaluate(async () => {
    const { MirairoId } = await import("/pkg/sdk/index.js");
    const base = { issuer: location.origin, clientId: "example-plain-html", redirectUri: `${location.origin}/examples/plain-html/` };
    const cases = {
      "issuer not a URL": { ...base, issuer: "not a url" },
      "redirectUri on another origin": { ...base, redirectUri: "https://evil.example/cb" },
      "unknown lang": { ...base, lang: "fr" },
      "unknown claim": { ...base, certificateClaims: ["blood_type"] },
    };
    const out = {};
    for (const [name, opts] of Object.entries(cases)) {
      try {
        await MirairoId.create(opts);
        out[name] = "accepted";
      } catch (e) {
        out[name] = `${e.name}:${e.code}`;
      }
    }
    return out;
  });
  for (const [name, code] of Object.entries(codes)) assert.equal(code, "MirairoIdError:invalid_config", name);
  await context.close();
});

test("login options are checked by the core: bad ones are invalid_config, the popup closes", async () => {
  const context = await browser.newContext();
  const example = await ExamplePage.open(context);
  const page = example.page;
  // A real click for each attempt, so that the popup is allowed and then closed again.
  await page.evaluate(async () => {
    const { MirairoId } = await import("/pkg/sdk/index.js");
    const client = await MirairoId.create({ issuer: location.origin, clientId: "example-plain-html", redirectUri: `${location.origin}/examples/plain-html/` });
    const rows = [
      ["popup", { timeoutSeconds: NaN }],
      ["popup", { timeoutSeconds: -1 }],
      ["popup", { timeoutSeconds: Infinity }],
      ["popup", { timeoutSeconds: "60" }],
      ["popup", { timeoutSeconds: 0 }],
      ["popup", { certificateClaims: "fare_class" }],
      ["redirect", { certificateClaims: [1] }],
      ["redirect", 42],
    ];
    window.loginOptionResults = [];
    const button = document.createElement("button");
    button.id = "try-login-options";
    button.textContent = "try";
    button.addEventListener("click", () => {
      const [mode, opts] = rows[window.loginOptionResults.length];
      const run = mode === "popup" ? client.loginWithPopup(opts) : client.loginWithRedirect(opts);
      run.then(
        () => window.loginOptionResults.push("accepted"),
        (e) => window.loginOptionResults.push(`${e.name}:${e.code}`),
      );
    });
    document.body.append(button);
    window.loginOptionRows = rows.length;
  });
  const rows = await page.evaluate(() => window.loginOptionRows);
  for (let i = 0; i < rows; i++) {
    await page.locator("#try-login-options").click();
    await page.waitForFunction((n) => window.loginOptionResults.length > n, i);
  }
  const results = await page.evaluate(() => window.loginOptionResults);
  assert.deepEqual(results, Array(rows).fill("MirairoIdError:invalid_config"));
  assert.equal(context.pages().length, 1, "every popup was closed again");
  assert.equal(new URL(page.url()).pathname, "/examples/plain-html/", "no redirect happened");
  await context.close();
});

test("the button: axe-clean in every theme × size × language, sizes, busy state, no layout shift", async () => {
  const context = await browser.newContext();
  const example = await ExamplePage.open(context);
  const page = example.page;
  const results = await page.evaluate(async () => {
    document.querySelector("main").insertAdjacentHTML("beforeend", '<section id="variants"></section>');
    const box = document.getElementById("variants");
    const out = [];
    for (const theme of ["filled", "outline"]) {
      for (const size of ["small", "medium", "large"]) {
        for (const lang of ["ja", "en"]) {
          const el = document.createElement("mirairo-login-button");
          for (const [k, v] of Object.entries({ theme, size, lang, issuer: location.origin, "client-id": "example-plain-html", "redirect-uri": `${location.origin}/examples/plain-html/` })) {
            el.setAttribute(k, v);
          }
          box.append(el);
          const r = el.shadowRoot.querySelector("button").getBoundingClientRect();
          out.push({ theme, size, lang, width: r.width, height: r.height, name: el.shadowRoot.querySelector("button").textContent });
        }
      }
    }
    return out;
  });
  for (const r of results) {
    assert.ok(r.height >= 24 && r.width >= 24, `${JSON.stringify(r)} under 24 px`);
    if (r.size !== "small") assert.ok(r.height >= 44, `${JSON.stringify(r)} under 44 px`);
    assert.equal(r.name, r.lang === "ja" ? LABEL.ja : LABEL.en);
  }
  await expectNoAxeViolations(page, "every button variant");

  // Reserved box before definition equals the defined box (no layout shift).
  const shift = await page.evaluate(() => {
    const defined = document.querySelector("#variants mirairo-login-button[size=medium]").getBoundingClientRect();
    const slot = document.createElement("div");
    slot.className = "mirairo-login-button-slot";
    document.body.append(slot);
    const reserved = slot.getBoundingClientRect();
    return { defined: [defined.width, defined.height], reserved: [reserved.width, reserved.height] };
  });
  assert.deepEqual(shift.defined, shift.reserved);

  // Busy while leaving for the provider: aria-busy, aria-disabled, the text says so.
  // The provider answers late, then with 204 (no navigation): the page stays to be checked.
  await page.route(/\/authorize\?/, (route) => setTimeout(() => route.fulfill({ status: 204 }).catch(() => {}), 1500));
  const first = page.locator("#button-slot mirairo-login-button").getByRole("button");
  await first.click();
  await page.waitForFunction(() => document.querySelector("#button-slot mirairo-login-button").shadowRoot.querySelector("button").getAttribute("aria-busy") === "true");
  assert.equal(await first.getAttribute("aria-disabled"), "true");
  assert.match(await first.innerText(), /移動しています/);
  assert.match(await page.locator("#button-slot mirairo-login-button").locator('[role="status"]').innerText(), /移動しています/);

  // Forced colours and reduced motion keep the button usable and axe-clean.
  await page.emulateMedia({ forcedColors: "active", reducedMotion: "reduce" });
  await expectNoAxeViolations(page, "buttons in forced colours");
  await context.close();
});

test("<mirairo-login-button> alone: paints before the wasm, logs in, dispatches mirairo-login", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  // A partner page with only the element and an event listener (served at the
  // registered redirect URI of example-plain-html).
  const html = `<!doctype html><html lang="en"><meta charset="utf-8"><title>element</title>
    <link rel="stylesheet" href="/pkg/sdk/button.css"><main><h1>Element</h1>
    <mirairo-login-button issuer="${sandbox.url}" client-id="example-plain-html" redirect-uri="${sandbox.url}/examples/plain-html/" lang="en" theme="outline"></mirairo-login-button>
    <p id="out" role="status"></p></main><script type="module" src="element-page.js"></script>`;
  const script = `import "/pkg/sdk/index.js";
    const out = document.getElementById("out");
    document.addEventListener("mirairo-login", (e) => { out.dataset.result = JSON.stringify(e.detail); out.textContent = "ok"; });
    document.addEventListener("mirairo-error", (e) => { out.dataset.code = e.detail.code; out.textContent = e.detail.code; });`;
  let wasmRequested = false;
  page.on("request", (r) => {
    if (r.url().endsWith(".wasm")) wasmRequested = true;
  });
  await context.route(/\/examples\/plain-html\/(\?.*)?$/, (route) =>
    route.fulfill({ body: html, contentType: "text/html; charset=utf-8", headers: { "content-security-policy": "script-src 'self' 'wasm-unsafe-eval'" } }),
  );
  await context.route(/\/examples\/plain-html\/element-page\.js$/, (route) => route.fulfill({ body: script, contentType: "text/javascript" }));
  await page.goto(`${sandbox.url}/examples/plain-html/`);
  await page.getByRole("button", { name: LABEL.en }).waitFor();
  assert.equal(wasmRequested, false, "the button paints without the wasm");
  await page.getByRole("button", { name: LABEL.en }).click();
  const provider = new ProviderPages(page);
  await provider.signIn();
  await page.locator('input[name="claim"]').first().waitFor();
  // Playwright does not route a redirect's target: take the Location, load it routed.
  let callbackUrl;
  await context.route(/\/authorize\/consent$/, async (route) => {
    const answer = await route.fetch({ maxRedirects: 0 });
    callbackUrl = answer.headers().location;
    await route.fulfill({ status: 204 });
  });
  await provider.page.locator('button[name="action"][value="ok"]').click();
  for (let i = 0; i < 100 && !callbackUrl; i++) await new Promise((r) => setTimeout(r, 50));
  await page.goto(callbackUrl);
  await page.locator("#out", { hasText: "ok" }).waitFor({ timeout: 15_000 });
  const result = JSON.parse(await page.locator("#out").getAttribute("data-result"));
  assert.equal(result.certificate.certificateType, "physical");
  assert.equal(typeof result.idToken.sub, "string");
  assert.equal(new URL(page.url()).searchParams.get("code"), null);
  assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);
  await expectNoAxeViolations(page, "standalone element page");
  await context.close();
});

test("the example page in English is axe-clean and fully translated", async () => {
  const context = await browser.newContext();
  const example = await ExamplePage.open(context);
  await example.page.getByRole("button", { name: "English" }).click();
  await example.page.getByRole("button", { name: LABEL.en }).waitFor();
  assert.equal(await example.page.evaluate(() => document.documentElement.lang), "en");
  await expectNoAxeViolations(example.page, "example page in English");
  await context.close();
});

// ---------------------------------------------------------------------------------------
// Logout (PROTOCOL.md §2.5 with RP-Initiated Logout 1.0): the provider ends its session
// at once only for a request carrying the session's ID token (`id_token_hint`, which
// `MirairoId.logout()` sends); anything else gets a confirmation page.

const SESSION_COOKIE = "mirairo_sandbox_session";
const EXAMPLE_URL = () => `${sandbox.url}/examples/plain-html/`;

async function hasProviderSession(context) {
  return (await context.cookies(sandbox.url)).some((c) => c.name === SESSION_COOKIE && c.value !== "");
}

/** Presses Tab until `matches` holds in the page (at most 40 times). */
async function tabTo(page, matches, what) {
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(matches)) return;
  }
  assert.fail(`Tab never reached ${what}`);
}

/** Starts a login from the example page: true when the provider shows its sign-in page
 * (no session), false when it goes straight to consent (signed in). */
async function providerAsksToSignIn(page) {
  await page.goto(EXAMPLE_URL());
  const example = new ExamplePage(page);
  await example.loginButton.click();
  const user = page.locator('input[name="user"]').first();
  const claim = page.locator('input[name="claim"]').first();
  await user.or(claim).waitFor({ timeout: 15_000 });
  return user.isVisible();
}

test("logout({ returnTo }) sends the ID token as id_token_hint: signed out at the provider, back on the partner page, never asked", async () => {
  const context = await browser.newContext();
  const example = await ExamplePage.open(context);
  const page = example.page;
  // A partner's own MirairoId on this page, used through the public API only; a popup
  // login keeps the instance (and its in-memory session) alive.
  await page.evaluate(async () => {
    const { MirairoId } = await import("/pkg/sdk/index.js");
    const partner = await MirairoId.create({
      issuer: location.origin,
      clientId: "example-plain-html",
      redirectUri: `${location.origin}/examples/plain-html/`,
    });
    const button = document.createElement("button");
    button.id = "test-login";
    button.textContent = "test login";
    button.addEventListener("click", () => {
      window.testLogin = partner.loginWithPopup().then((r) => r.idToken.sub);
    });
    document.body.append(button);
    window.testPartner = partner;
  });
  const popupOpened = page.waitForEvent("popup");
  await page.locator("#test-login").click();
  const popup = await popupOpened;
  await popup.waitForURL(/\/(authorize|signin|consent)/);
  const provider = new ProviderPages(popup);
  await provider.signIn();
  await provider.consent();
  assert.ok(await page.evaluate(() => window.testLogin), "logged in");
  assert.equal(await hasProviderSession(context), true);

  const visits = [];
  page.on("response", (r) => {
    if (new URL(r.url()).pathname === "/logout") visits.push({ url: new URL(r.url()), status: r.status() });
  });
  const back = page.waitForURL((u) => u.pathname === "/examples/plain-html/" && u.searchParams.has("state"));
  await page.evaluate(() => {
    window.testPartner.logout({ returnTo: `${location.origin}/examples/plain-html/` });
  });
  await back;
  assert.equal(visits.length, 1, "one visit to the end-session endpoint");
  const [{ url, status }] = visits;
  assert.equal(status, 303, "no confirmation page");
  assert.equal(url.searchParams.get("id_token_hint")?.split(".").length, 3, "the ID token (a JWS) as hint");
  assert.equal(url.searchParams.get("client_id"), "example-plain-html");
  assert.equal(url.searchParams.get("post_logout_redirect_uri"), EXAMPLE_URL());
  assert.equal(url.searchParams.get("ui_locales"), "ja");
  assert.equal(new URL(page.url()).searchParams.get("state"), url.searchParams.get("state"));
  await example.loginButton.waitFor();
  assert.equal(await hasProviderSession(context), false, "the provider session cookie is cleared");
  assert.equal(await providerAsksToSignIn(page), true, "the provider session is over");
  await context.close();
});

test("logout without id_token_hint asks first: axe-clean in ja and en, Cancel keeps the session, keyboard alone signs out", async () => {
  const context = await browser.newContext();
  const { example } = await redirectLogin(context);
  await example.waitForCertificate();
  const page = example.page;
  const confirmUrl = (lang) =>
    `${sandbox.url}/logout?${new URLSearchParams({
      client_id: "example-plain-html",
      post_logout_redirect_uri: EXAMPLE_URL(),
      state: `s-${lang}`,
      ui_locales: lang,
    })}`;
  for (const [lang, question, service, button, cancel] of [
    ["ja", "ミライロIDからサインアウトしますか？", "サンプル（HTML のみ）", "サインアウト", "キャンセル"],
    ["en", "Sign out of Mirairo ID?", "Example (plain HTML)", "Sign out", "Cancel"],
  ]) {
    const response = await page.goto(confirmUrl(lang));
    assert.equal(response.status(), 200);
    assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
    const h1 = page.getByRole("heading", { level: 1 });
    assert.equal(await h1.count(), 1);
    assert.equal(await h1.innerText(), question);
    assert.match(await page.locator("main").innerText(), new RegExp(service.replace(/[()（）]/g, ".")));
    const targets = [page.getByRole("button", { name: button }), page.getByRole("link", { name: cancel })];
    for (const target of targets) {
      const box = await target.boundingBox();
      assert.ok(box.width >= 24 && box.height >= 24, `${lang}: 24 px target (${box.width}×${box.height})`);
    }
    await expectNoAxeViolations(page, `logout confirmation (${lang})`);
    assert.equal(await hasProviderSession(context), true, `${lang}: asking ends nothing`);
  }
  // Cancel: back to the partner, still signed in at the provider.
  await page.getByRole("link", { name: "Cancel" }).click();
  await page.waitForURL(EXAMPLE_URL());
  assert.equal(await hasProviderSession(context), true);
  assert.equal(await providerAsksToSignIn(page), false, "Cancel kept the session");

  // Keyboard alone: Tab to the button (focus visible), Enter: signed out, back home.
  await page.goto(confirmUrl("ja"));
  await tabTo(page, () => document.activeElement?.matches('button[type="submit"]'), "the sign-out button");
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, "none", "visible focus");
  const back = page.waitForURL((u) => u.pathname === "/examples/plain-html/" && u.searchParams.get("state") === "s-ja");
  await page.keyboard.press("Enter");
  await back;
  assert.equal(await hasProviderSession(context), false);
  assert.equal(await providerAsksToSignIn(page), true, "signed out at the provider");
  await context.close();
});
