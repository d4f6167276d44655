// Visual regression: a screenshot is compared with its tracked reference in
// tests/screenshots/ within a tolerance, pixel by pixel (pixelmatch). References are
// written only when asked: `UPDATE_SCREENSHOTS=1` (then the test passes and
// `git diff tests/screenshots/` shows what changed). A failing comparison leaves the
// actual image and a diff image in target/screenshots/ (ignored by git), so the tree
// stays clean whatever happens.
//
// Tolerance, from measurement (pixelmatch, colour threshold 0.1, anti-aliased pixels
// not counted; 2026-12-03, Debian's Chromium):
// - the same machine, run twice: 0 pixels differ in all seven images;
// - this machine against the tracked references (written in an earlier session, on
//   another day): 0 % for the places views, 0.12–0.14 % for the coupon lists (their
//   validity dates follow the day the sandbox seeds);
// - a 200×40 px block changed (a button gone or recoloured): 0.71–1.55 %;
// - the whole image one pixel lower (a line of text moved): 1.8–9.3 %.
// So at most 0.5 % of the pixels may differ: over three times the drift seen, under
// the smallest real change measured. A different image size always fails. Fonts that
// differ more between machines than measured here would show up as a failure with
// its diff image: then rewrite the references on the CI machine.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import assert from "node:assert/strict";
import pixelmatch from "pixelmatch";
import { PNG } from "pngjs";
import { repoRoot } from "./harness.mjs";

/** Fraction of the pixels that may differ (outside anti-aliased edges). */
export const MAX_DIFF_RATIO = 0.005;
/** pixelmatch's per-pixel colour distance threshold (0 exact … 1 anything). */
export const PIXEL_THRESHOLD = 0.1;

const references = path.join(repoRoot, "tests/screenshots");
const failures = path.join(repoRoot, "target/screenshots");

/**
 * Compares two PNG images (Buffers): the number and fraction of differing pixels, and a
 * diff image; `sizeMismatch` when their dimensions differ.
 */
export function comparePngs(actualPng, expectedPng) {
  const actual = PNG.sync.read(actualPng);
  const expected = PNG.sync.read(expectedPng);
  if (actual.width !== expected.width || actual.height !== expected.height) {
    return { sizeMismatch: true, actual, expected, differing: actual.width * actual.height, ratio: 1, diff: null };
  }
  const { width, height } = actual;
  const diff = new PNG({ width, height });
  const differing = pixelmatch(actual.data, expected.data, diff.data, width, height, {
    threshold: PIXEL_THRESHOLD,
    includeAA: false,
  });
  return { sizeMismatch: false, actual, expected, differing, ratio: differing / (width * height), diff };
}

/**
 * Takes a screenshot with `shoot()` (a Playwright `page.screenshot` or
 * `locator.screenshot` without `path`) and checks it against tests/screenshots/<name>.png;
 * with `update` (default: UPDATE_SCREENSHOTS=1) writes it there instead.
 */
export async function expectScreenshot(name, shoot, { update = process.env.UPDATE_SCREENSHOTS === "1" } = {}) {
  const png = await shoot();
  const file = path.join(references, `${name}.png`);
  if (update) {
    mkdirSync(references, { recursive: true });
    writeFileSync(file, png);
    return;
  }
  assert.ok(existsSync(file), `no reference ${path.relative(repoRoot, file)}: run with UPDATE_SCREENSHOTS=1 to write it`);
  const result = comparePngs(png, readFileSync(file));
  if (result.sizeMismatch || result.ratio > MAX_DIFF_RATIO) {
    mkdirSync(failures, { recursive: true });
    writeFileSync(path.join(failures, `${name}.actual.png`), png);
    if (result.diff) writeFileSync(path.join(failures, `${name}.diff.png`), PNG.sync.write(result.diff));
    const what = result.sizeMismatch
      ? `size ${result.actual.width}×${result.actual.height}, reference ${result.expected.width}×${result.expected.height}`
      : `${result.differing} pixels (${(result.ratio * 100).toFixed(2)} %) differ, at most ${MAX_DIFF_RATIO * 100} % allowed`;
    assert.fail(
      `screenshot ${name}: ${what}; see target/screenshots/${name}.{actual,diff}.png, ` +
        `or run with UPDATE_SCREENSHOTS=1 if the change is intended`,
    );
  }
}
