//! `cargo xtask build`: release wasm, wasm-bindgen, wasm-opt, and the npm package
//! folders `dist/npm/sdk` (`@mirairo-id/sdk`) and `dist/npm/widget` (`@mirairo-id/widget`).

use crate::setup::{self, Needs};
use crate::util::{self, Result};
use std::path::{Path, PathBuf};

/// One npm package built from one crate.
pub struct Package {
    /// Folder under `dist/npm/`; `<dir>/js/` holds the package's hand-written files.
    pub dir: &'static str,
    /// Cargo package built into the package's wasm.
    pub krate: &'static str,
    /// File stem of the wasm-bindgen output (`wasm/mirairo_id_sdk.js`,
    /// `wasm/mirairo_id_sdk_bg.wasm`), as the package's JS imports it.
    pub lib: &'static str,
    /// npm name.
    pub npm: &'static str,
    /// The wasm builds the package ships beside the main one (`wasm/`, from `krate`
    /// with its default features unless `main_features` says otherwise).
    pub extra: &'static [WasmBuild],
    /// Cargo feature arguments of the main build (`wasm/`).
    pub main_features: &'static [&'static str],
    /// Whether the wasm-bindgen glue keeps its function and class names when minified
    /// (see [`minify`]).
    pub glue_names: bool,
}

/// One more wasm-bindgen output of a package: `<folder>/<lib>.js` + `<lib>_bg.wasm`.
pub struct WasmBuild {
    /// Folder in the package.
    pub folder: &'static str,
    /// Cargo package.
    pub krate: &'static str,
    /// Cargo feature arguments (e.g. `--no-default-features`).
    pub features: &'static [&'static str],
    /// File stem of the wasm-bindgen output.
    pub lib: &'static str,
}

pub const PACKAGES: [Package; 2] = [
    Package {
        dir: "sdk",
        // The bindings (sdk/wasm/) over the core; the output keeps the core's name.
        krate: "mirairo-id-sdk-wasm",
        lib: "mirairo_id_sdk",
        npm: "@mirairo-id/sdk",
        // `wasm/` is the browser build: the core without p256 and without miniz_oxide
        // (ES256 by WebCrypto, status lists inflated by `DecompressionStream`; for the
        // synchronous APIs, both from the ES256 module that `ready()` loads).
        main_features: &["--no-default-features"],
        // The SDK hands objects of its glue's classes to partners' code.
        glue_names: true,
        extra: &[
            // What `node.js` loads: the same exports, with p256 (synchronous at once).
            WasmBuild {
                folder: "wasm-node",
                krate: "mirairo-id-sdk-wasm",
                features: &[],
                lib: "mirairo_id_sdk",
            },
            // The browser's ES256 module (sdk/es256/: ECDSA and zlib inflate), loaded by
            // `ready()` and by the fallbacks where WebCrypto or DecompressionStream is
            // missing, never by the login or verifyOnline.
            WasmBuild {
                folder: "es256",
                krate: "mirairo-id-es256",
                features: &[],
                lib: "mirairo_id_es256",
            },
        ],
    },
    Package {
        dir: "widget",
        krate: "mirairo-id-widget",
        lib: "mirairo_id_widget",
        npm: "@mirairo-id/widget",
        main_features: &[],
        // The glue is private to the package's `index.js`: 0.85 KB brotli less
        // (docs/contract-notes.md, widget-size).
        glue_names: false,
        extra: &[],
    },
];

/// Where a package's folder is built.
pub fn package_dir(pkg: &Package) -> PathBuf {
    util::root().join("dist/npm").join(pkg.dir)
}

