//! `cargo xtask <task>`: one way to set up, build, demo, test and bench the project.
//!
//! Each task lives in its own module. Errors are one line saying what to do; never a
//! backtrace.

mod bench;
mod build;
mod demo;
mod examples;
mod packages;
mod setup;
mod test;
mod tidy;
mod util;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task> [options]

tasks:
  setup            install what this machine lacks (wasm target, wasm-bindgen CLI,
                   Chromium + ChromeDriver, npm packages of tests/, wasm-opt)
  build            release wasm builds and the npm packages under dist/npm/
  demo [--port N]  build, then serve the sandbox provider and the demo site on 127.0.0.1
  test             every check and test, failing fast (what CI runs)
  bench            package sizes and speed, each beside its baseline
  tidy             the ARCHITECTURE.md invariants a grep can check (part of test)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(task) = args.first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let rest = &args[1..];
    let result = match task.as_str() {
        "setup" => util::no_args(rest).and_then(|()| setup::run(setup::Needs::All)),
        "build" => util::no_args(rest).and_then(|()| build::run()),
        "demo" => demo::run(rest),
        "test" => util::no_args(rest).and_then(|()| test::run()),
        "bench" => util::no_args(rest).and_then(|()| bench::run()),
        "tidy" => util::no_args(rest).and_then(|()| tidy::run()),
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!(
            "unknown task `{other}`: run `cargo xtask help` for the list"
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: error: {message}");
            ExitCode::FAILURE
        }
    }
}
