//! JOSE building blocks: strict base64url, EC P-256 JWKs and JWK Sets (RFC 7517,
//! RFC 7638 thumbprints), ES256 compact JWS signing, parsing and verification
//! (RFC 7515, RFC 7518 §3.4).
//!
//! Only ES256 exists here on purpose: there is no `alg` negotiation to get wrong.

mod b64;
mod jwk;
mod jws;

pub use b64::{b64url_decode, b64url_encode};
pub use jwk::{EcPublicJwk, JwkError, JwkSet};
pub(crate) use jws::es256_header;
pub use jws::{
    es256_available, run_checks, set_es256_verifier, sha256, try_verify_es256, Es256Unavailable,
    Es256Verify, Jws, SignatureCheck, ES256_UNAVAILABLE,
};
#[cfg(feature = "es256")]
pub use jws::{verify_es256, verify_es256_key, Es256SigningKey};

/// The input is not well-formed (bad base64url, bad JSON, wrong number of JWS parts…).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[error("malformed input")]
pub struct Malformed;
