// Loads the installed packages by name in Chromium from a page with no build step.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { expectNoAxeViolations, launchBrowser, watchPageErrors } from "../../tests/lib/harness.mjs";
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

test("the widget fetches its wasm only when an element connects", async () => {
  const page = await browser.newPage();
  const errors = watchPageErrors(page);
  const wasm = [];
  page.on("request", (r) => /mirairo_id_widget_bg\.wasm$/.test(r.url()) && wasm.push(r.url()));
  await page.goto(`${server.url}/lazy.html`);
  await page.locator("#status").filter({ hasText: "imported" }).waitFor();
  assert.equal(await page.evaluate(() => typeof customElements.get("mirairo-places")), "function", "defined at import");
  await page.waitForTimeout(300);
  assert.deepEqual(wasm, [], "no wasm fetched without an element");
  await page.evaluate(() => {
    for (const tag of ["mirairo-places", "mirairo-coupons"]) {
      const el = document.createElement(tag);
      el.setAttribute("api", "http://127.0.0.1:9");
      document.querySelector("main").append(el);
    }
  });
  await page.waitForFunction(() => document.querySelector("mirairo-places").shadowRoot.querySelector(".mount"));
  await page.waitForFunction(() => document.querySelector("mirairo-coupons").shadowRoot.querySelector(".mount"));
  assert.equal(wasm.length, 1, "fetched once for both elements");
  assert.deepEqual(errors.filter((e) => !/127\.0\.0\.1:9|Failed to fetch|ERR_/.test(e)), []);
  await page.close();
});

test("placeholder.css: undefined elements keep the placeholder's box and say Loading in their language", async () => {
  const page = await browser.newPage();
  const errors = watchPageErrors(page);
  // The wasm is held until the end, so the defined-but-loading state can be seen too.
  let release;
  const gate = new Promise((resolve) => (release = resolve));
  await page.route(/mirairo_id_widget_bg\.wasm$/, async (route) => {
    await gate;
    await route.continue();
  });
  try {
    await page.goto(`${server.url}/placeholder.html`);
    const look = (tag) =>
      page.evaluate((tag) => {
        const el = document.querySelector(tag);
        return { height: el.getBoundingClientRect().height, before: getComputedStyle(el, "::before").content, defined: el.matches(":defined") };
      }, tag);
    const places = await look("mirairo-places");
    const coupons = await look("mirairo-coupons");
    assert.deepEqual(places, { height: 768, before: '"Loading…"', defined: false }, "places: 48rem, English (its lang)");
    assert.deepEqual(coupons, { height: 432, before: '"読み込み中…"', defined: false }, "coupons: 27rem, Japanese (the page's lang)");
    await expectNoAxeViolations(page, "widget placeholders, undefined");

    // Defined, the wasm on its way: the shadow root shows the same box and text.
    await page.evaluate(() => import("@mirairo-id/widget"));
    const status = page.locator("mirairo-places").getByRole("status");
    await status.filter({ hasText: "Loading…" }).waitFor();
    await page.locator("mirairo-coupons").getByRole("status").filter({ hasText: "読み込み中…" }).waitFor();
    assert.deepEqual(await look("mirairo-places"), { height: 768, before: "none", defined: true }, "no shift when defined");
    assert.equal((await look("mirairo-coupons")).height, 432);
    await expectNoAxeViolations(page, "widget placeholders, loading");
  } finally {
    release();
  }
  await page.waitForFunction(() => document.querySelector("mirairo-places").shadowRoot.querySelector(".mount"));
  assert.equal(await page.locator("mirairo-places").getByRole("status").filter({ hasText: "Loading…" }).count(), 0, "replaced by the widget");
  assert.deepEqual(errors.filter((e) => !/127\.0\.0\.1:9|Failed to fetch|ERR_/.test(e)), []);
  await page.close();
});

