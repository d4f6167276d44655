//! Login with Mirairo ID (PROTOCOL.md §2), as a pure state machine: authorization
//! code + PKCE (S256) + DPoP, RFC 9207 `iss` checks, ID token and credential
//! verification, refresh with rotation, and presentations for partner servers.
//!
//! **Invariant:** nothing here does I/O or imports wasm-bindgen. [`LoginClient`] says
//! what to fetch, store or sign; the caller (the browser layer, or a test provider)
//! does it and hands the answers back. Signatures by the holder key are two-phase
//! ([`PendingJws`]) so that a non-extractable WebCrypto key can make them.

mod callback;
mod client;
mod config;
mod discovery;
mod error;
mod request;
mod resource;
mod signing;
mod token;
mod url;

pub use callback::{check_callback, CallbackParams, MAX_TRANSACTION_AGE};
pub use client::{
    callback_state, JwksRefetchPolicy, LoginClient, LoginOptions, LoginResult, PendingLogin,
    PendingPresentation, Step, TokenRequest, JWKS_REFETCH_INTERVAL,
};
pub use config::{
    validate_claims, ClientConfig, ClientOptions, CERTIFICATE_CLAIMS_SUPPORTED,
    DEFAULT_CERTIFICATE_CLAIMS,
};
pub use discovery::{check_issuer, discovery_url, verifier_jwks_uri, ProviderMetadata};
pub use error::LoginError;
pub use request::{AuthorizationRequest, Nonce, PkceVerifier, State, Transaction};
pub use resource::{
    after_resource_answer, after_token_answer, dpop_challenge_error, Answer, DpopNonces, Next,
    Retried,
};
pub use signing::{dpop_proof_input, PendingJws};
pub use token::{should_retry, Attempt, TokenResponse};

// Shared with the counter presentation (`crate::openid4vp`) and the form decoder.
pub(crate) use request::random_token;
pub use url::origin;
pub(crate) use url::{decode as url_decode, form as url_form};
