//! Presentation at a counter (PROTOCOL.md §7): OpenID for Verifiable Presentations 1.0
//! (final), cross-device, unsigned requests by value with the `redirect_uri` client
//! identifier prefix, DCQL, response mode `direct_post`.
//!
//! The one home of every §7 rule, for both sides:
//!
//! - **Verifier** (a partner's server): [`PresentationRequest::create`] makes the
//!   `openid4vp://` request of §7.1 (its [`PresentationRequest::to_json`] is what the
//!   server stores); [`PresentationResponse::parse`] reads the `direct_post` form (to
//!   find the stored request by `state`); [`Verifier::verify_presentation_response`]
//!   runs every §7.2 check and then every §4 check with key binding, audience, nonce,
//!   the requested claims and status all required. [`Verifier::prepare_presentation_response`]
//!   is its first phase, for callers that check signatures elsewhere (WebCrypto).
//! - **Wallet** (the holder's app): [`WalletRequest::parse`] runs every §7.3 check with a
//!   [`WalletRequestError`] per rule; [`WalletRequest::prepare_response`] selects exactly
//!   the requested disclosures of a credential and leaves the KB-JWT for the holder key
//!   to sign ([`PendingVpResponse`]); [`WalletRequest::decline_body`] is the answer of a
//!   holder who declines.
//!
//! Sans-IO like the rest of the core: nothing here fetches, stores or reads a clock.
//! **Replay** is the verifier server's job: it must settle a request on the first answer
//! to its `state` (whatever the outcome) and answer `request_not_found` afterwards; this
//! module cannot know what was answered before.
//!
//! ```
//! use mirairo_id_sdk::openid4vp::{PresentationRequest, PresentationRequestOptions, WalletRequest};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let now = 1_764_200_000;
//! let request = PresentationRequest::create(
//!     PresentationRequestOptions {
//!         response_uri: "https://rail.example/counter/response".into(),
//!         claims: vec!["fare_class".into(), "valid_until".into()],
//!         client_name: Some("みらい鉄道".into()),
//!         expires_in: None,
//!     },
//!     now,
//! )?;
//! assert_eq!(request.client_id(), "redirect_uri:https://rail.example/counter/response");
//! assert_eq!(request.expires_at(), now + 300);
//!
//! // What the holder's app reads from the QR code.
//! let seen = WalletRequest::parse(&request.url())?;
//! assert_eq!(seen.state(), Some(request.state()));
//! assert_eq!(seen.claims(), request.claims());
//! # Ok(())
//! # }
//! ```

use crate::error::{err, ErrorCode, VerifyError};
use crate::form::{Form, FormError};
use crate::json::{self, Fields, Map, Value};
use crate::oidc::{
    origin, random_token, validate_claims, PendingJws, CERTIFICATE_CLAIMS_SUPPORTED,
};
use crate::sdjwt::{sd_hash, SdJwt, MAX_INPUT_BYTES};
use crate::verifier::{Prepared, VerifiedCertificate, Verifier, VerifyOptions, DEFAULT_VCT};
use std::fmt;

/// The `id` of the one credential query of a Mirairo request (and so the key of the
/// `vp_token` object that answers it).
pub const CREDENTIAL_QUERY_ID: &str = "certificate";
/// The credential format identifier of SD-JWT VC in OpenID4VP 1.0.
pub const CREDENTIAL_FORMAT: &str = "dc+sd-jwt";
/// The client identifier prefix of an unsigned request answered at its response URI.
pub const CLIENT_ID_PREFIX: &str = "redirect_uri:";
/// The scheme (and empty authority) of a request URL: `openid4vp://?…`.
pub const REQUEST_URL_PREFIX: &str = "openid4vp://?";
/// How long a request lasts by default, in seconds.
pub const DEFAULT_EXPIRES_IN: u64 = 300;
/// The shortest `expires_in` accepted: time to scan a code and choose.
pub const MIN_EXPIRES_IN: u64 = 30;
/// The longest `expires_in` accepted: a request is for one customer at the window.
pub const MAX_EXPIRES_IN: u64 = 3600;
/// The largest `direct_post` body read: a presentation of [`MAX_INPUT_BYTES`] with
/// every character percent-encoded would not fit, but base64url and `~` (at most
/// `%7E`) leave it far below.
pub const MAX_RESPONSE_BYTES: usize = 2 * MAX_INPUT_BYTES;
/// The largest request URL (or query) a wallet reads.
pub const MAX_REQUEST_BYTES: usize = 16 * 1024;
/// The longest `client_name`, in characters.
pub const MAX_CLIENT_NAME_CHARS: usize = 100;
/// The longest `state` or `nonce` read back, in bytes.
const MAX_TOKEN_BYTES: usize = 256;
/// The shortest `state` or `nonce` read back (128 bits as base64url).
const MIN_TOKEN_BYTES: usize = 22;

fn config_error(detail: &'static str) -> VerifyError {
    err(ErrorCode::InvalidConfig, detail)
}

fn no_randomness(_: crate::NoRandomness) -> VerifyError {
    config_error(crate::NoRandomness::MESSAGE)
}

fn request_error(detail: &'static str) -> VerifyError {
    err(ErrorCode::InvalidRequest, detail)
}