test("Verifier from the package by name in Chromium: WebCrypto path, same results as p256, real MirairoIdError", async () => {
  const { es256Key, issue, statusListJwt } = await import("./fixtures.mjs");
  const issuer = "http://127.0.0.1:9";
  const statusUri = `${issuer}/status/1`;
  const [issuerKey, holderKey] = await Promise.all([es256Key("k1"), es256Key()]);
  const now = Math.floor(Date.now() / 1000);
  const forger = await es256Key("k1"); // same kid, another key
  const make = (idx, key = issuerKey) =>
    issue({ issuer, issuerKey: key, holderKey, now, claims: { certificate_type: "mental", fare_class: 2, valid_until: null }, payload: { status: { status_list: { idx, uri: statusUri } } } });
  const input = {
    issuer,
    jwks: { keys: [issuerKey.jwk] },
    valid: await make(0),
    revoked: await make(1),
    forged: await make(0, forger),
    list: await statusListJwt(issuerKey, statusUri, [0, 1], { now }),
  };
  const page = await browser.newPage();
  const errors = watchPageErrors(page);
  await page.goto(`${server.url}/verify.html`);
  const out = await page.evaluate(async ({ issuer, jwks, valid, revoked, forged, list }) => {
    const { ready, Verifier, MirairoIdError, fareDiscount } = await import("@mirairo-id/sdk");
    await ready();
    const v = new Verifier({ issuer, jwks });
    const codeOf = async (fn) => {
      try {
        await fn();
        return "accepted";
      } catch (e) {
        return e instanceof MirairoIdError && e instanceof Error ? e.code : `not a MirairoIdError: ${e}`;
      }
    };
    const sync = v.verify(valid, { statusList: list, requireStatus: true });
    const online = await v.verifyOnline(valid, { statusList: list });
    return {
      webCrypto: typeof globalThis.crypto?.subtle?.verify === "function",
      sync,
      online,
      fare: fareDiscount(online, { fare: 20000, ticket: "regular", oneWayKm: 150 }).rule,
      codes: [
        await codeOf(() => v.verify(revoked, { statusList: list })),
        await codeOf(() => v.verifyOnline(revoked, { statusList: list })),
        await codeOf(() => v.verifyOnline(forged, { statusList: list })),
        await codeOf(() => new Verifier({ issuer: "file:///x", jwks })),
      ],
    };
  }, input);
  assert.equal(out.webCrypto, true);
  assert.deepEqual(out.online, out.sync);
  assert.deepEqual([out.sync.certificateType, out.sync.fareClass, out.sync.validUntil, "grade" in out.sync], ["mental", 2, null, false]);
  assert.equal(out.fare, "long_distance_alone");
  assert.deepEqual(out.codes, ["revoked", "revoked", "bad_signature", "invalid_config"]);
  assert.deepEqual(errors, []);
  await page.close();
});

test("verifyOnline in Chromium inflates status lists with DecompressionStream under the core's cap: over-cap and corrupt lists are typed errors", async () => {
  const { es256Key, issue, inflateCaseLists } = await import("./fixtures.mjs");
  const issuer = "http://127.0.0.1:9";
  const statusUri = `${server.url}/status-list`; // same origin as the page, answered below
  const [issuerKey, holderKey] = await Promise.all([es256Key("k1"), es256Key()]);
  const now = Math.floor(Date.now() / 1000);
  const make = (idx) =>
    issue({ issuer, issuerKey, holderKey, now, claims: { certificate_type: "mental", fare_class: 2 }, payload: { status: { status_list: { idx, uri: statusUri } } } });
  const lists = await inflateCaseLists(issuerKey, statusUri, now);
  const input = { issuer, jwks: { keys: [issuerKey.jwk] }, valid: await make(0), revoked: await make(1) };
  const page = await browser.newPage();
  const errors = watchPageErrors(page);
  let served = "";
  await page.route(statusUri, (route) => route.fulfill({ status: 200, contentType: "application/statuslist+jwt", body: served }));
  await page.goto(`${server.url}/verify.html`);
  const run = (name) => {
    served = lists[name];
    return page.evaluate(async ({ issuer, jwks, valid, revoked }) => {
      const { ready, Verifier, MirairoIdError } = await import("@mirairo-id/sdk");
      await ready();
      // Counts the DecompressionStreams made, to see which side inflated.
      const Native = globalThis.DecompressionStream;
      let made = 0;
      globalThis.DecompressionStream = class extends Native {
        constructor(format) {
          super(format);
          made++;
        }
      };
      const codeOf = async (credential) => {
        try {
          await new Verifier({ issuer, jwks }).verifyOnline(credential); // fresh: no cached list
          return "accepted";
        } catch (e) {
          return e instanceof MirairoIdError ? e.code : `not a MirairoIdError: ${e}`;
        }
      };
      try {
        return { valid: await codeOf(valid), revoked: await codeOf(revoked), inflatedInJs: made };
      } finally {
        globalThis.DecompressionStream = Native;
      }
    }, input);
  };
  const outcomes = {};
  for (const name of Object.keys(lists)) outcomes[name] = await run(name);
  assert.deepEqual(outcomes, {
    small: { valid: "accepted", revoked: "revoked", inflatedInJs: 2 },
    atCap: { valid: "accepted", revoked: "accepted", inflatedInJs: 2 },
    overCap: { valid: "status_unavailable", revoked: "status_unavailable", inflatedInJs: 2 },
    corrupt: { valid: "status_unavailable", revoked: "status_unavailable", inflatedInJs: 2 },
    badChecksum: { valid: "status_unavailable", revoked: "status_unavailable", inflatedInJs: 2 },
  });
  assert.deepEqual(errors, []);
  await page.close();
});
