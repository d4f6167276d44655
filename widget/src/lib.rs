//! `@mirairo-id/widget`: the `<mirairo-places>` and `<mirairo-coupons>` custom elements.
//!
//! A pure core (`normalize`, `geo`, `i18n`, `model`, `state`) tested natively,
//! and a thin browser skin: Yew components (`components`), data loading (`fetch`),
//! small DOM effects (`dom`) and the handles the JS custom-element shim
//! (`js/index.js`) drives (`element`). User-facing documentation: `js/README.md`.
//!
//! **Invariant:** the core modules never import `web_sys`, `wasm_bindgen` or `js_sys`
//! (`state` uses only `yew::Reducible`), so `cargo test -p mirairo-id-widget` runs natively.
//! **Invariant:** provider data reaches the DOM only as Yew text nodes or attribute
//! values; links only when `model::safe_url` accepts them (http/https).

mod geo;
mod i18n;
mod model;
mod normalize;
mod state;

/// The stylesheets' build-time minifier (`build.rs`), tested with the crate.
#[cfg(test)]
#[path = "../build/css.rs"]
mod css;

mod components;
mod dom;
mod element;
mod fetch;

pub use element::{CouponsElement, PlacesElement};

/// The wasm's allocator: talc instead of std's dlmalloc, 2.1 KB brotli less for the
/// same job (it grows the wasm memory as dlmalloc does; docs/contract-notes.md,
/// widget-size). Native builds (the tests) keep the system allocator.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