/// Characters OpenID4VP allows in `state` and `nonce` (ASCII URL-safe).
fn is_url_safe(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= MAX_TOKEN_BYTES
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// Whether `host` (lower-case, as [`origin`] writes it) is a loopback address.
fn is_loopback_host(host: &str) -> bool {
    if host == "localhost" || host == "[::1]" {
        return true;
    }
    let octets: Vec<&str> = host.split('.').collect();
    octets.first() == Some(&"127")
        && octets.len() == 4
        && octets
            .iter()
            .all(|o| !o.is_empty() && o.len() <= 3 && o.parse::<u8>().is_ok())
}

/// The rule for a response URI, shared by the verifier (at `create`) and the wallet
/// (§7.3): an absolute `https` URL, or `http` on a loopback host (development and the
/// sandbox), without fragment, user info or whitespace. Returns its origin.
fn check_response_uri(uri: &str) -> Option<String> {
    if uri.contains('#') || uri.len() > 2048 {
        return None;
    }
    let origin = origin(uri)?;
    if origin.starts_with("https://") {
        return Some(origin);
    }
    let host_port = origin.strip_prefix("http://")?;
    let host = if host_port.starts_with('[') {
        host_port.split_inclusive(']').next().unwrap_or_default()
    } else {
        host_port.split(':').next().unwrap_or_default()
    };
    is_loopback_host(host).then_some(origin)
}

// ---------------------------------------------------------------------------------
// The request (verifier side)

/// What a verifier asks for ([`PresentationRequest::create`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentationRequestOptions {
    /// The verifier's `direct_post` endpoint: `https`, or `http` on loopback.
    pub response_uri: String,
    /// The §3 claims to disclose (wire names, at least one, no repeats).
    pub claims: Vec<String>,
    /// The name a wallet shows when it does not know the verifier's origin.
    pub client_name: Option<String>,
    /// Seconds until the request expires; [`DEFAULT_EXPIRES_IN`] when `None`.
    pub expires_in: Option<u64>,
}

/// A counter presentation request (PROTOCOL.md §7.1): an unsigned OpenID4VP 1.0
/// request by value, shown as a QR code ([`PresentationRequest::url`]). `state` and
/// `nonce` are secrets of the verifier until shown and are redacted in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct PresentationRequest {
    response_uri: String,
    claims: Vec<String>,
    client_name: Option<String>,
    state: String,
    nonce: String,
    expires_at: i64,
}

impl fmt::Debug for PresentationRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PresentationRequest")
            .field("response_uri", &self.response_uri)
            .field("claims", &self.claims)
            .field("client_name", &self.client_name)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

fn check_claims(claims: &[String]) -> Result<(), VerifyError> {
    if claims.is_empty() {
        return Err(config_error("claims must name at least one claim"));
    }
    validate_claims(claims)
        .map(|_| ())
        .map_err(|_| config_error("claims has a name outside PROTOCOL §3 or repeats one"))
}

fn check_client_name(name: Option<&str>) -> Result<(), VerifyError> {
    match name {
        Some(n)
            if n.trim().is_empty()
                || n.chars().count() > MAX_CLIENT_NAME_CHARS
                || n.chars().any(char::is_control) =>
        {
            Err(config_error(
                "clientName must be 1–100 characters without control characters",
            ))
        }
        _ => Ok(()),
    }
}

impl PresentationRequest {
    /// A fresh request at time `now` (Unix seconds): new random `state` and `nonce`
    /// (256 bits each, base64url), expiring `expires_in` seconds later.
    ///
    /// # Errors
    ///
    /// `invalid_config` when `response_uri` is not an absolute `https` URL (or `http`
    /// on loopback) without fragment, `claims` is empty, names a claim outside §3 or
    /// repeats one, `client_name` is blank, longer than 100 characters or has control
    /// characters, or `expires_in` is outside 30–3600 seconds.
    pub fn create(options: PresentationRequestOptions, now: i64) -> Result<Self, VerifyError> {
        if check_response_uri(&options.response_uri).is_none() {
            return Err(config_error(
                "responseUri must be an https URL (http only on loopback) without fragment",
            ));
        }
        check_claims(&options.claims)?;
        check_client_name(options.client_name.as_deref())?;
        let expires_in = options.expires_in.unwrap_or(DEFAULT_EXPIRES_IN);
        if !(MIN_EXPIRES_IN..=MAX_EXPIRES_IN).contains(&expires_in) {
            return Err(config_error("expiresInSeconds must be 30–3600"));
        }
        let expires_at = i64::try_from(expires_in)
            .ok()
            .and_then(|e| now.checked_add(e))
            .ok_or(config_error("now is out of range"))?;
        Ok(Self {
            response_uri: options.response_uri,
            claims: options.claims,
            client_name: options.client_name,
            state: random_token().map_err(no_randomness)?,
            nonce: random_token().map_err(no_randomness)?,
            expires_at,
        })
    }

    /// The `direct_post` endpoint.
    pub fn response_uri(&self) -> &str {
        &self.response_uri
    }

    /// `redirect_uri:` + the response URI: the request's `client_id` and the `aud`
    /// the KB-JWT must carry.
    pub fn client_id(&self) -> String {
        format!("{CLIENT_ID_PREFIX}{}", self.response_uri)
    }

    /// The requested §3 claims, in the order asked.
    pub fn claims(&self) -> &[String] {
        &self.claims
    }

    /// The `client_name` sent in `client_metadata`, if any.
    pub fn client_name(&self) -> Option<&str> {
        self.client_name.as_deref()
    }

    /// The `state` (identifies the pending request; printed in the QR code).
    pub fn state(&self) -> &str {
        &self.state
    }

