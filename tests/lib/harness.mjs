// Shared test harness: a sandbox per test file on an ephemeral loopback port,
// Debian's Chromium driven by playwright-core, and axe-core checks.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The sandbox binary built by `cargo xtask test` (dev profile). */
export const sandboxBinary =
  process.env.MIRAIRO_SANDBOX_BIN ?? path.join(repoRoot, "target/debug/mirairo-id-sandbox");

/**
 * Starts the sandbox provider on 127.0.0.1 with an ephemeral port and an in-memory database.
 * Resolves once it prints its listening line. Always `await sandbox.stop()` (use `after`).
 * @param {{ args?: string[] }} [opts]
 * @returns {Promise<{ url: string, stop: () => Promise<void>, output: () => string }>}
 */
export async function startSandbox(opts = {}) {
  if (!existsSync(sandboxBinary)) {
    throw new Error(`sandbox binary missing at ${sandboxBinary}: run \`cargo build -p mirairo-id-sandbox\``);
  }
  const child = spawn(
    sandboxBinary,
    ["--addr", "127.0.0.1:0", "--db", ":memory:", ...(opts.args ?? [])],
    { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
  );
  let log = "";
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sandbox did not start in 30 s:\n${log}`)), 30_000);
    const onData = (chunk) => {
      log += chunk;
      const m = /mirairo-id-sandbox listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.setEncoding("utf8").on("data", onData);
    child.stderr.setEncoding("utf8").on("data", (c) => (log += c));
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`sandbox exited with ${code} before listening:\n${log}`));
    });
  });
  return {
    url,
    output: () => log,
    async control(pathname, body) {
      const res = await fetch(url + pathname, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body ?? {}),
      });
      if (!res.ok) throw new Error(`${pathname}: ${res.status} ${await res.text()}`);
      return res.json().catch(() => null);
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
      }),
  };
}

/** Chromium flags known to work headless as root on this kind of machine. */
export const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Launches Debian's Chromium (never a downloaded browser). */
export function launchBrowser(opts = {}) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: chromiumArgs,
    ...opts,
  });
}

/** Collects console errors and page errors, to assert a page ran cleanly. */
export function watchPageErrors(page) {
  const errors = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  return errors;
}

const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
export const axeTags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/**
 * Runs axe-core on the page (including open shadow roots) and fails with a readable
 * list when there is any violation. Injected through the DevTools protocol, so it
 * works under the page's CSP.
 */
export async function expectNoAxeViolations(page, label = page.url()) {
  const hasAxe = await page.evaluate(() => typeof window.axe !== "undefined");
  if (!hasAxe) await page.evaluate(axeSource);
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
    axeTags,
  );
  const lines = result.violations.flatMap((v) =>
    v.nodes.map((n) => `  ${v.id} (${v.impact}): ${n.target.join(" ")}: ${n.failureSummary?.split("\n").join(" ")}`),
  );
  assert.equal(lines.length, 0, `axe violations on ${label}:\n${lines.join("\n")}`);
  return result;
}
