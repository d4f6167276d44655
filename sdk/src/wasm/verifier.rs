//! `Verifier` and `fareDiscount` for JS: option parsing and result conversion only.
//!
//! Values cross the boundary as JSON text (`JSON.stringify` in, `JSON.parse` out, in
//! `sdk/js/verifier.js`), read and written with the SDK's own strict JSON module, and
//! the results are plain objects whose undisclosed claims are absent, never `undefined`.

use super::error::js_error;
use crate::jose::{verify_es256, EcPublicJwk, SignatureCheck};
use crate::json::{self, Fields, Map, ShapeError, Value};
use crate::status::{PendingStatusList, VerifiedStatusList};
use crate::{
    fare_discount as core_fare_discount, Date, FareClass, FareHolder, FareRates, IdTokenOptions,
    Prepared, Trip, Verifier, VerifierConfig, VerifyOptions, DEFAULT_MAX_KEY_BINDING_AGE,
};
use std::fmt;
use std::sync::Arc;
use wasm_bindgen::prelude::*;

pub(super) fn config_error(message: &str) -> JsValue {
    js_error("invalid_config", message)
}

pub(super) fn now_seconds() -> i64 {
    // Date.now() is a finite, non-negative number of milliseconds.
    (js_sys::Date::now() / 1000.0).floor() as i64
}

/// A whole number of seconds from a JS number: finite, within ±2^53; fractions dropped.
pub(super) fn seconds(value: f64, what: &str) -> Result<i64, JsValue> {
    const LIMIT: f64 = 9_007_199_254_740_991.0;
    if value.is_finite() && value.abs() <= LIMIT {
        Ok(value.floor() as i64)
    } else {
        Err(config_error(&format!(
            "{what} must be a finite number of seconds"
        )))
    }
}

fn non_negative(value: f64, what: &str) -> Result<u64, JsValue> {
    let s = seconds(value, what)?;
    u64::try_from(s).map_err(|_| config_error(&format!("{what} must not be negative")))
}

