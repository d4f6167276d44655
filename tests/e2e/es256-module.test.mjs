// The browser build of @mirairo-id/sdk has no p256: its ES256 is WebCrypto, or the
// separate ES256 module (`es256/`) that ready() loads for the synchronous APIs. In
// Chromium against the sandbox: (a) a login page (create, the button, the redirect login
// with its ID token and certificate checks) never fetches the ES256 module and loads the
// browser build, never the Node one; (b) after `await ready()` the synchronous `verify`
// and `verifyIdToken` give exactly the Node package's results for valid and tampered
// inputs; (c) before that they are a typed MirairoIdError `invalid_config`, not a crash;
// (d) the same for `verify` with a `statusList`, which the browser build inflates with the
// ES256 module's zlib (its core has no miniz_oxide), and `verifyOnline` with a caller's
// `statusList` loads that module itself; (e) where DecompressionStream is missing, a
// fetched list is inflated by that module too, and a module that cannot load leaves
// typed errors (invalid_config, status_unavailable), never a raw exception.
//
// Needs: target/debug/mirairo-id-sandbox and dist/npm/sdk (cargo xtask build).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { startSandbox, launchBrowser, watchPageErrors, repoRoot } from "../lib/harness.mjs";
import { deflateSync } from "node:zlib";
import { b64u, es256Key, idToken, inflateCaseLists, issue, signJws } from "../packages/fixtures.mjs";

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

/** Every request of `page` whose path is under the SDK package, by folder. */
function recordPackageRequests(page) {
  const seen = [];
  page.on("request", (r) => {
    const m = /\/pkg\/sdk\/(.*)$/.exec(new URL(r.url()).pathname);
    if (m) seen.push(m[1]);
  });
  return seen;
}

/**
 * A new page of `context` on the example login page, its button painted (its login
 * client has loaded the core only); `prepare(page)` runs before the page loads (routes).
 * Its page errors and its requests under the SDK package are recorded.
 */
async function openExample(context, prepare = async () => {}) {
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  const requests = recordPackageRequests(page);
  await prepare(page);
  await page.goto(`${sandbox.url}/examples/plain-html/`);
  await page.getByRole("button", { name: "ミライロIDでログイン" }).waitFor();
  return { page, errors, requests };
}

test("(a) a redirect login never fetches the ES256 module, and loads the browser build", async () => {
  const context = await browser.newContext();
  const { page, errors, requests } = await openExample(context);
  await page.getByRole("button", { name: "ミライロIDでログイン" }).click();
  await page.waitForURL(/\/(authorize|signin|consent)/);
  await page.locator('input[name="user"][value="hanako"]').check();
  await page.locator('button[name="action"][value="ok"]').click();
  await page.locator('input[name="claim"]').first().waitFor();
  await page.locator('button[name="action"][value="ok"]').click();
  // Back on the partner page: the ID token and the certificate verified (WebCrypto).
  await page.locator("#cert-section:not([hidden])").waitFor({ timeout: 15_000 });
  assert.match(await page.locator("#cert").innerText(), /身体障害者手帳/);
  // A refresh verifies a new ID token and credential the same way.
  await page.getByRole("button", { name: "最新の情報に更新" }).click();
  await page.locator("#status", { hasText: "更新しました" }).waitFor();

  assert.ok(requests.includes("wasm/mirairo_id_sdk_bg.wasm"), `the browser build is loaded: ${requests}`);
  assert.deepEqual(requests.filter((r) => r.startsWith("es256/")), [], "no ES256 module");
  assert.deepEqual(requests.filter((r) => r.startsWith("wasm-node/") || r === "node.js"), [], "no Node build");
  assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);
  await context.close();
});