/// The wasm-opt feature flags matching what current Rust emits for wasm32-unknown-unknown.
const WASM_FEATURES: [&str; 6] = [
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

pub fn run() -> Result {
    setup::run(Needs::Build)?;
    build_packages()?;
    util::step("build: npm pack -> target/packages/ (what the examples install)");
    crate::packages::pack().map(drop)
}

/// Builds both packages, assuming the tools are installed.
pub fn build_packages() -> Result {
    let root = util::root();
    for pkg in &PACKAGES {
        util::step(&format!("build: {} -> dist/npm/{}", pkg.npm, pkg.dir));
        let out = package_dir(pkg);
        let main = WasmBuild {
            folder: "wasm",
            krate: pkg.krate,
            features: pkg.main_features,
            lib: pkg.lib,
        };
        let builds: Vec<&WasmBuild> = std::iter::once(&main).chain(pkg.extra).collect();
        remove_stale(&out, &builds)?;
        for build in &builds {
            let input = release_wasm_with(build.krate, build.features)?;
            let dir = out.join(build.folder);
            let bg = dir.join(format!("{}_bg.wasm", build.lib));
            // Two builds of one crate share cargo's output file (each build rewrites
            // it), so only a crate built once is skipped when unchanged.
            let shared = builds.iter().filter(|b| b.krate == build.krate).count() > 1;
            if !shared && util::up_to_date(&bg, std::slice::from_ref(&input)) {
                println!("    {} up to date", build.folder);
            } else {
                bindgen_and_opt(&input, &dir, build.lib)?;
            }
        }
        let bg = out.join("wasm").join(format!("{}_bg.wasm", pkg.lib));
        let js = root.join(pkg.dir).join("js");
        if !js.is_dir() {
            return Err(format!(
                "{} is missing: the package's hand-written files live there",
                js.display()
            ));
        }
        util::copy_dir(&js, &out)?;
        if pkg.dir == "sdk" {
            bundle_qr_encoder(&out)?;
        }
        minify(&out, pkg.glue_names)?;
        std::fs::copy(root.join("LICENSE"), out.join("LICENSE"))
            .map_err(|e| format!("cannot copy LICENSE: {e}"))?;
        if !out.join("package.json").exists() {
            return Err(format!(
                "{}/package.json missing after build",
                out.display()
            ));
        }
        let size = bg.metadata().map(|m| m.len()).unwrap_or(0);
        println!("    {} ({} bytes of wasm)", out.display(), size);
    }
    Ok(())
}

/// Empties a package folder of everything but its wasm builds' folders (which
/// [`bindgen_and_opt`] rewrites only when their wasm changed): the hand-written files are
/// copied in again afterwards, so a file deleted from `<dir>/js/` (or a wasm build no
/// longer made) does not linger in `dist/` and in the packed tarball.
fn remove_stale(out: &Path, builds: &[&WasmBuild]) -> Result {
    let Ok(entries) = std::fs::read_dir(out) else {
        return Ok(()); // not built yet
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let kept = path.is_dir() && builds.iter().any(|b| entry.file_name() == b.folder);
        if kept {
            continue;
        }
        let removed = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        removed.map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
    }
    Ok(())
}

/// Builds `krate`'s library for wasm32 in release mode as a `cdylib` only, and returns
/// the path of the `.wasm`. The crates also declare `rlib` (for their wasm-bindgen
/// tests), and building both kinds at once makes rustc keep far more code: the ES256
/// floor is 50 KB instead of 35 KB after wasm-opt, the SDK 369 KB instead of 300 KB.
pub fn release_wasm(krate: &str) -> Result<PathBuf> {
    release_wasm_with(krate, &[])
}

/// [`release_wasm`] with cargo feature arguments (e.g. `--no-default-features`).
pub fn release_wasm_with(krate: &str, features: &[&str]) -> Result<PathBuf> {
    let root = util::root();
    let mut args = vec![
        "rustc",
        "--release",
        "--target",
        "wasm32-unknown-unknown",
        "-p",
        krate,
        "--lib",
        "--crate-type",
        "cdylib",
    ];
    let rustflags = remap_path_flags(&root);
    args.extend(features);
    util::run(
        &root,
        &util::cargo(),
        &args,
        &[("CARGO_ENCODED_RUSTFLAGS", &rustflags)],
    )?;
    Ok(root
        .join("target/wasm32-unknown-unknown/release")
        .join(format!("{}.wasm", krate.replace('-', "_"))))
}

/// The rustflags of the release wasm builds (as `CARGO_ENCODED_RUSTFLAGS`, after any the
/// caller set in `RUSTFLAGS`): `--remap-path-prefix` for the crates.io sources and the
/// workspace, so the panic locations the wasm keeps name `sec1-0.7.3/src/point.rs`
/// rather than `/root/.cargo/registry/src/index.crates.io-…/sec1-0.7.3/src/point.rs`
/// (Cargo's `trim-paths` is not stable yet). The standard library's own locations
/// (`/rustc/<hash>/library/…`) are compiled into its rlibs and stay.
fn remap_path_flags(root: &Path) -> String {
    let mut flags: Vec<String> = std::env::var("RUSTFLAGS")
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let registries = cargo_home
        .and_then(|home| std::fs::read_dir(home.join("registry/src")).ok())
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok().map(|e| e.path()));
    for dir in registries.chain([root.to_path_buf()]) {
        flags.push(format!("--remap-path-prefix={}/=", dir.display()));
    }
    flags.join("\u{1f}")
}

