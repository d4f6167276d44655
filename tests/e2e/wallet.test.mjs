// The holder app simulator (/wallet/, PROTOCOL.md §7.3–§7.4) in Debian's Chromium
// against the sandbox: sign-in, the certificate cards and the glowing certificate
// screen, a request pasted, presented and declined, the ?request= deep link, the
// unregistered-verifier warning and a refused request; axe on every screen in ja and en.
//
// The verifier on the other side is built with an independent OpenID4VP 1.0 library
// (@openid4vc/openid4vp, pinned): it creates the requests (client_id prefix
// redirect_uri, direct_post, DCQL) and validates what the wallet posts with the library,
// the DCQL query result with `dcql`, and the SD-JWT (issuer signature, disclosure
// digests, KB-JWT by cnf.jwk with aud = client_id and the nonce, sd_hash) with `jose`.
// It listens on a loopback port of this process, so the wallet sees it as unregistered.
//
// Needs: target/debug/mirairo-id-sandbox and dist/npm/widget (the 使える場所 and クーポン
// tabs are the widget package's elements): cargo xtask build, cargo build -p mirairo-id-sandbox.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { existsSync } from "node:fs";
import path from "node:path";
import { createHash, randomBytes } from "node:crypto";
import { Openid4vpVerifier } from "@openid4vc/openid4vp";
import { setGlobalConfig } from "@openid4vc/utils";
import { DcqlQuery, DcqlPresentationResult } from "dcql";
import { createLocalJWKSet, importJWK, jwtVerify } from "jose";
import { startSandbox, launchBrowser, chromiumArgs, expectNoAxeViolations, watchPageErrors, repoRoot } from "../lib/harness.mjs";

// The library refuses http:// URLs unless told; the sandbox's verifiers are loopback http.
setGlobalConfig({ allowInsecureUrls: true });

const VCT = "urn:mirairo-id:disability-certificate:1";
const RAILWAY_CLAIMS = ["fare_class", "valid_until", "certificate_type", "caregiver"];

let sandbox;
let browser;
let verifier;

before(async () => {
  assert.ok(existsSync(path.join(repoRoot, "dist/npm/widget/index.js")), "dist/npm/widget missing: run `cargo xtask build` first");
  sandbox = await startSandbox();
  browser = await launchBrowser();
  verifier = await startLibraryVerifier();
});

after(async () => {
  await browser?.close();
  await verifier?.stop();
  await sandbox?.stop();
});

// ---- the independent verifier ----------------------------------------------------------

const b64urlSha256 = (text) => createHash("sha256").update(text).digest("base64url");

/**
 * Verifies an SD-JWT VC presentation as a verifier would, with `jose` only: the issuer
 * JWT against the sandbox's JWKS, each disclosure's digest in `_sd`, the KB-JWT by the
 * `cnf.jwk` key with `aud` = client_id, the nonce and `sd_hash`.
 */
async function verifySdJwt(presentation, { clientId, nonce }) {
  const parts = presentation.split("~");
  assert.ok(parts.length >= 3, "issuer JWT, disclosures, KB-JWT");
  const [issuerJwt, ...rest] = parts;
  const kbJwt = rest.pop();
  const disclosures = rest;
  const jwks = await (await fetch(`${sandbox.url}/jwks.json`)).json();
  const { payload } = await jwtVerify(issuerJwt, createLocalJWKSet(jwks), { issuer: sandbox.url, typ: "dc+sd-jwt" });
  assert.equal(payload.vct, VCT);
  const digests = new Set(payload._sd);
  const claims = {};
  for (const d of disclosures) {
    assert.ok(digests.has(b64urlSha256(d)), "every disclosure is referenced by the issuer");
    const [, name, value] = JSON.parse(Buffer.from(d, "base64url").toString("utf8"));
    claims[name] = value;
  }
  const holderKey = await importJWK(payload.cnf.jwk, "ES256");
  const { payload: kb } = await jwtVerify(kbJwt, holderKey, { typ: "kb+jwt", audience: clientId, maxTokenAge: "5m" });
  assert.equal(kb.nonce, nonce);
  assert.equal(kb.sd_hash, b64urlSha256(presentation.slice(0, presentation.length - kbJwt.length)));
  return { vct: payload.vct, claims };
}

