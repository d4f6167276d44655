//! Errors thrown to JavaScript: always real instances of the one `MirairoIdError` class
//! defined in `sdk/js/error.js` (so `err instanceof MirairoIdError` holds and `err.code`
//! is a stable string of API.md / PROTOCOL.md §4).
//!
//! How it works: `load.js` (`ready()`) passes the class to wasm once, right after instantiating it
//! (`wasm.setErrorClass(MirairoIdError)`); it is kept in a thread-local here and every
//! error is built with `new MirairoIdError(code, message, details)`.
//!
//! Usage in the binding layer (`#[wasm_bindgen]` functions return `Result<_, JsValue>`):
//!
//! ```ignore
//! use crate::error::{js_error, js_error_with, ErrorDetails};
//! return Err(js_error("state_mismatch", "state does not match / state が一致しません"));
//! return Err(js_error_with("provider_error", "the provider refused", ErrorDetails {
//!     provider_error: Some("access_denied"), ..ErrorDetails::default() }));
//! return Err(js_error_with("bad_id_token", "nonce differs", ErrorDetails {
//!     reason: Some("nonce_mismatch"), ..ErrorDetails::default() }));
//! // Core errors (`VerifyError`, `IdTokenError`, `FareError`, `OptionError`,
//! // `LoginError`) convert with `.or_throw()?`:
//! let certificate = verifier.verify(&credential, &options).or_throw()?;
//! ```
//!
//! [`OrThrow`] builds the `MirairoIdError` (`IdTokenError` as `bad_id_token` with
//! `reason`); or call [`verify_error`], [`id_token_error`], [`fare_error`] directly.

use mirairo_id_sdk::oidc::LoginError;
use mirairo_id_sdk::options::OptionError;
use mirairo_id_sdk::{FareError, IdTokenError, VerifyError};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

thread_local! {
    static ERROR_CLASS: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

/// Registers the `MirairoIdError` class (called once by `load.js` after loading).
#[wasm_bindgen(js_name = setErrorClass)]
pub fn set_error_class(class: js_sys::Function) {
    ERROR_CLASS.with(|c| *c.borrow_mut() = Some(class));
}

/// Extra members of a `MirairoIdError`.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ErrorDetails<'a> {
    /// `reason` (for `bad_id_token`): the failed check.
    pub reason: Option<&'a str>,
    /// `providerError` (for `provider_error`): the OAuth `error` value.
    pub provider_error: Option<&'a str>,
}

/// A `MirairoIdError` with this `code` and `message`.
pub(crate) fn js_error(code: &str, message: &str) -> JsValue {
    js_error_with(code, message, ErrorDetails::default())
}

/// A `MirairoIdError` with this `code`, `message` and `reason` / `providerError`.
pub(crate) fn js_error_with(code: &str, message: &str, details: ErrorDetails<'_>) -> JsValue {
    let extra = js_sys::Object::new();
    let set = |name: &str, value: Option<&str>| {
        if let Some(v) = value {
            // Setting a property on a fresh plain object cannot fail.
            let _ = js_sys::Reflect::set(&extra, &JsValue::from_str(name), &JsValue::from_str(v));
        }
    };
    set("reason", details.reason);
    set("providerError", details.provider_error);
    let built = ERROR_CLASS.with(|class| {
        let class = class.borrow();
        let class = class.as_ref()?;
        let args = js_sys::Array::of3(&code.into(), &message.into(), &extra);
        js_sys::Reflect::construct(class, &args).ok()
    });
    built.unwrap_or_else(|| {
        // Not registered (wasm used without load.js): a plain Error with the same members.
        let error = js_sys::Error::new(message);
        error.set_name("MirairoIdError");
        let _ = js_sys::Reflect::set(&error, &"code".into(), &code.into());
        let _ = js_sys::Object::assign(&error, &extra);
        error.into()
    })
}

/// A core verification error as a `MirairoIdError` (`code` of PROTOCOL.md §4).
pub(crate) fn verify_error(e: &VerifyError) -> JsValue {
    js_error(e.code().as_str(), e.detail())
}

/// A core ID token error as a `MirairoIdError` with code `bad_id_token` and `reason`.
pub(crate) fn id_token_error(e: &IdTokenError) -> JsValue {
    if *e == IdTokenError::Es256Unavailable {
        return js_error(e.code(), mirairo_id_sdk::jose::ES256_UNAVAILABLE);
    }
    let message = format!("the ID token was refused: {}", e.reason());
    js_error_with(
        e.code(),
        &message,
        ErrorDetails {
            reason: Some(e.reason()),
            provider_error: None,
        },
    )
}

/// A core fare error as a `MirairoIdError` (`malformed` or `invalid_config`).
pub(crate) fn fare_error(e: &FareError) -> JsValue {
    js_error(e.code().as_str(), &e.to_string())
}

/// Options or arguments the core refused, as a `MirairoIdError`.
pub(crate) fn option_error(e: &OptionError) -> JsValue {
    js_error(e.code().as_str(), e.message())
}

/// `?` on a core result in a `#[wasm_bindgen]` function: the orphan rule forbids
/// `From<core error> for JsValue` here, so this converts instead.
pub(crate) trait OrThrow<T> {
    /// The value, or the error as a `MirairoIdError`.
    fn or_throw(self) -> Result<T, JsValue>;
}

impl<T> OrThrow<T> for Result<T, VerifyError> {
    #[inline]
    fn or_throw(self) -> Result<T, JsValue> {
        self.map_err(|e| verify_error(&e))
    }
}

impl<T> OrThrow<T> for Result<T, IdTokenError> {
    #[inline]
    fn or_throw(self) -> Result<T, JsValue> {
        self.map_err(|e| id_token_error(&e))
    }
}

impl<T> OrThrow<T> for Result<T, FareError> {
    #[inline]
    fn or_throw(self) -> Result<T, JsValue> {
        self.map_err(|e| fare_error(&e))
    }
}

impl<T> OrThrow<T> for Result<T, LoginError> {
    #[inline]
    fn or_throw(self) -> Result<T, JsValue> {
        self.map_err(|e| crate::login::login_error(&e))
    }
}

impl<T> OrThrow<T> for Result<T, OptionError> {
    #[inline]
    fn or_throw(self) -> Result<T, JsValue> {
        self.map_err(|e| option_error(&e))
    }
}
