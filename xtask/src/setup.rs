//! `cargo xtask setup`: installs what a fresh machine lacks, and nothing else.
//! Every step checks first, so a second run takes a second or two.

use crate::util::{self, Result};
use std::path::Path;

/// What the calling task needs installed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// wasm target, wasm-bindgen CLI, npm packages (for wasm-opt): enough to build.
    Build,
    /// Also Chromium and ChromeDriver, for the browser tests.
    All,
}

pub fn run(needs: Needs) -> Result {
    util::step("setup: checking tools");
    wasm_target()?;
    wasm_bindgen_cli()?;
    npm_packages()?;
    wasm_opt()?;
    if needs == Needs::All {
        chromium()?;
    }
    Ok(())
}

fn wasm_target() -> Result {
    let installed = util::output("rustup", &["target", "list", "--installed"]).ok_or(
        "`rustup` not found: install Rust with rustup (https://rustup.rs) so the wasm target can be added",
    )?;
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        println!("    wasm32-unknown-unknown target: present");
        return Ok(());
    }
    util::run(
        &util::root(),
        "rustup",
        &["target", "add", "wasm32-unknown-unknown"],
        &[],
    )
}

/// The wasm-bindgen version pinned in Cargo.lock: the CLI must match it exactly.
pub fn pinned_wasm_bindgen() -> Result<String> {
    let lock = std::fs::read_to_string(util::root().join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(version) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = \""))
                .and_then(|v| v.strip_suffix('"'))
            {
                return Ok(version.to_owned());
            }
        }
    }
    Err("Cargo.lock has no wasm-bindgen entry: run `cargo generate-lockfile`".to_owned())
}

fn wasm_bindgen_cli() -> Result {
    let version = pinned_wasm_bindgen()?;
    let have = util::output("wasm-bindgen", &["--version"]).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(version.as_str()) {
        println!("    wasm-bindgen CLI {version}: present");
        return Ok(());
    }
    // Not `--locked`: the CLI's own lockfile pins a crate version the registry no longer
    // serves (0.2.130 pins a yanked webpki-roots). The CLI version itself is exact.
    println!("    installing wasm-bindgen-cli {version} (a few minutes, once per machine)");
    util::run(
        &util::root(),
        &util::cargo(),
        &[
            "install",
            "wasm-bindgen-cli",
            "--version",
            &format!("={version}"),
        ],
        &[],
    )
}

fn npm_packages() -> Result {
    npm_ci(&util::root().join("tests"))
}

/// `npm ci` in `dir` from its committed lockfile, skipped when `node_modules` was
/// installed from the same lockfile already.
pub fn npm_ci(dir: &Path) -> Result {
    let lock = dir.join("package-lock.json");
    let stamp = dir.join("node_modules/.mirairo-installed-lock");
    let wanted =
        std::fs::read(&lock).map_err(|e| format!("cannot read {}: {e}", lock.display()))?;
    let name = dir
        .strip_prefix(util::root())
        .unwrap_or(dir)
        .display()
        .to_string();
    if std::fs::read(&stamp).is_ok_and(|have| have == wanted) {
        println!("    npm packages of {name}/: present");
        return Ok(());
    }
    util::output("npm", &["--version"])
        .ok_or("`npm` not found: install Node.js 20 or newer with npm")?;
    util::run(dir, "npm", &["ci", "--no-audit", "--no-fund"], &[])?;
    std::fs::write(&stamp, wanted).map_err(|e| format!("cannot write {}: {e}", stamp.display()))
}

fn wasm_opt() -> Result {
    // Debian's binaryen is too old for current Rust wasm; npm's `binaryen` is pinned in tests/.
    let bin = util::root().join("tests/node_modules/.bin/wasm-opt");
    let version = util::output(&bin.display().to_string(), &["--version"])
        .ok_or("wasm-opt from npm's binaryen does not run: delete tests/node_modules and rerun")?;
    println!("    {}", version.trim());
    Ok(())
}

/// Debian packages the browser tests need: the browser, its driver, and CJK fonts (without
/// them Chromium draws Japanese as empty boxes in screenshots).
const BROWSER_PACKAGES: [(&str, &str); 3] = [
    ("chromium", "/usr/bin/chromium"),
    ("chromium-driver", "/usr/bin/chromedriver"),
    (
        "fonts-noto-cjk",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    ),
];

fn chromium() -> Result {
    let missing: Vec<&str> = BROWSER_PACKAGES
        .iter()
        .filter(|(_, file)| !Path::new(file).exists())
        .map(|(package, _)| *package)
        .collect();
    if missing.is_empty() {
        println!("    Chromium, ChromeDriver and CJK fonts: present");
        return Ok(());
    }
    println!("    installing Debian packages: {}", missing.join(" "));
    let hint = format!("install the Debian packages {} by hand", missing.join(" "));
    let root = util::root();
    let sudo = util::output("id", &["-u"]).is_some_and(|uid| uid.trim() != "0");
    let (program, prefix): (&str, &[&str]) = if sudo {
        ("sudo", &["apt-get"])
    } else {
        ("apt-get", &[])
    };
    let mut update = prefix.to_vec();
    update.extend(["update", "-q"]);
    util::run(&root, program, &update, &[]).map_err(|e| format!("{e}: {hint}"))?;
    let mut install = prefix.to_vec();
    install.extend(["install", "-y", "-q"]);
    install.extend(missing.iter().copied());
    util::run(
        &root,
        program,
        &install,
        &[("DEBIAN_FRONTEND", "noninteractive")],
    )
    .map_err(|e| format!("{e}: {hint}"))
}
