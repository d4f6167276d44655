//! The synchronous ES256 and status list inflation of the browser build, and what the
//! insecure-context signing key needs from the core.
//!
//! The browser build's core has no p256 (`es256` feature off) and no miniz_oxide
//! (`inflate` off): its synchronous checks (`Verifier.verify`, `verifyIdToken`, the
//! `verifyEs256` fallback) call the hooks this module installs, which call the `verify`
//! and `inflate` exports of the separate ES256 module (`sdk/es256`, `mirairo_id_es256`)
//! that `ready()` loads beside the core and hands over with `setEs256`. The Node build
//! has p256 and miniz_oxide and never calls the hooks. The core computes SHA-256 itself,
//! so the ES256 module verifies a prehashed message and has no sha2; the core keeps the
//! status list's size cap and decides what an inflation's result means.

use mirairo_id_sdk::jose::{b64url_encode, set_es256_verifier, sha256, EcPublicJwk};
use mirairo_id_sdk::status::set_inflater;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

thread_local! {
    /// The ES256 module's `verify(x, y, digest, signature) -> boolean`.
    static VERIFY: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
    /// The ES256 module's `inflate(zlib, limit) -> Uint8Array | undefined`.
    static INFLATE: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

/// The core's hook: asks the ES256 module. A missing module or a throw is "does not
/// verify" (the core only calls it after `setEs256`).
fn verify_with_module(x: &[u8; 32], y: &[u8; 32], digest: &[u8; 32], signature: &[u8; 64]) -> bool {
    VERIFY.with(|cell| {
        let Some(verify) = cell.borrow().clone() else {
            return false;
        };
        let args = js_sys::Array::of4(
            &js_sys::Uint8Array::from(&x[..]),
            &js_sys::Uint8Array::from(&y[..]),
            &js_sys::Uint8Array::from(&digest[..]),
            &js_sys::Uint8Array::from(&signature[..]),
        );
        verify
            .apply(&JsValue::NULL, &args)
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    })
}

/// The core's inflater (`status::set_inflater`): asks the ES256 module. A missing
/// module, a throw or anything but a `Uint8Array` is "not zlib" (`None`), which the core
/// reads as a malformed list.
fn inflate_with_module(zlib: &[u8], limit: usize) -> Option<Vec<u8>> {
    INFLATE.with(|cell| {
        let inflate = cell.borrow().clone()?;
        let out = inflate
            .call2(
                &JsValue::NULL,
                &js_sys::Uint8Array::from(zlib),
                // The cap (4 MiB) is far below 2^53: exact as a JS number.
                &JsValue::from_f64(limit as f64),
            )
            .ok()?;
        out.dyn_ref::<js_sys::Uint8Array>()
            .map(js_sys::Uint8Array::to_vec)
    })
}

/// Installs the ES256 module's `verify` and `inflate` as the core's synchronous ES256
/// and status list inflater (browser build; in the Node build the core keeps p256 and
/// miniz_oxide and this changes nothing).
#[wasm_bindgen(js_name = setEs256)]
pub fn set_es256(verify: js_sys::Function, inflate: js_sys::Function) {
    VERIFY.with(|cell| *cell.borrow_mut() = Some(verify));
    INFLATE.with(|cell| *cell.borrow_mut() = Some(inflate));
    // Each hook is set once; a second call replaced the functions above, which the
    // hooks read.
    set_es256_verifier(verify_with_module);
    set_inflater(inflate_with_module);
}

/// SHA-256 of `data`, for the insecure-context signing key (no `crypto.subtle` there):
/// the ES256 module signs the digest the core computes.
#[wasm_bindgen(js_name = es256Digest)]
pub fn es256_digest(data: &[u8]) -> Vec<u8> {
    sha256(data).to_vec()
}

/// The public JWK (JSON) of the 64-byte `x ‖ y` an ES256 module key reports.
///
/// # Errors
///
/// `malformed` unless the bytes are a point of P-256.
#[wasm_bindgen(js_name = es256PublicJwk)]
pub fn es256_public_jwk(xy: &[u8]) -> Result<String, JsValue> {
    let bad = || crate::error::js_error("malformed", "not a P-256 public key");
    let (x, y) = (xy.get(..32).ok_or_else(bad)?, xy.get(32..).ok_or_else(bad)?);
    let jwk = EcPublicJwk {
        kid: None,
        x: b64url_encode(x),
        y: b64url_encode(y),
        key_use: None,
        alg: None,
    };
    jwk.coordinates().map_err(|_| bad())?;
    Ok(jwk.to_json().to_string())
}
