//! What to do with an answer from the token endpoint or a protected resource
//! (userinfo): server-provided DPoP nonces (RFC 9449 §8, §9) and the resource
//! server's `401` challenges (RFC 9449 §7.1, RFC 6750 §3.1). The rules live here
//! once; the browser layer only performs what [`Next`] says.

use super::url::origin;
use super::LoginError;
use crate::dpop::is_valid_nonce;
use crate::json::Value;

/// Largest number of servers whose nonce is remembered (the provider's token endpoint
/// and its resource servers; a few in practice).
const MAX_NONCE_SERVERS: usize = 8;

/// The latest `DPoP-Nonce` each server gave (RFC 9449 §8.2: a server may hand out a
/// new nonce in any answer; the client uses the latest one in its next proofs to that
/// server). Servers are told apart by origin.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DpopNonces {
    by_origin: Vec<(String, String)>,
}

impl DpopNonces {
    /// The nonce to put in a proof for `url`, if its server gave one.
    pub fn for_url(&self, url: &str) -> Option<&str> {
        let o = origin(url)?;
        self.by_origin
            .iter()
            .find(|(k, _)| *k == o)
            .map(|(_, n)| n.as_str())
    }

    /// Remembers the `DPoP-Nonce` header of an answer from `url`. An absent or
    /// ill-formed header (not `1*NQCHAR`, too long) changes nothing. Returns whether a
    /// nonce was taken.
    pub fn remember(&mut self, url: &str, header: Option<&str>) -> bool {
        let (Some(o), Some(nonce)) = (origin(url), header.map(str::trim)) else {
            return false;
        };
        if !is_valid_nonce(nonce) {
            return false;
        }
        self.by_origin.retain(|(k, _)| *k != o);
        if self.by_origin.len() >= MAX_NONCE_SERVERS {
            self.by_origin.remove(0);
        }
        self.by_origin.push((o, nonce.to_owned()));
        true
    }
}

/// What the browser layer does next with a request it just made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Use the answer (for the token endpoint: hand it to `complete_login` /
    /// `complete_refresh`; for userinfo: the checked claims).
    Done,
    /// Send the same request again with a fresh proof carrying the nonce just
    /// remembered (once: a second `use_dpop_nonce` is an error).
    RetryWithNonce,
    /// The access token is no longer good (`invalid_token`): refresh once, then send the
    /// request again with the new token.
    RefreshThenRetry,
}

/// What was already done for one logical request (so each recovery happens once).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Retried {
    /// A `use_dpop_nonce` answer was already retried with a nonce.
    pub nonce: bool,
    /// The session was already refreshed after an `invalid_token` answer.
    pub refreshed: bool,
}

/// An answer from the token endpoint or a resource: the status, the body text and the
/// two headers that matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer<'a> {
    /// The HTTP status.
    pub status: u16,
    /// The body text.
    pub body: &'a str,
    /// `WWW-Authenticate`, when present (and readable under CORS).
    pub www_authenticate: Option<&'a str>,
    /// `DPoP-Nonce`, when present.
    pub dpop_nonce: Option<&'a str>,
}

