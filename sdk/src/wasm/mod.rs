//! The JavaScript binding layer: thin wrappers over the core, conversions at the edge.
//! **Invariant:** this is the only module of the SDK that imports wasm-bindgen.

pub mod error;
pub mod login;
pub mod presentation;
pub mod verifier;

use wasm_bindgen::prelude::*;

/// The SDK version (`VERSION` in JS).
#[wasm_bindgen(js_name = version)]
pub fn version() -> String {
    crate::VERSION.to_owned()
}
