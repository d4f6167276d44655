// Login where partners' apps live (issue 13), in Debian's Chromium against the sandbox,
// through the provider's real sign-in and consent pages:
// - DPoP nonces (RFC 9449 §8): the sandbox demands them; login, refresh and userinfo
//   retry once with the nonce and keep it for later proofs;
// - resource errors: an expired access token at userinfo is refreshed once; a refused
//   proof is a typed error, never a refresh;
// - several tabs: two pages refreshing at once (and twice each) stay signed in, one
//   token request per page, under the partner's Web Lock;
// - storage-less browsers: no IndexedDB, or one that throws, still logs in (redirect
//   and popup);
// - popups under `Cross-Origin-Opener-Policy: same-origin`: the demo's popup login
//   finishes through the BroadcastChannel hand-over.
//
// Needs: target/debug/mirairo-id-sandbox and dist/npm/sdk (cargo xtask build).
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { startSandbox, launchBrowser, expectNoAxeViolations, watchPageErrors, repoRoot } from "../lib/harness.mjs";

let sandbox;
let browser;

before(async () => {
  assert.ok(existsSync(path.join(repoRoot, "dist/npm/sdk/index.js")), "dist/npm/sdk missing: run `cargo xtask build` first");
  sandbox = await startSandbox();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

beforeEach(async () => {
  await sandbox.control("/_sandbox/reset");
});

/** The payload of a DPoP proof (a JWS) as an object. */
function proofClaims(proof) {
  return JSON.parse(Buffer.from(proof.split(".")[1], "base64url").toString("utf8"));
}

/** Every request to /token and /userinfo from `page`, with its DPoP proof's claims and the answer's status. */
function watchProvider(page) {
  const seen = [];
  page.on("requestfinished", async (r) => {
    const pathname = new URL(r.url()).pathname;
    if (!["/token", "/userinfo"].includes(pathname) || r.method() === "OPTIONS") return;
    const dpop = r.headers()["dpop"];
    const res = await r.response();
    seen.push({ pathname, status: res?.status(), proof: dpop ? proofClaims(dpop) : null, body: r.postData() ?? "" });
  });
  return seen;
}

/**
 * The plain-HTML example page with a partner's own MirairoId (the public API only),
 * signed in through a popup so that the instance, and its in-memory session, live on.
 */
async function signedInPartner(context) {
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  const seen = watchProvider(page);
  await page.goto(`${sandbox.url}/examples/plain-html/`);
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
      window.testLogin = partner.loginWithPopup().then(
        (r) => ({ sub: r.idToken.sub }),
        (e) => ({ code: e.code, providerError: e.providerError }),
      );
    });
    document.body.append(button);
    window.testPartner = partner;
  });
  const popupOpened = page.waitForEvent("popup");
  await page.locator("#test-login").click();
  const popup = await popupOpened;
  // Signed in at the provider already (another page of this context): straight to consent.
  const user = popup.locator('input[name="user"][value="hanako"]');
  const claim = popup.locator('input[name="claim"]').first();
  await user.or(claim).waitFor({ timeout: 15_000 });
  if (await user.isVisible()) {
    await user.check();
    await popup.locator('button[name="action"][value="ok"]').click();
    await claim.waitFor();
  }
  await popup.locator('button[name="action"][value="ok"]').click();
  const outcome = await page.evaluate(() => window.testLogin);
  await settled(seen, 1); // the login's token request is logged before a test looks
  return { page, errors, seen, outcome };
}

/** Waits until `seen` has `n` entries (the page's fetch can settle before the events reach us). */
async function settled(seen, n) {
  for (let i = 0; i < 50 && seen.length < n; i++) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 200)); // and no more than that
  return seen;
}

/** Runs `expression` (using `p`, the partner) in the page; resolves `{ ok }` or `{ code, providerError }`. */
function inPartner(page, body) {
  return page.evaluate(async (source) => {
    const p = window.testPartner;
    try {
      return { ok: await new Function("p", `return (async () => { ${source} })()`)(p) };
    } catch (e) {
      return { code: e.code, providerError: e.providerError, message: e.message };
    }
  }, body);
}

