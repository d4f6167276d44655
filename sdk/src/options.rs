//! Options and arguments that reach the core as JSON text (the npm package passes what
//! its callers gave it through `JSON.stringify`; any other host that holds JSON can do
//! the same): read and validated here, once, for every layer.
//!
//! Every refusal is an [`OptionError`] with the PROTOCOL / API code the caller throws
//! (`invalid_config` for options, `malformed` for a certificate or trip of the wrong
//! shape) and a short English message naming the member at fault. Numbers must be
//! finite whole seconds within ±2^53 (fractions are dropped); unknown option members are
//! refused, so a misspelt `requireKeyBinding` cannot silently turn a check off.

use crate::jose::EcPublicJwk;
use crate::json::{self, Fields, ShapeError, Value};
use crate::oidc::{ClientOptions, LoginError, LoginOptions};
use crate::verifier::nullable_date;
use crate::{
    fare_discount, Date, ErrorCode, FareClass, FareError, FareHolder, FareRates, FareResult,
    IdTokenOptions, Trip, VerifyOptions, DEFAULT_MAX_KEY_BINDING_AGE,
};
use std::fmt;

/// Options or arguments the core refused: a stable code and a message for logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionError {
    code: ErrorCode,
    message: String,
}

impl OptionError {
    fn config(message: String) -> Self {
        Self {
            code: ErrorCode::InvalidConfig,
            message,
        }
    }

    fn malformed(message: String) -> Self {
        Self {
            code: ErrorCode::Malformed,
            message,
        }
    }