    /// The `nonce` the KB-JWT must carry.
    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    /// When the request expires, Unix seconds.
    pub fn expires_at(&self) -> i64 {
        self.expires_at
    }

    /// The DCQL query: one credential query `certificate` for this `vct` in
    /// `dc+sd-jwt`, with one claims query per requested claim.
    pub fn dcql_query(&self) -> Value {
        let claims: Vec<Value> = self
            .claims
            .iter()
            .map(|c| {
                Value::from(Map::from_pairs([(
                    "path",
                    Value::Array(vec![c.as_str().into()]),
                )]))
            })
            .collect();
        let meta = Map::from_pairs([("vct_values", Value::Array(vec![DEFAULT_VCT.into()]))]);
        let query = Map::from_pairs([
            ("id", CREDENTIAL_QUERY_ID.into()),
            ("format", CREDENTIAL_FORMAT.into()),
            ("meta", meta.into()),
            ("claims", Value::Array(claims)),
        ]);
        Value::from(Map::from_pairs([(
            "credentials",
            Value::Array(vec![query.into()]),
        )]))
    }

    /// The `client_metadata`: `client_name` (when set) and `vp_formats_supported`
    /// (`dc+sd-jwt` with ES256 for the issuer JWT and the KB-JWT).
    pub fn client_metadata(&self) -> Value {
        let es256 = || Value::Array(vec!["ES256".into()]);
        let format = Map::from_pairs([
            ("sd-jwt_alg_values", es256()),
            ("kb-jwt_alg_values", es256()),
        ]);
        let mut metadata = Map::new();
        json::put(&mut metadata, "client_name", self.client_name.as_deref());
        metadata.push_new(
            "vp_formats_supported".into(),
            Map::from_pairs([(CREDENTIAL_FORMAT, format.into())]).into(),
        );
        metadata.into()
    }

    /// The `openid4vp://?…` URL of §7.1 for the QR code (every parameter
    /// percent-encoded; `dcql_query` and `client_metadata` as compact JSON).
    pub fn url(&self) -> String {
        let client_id = self.client_id();
        let dcql = self.dcql_query().to_string();
        let metadata = self.client_metadata().to_string();
        let query = Form::encode(&[
            ("client_id", &client_id),
            ("response_type", "vp_token"),
            ("response_mode", "direct_post"),
            ("response_uri", &self.response_uri),
            ("nonce", &self.nonce),
            ("state", &self.state),
            ("dcql_query", &dcql),
            ("client_metadata", &metadata),
        ]);
        format!("{REQUEST_URL_PREFIX}{query}")
    }

    /// The request as stored by a verifier: `{"response_uri", "claims",
    /// "client_name"?, "state", "nonce", "expires_at"}`.
    pub fn to_json(&self) -> Value {
        let mut m = Map::from_pairs([
            ("response_uri", self.response_uri.as_str().into()),
            (
                "claims",
                Value::Array(self.claims.iter().map(|c| c.as_str().into()).collect()),
            ),
        ]);
        json::put(&mut m, "client_name", self.client_name.as_deref());
        m.push_new("state".into(), self.state.as_str().into());
        m.push_new("nonce".into(), self.nonce.as_str().into());
        m.push_new("expires_at".into(), self.expires_at.into());
        m.into()
    }

    /// Reads a stored request, strictly: exactly the members of
    /// [`PresentationRequest::to_json`], each well-typed and passing the rules of
    /// [`PresentationRequest::create`]; `state` and `nonce` URL-safe, 22–256 bytes.
    ///
    /// # Errors
    ///
    /// `invalid_config` for anything else.
    pub fn from_json(value: &Value) -> Result<Self, VerifyError> {
        const KNOWN: [&str; 6] = [
            "response_uri",
            "claims",
            "client_name",
            "state",
            "nonce",
            "expires_at",
        ];
        let shape = |_| config_error("not a stored presentation request");
        let f = Fields::of(value)
            .and_then(|f| f.only(&KNOWN))
            .map_err(shape)?;
        let text = json::string;
        let request = Self {
            response_uri: f.required("response_uri", text).map_err(shape)?,
            claims: f.required("claims", json::strings).map_err(shape)?,
            client_name: match value.get("client_name") {
                None => None,
                Some(v) => Some(text(v).ok_or(config_error("client_name is not a string"))?),
            },
            state: f.required("state", text).map_err(shape)?,
            nonce: f.required("nonce", text).map_err(shape)?,
            expires_at: f.required("expires_at", Value::as_i64).map_err(shape)?,
        };
        if check_response_uri(&request.response_uri).is_none() {
            return Err(config_error("response_uri is not an allowed response URI"));
        }
        check_claims(&request.claims)?;
        check_client_name(request.client_name.as_deref())?;
        for token in [&request.state, &request.nonce] {
            if token.len() < MIN_TOKEN_BYTES || !is_url_safe(token) {
                return Err(config_error(
                    "state or nonce is not 22–256 URL-safe characters",
                ));
            }
        }
        Ok(request)
    }

    /// The §4 options of a response to this request at `now`: key binding required
    /// with `aud` = [`PresentationRequest::client_id`] and this `nonce`, the requested
    /// claims required, status required (checked against `status_list` if given).
    pub fn verify_options(&self, now: i64, status_list: Option<&str>) -> VerifyOptions {
        VerifyOptions {
            audience: Some(self.client_id()),
            nonce: Some(self.nonce.clone()),
            require_key_binding: true,
            required_claims: self.claims.clone(),
            status_list: status_list.map(str::to_owned),
            require_status: true,
            ..VerifyOptions::at(now)
        }
    }
}

