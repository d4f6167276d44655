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
