// みらい鉄道's counter page (www/demo/counter/) in Debian's Chromium against the sandbox:
// in Japanese and in English, every state with axe (idle, form errors, QR shown,
// verified, failed, declined, expired), focus after each step, the outcome in a live
// region, and the answer arriving on its own. The holder's answer is made in this test
// process (a key from node:crypto, a credential the sandbox issues to it, a KB-JWT for
// the request's client_id and nonce) and posted to the request's response_uri, as the
// Mirairo ID app would.
//
// Needs: target/debug/mirairo-id-sandbox and dist/npm/sdk (cargo xtask build).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import path from "node:path";
import { startSandbox, launchBrowser, expectNoAxeViolations, watchPageErrors, repoRoot } from "../lib/harness.mjs";

const CLAIMS = ["fare_class", "valid_until", "certificate_type", "caregiver"];

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

const b64 = (x) => Buffer.from(x).toString("base64url");

/** The holder's app, played by this process: a P-256 key and hanako's credential bound to it. */
async function wallet() {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const { kty, crv, x, y } = publicKey.export({ format: "jwk" });
  const { credential } = await sandbox.control("/_sandbox/issue", { user: "hanako", certificate: 0, claims: CLAIMS, holder_jwk: { kty, crv, x, y } });
  const kb = (aud, nonce, iat) => {
    const header = b64(JSON.stringify({ alg: "ES256", typ: "kb+jwt" }));
    const sdHash = createHash("sha256").update(credential, "ascii").digest("base64url");
    const payload = b64(JSON.stringify({ iat, aud, nonce, sd_hash: sdHash }));
    const sig = sign("sha256", Buffer.from(`${header}.${payload}`), { key: privateKey, dsaEncoding: "ieee-p1363" });
    return `${header}.${payload}.${b64(sig)}`;
  };
  return {
    /** Answers the openid4vp:// URL: "present" (PROTOCOL.md §7.2), "no-kb" or "decline". */
    async answer(url, how = "present") {
      const q = new URL(url).searchParams;
      const form = new URLSearchParams({ state: q.get("state") });
      if (how === "decline") form.set("error", "access_denied");
      else {
        // Signed at the sandbox's time: the tests move its clock forward.
        const { now } = await sandbox.control("/_sandbox/clock", { advance: 0 });
        const presentation = how === "no-kb" ? credential : credential + kb(q.get("client_id"), q.get("nonce"), now);
        form.set("vp_token", JSON.stringify({ certificate: [presentation] }));
      }
      const res = await fetch(q.get("response_uri"), { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form });
      return { status: res.status, body: await res.json() };
    },
  };
}

const words = {
  ja: {
    show: "QRコードを表示",
    again: "新しいQRコードを表示",
    headline: "第1種 · 有効 · 本人の端末で確認済み",
    yen: (n) => `${n.toLocaleString("ja-JP")}円`,
    failed: "確認できませんでした",
    noKb: "お客様の端末による署名がありません",
    declined: "お客様が提示を取りやめました",
    expired: "QRコードの有効期限が切れました",
    explanation: /介護者/,
  },
  en: {
    show: "Show the QR code",
    again: "Show a new QR code",
    headline: "Class 1 · valid · verified on the holder's own device",
    yen: (n) => `¥${n.toLocaleString("en-US")}`,
    failed: "Not verified",
    noKb: "There is no signature by the customer's device",
    declined: "The customer declined",
    expired: "The QR code has expired",
    explanation: /companion/i,
  },
};

/** Page object for the counter page. */
class Counter {
  constructor(page, lang) {
    this.page = page;
    this.lang = lang;
    this.w = words[lang];
    this.errors = watchPageErrors(page);
  }

  static async open(lang) {
    const context = await browser.newContext({ viewport: { width: 1024, height: 1200 } });
    const counter = new Counter(await context.newPage(), lang);
    counter.context = context;
    await counter.page.goto(`${sandbox.url}/demo/counter/?lang=${lang}`);
    await counter.page.locator("#from option").nth(1).waitFor({ state: "attached" });
    return counter;
  }

  async close() {
    await this.context.close();
  }

