//! The partner examples, installed and built the way a partner would
//! (`examples/TESTING.md`). `rust-server` is a workspace member, tested by `cargo test`;
//! `plain-html` needs no build; both are exercised by the browser tests too.

use crate::packages::Tarball;
use crate::setup;
use crate::util::{self, Result};

/// `tarballs`: the packed `@mirairo-id/sdk` and `@mirairo-id/widget`, in that order.
pub fn test(tarballs: &[Tarball]) -> Result {
    let root = util::root();
    let [sdk, widget] = tarballs else {
        return Err("expected the two packed tarballs (sdk, widget)".to_owned());
    };
    let (sdk, widget) = (sdk.path.as_str(), widget.path.as_str());

    util::step("examples/node-server: install the packed SDK, run its tests");
    let node_server = root.join("examples/node-server");
    util::run(
        &node_server,
        "npm",
        &[
            "install",
            "--no-save",
            "--no-package-lock",
            "--no-audit",
            "--no-fund",
            sdk,
        ],
        &[],
    )?;
    util::run(
        &node_server,
        "node",
        &["--test", "--test-reporter=spec", "test/"],
        &[],
    )?;

    util::step("examples/vite-ts: install, type-check, build (no plugin)");
    let vite = root.join("examples/vite-ts");
    setup::npm_ci(&vite)?;
    util::run(
        &vite,
        "npm",
        &[
            "install",
            "--no-save",
            "--no-audit",
            "--no-fund",
            sdk,
            widget,
        ],
        &[],
    )?;
    util::run(&vite, "npx", &["--no-install", "tsc", "--noEmit"], &[])?;
    util::run(&vite, "npx", &["--no-install", "vite", "build"], &[])?;

    util::step("examples/react: install, type-check, build (React 19 + Vite)");
    let react = root.join("examples/react");
    install_with_packages(&react, &[sdk, widget])?;
    util::run(&react, "npx", &["--no-install", "tsc", "--noEmit"], &[])?;
    util::run(&react, "npx", &["--no-install", "vite", "build"], &[])?;

    util::step("examples/nextjs: install, next build, server render and route handler tests");
    let next = root.join("examples/nextjs");
    install_with_packages(&next, &[sdk, widget])?;
    // Nothing may reach the network: no telemetry (and no next/font in the example).
    let quiet = [("NEXT_TELEMETRY_DISABLED", "1")];
    util::run(&next, "npx", &["--no-install", "next", "build"], &quiet)?;
    util::run(
        &next,
        "node",
        &["--test", "--test-reporter=spec", "test/"],
        &quiet,
    )
}

/// `npm ci` from the example's lockfile, then the packed tarballs on top (not saved).
fn install_with_packages(dir: &std::path::Path, tarballs: &[&str]) -> Result {
    setup::npm_ci(dir)?;
    let mut args = vec!["install", "--no-save", "--no-audit", "--no-fund"];
    args.extend_from_slice(tarballs);
    util::run(dir, "npm", &args, &[])
}
