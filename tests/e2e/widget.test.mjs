// <mirairo-places> and <mirairo-coupons> end to end, in Debian's Chromium against the
// sandbox provider: search, filters, map, details, keyboard-only use, attribute
// changes, saved data on a failing network, injected API faults and recovery, XSS
// payloads, layout, axe in every state, and reference screenshots.
//
// Needs: target/debug/mirairo-id-sandbox and dist/npm/widget (cargo xtask build).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import {
  startSandbox,
  launchBrowser,
  expectNoAxeViolations,
  watchPageErrors,
  repoRoot,
} from "../lib/harness.mjs";
import { expectScreenshot } from "../lib/visual.mjs";

const PLACES_PATH = "/api/v1/places";
const COUPONS_PATH = "/api/v1/coupons";
const PLACES_RE = /\/api\/v1\/places\?/;
const COUPONS_RE = /\/api\/v1\/coupons\?/;

let sandbox;
let browser;

before(async () => {
  assert.ok(
    existsSync(path.join(repoRoot, "dist/npm/widget/index.js")),
    "dist/npm/widget missing: run `cargo xtask build` first",
  );
  sandbox = await startSandbox();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

/** Page object for the demo page www/widgets/index.html, which holds both elements. */
class WidgetsPage {
  constructor(page, errors) {
    this.page = page;
    this.errors = errors;
    this.places = page.locator("mirairo-places");
    this.coupons = page.locator("mirairo-coupons");
  }

  /** A fresh browser context (empty Cache Storage) unless `context` is given. */
  static async open({ lang = "ja", query = "", context, viewport, beforeGoto } = {}) {
    const ctx = context ?? (await browser.newContext({ viewport: viewport ?? { width: 1100, height: 900 } }));
    const page = await ctx.newPage();
    const errors = watchPageErrors(page);
    if (beforeGoto) await beforeGoto(page);
    const events = [];
    await page.exposeFunction("__recordEvent", (e) => events.push(e));
    await page.addInitScript(() => {
      for (const type of ["mirairo-place-select", "mirairo-coupon-select", "mirairo-error"]) {
        document.addEventListener(type, (e) =>
          window.__recordEvent({ type, detail: e.detail, bubbles: e.bubbles, composed: e.composed, target: e.target.localName }),
        );
      }
    });
    await page.goto(`${sandbox.url}/widgets/index.html?lang=${lang}${query}`);
    const w = new WidgetsPage(page, errors);
    w.events = events;
    w.context = ctx;
    return w;
  }

  async close() {
    await this.context.close();
  }

  count() {
    return this.places.locator(".count");
  }

  /** Waits until the places list shows its count and returns the number in it. */
  async placesCount() {
    await this.count().waitFor();
    await this.page.waitForFunction(() => {
      const t = document.querySelector("mirairo-places")?.shadowRoot?.querySelector(".count")?.textContent ?? "";
      return /\d/.test(t);
    });
    const text = await this.count().textContent();
    return Number(/(\d+)/.exec(text)[1]);
  }

  rows() {
    return this.places.locator("li.row");
  }

  search() {
    return this.places.getByRole("searchbox");
  }

  async typeSearch(text) {
    await this.search().fill("");
    await this.search().pressSequentially(text, { delay: 10 });
  }

  /** The focused element, looking into shadow roots. */
  active() {
    return this.page.evaluate(() => {
      let a = document.activeElement;
      while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
      return a
        ? {
            tag: a.localName,
            id: a.id,
            role: a.getAttribute("role"),
            type: a.getAttribute("type"),
            label: a.getAttribute("aria-label"),
            text: (a.textContent ?? "").trim().slice(0, 60),
            inPlaces: a.getRootNode()?.host?.localName === "mirairo-places",
            inCoupons: a.getRootNode()?.host?.localName === "mirairo-coupons",
          }
        : null;
    });
  }

  async shadowText(tag) {
    return this.page.evaluate((t) => document.querySelector(t).shadowRoot.textContent, tag);
  }

  /** Waits until the coupons show their count. */
  async waitForCoupons() {
    await this.page.waitForFunction(() =>
      /\d/.test(document.querySelector("mirairo-coupons")?.shadowRoot?.querySelector(".count")?.textContent ?? ""),
    );
  }
}

async function fault(body) {
  await sandbox.control("/_sandbox/faults", body);
}

test("places: loads every page of the list, then search folds kana and width", async () => {
  const w = await WidgetsPage.open();
  assert.equal(await w.placesCount(), 3512, "all pages of limit=500 are fetched");
  assert.equal(await w.rows().count(), 50, "rendered in pages of 50");

  const counts = {};
  for (const q of ["シブヤ", "しぶや", "ｼﾌﾞﾔ"]) {
    await w.typeSearch(q);
    counts[q] = await w.placesCount();
  }
  assert.ok(counts["シブヤ"] > 0, "the seed has places read シブヤ");
  assert.equal(counts["しぶや"], counts["シブヤ"], "hiragana finds katakana readings");
  assert.equal(counts["ｼﾌﾞﾔ"], counts["シブヤ"], "half-width katakana too");

  await w.typeSearch("渋谷区");
  const byCity = await w.placesCount();
  assert.ok(byCity > 0);
  for (const text of await w.rows().allTextContents()) assert.match(text, /渋谷区/);

  // The count is announced politely, after typing settles.
  const status = w.places.locator("[role=status]");
  await assert.doesNotReject(
    w.page.waitForFunction(
      (n) =>
        document.querySelector("mirairo-places").shadowRoot.querySelector("[role=status]").textContent ===
        `${n}件の場所`,
      byCity,
    ),
  );
  assert.equal(await status.getAttribute("role"), "status");

  await w.typeSearch("存在しない場所ｘｙｚ");
  assert.equal(await w.placesCount(), 0);
  await w.places.getByText("条件に合う場所はありません").waitFor();
  await expectNoAxeViolations(w.page, "places, no results (ja)");
  assert.deepEqual(w.errors, []);
  await w.close();
});

test("places: filters by prefecture (select and map), category and certificate", async () => {
  const w = await WidgetsPage.open();
  await w.placesCount();
  const tokyoTile = w.places.getByRole("button", { name: /^東京都 \d+件$/ });
  const tileName = await tokyoTile.getAttribute("aria-label");
  const tokyo = Number(/(\d+)件/.exec(tileName)[1]);
  assert.ok(tokyo >= 20);

  await w.places.locator("#pref").selectOption("13");
  assert.equal(await w.placesCount(), tokyo, "the tile's count is the filtered count");
  assert.equal(await tokyoTile.getAttribute("aria-pressed"), "true");
  for (const text of await w.rows().allTextContents()) assert.match(text, /東京都/);

  await w.places.locator("#cat").selectOption("railway");
  const railway = await w.placesCount();
  assert.ok(railway > 0 && railway < tokyo);
  for (const text of await w.rows().allTextContents()) assert.match(text, /鉄道/);

  await w.places.locator("#cert").selectOption("intellectual");
  assert.ok((await w.placesCount()) <= railway);
  await expectNoAxeViolations(w.page, "places, filtered (ja)");

  // The map filters too: choosing 大阪府 replaces 東京都, choosing it again clears it.
  await w.places.getByRole("button", { name: "条件をクリア" }).click();
  assert.equal(await w.placesCount(), 3512);
  const osaka = w.places.getByRole("button", { name: /^大阪府 \d+件$/ });
  await osaka.click();
  assert.equal(await osaka.getAttribute("aria-pressed"), "true");
  assert.equal(await w.places.locator("#pref").inputValue(), "27");
  for (const text of await w.rows().allTextContents()) assert.match(text, /大阪府/);
  await osaka.click();
  assert.equal(await osaka.getAttribute("aria-pressed"), "false");
  assert.equal(await w.placesCount(), 3512);

  // Every tile is a named control of at least 24 x 24 CSS px.
  const tiles = w.places.locator(".tile");
  assert.equal(await tiles.count(), 47);
  for (const box of await tiles.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON()))) {
    assert.ok(box.width >= 24 && box.height >= 24, `tile ${JSON.stringify(box)}`);
  }
  await w.close();
});

