//! `Verifier` and `fareDiscount` for JS: option parsing and result conversion only.
//!
//! Values cross the boundary as JSON text (`JSON.stringify` in, `JSON.parse` out, in
//! `sdk/js/verifier.js`), read and written with the SDK's own strict JSON module, and
//! the results are plain objects whose undisclosed claims are absent, never `undefined`.

use crate::error::{js_error, OrThrow};
use mirairo_id_sdk::jose::{try_verify_es256, EcPublicJwk, SignatureCheck};
use mirairo_id_sdk::json::{self, Map, Value};
use mirairo_id_sdk::oidc::{verifier_jwks_uri, JwksRefetchPolicy};
use mirairo_id_sdk::options::{self, fare_discount_json, id_token_options, verify_options};
use mirairo_id_sdk::status::{StatusListCache, UninflatedStatusList, MAX_STATUS_LIST_BYTES};
use mirairo_id_sdk::{Prepared, Verifier};
use wasm_bindgen::prelude::*;

pub(super) fn config_error(message: &str) -> JsValue {
    js_error("invalid_config", message)
}

pub(super) fn now_seconds() -> i64 {
    // Date.now() is a finite, non-negative number of milliseconds.
    (js_sys::Date::now() / 1000.0).floor() as i64
}

/// The wasm half of the JS `Verifier` (`sdk/js/verifier.js` wraps it).
#[wasm_bindgen]
pub struct VerifierCore {
    inner: Verifier,
    /// Status lists that passed every check, by URI (PROTOCOL §4 cache rule, in the core).
    status_cache: StatusListCache,
    /// The JWK Set refetch rule of PROTOCOL §1 (in the core).
    refetch: JwksRefetchPolicy,
}

/// Appends one check to a flat `[x, y, data, signature, …]` array.
pub(crate) fn push_check(out: &js_sys::Array, check: &SignatureCheck) {
    out.push(&JsValue::from_str(&check.key.x));
    out.push(&JsValue::from_str(&check.key.y));
    out.push(&js_sys::Uint8Array::from(check.signing_input.as_bytes()));
    out.push(&js_sys::Uint8Array::from(check.signature.as_slice()));
}

/// ES256 in wasm, for JS where WebCrypto is missing: `x`, `y` the key's base64url
/// coordinates, `data` the signed bytes, `signature` the 64-byte `r ‖ s`. With p256 in
/// the Node build; in the browser build with the ES256 module `setEs256` installed.
///
/// # Errors
///
/// `invalid_config` in the browser build before the ES256 module is installed.
#[wasm_bindgen(js_name = verifyEs256)]
pub fn verify_es256_js(x: &str, y: &str, data: &[u8], signature: &[u8]) -> Result<bool, JsValue> {
    let jwk = Value::from(Map::from_pairs([
        ("kty", "EC".into()),
        ("crv", "P-256".into()),
        ("x", x.into()),
        ("y", y.into()),
    ]));
    let Ok(key) = EcPublicJwk::from_json(&jwk) else {
        return Ok(false);
    };
    try_verify_es256(&key, data, signature).map_err(|_| es256_unavailable())
}

pub(crate) fn es256_unavailable() -> JsValue {
    config_error(mirairo_id_sdk::jose::ES256_UNAVAILABLE)
}

fn jwks_value(jwks_json: &str) -> Result<Value, JsValue> {
    json::parse(jwks_json).map_err(|_| {
        config_error("jwks is not a JWK Set (not JSON) / jwks が JWK Set ではありません")
    })
}

#[wasm_bindgen]
impl VerifierCore {
    /// A verifier for `new Verifier(opts)`: the options as JSON text, validated by the
    /// core (`options::verifier_config`, then `Verifier::new`).
    ///
    /// # Errors
    ///
    /// `invalid_config` for missing, unknown or ill-typed members, a non-http(s)
    /// issuer, a non-JWK-Set `jwks`, an empty `vct` or a negative or non-finite leeway.
    #[wasm_bindgen(constructor)]
    pub fn new(options_json: &str) -> Result<VerifierCore, JsValue> {
        let config = options::verifier_config(options_json).or_throw()?;
        Ok(Self {
            inner: Verifier::new(config).or_throw()?,
            status_cache: StatusListCache::new(),
            refetch: JwksRefetchPolicy::default(),
        })
    }