/// Reads JSON text that must hold an object, with `read`; the error as text for a
/// message (`invalid JSON`, `unknown field \`x\``, …).
fn from_object<T>(
    text: &str,
    read: impl FnOnce(Fields<'_>) -> Result<T, ShapeError>,
) -> Result<T, String> {
    let value = json::parse(text).map_err(|e| e.to_string())?;
    Fields::of(&value).and_then(read).map_err(|e| e.to_string())
}

fn options_error(e: impl fmt::Display) -> JsValue {
    config_error(&format!("options: {e}"))
}

/// JS options as JSON text (empty: all defaults). Unknown members are refused
/// (`invalid_config`): a misspelt `requireKeyBinding` must not silently turn a check off.
pub(super) fn parse_options<T>(
    text: &str,
    known: &[&str],
    read: impl FnOnce(Fields<'_>) -> Result<T, ShapeError>,
) -> Result<T, JsValue> {
    let text = if text.is_empty() { "{}" } else { text };
    from_object(text, |f| read(f.only(known)?)).map_err(options_error)
}

fn verify_options(text: &str) -> Result<VerifyOptions, JsValue> {
    const KNOWN: [&str; 8] = [
        "now",
        "audience",
        "nonce",
        "requireKeyBinding",
        "maxKeyBindingAgeSeconds",
        "requiredClaims",
        "statusList",
        "requireStatus",
    ];
    let (now, max_age, mut options) = parse_options(text, &KNOWN, |f| {
        let options = VerifyOptions {
            audience: f.optional("audience", json::string)?,
            nonce: f.optional("nonce", json::string)?,
            require_key_binding: f
                .optional("requireKeyBinding", Value::as_bool)?
                .unwrap_or(false),
            required_claims: f
                .optional("requiredClaims", json::strings)?
                .unwrap_or_default(),
            status_list: f.optional("statusList", json::string)?,
            require_status: f
                .optional("requireStatus", Value::as_bool)?
                .unwrap_or(false),
            ..VerifyOptions::at(0)
        };
        let now = f.optional("now", Value::as_f64)?;
        let max_age = f.optional("maxKeyBindingAgeSeconds", Value::as_f64)?;
        Ok((now, max_age, options))
    })?;
    options.now = match now {
        Some(n) => seconds(n, "now")?,
        None => now_seconds(),
    };
    options.max_key_binding_age = match max_age {
        Some(n) => non_negative(n, "maxKeyBindingAgeSeconds")?,
        None => DEFAULT_MAX_KEY_BINDING_AGE,
    };
    Ok(options)
}

/// The wasm half of the JS `Verifier` (`sdk/js/verifier.js` wraps it).
#[wasm_bindgen]
pub struct VerifierCore {
    inner: Verifier,
    /// Status lists that passed every check, by URI, with the Unix time (real clock)
    /// until which they may be used: their `exp`, or sooner by `ttl`.
    /// (A few URIs at most: a list, not a hash map, keeps hashing code out of the wasm.)
    status_cache: Vec<(String, Arc<VerifiedStatusList>, i64)>,
}

/// Appends one check to a flat `[x, y, data, signature, …]` array.
fn push_check(out: &js_sys::Array, check: &SignatureCheck) {
    out.push(&JsValue::from_str(&check.key.x));
    out.push(&JsValue::from_str(&check.key.y));
    out.push(&js_sys::Uint8Array::from(check.signing_input.as_bytes()));
    out.push(&js_sys::Uint8Array::from(check.signature.as_slice()));
}

/// ES256 with the wasm p256 code, for JS where WebCrypto is missing: `x`, `y` the key's
/// base64url coordinates, `data` the signed bytes, `signature` the 64-byte `r ‖ s`.
#[wasm_bindgen(js_name = verifyEs256)]
pub fn verify_es256_js(x: &str, y: &str, data: &[u8], signature: &[u8]) -> bool {
    let jwk = Value::from(Map::from_pairs([
        ("kty", "EC".into()),
        ("crv", "P-256".into()),
        ("x", x.into()),
        ("y", y.into()),
    ]));
    EcPublicJwk::from_json(&jwk).is_ok_and(|key| verify_es256(&key, data, signature))
}

fn jwks_value(jwks_json: &str) -> Result<Value, JsValue> {
    json::parse(jwks_json).map_err(|_| {
        config_error("jwks is not a JWK Set (not JSON) / jwks が JWK Set ではありません")
    })
}

#[wasm_bindgen]
impl VerifierCore {
    /// A verifier for `issuer` and the JWK Set `jwks_json` (JSON text).
    ///
    /// # Errors
    ///
    /// `invalid_config` for a non-http(s) issuer, a non-JWK-Set `jwks`, an empty `vct`
    /// or a negative or non-finite leeway.
    #[wasm_bindgen(constructor)]
    pub fn new(
        issuer: &str,
        jwks_json: &str,
        vct: Option<String>,
        leeway_seconds: Option<f64>,
    ) -> Result<VerifierCore, JsValue> {
        let mut config = VerifierConfig::new(issuer, jwks_value(jwks_json)?);
        if let Some(vct) = vct {
            config.vct = vct;
        }
        if let Some(leeway) = leeway_seconds {
            config.leeway = non_negative(leeway, "leewaySeconds")?;
        }
        Ok(Self {
            inner: Verifier::new(config)?,
            status_cache: Vec::new(),
        })
    }

    /// Replaces the JWK Set (after a refetch).
    ///
    /// # Errors
    ///
    /// `invalid_config` when the text is not a JWK Set; the old set is kept.
    #[wasm_bindgen(js_name = setJwks)]
    pub fn set_jwks(&mut self, jwks_json: &str) -> Result<(), JsValue> {
        Ok(self.inner.set_jwks(&jwks_value(jwks_json)?)?)
    }

    /// Whether the JWK Set holds a usable key with this `kid`.
    #[wasm_bindgen(js_name = hasKey)]
    pub fn has_key(&self, kid: &str) -> bool {
        self.inner.jwks().find(kid).is_some()
    }

    /// Every check of PROTOCOL.md §4 with p256; the certificate as JSON text.
    ///
    /// # Errors
    ///
    /// The first failing check's code; `invalid_config` for bad options.
    pub fn verify(&self, credential: &str, options_json: &str) -> Result<String, JsValue> {
        let options = verify_options(options_json)?;
        Ok(self
            .inner
            .verify(credential, &options)?
            .to_json()
            .to_string())
    }

    /// Phase one of `verify`: the checks before `bad_signature`, and the ECDSA checks
    /// to run (with WebCrypto).
    ///
    /// # Errors
    ///
    /// `malformed`, `unsupported_algorithm`, `wrong_type` or `unknown_key`;
    /// `invalid_config` for bad options.
    pub fn prepare(
        &self,
        credential: &str,
        options_json: &str,
    ) -> Result<PreparedCredential, JsValue> {
        let options = verify_options(options_json)?;
        let prepared = self.inner.prepare(credential, &options)?;
        let mut prepared = PreparedCredential {
            inner: Some(prepared),
            status_cached: false,
        };
        if options.status_list.is_none() {
            self.attach_status(&mut prepared);
        }
        Ok(prepared)
    }

    /// Gives `prepared` the cached, still fresh status list for its status URI, if there
    /// is one; returns whether it did.
    #[wasm_bindgen(js_name = attachStatus)]
    pub fn attach_status(&self, prepared: &mut PreparedCredential) -> bool {
        let now = now_seconds();
        let Some(inner) = prepared.inner.as_mut() else {
            return false;
        };
        let Some(uri) = inner.status_reference().map(|r| r.uri.clone()) else {
            return false;
        };
        let cached = self.status_cache.iter().find(|(u, _, _)| *u == uri);
        prepared.status_cached = match cached {
            Some((_, list, until)) if *until > now => {
                inner.use_verified_status_list(&uri, Arc::clone(list))
            }
            _ => false,
        };
        prepared.status_cached
    }

    /// The signature check of a status list JWT fetched from `uri` (flat
    /// `[x, y, data, signature]`), or `undefined` when the JWT fails a check that comes
    /// before the signature (for example an unknown `kid`).
    #[wasm_bindgen(js_name = statusListCheck)]
    pub fn status_list_check(&self, uri: &str, jwt: &str) -> Option<js_sys::Array> {
        let pending = self.pending_status(uri, jwt)?;
        let out = js_sys::Array::new();
        push_check(&out, pending.signature_check());
        Some(out)
    }

    /// Caches the status list JWT fetched from `uri`, given the outcome of its signature
    /// check (`undefined`: check it here with p256). Returns whether it was cached; a
    /// list that fails replaces nothing and drops the old one for `uri`.
    #[wasm_bindgen(js_name = addStatusList)]
    pub fn add_status_list(&mut self, uri: &str, jwt: &str, signature_valid: Option<bool>) -> bool {
        let now = now_seconds();
        let verified = self.pending_status(uri, jwt).and_then(|pending| {
            let valid = signature_valid.unwrap_or_else(|| pending.signature_check().verify());
            pending.finish(valid).ok()
        });
        self.status_cache.retain(|(u, _, _)| u != uri);
        match verified {
            Some(list) => {
                let ttl = list.ttl.and_then(|t| i64::try_from(t).ok());
                let until = ttl.map_or(list.expires_at, |t| {
                    list.expires_at.min(now.saturating_add(t))
                });
                self.status_cache
                    .push((uri.to_owned(), Arc::new(list), until));
                true
            }
            None => false,
        }
    }

    fn pending_status(&self, uri: &str, jwt: &str) -> Option<PendingStatusList> {
        let jwks = self.inner.jwks();
        PendingStatusList::parse(jwt, jwks, uri, now_seconds(), self.inner.leeway()).ok()
    }

    /// `verifyIdToken`: the claims as JSON text.
    ///
    /// # Errors
    ///
    /// `bad_id_token` with `reason`; `invalid_config` without `audience`.
    #[wasm_bindgen(js_name = verifyIdToken)]
    pub fn verify_id_token(&self, token: &str, options_json: &str) -> Result<String, JsValue> {
        let (audience, nonce, now) =
            parse_options(options_json, &["audience", "nonce", "now"], |f| {
                Ok((
                    f.optional("audience", json::string)?,
                    f.optional("nonce", json::string)?,
                    f.optional("now", Value::as_f64)?,
                ))
            })?;
        let audience = audience.ok_or_else(|| config_error("verifyIdToken needs { audience }"))?;
        let now = match now {
            Some(n) => seconds(n, "now")?,
            None => now_seconds(),
        };
        let options = IdTokenOptions {
            audience,
            nonce,
            now,
        };
        let claims = self.inner.verify_id_token(token, &options)?;
        Ok(claims.to_json().to_string())
    }
}

/// A credential between the two phases of verification.
#[wasm_bindgen]
pub struct PreparedCredential {
    inner: Option<Prepared>,
    status_cached: bool,
}

impl VerifierCore {
    /// The core verifier (for the other bindings of this layer).
    pub(super) fn core(&self) -> &Verifier {
        &self.inner
    }

    /// Phase one done elsewhere (a counter presentation response): wraps it and
    /// attaches the cached status list, as `prepare` does.
    pub(super) fn wrap_prepared(&self, prepared: Prepared) -> PreparedCredential {
        let mut prepared = PreparedCredential {
            inner: Some(prepared),
            status_cached: false,
        };
        self.attach_status(&mut prepared);
        prepared
    }
}

#[wasm_bindgen]
impl PreparedCredential {
    /// The ECDSA P-256/SHA-256 checks, flat: `[x, y, data, signature, x, y, …]` with the
    /// key's base64url coordinates, the signing input bytes and the 64-byte `r ‖ s`.
    #[wasm_bindgen(getter)]
    pub fn checks(&self) -> js_sys::Array {
        let out = js_sys::Array::new();
        for check in self.inner.iter().flat_map(Prepared::signature_checks) {
            push_check(&out, check);
        }
        out
    }

    /// Whether a cached status list was attached (see `VerifierCore.attachStatus`).
    #[wasm_bindgen(getter, js_name = statusCached)]
    pub fn status_cached(&self) -> bool {
        self.status_cached
    }

    /// Whether the issuer signature passed, given `results` as for `finish`. A status
    /// list is fetched only when it did, so an unsigned credential cannot make the
    /// verifier fetch a URL of its choosing (the issuer check is not always at index
    /// 0: a credential whose signature cannot be ES256 has none).
    #[wasm_bindgen(js_name = issuerSignaturePassed)]
    pub fn issuer_signature_passed(&self, results: &[u8]) -> bool {
        let passed: Vec<bool> = results.iter().map(|r| *r == 1).collect();
        self.inner
            .as_ref()
            .is_some_and(|p| p.issuer_signature_passed(&passed))
    }

    /// The credential's status list URI, if it has one.
    #[wasm_bindgen(getter, js_name = statusUri)]
    pub fn status_uri(&self) -> Option<String> {
        self.inner
            .as_ref()
            .and_then(Prepared::status_reference)
            .map(|r| r.uri.clone())
    }

    /// Phase two: `results[i]` is 1 when check `i` passed. The certificate as JSON text.
    ///
    /// # Errors
    ///
    /// The first failing check's code from `bad_signature` on; `malformed` if called twice.
    pub fn finish(&mut self, results: &[u8]) -> Result<String, JsValue> {
        let prepared = self
            .inner
            .take()
            .ok_or_else(|| js_error("malformed", "finish() was already called"))?;
        let passed: Vec<bool> = results.iter().map(|r| *r == 1).collect();
        Ok(prepared.finish(&passed)?.to_json().to_string())
    }
}

/// `fareDiscount(certificate, trip, rates?)` of API.md, JSON text in and out. Today's
/// date in Japan comes from the JS clock when the trip has no `travelDate`.
///
/// # Errors
///
/// `malformed` for a certificate or trip of the wrong shape or out of range,
/// `invalid_config` for rates out of range.
#[wasm_bindgen(js_name = fareDiscount)]
pub fn fare_discount(
    certificate_json: &str,
    trip_json: &str,
    rates_json: &str,
) -> Result<String, JsValue> {
    let (fare_class, valid_until) = from_object(certificate_json, |f| {
        Ok((
            f.present("fareClass", FareClass::from_json)?,
            f.present("validUntil", crate::verifier::nullable_date)?,
        ))
    })
    .map_err(|e| js_error("malformed", &format!("certificate: {e}")))?;
    let trip = from_object(trip_json, Trip::from_fields)
        .map_err(|e| js_error("malformed", &format!("trip: {e}")))?;
    let rates = if rates_json.is_empty() {
        FareRates::default()
    } else {
        from_object(rates_json, FareRates::from_fields)
            .map_err(|e| config_error(&format!("rates: {e}")))?
    };
    let today = Date::today_in_japan(now_seconds())
        .ok_or_else(|| js_error("malformed", "the clock is out of range"))?;
    let holder = FareHolder {
        verified: true,
        fare_class,
        valid_until,
    };
    let result = core_fare_discount(&holder, &trip, &rates, today)?;
    Ok(result.to_json().to_string())
}