test("(b, c) sync verify and verifyIdToken: invalid_config before ready(), then Node's results", async () => {
  const issuer = "http://127.0.0.1:9";
  const now = Math.floor(Date.now() / 1000);
  const [issuerKey, holderKey, forger] = await Promise.all([es256Key("k1"), es256Key(), es256Key("k1")]);
  const claims = { certificate_type: "physical", grade: "2", fare_class: 1, caregiver: true, valid_until: "2030-03-31" };
  const valid = await issue({ issuer, issuerKey, holderKey, now, claims });
  const forged = await issue({ issuer, issuerKey: forger, holderKey, now, claims });
  // The same credential with one bit of its issuer signature changed.
  const [jwt, ...rest] = valid.split("~");
  const sig = Buffer.from(jwt.split(".")[2], "base64url");
  sig[3] ^= 1;
  const tampered = [`${jwt.split(".").slice(0, 2).join(".")}.${sig.toString("base64url")}`, ...rest].join("~");
  const token = await idToken(issuerKey, { iss: issuer, sub: "s-1", aud: "demo", iat: now, exp: now + 600 });
  const forgedToken = await idToken(forger, { iss: issuer, sub: "s-1", aud: "demo", iat: now, exp: now + 600 });
  const input = { issuer, jwks: { keys: [issuerKey.jwk] }, credentials: [valid, tampered, forged], tokens: [token, forgedToken] };

  // What the Node package (p256 in its wasm) says.
  const node = await import(pathToFileURL(sdkNode).href);
  const outcome = (fn) => {
    try {
      return { ok: fn() };
    } catch (e) {
      return { code: e instanceof node.MirairoIdError ? e.code : `not a MirairoIdError: ${e}`, reason: e.reason };
    }
  };
  const nodeVerifier = new node.Verifier({ issuer: input.issuer, jwks: input.jwks });
  const expected = {
    credentials: input.credentials.map((c) => outcome(() => nodeVerifier.verify(c))),
    tokens: input.tokens.map((t) => outcome(() => nodeVerifier.verifyIdToken(t, { audience: "demo" }))),
  };
  assert.equal(expected.credentials[0].ok?.fareClass, 1);
  assert.deepEqual(expected.credentials.slice(1).map((o) => o.code), ["bad_signature", "bad_signature"]);
  assert.equal(expected.tokens[0].ok?.sub, "s-1");
  assert.deepEqual(expected.tokens[1], { code: "bad_id_token", reason: "bad_signature" });

  const context = await browser.newContext();
  const { page, errors, requests } = await openExample(context);
  const got = await page.evaluate(async ({ issuer, jwks, credentials, tokens }) => {
    const sdk = await import("/pkg/sdk/index.js");
    const outcome = (fn) => {
      try {
        return { ok: fn() };
      } catch (e) {
        return { code: e instanceof sdk.MirairoIdError && e instanceof Error ? e.code : `not a MirairoIdError: ${e}`, reason: e.reason };
      }
    };
    const run = (v) => ({
      credentials: credentials.map((c) => outcome(() => v.verify(c))),
      tokens: tokens.map((t) => outcome(() => v.verifyIdToken(t, { audience: "demo" }))),
    });
    // The page's login client loaded the core only (MirairoId.create): no ES256 yet.
    const early = await (async () => {
      const v = new sdk.Verifier({ issuer, jwks });
      return run(v);
    })();
    await sdk.ready();
    const late = run(new sdk.Verifier({ issuer, jwks }));
    return { early, late };
  }, input);

  for (const o of [...got.early.credentials, ...got.early.tokens]) {
    assert.equal(o.code, "invalid_config", "before ready(): a typed invalid_config");
  }
  assert.deepEqual(got.late, expected, "after ready(): the Node package's results");
  assert.equal(requests.filter((r) => r === "es256/mirairo_id_es256_bg.wasm").length, 1, "ready() loaded the ES256 module once");
  assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);
  await context.close();
});

