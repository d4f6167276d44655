//! The token endpoint (PROTOCOL.md §2.3): request bodies, responses, retry rules.

use super::url::form;
use super::LoginError;
use crate::json::{Map, Value};
use std::fmt;

/// A parsed successful token response. `Debug` hides the tokens.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenResponse {
    /// `access_token` (used with `token_type` `DPoP`).
    pub access_token: String,
    /// `expires_in`, seconds.
    pub expires_in: Option<i64>,
    /// `refresh_token`.
    pub refresh_token: Option<String>,
    /// `id_token`.
    pub id_token: Option<String>,
    /// `certificate_credential`: `<issuer JWT>~<disclosure>~…~`.
    pub certificate_credential: Option<String>,
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("expires_in", &self.expires_in)
            .field("has_refresh_token", &self.refresh_token.is_some())
            .field("has_id_token", &self.id_token.is_some())
            .field("has_credential", &self.certificate_credential.is_some())
            .finish_non_exhaustive()
    }
}

fn optional_string(doc: &Map, name: &str) -> Result<Option<String>, LoginError> {
    match doc.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
        Some(_) => Err(LoginError::Malformed(
            "a token response member is ill-typed",
        )),
    }
}

impl TokenResponse {
    /// Reads the token endpoint's answer.
    ///
    /// # Errors
    ///
    /// `provider_error` (with the OAuth `error`) for a 4xx/5xx JSON error answer;
    /// `network` for another non-2xx answer; `malformed` for a 2xx answer that is not a
    /// JSON object with an `access_token` and `token_type` `DPoP`.
    pub fn parse(status: u16, body: &str) -> Result<Self, LoginError> {
        let value = crate::json::parse(body).ok();
        let doc = value.as_ref().and_then(Value::as_object);
        if !(200..300).contains(&status) {
            let error = doc
                .and_then(|d| d.get("error"))
                .and_then(Value::as_str)
                .filter(|e| !e.is_empty());
            return match error {
                Some(e) => Err(LoginError::ProviderError {
                    error: e.to_owned(),
                    description: doc
                        .and_then(|d| d.get("error_description"))
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                }),
                None => Err(LoginError::Network),
            };
        }
        let doc = doc.ok_or(LoginError::Malformed("token response is not a JSON object"))?;
        let token_type = doc.get("token_type").and_then(Value::as_str);
        if !token_type.is_some_and(|t| t.eq_ignore_ascii_case("DPoP")) {
            return Err(LoginError::Malformed("token_type is not DPoP"));
        }
        let access_token = optional_string(doc, "access_token")?
            .ok_or(LoginError::Malformed("token response lacks access_token"))?;
        let expires_in = match doc.get("expires_in") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                v.as_i64()
                    .ok_or(LoginError::Malformed("expires_in is not an integer"))?,
            ),
        };
        Ok(Self {
            access_token,
            expires_in,
            refresh_token: optional_string(doc, "refresh_token")?,
            id_token: optional_string(doc, "id_token")?,
            certificate_credential: optional_string(doc, "certificate_credential")?,
        })
    }
}

/// `grant_type=authorization_code` body.
pub(crate) fn code_body(code: &str, redirect_uri: &str, client_id: &str, verifier: &str) -> String {
    form(&[
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("client_id", client_id),
        ("code_verifier", verifier),
    ])
}

/// `grant_type=refresh_token` body.
pub(crate) fn refresh_body(refresh_token: &str, client_id: &str) -> String {
    form(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
        ("client_id", client_id),
    ])
}

/// How one attempt at the token endpoint ended, before parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// The request itself failed before any HTTP response existed (in a browser: `fetch`
    /// rejected, e.g. connection refused or reset, DNS, TLS; a CORS refusal looks the same
    /// although the server may have answered).
    NetworkFailure,
    /// An HTTP response arrived (this status) but its body could not be read.
    BodyUnreadable(u16),
    /// The request was aborted after the timeout.
    TimedOut,
    /// An HTTP answer with this status, body read.
    Status(u16),
}

/// Whether to send a token request again (with a fresh DPoP proof) after `attempt`,
/// the `attempts_made`-th one.
///
/// A code or refresh token is single-use: the provider refuses a second use and revokes
/// every token issued from it (RFC 6749 §4.1.2, §10.4), so a retry after the provider
/// redeemed it ends the login or the session. Hence at most one retry, and only:
/// - after a [`Attempt::NetworkFailure`]: no response at all. We cannot tell this apart
///   from a CORS refusal where the server did answer; we assume that in our flows (a
///   token endpoint that allows our origin) a rejected request most likely never reached
///   the token endpoint;
/// - after a 503: the provider says it did not process the request.
///
/// Never after a response with another status (502 and 504 may come from a gateway after
/// the provider redeemed the code; 500, 4xx, success), nor when the body of a response
/// could not be read, nor after a timeout (the request may have arrived).
pub fn should_retry(attempt: Attempt, attempts_made: u32) -> bool {
    attempts_made < 2 && matches!(attempt, Attempt::NetworkFailure | Attempt::Status(503))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_rules() {
        // (how the attempt ended, attempts made, retry?)
        let table = [
            (Attempt::NetworkFailure, 1, true),
            (Attempt::NetworkFailure, 2, false),
            (Attempt::Status(503), 1, true),
            (Attempt::Status(503), 2, false),
            (Attempt::Status(502), 1, false),
            (Attempt::Status(504), 1, false),
            (Attempt::Status(500), 1, false),
            (Attempt::Status(400), 1, false),
            (Attempt::Status(401), 1, false),
            (Attempt::Status(429), 1, false),
            (Attempt::Status(200), 1, false),
            (Attempt::BodyUnreadable(503), 1, false),
            (Attempt::BodyUnreadable(200), 1, false),
            (Attempt::BodyUnreadable(400), 1, false),
            (Attempt::TimedOut, 1, false),
            (Attempt::TimedOut, 2, false),
        ];
        for (attempt, n, expected) in table {
            assert_eq!(should_retry(attempt, n), expected, "{attempt:?} #{n}");
        }
    }

    #[test]
    fn token_responses() {
        let ok = TokenResponse::parse(
            200,
            r#"{"access_token":"a","token_type":"DPoP","expires_in":600,"refresh_token":"r","id_token":"i"}"#,
        )
        .unwrap();
        assert_eq!(ok.refresh_token.as_deref(), Some("r"));
        assert!(!format!("{ok:?}").contains("\"a\""));
        let table: [(u16, &str, &str); 6] = [
            (400, r#"{"error":"invalid_grant"}"#, "provider_error"),
            (503, "<html>busy</html>", "network"),
            (200, "not json", "malformed"),
            (
                200,
                r#"{"access_token":"a","token_type":"Bearer"}"#,
                "malformed",
            ),
            (200, r#"{"token_type":"DPoP"}"#, "malformed"),
            (
                200,
                r#"{"access_token":"a","token_type":"DPoP","id_token":5}"#,
                "malformed",
            ),
        ];
        for (status, body, code) in table {
            assert_eq!(
                TokenResponse::parse(status, body).unwrap_err().code(),
                code,
                "{body}"
            );
        }
        let e = TokenResponse::parse(400, r#"{"error":"invalid_grant"}"#).unwrap_err();
        assert_eq!(e.provider_error(), Some("invalid_grant"));
    }
}