// ---------------------------------------------------------------------------------
// The response (verifier side)

/// What a wallet answered: a VP token, or an OAuth error. `Debug` shows the VP token's
/// length only: the raw presentation (disclosed claims) never reaches a log.
#[derive(Clone, PartialEq, Eq)]
pub enum WalletAnswer {
    /// The `vp_token` parameter, as posted (JSON text, not yet checked).
    VpToken(String),
    /// The `error` parameter (e.g. `access_denied`) and its `error_description`.
    Error {
        /// The OAuth error code.
        error: String,
        /// The description, if any.
        description: Option<String>,
    },
}

impl fmt::Debug for WalletAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::VpToken(token) => f
                .debug_struct("VpToken")
                .field("bytes", &token.len())
                .finish_non_exhaustive(),
            Self::Error { error, description } => f
                .debug_struct("Error")
                .field("error", error)
                .field("description", description)
                .finish(),
        }
    }
}

/// A `direct_post` body read by the one form decoder (PROTOCOL.md §7.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentationResponse {
    state: String,
    answer: WalletAnswer,
}

impl PresentationResponse {
    /// Reads the form: at most [`MAX_RESPONSE_BYTES`], a non-empty `state`, and
    /// exactly one of `vp_token` and `error`. Other parameters are ignored (OpenID4VP
    /// 1.0 §8.1). A server calls this to find its stored request by
    /// [`PresentationResponse::state`], then
    /// [`Verifier::verify_presentation_response`].
    ///
    /// # Errors
    ///
    /// `invalid_request`: too large, not a form (bad escape, invalid UTF-8, a
    /// parameter twice), no `state`, neither or both of `vp_token` and `error`.
    pub fn parse(body: &str) -> Result<Self, VerifyError> {
        let form = Form::parse(body, MAX_RESPONSE_BYTES).map_err(|e| match e {
            FormError::TooLarge => request_error("the response body is too large"),
            FormError::Duplicate => request_error("a response parameter appears twice"),
            _ => request_error("the response body is not a valid form"),
        })?;
        let state = form
            .get("state")
            .filter(|s| !s.is_empty())
            .ok_or(request_error("the response has no state"))?;
        let answer = match (form.get("vp_token"), form.get("error")) {
            (Some(token), None) => WalletAnswer::VpToken(token.to_owned()),
            (None, Some(error)) if !error.is_empty() => WalletAnswer::Error {
                error: error.to_owned(),
                description: form.get("error_description").map(str::to_owned),
            },
            (None, _) => return Err(request_error("the response has neither vp_token nor error")),
            (Some(_), Some(_)) => {
                return Err(request_error("the response has both vp_token and error"))
            }
        };
        Ok(Self {
            state: state.to_owned(),
            answer,
        })
    }

    /// The `state` posted (look the request up by it).
    pub fn state(&self) -> &str {
        &self.state
    }

    /// The answer.
    pub fn answer(&self) -> &WalletAnswer {
        &self.answer
    }

    /// The one presentation of the VP token, after the DCQL shape check: `vp_token`
    /// is a JSON object with exactly one member, `"certificate"` (the only credential
    /// query of a Mirairo request), whose value is an array of exactly one non-empty
    /// string (`multiple` is not requested).
    ///
    /// # Errors
    ///
    /// `invalid_request` for any other shape; `access_denied` when the holder
    /// declined; `wallet_error` for another wallet error.
    pub fn presentation(&self) -> Result<String, VerifyError> {
        let token = match &self.answer {
            WalletAnswer::VpToken(token) => token,
            WalletAnswer::Error { error, .. } if error == "access_denied" => {
                return Err(err(ErrorCode::AccessDenied, "the holder declined"))
            }
            WalletAnswer::Error { .. } => {
                return Err(err(
                    ErrorCode::WalletError,
                    "the wallet could not answer the request",
                ))
            }
        };
        let shape = || request_error("vp_token is not {\"certificate\": [\"<presentation>\"]}");
        let value = json::parse(token).map_err(|_| shape())?;
        let object = value.as_object().ok_or_else(shape)?;
        if object.len() != 1 {
            return Err(shape());
        }
        match object
            .get(CREDENTIAL_QUERY_ID)
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        {
            Some([Value::String(presentation)]) if !presentation.is_empty() => {
                Ok(presentation.clone())
            }
            _ => Err(shape()),
        }
    }
}

impl Verifier {
    /// Verifies a counter presentation response (PROTOCOL.md §7.2) to `request` at
    /// `now`, in this order: the form ([`PresentationResponse::parse`]), `state` equal
    /// to the request's (`request_not_found`), the request not expired
    /// (`request_expired`), a declined or failed answer (`access_denied`,
    /// `wallet_error`), the DCQL shape ([`PresentationResponse::presentation`]), then
    /// every §4 check with [`PresentationRequest::verify_options`]: key binding
    /// required, `aud` the request's `client_id`, its `nonce`, its claims required,
    /// and status required, checked against `status_list` (the JWT at the
    /// credential's `status.status_list.uri`, which the caller fetches; without one
    /// the result is `status_unavailable`).
    ///
    /// The result holds only the requested claims: a claim the wallet disclosed
    /// beyond the request is left out (data minimisation; see
    /// `docs/contract-notes.md`). One answer per request: the caller settles the
    /// request whatever the outcome.
    ///
    /// # Errors
    ///
    /// The first failing check's [`ErrorCode`]: a §7.2 code or a §4 code.
    pub fn verify_presentation_response(
        &self,
        body: &str,
        request: &PresentationRequest,
        now: i64,
        status_list: Option<&str>,
    ) -> Result<VerifiedCertificate, VerifyError> {
        let prepared = self.prepare_presentation_response(body, request, now, status_list)?;
        let results = crate::jose::run_checks(prepared.signature_checks())?;
        prepared.finish(&results)
    }