/** A direct_post verifier made with @openid4vc/openid4vp, on a loopback port. */
async function startLibraryVerifier() {
  const library = new Openid4vpVerifier({
    callbacks: {
      hash: (data, alg) => createHash(alg.replace("-", "").toLowerCase()).update(data).digest(),
      generateRandom: (n) => randomBytes(n),
      signJwt: async () => {
        throw new Error("unsigned requests only");
      },
      verifyJwt: async () => {
        throw new Error("no JWT responses expected");
      },
      encryptJwe: async () => {
        throw new Error("no encryption");
      },
      decryptJwe: async () => {
        throw new Error("no encryption");
      },
    },
  });
  const requests = new Map(); // state → { payload, outcome }
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (c) => (body += c));
    req.on("end", async () => {
      const answer = (status, json) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(json));
      };
      if (req.method !== "POST" || req.url !== "/response") return answer(404, { error: "not_found" });
      const form = Object.fromEntries(new URLSearchParams(body));
      const entry = requests.get(form.state);
      if (!entry || entry.outcome) return answer(400, { error: "request_not_found", error_description: "unknown or answered" });
      try {
        if (form.error) {
          entry.outcome = { declined: form.error };
          return answer(200, {});
        }
        const authorizationResponse = { ...form, vp_token: JSON.parse(form.vp_token) };
        const parsed = await library.parseOpenid4vpAuthorizationResponse({
          authorizationResponse,
          authorizationRequestPayload: entry.payload,
          callbacks: {},
        });
        assert.equal(parsed.type, "dcql");
        const presentations = parsed.dcql.presentations.certificate;
        assert.equal(presentations.length, 1);
        const { vct, claims } = await verifySdJwt(presentations[0], { clientId: entry.payload.client_id, nonce: entry.payload.nonce });
        const query = DcqlQuery.parse(entry.payload.dcql_query);
        DcqlQuery.validate(query);
        const result = DcqlPresentationResult.fromDcqlPresentation(
          { certificate: [{ credential_format: "dc+sd-jwt", vct, claims, cryptographic_holder_binding: true }] },
          { dcqlQuery: query },
        );
        assert.equal(result.can_be_satisfied, true, "the DCQL query is satisfied");
        DcqlPresentationResult.validate(result);
        entry.outcome = { verified: claims };
        answer(200, {});
      } catch (e) {
        entry.outcome = { failed: String(e?.message ?? e) };
        answer(400, { error: "invalid_request", error_description: String(e?.message ?? e).slice(0, 200) });
      }
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  const responseUri = `${base}/response`;
  return {
    origin: base,
    /** A new request for `claims`; the openid4vp:// URL and its state. */
    async create(claims = RAILWAY_CLAIMS) {
      const { authorizationRequest, authorizationRequestPayload } = await library.createOpenId4vpAuthorizationRequest({
        authorizationRequestPayload: {
          response_type: "vp_token",
          client_id: `redirect_uri:${responseUri}`,
          response_uri: responseUri,
          response_mode: "direct_post",
          nonce: randomBytes(32).toString("base64url"),
          state: randomBytes(32).toString("base64url"),
          dcql_query: {
            credentials: [{ id: "certificate", format: "dc+sd-jwt", meta: { vct_values: [VCT] }, claims: claims.map((c) => ({ path: [c] })) }],
          },
          client_metadata: {
            client_name: "Interop Verifier",
            vp_formats_supported: { "dc+sd-jwt": { "sd-jwt_alg_values": ["ES256"], "kb-jwt_alg_values": ["ES256"] } },
          },
        },
      });
      requests.set(authorizationRequestPayload.state, { payload: authorizationRequestPayload, outcome: null });
      return { url: authorizationRequest, state: authorizationRequestPayload.state };
    },
    outcome: (state) => requests.get(state)?.outcome ?? null,
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}

// ---- the wallet page -------------------------------------------------------------------------

const words = {
  ja: {
    signIn: "サインイン",
    scan: "窓口のQRコードを読み取る",
    check: "内容を確認する",
    present: "提示する",
    decline: "断る",
    home: "ホームに戻る",
    presented: "提示しました",
    declined: "提示を断りました",
    unregistered: "未登録の相手です",
    physical: "身体障害者手帳",
    class1: "第1種",
    class2: "第2種",
    mental: "精神障害者保健福祉手帳",
    refused: "この依頼は表示できません",
    noCamera: /対応していません/,
  },
  en: {
    signIn: "Sign in",
    scan: "Scan the QR code at the counter",
    check: "Check the request",
    present: "Present",
    decline: "Decline",
    home: "Back to home",
    presented: "Presented",
    declined: "You declined",
    unregistered: "Not a registered partner",
    physical: "Physical disability certificate",
    class1: "class 1",
    class2: "class 2",
    mental: "Mental disability certificate",
    refused: "This request cannot be shown",
    noCamera: /cannot read QR codes/,
  },
};

