// Benchmark (not a test): <mirairo-places> in Debian's Chromium against the sandbox's
// ~3,500 places, each number beside a plain-JS baseline that does the same work
// (fold the text, filter, render the first 50 rows, update the count) on the same page.
//
//   first list paint  — from the last places response arriving to the first frame
//                       that shows rows (widget: parse + index + render; baseline: the same)
//   keystroke -> results in DOM — one character appended to the search box, to the
//                       results updated in the DOM (the work a frame must fit: goal
//                       under 16 ms); p50 and p95 over the typed queries
//   keystroke -> next frame — the same, to the end of the next frame (adds the wait
//                       for the display's refresh, up to one frame at 60 Hz)
//
// Run: node bench/widget.bench.mjs (from tests/, after `cargo xtask build` and a
// debug build of the sandbox). Environment: BENCH_RUNS (page loads, default 5).
import { startSandbox, launchBrowser } from "../lib/harness.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const QUERIES = ["しぶやえき", "とうきょう", "ｼﾝｼﾞｭｸ", "おおさか", "市", "ホテル", "ｴｷ", "札幌"];

const sandbox = await startSandbox();
const browser = await launchBrowser();

/** Installed before the page's scripts: notes the first frame that shows widget rows. */
function watchFirstRows() {
  window.__firstRows = null;
  const tick = (t) => {
    const root = document.querySelector("mirairo-places")?.shadowRoot;
    if (root?.querySelector("li.row")) window.__firstRows = t;
    else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

/** The plain-JS baseline and the keystroke probe, evaluated in the page. */
function pageHelpers() {
  const nextFrame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const fold = (s) =>
    s
      .normalize("NFKC")
      .replace(/[\u3041-\u3096]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60))
      .toLowerCase()
      .replace(/\s+/g, " ")
      .trim();
  window.__bench = {
    nextFrame,
    /** Builds the baseline from raw page bodies; resolves at its first frame with rows.
     *  Like the widget, earlier pages are parsed while later ones download: only the
     *  last page's parse is timed. */
    async baseline(bodies) {
      const early = bodies.slice(0, -1).flatMap((b) => JSON.parse(b).items);
      const t0 = performance.now();
      const places = [...early, ...JSON.parse(bodies.at(-1)).items];
      const hay = places.map((p) => fold([p.name, p.name_kana, p.city, p.address].join(" ")));
      const host = document.createElement("section");
      const input = document.createElement("input");
      input.type = "search";
      input.setAttribute("aria-label", "baseline search");
      const count = document.createElement("p");
      const list = document.createElement("ul");
      host.append(input, count, list);
      document.body.append(host);
      const render = () => {
        const words = fold(input.value).split(" ").filter(Boolean);
        const hits = [];
        for (let i = 0; i < places.length; i++) if (words.every((w) => hay[i].includes(w))) hits.push(i);
        count.textContent = `${hits.length}件の場所`;
        list.replaceChildren(
          ...hits.slice(0, 50).map((i) => {
            const li = document.createElement("li");
            const b = document.createElement("button");
            const name = document.createElement("span");
            name.textContent = places[i].name;
            const meta = document.createElement("span");
            meta.textContent = `${places[i].category} ${places[i].city}`;
            b.append(name, meta);
            li.append(b);
            return li;
          }),
        );
      };
      input.addEventListener("input", render);
      render();
      await new Promise((r) => requestAnimationFrame(r));
      window.__baselineInput = input;
      return performance.now() - t0;
    },
    /** Appends each character to `input`, timing input event -> results in the DOM
     *  (the work: handlers, filtering and rendering, which Yew finishes in microtasks,
     *  so it is done when the next task runs) and input event -> next frame (the work
     *  plus the wait for the display's next frame, which no code can shorten). */
    async type(input, text) {
      const times = [];
      for (const ch of text) {
        const t0 = performance.now();
        input.value += ch;
        input.dispatchEvent(new InputEvent("input", { bubbles: true, composed: true, data: ch }));
        await new Promise((r) => setTimeout(r, 0));
        const work = performance.now() - t0;
        await nextFrame();
        times.push({ work, frame: performance.now() - t0 });
      }
      input.value = "";
      input.dispatchEvent(new InputEvent("input", { bubbles: true, composed: true }));
      await nextFrame();
      return times;
    },
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

const widgetPaint = [];
const baselinePaint = [];
const widgetKeys = [];
const baselineKeys = [];

for (let run = 0; run < RUNS; run++) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  await page.addInitScript(watchFirstRows);
  await page.goto(`${sandbox.url}/widgets/index.html?lang=ja`);
  await page.waitForFunction(() => window.__firstRows !== null, null, { timeout: 30_000 });
  widgetPaint.push(
    await page.evaluate(() => {
      const last = performance
        .getEntriesByType("resource")
        .filter((e) => e.name.includes("/api/v1/places"))
        .reduce((a, e) => Math.max(a, e.responseEnd), 0);
      return window.__firstRows - last;
    }),
  );
  await page.evaluate(pageHelpers);

  // Baseline on the same page, from the same bodies (fetched untimed).
  const bodies = await page.evaluate(async () => {
    const meta = await (await fetch("/.well-known/openid-configuration")).json();
    const out = [];
    let cursor = null;
    do {
      const u = new URL(meta.places_endpoint);
      u.searchParams.set("limit", "500");
      u.searchParams.set("lang", "ja");
      if (cursor) u.searchParams.set("cursor", cursor);
      const text = await (await fetch(u)).text();
      out.push(text);
      cursor = JSON.parse(text).next_cursor;
    } while (cursor);
    return out;
  });
  baselinePaint.push(await page.evaluate((b) => window.__bench.baseline(b), bodies));

  for (const q of QUERIES) {
    widgetKeys.push(
      ...(await page.evaluate(
        (q) => window.__bench.type(document.querySelector("mirairo-places").shadowRoot.querySelector("input[type=search]"), q),
        q,
      )),
    );
    baselineKeys.push(...(await page.evaluate((q) => window.__bench.type(window.__baselineInput, q), q)));
  }
  await context.close();
}

await browser.close();
await sandbox.stop();

const ms = (x) => `${x.toFixed(1)} ms`.padStart(12);
const of = (keys, k) => keys.map((t) => t[k]);
const rows = [
  ["first list paint after data (median)", median(widgetPaint), median(baselinePaint)],
  ["keystroke -> results in DOM p50", pct(of(widgetKeys, "work"), 50), pct(of(baselineKeys, "work"), 50)],
  ["keystroke -> results in DOM p95", pct(of(widgetKeys, "work"), 95), pct(of(baselineKeys, "work"), 95)],
  ["keystroke -> next frame p50", pct(of(widgetKeys, "frame"), 50), pct(of(baselineKeys, "frame"), 50)],
  ["keystroke -> next frame p95", pct(of(widgetKeys, "frame"), 95), pct(of(baselineKeys, "frame"), 95)],
];
console.log(`<mirairo-places>, ${RUNS} page loads, ${widgetKeys.length} keystrokes each side, Chromium headless`);
console.log(`${"metric".padEnd(40)}${"widget".padStart(12)}${"plain JS".padStart(12)}`);
for (const [name, w, b] of rows) console.log(`${name.padEnd(40)}${ms(w)}${ms(b)}`);
