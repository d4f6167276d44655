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
    IdTokenOptions, Trip, VerifierConfig, VerifyOptions, DEFAULT_MAX_KEY_BINDING_AGE,
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

/// `new Verifier(opts)` of API.md as JSON text: `issuer` (a string), `jwks` (a JWK Set
/// object, or JSON text of one), `vct?` (a string), `leewaySeconds?` (a finite number
/// ≥ 0). Unknown members are refused. The values themselves are then checked by
/// [`crate::Verifier::new`] (http(s) issuer, a JWK Set, a non-empty `vct`).
///
/// # Errors
///
/// `invalid_config` naming the member.
pub fn verifier_config(text: &str) -> Result<VerifierConfig, OptionError> {
    const KNOWN: [&str; 4] = ["issuer", "jwks", "vct", "leewaySeconds"];
    let value = json::parse(text).unwrap_or_default();
    let (issuer, jwks, vct, leeway) = Fields::of(&value)
        .and_then(|f| f.only(&KNOWN))
        .and_then(|f| {
            Ok((
                f.required("issuer", json::string)?,
                f.required("jwks", |v| Some(v.clone()))?,
                f.optional("vct", json::string)?,
                f.optional("leewaySeconds", Value::as_f64)?,
            ))
        })
        .map_err(|e| OptionError::config(format!("new Verifier({{ issuer, jwks }}): {e}")))?;
    // A JWK Set given as JSON text is read with the same strict parser.
    let jwks = match jwks {
        Value::String(text) => json::parse(&text).map_err(|_| {
            OptionError::config(
                "jwks is not a JWK Set (not JSON) / jwks が JWK Set ではありません".to_owned(),
            )
        })?,
        other => other,
    };
    let mut config = VerifierConfig::new(issuer, jwks);
    if let Some(vct) = vct {
        config.vct = vct;
    }
    if let Some(leeway) = leeway {
        config.leeway = non_negative_seconds(leeway, "leewaySeconds")?;
    }
    Ok(config)
}

/// The metadata URL for `Verifier.fromIssuer(issuer)`, once `issuer` is known to be an
/// http(s) URL.
///
/// # Errors
///
/// `invalid_config` for anything else.
pub fn verifier_discovery_url(issuer: &str) -> Result<String, OptionError> {
    if crate::oidc::origin(issuer).is_some() {
        Ok(crate::oidc::discovery_url(issuer))
    } else {
        Err(OptionError::config(
            "issuer must be an http(s) URL".to_owned(),
        ))
    }
}

/// `verify` / `verifyOnline` options of API.md as JSON text (empty: all defaults);
/// `clock_now` is used when they give no `now`, and `online` says which call it is:
/// `requireStatus` defaults to false for `verify`, true for `verifyOnline`.
///
/// # Errors
///
/// `invalid_config` for an unknown member, a member of the wrong type, or a `now` /
/// `maxKeyBindingAgeSeconds` that is not a finite (non-negative) number of seconds.
pub fn verify_options(
    text: &str,
    clock_now: i64,
    online: bool,
) -> Result<VerifyOptions, OptionError> {
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
                .unwrap_or(online),
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

/// How long `loginWithPopup` waits for the popup when not told (API.md: 5 minutes).
pub const DEFAULT_POPUP_TIMEOUT_SECONDS: u64 = 300;

/// The longest popup wait `timeoutSeconds` may ask for: browsers' timers hold at most
/// 2^31 − 1 ms, and a longer delay fires at once.
pub const MAX_POPUP_TIMEOUT_SECONDS: u64 = 2_147_483;

/// `loginWithRedirect` / `loginWithPopup` options of API.md as JSON text (empty: none):
/// `certificateClaims?` (strings), `appState?` (any JSON), `timeoutSeconds?` (popup
/// only: a finite number of seconds, 1 to [`MAX_POPUP_TIMEOUT_SECONDS`]; fractions
/// dropped). Other members are ignored, as before.
///
/// # Errors
///
/// `invalid_config` naming the member when they are not an object or a member has the
/// wrong type or range (`timeoutSeconds: NaN`, `-1`, `Infinity`, `"60"`, `0`).
pub fn login_options(text: &str) -> Result<LoginOptions, LoginError> {
    let text = if text.is_empty() { "{}" } else { text };
    let value = json::parse(text).unwrap_or_default();
    let (certificate_claims, app_state, timeout) = Fields::of(&value)
        .and_then(|f| {
            Ok((
                f.optional("certificateClaims", json::strings)?,
                f.optional("appState", |v| Some(v.clone()))?,
                f.optional("timeoutSeconds", Value::as_f64)?,
            ))
        })
        .map_err(|e| match e.member() {
            "certificateClaims" => {
                LoginError::InvalidConfig("certificateClaims must be an array of claim names")
            }
            "timeoutSeconds" => LoginError::InvalidConfig(TIMEOUT_RANGE),
            _ => LoginError::InvalidConfig("login options must be an object"),
        })?;
    let popup_timeout = match timeout {
        None => None,
        Some(t) => Some(
            non_negative_seconds(t, "timeoutSeconds")
                .ok()
                .filter(|t| (1..=MAX_POPUP_TIMEOUT_SECONDS).contains(t))
                .ok_or(LoginError::InvalidConfig(TIMEOUT_RANGE))?,
        ),
    };
    Ok(LoginOptions {
        certificate_claims,
        app_state,
        popup_timeout,
    })
}

const TIMEOUT_RANGE: &str = "timeoutSeconds must be a finite number of seconds from 1 to 2147483";

/// `present({ audience, nonce, disclose? })` of API.md as JSON text: the audience, the
/// nonce and the claims to disclose (`None`: every disclosed claim).
///
/// # Errors
///
/// `invalid_config` unless `audience` and `nonce` are strings and `disclose`, if given,
/// an array of strings.
pub fn presentation_options(
    text: &str,
) -> Result<(String, String, Option<Vec<String>>), LoginError> {
    let value = json::parse(text).unwrap_or_default();
    Fields::of(&value)
        .and_then(|f| {
            Ok((
                f.required("audience", json::string)?,
                f.required("nonce", json::string)?,
                f.optional("disclose", json::strings)?,
            ))
        })
        .map_err(|e| match e.member() {
            "disclose" => LoginError::InvalidConfig("disclose must be an array of claim names"),
            _ => LoginError::InvalidConfig("present({ audience, nonce }) needs two strings"),
        })
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