    /// Phase one of [`Verifier::verify_presentation_response`]: the §7.2 checks and
    /// [`Verifier::prepare`]; run [`Prepared::signature_checks`] and call
    /// [`Prepared::finish`] (whose result keeps only the requested claims).
    ///
    /// # Errors
    ///
    /// A §7.2 code, or `malformed`, `unsupported_algorithm`, `wrong_type`,
    /// `unknown_key`.
    pub fn prepare_presentation_response(
        &self,
        body: &str,
        request: &PresentationRequest,
        now: i64,
        status_list: Option<&str>,
    ) -> Result<Prepared, VerifyError> {
        let response = PresentationResponse::parse(body)?;
        if response.state() != request.state() {
            return Err(err(
                ErrorCode::RequestNotFound,
                "the response's state is not the request's",
            ));
        }
        if now >= request.expires_at() {
            return Err(err(ErrorCode::RequestExpired, "the request has expired"));
        }
        let presentation = response.presentation()?;
        let mut prepared =
            self.prepare(&presentation, &request.verify_options(now, status_list))?;
        prepared.retain_only(request.claims.clone());
        Ok(prepared)
    }
}

// ---------------------------------------------------------------------------------
// The wallet side

/// The §7.3 rule a request broke ([`WalletRequest::parse`]). The wallet shows nothing
/// of such a request to the holder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WalletRequestError {
    /// `malformed`: not an OpenID4VP URL or query (too long, bad escapes, a parameter
    /// twice, another kind of link).
    #[error("the request is not an OpenID4VP 1.0 request URL")]
    Malformed,
    /// `request_object`: `request` or `request_uri` (a signed or referenced request;
    /// the `redirect_uri` prefix is only ever unsigned and by value).
    #[error("signed or referenced requests are not supported")]
    RequestObject,
    /// `response_type`: not `vp_token`.
    #[error("response_type is not vp_token")]
    ResponseType,
    /// `response_mode`: not `direct_post`.
    #[error("response_mode is not direct_post")]
    ResponseMode,
    /// `client_id`: missing, or without the `redirect_uri:` prefix.
    #[error("client_id does not use the redirect_uri: prefix")]
    ClientId,
    /// `redirect_uri`: present although the response mode is `direct_post`.
    #[error("redirect_uri must not be sent with direct_post")]
    RedirectUri,
    /// `client_id_mismatch`: `client_id` is not `redirect_uri:` + `response_uri`.
    #[error("client_id is not redirect_uri: + response_uri")]
    ClientIdMismatch,
    /// `response_uri`: not `https` (or `http` on loopback), or has a fragment.
    #[error("response_uri is not https (or loopback http)")]
    ResponseUri,
    /// `nonce`: missing, or not 1–256 URL-safe characters.
    #[error("nonce is missing or not URL-safe")]
    Nonce,
    /// `state`: not 1–256 URL-safe characters, or missing although the query waives
    /// holder binding (`require_cryptographic_holder_binding: false`).
    #[error("state is not URL-safe, or missing although holder binding is waived")]
    State,
    /// `transaction_data`: present (not supported, so the request is refused).
    #[error("transaction_data is not supported")]
    TransactionData,
    /// `dcql_query`: missing, not a JSON object, sent with `scope`, not exactly one
    /// credential query, or `credential_sets`.
    #[error("dcql_query is missing or not one credential query")]
    DcqlQuery,
    /// `credential`: the credential query is not for this `vct` in `dc+sd-jwt`.
    #[error("the query does not ask for the Mirairo certificate in dc+sd-jwt")]
    Credential,
    /// `claims`: a claims query outside §3 (a path that is not one §3 name), or with
    /// `values` or `claim_sets` (not supported).
    #[error("the query asks for a claim outside PROTOCOL §3")]
    Claims,
    /// `client_metadata`: missing, not a JSON object, or an ill-typed `client_name`.
    #[error("client_metadata is missing or not a JSON object")]
    ClientMetadata,
    /// `vp_formats`: `vp_formats_supported` lacks `dc+sd-jwt` with ES256.
    #[error("the verifier does not accept dc+sd-jwt with ES256")]
    VpFormats,
}

impl WalletRequestError {
    /// Every rule, in check order.
    pub const ALL: [WalletRequestError; 16] = [
        Self::Malformed,
        Self::RequestObject,
        Self::ResponseType,
        Self::ResponseMode,
        Self::ClientId,
        Self::RedirectUri,
        Self::ClientIdMismatch,
        Self::ResponseUri,
        Self::Nonce,
        Self::State,
        Self::TransactionData,
        Self::DcqlQuery,
        Self::Credential,
        Self::Claims,
        Self::ClientMetadata,
        Self::VpFormats,
    ];

