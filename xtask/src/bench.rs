//! `cargo xtask bench`: size and speed, each figure printed beside its baseline measured
//! in the same run. Benchmarks print; they never assert (no timed tests).

use crate::setup::{self, Needs};
use crate::util::{self, Result};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

pub fn run() -> Result {
    setup::run(Needs::All)?;
    crate::build::build_packages()?;
    let root = util::root();
    let cargo = util::cargo();
    let tests = root.join("tests");
    util::run(&root, &cargo, &["build", "-p", "mirairo-id-sandbox"], &[])?;

    build_floors()?;
    util::step("bench: package sizes (what a browser downloads), beside the budgets and floors");
    util::run(&tests, "node", &["bench/size.mjs"], &[])?;

    util::step("bench: verification in Node, @mirairo-id/sdk beside jose and raw WebCrypto");
    util::run(&tests, "node", &["bench/verify.bench.mjs"], &[])?;

    util::step("bench: verification in native Rust, beside a bare p256 verify");
    util::run(
        &root,
        &cargo,
        &[
            "run",
            "--quiet",
            "--release",
            "-p",
            "mirairo-id-sdk",
            "--example",
            "bench_verify",
        ],
        &[],
    )?;

    util::step(
        "bench: login in Chromium beside oidc-client-ts + jose; bundle sizes beside other SDKs",
    );
    // Nine rounds: the medians of five moved by 0.2x between runs on this machine.
    util::run(&tests, "node", &["bench/login.bench.mjs", "9"], &[])?;

    util::step("bench: widget in Chromium beside a plain-JS baseline");
    util::run(&tests, "node", &["bench/widget.bench.mjs"], &[])?;

    sandbox_load()
}

/// The size baselines (`tests/bench/floors/`): the least any Rust/wasm build of each
/// package must ship, built like the packages into `target/floors/<name>/` (one build
/// each, so Cargo does not unify their dependencies' features).
fn build_floors() -> Result {
    util::step("bench: size floors (ES256 verify alone; a minimal Yew app)");
    let root = util::root();
    // Each floor's glue minified as the package it is the floor of (`glue_names`).
    let floors = [
        ("es256", "bench-floor-es256", true),
        ("yew", "bench-floor-yew", false),
    ];
    for (name, krate, glue_names) in floors {
        let input = crate::build::release_wasm(krate)?;
        let lib = krate.replace('-', "_");
        let out = root.join("target/floors").join(name);
        crate::build::bindgen_and_opt(&input, &out, &lib)?;
        crate::build::minify(&out, glue_names)?;
    }
    Ok(())
}

/// Drives a release sandbox from a second process (the `loadgen` example) and prints
/// requests/s and latency percentiles per endpoint.
fn sandbox_load() -> Result {
    let root = util::root();
    let cargo = util::cargo();
    util::step("bench: sandbox under load from a second process (release build)");
    util::run(
        &root,
        &cargo,
        &[
            "build",
            "--release",
            "-p",
            "mirairo-id-sandbox",
            "--bin",
            "mirairo-id-sandbox",
            "--example",
            "loadgen",
        ],
        &[],
    )?;
    let release = root.join("target/release");
    let mut server = Command::new(release.join("mirairo-id-sandbox"))
        .args(["--addr", "127.0.0.1:0", "--db", ":memory:"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start the sandbox: {e}"))?;
    // Read the listening line, then keep draining stdout so the server never blocks on it.
    let (tx, rx) = std::sync::mpsc::channel();
    if let Some(out) = server.stdout.take() {
        std::thread::spawn(move || {
            for line in BufReader::new(out)
                .lines()
                .map_while(std::result::Result::ok)
            {
                if let Some(url) = line.strip_prefix("mirairo-id-sandbox listening on ") {
                    let _ = tx.send(url.to_owned());
                }
            }
        });
    }
    let result = rx
        .recv_timeout(std::time::Duration::from_secs(30))
        .map_err(|_| "the sandbox did not print its listening line in 30 s".to_owned())
        .and_then(|url| {
            let loadgen = release.join("examples/loadgen").display().to_string();
            util::run(&root, &loadgen, &[&url], &[])
        });
    let _ = server.kill();
    let _ = server.wait();
    result
}