test("(d) sync verify with a status list: invalid_config before ready(), then Node's results (valid, revoked, corrupt, over the cap)", async () => {
  const issuer = "http://127.0.0.1:9";
  const statusUri = `${issuer}/status/1`;
  const now = Math.floor(Date.now() / 1000);
  const [issuerKey, holderKey] = await Promise.all([es256Key("k1"), es256Key()]);
  const make = (idx) =>
    issue({ issuer, issuerKey, holderKey, now, claims: { certificate_type: "mental", fare_class: 2 }, payload: { status: { status_list: { idx, uri: statusUri } } } });
  const { small, atCap, overCap, corrupt } = await inflateCaseLists(issuerKey, statusUri, now);
  const lists = { small, atCap, overCap, corrupt };
  const input = { issuer, jwks: { keys: [issuerKey.jwk] }, credentials: [await make(0), await make(1)], lists };

  // What the Node package (miniz_oxide in its wasm) says, status required.
  const node = await import(pathToFileURL(sdkNode).href);
  const nodeVerifier = new node.Verifier({ issuer, jwks: input.jwks });
  const expected = {};
  for (const [name, statusList] of Object.entries(lists)) {
    expected[name] = input.credentials.map((c) => {
      try {
        return nodeVerifier.verify(c, { statusList, requireStatus: true }).fareClass;
      } catch (e) {
        return e instanceof node.MirairoIdError ? e.code : `not a MirairoIdError: ${e}`;
      }
    });
  }
  assert.deepEqual(expected, {
    small: [2, "revoked"],
    atCap: [2, 2],
    overCap: ["status_unavailable", "status_unavailable"],
    corrupt: ["status_unavailable", "status_unavailable"],
  });

  const context = await browser.newContext();
  const { page, errors, requests } = await openExample(context);
  const got = await page.evaluate(async ({ issuer, jwks, credentials, lists }) => {
    const sdk = await import("/pkg/sdk/index.js");
    const outcome = (fn) => {
      try {
        return fn().fareClass;
      } catch (e) {
        return e instanceof sdk.MirairoIdError && e instanceof Error ? `${e.code}: ${e.message}` : `not a MirairoIdError: ${e}`;
      }
    };
    const run = () => {
      const v = new sdk.Verifier({ issuer, jwks });
      const out = {};
      for (const [name, statusList] of Object.entries(lists)) {
        out[name] = credentials.map((c) => outcome(() => v.verify(c, { statusList, requireStatus: true })));
      }
      return out;
    };
    const early = run();
    await sdk.ready();
    const late = run();
    for (const name of Object.keys(late)) late[name] = late[name].map((o) => (typeof o === "string" ? o.split(":")[0] : o));
    return { early, late };
  }, input);

  for (const o of Object.values(got.early).flat()) {
    assert.match(String(o), /^invalid_config: .*await ready\(\)/, "before ready(): a typed invalid_config naming ready()");
  }
  assert.deepEqual(got.late, expected, "after ready(): the Node package's results");
  assert.equal(requests.filter((r) => r === "es256/mirairo_id_es256_bg.wasm").length, 1, "ready() loaded the ES256 module once");
  assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);
  await context.close();

  // verifyOnline with a caller's list loads the module itself (no ready() by the page).
  const context2 = await browser.newContext();
  const { page: page2, requests: requests2 } = await openExample(context2);
  const online = await page2.evaluate(async ({ issuer, jwks, credentials, lists }) => {
    const sdk = await import("/pkg/sdk/index.js");
    // The page's login client loaded the core only (MirairoId.create).
    const v = new sdk.Verifier({ issuer, jwks });
    const codes = [];
    for (const c of credentials) {
      try {
        codes.push((await v.verifyOnline(c, { statusList: lists.small })).fareClass);
      } catch (e) {
        codes.push(e instanceof sdk.MirairoIdError ? e.code : `not a MirairoIdError: ${e}`);
      }
    }
    return codes;
  }, input);
  assert.deepEqual(online, expected.small);
  assert.equal(requests2.filter((r) => r === "es256/mirairo_id_es256_bg.wasm").length, 1, "verifyOnline loaded the ES256 module");
  await context2.close();
});