/// The `error` parameter of the `DPoP` challenge of a `WWW-Authenticate` header (RFC
/// 9449 §7.1: `DPoP error="invalid_token", algs="ES256"`); `Some("")` for a DPoP
/// challenge without one; `None` when there is no DPoP challenge. Only the quoted and
/// token forms of RFC 9110 §11.2 are read; other challenges (e.g. `Bearer`) are skipped.
pub fn dpop_challenge_error(header: &str) -> Option<String> {
    let mut rest = header.trim_start();
    let mut in_dpop = false;
    let mut found = false;
    let mut error = String::new();
    while !rest.is_empty() {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        let end = rest.find([' ', '\t', ',', '=']).unwrap_or(rest.len());
        let word = rest.get(..end).unwrap_or_default();
        rest = rest
            .get(end..)
            .unwrap_or_default()
            .trim_start_matches([' ', '\t']);
        if word.is_empty() {
            break;
        }
        if let Some(after) = rest.strip_prefix('=') {
            // A parameter of the current challenge.
            let after = after.trim_start_matches([' ', '\t']);
            let (value, tail) = if let Some(quoted) = after.strip_prefix('"') {
                let mut value = String::new();
                let mut chars = quoted.char_indices();
                let mut close = quoted.len();
                while let Some((i, c)) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some((_, n)) = chars.next() {
                                value.push(n);
                            }
                        }
                        '"' => {
                            close = i + 1;
                            break;
                        }
                        c => value.push(c),
                    }
                }
                (value, quoted.get(close..).unwrap_or_default())
            } else {
                let end = after.find([',', ' ', '\t']).unwrap_or(after.len());
                (
                    after.get(..end).unwrap_or_default().to_owned(),
                    after.get(end..).unwrap_or_default(),
                )
            };
            if in_dpop && word.eq_ignore_ascii_case("error") {
                error = value;
            }
            rest = tail;
        } else {
            // A new challenge (auth-scheme).
            if found {
                break;
            }
            in_dpop = word.eq_ignore_ascii_case("DPoP");
            found = in_dpop;
        }
    }
    found.then_some(error)
}

fn body_error(body: &str) -> Option<String> {
    let value = crate::json::parse(body).ok()?;
    value
        .as_object()?
        .get("error")
        .and_then(Value::as_str)
        .filter(|e| !e.is_empty())
        .map(str::to_owned)
}

fn provider_error(error: &str) -> LoginError {
    LoginError::ProviderError {
        error: error.to_owned(),
        description: None,
    }
}

/// The token endpoint's answer (PROTOCOL.md §2.3, RFC 9449 §8): its `DPoP-Nonce` is
/// remembered; `400 {"error":"use_dpop_nonce"}` with a nonce is retried once with it
/// ([`Next::RetryWithNonce`]); everything else is [`Next::Done`] (success and errors
/// alike are then read by [`super::TokenResponse::parse`]).
///
/// # Errors
///
/// `provider_error` (`use_dpop_nonce`) for a second `use_dpop_nonce`, or one without a
/// usable `DPoP-Nonce` header.
pub fn after_token_answer(
    nonces: &mut DpopNonces,
    url: &str,
    answer: &Answer<'_>,
    retried: Retried,
) -> Result<Next, LoginError> {
    let fresh = nonces.remember(url, answer.dpop_nonce);
    let asks_nonce = (answer.status == 400 || answer.status == 401)
        && body_error(answer.body).as_deref() == Some("use_dpop_nonce");
    match (asks_nonce, fresh && !retried.nonce) {
        (false, _) => Ok(Next::Done),
        (true, true) => Ok(Next::RetryWithNonce),
        (true, false) => Err(provider_error("use_dpop_nonce")),
    }
}