test("DPoP nonces: login, refresh and userinfo retry once with the provider's nonce and keep it", async () => {
  const { nonce: n1 } = await sandbox.control("/_sandbox/dpop-nonce", { required: true, lifetime_secs: 300 });
  const context = await browser.newContext();
  try {
    const { page, seen, outcome, errors } = await signedInPartner(context);
    assert.ok(outcome.sub, `logged in: ${JSON.stringify(outcome)}`);
    // The code exchange: refused once for the nonce, then redeemed with it.
    await settled(seen, 2);
    const tokens = seen.filter((s) => s.pathname === "/token");
    assert.deepEqual(
      tokens.map((s) => [s.status, s.proof.nonce]),
      [
        [400, undefined],
        [200, n1],
      ],
    );
    assert.equal(tokens[0].body, tokens[1].body, "the same request, only the proof changed");
    // Later proofs carry the nonce from the start: one request each.
    seen.length = 0;
    assert.ok((await inPartner(page, "return (await p.refresh()).idToken.sub")).ok);
    const info = await inPartner(page, "return await p.userinfo()");
    assert.equal(info.ok?.sub, outcome.sub, JSON.stringify(info));
    await settled(seen, 2);
    assert.deepEqual(
      seen.map((s) => [s.pathname, s.status, s.proof.nonce]),
      [
        ["/token", 200, n1],
        ["/userinfo", 200, n1],
      ],
    );
    assert.ok(seen[1].proof.ath, "the userinfo proof is bound to the access token");
    // A new nonce (the provider rotated it): userinfo is challenged once, then answers.
    const { nonce: n2 } = await sandbox.control("/_sandbox/dpop-nonce", { required: true, lifetime_secs: 300 });
    seen.length = 0;
    assert.equal((await inPartner(page, "return await p.userinfo()")).ok?.sub, outcome.sub);
    await settled(seen, 2);
    assert.deepEqual(
      seen.map((s) => [s.status, s.proof.nonce]),
      [
        [401, n1],
        [200, n2],
      ],
    );
    assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);
  } finally {
    await context.close();
  }
});

test("resource errors: an expired access token is refreshed once; a refused proof is a typed error", async () => {
  const context = await browser.newContext();
  try {
    const { page, seen, outcome } = await signedInPartner(context);
    assert.ok(outcome.sub);
    await sandbox.control("/_sandbox/expire-access-tokens");
    seen.length = 0;
    const info = await inPartner(page, "return await p.userinfo()");
    assert.equal(info.ok?.sub, outcome.sub, JSON.stringify(info));
    await settled(seen, 3);
    assert.deepEqual(
      seen.map((s) => [s.pathname, s.status]),
      [
        ["/userinfo", 401],
        ["/token", 200],
        ["/userinfo", 200],
      ],
    );
    assert.match(seen[1].body, /grant_type=refresh_token/);

    // Proofs signed with garbage: 401 invalid_dpop_proof, reported as such, no refresh.
    seen.length = 0;
    const bad = await inPartner(
      page,
      `const sign = SubtleCrypto.prototype.sign;
       SubtleCrypto.prototype.sign = async () => new Uint8Array(64).buffer;
       try { return await p.userinfo(); } finally { SubtleCrypto.prototype.sign = sign; }`,
    );
    assert.deepEqual([bad.code, bad.providerError], ["provider_error", "invalid_dpop_proof"]);
    await settled(seen, 1);
    assert.deepEqual(
      seen.map((s) => [s.pathname, s.status]),
      [["/userinfo", 401]],
    );
    assert.equal(await page.evaluate(() => window.testPartner.isAuthenticated()), true, "still signed in");
  } finally {
    await context.close();
  }
});

test("several tabs: two pages refreshing at once, twice each, stay signed in; one request per page, under a Web Lock", async () => {
  const context = await browser.newContext();
  try {
    const a = await signedInPartner(context);
    const b = await signedInPartner(context);
    assert.ok(a.outcome.sub && b.outcome.sub);
    a.seen.length = 0;
    b.seen.length = 0;
    // Slow token answers, so the refreshes overlap for sure.
    await sandbox.control("/_sandbox/faults", { path: "/token", status: 0, delay_ms: 700, count: 2 });
    const both = (pg) =>
      inPartner(
        pg,
        `const held = new Promise((r) => setTimeout(r, 200)).then(() => navigator.locks.query());
         const [x, y] = await Promise.all([p.refresh(), p.refresh()]);
         const locks = await held;
         return { same: x === y, sub: x.idToken.sub, locks: [...locks.held, ...locks.pending].map((l) => l.name) };`,
      );
    const [ra, rb] = await Promise.all([both(a.page), both(b.page)]);
    for (const [r, who] of [
      [ra, "a"],
      [rb, "b"],
    ]) {
      assert.ok(r.ok, `${who}: ${JSON.stringify(r)}`);
      assert.equal(r.ok.same, true, `${who}: concurrent refresh() calls share one result`);
      assert.ok(
        r.ok.locks.some((n) => n.startsWith("mirairo-id:session:")),
        `${who}: the refresh runs under the partner's Web Lock (${r.ok.locks})`,
      );
    }
    await settled(a.seen, 1);
    await settled(b.seen, 1);
    assert.deepEqual(
      a.seen.map((s) => [s.pathname, s.status]),
      [["/token", 200]],
    );
    assert.deepEqual(
      b.seen.map((s) => [s.pathname, s.status]),
      [["/token", 200]],
    );
    // No grant was revoked for reuse: both refresh and ask userinfo again.
    for (const pg of [a.page, b.page]) {
      assert.ok((await inPartner(pg, "return (await p.refresh()).idToken.sub")).ok);
      assert.ok((await inPartner(pg, "return (await p.userinfo()).sub")).ok);
      assert.equal(await pg.evaluate(() => window.testPartner.isAuthenticated()), true);
    }
  } finally {
    await context.close();
  }
});

