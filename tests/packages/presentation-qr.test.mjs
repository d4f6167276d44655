// <mirairo-presentation-qr> from the installed package in Chromium (no build step): the QR
// code decodes (with jsQR, independent of the encoder) to the request URL; the encoder
// chunk is fetched only once an element has a URL; names, text alternative, link, sizes,
// keyboard focus, ja/en, bad URLs; axe-core in every state.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { PresentationRequest } from "@mirairo-id/sdk";
import { launchBrowser, watchPageErrors, expectNoAxeViolations } from "../../tests/lib/harness.mjs";
import { decodeQrInPage } from "../../tests/lib/qr.mjs";
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

const request = (claims = ["certificate_type", "fare_class", "caregiver", "valid_until"]) =>
  PresentationRequest.create({ responseUri: "https://rail.example/api/counter/response", claims, clientName: "みらい鉄道 新宿駅" });

const drawn = (page) => page.waitForFunction(() => !document.getElementById("qr").shadowRoot.querySelector("svg").hasAttribute("data-empty"));
const parts = (page) =>
  page.evaluate(() => {
    const root = document.getElementById("qr").shadowRoot;
    const svg = root.querySelector("svg");
    const link = root.querySelector("a");
    const box = svg.getBoundingClientRect();
    const linkBox = link.getBoundingClientRect();
    return {
      role: svg.getAttribute("role"),
      name: svg.getAttribute("aria-label"),
      viewBox: svg.getAttribute("viewBox"),
      empty: svg.hasAttribute("data-empty"),
      width: box.width,
      height: box.height,
      instructions: root.querySelector("[part=instructions]").textContent,
      link: { href: link.getAttribute("href"), text: link.textContent, visible: link.offsetParent !== null, width: linkBox.width, height: linkBox.height },
    };
  });

test("draws the request as a QR code that decodes to its URL, with names and a same-phone link", async () => {
  const page = await browser.newPage();
  const errors = watchPageErrors(page);
  const chunks = [];
  page.on("request", (r) => r.url().endsWith("/qr-encode.js") && chunks.push(r.url()));
  await page.goto(`${server.url}/qr.html`);
  await page.waitForSelector("body[data-ready]");
  await page.waitForFunction(() => customElements.get("mirairo-presentation-qr") !== undefined);
  assert.deepEqual(chunks, [], "no encoder is fetched until an element has a URL");
  const empty = await parts(page);
  assert.equal(empty.empty, true);
  assert.equal(empty.link.visible, false);
  await expectNoAxeViolations(page, "element without url");

  const r = request();
  await page.evaluate((url) => document.getElementById("qr").setAttribute("url", url), r.url);
  await drawn(page);
  const ja = await parts(page);
  assert.equal(chunks.length, 1, "the encoder chunk is fetched once");
  assert.equal(ja.role, "img");
  assert.equal(ja.name, "Mirairo IDアプリで読み取るQRコード");
  assert.match(ja.instructions, /Mirairo IDアプリを開き、このQRコードを読み取ってください/);
  assert.deepEqual([ja.link.href, ja.link.text, ja.link.visible], [r.url, "Mirairo IDアプリで開く", true]);
  assert.ok(ja.width >= 280 && Math.abs(ja.width - ja.height) < 1, `at least 280 px and square: ${ja.width}x${ja.height}`);
  assert.ok(ja.link.width >= 24 && ja.link.height >= 24, "link target ≥ 24 px");
  const [, , side] = ja.viewBox.split(" ").map(Number);
  assert.equal((side - 8 - 21) % 4, 0, "a QR version's size plus a quiet zone of 4 modules each side");
  assert.equal(await decodeQrInPage(page, "#qr"), r.url);
  await expectNoAxeViolations(page, "ja");

  // Keyboard: the link is reached with Tab and shows its focus.
  await page.keyboard.press("Tab");
  const focus = await page.evaluate(() => {
    const link = document.getElementById("qr").shadowRoot.querySelector("a");
    const style = getComputedStyle(link);
    return { focused: document.getElementById("qr").shadowRoot.activeElement === link, visible: link.matches(":focus-visible"), outline: style.outlineStyle, width: parseFloat(style.outlineWidth) };
  });
  assert.deepEqual([focus.focused, focus.visible, focus.outline], [true, true, "solid"]);
  assert.ok(focus.width >= 2);

  // Attribute changes are followed: English, then another request.
  await page.evaluate(() => document.getElementById("qr").setAttribute("lang", "en"));
  const en = await parts(page);
  assert.equal(en.name, "QR code to scan with the Mirairo ID app");
  assert.equal(en.link.text, "Open in the Mirairo ID app");
  assert.match(en.instructions, /^Open the Mirairo ID app on your phone and scan this QR code/);
  await expectNoAxeViolations(page, "en");
  const r2 = request(["fare_class"]);
  await page.evaluate((url) => document.getElementById("qr").setAttribute("url", url), r2.url);
  await page.waitForFunction((url) => document.getElementById("qr").shadowRoot.querySelector("a").getAttribute("href") === url, r2.url);
  assert.equal(await decodeQrInPage(page, "#qr"), r2.url);
  assert.equal(chunks.length, 1, "the chunk is loaded once per page");
  assert.deepEqual(await page.evaluate(() => window.qrErrors), []);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a URL that is not an openid4vp: request, or too long for a QR code, draws nothing and dispatches mirairo-error", async () => {
  const page = await browser.newPage();
  await page.goto(`${server.url}/qr.html`);
  await page.waitForSelector("body[data-ready]");
  const r = request();
  for (const [bad, code] of [
    ["javascript:alert(1)", "invalid_config"],
    ["https://rail.example/", "invalid_config"],
    [`openid4vp://?x=${"a".repeat(5000)}`, "invalid_config"],
  ]) {
    await page.evaluate((url) => document.getElementById("qr").setAttribute("url", url), r.url);
    await drawn(page);
    const before = await page.evaluate(() => window.qrErrors.length);
    await page.evaluate((url) => document.getElementById("qr").setAttribute("url", url), bad);
    await page.waitForFunction((n) => window.qrErrors.length > n, before);
    assert.deepEqual(await page.evaluate(() => window.qrErrors.at(-1)), { code, isError: true }, bad.slice(0, 30));
    const state = await parts(page);
    assert.equal(state.empty, true, bad.slice(0, 30));
    assert.equal(state.link.href, null, "no link to a bad URL");
    assert.equal(state.link.visible, false);
    await expectNoAxeViolations(page, `bad url ${bad.slice(0, 20)}`);
  }
  await page.close();
});