  focused() {
    return this.page.evaluate(() => document.activeElement?.id);
  }

  /** The QR element's request URL, once the QR section shows. */
  async qrUrl() {
    const qr = this.page.locator("#qr-section mirairo-presentation-qr[url]");
    await qr.waitFor();
    return qr.getAttribute("url");
  }

  /** Waits for the outcome section and returns its text. */
  async outcome() {
    await this.page.locator("#outcome-section:not([hidden]) .result").waitFor();
    return this.page.locator("#outcome").textContent();
  }

  async again() {
    const before = await this.page.locator("#qr").getAttribute("url");
    await this.page.getByRole("button", { name: this.w.again }).click();
    const url = await this.qrUrl();
    assert.notEqual(url, before);
    return url;
  }
}

for (const lang of ["ja", "en"]) {
  test(`the counter in ${lang}: trip, QR code, and every outcome arriving on its own`, async () => {
    const c = await Counter.open(lang);
    const p = c.page;
    const holder = await wallet();
    try {
      assert.equal(await p.evaluate(() => document.documentElement.lang), lang);
      await expectNoAxeViolations(p, `counter idle (${lang})`);

      // Nothing chosen: every error is tied to its field, focus on the summary.
      await p.getByRole("button", { name: c.w.show }).click();
      assert.equal(await p.locator("#from").getAttribute("aria-invalid"), "true");
      assert.equal(await c.focused(), "error-summary");
      await expectNoAxeViolations(p, `counter form errors (${lang})`);

      // みらい中央 → 港町, a regular ticket (760 yen), with a companion.
      await p.locator("#from").selectOption("mirai-chuo");
      await p.locator("#to").selectOption("minatomachi");
      await p.locator("#ticket").selectOption("regular");
      await p.locator("#companion").check();
      await p.getByRole("button", { name: c.w.show }).click();
      const url = await c.qrUrl();
      assert.match(url, /^openid4vp:\/\/\?/);
      assert.equal(await c.focused(), "qr-h", "focus moves to the QR code's heading");
      assert.match(await p.locator("#countdown").textContent(), /[45]/);
      assert.equal(await p.locator("#countdown").getAttribute("aria-live"), null, "the countdown does not speak every second");
      assert.equal(await p.locator("#qr").getAttribute("lang"), lang);
      await expectNoAxeViolations(p, `counter QR shown (${lang})`);

      // Verified: the answer arrives without a reload.
      const navigations = [];
      p.on("framenavigated", (f) => navigations.push(f.url()));
      const ok = await holder.answer(url);
      assert.deepEqual(ok, { status: 200, body: {} });
      const verified = await c.outcome();
      assert.ok(verified.includes(c.w.headline), verified);
      assert.ok(verified.includes(c.w.yen(380)), `holder and companion pay 380: ${verified}`);
      assert.match(verified, c.w.explanation);
      assert.equal(await c.focused(), "again", "focus moves to the next action");
      assert.match(await p.locator("#announce").textContent(), new RegExp(c.w.headline));
      assert.equal(await p.locator("#announce").getAttribute("role"), "status");
      assert.deepEqual(navigations, [], "no reload");
      await expectNoAxeViolations(p, `counter verified (${lang})`);

      // Failed: a presentation without key binding, in words a clerk can read out.
      const noKb = await holder.answer(await c.again(), "no-kb");
      assert.deepEqual([noKb.status, noKb.body.error], [400, "key_binding_required"]);
      const failed = await c.outcome();
      assert.ok(failed.includes(c.w.failed) && failed.includes(c.w.noKb), failed);
      assert.ok(failed.includes("key_binding_required"), "the code is shown too");
      assert.equal(await c.focused(), "again");
      await expectNoAxeViolations(p, `counter failed (${lang})`);

      // Declined by the holder.
      const declined = await holder.answer(await c.again(), "decline");
      assert.equal(declined.status, 200);
      assert.ok((await c.outcome()).includes(c.w.declined));
      await expectNoAxeViolations(p, `counter declined (${lang})`);

      // Expired: nobody answers, the sandbox's clock passes the request's expiry.
      await c.again();
      await sandbox.control("/_sandbox/clock", { advance: 301 });
      assert.ok((await c.outcome()).includes(c.w.expired));
      await expectNoAxeViolations(p, `counter expired (${lang})`);

      // The language switch re-renders the outcome.
      await p.locator("#lang-switch").click();
      const other = lang === "ja" ? "en" : "ja";
      assert.ok((await p.locator("#outcome").textContent()).includes(words[other].expired));
      assert.deepEqual(c.errors.filter((e) => !/status of 400/.test(e)), []);
    } finally {
      await c.close();
    }
  });
}