    /// `invalid_config` (options) or `malformed` (a certificate or trip).
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// What is wrong, in English, naming the member.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for OptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for OptionError {}

impl From<FareError> for OptionError {
    fn from(e: FareError) -> Self {
        Self {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

/// The largest integer a JS number holds exactly (2^53 − 1).
const JS_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A whole number of seconds from a number: finite, within ±2^53; fractions dropped.
///
/// # Errors
///
/// `invalid_config` naming `what` for NaN, ±Infinity or a number out of range.
pub fn seconds(value: f64, what: &str) -> Result<i64, OptionError> {
    if value.is_finite() && value.abs() <= JS_SAFE_INTEGER {
        // In range and finite: the conversion is exact up to the dropped fraction.
        Ok(value.floor() as i64)
    } else {
        Err(OptionError::config(format!(
            "{what} must be a finite number of seconds"
        )))
    }
}

/// Like [`seconds`], and not negative.
///
/// # Errors
///
/// `invalid_config` naming `what`.
pub fn non_negative_seconds(value: f64, what: &str) -> Result<u64, OptionError> {
    let s = seconds(value, what)?;
    u64::try_from(s).map_err(|_| OptionError::config(format!("{what} must not be negative")))
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

/// Options as JSON text (empty: all defaults), only the `known` members.
fn parse_options<T>(
    text: &str,
    known: &[&str],
    read: impl FnOnce(Fields<'_>) -> Result<T, ShapeError>,
) -> Result<T, OptionError> {
    let text = if text.is_empty() { "{}" } else { text };
    from_object(text, |f| read(f.only(known)?))
        .map_err(|e| OptionError::config(format!("options: {e}")))
}

/// `verify` / `verifyOnline` options of API.md as JSON text (empty: all defaults);
/// `clock_now` is used when they give no `now`.
///
/// # Errors
///
/// `invalid_config` for an unknown member, a member of the wrong type, or a `now` /
/// `maxKeyBindingAgeSeconds` that is not a finite (non-negative) number of seconds.
pub fn verify_options(text: &str, clock_now: i64) -> Result<VerifyOptions, OptionError> {
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
        None => clock_now,
    };
    options.max_key_binding_age = match max_age {
        Some(n) => non_negative_seconds(n, "maxKeyBindingAgeSeconds")?,
        None => DEFAULT_MAX_KEY_BINDING_AGE,
    };
    Ok(options)
}

/// `verifyIdToken` options (`{audience, nonce?, now?}`) as JSON text; `clock_now` is
/// used when they give no `now`.
///
/// # Errors
///
/// `invalid_config` for an unknown or ill-typed member or a missing `audience`.
pub fn id_token_options(text: &str, clock_now: i64) -> Result<IdTokenOptions, OptionError> {
    let (audience, nonce, now) = parse_options(text, &["audience", "nonce", "now"], |f| {
        Ok((
            f.optional("audience", json::string)?,
            f.optional("nonce", json::string)?,
            f.optional("now", Value::as_f64)?,
        ))
    })?;
    let audience = audience
        .ok_or_else(|| OptionError::config("verifyIdToken needs { audience }".to_owned()))?;
    let now = match now {
        Some(n) => seconds(n, "now")?,
        None => clock_now,
    };
    Ok(IdTokenOptions {
        audience,
        nonce,
        now,
    })
}

/// `fareDiscount(certificate, trip, rates?)` of API.md with JSON text arguments (`rates`
/// empty: the JR defaults). Today's date in Japan comes from `clock_now` when the trip
/// has no `travelDate`.
///
/// # Errors
///
/// `malformed` for a certificate or trip of the wrong shape or out of range,
/// `invalid_config` for rates out of range.
pub fn fare_discount_json(
    certificate: &str,
    trip: &str,
    rates: &str,
    clock_now: i64,
) -> Result<FareResult, OptionError> {
    let (fare_class, valid_until) = from_object(certificate, |f| {
        Ok((
            f.present("fareClass", FareClass::from_json)?,
            f.present("validUntil", nullable_date)?,
        ))
    })
    .map_err(|e| OptionError::malformed(format!("certificate: {e}")))?;
    let trip = from_object(trip, Trip::from_fields)
        .map_err(|e| OptionError::malformed(format!("trip: {e}")))?;
    let rates = if rates.is_empty() {
        FareRates::default()
    } else {
        from_object(rates, FareRates::from_fields)
            .map_err(|e| OptionError::config(format!("rates: {e}")))?
    };
    let today = Date::today_in_japan(clock_now)
        .ok_or_else(|| OptionError::malformed("the clock is out of range".to_owned()))?;
    let holder = FareHolder {
        verified: true,
        fare_class,
        valid_until,
    };
    Ok(fare_discount(&holder, &trip, &rates, today)?)
}

/// `MirairoId.create` options of API.md as JSON text. Unknown members are refused.
///
/// # Errors
///
/// `invalid_config` unless `issuer`, `clientId` and `redirectUri` are strings and every
/// other member is known and well typed.
pub fn client_options(text: &str) -> Result<ClientOptions, LoginError> {
    const KNOWN: [&str; 6] = [
        "issuer",
        "clientId",
        "redirectUri",
        "certificateClaims",
        "profile",
        "lang",
    ];
    let value = json::parse(text).unwrap_or_default();
    Fields::of(&value)
        .and_then(|f| f.only(&KNOWN))
        .and_then(|f| {
            Ok(ClientOptions {
                issuer: f.required("issuer", json::string)?,
                client_id: f.required("clientId", json::string)?,
                redirect_uri: f.required("redirectUri", json::string)?,
                certificate_claims: f.optional("certificateClaims", json::strings)?,
                profile: f.optional("profile", Value::as_bool)?.unwrap_or(false),
                lang: f.optional("lang", json::string)?,
            })
        })
        .map_err(|_| {
            LoginError::InvalidConfig(
                "options need issuer, clientId and redirectUri strings and nothing unknown",
            )
        })
}

/// `loginWithRedirect` / `loginWithPopup` options as JSON text (empty: none); members
/// the core does not use are left to the caller.
///
/// # Errors
///
/// `invalid_config` when they are not an object or `certificateClaims` is not an array
/// of strings.
pub fn login_options(text: &str) -> Result<LoginOptions, LoginError> {
    let text = if text.is_empty() { "{}" } else { text };
    let value = json::parse(text).unwrap_or_default();
    Fields::of(&value)
        .and_then(|f| {
            Ok(LoginOptions {
                certificate_claims: f.optional("certificateClaims", json::strings)?,
                app_state: f.optional("appState", |v| Some(v.clone()))?,
            })
        })
        .map_err(|_| LoginError::InvalidConfig("login options are not an object of known members"))
}

/// `disclose` of `presentCertificate` as JSON text: empty for "every claim", else an
/// array of claim names.
///
/// # Errors
///
/// `invalid_config` for anything else.
pub fn disclose(text: &str) -> Result<Option<Vec<String>>, LoginError> {
    if text.is_empty() {
        return Ok(None);
    }
    let names = json::parse(text).ok();
    names
        .as_ref()
        .and_then(json::strings)
        .map(Some)
        .ok_or(LoginError::InvalidConfig(
            "disclose must be an array of claim names",
        ))
}

/// The holder's public key as JWK JSON text.
///
/// # Errors
///
/// `invalid_config` unless it is an EC P-256 public JWK.
pub fn holder_jwk(text: &str) -> Result<EcPublicJwk, LoginError> {
    let value =
        json::parse(text).map_err(|_| LoginError::InvalidConfig("the holder key is not a JWK"))?;
    EcPublicJwk::from_json(&value)
        .map_err(|_| LoginError::InvalidConfig("the holder key is not an EC P-256 public JWK"))
}