/** Page object for the wallet app. */
class WalletApp {
  constructor(page, lang, context) {
    this.page = page;
    this.lang = lang;
    this.w = words[lang];
    this.context = context;
    this.errors = watchPageErrors(page);
  }

  static async open(lang, { query = "", reducedMotion } = {}) {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, reducedMotion });
    const app = new WalletApp(await context.newPage(), lang, context);
    const sep = query ? "&" : "";
    await app.page.goto(`${sandbox.url}/wallet/?lang=${lang}${sep}${query}`);
    return app;
  }

  async close() {
    // A refused request is a 400 from the wallet API, which Chromium logs; nothing else.
    const unexpected = this.errors.filter((e) => !(this.allow400 && /status of 400 \(Bad Request\)/.test(e)));
    assert.deepEqual(unexpected, [], "no page errors");
    await this.context.close();
  }

  heading() {
    return this.page.locator("section.screen:not([hidden]) h1");
  }

  /** The focused element's id (focus moves to each new screen's heading). */
  focused() {
    return this.page.evaluate(() => document.activeElement?.id);
  }

  async signIn(user = "hanako") {
    const p = this.page;
    await p.locator(`input[name=user][value="${user}"]`).check();
    await p.getByRole("button", { name: this.w.signIn, exact: true }).click();
  }

  async waitForHome() {
    await this.page.locator("#cards .card").first().waitFor();
    assert.equal(await this.focused(), "home-h");
  }

  async paste(url) {
    const p = this.page;
    await p.getByRole("button", { name: this.w.scan }).click();
    assert.equal(await this.focused(), "scan-h");
    await p.locator("#request-url").fill(url);
    await p.getByRole("button", { name: this.w.check }).click();
  }

  async waitForRequest() {
    await this.page.locator("#screen-request:not([hidden])").waitFor();
    assert.equal(await this.focused(), "request-h");
  }

  async askedClaims() {
    return this.page.locator("#asked .claim").evaluateAll((rows) => rows.map((r) => [r.querySelector("dt").textContent, r.querySelector("dd").textContent]));
  }

  async waitForResult() {
    await this.page.locator("#screen-result:not([hidden])").waitFor();
    assert.equal(await this.focused(), "result-h");
    await this.page.waitForFunction(() => document.getElementById("live").textContent.length > 0);
  }
}