    /// The metadata URL for `Verifier.fromIssuer(issuer)`.
    ///
    /// # Errors
    ///
    /// `invalid_config` when `issuer` is not a string holding an http(s) URL.
    #[wasm_bindgen(js_name = discoveryUrl)]
    pub fn discovery_url(issuer: JsValue) -> Result<String, JsValue> {
        let issuer = issuer
            .as_string()
            .ok_or_else(|| config_error("issuer must be a string"))?;
        options::verifier_discovery_url(&issuer).or_throw()
    }

    /// The `jwks_uri` of the metadata document `text` fetched for `issuer`, after the
    /// issuer rule of PROTOCOL §1 (the core's `oidc::check_issuer`).
    ///
    /// # Errors
    ///
    /// `issuer_mismatch`, or `malformed` for a document without an http(s) `jwks_uri`.
    #[wasm_bindgen(js_name = metadataJwksUri)]
    pub fn metadata_jwks_uri(text: &str, issuer: &str) -> Result<String, JsValue> {
        verifier_jwks_uri(text, issuer).or_throw()
    }

    /// Whether the JWK Set may be refetched now (PROTOCOL §1: once per 60 s, the first
    /// fetch not counted); when it may, the refetch is recorded as made now.
    #[wasm_bindgen(js_name = beginJwksRefetch)]
    pub fn begin_jwks_refetch(&mut self) -> bool {
        let now = now_seconds();
        let allowed = self.refetch.may_refetch(now);
        if allowed {
            self.refetch.record_refetch(now);
        }
        allowed
    }

    /// Replaces the JWK Set (after a refetch).
    ///
    /// # Errors
    ///
    /// `invalid_config` when the text is not a JWK Set; the old set is kept.
    #[wasm_bindgen(js_name = setJwks)]
    pub fn set_jwks(&mut self, jwks_json: &str) -> Result<(), JsValue> {
        self.inner.set_jwks(&jwks_value(jwks_json)?).or_throw()
    }

    /// Whether the JWK Set holds a usable key with this `kid`.
    #[wasm_bindgen(js_name = hasKey)]
    pub fn has_key(&self, kid: &str) -> bool {
        self.inner.jwks().find(kid).is_some()
    }

    /// Every check of PROTOCOL.md §4, synchronously (p256 in the Node build, the ES256
    /// module in the browser build); the certificate as JSON text.
    ///
    /// # Errors
    ///
    /// The first failing check's code; `invalid_config` for bad options, or in the
    /// browser build before `ready()` installed the ES256 module.
    pub fn verify(&self, credential: &str, options_json: &str) -> Result<String, JsValue> {
        let options = verify_options(options_json, now_seconds(), false).or_throw()?;
        Ok(self
            .inner
            .verify(credential, &options)
            .or_throw()?
            .to_json()
            .to_string())
    }

    /// Phase one of `verifyOnline` (`requireStatus` defaults to true): the checks before
    /// `bad_signature`, and the ECDSA checks to run (with WebCrypto).
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
        let options = verify_options(options_json, now_seconds(), true).or_throw()?;
        let prepared = self.inner.prepare(credential, &options).or_throw()?;
        let mut prepared = PreparedCredential {
            inner: Some(prepared),
            status_cached: false,
            status_given: options.status_list.is_some(),
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
        prepared.status_cached = self
            .status_cache
            .get(&uri, now)
            .is_some_and(|list| inner.use_verified_status_list(&uri, list));
        prepared.status_cached
    }

    /// The signature check of a status list JWT fetched from `uri` (flat
    /// `[x, y, data, signature]`), or `undefined` when the JWT fails a check that comes
    /// before the signature (for example an unknown `kid`). Nothing is inflated yet.
    #[wasm_bindgen(js_name = statusListCheck)]
    pub fn status_list_check(&self, uri: &str, jwt: &str) -> Option<js_sys::Array> {
        let uninflated = self.uninflated_status(uri, jwt)?;
        let out = js_sys::Array::new();
        push_check(&out, uninflated.signature_check());
        Some(out)
    }