test("(e) without DecompressionStream a fetched status list is inflated by the ES256 module; a module that cannot load is a typed error", async () => {
  const issuer = "http://127.0.0.1:9";
  const statusUri = `${sandbox.url}/test-status-list`; // same origin as the page, routed below
  const now = Math.floor(Date.now() / 1000);
  const [issuerKey, holderKey] = await Promise.all([es256Key("k1"), es256Key()]);
  const make = (idx) =>
    issue({ issuer, issuerKey, holderKey, now, claims: { certificate_type: "mental", fare_class: 2 }, payload: { status: { status_list: { idx, uri: statusUri } } } });
  const list = await signJws(
    issuerKey,
    { typ: "statuslist+jwt", kid: "k1" },
    { sub: statusUri, iat: now, exp: now + 3600, status_list: { bits: 2, lst: b64u(deflateSync(new Uint8Array([0b0100]))) } },
  );
  const input = { issuer, jwks: { keys: [issuerKey.jwk] }, credentials: [await make(0), await make(1)], list };
  const verifyAll = async ({ issuer, jwks, credentials, list, withList }) => {
    const sdk = await import("/pkg/sdk/index.js");
    const v = new sdk.Verifier({ issuer, jwks });
    const out = [];
    for (const c of credentials) {
      try {
        out.push((await v.verifyOnline(c, withList ? { statusList: list } : undefined)).fareClass);
      } catch (e) {
        out.push(e instanceof sdk.MirairoIdError ? e.code : `not a MirairoIdError: ${e}`);
      }
    }
    return out;
  };

  // No DecompressionStream (older browsers): the fetched list goes through the module.
  const context = await browser.newContext();
  await context.addInitScript(() => {
    delete globalThis.DecompressionStream;
  });
  const serveList = (page) => page.route(statusUri, (route) => route.fulfill({ status: 200, contentType: "application/statuslist+jwt", body: list }));
  const { page, errors, requests } = await openExample(context, serveList);
  assert.equal(await page.evaluate(() => typeof globalThis.DecompressionStream), "undefined");
  assert.deepEqual(await page.evaluate(verifyAll, { ...input, withList: false }), [2, "revoked"]);
  assert.equal(requests.filter((r) => r === "es256/mirairo_id_es256_bg.wasm").length, 1, "the module was loaded for the inflation");
  assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);
  await context.close();

  // The module cannot load: a caller's list is the core's typed invalid_config, and a
  // fetched list (no DecompressionStream either) is unusable: status_unavailable.
  const context2 = await browser.newContext();
  await context2.addInitScript(() => {
    delete globalThis.DecompressionStream;
  });
  const { page: page2 } = await openExample(context2, async (page) => {
    await page.route(/\/pkg\/sdk\/es256\//, (route) => route.abort());
    await serveList(page);
  });
  assert.deepEqual(await page2.evaluate(verifyAll, { ...input, withList: true }), ["invalid_config", "invalid_config"]);
  assert.deepEqual(await page2.evaluate(verifyAll, { ...input, withList: false }), ["status_unavailable", "status_unavailable"]);
  await context2.close();
});

test("(c) before any load, the synchronous Verifier is a typed invalid_config", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  // A page of the sandbox's origin that loads nothing of the SDK itself.
  await page.goto(`${sandbox.url}/.well-known/openid-configuration`);
  const code = await page.evaluate(async () => {
    const sdk = await import("/pkg/sdk/index.js");
    try {
      new sdk.Verifier({ issuer: "http://127.0.0.1:9", jwks: { keys: [] } }).verify("x");
      return "accepted";
    } catch (e) {
      return e instanceof sdk.MirairoIdError ? e.code : `not a MirairoIdError: ${e}`;
    }
  });
  assert.equal(code, "invalid_config");
  await context.close();
});

test("without WebCrypto (an insecure context) the popup login loads the ES256 module on demand and succeeds", async () => {
  const context = await browser.newContext();
  // As on a plain http: page that is not localhost: no crypto.subtle.
  await context.addInitScript(() => {
    Object.defineProperty(globalThis.crypto, "subtle", { value: undefined, configurable: true });
  });
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  const requests = recordPackageRequests(page);
  await page.goto(`${sandbox.url}/examples/plain-html/`);
  await page.locator("#use-popup").check();
  const button = page.getByRole("button", { name: "ミライロIDでログイン" });
  await button.waitFor();
  assert.equal(await page.evaluate(() => globalThis.crypto.subtle), undefined);
  const popupOpened = page.waitForEvent("popup");
  await button.click();
  const popup = await popupOpened;
  await popup.waitForURL(/\/(authorize|signin|consent)/);
  await popup.locator('input[name="user"][value="hanako"]').check();
  await popup.locator('button[name="action"][value="ok"]').click();
  await popup.locator('input[name="claim"]').first().waitFor();
  await popup.locator('button[name="action"][value="ok"]').click();
  await page.locator("#cert-section:not([hidden])").waitFor({ timeout: 15_000 });
  assert.match(await page.locator("#cert").innerText(), /身体障害者手帳/);
  // The holder key, its DPoP proofs and the token checks all ran in the ES256 module.
  assert.equal(requests.filter((r) => r === "es256/mirairo_id_es256_bg.wasm").length, 1);
  assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);
  await context.close();
});