for (const lang of ["ja", "en"]) {
  test(`${lang}: sign in, the certificate cards and the glowing certificate screen`, async () => {
    const app = await WalletApp.open(lang);
    const { page, w } = app;
    try {
      await page.locator("#screen-signin:not([hidden])").waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
      await expectNoAxeViolations(page, `wallet sign-in (${lang})`);
      await app.signIn("hanako");
      await app.waitForHome();
      const cards = page.locator("#cards .card");
      assert.equal(await cards.count(), 3);
      assert.match(await cards.nth(0).textContent(), new RegExp(w.physical));
      assert.match(await cards.nth(0).textContent(), new RegExp(w.class1));
      assert.match(await cards.nth(1).textContent(), new RegExp(w.mental));
      assert.equal(await cards.nth(0).evaluate((c) => c.classList.contains("card-physical")), true);
      const box = await cards.nth(0).boundingBox();
      assert.ok(box.height >= 24 && box.width >= 24, "the card is a large target");
      await expectNoAxeViolations(page, `wallet home (${lang})`);

      // The key the credentials are bound to cannot be exported.
      const extractable = await page.evaluate(
        () =>
          new Promise((resolve) => {
            const open = indexedDB.open("mirairo-wallet", 1);
            open.onsuccess = () => {
              const get = open.result.transaction("keys").objectStore("keys").get("holder");
              get.onsuccess = () => resolve(get.result.privateKey.extractable);
            };
          }),
      );
      assert.equal(extractable, false);

      // The certificate screen, by keyboard.
      await cards.nth(0).focus();
      await page.keyboard.press("Enter");
      await page.locator("#screen-certificate:not([hidden])").waitFor();
      assert.equal(await app.focused(), "certificate-h");
      assert.equal(await app.heading().textContent(), w.physical);
      const claims = await page.locator("#certificate-claims dd").allTextContents();
      assert.ok(claims.includes(w.class1), claims.join(" | "));
      assert.ok(claims.includes("ミライロ"), "the name as printed");
      assert.equal(await page.locator("#glow").evaluate((g) => getComputedStyle(g).animationName), "glow");
      assert.match(await page.title(), new RegExp(w.physical));
      await expectNoAxeViolations(page, `wallet certificate screen (${lang})`);
      // Switching to another certificate, as the app's 身体 / 精神 / 療育 tabs do.
      const switches = page.locator("#cert-switch-list button");
      assert.equal(await switches.count(), 3);
      assert.equal(await switches.nth(0).getAttribute("aria-current"), "true");
      await switches.nth(1).click();
      assert.equal(await app.heading().textContent(), w.mental);
      assert.equal(await app.focused(), "certificate-h");
      assert.equal(await page.locator("#cert-switch-list button").nth(1).getAttribute("aria-current"), "true");
      await page.getByRole("button", { name: w.home }).click();
      await app.waitForHome();

      // The other tabs; 使える場所 and クーポン are the widget package's elements.
      for (const [tab, heading] of [["news", "news-h"], ["places", "places-h"], ["coupons", "coupons-h"], ["personal", "personal-h"]]) {
        await page.locator(`#tabs a[data-tab=${tab}]`).click();
        assert.equal(await app.focused(), heading);
        assert.equal(await page.locator(`#tabs a[data-tab=${tab}]`).getAttribute("aria-current"), "page");
        if (tab === "places" || tab === "coupons") {
          const element = page.locator(`mirairo-${tab}`);
          await element.waitFor({ state: "attached" });
          assert.equal(await element.getAttribute("lang"), lang);
          assert.equal(await element.getAttribute("api"), sandbox.url);
          await page.waitForFunction((name) => document.querySelector(name)?.shadowRoot?.querySelector("li"), `mirairo-${tab}`, { timeout: 20_000 });
        }
        await expectNoAxeViolations(page, `wallet ${tab} (${lang})`);
      }
      // The language switch re-renders what is on screen.
      await page.locator("#lang-switch").click();
      const other = lang === "ja" ? "en" : "ja";
      assert.equal(await page.evaluate(() => document.documentElement.lang), other);
      await page.locator("#tabs a[data-tab=home]").click();
      assert.match(await page.locator("#cards .card").nth(0).textContent(), new RegExp(words[other].physical));
      await page.locator("#lang-switch").click();
    } finally {
      await app.close();
    }
  });
}

test("the sandbox's landing page links the app simulator, keeping the language", async () => {
  const page = await browser.newPage();
  try {
    await page.goto(`${sandbox.url}/?lang=en`);
    await page.getByRole("link", { name: "The Mirairo ID app (simulator)" }).click();
    await page.locator("#screen-signin:not([hidden])").waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
  } finally {
    await page.close();
  }
});

test("reduced motion: the certificate screen does not glow and shows the running clock", async () => {
  const app = await WalletApp.open("ja", { reducedMotion: "reduce" });
  try {
    await app.signIn("taro");
    await app.waitForHome();
    await app.page.locator("#cards .card").first().click();
    await app.page.locator("#screen-certificate:not([hidden])").waitFor();
    assert.equal(await app.page.locator("#glow").evaluate((g) => getComputedStyle(g).animationName), "none");
    const first = await app.page.locator("#certificate-live").textContent();
    assert.match(first, /現在時刻/);
    await app.page.waitForFunction((t) => document.getElementById("certificate-live").textContent !== t, first, { timeout: 5000 });
    await expectNoAxeViolations(app.page, "certificate screen, reduced motion");
  } finally {
    await app.close();
  }
});

