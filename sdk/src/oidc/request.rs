//! The authorization request (PROTOCOL.md §2.1) and the transaction a client keeps
//! until the callback.

use super::url::form;
use super::ProviderMetadata;
use crate::jose::b64url_encode;
use crate::json::{self, Fields, Map, ShapeError, Value};
use crate::NoRandomness;
use sha2::{Digest, Sha256};
use std::fmt;

/// 256 random bits, base64url (43 characters).
pub(crate) fn random_token() -> Result<String, NoRandomness> {
    Ok(b64url_encode(&crate::random::random_bytes::<32>()?))
}

macro_rules! secret {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            /// 256 fresh random bits, base64url (43 characters from `[A-Za-z0-9_-]`).
            ///
            /// # Errors
            ///
            /// [`NoRandomness`] when the platform has no random number generator.
            pub fn random() -> Result<Self, NoRandomness> {
                random_token().map(Self)
            }

            /// The value as sent on the wire.
            pub fn secret(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }
    };
}

secret!(
    /// The `state` of one login attempt (≥ 128 bits, one use).
    State
);
secret!(
    /// The `nonce` bound into the ID token.
    Nonce
);
secret!(
    /// The PKCE `code_verifier` (RFC 7636: 43–128 characters of `[A-Za-z0-9-._~]`).
    PkceVerifier
);

impl PkceVerifier {
    /// `base64url(SHA-256(verifier))`, the S256 `code_challenge`.
    pub fn challenge(&self) -> String {
        b64url_encode(&Sha256::digest(self.0.as_bytes()))
    }
}

/// What a client stores between the redirect and the callback (in the browser:
/// `sessionStorage`, keyed by `state`, removed on first read).
#[derive(Clone, PartialEq, Eq)]
pub struct Transaction {
    /// The attempt's `state`.
    pub state: State,
    /// The attempt's `nonce`.
    pub nonce: Nonce,
    /// The attempt's PKCE verifier.
    pub code_verifier: PkceVerifier,
    /// The `redirect_uri` sent (the token request repeats it).
    pub redirect_uri: String,
    /// The RFC 7638 thumbprint of the DPoP key the code is bound to.
    pub dpop_jkt: String,
    /// Whatever the partner passed as `appState`, returned after login.
    pub app_state: Option<Value>,
    /// When the attempt started, Unix seconds.
    pub created_at: i64,
    /// The provider metadata the attempt was made with ([`ProviderMetadata::to_json`]),
    /// unchecked until its callback reads it back
    /// ([`super::LoginClient::accept_callback`]): the code is redeemed at the token
    /// endpoint of the metadata that sent the user to the provider, without fetching it
    /// again on the callback page (one round trip fewer before the login ends).
    pub metadata: Option<Value>,
}

impl Transaction {
    /// The transaction as a JSON object (snake_case members, `app_state` only when set),
    /// as stored between the redirect and the callback.
    pub fn to_json(&self) -> Value {
        let mut m = Map::from_pairs([
            ("state", self.state.secret().into()),
            ("nonce", self.nonce.secret().into()),
            ("code_verifier", self.code_verifier.secret().into()),
            ("redirect_uri", self.redirect_uri.as_str().into()),
            ("dpop_jkt", self.dpop_jkt.as_str().into()),
        ]);
        json::put(&mut m, "app_state", self.app_state.clone());
        m.push_new("created_at".into(), self.created_at.into());
        json::put(&mut m, "metadata", self.metadata.clone());
        Value::Object(m)
    }

    /// Reads a stored transaction (other members ignored; `app_state` `null` or absent
    /// is `None`).
    ///
    /// # Errors
    ///
    /// A [`ShapeError`] naming the first missing or ill-typed member.
    pub fn from_json(value: &Value) -> Result<Self, ShapeError> {
        let f = Fields::of(value)?;
        let text = json::string;
        Ok(Self {
            state: State(f.required("state", text)?),
            nonce: Nonce(f.required("nonce", text)?),
            code_verifier: PkceVerifier(f.required("code_verifier", text)?),
            redirect_uri: f.required("redirect_uri", text)?,
            dpop_jkt: f.required("dpop_jkt", text)?,
            app_state: f.optional("app_state", |v| Some(v.clone()))?,
            created_at: f.required("created_at", Value::as_i64)?,
            metadata: f.optional("metadata", |v| Some(v.clone()))?,
        })
    }
}

