// Prints what a browser downloads for each package (wasm + JS glue + entry), raw,
// gzip -9 and brotli (quality 11), beside the package's budget.
import { readFileSync, readdirSync, statSync, existsSync, mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
// Issue 11: the SDK at most 64 KB gzip (below auth0-spa-js), the widget at most 75 KB brotli.
const budgets = { sdk: { gzip: 64_000 }, widget: { brotli: 75_000 } };
// The floor each package is compared with (target/floors/, built by `cargo xtask bench`
// from tests/bench/floors/ exactly as the packages are built): what any Rust/wasm build
// of it must ship before its own features.
const floors = {
  sdk: { dir: "target/floors/es256", what: "ES256 verify alone (p256 + SHA-256, wasm + glue)" },
  widget: { dir: "target/floors/yew", what: "a minimal Yew app (input + keyed list, wasm + glue)" },
};

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

export function sizes(buf) {
  return {
    raw: buf.length,
    gzip: gzipSync(buf, { level: 9 }).length,
    brotli: brotliCompressSync(buf, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: buf.length },
    }).length,
  };
}

/**
 * The SDK's wasm with only the exports `keep` accepts: wasm-metadce drops everything no
 * kept export reaches, then wasm-opt -Oz as in the build. What a verification-only
 * build would ship, measured without a second build configuration.
 */
function wasmSubset(wasmFile, keep) {
  const exports = WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(wasmFile))).map((e) => e.name);
  const kept = exports.filter(keep);
  const graph = [
    { name: "root", root: true, reaches: kept.map((n) => `export:${n}`) },
    ...kept.map((n) => ({ name: `export:${n}`, export: n })),
  ];
  const dir = mkdtempSync(path.join(tmpdir(), "mirairo-size-"));
  try {
    const bin = (tool) => path.join(root, "tests/node_modules/.bin", tool);
    const features = ["bulk-memory", "nontrapping-float-to-int", "sign-ext", "mutable-globals", "reference-types", "multivalue"].map(
      (f) => `--enable-${f}`,
    );
    writeFileSync(path.join(dir, "graph.json"), JSON.stringify(graph));
    const cut = path.join(dir, "cut.wasm");
    execFileSync(bin("wasm-metadce"), [wasmFile, "--graph-file", path.join(dir, "graph.json"), "-o", cut, ...features], { stdio: "ignore" });
    execFileSync(bin("wasm-opt"), [cut, "-Oz", "-o", cut, ...features], { stdio: "ignore" });
    return readFileSync(cut);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const kb = (n) => `${(n / 1000).toFixed(1)} KB`.padStart(10);
console.log(`${"package / file".padEnd(44)}${"raw".padStart(10)}${"gzip -9".padStart(10)}${"brotli".padStart(10)}  budget`);
for (const pkg of ["sdk", "widget"]) {
  const dir = path.join(root, "dist/npm", pkg);
  if (!existsSync(dir)) {
    console.log(`${pkg}: not built (run cargo xtask build)`);
    continue;
  }
  // What a page loads: JS modules and wasm (types, docs and licence are not downloaded).
  // A chunk loaded with import() on first use (the QR encoder of
  // <mirairo-presentation-qr>) is listed apart: a page that does not use it never loads it.
  // The SDK's ES256 module (`es256/`) is fetched only by ready() (for the synchronous
  // verify / verifyIdToken) and where WebCrypto is missing: a login or verifyOnline page
  // never loads it, so it is listed apart too. The Node build (`wasm-node/`, node.js) is
  // never downloaded by a browser: listed apart, after the total.
  const lazy = (f) => /qr-encode\.js$/.test(f) || /[\\/]es256[\\/]/.test(f);
  const nodeOnly = (f) => /node\.m?js$/.test(f) || /[\\/]wasm-node[\\/]/.test(f);
  const all = files(dir).filter((f) => /\.(m?js|wasm)$/.test(f));
  const shipped = all.filter((f) => !nodeOnly(f));
  const total = { raw: 0, gzip: 0, brotli: 0 };
  for (const f of shipped) {
    const s = sizes(readFileSync(f));
    if (!lazy(f)) for (const k of Object.keys(total)) total[k] += s[k];
    const name = `${path.relative(dir, f)}${lazy(f) ? " (lazy, not in total)" : ""}`;
    console.log(`  ${name.padEnd(42)}${kb(s.raw)}${kb(s.gzip)}${kb(s.brotli)}`);
  }
  const lazyTotal = { raw: 0, gzip: 0, brotli: 0 };
  for (const f of shipped.filter((f) => /[\\/]es256[\\/]/.test(f))) {
    const s = sizes(readFileSync(f));
    for (const k of Object.keys(lazyTotal)) lazyTotal[k] += s[k];
  }
  const budget = budgets[pkg];
  const [metric, limit] = Object.entries(budget)[0];
  const verdict = total[metric] <= limit ? "within" : "OVER";
  console.log(
    `${`@mirairo-id/${pkg} total`.padEnd(44)}${kb(total.raw)}${kb(total.gzip)}${kb(total.brotli)}  ${metric} ≤ ${kb(limit).trim()}: ${verdict}`,
  );
  if (lazyTotal.raw > 0) {
    console.log(`${"  + ES256 module (ready(): sync verify)".padEnd(44)}${kb(lazyTotal.raw)}${kb(lazyTotal.gzip)}${kb(lazyTotal.brotli)}  (not for login / verifyOnline)`);
  }
  const nodeFiles = all.filter(nodeOnly);
  if (nodeFiles.some((f) => f.endsWith(".wasm"))) {
    for (const f of nodeFiles) {
      const s = sizes(readFileSync(f));
      console.log(`  ${`${path.relative(dir, f)} (Node only, not in total)`.padEnd(42)}${kb(s.raw)}${kb(s.gzip)}${kb(s.brotli)}`);
    }
  }
  if (pkg === "sdk") {
    // Verification alone: the Verifier's exports (no login, no fare rules) and the JS a
    // verifying page loads.
    const wasm = wasmSubset(path.join(dir, "wasm/mirairo_id_sdk_bg.wasm"), (n) => !/^(__wbg_)?(logincore|softwarekey|pendingsignature|pendingtokenanswer|fareDiscount|es256Digest|es256PublicJwk)/i.test(n));
    const v = sizes(wasm);
    for (const f of ["verifier.js", "error.js", "load.js", "wasm/mirairo_id_sdk.js"]) {
      const s = sizes(readFileSync(path.join(dir, f)));
      for (const k of Object.keys(v)) v[k] += s[k];
    }
    console.log(`${"  of which verification alone".padEnd(44)}${kb(v.raw)}${kb(v.gzip)}${kb(v.brotli)}  (wasm-metadce: Verifier exports only)`);
  }
  const floor = floors[pkg];
  const floorDir = path.join(root, floor.dir);
  if (existsSync(floorDir)) {
    const f = { raw: 0, gzip: 0, brotli: 0 };
    for (const file of files(floorDir).filter((x) => /\.(js|wasm)$/.test(x))) {
      const s = sizes(readFileSync(file));
      for (const k of Object.keys(f)) f[k] += s[k];
    }
    console.log(`${`  floor: ${floor.what}`.padEnd(44)}${kb(f.raw)}${kb(f.gzip)}${kb(f.brotli)}`);
    console.log(
      `${"  package beyond the floor".padEnd(44)}${kb(total.raw - f.raw)}${kb(total.gzip - f.gzip)}${kb(total.brotli - f.brotli)}  (${(total[metric] / f[metric]).toFixed(1)}x the floor)`,
    );
  }
}
