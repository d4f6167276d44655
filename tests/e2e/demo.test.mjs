// みらい鉄道 (www/demo/) end to end in Debian's Chromium against the sandbox: the whole
// booking story in Japanese and in English through the real sign-in and consent pages,
// axe on every page, focus after each step, and the partner server's re-verification
// refusing a wrong nonce, a replayed nonce and a credential revoked in between.
// Also: the landing page, the playground (every §4 row) and the docs (in step with the
// TypeScript declarations).
//
// Needs: target/debug/mirairo-id-sandbox and dist/npm/{sdk,widget} (cargo xtask build).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { startSandbox, launchBrowser, expectNoAxeViolations, watchPageErrors, repoRoot } from "../lib/harness.mjs";

const HANAKO_PHYSICAL_STATUS_IDX = 412;

let sandbox;
let browser;

before(async () => {
  for (const pkg of ["sdk", "widget"]) {
    assert.ok(existsSync(path.join(repoRoot, `dist/npm/${pkg}/index.js`)), `dist/npm/${pkg} missing: run \`cargo xtask build\` first`);
  }
  sandbox = await startSandbox();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

/**
 * Console errors other than Chromium's generic line for an HTTP error status: those are
 * provoked on purpose (403 refusals) or the provider pages' /favicon.ico; every other
 * failed request is caught by `watchFailedRequests`.
 */
function unexpected(errors) {
  return errors.filter((e) => !/Failed to load resource: the server responded with a status of (403|404)/.test(e));
}

/** Requests that failed with 404 or 5xx, except the browser's own /favicon.ico. */
function watchFailedRequests(page) {
  const failed = [];
  page.on("response", (r) => {
    if ((r.status() === 404 || r.status() >= 500) && !r.url().endsWith("/favicon.ico")) failed.push(`${r.status()} ${r.url()}`);
  });
  return failed;
}

const words = {
  ja: { login: "ミライロIDでログイン", signIn: "サインイン", agree: "同意する", find: "運賃を調べる", book: "この内容で予約する", yen: (n) => `${n.toLocaleString("ja-JP")}円`, booked: "予約が完了しました", caregiverLabel: /介護/ },
  en: { login: "Log in with Mirairo ID", signIn: "Sign in", agree: "Agree", find: "Find the fare", book: "Book this trip", yen: (n) => `¥${n.toLocaleString("en-US")}`, booked: "Your booking is confirmed", caregiverLabel: /Caregiver mark/ },
};

/** Page object for the Mirai Railway demo, from the search form to the booking record. */
class RailwayDemo {
  constructor(page, lang) {
    this.page = page;
    this.lang = lang;
    this.w = words[lang];
    this.errors = watchPageErrors(page);
    this.failed = watchFailedRequests(page);
  }

  static async open(lang, { viewport } = {}) {
    const context = await browser.newContext({ viewport: viewport ?? { width: 1100, height: 900 } });
    const demo = new RailwayDemo(await context.newPage(), lang);
    demo.context = context;
    await demo.page.goto(`${sandbox.url}/demo/?lang=${lang}`);
    await demo.page.locator("#from option").nth(1).waitFor({ state: "attached" });
    return demo;
  }

  async close() {
    await this.context.close();
  }

  async search({ from, to, ticket, companion }) {
    const p = this.page;
    await p.locator("#from").selectOption(from);
    await p.locator("#to").selectOption(to);
    await p.locator("#ticket").selectOption(ticket);
    await p.locator("#companion").setChecked(companion);
    await p.getByRole("button", { name: this.w.find }).click();
    await p.locator("#fare-result p").first().waitFor();
  }

  /** From the login button through the provider's sign-in and consent pages. */
  async logIn({ user = "hanako", untick = [], axe = true }) {
    const p = this.page;
    await p.getByRole("button", { name: this.w.login }).click();
    await p.locator("input[name=user]").first().waitFor();
    if (axe) await expectNoAxeViolations(p, `sign-in page (${this.lang})`);
    await p.locator(`input[name=user][value="${user}"]`).check();
    await p.getByRole("button", { name: this.w.signIn, exact: true }).click();
    await p.getByRole("button", { name: this.w.agree, exact: true }).waitFor();
    if (axe) await expectNoAxeViolations(p, `consent page (${this.lang})`);
    for (const claim of untick) await p.locator(`input[name=claim][value="${claim}"]`).uncheck();
    await p.getByRole("button", { name: this.w.agree, exact: true }).click();
    await p.waitForURL(/\/demo\/callback\.html/);
    await p.locator("#discount-result dl").waitFor();
  }

  async book() {
    await this.page.getByRole("button", { name: this.w.book }).click();
  }
}

for (const lang of ["ja", "en"]) {
  test(`the whole booking story in ${lang}: search, log in, discounted fare, book, verified record`, async () => {
    const demo = await RailwayDemo.open(lang);
    const p = demo.page;
    try {
      assert.equal(await p.evaluate(() => document.documentElement.lang), lang);
      await expectNoAxeViolations(p, `demo search page (${lang})`);

      // A form error is tied to its field and summarised; focus goes to the summary.
      await p.locator("#from").selectOption("kawabe");
      await p.locator("#to").selectOption("kawabe");
      await p.getByRole("button", { name: demo.w.find }).click();
      assert.equal(await p.locator("#to").getAttribute("aria-invalid"), "true");
      assert.match(await p.locator("#to").getAttribute("aria-describedby"), /to-error/);
      assert.notEqual((await p.locator("#to-error").textContent()).trim(), "");
      assert.equal(await p.evaluate(() => document.activeElement?.id), "error-summary");
      await expectNoAxeViolations(p, `demo search page with errors (${lang})`);

      // みらい中央 → 港町, 38.7 km, a regular ticket at 760 yen, with a companion.
      await demo.search({ from: "mirai-chuo", to: "minatomachi", ticket: "regular", companion: true });
      assert.equal(await p.evaluate(() => document.activeElement?.id), "fare-h", "focus moves to the fare");
      assert.match(await p.locator("#fare-result").textContent(), new RegExp(demo.w.yen(760)));
      await expectNoAxeViolations(p, `demo fare page (${lang})`);

      await demo.logIn({ untick: lang === "en" ? ["certificate_type"] : [] });
      // The SDK's fare rules: 第1種 with a companion, 50 % each.
      assert.equal(await p.evaluate(() => document.activeElement?.id), "discount-h", "focus moves to the discounted fare");
      const fare = await p.locator("#discount-result").textContent();
      assert.match(fare, new RegExp(demo.w.yen(380)));
      assert.match(fare, /class1_with_companion/);
      assert.equal(await p.locator("#discount-result").getAttribute("aria-live"), "polite");
      await expectNoAxeViolations(p, `demo review page (${lang})`);

      // Show the railway only the fare class (untick the caregiver mark) and book.
      await p.locator("#disclose label").filter({ hasText: demo.w.caregiverLabel }).locator("input").uncheck();
      const bookingResponse = p.waitForResponse((r) => r.url().endsWith("/demo-api/bookings") && r.request().method() === "POST");
      await demo.book();
      const response = await bookingResponse;
      assert.equal(response.status(), 201);
      const record = await response.json();
      await p.locator("#booked-h").waitFor();
      assert.equal(await p.evaluate(() => document.activeElement?.id), "booked-h", "focus moves to the confirmation");
      assert.equal(await p.locator("#booked-h").textContent(), demo.w.booked);

      // The server verified with key binding, and recorded only what was shown.
      assert.equal(record.verified.keyBound, true);
      const expected = lang === "en" ? ["fare_class", "valid_until"] : ["fare_class", "certificate_type", "valid_until"];
      assert.deepEqual([...record.verified.disclosed].sort(), [...expected].sort());
      assert.equal("caregiver" in record.verified, false);
      assert.equal(record.fare.rule, "class1_with_companion");
      assert.deepEqual([record.fare.holderFare, record.fare.companionFare], [380, 380]);
      assert.match(await p.locator("#booking").textContent(), new RegExp(record.id));
      const stored = await (await fetch(`${sandbox.url}/demo-api/bookings/${record.id}`)).json();
      assert.deepEqual(stored, record);
      await expectNoAxeViolations(p, `demo booking confirmation (${lang})`);

      // The language switch re-renders every string, and the page says which language.
      await p.locator("#lang-switch").click();
      const other = lang === "ja" ? "en" : "ja";
      assert.equal(await p.evaluate(() => document.documentElement.lang), other);
      assert.equal(await p.locator("#booked-h").textContent(), words[other].booked);
      assert.deepEqual(unexpected(demo.errors), []);
      assert.deepEqual(demo.failed, []);
    } finally {
      await demo.close();
    }
  });
}

test("the railway's server refuses a wrong nonce, a replayed nonce and a credential revoked in between", async () => {
  const demo = await RailwayDemo.open("ja");
  const p = demo.page;
  try {
    await demo.search({ from: "mirai-chuo", to: "yamanobe", ticket: "regular", companion: false });
    await demo.logIn({ axe: false });

    // 1. A nonce the server never issued: the page gets a forged one.
    await p.route("**/demo-api/nonce", async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      await route.fulfill({ response: res, json: { ...body, nonce: "forged-nonce-0123456789abcdef" } });
    });
    await demo.book();
    await p.locator("#book-error p").waitFor();
    assert.equal(await p.locator("#book-error p").getAttribute("data-code"), "bad_key_binding");
    assert.equal(await p.evaluate(() => document.activeElement?.id), "book-error", "focus moves to the error");
    await expectNoAxeViolations(p, "demo booking refused");
    await p.unroute("**/demo-api/nonce");

    // 2. A replay: the presentation that just booked is posted again.
    let posted = null;
    await p.route("**/demo-api/bookings", async (route) => {
      posted = route.request().postData();
      await route.continue();
    });
    const first = p.waitForResponse((r) => r.url().endsWith("/demo-api/bookings"));
    await demo.book();
    assert.equal((await first).status(), 201);
    const replay = await fetch(`${sandbox.url}/demo-api/bookings`, { method: "POST", headers: { "content-type": "application/json" }, body: posted });
    assert.deepEqual([replay.status, (await replay.json()).error], [403, "bad_key_binding"]);
    await p.unroute("**/demo-api/bookings");
  } finally {
    await demo.close();
  }

  // 3. Revoked between login and booking.
  const again = await RailwayDemo.open("en");
  try {
    await again.search({ from: "mirai-chuo", to: "minatomachi", ticket: "regular", companion: true });
    await again.logIn({ axe: false });
    await sandbox.control("/_sandbox/status", { idx: HANAKO_PHYSICAL_STATUS_IDX, status: 1 });
    await again.book();
    await again.page.locator("#book-error p").waitFor();
    assert.equal(await again.page.locator("#book-error p").getAttribute("data-code"), "revoked");
    assert.match(await again.page.locator("#book-error").textContent(), /revoked/);
    assert.deepEqual(unexpected(again.errors), []);
  } finally {
    await sandbox.control("/_sandbox/status", { idx: HANAKO_PHYSICAL_STATUS_IDX, status: 0 });
    await again.close();
  }
});

test("a popup login (popup-callback.html) continues on the search page, and books", async () => {
  const demo = await RailwayDemo.open("en");
  const p = demo.page;
  try {
    await demo.search({ from: "sakuradai", to: "hoshigaoka", ticket: "regular", companion: false });
    const [popup] = await Promise.all([p.waitForEvent("popup"), p.getByRole("button", { name: "Log in in a separate window" }).click()]);
    await popup.locator("input[name=user]").first().waitFor();
    await popup.getByRole("button", { name: "Sign in", exact: true }).click();
    // Listen before agreeing: the popup can close before a later listener is attached.
    const closed = popup.waitForEvent("close");
    await popup.getByRole("button", { name: "Agree", exact: true }).click();
    await closed;
    await p.locator("#discount-result dl").waitFor();
    // 174.9 km alone: the long-distance rule, 50 % for the holder.
    assert.match(await p.locator("#discount-result").textContent(), /long_distance_alone/);
    assert.equal(await p.evaluate(() => document.activeElement?.id), "discount-h");
    assert.equal(await p.locator("#login-section").isHidden(), true);
    await expectNoAxeViolations(p, "demo review after a popup login");
    await demo.book();
    await p.locator("#booked-h").waitFor();
    assert.equal(await p.evaluate(() => document.activeElement?.id), "booked-h");
    assert.deepEqual(unexpected(demo.errors), []);
  } finally {
    await demo.close();
  }
});

test("the demo reflows at 320 CSS px (400 % zoom) and honours reduced motion", async () => {
  const context = await browser.newContext({ viewport: { width: 320, height: 640 }, reducedMotion: "reduce" });
  const page = await context.newPage();
  try {
    for (const url of ["/", "/demo/", "/playground/", "/docs/", "/docs/en/reference.html"]) {
      await page.goto(`${sandbox.url}${url}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 1, `${url} scrolls sideways by ${overflow}px at 320px`);
    }
    const behavior = await page.evaluate(() => getComputedStyle(document.documentElement).scrollBehavior);
    assert.equal(behavior, "auto");
  } finally {
    await context.close();
  }
});

test("keyboard and forced colours: a skip link first, visible focus, bordered buttons", async () => {
  const context = await browser.newContext({ forcedColors: "active" });
  const page = await context.newPage();
  try {
    await page.goto(`${sandbox.url}/demo/?lang=ja`);
    await page.locator("#from option").nth(1).waitFor({ state: "attached" });
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.className), "skip-link");
    await page.keyboard.press("Enter");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "main");
    // Every control is reachable with Tab and shows a focus outline.
    await page.locator("#from").focus();
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, "none");
    assert.equal(await page.evaluate(() => matchMedia("(forced-colors: active)").matches), true);
    const border = await page.locator("#search button[type=submit]").evaluate((b) => getComputedStyle(b).borderTopWidth);
    assert.ok(parseFloat(border) >= 2, `the search button keeps a ${border} border in forced colours`);
  } finally {
    await context.close();
  }
});

test("the callback pages opened directly say what to do, in words, without errors", async () => {
  const page = await browser.newPage();
  const errors = watchPageErrors(page);
  try {
    await page.goto(`${sandbox.url}/demo/callback.html?lang=en`);
    await page.locator("#problem-text").filter({ hasText: "not logged in" }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), "problem-h");
    assert.equal(await page.locator("#review").isHidden(), true);
    await expectNoAxeViolations(page, "callback without a login");
    // A replayed authorization response (the state was used): the SDK refuses it.
    await page.goto(`${sandbox.url}/demo/callback.html?code=abc&state=replayed-state-0123456789&iss=${encodeURIComponent(sandbox.url)}&lang=ja`);
    await page.locator("#problem-text").filter({ hasText: "state_mismatch" }).waitFor();
    await page.goto(`${sandbox.url}/demo/popup-callback.html?lang=ja`);
    await page.locator("#popup-status").filter({ hasText: "予約のページ" }).waitFor();
    await expectNoAxeViolations(page, "popup callback opened alone");
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test("the landing page links the demo, the playground, the widgets and the docs, in both languages", async () => {
  const page = await browser.newPage();
  const errors = watchPageErrors(page);
  try {
    await page.goto(`${sandbox.url}/`);
    for (const href of ["/demo/", "/playground/", "/widgets/", "/docs/"]) {
      assert.ok((await page.locator(`main a[href^="${href}"]`).count()) >= 1, `a link to ${href}`);
    }
    await expectNoAxeViolations(page, "landing (ja)");
    await page.locator("#lang-switch").click();
    assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
    assert.match(await page.locator("h1").textContent(), /Mirairo ID/);
    assert.match(page.url(), /lang=en/);
    await expectNoAxeViolations(page, "landing (en)");
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test("the playground shows every §4 check and the one that failed", async () => {
  const page = await browser.newPage();
  const errors = watchPageErrors(page);
  try {
    await page.goto(`${sandbox.url}/playground/?lang=en`);
    await page.locator("#sample-user option").first().waitFor({ state: "attached" });
    await expectNoAxeViolations(page, "playground (empty)");
    await page.getByRole("button", { name: "Get a sample credential" }).click();
    await page.locator("#sample-status").filter({ hasText: "sample credential" }).waitFor();
    await page.getByRole("button", { name: "Verify" }).click();
    await page.locator("#summary").filter({ hasText: "Every check passed" }).waitFor();
    const outcomes = await page.locator("#checks li").evaluateAll((lis) => lis.map((li) => [li.dataset.codes, li.dataset.outcome]));
    assert.equal(outcomes.length, 16);
    assert.ok(outcomes.every(([, o]) => o === "pass" || o === "notAsked"), JSON.stringify(outcomes));
    assert.match(await page.locator("#claims").textContent(), /fare_class/);
    await expectNoAxeViolations(page, "playground (passed)");

    // Require key binding on a bare credential: that row fails, the later ones are not run.
    await page.locator("#require-kb").check();
    await page.getByRole("button", { name: "Verify" }).click();
    await page.locator("#summary").filter({ hasText: "key_binding_required" }).waitFor();
    assert.equal(await page.locator('#checks li[data-outcome="fail"]').getAttribute("data-codes"), "key_binding_required");
    assert.equal(await page.locator('#checks li[data-codes="malformed"]').getAttribute("data-outcome"), "pass");
    assert.equal(await page.locator('#checks li[data-codes="certificate_expired"]').getAttribute("data-outcome"), "notRun");

    // Key binding made in the page, then a different nonce expected: bad_key_binding.
    await page.getByRole("button", { name: "Add key binding" }).click();
    await page.getByRole("button", { name: "Verify" }).click();
    await page.locator("#summary").filter({ hasText: "Every check passed" }).waitFor();
    await page.locator("#nonce").fill("another-nonce");
    await page.getByRole("button", { name: "Verify" }).click();
    await page.locator("#summary").filter({ hasText: "bad_key_binding" }).waitFor();
    assert.match(await page.locator('#checks li[data-outcome="fail"]').textContent(), /nonce/);

    // Revoked in the status list.
    await sandbox.control("/_sandbox/status", { idx: HANAKO_PHYSICAL_STATUS_IDX, status: 1 });
    await page.locator("#nonce").fill("");
    await page.locator("#require-kb").uncheck();
    await page.getByRole("button", { name: "Get a sample credential" }).click();
    await page.locator("#sample-status").filter({ hasText: "sample credential" }).waitFor();
    await page.getByRole("button", { name: "Verify" }).click();
    await page.locator("#summary").filter({ hasText: "revoked" }).waitFor();
    await expectNoAxeViolations(page, "playground (failed)");
    assert.deepEqual(errors, []);
  } finally {
    await sandbox.control("/_sandbox/status", { idx: HANAKO_PHYSICAL_STATUS_IDX, status: 0 });
    await page.close();
  }
});

/** Every name `dist/npm/sdk/index.d.ts` exports (declarations and re-export lists). */
function exportedNames(dts) {
  const names = new Set();
  for (const m of dts.matchAll(/^export\s+(?:declare\s+)?(?:const|function|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/gm)) names.add(m[1]);
  for (const m of dts.matchAll(/^export\s+(?:type\s+)?\{([^}]*)\}/gm)) {
    for (const part of m[1].split(",")) {
      const name = part.trim().split(/\s+as\s+/).pop()?.replace(/^type\s+/, "");
      if (name) names.add(name);
    }
  }
  return [...names];
}

test("the API reference names every export of the TypeScript declarations, in ja and en", async () => {
  const dts = readFileSync(path.join(repoRoot, "dist/npm/sdk/index.d.ts"), "utf8");
  const names = exportedNames(dts);
  for (const required of ["Verifier", "MirairoId", "fareDiscount", "MirairoIdError", "ready"]) {
    assert.ok(names.includes(required), `the parser found ${required}`);
  }
  const page = await browser.newPage();
  try {
    for (const url of ["/docs/reference.html", "/docs/en/reference.html"]) {
      await page.goto(`${sandbox.url}${url}`);
      const documented = await page.locator("article.api-entry").evaluateAll((els) => els.map((e) => e.id));
      const missing = names.filter((n) => !documented.includes(n));
      assert.deepEqual(missing, [], `${url} lacks ${missing.join(", ")}`);
      const stale = documented.filter((n) => !names.includes(n));
      assert.deepEqual(stale, [], `${url} documents names the package no longer exports: ${stale.join(", ")}`);
      await expectNoAxeViolations(page, url);
    }
    for (const url of ["/docs/", "/docs/en/"]) {
      await page.goto(`${sandbox.url}${url}`);
      assert.match(await page.locator("main pre").nth(1).textContent(), /MirairoId\.create/);
      await expectNoAxeViolations(page, url);
    }
  } finally {
    await page.close();
  }
});
