//! `cargo xtask bench`: size and speed, each figure printed beside its baseline measured
//! in the same run. Benchmarks are never timed tests: they print, they do not assert.

use crate::setup::{self, Needs};
use crate::util::{self, Result};

pub fn run() -> Result {
    setup::run(Needs::All)?;
    crate::build::build_packages()?;
    let root = util::root();
    let tests = root.join("tests");
    util::step("bench: package sizes (what a browser downloads)");
    util::run(&tests, "node", &["bench/size.mjs"], &[])?;
    Ok(())
}
