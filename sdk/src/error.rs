//! The verification error codes of PROTOCOL.md §4.

use std::fmt;

/// A verification error code, exactly as PROTOCOL.md §4 names it (see
/// [`ErrorCode::as_str`]). The variants are listed in the order the checks run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ErrorCode {
    /// `malformed`: not a well-formed SD-JWT, or a required claim missing or ill-typed.
    Malformed,
    /// `unsupported_algorithm`: `alg` is not ES256, or `crit`/`jku`/`x5u`/`x5c`/`jwk` in a header.
    UnsupportedAlgorithm,
    /// `wrong_type`: `typ` is not the one expected.
    WrongType,
    /// `unknown_key`: no `kid`, or no usable key with that `kid`.
    UnknownKey,
    /// `bad_signature`: the issuer signature does not verify.
    BadSignature,
    /// `wrong_issuer`: `iss` is not the configured issuer.
    WrongIssuer,
    /// `wrong_credential_type`: `vct` is not the expected one.
    WrongCredentialType,
    /// `expired`: `exp` ≤ now − leeway.
    Expired,
    /// `not_yet_valid`: `iat` or `nbf` > now + leeway.
    NotYetValid,
    /// `bad_disclosure`: a disclosure breaks an SD-JWT or §3 rule.
    BadDisclosure,
    /// `key_binding_required`: key binding is required and there is no KB-JWT.
    KeyBindingRequired,
    /// `bad_key_binding`: the KB-JWT does not verify or its claims differ.
    BadKeyBinding,
    /// `missing_claim`: a required claim was not disclosed.
    MissingClaim,
    /// `revoked`: the status list says 1.
    Revoked,
    /// `suspended`: the status list says 2.
    Suspended,
    /// `status_unavailable`: a required status check could not be done.
    StatusUnavailable,
    /// `certificate_expired`: `valid_until` lies before today's date in Japan.
    CertificateExpired,
    /// `invalid_config`: the verifier configuration is unusable.
    InvalidConfig,
    /// `invalid_request` (PROTOCOL.md §7.2): the `direct_post` form is not a response:
    /// no `state`, neither `vp_token` nor `error`, or `vp_token` not the DCQL shape.
    InvalidRequest,
    /// `request_not_found` (§7.2): the response's `state` is not the request's.
    RequestNotFound,
    /// `request_expired` (§7.2): the request's `expires_at` has passed.
    RequestExpired,
    /// `access_denied` (§7.2): the holder declined (`error=access_denied`).
    AccessDenied,
    /// `wallet_error`: the wallet answered with an OAuth error other than
    /// `access_denied` (it could not answer the request).
    WalletError,
}

impl ErrorCode {
    /// The wire code, e.g. `"bad_disclosure"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Malformed => "malformed",
            Self::UnsupportedAlgorithm => "unsupported_algorithm",
            Self::WrongType => "wrong_type",
            Self::UnknownKey => "unknown_key",
            Self::BadSignature => "bad_signature",
            Self::WrongIssuer => "wrong_issuer",
            Self::WrongCredentialType => "wrong_credential_type",
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::BadDisclosure => "bad_disclosure",
            Self::KeyBindingRequired => "key_binding_required",
            Self::BadKeyBinding => "bad_key_binding",
            Self::MissingClaim => "missing_claim",
            Self::Revoked => "revoked",
            Self::Suspended => "suspended",
            Self::StatusUnavailable => "status_unavailable",
            Self::CertificateExpired => "certificate_expired",
            Self::InvalidConfig => "invalid_config",
            Self::InvalidRequest => "invalid_request",
            Self::RequestNotFound => "request_not_found",
            Self::RequestExpired => "request_expired",
            Self::AccessDenied => "access_denied",
            Self::WalletError => "wallet_error",
        }
    }

    /// Every code of credential verification (PROTOCOL.md §4), in check order, and
    /// `invalid_config`.
    pub const ALL: [ErrorCode; 18] = [
        Self::Malformed,
        Self::UnsupportedAlgorithm,
        Self::WrongType,
        Self::UnknownKey,
        Self::BadSignature,
        Self::WrongIssuer,
        Self::WrongCredentialType,
        Self::Expired,
        Self::NotYetValid,
        Self::BadDisclosure,
        Self::KeyBindingRequired,
        Self::BadKeyBinding,
        Self::MissingClaim,
        Self::Revoked,
        Self::Suspended,
        Self::StatusUnavailable,
        Self::CertificateExpired,
        Self::InvalidConfig,
    ];

    /// The codes a counter presentation response adds before §4's (PROTOCOL.md §7.2),
    /// in check order.
    pub const PRESENTATION: [ErrorCode; 5] = [
        Self::InvalidRequest,
        Self::RequestNotFound,
        Self::RequestExpired,
        Self::AccessDenied,
        Self::WalletError,
    ];
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed verification: a stable [`ErrorCode`] plus a short English detail for logs
/// (never secret material; a signature failure says only that it failed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {detail}")]
pub struct VerifyError {
    code: ErrorCode,
    detail: &'static str,
}

impl VerifyError {
    /// An error with this code and detail.
    pub const fn new(code: ErrorCode, detail: &'static str) -> Self {
        Self { code, detail }
    }

    /// The protocol code.
    pub const fn code(&self) -> ErrorCode {
        self.code
    }

    /// A short English description of the failed check, for logs.
    pub const fn detail(&self) -> &'static str {
        self.detail
    }
}

pub(crate) const fn err(code: ErrorCode, detail: &'static str) -> VerifyError {
    VerifyError::new(code, detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_protocol_codes() {
        let names: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(
            names,
            [
                "malformed",
                "unsupported_algorithm",
                "wrong_type",
                "unknown_key",
                "bad_signature",
                "wrong_issuer",
                "wrong_credential_type",
                "expired",
                "not_yet_valid",
                "bad_disclosure",
                "key_binding_required",
                "bad_key_binding",
                "missing_claim",
                "revoked",
                "suspended",
                "status_unavailable",
                "certificate_expired",
                "invalid_config",
            ]
        );
        let names: Vec<&str> = ErrorCode::PRESENTATION.iter().map(|c| c.as_str()).collect();
        assert_eq!(
            names,
            [
                "invalid_request",
                "request_not_found",
                "request_expired",
                "access_denied",
                "wallet_error"
            ]
        );
        let e = VerifyError::new(ErrorCode::Revoked, "status list says revoked");
        assert_eq!(e.to_string(), "revoked: status list says revoked");
    }
}