for (const lang of ["ja", "en"]) {
  test(`${lang}: a pasted request from an unregistered verifier, presented; the library verifies it`, async () => {
    const app = await WalletApp.open(lang);
    const { page, w } = app;
    try {
      await app.signIn("hanako");
      await app.waitForHome();
      const { url, state } = await verifier.create(RAILWAY_CLAIMS);
      await page.getByRole("button", { name: w.scan }).click();
      // Headless Chromium on Linux has no BarcodeDetector: the page says so and offers paste.
      assert.match(await page.locator("#camera-note").textContent(), w.noCamera);
      assert.equal(await page.locator("#camera-start").isHidden(), true);
      await expectNoAxeViolations(page, `wallet scan (${lang})`);
      await page.getByRole("button", { name: w.home }).first().click();
      await app.paste(url);
      await app.waitForRequest();

      // The warning names the origin and the unverified client_name.
      const box = page.locator("#verifier");
      assert.match(await box.textContent(), new RegExp(w.unregistered));
      assert.match(await box.textContent(), new RegExp(verifier.origin.replace(/\./g, "\\.")));
      assert.match(await box.textContent(), /Interop Verifier/);
      // Exactly the asked claims, with the chosen certificate's values.
      assert.equal((await app.askedClaims()).length, 4);
      assert.equal(await page.locator("#cert-options input").count(), 3);
      await page.locator("#cert-options label").nth(1).click();
      const asked = await app.askedClaims();
      assert.ok(asked.some(([, v]) => v === w.class2), JSON.stringify(asked));
      await expectNoAxeViolations(page, `wallet request, unregistered (${lang})`);

      await page.getByRole("button", { name: w.present, exact: true }).click();
      await app.waitForResult();
      assert.equal(await app.heading().textContent(), w.presented);
      await expectNoAxeViolations(page, `wallet presented (${lang})`);

      const outcome = verifier.outcome(state);
      assert.ok(outcome?.verified, JSON.stringify(outcome));
      assert.deepEqual(Object.keys(outcome.verified).sort(), [...RAILWAY_CLAIMS].sort(), "nothing not asked is disclosed");
      assert.equal(outcome.verified.certificate_type, "mental");
      assert.equal(outcome.verified.fare_class, 2);

      // The notices tab lists it.
      await page.locator("#tabs a[data-tab=news]").click();
      assert.equal(await page.locator("#news li").count(), 1);
    } finally {
      await app.close();
    }
  });
}

test("decline: the verifier receives access_denied with the state", async () => {
  const app = await WalletApp.open("en");
  const { page, w } = app;
  try {
    await app.signIn("hanako");
    await app.waitForHome();
    const { url, state } = await verifier.create(["fare_class"]);
    await app.paste(url);
    await app.waitForRequest();
    await page.getByRole("button", { name: w.decline, exact: true }).click();
    await app.waitForResult();
    assert.equal(await app.heading().textContent(), w.declined);
    assert.deepEqual(verifier.outcome(state), { declined: "access_denied" });
    await expectNoAxeViolations(page, "wallet declined (en)");
  } finally {
    await app.close();
  }
});

test("camera: getUserMedia (Chromium's fake camera) and a QR code found in the video open the request", async () => {
  // Chromium has no BarcodeDetector on Linux. The camera is Chromium's own fake device;
  // the detector is a stand-in that "sees" the request in the video once it plays, so
  // the page's camera path (feature detection, getUserMedia, the scan loop, stopping
  // the camera, opening what was read) runs for real around it.
  const { url, state } = await verifier.create(["fare_class"]);
  const cameraBrowser = await launchBrowser({
    args: [...chromiumArgs, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"],
  });
  const context = await cameraBrowser.newContext({ viewport: { width: 390, height: 844 } });
  await context.grantPermissions(["camera"]);
  await context.addInitScript((found) => {
    window.BarcodeDetector = class {
      constructor(opts) {
        if (!opts?.formats?.includes("qr_code")) throw new TypeError("qr_code expected");
      }
      async detect(video) {
        return video.readyState >= 2 && video.videoWidth > 0 ? [{ format: "qr_code", rawValue: found }] : [];
      }
    };
  }, url);
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  try {
    await page.goto(`${sandbox.url}/wallet/?lang=ja`);
    await page.locator(`input[name=user][value="hanako"]`).check();
    await page.getByRole("button", { name: words.ja.signIn, exact: true }).click();
    await page.locator("#cards .card").first().waitFor();
    await page.getByRole("button", { name: words.ja.scan }).click();
    assert.match(await page.locator("#camera-note").textContent(), /カメラを使う/);
    await page.getByRole("button", { name: "カメラを使う" }).click();
    await page.locator("#screen-request:not([hidden])").waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), "request-h");
    assert.equal(await page.locator("#camera").evaluate((v) => v.srcObject), null, "the camera is stopped");
    await page.getByRole("button", { name: words.ja.present, exact: true }).click();
    await page.locator("#screen-result:not([hidden])").waitFor();
    assert.deepEqual(verifier.outcome(state), { verified: { fare_class: 1 } });
    assert.deepEqual(errors, []);
  } finally {
    await cameraBrowser.close();
  }
});

