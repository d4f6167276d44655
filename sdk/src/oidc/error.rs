//! The login error codes of API.md ("Login").

use crate::{IdTokenError, VerifyError};

/// Why a login step failed. [`LoginError::code`] is the stable `code` of the JS
/// `MirairoIdError`; a failed ID token also has a [`LoginError::reason`], a provider
/// refusal a [`LoginError::provider_error`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LoginError {
    /// `invalid_config`: the client configuration is unusable (detail says which part).
    #[error("invalid_config: {0}")]
    InvalidConfig(&'static str),
    /// `state_mismatch`: the callback's `state` is not one this client stored, or was
    /// already used.
    #[error("state_mismatch")]
    StateMismatch,
    /// `issuer_mismatch`: the metadata `issuer` or the callback's `iss` is missing or
    /// not the configured issuer.
    #[error("issuer_mismatch")]
    IssuerMismatch,
    /// `provider_error`: the provider answered with an OAuth error.
    #[error("provider_error: {error}")]
    ProviderError {
        /// The OAuth `error` (e.g. `access_denied`, `invalid_grant`).
        error: String,
        /// The `error_description`, if any.
        description: Option<String>,
    },
    /// `bad_id_token`: the ID token failed the check named by the reason.
    #[error("bad_id_token: {0}")]
    BadIdToken(&'static str),
    /// A PROTOCOL.md §4 code from the credential check (including `bad_key_binding`
    /// when `cnf.jwk` is not this client's key, `missing_claim` for `present`).
    #[error("{0}")]
    Credential(VerifyError),
    /// `malformed`: a provider answer (metadata, token response) is not what the
    /// protocol says.
    #[error("malformed: {0}")]
    Malformed(&'static str),
    /// `network`: a request could not be made or answered.
    #[error("network")]
    Network,
    /// `timeout`: a request or a popup took too long.
    #[error("timeout")]
    Timeout,
    /// `not_authenticated`: the call needs a signed-in session.
    #[error("not_authenticated")]
    NotAuthenticated,
}

impl From<crate::NoRandomness> for LoginError {
    fn from(_: crate::NoRandomness) -> Self {
        Self::InvalidConfig(crate::NoRandomness::MESSAGE)
    }
}

impl LoginError {
    /// The stable code, e.g. `"state_mismatch"`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidConfig(_) => "invalid_config",
            Self::StateMismatch => "state_mismatch",
            Self::IssuerMismatch => "issuer_mismatch",
            Self::ProviderError { .. } => "provider_error",
            Self::BadIdToken(_) => "bad_id_token",
            Self::Credential(e) => e.code().as_str(),
            Self::Malformed(_) => "malformed",
            Self::Network => "network",
            Self::Timeout => "timeout",
            Self::NotAuthenticated => "not_authenticated",
        }
    }

    /// For `bad_id_token`: the failed check (`wrong_audience`, `nonce_mismatch`, …).
    pub fn reason(&self) -> Option<&'static str> {
        match self {
            Self::BadIdToken(reason) => Some(reason),
            _ => None,
        }
    }

    /// For `provider_error`: the OAuth `error`.
    pub fn provider_error(&self) -> Option<&str> {
        match self {
            Self::ProviderError { error, .. } => Some(error),
            _ => None,
        }
    }

    /// A short English description for logs and `Error.message`.
    pub fn message(&self) -> String {
        match self {
            Self::ProviderError {
                error,
                description: Some(d),
            } => format!("provider_error: {error}: {d}"),
            Self::Credential(e) => format!("{}: {}", e.code(), e.detail()),
            other => other.to_string(),
        }
    }
}

impl From<IdTokenError> for LoginError {
    fn from(e: IdTokenError) -> Self {
        match e {
            IdTokenError::Es256Unavailable => Self::InvalidConfig(crate::jose::ES256_UNAVAILABLE),
            other => Self::BadIdToken(other.reason()),
        }
    }
}

impl From<VerifyError> for LoginError {
    fn from(e: VerifyError) -> Self {
        Self::Credential(e)
    }
}
