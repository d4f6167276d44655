//! `cargo xtask build`: release wasm, wasm-bindgen, wasm-opt, and the npm package
//! folders `dist/npm/sdk` (`@mirairo-id/sdk`) and `dist/npm/widget` (`@mirairo-id/widget`).

use crate::setup::{self, Needs};
use crate::util::{self, Result};
use std::path::PathBuf;

/// One npm package built from one crate.
pub struct Package {
    /// Folder under `dist/npm/` and the crate's folder in the workspace.
    pub dir: &'static str,
    /// Cargo package name.
    pub krate: &'static str,
    /// Library file stem (`mirairo_id_sdk`).
    pub lib: &'static str,
    /// npm name.
    pub npm: &'static str,
}

pub const PACKAGES: [Package; 2] = [
    Package {
        dir: "sdk",
        krate: "mirairo-id-sdk",
        lib: "mirairo_id_sdk",
        npm: "@mirairo-id/sdk",
    },
    Package {
        dir: "widget",
        krate: "mirairo-id-widget",
        lib: "mirairo_id_widget",
        npm: "@mirairo-id/widget",
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
    util::step("build: release wasm");
    let mut args = vec!["build", "--release", "--target", "wasm32-unknown-unknown"];
    for pkg in &PACKAGES {
        args.extend(["-p", pkg.krate]);
    }
    util::run(&root, &util::cargo(), &args, &[])?;

    for pkg in &PACKAGES {
        util::step(&format!("build: {} -> dist/npm/{}", pkg.npm, pkg.dir));
        let input = root
            .join("target/wasm32-unknown-unknown/release")
            .join(format!("{}.wasm", pkg.lib));
        let out = package_dir(pkg);
        let wasm_dir = out.join("wasm");
        let bg = wasm_dir.join(format!("{}_bg.wasm", pkg.lib));
        if util::up_to_date(&bg, std::slice::from_ref(&input)) {
            println!("    wasm up to date");
        } else {
            if wasm_dir.exists() {
                std::fs::remove_dir_all(&wasm_dir)
                    .map_err(|e| format!("cannot clean {}: {e}", wasm_dir.display()))?;
            }
            let input_s = input.display().to_string();
            let wasm_dir_s = wasm_dir.display().to_string();
            util::run(
                &root,
                "wasm-bindgen",
                &[
                    "--target",
                    "web",
                    "--out-dir",
                    &wasm_dir_s,
                    "--out-name",
                    pkg.lib,
                    &input_s,
                ],
                &[],
            )?;
            let bg_s = bg.display().to_string();
            let mut opt = vec!["-Oz", "--strip-debug", "--strip-producers"];
            opt.extend(WASM_FEATURES);
            opt.extend([bg_s.as_str(), "-o", bg_s.as_str()]);
            util::run(&root, "wasm-opt", &opt, &[])?;
        }
        let js = root.join(pkg.dir).join("js");
        if !js.is_dir() {
            return Err(format!(
                "{} is missing: the package's hand-written files live there",
                js.display()
            ));
        }
        util::copy_dir(&js, &out)?;
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