/// wasm-bindgen (`--target web`) and then `wasm-opt -Oz` of one release wasm into
/// `out_dir` (emptied first): `<name>.js` and `<name>_bg.wasm`. The packages and the
/// size baselines of `cargo xtask bench` go through exactly this.
pub fn bindgen_and_opt(input: &Path, out_dir: &Path, name: &str) -> Result {
    let root = util::root();
    if out_dir.exists() {
        std::fs::remove_dir_all(out_dir)
            .map_err(|e| format!("cannot clean {}: {e}", out_dir.display()))?;
    }
    let input_s = input.display().to_string();
    let out_s = out_dir.display().to_string();
    util::run(
        &root,
        "wasm-bindgen",
        &[
            "--target",
            "web",
            "--out-dir",
            &out_s,
            "--out-name",
            name,
            &input_s,
        ],
        &[],
    )?;
    let bg_s = out_dir
        .join(format!("{name}_bg.wasm"))
        .display()
        .to_string();
    // `--low-memory-unused`: Rust's wasm never addresses the first 1 KB of memory (the
    // stack is there, growing down from 1 MiB, and a pointer never wraps below zero), so
    // wasm-opt may fold constant offsets into loads and stores: 0.4 KB brotli off the
    // widget, 0.5 KB gzip off the SDK (docs/contract-notes.md, widget-lean).
    let mut opt = vec![
        "-Oz",
        "--low-memory-unused",
        "--strip-debug",
        "--strip-producers",
    ];
    opt.extend(WASM_FEATURES);
    opt.extend([bg_s.as_str(), "-o", bg_s.as_str()]);
    util::run(&root, "wasm-opt", &opt, &[])
}

/// Minifies the package's JavaScript in place (what a partner's bundler would do anyway;
/// pages that load the package without one get the small files too), keeping exported
/// and class names (`MirairoIdError.name`) and writing a source map with the readable
/// source beside each file. The wasm-bindgen glue (a `<name>.js` beside its
/// `<name>_bg.wasm`) keeps its names only when `glue_names` is set: esbuild's
/// `--keep-names` wraps every function and class of it in a naming call.
pub fn minify(out: &Path, glue_names: bool) -> Result {
    let mut files = Vec::new();
    collect_js(out, &mut files)?;
    let (glue, own): (Vec<PathBuf>, Vec<PathBuf>) = files.into_iter().partition(|f| {
        let stem = f.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        f.with_file_name(format!("{stem}_bg.wasm")).exists()
    });
    if glue_names {
        let all: Vec<PathBuf> = own.into_iter().chain(glue).collect();
        return esbuild_minify(out, &all, true);
    }
    esbuild_minify(out, &own, true)?;
    esbuild_minify(out, &glue, false)
}

/// One esbuild run over `files` (none: nothing to do).
fn esbuild_minify(out: &Path, files: &[PathBuf], keep_names: bool) -> Result {
    if files.is_empty() {
        return Ok(());
    }
    let mut args = vec!["--minify".to_owned()];
    if keep_names {
        args.push("--keep-names".to_owned());
    }
    args.extend([
        "--format=esm".to_owned(),
        "--sourcemap".to_owned(),
        "--allow-overwrite".to_owned(),
        "--log-level=warning".to_owned(),
        format!("--outdir={}", out.display()),
        format!("--outbase={}", out.display()),
    ]);
    args.extend(files.iter().map(|f| f.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    util::run(&util::root(), "esbuild", &args, &[])
}

/// Bundles `qr-encode.js` of the SDK package (the lazily imported chunk of
/// `<mirairo-presentation-qr>`) with the `lean-qr` library it imports, in place: the
/// library is pinned in `tests/package.json` (installed by `cargo xtask setup`), and the
/// package ships it inside that one chunk, so it works without a bundler too.
fn bundle_qr_encoder(out: &Path) -> Result {
    let chunk = out.join("qr-encode.js").display().to_string();
    let node_path = util::root()
        .join("tests/node_modules")
        .display()
        .to_string();
    let outfile = format!("--outfile={chunk}");
    let args = [
        chunk.as_str(),
        "--bundle",
        "--format=esm",
        "--allow-overwrite",
        "--log-level=warning",
        "--legal-comments=inline",
        outfile.as_str(),
    ];
    util::run(
        &util::root(),
        "esbuild",
        &args,
        &[("NODE_PATH", &node_path)],
    )
}

/// Every `.js` file under `dir`.
fn collect_js(dir: &Path, files: &mut Vec<PathBuf>) -> Result {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .path();
        if path.is_dir() {
            collect_js(&path, files)?;
        } else if path.extension().is_some_and(|x| x == "js") {
            files.push(path);
        }
    }
    Ok(())
}