    /// The SDK error code: always `invalid_request` (the JS `MirairoIdError.code`);
    /// [`WalletRequestError::reason`] names the rule.
    pub const fn code(self) -> ErrorCode {
        ErrorCode::InvalidRequest
    }

    /// The rule that failed, a stable id (`response_mode`, `client_id_mismatch`, …).
    pub const fn reason(self) -> &'static str {
        match self {
            Self::Malformed => "malformed",
            Self::RequestObject => "request_object",
            Self::ResponseType => "response_type",
            Self::ResponseMode => "response_mode",
            Self::ClientId => "client_id",
            Self::RedirectUri => "redirect_uri",
            Self::ClientIdMismatch => "client_id_mismatch",
            Self::ResponseUri => "response_uri",
            Self::Nonce => "nonce",
            Self::State => "state",
            Self::TransactionData => "transaction_data",
            Self::DcqlQuery => "dcql_query",
            Self::Credential => "credential",
            Self::Claims => "claims",
            Self::ClientMetadata => "client_metadata",
            Self::VpFormats => "vp_formats",
        }
    }

    /// The OpenID4VP 1.0 error (§8.5) a wallet would report for it.
    pub const fn oauth_error(self) -> &'static str {
        match self {
            Self::VpFormats => "vp_formats_not_supported",
            Self::TransactionData => "invalid_transaction_data",
            _ => "invalid_request",
        }
    }
}

/// A request as a wallet reads it, after every §7.3 check ([`WalletRequest::parse`]).
#[derive(Clone, PartialEq, Eq)]
pub struct WalletRequest {
    client_id: String,
    response_uri: String,
    response_origin: String,
    client_name: Option<String>,
    nonce: String,
    state: Option<String>,
    query_id: String,
    claims: Vec<String>,
}

impl fmt::Debug for WalletRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WalletRequest")
            .field("client_id", &self.client_id)
            .field("client_name", &self.client_name)
            .field("claims", &self.claims)
            .finish_non_exhaustive()
    }
}

/// The query part of what a wallet was given: an `openid4vp://…?query` (or any
/// `scheme://…?query` link, e.g. a universal link), a `?query`, or a bare query.
/// The fragment is ignored.
fn request_query(input: &str) -> Option<&str> {
    let input = input.trim_matches(|c: char| c.is_ascii_whitespace());
    let input = input.split('#').next().unwrap_or_default();
    if let Some(query) = input.strip_prefix('?') {
        return Some(query);
    }
    let is_link = input
        .find(':')
        .and_then(|colon| input.get(..colon))
        .is_some_and(|scheme| {
            !scheme.is_empty()
                && scheme
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        });
    if is_link {
        return input.split_once('?').map(|(_, query)| query);
    }
    Some(input)
}

fn string_array_contains(value: Option<&Value>, wanted: &str) -> Option<bool> {
    let items = value?.as_array()?;
    if items.is_empty() || items.iter().any(|v| v.as_str().is_none()) {
        return None;
    }
    Some(items.iter().any(|v| v.as_str() == Some(wanted)))
}

/// The §3 claim a claims query points at: a path of exactly one known name.
fn claim_of(query: &Value) -> Option<String> {
    let query = query.as_object()?;
    if query.contains_key("values") {
        return None;
    }
    if let Some(id) = query.get("id") {
        id.as_str()?;
    }
    match query.get("path")?.as_array()?.as_slice() {
        [Value::String(name)] if CERTIFICATE_CLAIMS_SUPPORTED.contains(&name.as_str()) => {
            Some(name.clone())
        }
        _ => None,
    }
}

fn is_query_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
}

/// What a wallet reads from the DCQL query of §7.3.
struct DcqlRequest {
    query_id: String,
    claims: Vec<String>,
    /// `require_cryptographic_holder_binding` (default `true`).
    holder_binding: bool,
}

/// The credential query id, the claims and whether holder binding is required, after
/// the DCQL rules of §7.3.
fn read_dcql(text: &str) -> Result<DcqlRequest, WalletRequestError> {
    use WalletRequestError::{Claims, Credential, DcqlQuery};
    let value = json::parse(text).map_err(|_| DcqlQuery)?;
    let query = value.as_object().ok_or(DcqlQuery)?;
    if query.contains_key("credential_sets") {
        return Err(DcqlQuery);
    }
    let credential = match query
        .get("credentials")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        Some([only]) => only.as_object().ok_or(DcqlQuery)?,
        _ => return Err(DcqlQuery),
    };
    let id = credential
        .get("id")
        .and_then(Value::as_str)
        .filter(|id| is_query_id(id))
        .ok_or(DcqlQuery)?;
    for flag in ["multiple", "require_cryptographic_holder_binding"] {
        if credential.get(flag).is_some_and(|v| v.as_bool().is_none()) {
            return Err(DcqlQuery);
        }
    }
    if credential.get("format").and_then(Value::as_str) != Some(CREDENTIAL_FORMAT) {
        return Err(Credential);
    }
    let vct = credential.get("meta").and_then(|m| m.get("vct_values"));
    if string_array_contains(vct, DEFAULT_VCT) != Some(true) {
        return Err(Credential);
    }
    if credential.contains_key("claim_sets") {
        return Err(Claims);
    }
    let mut claims: Vec<String> = Vec::new();
    match credential.get("claims") {
        None => {}
        Some(Value::Array(items)) if !items.is_empty() => {
            for item in items {
                let name = claim_of(item).ok_or(Claims)?;
                // OpenID4VP 1.0 §6.1: a wallet SHOULD ignore a repeated claims query.
                if !claims.contains(&name) {
                    claims.push(name);
                }
            }
        }
        Some(_) => return Err(Claims),
    }
    let holder_binding = credential
        .get("require_cryptographic_holder_binding")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    Ok(DcqlRequest {
        query_id: id.to_owned(),
        claims,
        holder_binding,
    })
}