test("the counter page shows only the four claims it asked for, and prices a child's trip", async () => {
  const c = await Counter.open("ja");
  const p = c.page;
  try {
    await p.locator("#from").selectOption("kawabe");
    await p.locator("#to").selectOption("hoshigaoka");
    await p.locator("#ticket").selectOption("regular");
    await p.locator("#child").check();
    await p.getByRole("button", { name: c.w.show }).click();
    const url = await c.qrUrl();
    const q = new URL(url).searchParams;
    const asked = JSON.parse(q.get("dcql_query")).credentials[0].claims.map((cl) => cl.path[0]);
    assert.deepEqual(asked, CLAIMS);
    await (await wallet()).answer(url);
    const text = await c.outcome();
    for (const absent of ["ミライロ", "ハナコ", "412"]) assert.ok(!text.includes(absent), `${absent} shown: ${text}`);
    assert.ok(text.includes("身体障害者手帳"));
    // 111.1 km, 1,920 yen; a child under 12 from the child fare (960), 第1種 alone over
    // 100 km: 50 %.
    assert.ok(text.includes(c.w.yen(480)) && text.includes("小児運賃"), text);
  } finally {
    await c.close();
  }
});

test("by keyboard alone, at 320 CSS px (400 % zoom), with reduced motion", async () => {
  const context = await browser.newContext({ viewport: { width: 320, height: 640 }, reducedMotion: "reduce" });
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  const focused = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.className);
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  try {
    await page.goto(`${sandbox.url}/demo/counter/?lang=ja`);
    await page.locator("#from option").nth(1).waitFor({ state: "attached" });
    assert.ok((await overflow()) <= 1, "the form does not scroll sideways");
    await page.keyboard.press("Tab");
    assert.equal(await focused(), "skip-link");
    await page.keyboard.press("Enter");
    assert.equal(await focused(), "main");
    // Tab to each control; arrow keys choose in a select, Space ticks a box.
    const tabTo = async (id) => {
      for (let i = 0; i < 20 && (await focused()) !== id; i++) await page.keyboard.press("Tab");
      assert.equal(await focused(), id);
      assert.notEqual(await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle), "none", `${id} shows focus`);
    };
    await tabTo("from");
    await page.keyboard.press("ArrowDown"); // みらい中央
    await tabTo("to");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown"); // 桜台
    await tabTo("ticket");
    await page.keyboard.press("ArrowDown"); // 普通乗車券
    await tabTo("companion");
    await page.keyboard.press("Space");
    await tabTo("show-qr");
    await page.keyboard.press("Enter");
    const url = await page.locator("#qr[url]").getAttribute("url");
    assert.equal(await focused(), "qr-h");
    assert.ok((await overflow()) <= 1, "the QR code fits at 320px");
    assert.deepEqual(await page.evaluate(() => document.getAnimations().map((a) => a.animationName ?? a.constructor.name)), [], "nothing moves");
    await (await wallet()).answer(url);
    await page.locator("#outcome-section:not([hidden]) .result").waitFor();
    assert.equal(await focused(), "again");
    assert.ok((await overflow()) <= 1, "the outcome fits at 320px");
    // One key press for the next customer's QR code.
    await page.keyboard.press("Enter");
    await page.locator("#qr-section:not([hidden])").waitFor();
    assert.notEqual(await page.locator("#qr").getAttribute("url"), url);
    await expectNoAxeViolations(page, "counter at 320px");
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("the clerk has words in ja and en for every code the counter can report", async () => {
  const dts = readFileSync(path.join(repoRoot, "dist/npm/sdk/index.d.ts"), "utf8");
  const union = (name) => {
    const m = new RegExp(`export type ${name} =([^;]*);`).exec(dts);
    assert.ok(m, `${name} in index.d.ts`);
    return [...m[1].matchAll(/"([a-z_]+)"/g)].map((x) => x[1]);
  };
  const codes = [
    ...union("VerificationErrorCode"), // PROTOCOL.md §4
    ...union("PresentationErrorCode").filter((c) => c !== "access_denied"), // §7.2; a decline is "declined"
    "declined", "request_timed_out", "network", "server_error", // the page's own outcomes
  ];
  assert.ok(codes.includes("revoked") && codes.includes("request_not_found"));
  const { reasons } = await import(pathToFileURL(path.join(repoRoot, "www/demo/counter/words.js")).href);
  for (const code of codes) {
    assert.ok(reasons[code]?.ja && reasons[code]?.en, `no words for ${code}`);
    assert.notEqual(reasons[code].ja, reasons[code].en, code);
  }
});

/** The holder app simulator (/wallet/) in its own browser context, as on the holder's phone. */
const walletWords = {
  ja: { signIn: "サインイン", scan: "窓口のQRコードを読み取る", check: "内容を確認する", present: "提示する", decline: "断る" },
  en: { signIn: "Sign in", scan: "Scan the QR code at the counter", check: "Check the request", present: "Present", decline: "Decline" },
};

async function openWallet(lang) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  await page.goto(`${sandbox.url}/wallet/?lang=${lang}`);
  await page.locator('input[name=user][value="hanako"]').check();
  await page.getByRole("button", { name: walletWords[lang].signIn, exact: true }).click();
  await page.locator("#cards .card").first().waitFor();
  return {
    page,
    errors,
    /** Pastes the counter's request URL (as a scan would give it) and answers it. */
    async answer(url, action) {
      const w = walletWords[lang];
      await page.getByRole("button", { name: w.scan }).click();
      await page.locator("#request-url").fill(url);
      await page.getByRole("button", { name: w.check }).click();
      await page.locator("#screen-request:not([hidden])").waitFor();
      const named = await page.locator("#verifier").textContent();
      await page.getByRole("button", { name: w[action], exact: true }).click();
      await page.locator("#screen-result:not([hidden])").waitFor();
      return named;
    },
    close: () => context.close(),
  };
}

