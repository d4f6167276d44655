// Benchmark (not a test): login with @mirairo-id/sdk beside oidc-client-ts (+ jose for
// the ID token signature check oidc-client-ts skips), in Debian's Chromium against the
// sandbox, on the same kind of page; then the size of each library bundled by esbuild
// for the same job (gzip -9).
//
//   cargo xtask build && cargo build -p mirairo-id-sandbox
//   cd tests && node bench/login.bench.mjs [runs]
//
// Timings (median of `runs`, default 5, taken in turns; milliseconds from the page's script start):
// - "button": to the login button painted (after two animation frames). The SDK loads
//   its wasm and fetches the metadata and JWK Set in MirairoId.create; for oidc-client-ts
//   the page builds a UserManager, fetches the metadata (as it would on click) and
//   creates a plain <button>.
// - "callback": on the redirect URI page, to a verified login: the SDK's
//   handleRedirectCallback (state/iss checks, DPoP token request, ID token and SD-JWT VC
//   credential verification) vs signinRedirectCallback + jose.jwtVerify of the ID token
//   (oidc-client-ts does not verify the credential at all).
// Both pages are served at the registered redirect URI of `example-plain-html`
// (Playwright answers that URL with the bench page); the provider pages are real.
import path from "node:path";
import { build } from "esbuild";
import { gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { startSandbox, launchBrowser, repoRoot } from "../lib/harness.mjs";

const RUNS = Number(process.argv[2] ?? 5);
const testsDir = path.join(repoRoot, "tests");
const sdkDir = path.join(repoRoot, "dist/npm/sdk");

const CLAIMS = ["certificate_type", "grade", "fare_class", "caregiver", "valid_until"];

// The page script of each contender. `window.__bench` receives the timings.
const SDK_PAGE = `
const t0 = performance.now();
const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
const { MirairoId } = await import("/pkg/sdk/index.js");
const client = await MirairoId.create({ issuer: location.origin, clientId: "example-plain-html",
  redirectUri: location.origin + "/examples/plain-html/", certificateClaims: ${JSON.stringify(CLAIMS)} });
if (MirairoId.isCallback()) {
  const result = await client.handleRedirectCallback();
  window.__bench = { callback: performance.now() - t0, ok: result.certificate !== null };
} else {
  client.renderButton(document.getElementById("slot"));
  await frames();
  window.__bench = { button: performance.now() - t0 };
}`;

// The same with the custom element, which paints before the wasm is even fetched.
const SDK_ELEMENT_PAGE = `
const t0 = performance.now();
const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
const { MirairoId } = await import("/pkg/sdk/index.js");
if (MirairoId.isCallback()) {
  const client = await MirairoId.create({ issuer: location.origin, clientId: "example-plain-html",
    redirectUri: location.origin + "/examples/plain-html/", certificateClaims: ${JSON.stringify(CLAIMS)} });
  const result = await client.handleRedirectCallback();
  window.__bench = { callback: performance.now() - t0, ok: result.certificate !== null };
} else {
  const el = document.createElement("mirairo-login-button");
  el.setAttribute("issuer", location.origin);
  el.setAttribute("client-id", "example-plain-html");
  el.setAttribute("redirect-uri", location.origin + "/examples/plain-html/");
  document.getElementById("slot").append(el);
  await frames();
  window.__bench = { button: performance.now() - t0 };
}`;

// The same pages as a partner's bundler (Vite, webpack, Next) would ship them: the SDK
// bundled into the page's one script, served like the oidc-client-ts bundle, the wasm
// beside it (the wasm-bindgen glue finds it with \`new URL(…, import.meta.url)\`).
const bundled = (page) => page.replaceAll('"/pkg/sdk/index.js"', '"./sdk-bundle.js"');

const OIDC_PAGE = `
const t0 = performance.now();
const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
const { UserManager, IndexedDbDPoPStore, jwtVerify, createRemoteJWKSet } = await import("./oidc-bundle.js");
const mgr = new UserManager({ authority: location.origin, client_id: "example-plain-html",
  redirect_uri: location.origin + "/examples/plain-html/", response_type: "code",
  scope: "openid certificate", loadUserInfo: false,
  extraQueryParams: { certificate_claims: ${JSON.stringify(CLAIMS.join(" "))}, ui_locales: "ja" },
  dpop: { bind_authorization_code: true, store: new IndexedDbDPoPStore() } });
if (new URLSearchParams(location.search).has("code")) {
  const user = await mgr.signinRedirectCallback();
  const meta = await mgr.metadataService.getMetadata();
  await jwtVerify(user.id_token, createRemoteJWKSet(new URL(meta.jwks_uri)), { issuer: location.origin, audience: "example-plain-html", algorithms: ["ES256"] });
  window.__bench = { callback: performance.now() - t0, ok: typeof user.profile.sub === "string" };
} else {
  await mgr.metadataService.getMetadata();
  const b = document.createElement("button");
  b.textContent = "ミライロIDでログイン";
  // The provider requires a nonce; oidc-client-ts sends one only when asked.
  const nonce = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32)))).replace(/[+]/g, "-").replace(/[/]/g, "_").replace(/=+$/, "");
  b.addEventListener("click", () => mgr.signinRedirect({ nonce }));
  document.getElementById("slot").append(b);
  await frames();
  window.__bench = { button: performance.now() - t0 };
}`;

const HTML = `<!doctype html><html lang="ja"><meta charset="utf-8"><title>bench</title>
<body><main><div id="slot"></div></main><script type="module" src="bench-page.js"></script></body></html>`;

async function bundle(entry) {
  const out = await build({
    stdin: { contents: entry, resolveDir: testsDir, loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    write: false,
    logLevel: "silent",
    external: ["*.wasm"],
    // Chunks loaded with import() on first use (the SDK's ES256 module, fetched only by
    // ready() for the synchronous verify; the QR encoder) stay apart, as a splitting
    // bundler (Vite, webpack) leaves them: the entry chunk is what the login page loads.
    splitting: true,
    outdir: path.join(testsDir, ".bench-bundle"),
    metafile: true,
    absWorkingDir: testsDir,
  });
  // The entry chunk and the chunks it imports statically (not those behind import()).
  const outputs = out.metafile.outputs;
  const byName = new Map(out.outputFiles.map((f) => [path.relative(testsDir, f.path), f.contents]));
  const loaded = new Set();
  const visit = (name) => {
    if (loaded.has(name)) return;
    loaded.add(name);
    for (const i of outputs[name]?.imports ?? []) if (i.kind === "import-statement" && !i.external) visit(i.path);
  };
  const entryName = Object.keys(outputs).find((name) => path.basename(name) === "stdin.js");
  visit(entryName);
  const bytes = Buffer.concat([...loaded].map((name) => Buffer.from(byName.get(name))));
  // What the page is served: the entry, and every other chunk by its file name (the
  // entry imports shared chunks statically and the lazy ones with import()).
  bytes.entry = Buffer.from(byName.get(entryName));
  for (const [name, contents] of byName) if (name !== entryName) chunks.set(path.basename(name), Buffer.from(contents));
  return bytes;
}

/** The chunks of every bundle by file name (content-hashed, so the bundles never clash). */
const chunks = new Map();

const sdkBundle = await bundle(`export * from ${JSON.stringify(path.join(sdkDir, "index.js"))};`);
/**
 * The wasm files a browser bundle fetches next to itself, by name: the browser build's
 * and the ES256 module's. (The Node build, `wasm-node/`, has the same file name and
 * different imports: it must never be served here.)
 */
const sdkWasmFiles = new Map(
  ["wasm/mirairo_id_sdk_bg.wasm", "es256/mirairo_id_es256_bg.wasm"].map((f) => [path.basename(f), path.join(sdkDir, f)]),
);

const oidcBundle = await bundle(
  `export { UserManager, IndexedDbDPoPStore } from "oidc-client-ts"; export { jwtVerify, createRemoteJWKSet } from "jose";`,
);

async function run(browser, sandbox, pageScript) {
  const context = await browser.newContext();
  await context.route(/\/examples\/plain-html\/(\?.*)?$/, (route) =>
    route.fulfill({
      body: HTML,
      contentType: "text/html; charset=utf-8",
      headers: { "content-security-policy": "script-src 'self' 'wasm-unsafe-eval'" },
    }),
  );
  await context.route(/\/examples\/plain-html\/bench-page\.js$/, (route) =>
    route.fulfill({ body: pageScript, contentType: "text/javascript" }),
  );
  await context.route(/\/examples\/plain-html\/oidc-bundle\.js$/, (route) =>
    route.fulfill({ body: oidcBundle.entry, contentType: "text/javascript" }),
  );
  await context.route(/\/examples\/plain-html\/sdk-bundle\.js$/, (route) =>
    route.fulfill({ body: sdkBundle.entry, contentType: "text/javascript" }),
  );
  await context.route(/\/examples\/plain-html\/chunk-[^/?]+\.js$/, (route) => {
    const chunk = chunks.get(new URL(route.request().url()).pathname.split("/").pop());
    return chunk ? route.fulfill({ body: chunk, contentType: "text/javascript" }) : route.fulfill({ status: 404 });
  });
  await context.route(/\/examples\/plain-html\/[^/?]+\.wasm$/, (route) => {
    const file = sdkWasmFiles.get(new URL(route.request().url()).pathname.split("/").pop());
    return file ? route.fulfill({ body: readFileSync(file), contentType: "application/wasm" }) : route.fulfill({ status: 404 });
  });
  const page = await context.newPage();
  if (process.env.BENCH_DEBUG) page.on("console", (m) => console.log("console:", m.text()));
  if (process.env.BENCH_DEBUG) page.on("response", (r) => r.status() >= 300 && console.log("HTTP", r.status(), r.url().slice(0, 200), r.headers().location?.slice(0, 300)));
  if (process.env.BENCH_DEBUG) page.on("pageerror", (e) => console.log("pageerror:", e.message));
  await page.goto(`${sandbox.url}/examples/plain-html/`);
  await page.waitForFunction(() => window.__bench?.button !== undefined, null, { timeout: 30_000 });
  const button = await page.evaluate(() => window.__bench.button);
  await page.getByRole("button", { name: "ミライロIDでログイン" }).click();
  await page.waitForURL(/\/authorize/).catch(async () => {
    throw new Error(`no sign-in page; at ${page.url()}: ${(await page.content()).slice(0, 300)}`);
  });
  await page.locator('input[name="user"][value="hanako"]').check();
  await page.locator('button[name="action"][value="ok"]').click();
  await page.locator('input[name="claim"]').first().waitFor();
  // Playwright does not route a redirect's target, so take the consent answer's
  // Location and load the callback as a fresh (routed) navigation.
  let callbackUrl;
  await context.route(/\/authorize\/consent$/, async (route) => {
    const answer = await route.fetch({ maxRedirects: 0 });
    callbackUrl = answer.headers().location;
    await route.fulfill({ status: 204 });
  });
  await page.locator('button[name="action"][value="ok"]').click();
  await waitUntil(() => callbackUrl !== undefined);
  await page.goto(callbackUrl);
  await page.waitForFunction(() => window.__bench?.callback !== undefined, null, { timeout: 30_000 });
  const { callback, ok } = await page.evaluate(() => window.__bench);
  await context.close();
  if (!ok) throw new Error("the login did not complete");
  return { button, callback };
}

async function waitUntil(check) {
  for (let i = 0; i < 300 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!check()) throw new Error("timed out");
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

const sandbox = await startSandbox();
const browser = await launchBrowser();
try {
  const contenders = [
    ["@mirairo-id/sdk", bundled(SDK_PAGE)],
    ["@mirairo-id/sdk (element)", bundled(SDK_ELEMENT_PAGE)],
    ["@mirairo-id/sdk (no build step)", SDK_PAGE],
    ["oidc-client-ts + jose", OIDC_PAGE],
  ];
  // One warm-up run each (HTTP cache, wasm compile cache), then the measured runs taken
  // in turns (one of each contender per round), so that a machine getting busier or
  // quieter during the run weighs on every row alike.
  for (const [, script] of contenders) await run(browser, sandbox, script);
  const runs = contenders.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    for (const [c, [, script]] of contenders.entries()) runs[c].push(await run(browser, sandbox, script));
  }
  const rows = contenders.map(([name], c) => ({
    name,
    button: median(runs[c].map((r) => r.button)),
    callback: median(runs[c].map((r) => r.callback)),
  }));
  // The SDK rows are bundled by esbuild and served like the oidc-client-ts bundle, as a
  // partner's bundler ships them; "no build step" loads the package's own modules from
  // the sandbox, as a <script type="module"> page would. Ratios are to oidc-client-ts +
  // jose in this run; issue #11 asks at most 1.2x for the bundled SDK.
  const base = rows.find((r) => r.name.startsWith("oidc-client-ts"));
  const ratio = (a, b) => `${(a / b).toFixed(2)}x`.padStart(8);
  console.log(`\nLogin timings, median of ${RUNS} runs (ms from script start; ratio to oidc-client-ts + jose)`);
  console.log(`${"library".padEnd(32)}${"button".padStart(10)}${"".padStart(8)}${"callback".padStart(12)}`);
  for (const r of rows)
    console.log(
      `${r.name.padEnd(32)}${r.button.toFixed(1).padStart(10)}${ratio(r.button, base.button)}${r.callback.toFixed(1).padStart(12)}${ratio(r.callback, base.callback)}`,
    );
} finally {
  await browser.close();
  await sandbox.stop();
}

// Sizes: each library bundled for the same job (redirect login + callback), gzip -9.
const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const sdkJs = await bundle(`export { MirairoId } from ${JSON.stringify(path.join(sdkDir, "index.js"))};`);
const sdkWasm = readFileSync(path.join(sdkDir, "wasm/mirairo_id_sdk_bg.wasm"));
const sizes = [
  ["@mirairo-id/sdk (JS)", gz(sdkJs)],
  ["@mirairo-id/sdk (wasm)", gz(sdkWasm)],
  ["@mirairo-id/sdk (total)", gz(sdkJs) + gz(sdkWasm)],
  ["oidc-client-ts + jose", gz(oidcBundle)],
  ["oidc-client-ts alone", gz(await bundle(`export { UserManager, IndexedDbDPoPStore } from "oidc-client-ts";`))],
  ["@auth0/auth0-spa-js", gz(await bundle(`export { createAuth0Client } from "@auth0/auth0-spa-js";`))],
  ["@azure/msal-browser", gz(await bundle(`export { PublicClientApplication } from "@azure/msal-browser";`))],
];
console.log(`\nBundle size for the same job (esbuild --bundle --minify, gzip -9); budget for the SDK (#11): 64 KB`);
for (const [name, n] of sizes) console.log(`${name.padEnd(26)}${`${(n / 1000).toFixed(1)} KB`.padStart(10)}`);
