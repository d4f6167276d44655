//! `@mirairo-id/widget`: the `<mirairo-places>` and `<mirairo-coupons>` custom elements.
//!
//! A pure core (`normalize`, `geo`, `dates`, `i18n`, `model`, `state`) tested natively,
//! and a thin browser skin: Yew components (`components`), data loading (`fetch`) and
//! the handles the JS custom-element shim drives (`element`).

mod dates;
mod geo;
mod i18n;
mod model;
mod normalize;
mod state;

mod components;
mod dom;
mod element;
mod fetch;

pub use element::{CouponsElement, PlacesElement};
