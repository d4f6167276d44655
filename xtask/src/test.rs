//! `cargo xtask test`: every check and test, in order, failing fast. CI runs exactly this.

use crate::build;
use crate::setup::{self, Needs};
use crate::util::{self, Result};
use std::time::Instant;

/// The core's build without p256, with the tests written for it (its unit tests,
/// `sdk/tests/es256_*.rs`): the arguments after `cargo <command>`, for `test` and
/// `clippy` alike. `inflate` is kept so that these tests see ES256 alone; the browser's
/// wasm leaves `inflate` out too, which the `status_inflate` step below covers.
const NO_ES256: [&str; 10] = [
    "-p",
    "mirairo-id-sdk",
    "--no-default-features",
    "--features",
    "inflate",
    "--lib",
    "--test",
    "es256_feature",
    "--test",
    "es256_hook",
];

pub fn run() -> Result {
    let started = Instant::now();
    let root = util::root();
    let cargo = util::cargo();
    setup::run(Needs::All)?;

    util::step("format");
    util::run(&root, &cargo, &["fmt", "--all", "--check"], &[])?;
    crate::tidy::run()?;

    util::step("clippy (native)");
    util::run(
        &root,
        &cargo,
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    )?;

    util::step("clippy (wasm32)");
    util::run(
        &root,
        &cargo,
        &[
            "clippy",
            "-p",
            "mirairo-id-sdk",
            "-p",
            "mirairo-id-sdk-wasm",
            "-p",
            "mirairo-id-widget",
            "-p",
            "mirairo-id-es256",
            "--all-targets",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    )?;

    // The SDK's second feature set: the core without p256 (`es256` off), as the
    // browser's wasm is built (natively: the library and the tests written for it; for
    // wasm32: the bindings' browser build, which pulls that core).
    util::step("clippy (SDK core without es256: native, and the browser build for wasm32)");
    let clippy: Vec<&str> = ["clippy"]
        .into_iter()
        .chain(NO_ES256)
        .chain(["--", "-D", "warnings"])
        .collect();
    util::run(&root, &cargo, &clippy, &[])?;
    util::run(
        &root,
        &cargo,
        &[
            "clippy",
            "-p",
            "mirairo-id-sdk-wasm",
            "--no-default-features",
            "--lib",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    )?;

    util::step("cargo test (native: unit, integration, doc, property tests)");
    util::run(&root, &cargo, &["test", "--workspace"], &[])?;
    util::step("cargo test (SDK core without es256: no hook, then a hook)");
    let test: Vec<&str> = ["test"].into_iter().chain(NO_ES256).collect();
    util::run(&root, &cargo, &test, &[])?;

    // The core without `inflate` (miniz_oxide; with `es256`, which the tests sign with): clippy for
    // both targets, and the status list tests that differ (sdk/tests/status_inflate.rs).
    util::step("the core without its default features (the browser build's inflate)");
    for target in [None, Some("wasm32-unknown-unknown")] {
        let mut args = vec![
            "clippy",
            "-p",
            "mirairo-id-sdk",
            "-p",
            "mirairo-id-sdk-wasm",
            "--no-default-features",
            "--features",
            "mirairo-id-sdk/es256,mirairo-id-sdk-wasm/es256",
            "--all-targets",
        ];
        args.extend(target.map(|t| ["--target", t]).into_iter().flatten());
        args.extend(["--", "-D", "warnings"]);
        util::run(&root, &cargo, &args, &[])?;
    }
    util::run(
        &root,
        &cargo,
        &[
            "test",
            "-p",
            "mirairo-id-sdk",
            "--no-default-features",
            "--features",
            "es256",
            "--lib",
            "--test",
            "status_inflate",
        ],
        &[],
    )?;

    wasm_bindgen_tests()?;

    build::build_packages()?;
    util::step("build: sandbox binary for the browser tests");
    util::run(&root, &cargo, &["build", "-p", "mirairo-id-sandbox"], &[])?;

    let tarballs = crate::packages::pack()?;
    crate::packages::test(&tarballs)?;
    crate::examples::test(&tarballs)?;

    util::step("browser end-to-end tests (Playwright + Chromium + axe-core)");
    util::run(
        &root.join("tests"),
        "node",
        &[
            "--test",
            "--test-concurrency=1",
            "--test-reporter=spec",
            "e2e/",
        ],
        &[],
    )?;

    println!(
        "\nxtask: all tests passed in {:.0}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The SDK's bindings under wasm-bindgen-test, in Node and in headless Chromium.
fn wasm_bindgen_tests() -> Result {
    let root = util::root();
    let cargo = util::cargo();
    let args = [
        "test",
        "-p",
        "mirairo-id-sdk-wasm",
        "--target",
        "wasm32-unknown-unknown",
    ];
    util::step("wasm-bindgen-test in Node");
    util::run(&root, &cargo, &args, &[])?;
    util::step("wasm-bindgen-test in headless Chromium");
    let webdriver = root.join("tests/webdriver.json").display().to_string();
    util::run(
        &root,
        &cargo,
        &args,
        &[
            ("WASM_BINDGEN_USE_BROWSER", "1"),
            ("CHROMEDRIVER", "/usr/bin/chromedriver"),
            ("WASM_BINDGEN_TEST_WEBDRIVER_JSON", &webdriver),
            // ChromeDriver can take longer than the runner's default 5 s to bind its
            // port on a loaded two-core machine.
            ("WASM_BINDGEN_TEST_DRIVER_TIMEOUT", "60"),
        ],
    )
}
