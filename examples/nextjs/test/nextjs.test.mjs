// The built Next.js app (`next build` first) under `next start` on a free loopback port,
// against a sandbox this test starts: the server render of the page works with both
// packages imported (placeholders in the HTML, no crash), and the route handler
// verifies a real presentation issued by the sandbox, once, and refuses bad ones.
//
// Needs: target/debug/mirairo-id-sandbox, the packed packages installed here, and
// `next build` done (examples/TESTING.md).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startSandbox, launchBrowser, expectNoAxeViolations, watchPageErrors, repoRoot } from "../../../tests/lib/harness.mjs";

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
let sandbox;
let app;
let browser;
let clientsDir;

/** A port that was free a moment ago on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** `next start` on `port`; resolves once it answers. */
async function startNext(port, env) {
  const next = path.join(here, "node_modules/next/dist/bin/next");
  const child = spawn(process.execPath, [next, "start", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: here,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout.setEncoding("utf8").on("data", (c) => (log += c));
  child.stderr.setEncoding("utf8").on("data", (c) => (log += c));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}:\n${log}`);
    try {
      await fetch(`${url}/ja`, { redirect: "manual" });
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`next start did not answer in 60 s:\n${log}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    url,
    log: () => log,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
      }),
  };
}

/** The sandbox's clients with `example-nextjs` registered at `origin` (the test's port). */
function clientsFor(origin) {
  const file = JSON.parse(readFileSync(path.join(repoRoot, "sandbox/clients.json"), "utf8"));
  const client = file.clients.find((c) => c.client_id === "example-nextjs");
  client.redirect_uris = client.post_logout_redirect_uris = [`${origin}/ja`, `${origin}/en`];
  client.origins = [origin];
  clientsDir = mkdtempSync(path.join(tmpdir(), "mirairo-nextjs-"));
  const clients = path.join(clientsDir, "clients.json");
  writeFileSync(clients, JSON.stringify(file));
  return clients;
}

before(async () => {
  assert.ok(existsSync(path.join(here, ".next/BUILD_ID")), "examples/nextjs is not built: run `npx next build` first");
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  sandbox = await startSandbox({ args: ["--clients", clientsFor(origin)] });
  app = await startNext(port, { MIRAIRO_ISSUER: sandbox.url, MIRAIRO_APP_URL: origin });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await app?.stop();
  await sandbox?.stop();
  if (clientsDir) rmSync(clientsDir, { recursive: true, force: true });
});

const b64 = (x) => Buffer.from(x).toString("base64url");

/** A holder: an EC P-256 key and a credential the sandbox issued bound to it. */
async function holder() {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const { kty, crv, x, y } = publicKey.export({ format: "jwk" });
  const { credential } = await sandbox.control("/_sandbox/issue", {
    user: "hanako",
    certificate: 0,
    claims: ["fare_class", "caregiver"],
    holder_jwk: { kty, crv, x, y },
  });
  return {
    credential,
    /** The credential with a KB-JWT for `aud` and `nonce` (RFC 9901 §4.3). */
    present(aud, nonce, key = privateKey) {
      const header = b64(JSON.stringify({ alg: "ES256", typ: "kb+jwt" }));
      const sdHash = createHash("sha256").update(credential, "ascii").digest("base64url");
      const payload = b64(JSON.stringify({ iat: Math.floor(Date.now() / 1000), aud, nonce, sd_hash: sdHash }));
      const sig = sign("sha256", Buffer.from(`${header}.${payload}`), { key, dsaEncoding: "ieee-p1363" });
      return `${credential}${header}.${payload}.${b64(sig)}`;
    },
  };
}