/// A protected resource's answer (userinfo, PROTOCOL.md §2.5). Its `DPoP-Nonce` is
/// remembered. A `401` is read by its `DPoP` challenge (RFC 9449 §7.1, RFC 6750 §3.1):
///
/// | challenge `error` | first time | after that recovery |
/// | --- | --- | --- |
/// | `use_dpop_nonce` (with a `DPoP-Nonce`) | [`Next::RetryWithNonce`] | `provider_error` `use_dpop_nonce` |
/// | `invalid_token` (expired, revoked, unknown token) | [`Next::RefreshThenRetry`] if `can_refresh` | `provider_error` `invalid_token` |
/// | `invalid_dpop_proof` (bad proof, wrong `ath`, wrong key) | `provider_error` `invalid_dpop_proof`: refreshing cannot help | — |
/// | none (no credentials were accepted) | `provider_error` `invalid_token` | — |
///
/// Any 2xx is [`Next::Done`]; another status is `provider_error` with the body's
/// OAuth `error`, or `network` without one.
///
/// # Errors
///
/// As in the table.
pub fn after_resource_answer(
    nonces: &mut DpopNonces,
    url: &str,
    answer: &Answer<'_>,
    retried: Retried,
    can_refresh: bool,
) -> Result<Next, LoginError> {
    let fresh = nonces.remember(url, answer.dpop_nonce);
    if (200..300).contains(&answer.status) {
        return Ok(Next::Done);
    }
    let challenge = answer.www_authenticate.and_then(dpop_challenge_error);
    if answer.status != 401 {
        // RFC 6750 §3.1 allows 400 for invalid_request; a nonce demand may also come
        // as 400 from a server that does not challenge.
        return match body_error(answer.body) {
            Some(e) if e == "use_dpop_nonce" && fresh && !retried.nonce => Ok(Next::RetryWithNonce),
            Some(e) => Err(provider_error(&e)),
            None => Err(LoginError::Network),
        };
    }
    let error = challenge
        .filter(|e| !e.is_empty())
        .or_else(|| body_error(answer.body))
        .unwrap_or_else(|| "invalid_token".to_owned());
    match error.as_str() {
        "use_dpop_nonce" if fresh && !retried.nonce => Ok(Next::RetryWithNonce),
        "invalid_token" if can_refresh && !retried.refreshed => Ok(Next::RefreshThenRetry),
        other => Err(provider_error(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "http://127.0.0.1:8080/token";
    const USERINFO: &str = "http://127.0.0.1:8080/userinfo";

    fn answer<'a>(
        status: u16,
        body: &'a str,
        www: Option<&'a str>,
        nonce: Option<&'a str>,
    ) -> Answer<'a> {
        Answer {
            status,
            body,
            www_authenticate: www,
            dpop_nonce: nonce,
        }
    }

    #[test]
    fn challenges_are_parsed() {
        let table: [(&str, Option<&str>); 10] = [
            (
                r#"DPoP error="invalid_token", algs="ES256""#,
                Some("invalid_token"),
            ),
            (
                r#"dpop algs="ES256", error="use_dpop_nonce""#,
                Some("use_dpop_nonce"),
            ),
            (
                r#"DPoP error=invalid_dpop_proof"#,
                Some("invalid_dpop_proof"),
            ),
            (r#"DPoP algs="ES256""#, Some("")),
            ("DPoP", Some("")),
            (r#"Bearer error="invalid_token""#, None),
            (
                r#"Bearer realm="x", error="a", DPoP error="invalid_dpop_proof""#,
                Some("invalid_dpop_proof"),
            ),
            (
                r#"DPoP error_description="a \"quoted\", error=x", error="invalid_token""#,
                Some("invalid_token"),
            ),
            ("", None),
            (r#"DPoP error=""#, Some("")),
        ];
        for (header, expected) in table {
            assert_eq!(
                dpop_challenge_error(header).as_deref(),
                expected,
                "{header}"
            );
        }
    }

    #[test]
    fn nonces_are_kept_per_server() {
        let mut n = DpopNonces::default();
        assert_eq!(n.for_url(TOKEN), None);
        assert!(n.remember(TOKEN, Some("n1")));
        assert_eq!(n.for_url(USERINFO), Some("n1"), "same origin, same server");
        assert_eq!(n.for_url("http://127.0.0.1:9090/userinfo"), None);
        assert!(n.remember(TOKEN, Some("n2")));
        assert_eq!(n.for_url(TOKEN), Some("n2"), "the latest wins");
        assert!(!n.remember(TOKEN, Some("bad nonce")));
        assert!(!n.remember(TOKEN, None));
        assert!(!n.remember("not a url", Some("n3")));
        assert_eq!(n.for_url(TOKEN), Some("n2"));
        for i in 0..20 {
            n.remember(&format!("http://h{i}.example/token"), Some("x"));
        }
        assert!(n.by_origin.len() <= MAX_NONCE_SERVERS);
    }

    #[test]
    fn token_endpoint_rules() {
        let nonce_body = r#"{"error":"use_dpop_nonce","error_description":"x"}"#;
        let first = Retried::default();
        let again = Retried {
            nonce: true,
            refreshed: false,
        };
        // (answer, retried, expected)
        let table: [(Answer<'_>, Retried, Result<Next, &str>); 7] = [
            (answer(200, "{}", None, None), first, Ok(Next::Done)),
            (answer(200, "{}", None, Some("n")), again, Ok(Next::Done)),
            (
                answer(400, nonce_body, None, Some("n")),
                first,
                Ok(Next::RetryWithNonce),
            ),
            (
                answer(400, nonce_body, None, Some("n")),
                again,
                Err("use_dpop_nonce"),
            ),
            (
                answer(400, nonce_body, None, None),
                first,
                Err("use_dpop_nonce"),
            ),
            (
                answer(400, r#"{"error":"invalid_grant"}"#, None, Some("n")),
                first,
                Ok(Next::Done),
            ),
            (answer(503, "busy", None, None), first, Ok(Next::Done)),
        ];
        for (a, retried, expected) in table {
            let mut n = DpopNonces::default();
            let got = after_token_answer(&mut n, TOKEN, &a, retried);
            let got = got.map_err(|e| e.provider_error().unwrap_or("?").to_owned());
            assert_eq!(got, expected.map_err(str::to_owned), "{a:?} {retried:?}");
            assert_eq!(n.for_url(TOKEN), a.dpop_nonce, "the nonce is remembered");
        }
    }

    #[test]
    fn resource_rules() {
        let none = Retried::default();
        let nonce_done = Retried {
            nonce: true,
            refreshed: false,
        };
        let refreshed = Retried {
            nonce: false,
            refreshed: true,
        };
        let inv_token = Some(r#"DPoP error="invalid_token", algs="ES256""#);
        let bad_proof = Some(r#"DPoP error="invalid_dpop_proof", algs="ES256""#);
        let use_nonce = Some(r#"DPoP error="use_dpop_nonce""#);
        // (answer, retried, can_refresh, expected)
        let table: [(Answer<'_>, Retried, bool, Result<Next, &str>); 14] = [
            (answer(200, "{}", None, None), none, true, Ok(Next::Done)),
            (
                answer(401, "", inv_token, None),
                none,
                true,
                Ok(Next::RefreshThenRetry),
            ),
            (
                answer(401, "", inv_token, None),
                refreshed,
                true,
                Err("invalid_token"),
            ),
            (
                answer(401, "", inv_token, None),
                none,
                false,
                Err("invalid_token"),
            ),
            (
                answer(401, "", bad_proof, None),
                none,
                true,
                Err("invalid_dpop_proof"),
            ),
            (
                answer(401, "", use_nonce, Some("n")),
                none,
                true,
                Ok(Next::RetryWithNonce),
            ),
            (
                answer(401, "", use_nonce, Some("n")),
                nonce_done,
                true,
                Err("use_dpop_nonce"),
            ),
            (
                answer(401, "", use_nonce, None),
                none,
                true,
                Err("use_dpop_nonce"),
            ),
            // A nonce retry does not use up the refresh, nor the reverse.
            (
                answer(401, "", use_nonce, Some("n")),
                refreshed,
                true,
                Ok(Next::RetryWithNonce),
            ),
            (
                answer(401, "", inv_token, None),
                nonce_done,
                true,
                Ok(Next::RefreshThenRetry),
            ),
            // No challenge parameter: the body's error, else invalid_token.
            (
                answer(
                    401,
                    r#"{"error":"invalid_dpop_proof"}"#,
                    Some("DPoP algs=\"ES256\""),
                    None,
                ),
                none,
                true,
                Err("invalid_dpop_proof"),
            ),
            (
                answer(401, "", None, None),
                none,
                true,
                Ok(Next::RefreshThenRetry),
            ),
            (
                answer(400, r#"{"error":"invalid_request"}"#, None, None),
                none,
                true,
                Err("invalid_request"),
            ),
            (answer(500, "oops", None, None), none, true, Err("")),
        ];
        for (a, retried, can_refresh, expected) in table {
            let mut n = DpopNonces::default();
            let got = after_resource_answer(&mut n, USERINFO, &a, retried, can_refresh);
            let got = got.map_err(|e| e.provider_error().unwrap_or_default().to_owned());
            assert_eq!(got, expected.map_err(str::to_owned), "{a:?} {retried:?}");
        }
    }
}