for (const lang of ["ja", "en"]) {
  test(`the whole counter flow in ${lang}: the counter page and the holder's app in two browser contexts`, async () => {
    // The tests above moved their sandbox's clock ahead of the browser's; a fresh sandbox
    // starts in step with it.
    const own = await startSandbox();
    const saved = sandbox;
    sandbox = own;
    const c = await Counter.open(lang);
    const phone = await openWallet(lang);
    try {
      const p = c.page;
      await p.locator("#from").selectOption("mirai-chuo");
      await p.locator("#to").selectOption("minatomachi");
      await p.locator("#ticket").selectOption("regular");
      await p.locator("#companion").check();
      await p.getByRole("button", { name: c.w.show }).click();
      const url = await c.qrUrl();

      // The app names the verifier by its registered origin: みらい鉄道 / Mirai Railway.
      const named = await phone.answer(url, "present");
      assert.match(named, lang === "ja" ? /みらい鉄道/ : /Mirai Railway/);
      const verified = await c.outcome();
      assert.ok(verified.includes(c.w.headline), verified);
      assert.ok(verified.includes(c.w.yen(380)), verified);
      await expectNoAxeViolations(p, `counter verified by the app (${lang})`);

      // The holder declines on the app.
      await phone.page.goto(`${sandbox.url}/wallet/?lang=${lang}`);
      await phone.page.locator("#cards .card").first().waitFor();
      await phone.answer(await c.again(), "decline");
      assert.ok((await c.outcome()).includes(c.w.declined));
      assert.deepEqual(c.errors, []);
      assert.deepEqual(phone.errors, []);
    } finally {
      await phone.close();
      await c.close();
      sandbox = saved;
      await own.stop();
    }
  });
}
