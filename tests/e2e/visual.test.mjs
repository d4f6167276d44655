// The screenshot comparison of tests/lib/visual.mjs itself: within the tolerance passes,
// a changed block, a moved line or another size fails, a missing reference fails
// without writing one (references are written only with UPDATE_SCREENSHOTS=1, which
// these tests never pass on, whatever the environment says).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { PNG } from "pngjs";
import { repoRoot } from "../lib/harness.mjs";
import { comparePngs, expectScreenshot, MAX_DIFF_RATIO } from "../lib/visual.mjs";

const reference = readFileSync(path.join(repoRoot, "tests/screenshots/places-ja.png"));

/** The reference with `edit(png)` applied. */
function edited(edit) {
  const png = PNG.sync.read(reference);
  edit(png);
  return PNG.sync.write(png);
}

function paint(png, x0, y0, w, h) {
  for (let y = y0; y < y0 + h; y++) {
    for (let x = x0; x < x0 + w; x++) {
      const i = (y * png.width + x) * 4;
      png.data[i] = 255 - png.data[i];
      png.data[i + 1] = 0;
    }
  }
}

test("comparison rows: what passes and what fails", () => {
  // (what, image, within the tolerance?)
  const rows = [
    ["identical", reference, true],
    ["a few pixels (a date's digits)", edited((p) => paint(p, 300, 300, 20, 12)), true],
    ["a button-sized block", edited((p) => paint(p, 40, 100, 200, 40)), false],
    [
      "everything one pixel lower",
      edited((p) => {
        const copy = Buffer.from(p.data);
        copy.copy(p.data, p.width * 4, 0, copy.length - p.width * 4);
      }),
      false,
    ],
  ];
  for (const [what, image, ok] of rows) {
    const r = comparePngs(image, reference);
    assert.equal(r.sizeMismatch, false, what);
    assert.equal(r.ratio <= MAX_DIFF_RATIO, ok, `${what}: ${(r.ratio * 100).toFixed(2)} %`);
  }
  const smaller = new PNG({ width: 10, height: 10 });
  assert.equal(comparePngs(PNG.sync.write(smaller), reference).sizeMismatch, true);
});

test("a missing reference fails and is not written", async () => {
  const name = "no-such-reference-for-this-test";
  await assert.rejects(
    expectScreenshot(name, async () => reference, { update: false }),
    /UPDATE_SCREENSHOTS=1/,
  );
  assert.equal(existsSync(path.join(repoRoot, "tests/screenshots", `${name}.png`)), false);
});

test("a failing comparison leaves its images under target/, not in the tree", async () => {
  const name = "places-ja";
  const changed = edited((p) => paint(p, 40, 100, 300, 200));
  await assert.rejects(expectScreenshot(name, async () => changed, { update: false }), /differ/);
  assert.ok(existsSync(path.join(repoRoot, "target/screenshots/places-ja.diff.png")));
  assert.deepEqual(readFileSync(path.join(repoRoot, "tests/screenshots/places-ja.png")), reference);
});