/// The `client_name`, after the `client_metadata` rules of §7.3.
fn read_client_metadata(text: Option<&str>) -> Result<Option<String>, WalletRequestError> {
    use WalletRequestError::{ClientMetadata, VpFormats};
    let value = json::parse(text.ok_or(ClientMetadata)?).map_err(|_| ClientMetadata)?;
    let metadata = value.as_object().ok_or(ClientMetadata)?;
    let client_name = match metadata.get("client_name") {
        None => None,
        Some(v) => {
            let name = v.as_str().ok_or(ClientMetadata)?;
            let clean: String = name
                .chars()
                .filter(|c| !c.is_control())
                .take(MAX_CLIENT_NAME_CHARS)
                .collect();
            (!clean.trim().is_empty()).then_some(clean)
        }
    };
    let format = metadata
        .get("vp_formats_supported")
        .and_then(Value::as_object)
        .and_then(|f| f.get(CREDENTIAL_FORMAT))
        .and_then(Value::as_object)
        .ok_or(VpFormats)?;
    for algs in ["sd-jwt_alg_values", "kb-jwt_alg_values"] {
        if format.contains_key(algs)
            && string_array_contains(format.get(algs), "ES256") != Some(true)
        {
            return Err(VpFormats);
        }
    }
    Ok(client_name)
}

impl WalletRequest {
    /// Reads a request the holder scanned or pasted, with every check of PROTOCOL.md
    /// §7.3 in this order (the first failure is returned): a readable OpenID4VP query
    /// (at most [`MAX_REQUEST_BYTES`], one form decoder, no repeated parameter), no
    /// `request`/`request_uri`, `response_type=vp_token`, `response_mode=direct_post`,
    /// `client_id` with the `redirect_uri:` prefix, no `redirect_uri`, `response_uri`
    /// equal to the rest of `client_id` (taken from it when absent, as OpenID4VP 1.0
    /// §5.9.3 allows), `https` or loopback `http`, `nonce` URL-safe, `state` URL-safe
    /// when present, no `transaction_data`, a `dcql_query` (no `scope`) of one
    /// credential query for this `vct` in `dc+sd-jwt` asking only §3 claims (no
    /// `values`, no `claim_sets`; `state` required if it waives holder binding), and
    /// `client_metadata` accepting `dc+sd-jwt` with ES256. Unknown parameters are
    /// ignored, as OpenID4VP requires.
    ///
    /// # Errors
    ///
    /// The [`WalletRequestError`] of the first rule broken.
    pub fn parse(url_or_query: &str) -> Result<Self, WalletRequestError> {
        use WalletRequestError as E;
        if url_or_query.len() > MAX_REQUEST_BYTES {
            return Err(E::Malformed);
        }
        let query = request_query(url_or_query).ok_or(E::Malformed)?;
        let form = Form::parse(query, MAX_REQUEST_BYTES).map_err(|_| E::Malformed)?;
        if form.get("client_id").is_none() && form.get("response_type").is_none() {
            return Err(E::Malformed);
        }
        if form.contains("request") || form.contains("request_uri") {
            return Err(E::RequestObject);
        }
        if form.get("response_type") != Some("vp_token") {
            return Err(E::ResponseType);
        }
        if form.get("response_mode") != Some("direct_post") {
            return Err(E::ResponseMode);
        }
        let client_id = form.get("client_id").ok_or(E::ClientId)?;
        let from_client_id = client_id
            .strip_prefix(CLIENT_ID_PREFIX)
            .ok_or(E::ClientId)?;
        if form.contains("redirect_uri") {
            return Err(E::RedirectUri);
        }
        let response_uri = form.get("response_uri").unwrap_or(from_client_id);
        if response_uri != from_client_id {
            return Err(E::ClientIdMismatch);
        }
        let response_origin = check_response_uri(response_uri).ok_or(E::ResponseUri)?;
        let nonce = form
            .get("nonce")
            .filter(|n| is_url_safe(n))
            .ok_or(E::Nonce)?;
        // OpenID4VP 1.0 §5.1: `state` is RECOMMENDED, and REQUIRED only when a query
        // waives holder binding (checked with the DCQL query below).
        let state = match form.get("state") {
            None => None,
            Some(s) if is_url_safe(s) => Some(s),
            Some(_) => return Err(E::State),
        };
        if form.contains("transaction_data") {
            return Err(E::TransactionData);
        }
        if form.contains("scope") {
            return Err(E::DcqlQuery);
        }
        let dcql = read_dcql(form.get("dcql_query").ok_or(E::DcqlQuery)?)?;
        if state.is_none() && !dcql.holder_binding {
            return Err(E::State);
        }
        let client_name = read_client_metadata(form.get("client_metadata"))?;
        Ok(Self {
            client_id: client_id.to_owned(),
            response_uri: response_uri.to_owned(),
            response_origin,
            client_name,
            nonce: nonce.to_owned(),
            state: state.map(str::to_owned),
            query_id: dcql.query_id,
            claims: dcql.claims,
        })
    }

