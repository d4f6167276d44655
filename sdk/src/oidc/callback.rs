//! The authorization response (PROTOCOL.md §2.2), checked in the protocol's order.

use super::request::Transaction;
use super::url::query_pairs;
use super::LoginError;

/// The parameters of a callback URL. A parameter that appears twice makes the whole
/// response unusable (RFC 6749 §3.1), which [`check_callback`] reports as
/// `state_mismatch`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallbackParams {
    /// `state`.
    pub state: Option<String>,
    /// `iss` (RFC 9207).
    pub iss: Option<String>,
    /// `code`.
    pub code: Option<String>,
    /// `error`.
    pub error: Option<String>,
    /// `error_description`.
    pub error_description: Option<String>,
    duplicated: bool,
}

impl CallbackParams {
    /// Reads the query of `url` (the fragment is ignored).
    pub fn parse(url: &str) -> Self {
        let mut out = Self::default();
        let Some(pairs) = query_pairs(url) else {
            out.duplicated = true; // undecodable: treat like a tampered response
            return out;
        };
        for (k, v) in pairs {
            let slot = match k.as_str() {
                "state" => &mut out.state,
                "iss" => &mut out.iss,
                "code" => &mut out.code,
                "error" => &mut out.error,
                "error_description" => &mut out.error_description,
                _ => continue,
            };
            if slot.is_some() {
                out.duplicated = true;
            }
            *slot = Some(v);
        }
        out
    }

    /// True when the URL looks like an authorization response (has `code` or `error`,
    /// and `state`).
    pub fn is_callback(&self) -> bool {
        self.state.is_some() && (self.code.is_some() || self.error.is_some())
    }
}

/// How long, in seconds, a stored login attempt stays usable: an older one (or one
/// stamped that far in the future, by a clock since set back) is refused like an
/// unknown one (`state_mismatch`). Long on purpose. People using a screen
/// reader, a switch or a magnifier, or who need time to read, may spend long on the
/// provider's pages, and WCAG 2.2 SC 2.2.1 (Timing Adjustable) exempts only limits
/// longer than 20 hours; the provider's authorization codes expire within minutes
/// anyway, so this only bounds how long an abandoned attempt can be completed.
pub const MAX_TRANSACTION_AGE: i64 = 24 * 60 * 60;

/// Checks a callback against the transaction stored under its `state` (already
/// removed from storage by the caller: one use) at `now` (seconds since the epoch),
/// and returns the code.
///
/// # Errors
///
/// In this order: `state_mismatch` (no stored transaction, a different state, a
/// transaction older than [`MAX_TRANSACTION_AGE`], or a duplicated parameter; also on
/// error responses), `issuer_mismatch` (`iss` missing or not `issuer`),
/// `provider_error` (the response carries `error`), `malformed` (neither `code` nor
/// `error`).
pub fn check_callback(
    params: &CallbackParams,
    stored: Option<&Transaction>,
    issuer: &str,
    now: i64,
) -> Result<String, LoginError> {
    // Either way: a device clock set back after the login started is no way around it.
    let stored =
        stored.filter(|t| now.abs_diff(t.created_at) <= MAX_TRANSACTION_AGE.unsigned_abs());
    let stored_state = stored.map(|t| t.state.secret());
    if params.duplicated || params.state.is_none() || params.state.as_deref() != stored_state {
        return Err(LoginError::StateMismatch);
    }
    if params.iss.as_deref() != Some(issuer) {
        return Err(LoginError::IssuerMismatch);
    }
    if let Some(error) = &params.error {
        return Err(LoginError::ProviderError {
            error: error.clone(),
            description: params.error_description.clone(),
        });
    }
    match &params.code {
        Some(code) if !code.is_empty() => Ok(code.clone()),
        _ => Err(LoginError::Malformed(
            "the callback has neither code nor error",
        )),
    }
}