impl fmt::Debug for Transaction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transaction")
            .field("redirect_uri", &self.redirect_uri)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

/// A ready authorization request: send the browser to `url`, keep `transaction`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationRequest {
    /// The full `authorization_endpoint` URL with its query.
    pub url: String,
    /// What to keep until the callback.
    pub transaction: Transaction,
}

pub(crate) struct RequestParams<'a> {
    pub authorization_endpoint: &'a str,
    pub client_id: &'a str,
    pub redirect_uri: &'a str,
    pub claims: &'a [String],
    pub profile: bool,
    pub ui_locales: &'a str,
    pub dpop_jkt: &'a str,
    pub app_state: Option<Value>,
    pub metadata: &'a ProviderMetadata,
    pub now: i64,
}

pub(crate) fn authorization_request(
    p: RequestParams<'_>,
) -> Result<AuthorizationRequest, NoRandomness> {
    let state = State::random()?;
    let nonce = Nonce::random()?;
    let verifier = PkceVerifier::random()?;
    let mut scope = String::from("openid");
    if !p.claims.is_empty() {
        scope.push_str(" certificate");
    }
    if p.profile {
        scope.push_str(" profile");
    }
    let challenge = verifier.challenge();
    let claims = p.claims.join(" ");
    let mut pairs: Vec<(&str, &str)> = vec![
        ("response_type", "code"),
        ("client_id", p.client_id),
        ("redirect_uri", p.redirect_uri),
        ("scope", &scope),
    ];
    if !p.claims.is_empty() {
        pairs.push(("certificate_claims", &claims));
    }
    pairs.extend([
        ("state", state.secret()),
        ("nonce", nonce.secret()),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
        ("dpop_jkt", p.dpop_jkt),
        ("ui_locales", p.ui_locales),
    ]);
    let separator = if p.authorization_endpoint.contains('?') {
        '&'
    } else {
        '?'
    };
    let url = format!("{}{separator}{}", p.authorization_endpoint, form(&pairs));
    Ok(AuthorizationRequest {
        url,
        transaction: Transaction {
            state,
            nonce,
            code_verifier: verifier,
            redirect_uri: p.redirect_uri.to_owned(),
            dpop_jkt: p.dpop_jkt.to_owned(),
            app_state: p.app_state,
            created_at: p.now,
            metadata: Some(p.metadata.to_json()),
        },
    })
}

/// The parts of an RP-initiated logout request (OpenID Connect RP-Initiated Logout 1.0 §2).
pub(crate) struct LogoutParams<'a> {
    pub end_session_endpoint: &'a str,
    /// The session's raw ID token: lets the provider end its session without asking.
    pub id_token_hint: Option<&'a str>,
    pub client_id: &'a str,
    pub post_logout_redirect_uri: Option<&'a str>,
    pub ui_locales: &'a str,
}

/// `{end_session_endpoint}?[id_token_hint&]client_id[&post_logout_redirect_uri]&state&ui_locales`;
/// without a random number generator the URL has no `state`, which RP-Initiated Logout
/// makes optional (the session is forgotten either way).
pub(crate) fn logout_url(p: LogoutParams<'_>) -> String {
    let state = random_token().ok();
    let mut pairs: Vec<(&str, &str)> = Vec::with_capacity(5);
    if let Some(hint) = p.id_token_hint {
        pairs.push(("id_token_hint", hint));
    }
    pairs.push(("client_id", p.client_id));
    if let Some(r) = p.post_logout_redirect_uri {
        pairs.push(("post_logout_redirect_uri", r));
    }
    if let Some(state) = &state {
        pairs.push(("state", state));
    }
    pairs.push(("ui_locales", p.ui_locales));
    let separator = if p.end_session_endpoint.contains('?') {
        '&'
    } else {
        '?'
    };
    format!("{}{separator}{}", p.end_session_endpoint, form(&pairs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_long_and_redacted() {
        let a = State::random().unwrap();
        let b = State::random().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.secret().len(), 43); // 256 bits ≥ 128 bits
        assert!(!format!("{a:?}").contains(a.secret()));
        let v = PkceVerifier::random().unwrap();
        assert!((43..=128).contains(&v.secret().len()));
        assert!(v
            .secret()
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    }

    #[test]
    fn pkce_s256_matches_rfc7636_appendix_b() {
        let v = PkceVerifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into());
        assert_eq!(v.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }
}