test("places: details show every fact, fire mirairo-place-select, and back restores focus", async () => {
  const w = await WidgetsPage.open();
  await w.placesCount();
  const first = w.rows().nth(2).getByRole("button");
  const rowId = await first.getAttribute("id");
  await first.click();
  const heading = w.places.locator("#detail-heading");
  await heading.waitFor();
  assert.equal((await w.active()).id, "detail-heading", "focus moves to the details heading");
  const detail = await w.places.locator(".detail").textContent();
  for (const label of ["住所", "使える障害者手帳", "マイナポータル連携", "サポート"]) assert.ok(detail.includes(label), label);
  assert.match(detail, /マイナポータル連携(必要|不要)/);
  const link = w.places.locator(".detail a");
  assert.match(await link.getAttribute("href"), /^https:\/\//);
  assert.equal(await link.getAttribute("target"), "_blank");
  assert.equal(await link.getAttribute("rel"), "noopener noreferrer");
  assert.deepEqual(
    w.events.filter((e) => e.type === "mirairo-place-select").map((e) => [e.detail.id, e.bubbles, e.composed, e.target]),
    [[rowId.replace(/^row-/, ""), true, true, "mirairo-places"]],
  );
  await expectNoAxeViolations(w.page, "places, details (ja)");

  await w.places.getByRole("button", { name: "一覧に戻る" }).click();
  assert.equal((await w.active()).id, rowId, "back returns focus to the row");
  // Escape closes too.
  await w.page.keyboard.press("Enter");
  await heading.waitFor();
  await w.page.keyboard.press("Escape");
  await w.page.waitForFunction(() => !document.querySelector("mirairo-places").shadowRoot.querySelector(".detail"));
  assert.equal((await w.active()).id, rowId);
  await w.close();
});

test("keyboard only: every control of both elements is reachable and works", async () => {
  const w = await WidgetsPage.open();
  await w.placesCount();
  await w.waitForCoupons();
  // Tab from the top of the page through the whole places widget.
  await w.page.locator("body").focus();
  const seen = [];
  for (let i = 0; i < 200; i++) {
    await w.page.keyboard.press("Tab");
    const a = await w.active();
    if (!a) break;
    if (a.inCoupons) break;
    if (a.inPlaces) seen.push(a);
  }
  const kinds = seen.map((a) => a.type === "search" ? "search" : a.tag === "select" ? `select#${a.id}` : a.id.startsWith("row-") ? "row" : a.id.startsWith("tile-") ? "tile" : a.text);
  assert.equal(kinds[0], "search");
  assert.deepEqual(kinds.slice(1, 4), ["select#pref", "select#cat", "select#cert"]);
  assert.equal(kinds.filter((k) => k === "row").length, 50);
  assert.ok(kinds.some((k) => /^もっと見る/.test(k)), "show more");
  assert.equal(kinds.filter((k) => k === "tile").length, 1, "the map is one Tab stop");

  // Typing in the search box, then Shift+Tab/Tab to operate the rest.
  await w.search().focus();
  await w.page.keyboard.type("大阪");
  const osakaCount = await w.placesCount();
  assert.ok(osakaCount > 0);
  await w.page.keyboard.press("Control+A");
  await w.page.keyboard.press("Delete");
  assert.equal(await w.placesCount(), 3512);

  // "Show more" by keyboard moves focus to the first new row.
  await w.places.locator(".more").focus();
  await w.page.keyboard.press("Enter");
  await w.page.waitForFunction(() => document.querySelector("mirairo-places").shadowRoot.querySelectorAll("li.row").length === 100);
  const firstNew = await w.rows().nth(50).getByRole("button").getAttribute("id");
  assert.equal((await w.active()).id, firstNew);

  // Map: arrow keys move between tiles, Enter selects.
  await w.places.locator(".tile[tabindex='0']").focus();
  assert.equal((await w.active()).id, "tile-13", "東京都 is the default stop");
  await w.page.keyboard.press("ArrowLeft");
  assert.equal((await w.active()).id, "tile-11");
  await w.page.keyboard.press("ArrowUp");
  assert.equal((await w.active()).id, "tile-10");
  await w.page.keyboard.press("Enter");
  assert.equal(await w.places.locator("#tile-10").getAttribute("aria-pressed"), "true");
  assert.equal(await w.places.locator("#pref").inputValue(), "10");
  await w.page.keyboard.press("Space");
  assert.equal(await w.places.locator("#tile-10").getAttribute("aria-pressed"), "false");

  // Selects by keyboard.
  await w.places.locator("#cat").focus();
  await w.page.keyboard.press("ArrowDown");
  assert.ok((await w.placesCount()) < 3512, "first category chosen with the keyboard");

  // Coupons: Tab reaches the filters and every card's button; Enter chooses.
  const select = w.coupons.getByRole("button", { name: /^このクーポンを選ぶ/ }).first();
  await select.focus();
  await w.page.keyboard.press("Enter");
  const chosen = w.events.filter((e) => e.type === "mirairo-coupon-select");
  assert.equal(chosen.length, 1);
  assert.match(chosen[0].detail.id, /^cp_/);
  assert.equal(chosen[0].target, "mirairo-coupons");

  // Focus is always visible: a focused control has an outline.
  const outline = await w.page.evaluate(() => {
    let a = document.activeElement;
    while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
    const s = getComputedStyle(a);
    return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
  });
  assert.notEqual(outline.style, "none");
  assert.ok(outline.width >= 2);
  assert.deepEqual(w.errors, []);
  await w.close();
});

test("attributes are props: prefecture, category, lang, calendar follow changes", async () => {
  const w = await WidgetsPage.open();
  await w.placesCount();
  await w.places.evaluate((el) => el.setAttribute("prefecture", "47"));
  await w.page.waitForFunction(
    () => document.querySelector("mirairo-places").shadowRoot.querySelector("#pref").value === "47",
  );
  for (const text of await w.rows().allTextContents()) assert.match(text, /沖縄県/);
  await w.places.evaluate((el) => el.setAttribute("category", "bus"));
  await w.page.waitForFunction(
    () => document.querySelector("mirairo-places").shadowRoot.querySelector("#cat").value === "bus",
  );
  for (const text of await w.rows().allTextContents()) assert.match(text, /バス/);

  await w.places.evaluate((el) => el.setAttribute("lang", "en"));
  await w.places.getByRole("heading", { name: "Places that accept Mirairo ID" }).waitFor();
  await w.places.getByRole("button", { name: /^Okinawa \d+$/ }).waitFor();
  for (const text of await w.rows().allTextContents()) assert.match(text, /Okinawa/);
  await w.places.evaluate((el) => {
    el.removeAttribute("prefecture");
    el.removeAttribute("category");
  });
  assert.equal(await w.placesCount(), 3512);

  // Coupons: Japanese era dates only with lang="ja" calendar="japanese".
  await w.waitForCoupons();
  const validity = w.coupons.locator(".validity").first();
  assert.match(await validity.textContent(), /^有効期限：20\d\d年\d+月\d+日まで$/);
  await w.coupons.evaluate((el) => el.setAttribute("calendar", "japanese"));
  await w.page.waitForFunction(() =>
    /令和\d+年/.test(document.querySelector("mirairo-coupons").shadowRoot.querySelector(".validity").textContent),
  );
  await w.coupons.evaluate((el) => el.setAttribute("lang", "en"));
  await w.page.waitForFunction(() =>
    /^Valid until \d{1,2} [A-Z][a-z]{2} 20\d\d$/.test(
      document.querySelector("mirairo-coupons").shadowRoot.querySelector(".validity").textContent,
    ),
  );
  await w.coupons.getByText("For Mirairo ID holders only. Not transferable.").first().waitFor();
  await w.coupons.evaluate((el) => el.setAttribute("prefecture", "13"));
  await w.page.waitForFunction(
    () => document.querySelector("mirairo-coupons").shadowRoot.querySelector("#pref").value === "13",
  );
  for (const text of await w.coupons.locator("li.card").allTextContents()) assert.match(text, /Tokyo/);

  // Re-inserting the element keeps working; removing it cleanly unmounts it.
  await w.places.evaluate((el) => {
    const parent = el.parentNode;
    parent.removeChild(el);
    parent.prepend(el);
  });
  await w.places.getByRole("heading", { name: "Places that accept Mirairo ID" }).waitFor();
  assert.deepEqual(w.errors, []);
  await w.close();
});

test("coupons: terms, validity, upcoming marks; expired ones are hidden", async () => {
  const w = await WidgetsPage.open();
  await w.waitForCoupons();
  const { items } = await (await fetch(`${sandbox.url}${COUPONS_PATH}?lang=ja`)).json();
  const today = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
  const live = items.filter((c) => c.valid_until >= today);
  const upcoming = live.filter((c) => c.valid_from > today);
  assert.ok(live.length < items.length, "the seed has expired coupons");
  const cards = w.coupons.locator("li.card");
  assert.equal(await cards.count(), live.length);
  assert.equal(await w.coupons.locator(".badge").count(), upcoming.length);
  for (const text of await w.coupons.locator(".badge").allTextContents()) assert.match(text, /^\d+月\d+日から$/);
  assert.equal(await w.coupons.getByText("ミライロID登録者限定・譲渡不可").count(), live.length);
  const first = live.find((c) => !upcoming.includes(c)) ?? live[0];
  const card = cards.filter({ hasText: first.title }).first();
  const text = await card.textContent();
  for (const part of [first.business, first.title, first.discount]) assert.ok(text.includes(part), part);
  await expectNoAxeViolations(w.page, "coupons (ja)");
  await w.coupons.locator("#cat").selectOption(first.category);
  const sameCategory = live.filter((c) => c.category === first.category).length;
  await w.page.waitForFunction(
    (n) => document.querySelector("mirairo-coupons").shadowRoot.querySelectorAll("li.card").length === n,
    sameCategory,
  );
  assert.equal(new Set(await w.coupons.locator("li.card .tag").allTextContents()).size, 1, "one category shown");
  await w.close();
});

test("a revisit revalidates with If-None-Match; a failing network shows the saved list, marked", async () => {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const first = await WidgetsPage.open({ context });
  assert.equal(await first.placesCount(), 3512);
  await first.waitForCoupons();
  await first.page.close();

  // Revisit: every API request is conditional and answered 304, nothing is stale.
  const conditional = [];
  const second = await WidgetsPage.open({
    context,
    beforeGoto: (page) =>
      page.on("response", async (r) => {
        if (r.url().includes(PLACES_PATH)) {
          conditional.push([(await r.request().allHeaders())["if-none-match"] !== undefined, r.status()]);
        }
      }),
  });
  assert.equal(await second.placesCount(), 3512);
  assert.ok(conditional.length >= 8);
  assert.ok(conditional.every(([c, s]) => c && s === 304), JSON.stringify(conditional));
  assert.equal(await second.places.locator(".notice").count(), 0);
  await second.page.close();

  // Network down for the provider: the saved list is shown and says so.
  const offline = await WidgetsPage.open({
    context,
    beforeGoto: (page) =>
      page.route(/\/(\.well-known|api\/v1)\//, (route) => route.abort("internetdisconnected")),
  });
  assert.equal(await offline.placesCount(), 3512);
  await offline.places.getByText("前回取得したデータを表示しています").waitFor();
  await offline.coupons.getByText("前回取得したデータを表示しています").waitFor();
  assert.deepEqual(offline.events.filter((e) => e.type === "mirairo-error"), [], "saved data is not an error");
  await expectNoAxeViolations(offline.page, "stale data notice (ja)");
  // Network back: Try again refreshes and the notice goes away.
  await offline.page.unroute(/\/(\.well-known|api\/v1)\//);
  await offline.places.getByRole("button", { name: "再読み込み" }).click();
  await offline.page.waitForFunction(() => !document.querySelector("mirairo-places").shadowRoot.querySelector(".notice"));
  await context.close();
});

const faults = [
  { name: "503", fault: { path: PLACES_PATH, status: 503 }, code: "provider_error", text: "サーバーで問題が起きた" },
  { name: "malformed JSON", fault: { path: PLACES_PATH, body: "malformed" }, code: "bad_response", text: "読み取れないデータ" },
  {
    name: "metadata 500",
    fault: { path: "/.well-known/openid-configuration", status: 500, count: 2 },
    code: "provider_error",
    text: "サーバーで問題が起きた",
  },
  { name: "timeout", fault: { path: PLACES_PATH, delay_ms: 13_000 }, code: "timeout", text: "サーバーの応答がない" },
];

for (const { name, fault: f, code, text } of faults) {
  test(`API fault (${name}): says what happened, emits mirairo-error, Try again recovers`, { timeout: 60_000 }, async () => {
    await fault({ count: 1, ...f });
    const w = await WidgetsPage.open();
    const alert = w.places.getByRole("alert");
    await alert.waitFor({ timeout: 20_000 });
    assert.ok((await alert.textContent()).includes(text), await alert.textContent());
    const errors = w.events.filter((e) => e.type === "mirairo-error" && e.target === "mirairo-places");
    assert.deepEqual(errors.map((e) => [e.detail.code, e.bubbles, e.composed]), [[code, true, true]]);
    await expectNoAxeViolations(w.page, `error state ${name}`);
    // The fault is used up: the next attempt works.
    await w.places.getByRole("button", { name: "再読み込み" }).click();
    assert.equal(await w.placesCount(), 3512);
    assert.equal(await w.places.getByRole("alert").count(), 0);
    await w.close();
  });
}

test("a missing or unreachable api is reported as invalid_config / network", { timeout: 30_000 }, async () => {
  const w = await WidgetsPage.open();
  await w.placesCount();
  await w.page.evaluate(() => {
    const missing = document.createElement("mirairo-places");
    missing.id = "missing";
    const unreachable = document.createElement("mirairo-coupons");
    unreachable.id = "unreachable";
    unreachable.setAttribute("api", "http://127.0.0.1:9");
    document.querySelector("main").append(missing, unreachable);
  });
  const alertOf = (id) => w.page.locator(`#${id}`).getByRole("alert");
  await alertOf("unreachable").waitFor({ timeout: 15_000 });
  await alertOf("missing").waitFor({ timeout: 15_000 });
  assert.match(await alertOf("missing").textContent(), /api属性/);
  const codes = w.events.filter((e) => e.type === "mirairo-error").map((e) => [e.target, e.detail.code]);
  assert.deepEqual(codes.sort(), [["mirairo-coupons", "network"], ["mirairo-places", "invalid_config"]]);
  // Setting the attribute afterwards loads the data.
  await w.page.evaluate(() => document.getElementById("missing").setAttribute("api", location.origin));
  await w.page.waitForFunction(
    () => /3512/.test(document.getElementById("missing").shadowRoot.querySelector(".count")?.textContent ?? ""),
  );
  await expectNoAxeViolations(w.page, "configuration errors");
  await w.close();
});

test("api must name the issuer exactly (the SDK's rule): a trailing slash is invalid_config", async () => {
  const w = await WidgetsPage.open();
  await w.placesCount(); // api = location.origin, the issuer exactly: loads
  await w.page.evaluate(() => {
    const slash = document.createElement("mirairo-coupons");
    slash.id = "slash";
    slash.setAttribute("api", `${location.origin}/`);
    document.querySelector("main").append(slash);
  });
  await w.page.locator("#slash").getByRole("alert").waitFor({ timeout: 15_000 });
  const codes = w.events.filter((e) => e.type === "mirairo-error").map((e) => [e.target, e.detail.code]);
  assert.deepEqual(codes, [["mirairo-coupons", "invalid_config"]]);
  await w.close();
});

test("deeply nested values in the API neither crash nor stop the widget", async () => {
  // The browser parses any depth (JSON.parse); what reaches Rust must not recurse with it.
  const deep = "[".repeat(200_000) + "]".repeat(200_000);
  const item = `{"id":"deep","name":"深い入れ子","category":"other","prefecture":"13","city":${deep},"accepts":${deep},"support":["wheelchair",${deep}]}`;
  const body = `{"items":[${item}],"total":1}`;
  const w = await WidgetsPage.open({
    beforeGoto: (page) =>
      page.route(PLACES_RE, (route) => route.fulfill({ status: 200, contentType: "application/json", body })),
  });
  assert.equal(await w.placesCount(), 1);
  await w.rows().first().click();
  await w.places.getByText("車いすで利用できます").waitFor();
  assert.deepEqual(w.errors, []);
  await w.close();
});

test("XSS payloads from the API stay inert text", async () => {
  const payloads = [
    `<img src=x onerror="window.__xss='img'">`,
    `<script>window.__xss='script'</script>`,
    `"><svg onload="window.__xss='svg'">`,
    `{{7*7}}<iframe srcdoc="<script>parent.__xss='iframe'</script>">`,
  ];
  const place = (i, p) => ({
    id: `x${i}"><b>`,
    name: p,
    name_kana: p,
    category: "railway",
    prefecture: "13",
    city: p,
    address: p,
    business: p,
    accepts: ["physical", p],
    requires_mynaportal: false,
    support: [p],
    url: i % 2 ? "javascript:window.__xss='url'" : " JaVaScRiPt:window.__xss='url2'",
  });
  const coupon = (i, p) => ({
    id: `c${i}`,
    business: p,
    title: p,
    description: p,
    discount: p,
    valid_from: "2020-01-01",
    valid_until: "2999-12-31",
    conditions: p,
    category: "museum",
    prefecture: "13",
    url: "javascript:window.__xss='coupon-url'",
  });
  const w = await WidgetsPage.open({
    beforeGoto: async (page) => {
      await page.route(PLACES_RE, (route) =>
        route.fulfill({ json: { items: payloads.map((p, i) => place(i, p)), next_cursor: null, total: 4 } }),
      );
      await page.route(COUPONS_RE, (route) =>
        route.fulfill({ json: { items: payloads.map((p, i) => coupon(i, p)) } }),
      );
    },
  });
  assert.equal(await w.placesCount(), payloads.length);
  await w.waitForCoupons();
  for (const p of payloads) await w.places.getByText(p, { exact: true }).first().waitFor();
  await w.rows().first().getByRole("button").click();
  await w.places.locator("#detail-heading").waitFor();
  assert.equal(await w.places.locator(".detail a").count(), 0, "javascript: links are dropped");
  assert.equal(await w.coupons.locator("a").count(), 0);
  await w.coupons.getByRole("button", { name: /このクーポンを選ぶ/ }).first().click();
  await w.page.waitForTimeout(300);
  const injected = await w.page.evaluate(() => {
    const roots = ["mirairo-places", "mirairo-coupons"].map((t) => document.querySelector(t).shadowRoot);
    return {
      xss: window.__xss ?? null,
      elements: roots.reduce((n, r) => n + r.querySelectorAll("img, script, svg, iframe, b").length, 0),
    };
  });
  assert.deepEqual(injected, { xss: null, elements: 0 });
  assert.deepEqual(w.errors, []);
  await w.close();
});

test("loading reserves space (no layout shift) and respects reduced motion", async () => {
  let release;
  const gate = new Promise((r) => (release = r));
  const w = await WidgetsPage.open({
    beforeGoto: async (page) => {
      await page.emulateMedia({ reducedMotion: "reduce" });
      await page.route(PLACES_RE, async (route) => {
        await gate;
        await route.continue();
      });
    },
  });
  const skeleton = w.places.locator(".skeleton");
  await skeleton.waitFor();
  assert.equal(await skeleton.getAttribute("aria-hidden"), "true");
  assert.equal(await w.places.locator("section").first().getAttribute("aria-busy"), "true");
  const animation = await skeleton.locator(".skeleton-row").first().evaluate((e) => getComputedStyle(e).animationName);
  assert.equal(animation, "none", "no pulsing with prefers-reduced-motion");
  await expectNoAxeViolations(w.page, "places loading");
  const before = await w.places.evaluate((el) => {
    const r = el.shadowRoot;
    return [r.querySelector("input"), r.querySelector(".map"), r.querySelector(".results")].map((e) => e.getBoundingClientRect().top);
  });
  release();
  await w.placesCount();
  const afterLoad = await w.places.evaluate((el) => {
    const r = el.shadowRoot;
    return [r.querySelector("input"), r.querySelector(".map"), r.querySelector(".results")].map((e) => e.getBoundingClientRect().top);
  });
  assert.deepEqual(afterLoad, before, "search box, map and list stay where the skeleton put them");
  await w.close();
});

test("320 px wide, 200% text and forced colours: no page-level horizontal scrolling, axe clean", async () => {
  const w = await WidgetsPage.open({ viewport: { width: 320, height: 800 } });
  await w.placesCount();
  await w.waitForCoupons();
  const overflow = () => w.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok((await overflow()) <= 0, "320 px");
  await expectNoAxeViolations(w.page, "320 px (ja)");
  const box = await w.places.boundingBox();
  await expectScreenshot("places-320-ja", () =>
    w.page.screenshot({ fullPage: true, clip: { x: 0, y: box.y, width: 320, height: 1500 }, animations: "disabled" }),
  );
  await w.page.evaluate(() => (document.documentElement.style.fontSize = "200%"));
  await w.page.setViewportSize({ width: 640, height: 800 });
  assert.ok((await overflow()) <= 0, "200% text at 640 px");
  await w.page.emulateMedia({ forcedColors: "active" });
  const tileBorder = await w.places.locator(".tile").first().evaluate((e) => getComputedStyle(e).borderTopStyle);
  assert.equal(tileBorder, "solid", "tiles keep a border in forced colours");
  await w.close();
});

test("screenshots of each element in ja and en match their references, axe clean in both", async () => {
  for (const lang of ["ja", "en"]) {
    const w = await WidgetsPage.open({ lang, viewport: { width: 1000, height: 900 } });
    await w.placesCount();
    await w.waitForCoupons();
    await expectNoAxeViolations(w.page, `both elements (${lang})`);
    for (const [tag, loc] of [["places", w.places], ["coupons", w.coupons]]) {
      const box = await loc.boundingBox();
      const clip = { x: box.x, y: box.y, width: box.width, height: Math.min(box.height, 1100) };
      await expectScreenshot(`${tag}-${lang}`, () => w.page.screenshot({ fullPage: true, clip, animations: "disabled" }));
    }
    // The details view, too.
    await w.rows().first().getByRole("button").click();
    await w.places.locator("#detail-heading").waitFor();
    await expectNoAxeViolations(w.page, `details (${lang})`);
    await expectScreenshot(`places-detail-${lang}`, () => w.places.screenshot({ animations: "disabled" }));
    assert.deepEqual(w.errors, []);
    await w.close();
  }
});
