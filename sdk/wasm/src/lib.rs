//! The JavaScript binding layer of `@mirairo-id/sdk`: thin wrappers over the
//! `mirairo-id-sdk` core, conversions at the edge. `sdk/js/*.js` does the fetches,
//! storage, WebCrypto, popups and redirects; every protocol rule is in the core.
//! **Invariant:** this crate is the only one of the SDK that imports wasm-bindgen (tidy).
//!
//! Built as the npm package's wasm by `cargo xtask build` (output named
//! `mirairo_id_sdk`, as `sdk/js/*.js` import it), twice: with the `es256` feature
//! (default: the core's p256) for Node (`wasm-node/`), without it for browsers
//! (`wasm/`, ES256 by WebCrypto or the separate ES256 module, see [`es256`]). Both
//! builds have the same exports. Empty on other targets.
#![cfg(target_arch = "wasm32")]

pub mod error;
pub mod es256;
pub mod login;
pub mod presentation;
pub mod verifier;

use wasm_bindgen::prelude::*;

/// The SDK version (`VERSION` in JS).
#[wasm_bindgen(js_name = version)]
pub fn version() -> String {
    mirairo_id_sdk::VERSION.to_owned()
}