const NO_INDEXEDDB = {
  removed: () => Object.defineProperty(window, "indexedDB", { value: undefined, configurable: true }),
  throws: () =>
    Object.defineProperty(window, "indexedDB", {
      configurable: true,
      get() {
        throw new DOMException("The operation is insecure.", "SecurityError");
      },
    }),
  "open() throws": () => {
    IDBFactory.prototype.open = function () {
      throw new DOMException("blocked", "InvalidStateError");
    };
  },
  "never answers": () => {
    IDBFactory.prototype.open = function () {
      return {}; // no event ever fires
    };
  },
};

for (const [variant, script] of Object.entries(NO_INDEXEDDB)) {
  test(`storage-less browser (IndexedDB ${variant}): the redirect login works for the page's life`, async () => {
    const context = await browser.newContext();
    await context.addInitScript(script);
    try {
      const page = await context.newPage();
      const errors = watchPageErrors(page);
      await page.goto(`${sandbox.url}/examples/plain-html/`);
      await page.getByRole("button", { name: "ミライロIDでログイン" }).click();
      await page.locator('input[name="user"][value="hanako"]').check();
      await page.locator('button[name="action"][value="ok"]').click();
      await page.locator('input[name="claim"]').first().waitFor();
      await page.locator('button[name="action"][value="ok"]').click();
      await page.locator("#cert-section:not([hidden])").waitFor({ timeout: 20_000 });
      assert.match(await page.locator("#cert").innerText(), /身体障害者手帳/);
      assert.equal(await page.locator("#error").isHidden(), true);
      // The key carried across the redirect is gone from storage once used.
      assert.equal(await page.evaluate(() => JSON.stringify({ ...sessionStorage }).includes('"d"')), false);
      assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);
      await expectNoAxeViolations(page, `example page without IndexedDB (${variant})`);
    } finally {
      await context.close();
    }
  });
}

test("storage-less browser: the popup login works too", async () => {
  const context = await browser.newContext();
  await context.addInitScript(NO_INDEXEDDB.throws);
  try {
    const { outcome } = await signedInPartner(context);
    assert.ok(outcome.sub, JSON.stringify(outcome));
  } finally {
    await context.close();
  }
});

test("popup login on the demo served with Cross-Origin-Opener-Policy: same-origin", async () => {
  await sandbox.control("/_sandbox/coop", { policy: "same-origin" });
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  try {
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    const response = await page.goto(`${sandbox.url}/demo/?lang=en`);
    assert.equal(response.headers()["cross-origin-opener-policy"], "same-origin");
    await page.locator("#from option").nth(1).waitFor({ state: "attached" });
    await page.locator("#from").selectOption("sakuradai");
    await page.locator("#to").selectOption("hoshigaoka");
    await page.locator("#ticket").selectOption("regular");
    await page.locator("#companion").setChecked(false);
    await page.getByRole("button", { name: "Find the fare" }).click();
    await page.locator("#fare-result p").first().waitFor();
    const [popup] = await Promise.all([page.waitForEvent("popup"), page.getByRole("button", { name: "Log in in a separate window" }).click()]);
    await popup.locator("input[name=user]").first().waitFor();
    // COOP is in force: the popup, on the provider's page, has lost its opener.
    assert.equal(await popup.evaluate(() => window.opener === null), true);
    await popup.getByRole("button", { name: "Sign in", exact: true }).click();
    const closed = popup.waitForEvent("close");
    await popup.getByRole("button", { name: "Agree", exact: true }).click();
    await closed; // the callback page handed the response over and closed itself
    await page.locator("#discount-result dl").waitFor({ timeout: 15_000 });
    assert.match(await page.locator("#discount-result").textContent(), /long_distance_alone/);
    assert.equal(await page.locator("#login-error").textContent(), "");
    assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);
    await expectNoAxeViolations(page, "demo under COOP after a popup login");
  } finally {
    await context.close();
  }
});
