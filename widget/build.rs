//! Writes minified copies of `src/styles/*.css` to `OUT_DIR`, which `element.rs`
//! includes: the wasm carries the stylesheets without comments and indentation.

#[path = "build/css.rs"]
mod css;

use std::error::Error;
use std::path::PathBuf;

const SHEETS: [&str; 3] = ["base.css", "places.css", "coupons.css"];

fn main() -> Result<(), Box<dyn Error>> {
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    println!("cargo::rerun-if-changed=build/css.rs");
    for name in SHEETS {
        let path = format!("src/styles/{name}");
        println!("cargo::rerun-if-changed={path}");
        let source = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
        std::fs::write(out.join(name), css::minify(&source))?;
    }
    Ok(())
}