    /// The `client_id` (`redirect_uri:` + response URI): the KB-JWT's `aud`.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// Where the answer is posted.
    pub fn response_uri(&self) -> &str {
        &self.response_uri
    }

    /// The origin of the response URI (`https://rail.example`, as `location.origin`
    /// writes it): name the verifier by the registered partner with this origin.
    pub fn response_origin(&self) -> &str {
        &self.response_origin
    }

    /// The `client_name` of `client_metadata` (control characters removed, at most
    /// 100 characters): self-asserted, show it only with a warning.
    pub fn client_name(&self) -> Option<&str> {
        self.client_name.as_deref()
    }

    /// The `nonce` to bind into the KB-JWT.
    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    /// The `state` to post back, when the request has one (OpenID4VP 1.0 makes it
    /// optional while holder binding is required).
    pub fn state(&self) -> Option<&str> {
        self.state.as_deref()
    }

    /// The `id` of the credential query (the key of the `vp_token` object).
    pub fn credential_query_id(&self) -> &str {
        &self.query_id
    }

    /// The requested §3 claims, in the order asked (repeats removed).
    pub fn claims(&self) -> &[String] {
        &self.claims
    }

    /// Builds the answer from a credential `<issuer JWT>~<disclosure>~…~` the holder
    /// holds: exactly the disclosures of the requested claims (in the credential's
    /// order), and a KB-JWT (`typ` `kb+jwt`; `iat` `now`, `aud` the `client_id`, the
    /// request's `nonce`, `sd_hash`) left for the holder key to sign.
    ///
    /// # Errors
    ///
    /// `malformed` when the credential is not an SD-JWT without KB-JWT;
    /// `missing_claim` when it has no disclosure for a requested claim (the holder
    /// cannot answer, and no partial answer is sent).
    pub fn prepare_response(
        &self,
        credential: &str,
        now: i64,
    ) -> Result<PendingVpResponse, VerifyError> {
        let sd = SdJwt::parse(credential)?;
        if sd.key_binding().is_some() {
            return Err(err(ErrorCode::Malformed, "the credential has a KB-JWT"));
        }
        let mut prefix = String::from(credential.split('~').next().unwrap_or_default());
        prefix.push('~');
        for claim in &self.claims {
            if !sd.disclosures().iter().any(|d| d.name() == Some(claim)) {
                return Err(err(
                    ErrorCode::MissingClaim,
                    "the credential does not disclose a requested claim",
                ));
            }
        }
        for d in sd.disclosures() {
            if d.name()
                .is_some_and(|name| self.claims.iter().any(|c| c == name))
            {
                prefix.push_str(&d.encoded);
                prefix.push('~');
            }
        }
        let header = Map::from_pairs([("typ", "kb+jwt".into())]);
        let claims = Map::from_pairs([
            ("iat", now.into()),
            ("aud", self.client_id.as_str().into()),
            ("nonce", self.nonce.as_str().into()),
            ("sd_hash", sd_hash(&prefix).into()),
        ]);
        Ok(PendingVpResponse {
            prefix,
            kb: PendingJws::new(&header, &Value::Object(claims)),
            query_id: self.query_id.clone(),
            state: self.state.clone(),
        })
    }

    /// The `direct_post` body of a holder who declines:
    /// `error=access_denied&state=…` (without `state` when the request had none).
    pub fn decline_body(&self) -> String {
        match &self.state {
            Some(state) => Form::encode(&[("error", "access_denied"), ("state", state)]),
            None => Form::encode(&[("error", "access_denied")]),
        }
    }
}

/// A wallet's answer waiting for the holder key's KB-JWT signature (see
/// [`PendingJws`]: sign [`PendingVpResponse::signing_input`] with ES256 and pass the
/// 64-byte `r ‖ s` to [`PendingVpResponse::finish`]). `Debug` shows neither the
/// disclosures nor the KB-JWT.
#[derive(Clone, PartialEq, Eq)]
pub struct PendingVpResponse {
    prefix: String,
    kb: PendingJws,
    query_id: String,
    state: Option<String>,
}

impl fmt::Debug for PendingVpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingVpResponse")
            .field("query_id", &self.query_id)
            .finish_non_exhaustive()
    }
}

impl PendingVpResponse {
    /// The KB-JWT signing input (ASCII).
    pub fn signing_input(&self) -> &str {
        self.kb.signing_input()
    }

    /// The presentation without its KB-JWT (`<issuer JWT>~<disclosures>~`): what the
    /// holder is about to show.
    pub fn disclosed_prefix(&self) -> &str {
        &self.prefix
    }

    /// The `direct_post` body: `vp_token={"<query id>":["<presentation>"]}&state=…`
    /// (without `state` when the request had none).
    ///
    /// # Errors
    ///
    /// `malformed` unless `signature` is 64 bytes.
    pub fn finish(self, signature: &[u8]) -> Result<String, VerifyError> {
        let kb = self
            .kb
            .finish(signature)
            .map_err(|_| err(ErrorCode::Malformed, "an ES256 signature is 64 bytes"))?;
        let presentation = self.prefix + &kb;
        let vp_token = Map::from_pairs([(
            self.query_id.as_str(),
            Value::Array(vec![presentation.into()]),
        )]);
        let vp_token = Value::from(vp_token).to_string();
        Ok(match &self.state {
            Some(state) => Form::encode(&[("vp_token", &vp_token), ("state", state)]),
            None => Form::encode(&[("vp_token", &vp_token)]),
        })
    }
}