    /// The zlib stream of the status list JWT's `lst`, for verifier.js to inflate with
    /// `DecompressionStream` (reading at most `statusListMaxBytes() + 1` bytes), or
    /// `undefined` when the JWT fails a check before the inflation.
    #[wasm_bindgen(js_name = statusListZlib)]
    pub fn status_list_zlib(&self, uri: &str, jwt: &str) -> Option<Vec<u8>> {
        self.uninflated_status(uri, jwt)
            .map(|uninflated| uninflated.zlib().to_vec())
    }

    /// The core's cap on an inflated status list, in bytes (PROTOCOL §4 limits): the
    /// JavaScript inflater stops one byte over it and the core refuses what is over.
    #[wasm_bindgen(js_name = statusListMaxBytes)]
    pub fn status_list_max_bytes() -> usize {
        MAX_STATUS_LIST_BYTES
    }

    /// Caches the status list JWT fetched from `uri`, given the outcome of its signature
    /// check (`undefined`: check it here synchronously, failing without ES256) and what
    /// verifier.js inflated: a `Uint8Array`, `null` when `DecompressionStream` refused the
    /// stream, `undefined` to inflate here (the `inflate` feature). Returns whether it was
    /// cached; a list that fails replaces nothing and drops the old one for `uri`.
    #[wasm_bindgen(js_name = addStatusList)]
    pub fn add_status_list(
        &mut self,
        uri: &str,
        jwt: &str,
        signature_valid: Option<bool>,
        inflated: JsValue,
    ) -> bool {
        let now = now_seconds();
        let verified = self.uninflated_status(uri, jwt).and_then(|uninflated| {
            let valid = signature_valid
                .unwrap_or_else(|| uninflated.signature_check().try_verify() == Ok(true));
            let pending = if inflated.is_undefined() {
                uninflated.inflate()
            } else {
                let bytes = inflated
                    .dyn_ref::<js_sys::Uint8Array>()
                    .map(js_sys::Uint8Array::to_vec);
                uninflated.inflated(bytes)
            };
            pending.ok()?.finish(valid).ok()
        });
        match verified {
            Some(list) => {
                self.status_cache.insert(uri, list, now);
                true
            }
            None => {
                self.status_cache.remove(uri);
                false
            }
        }
    }

    fn uninflated_status(&self, uri: &str, jwt: &str) -> Option<UninflatedStatusList> {
        let jwks = self.inner.jwks();
        UninflatedStatusList::parse(jwt, jwks, uri, now_seconds(), self.inner.leeway()).ok()
    }

    /// `verifyIdToken`: the claims as JSON text.
    ///
    /// # Errors
    ///
    /// `bad_id_token` with `reason`; `invalid_config` without `audience`.
    #[wasm_bindgen(js_name = verifyIdToken)]
    pub fn verify_id_token(&self, token: &str, options_json: &str) -> Result<String, JsValue> {
        let options = id_token_options(options_json, now_seconds()).or_throw()?;
        let claims = self.inner.verify_id_token(token, &options).or_throw()?;
        Ok(claims.to_json().to_string())
    }
}

/// A credential between the two phases of verification.
#[wasm_bindgen]
pub struct PreparedCredential {
    inner: Option<Prepared>,
    status_cached: bool,
    /// The options carried a `statusList`: nothing is to be fetched.
    status_given: bool,
}

impl VerifierCore {
    /// The core verifier (for the other bindings of this layer).
    pub(crate) fn core(&self) -> &Verifier {
        &self.inner
    }

    /// Phase one done elsewhere (a counter presentation response): wraps it and
    /// attaches the cached status list, as `prepare` does.
    pub(crate) fn wrap_prepared(&self, prepared: Prepared) -> PreparedCredential {
        let mut prepared = PreparedCredential {
            inner: Some(prepared),
            status_cached: false,
            // Presentation responses never take a status list from the caller.
            status_given: false,
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

    /// The credential's status list URI, if it has one and the options carried no
    /// `statusList` (so the list may have to be fetched).
    #[wasm_bindgen(getter, js_name = statusUri)]
    pub fn status_uri(&self) -> Option<String> {
        if self.status_given {
            return None;
        }
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
        Ok(prepared.finish(&passed).or_throw()?.to_json().to_string())
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
    let result = fare_discount_json(certificate_json, trip_json, rates_json, now_seconds());
    Ok(result.or_throw()?.to_json().to_string())
}