/** Presses Tab until the focused element's text or id is `name` (at most 30 presses). */
async function tabTo(page, name) {
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press("Tab");
    const [id, text] = await page.evaluate(() => [document.activeElement?.id, document.activeElement?.textContent?.trim()]);
    if (text === name || id === name) return;
  }
  assert.fail(`no focusable "${name}" within 30 tabs`);
}

test("keyboard alone: sign in, paste, choose a certificate, present, sign out", async () => {
  const app = await WalletApp.open("en");
  const { page, w } = app;
  try {
    await page.locator("#screen-signin:not([hidden])").waitFor();
    await page.locator("input[name=user]").first().focus();
    await page.keyboard.press("ArrowDown"); // the second test user: taro
    await tabTo(page, w.signIn);
    await page.keyboard.press("Enter");
    await app.waitForHome();
    assert.match(await page.locator("#greeting").textContent(), /山田 太郎/);
    const { url, state } = await verifier.create(["certificate_type", "valid_until"]);
    await tabTo(page, w.scan);
    await page.keyboard.press("Enter");
    assert.equal(await app.focused(), "scan-h");
    await tabTo(page, "request-url");
    await page.keyboard.insertText(url);
    await tabTo(page, w.check);
    await page.keyboard.press("Enter");
    await app.waitForRequest();
    assert.equal(await page.locator("#cert-choice").isHidden(), true, "one certificate: nothing to choose");
    await tabTo(page, w.present);
    await page.keyboard.press("Enter");
    await app.waitForResult();
    assert.deepEqual(verifier.outcome(state), { verified: { certificate_type: "physical", valid_until: "2024-03-31" } });
    await page.locator("#tabs a[data-tab=personal]").focus();
    await page.keyboard.press("Enter");
    assert.equal(await app.focused(), "personal-h");
    await tabTo(page, "Sign out");
    await page.keyboard.press("Enter");
    await page.locator("#screen-signin:not([hidden])").waitFor();
    assert.equal(await app.focused(), "signin-h");
    assert.equal(await page.locator("#tabs").isHidden(), true);
  } finally {
    await app.close();
  }
});

test("deep link: ?request= opens the request right after sign-in (interop: library request, library-validated answer)", async () => {
  const { url, state } = await verifier.create(["fare_class", "caregiver"]);
  const app = await WalletApp.open("ja", { query: `request=${encodeURIComponent(url)}` });
  const { page, w } = app;
  try {
    await page.locator("#screen-signin:not([hidden])").waitFor();
    assert.equal(new URL(page.url()).searchParams.get("request"), null, "the request leaves the address bar");
    await app.signIn("hanako");
    await app.waitForRequest();
    assert.deepEqual(
      (await app.askedClaims()).map(([label]) => label),
      ["旅客運賃減額の区分", "介護者の有無"],
    );
    await page.getByRole("button", { name: w.present, exact: true }).click();
    await app.waitForResult();
    assert.equal(await app.heading().textContent(), w.presented);
    assert.deepEqual(verifier.outcome(state), { verified: { fare_class: 1, caregiver: true } });
  } finally {
    await app.close();
  }
});

for (const lang of ["ja", "en"]) {
  test(`${lang}: a request that breaks §7.3 is explained and nothing is shown`, async () => {
    const app = await WalletApp.open(lang);
    app.allow400 = true;
    const { page, w } = app;
    try {
      await app.signIn("hanako");
      await app.waitForHome();
      const { url } = await verifier.create(["fare_class"]);
      // Another verifier's client_id: a possible impersonation.
      const tampered = url.replace(/client_id=[^&]+/, `client_id=${encodeURIComponent("redirect_uri:http://127.0.0.1:9/response")}`);
      await app.paste(tampered);
      await page.locator("#scan-error:not([hidden])").waitFor();
      assert.equal(await app.focused(), "scan-error-h");
      assert.equal(await page.locator("#scan-error-h").textContent(), w.refused);
      assert.ok((await page.locator("#scan-error-text").textContent()).length > 10);
      assert.equal(await page.locator("#screen-request").isHidden(), true);
      await expectNoAxeViolations(page, `wallet refused request (${lang})`);
      // An empty field is an error tied to the field.
      await page.locator("#request-url").fill("");
      await page.getByRole("button", { name: w.check }).click();
      assert.equal(await page.locator("#request-url").getAttribute("aria-invalid"), "true");
      await expectNoAxeViolations(page, `wallet empty request (${lang})`);
    } finally {
      await app.close();
    }
  });
}