async function post(pathname, body) {
  const res = await fetch(app.url + pathname, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function nonce() {
  const { status, body } = await post("/api/nonce", {});
  assert.equal(status, 200);
  assert.equal(body.audience, app.url, "the audience is this app");
  return body.nonce;
}

for (const [lang, words] of [
  ["ja", { title: "ミライロIDでログイン（Next.js の例）", login: "ミライロIDでログイン" }],
  ["en", { title: "Log in with Mirairo ID (Next.js example)", login: "Log in with Mirairo ID" }],
]) {
  test(`the server render of /${lang} imports both packages and holds their elements and placeholders`, async () => {
    const res = await fetch(`${app.url}/${lang}`);
    assert.equal(res.status, 200, app.log());
    const html = await res.text();
    assert.match(html, new RegExp(`<html lang="${lang}"`));
    assert.match(html, new RegExp(`<title>${words.title.replace(/[()]/g, "\\$&")}</title>`));
    assert.match(html, new RegExp(`<h2 id="mirairo-login-h">${words.login}</h2>`));
    assert.match(html, new RegExp(`<mirairo-login-button lang="${lang}"></mirairo-login-button>`), "the button, drawn once the SDK's module runs");
    const places = /<mirairo-places [^>]*><\/mirairo-places>/.exec(html)?.[0] ?? "";
    assert.match(places, new RegExp(`api="${sandbox.url}"`), "the widget points at the provider read at run time");
    assert.match(places, new RegExp(`lang="${lang}"`));
    // The placeholder styles reach the page in the server-rendered HTML's stylesheets.
    const sheets = [...html.matchAll(/<link rel="stylesheet" href="([^"]+\.css)"/g)].map((m) => m[1]);
    assert.ok(sheets.length > 0, "a stylesheet link");
    const css = (await Promise.all(sheets.map(async (href) => (await fetch(new URL(href, app.url))).text()))).join("\n");
    assert.match(css, /mirairo-places:not\(:defined\)/);
    assert.match(css, /mirairo-login-button:not\(:defined\)/);
    assert.doesNotMatch(app.log(), /window is not defined|document is not defined|customElements is not defined|fetch failed/);
  });
}

test("/ goes to the Japanese page; an unknown language is a 404", async () => {
  const root = await fetch(app.url, { redirect: "manual" });
  assert.ok([307, 308].includes(root.status));
  assert.equal(new URL(root.headers.get("location"), app.url).pathname, "/ja");
  assert.equal((await fetch(`${app.url}/fr`)).status, 404);
});

test("the route handler verifies a real presentation once, with only the disclosed claims", async () => {
  const h = await holder();
  const presentation = h.present(app.url, await nonce());
  const ok = await post("/api/verify", { presentation });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.verified.keyBound, true);
  assert.equal(ok.body.verified.fareClass, 1);
  assert.deepEqual(ok.body.verified.disclosed, ["fare_class", "caregiver"]);
  assert.equal("familyName" in ok.body.verified, false);
  const replay = await post("/api/verify", { presentation });
  assert.deepEqual([replay.status, replay.body.error], [403, "bad_key_binding"], "a replayed nonce");
});

test("the route handler refuses bad presentations with the protocol code", async () => {
  const h = await holder();
  const other = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
  // Each row gets a fresh nonce, so only its own fault can fail it.
  const rows = [
    ["a nonce this server never issued", () => h.present(app.url, "never-issued-0123456789"), 403, "bad_key_binding"],
    ["an issued nonce with its expiry moved", (n) => h.present(app.url, n.replace(/^\d+/, (t) => String(Number(t) + 3_600_000))), 403, "bad_key_binding"],
    ["another partner's audience", (n) => h.present("https://other.example", n), 403, "bad_key_binding"],
    ["a KB-JWT signed by another key", (n) => h.present(app.url, n, other), 403, "bad_key_binding"],
    ["no key binding", () => h.credential, 403, "key_binding_required"],
    ["not an SD-JWT", () => "hello", 403, "malformed"],
  ];
  for (const [what, make, status, code] of rows) {
    const r = await post("/api/verify", { presentation: make(await nonce()) });
    assert.deepEqual([r.status, r.body.error], [status, code], what);
  }
  for (const [what, body] of [
    ["no presentation", { nope: 1 }],
    ["not JSON", "{"],
    ["a presentation that is not a string", { presentation: 1 }],
    ["a body over 256 KiB", { presentation: "a".repeat(300 * 1024) }],
  ]) {
    const r = await post("/api/verify", body);
    assert.deepEqual([r.status, r.body.error], [400, "invalid_request"], what);
  }
});

test("in Chromium: the page hydrates, logs in through the sandbox, and the route handler verifies its presentation", async () => {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  try {
    await page.goto(`${app.url}/en`);
    const button = page.getByRole("button", { name: "Log in with Mirairo ID" });
    await button.waitFor();
    const row = page.locator("mirairo-places").locator("[part~=item-button]").first();
    await row.waitFor({ timeout: 30_000 });
    await row.click();
    await page.locator(".selected").filter({ hasText: "Place you chose: " }).waitFor();
    await expectNoAxeViolations(page, "nextjs (en)");

    await button.click();
    await page.locator("input[name=user]").first().waitFor();
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("button", { name: "Agree", exact: true }).click();
    await page.waitForURL(`${app.url}/en`);
    await page.getByRole("heading", { name: "You are logged in" }).waitFor();
    await page.getByRole("button", { name: "Check the certificate on our server" }).click();
    await page.getByRole("status").filter({ hasText: "Our server verified the certificate" }).waitFor();
    await expectNoAxeViolations(page, "nextjs signed in, verified (en)");
    // Hydration mismatches and failed chunks are console errors.
    assert.deepEqual(errors.filter((e) => !/status of 404/.test(e)), [], "console errors (the provider pages' /favicon.ico aside)");
  } finally {
    await context.close();
  }
});
