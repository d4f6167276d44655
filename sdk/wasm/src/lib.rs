//! The JavaScript binding layer of `@mirairo-id/sdk`: thin wrappers over the
//! `mirairo-id-sdk` core, conversions at the edge. `sdk/js/*.js` does the fetches,
//! storage, WebCrypto, popups and redirects; every protocol rule is in the core.
//! **Invariant:** this crate is the only one of the SDK that imports wasm-bindgen (tidy).
//!
//! Built as the npm package's wasm by `cargo xtask build` (output named
//! `mirairo_id_sdk`, as `sdk/js/*.js` import it), twice: with the default features
//! (`es256`, `inflate`: the core's p256 and miniz_oxide) for Node (`wasm-node/`),
//! without them for browsers (`wasm/`, ES256 by WebCrypto and zlib by
//! `DecompressionStream`, or both by the separate ES256 module, see [`es256`]). Both
//! builds have the same exports. Empty on other targets.
#![cfg(target_arch = "wasm32")]

pub mod error;
pub mod es256;
pub mod login;
pub mod presentation;
pub mod verifier;

use wasm_bindgen::prelude::*;

/// The allocator: talc instead of std's dlmalloc, 6.7 KB raw / 2.8 KB gzip less wasm
/// in the browser build (docs/contract-notes.md, sdk-size). A general-purpose allocator
/// that reuses and coalesces freed blocks (partner pages live long), growing the wasm
/// memory as dlmalloc does; its constructor is safe (no `unsafe` here). Single-threaded
/// wasm only, as its documentation asks.
#[cfg(not(target_feature = "atomics"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// The SDK version (`VERSION` in JS).
#[wasm_bindgen(js_name = version)]
pub fn version() -> String {
    mirairo_id_sdk::VERSION.to_owned()
}
