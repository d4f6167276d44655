#![doc = include_str!("../README.md")]
#![warn(missing_docs)]
#![cfg_attr(not(test), warn(clippy::indexing_slicing))]

/// The version of this SDK, as published to npm and crates.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub mod dpop;
mod error;
mod fare;
pub mod form;
pub mod jose;
pub mod json;
pub mod oidc;
pub mod openid4vp;
pub mod options;
mod random;
pub mod sdjwt;
pub mod status;
mod verifier;
mod wareki;

pub use error::{ErrorCode, VerifyError};
pub use fare::{
    fare_discount, Explanation, FareError, FareHolder, FareRates, FareResult, FareRule, Ticket,
    Trip, MAX_FARE, MAX_HOLDER_AGE,
};
pub use json::MAX_JSON_DEPTH;
pub use openid4vp::{
    PendingVpResponse, PresentationRequest, PresentationRequestOptions, PresentationResponse,
    WalletAnswer, WalletRequest, WalletRequestError,
};
pub use random::NoRandomness;
pub use verifier::{
    Audience, CertificateType, Date, FareClass, IdTokenClaims, IdTokenError, IdTokenOptions,
    Mynaportal, Prepared, PreparedIdToken, StatusReference, VerifiedCertificate, Verifier,
    VerifierConfig, VerifyOptions, DEFAULT_LEEWAY, DEFAULT_MAX_KEY_BINDING_AGE, DEFAULT_VCT,
};
pub use wareki::{era_year, format_date, Calendar, Era, Lang};
