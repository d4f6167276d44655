//! A partner's server in Rust: it hands out single-use nonces and verifies the
//! presentations that `MirairoId.present()` makes in the browser, with the native
//! `mirairo-id-sdk` crate (the same checks as the JS `Verifier`).
//!
//! - `POST /nonce` → `{"nonce", "audience"}`
//! - `POST /verify` `{"presentation"}` → `{"verified": VerifiedCertificate}` or
//!   `{"error": <PROTOCOL.md §4 code>, "error_description"}` with status 403.
//!
//! The provider's keys come from its metadata (`/.well-known/openid-configuration` →
//! `jwks_uri`), refetched once when a credential names a `kid` the cached set lacks;
//! the status list comes from the credential's own `status.status_list.uri`, fetched
//! only from the issuer's origin.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use mirairo_id_sdk::jose::b64url_encode;
use mirairo_id_sdk::sdjwt::SdJwt;
use mirairo_id_sdk::{ErrorCode, VerifiedCertificate, Verifier, VerifierConfig, VerifyOptions};
use rand_core::{OsRng, RngCore};
use serde_json::{json, Value};

/// How long a nonce stays usable, in seconds.
pub const NONCE_TTL_SECS: i64 = 300;
/// At most this many unused nonces are kept.
pub const MAX_PENDING_NONCES: usize = 10_000;
/// The claims this partner needs disclosed.
pub const REQUIRED_CLAIMS: [&str; 1] = ["fare_class"];

/// What the server is told at start.
#[derive(Debug, Clone)]
pub struct Config {
    /// The provider, e.g. `http://127.0.0.1:8080`.
    pub issuer: String,
    /// This partner's identifier, expected as the KB-JWT `aud`.
    pub audience: String,
}

/// Why the server could not start or a provider request failed.
#[derive(Debug)]
pub struct SetupError(pub String);

impl std::fmt::Display for SetupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SetupError {}

struct Partner {
    config: Config,
    http: reqwest::Client,
    jwks_uri: String,
    verifier: RwLock<Verifier>,
    nonces: Mutex<HashMap<String, i64>>,
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

async fn get_text(http: &reqwest::Client, url: &str) -> Result<String, SetupError> {
    let res = http
        .get(url)
        .send()
        .await
        .map_err(|e| SetupError(format!("GET {url}: {e}")))?;
    if !res.status().is_success() {
        return Err(SetupError(format!("GET {url}: HTTP {}", res.status())));
    }
    res.text()
        .await
        .map_err(|e| SetupError(format!("GET {url}: {e}")))
}

async fn get_json(http: &reqwest::Client, url: &str) -> Result<Value, SetupError> {
    let text = get_text(http, url).await?;
    serde_json::from_str(&text).map_err(|e| SetupError(format!("GET {url}: not JSON: {e}")))
}

/// A JWK Set, read by the SDK's own strict JSON parser.
async fn get_jwks(
    http: &reqwest::Client,
    url: &str,
) -> Result<mirairo_id_sdk::json::Value, SetupError> {
    let text = get_text(http, url).await?;
    mirairo_id_sdk::json::parse(&text).map_err(|e| SetupError(format!("GET {url}: {e}")))
}

/// An SDK JSON value (e.g. `VerifiedCertificate::to_json`) as serde_json's, for axum.
fn to_serde(value: &mirairo_id_sdk::json::Value) -> Value {
    serde_json::from_str(&value.to_string()).unwrap_or(Value::Null)
}

/// The origin (`scheme://host:port`) of an http(s) URL.
fn origin(url: &str) -> Option<&str> {
    let scheme_end = url.find("://")? + 3;
    let rest = url.get(scheme_end..)?;
    let end = rest
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| scheme_end + i);
    url.get(..end)
}

impl Partner {
    async fn start(config: Config) -> Result<Self, SetupError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| SetupError(format!("HTTP client: {e}")))?;
        let discovery_url = format!(
            "{}/.well-known/openid-configuration",
            config.issuer.trim_end_matches('/')
        );
        let metadata = get_json(&http, &discovery_url).await?;
        if metadata.get("issuer").and_then(Value::as_str) != Some(config.issuer.as_str()) {
            return Err(SetupError(
                "the provider metadata names another issuer".into(),
            ));
        }
        let jwks_uri = metadata
            .get("jwks_uri")
            .and_then(Value::as_str)
            .ok_or_else(|| SetupError("the provider metadata has no jwks_uri".into()))?
            .to_owned();
        let jwks = get_jwks(&http, &jwks_uri).await?;
        let verifier = Verifier::new(VerifierConfig::new(config.issuer.clone(), jwks))
            .map_err(|e| SetupError(format!("verifier: {e}")))?;
        Ok(Partner {
            config,
            http,
            jwks_uri,
            verifier: RwLock::new(verifier),
            nonces: Mutex::new(HashMap::new()),
        })
    }

    fn issue_nonce(&self) -> String {
        let mut bytes = [0u8; 24];
        OsRng.fill_bytes(&mut bytes);
        let nonce = b64url_encode(&bytes);
        let now = now();
        let mut nonces = lock(&self.nonces);
        nonces.retain(|_, until| *until > now);
        if nonces.len() < MAX_PENDING_NONCES {
            nonces.insert(nonce.clone(), now + NONCE_TTL_SECS);
        }
        nonce
    }

    /// Takes `nonce` out of the store: true when it was issued here and is unexpired.
    fn consume_nonce(&self, nonce: &str) -> bool {
        lock(&self.nonces)
            .remove(nonce)
            .is_some_and(|until| until > now())
    }

    fn verifier(&self) -> Verifier {
        match self.verifier.read() {
            Ok(v) => v.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    async fn refetch_jwks(&self) -> Result<(), SetupError> {
        let jwks = get_jwks(&self.http, &self.jwks_uri).await?;
        let mut verifier = match self.verifier.write() {
            Ok(v) => v,
            Err(p) => p.into_inner(),
        };
        verifier
            .set_jwks(&jwks)
            .map_err(|e| SetupError(format!("JWKS: {e}")))
    }

    /// Every check of PROTOCOL.md §4 with key binding, this audience, a nonce this
    /// server issued (consumed, even when a later check fails) and the current status.
    async fn verify(&self, presentation: &str) -> Result<VerifiedCertificate, (ErrorCode, String)> {
        // The nonce in the KB-JWT only selects which issued nonce to demand; an
        // unknown or replayed one becomes a random value no KB-JWT carries, so the
        // verifier answers `bad_key_binding` in §4 order.
        let claimed = SdJwt::parse(presentation)
            .ok()
            .and_then(|sd| sd.key_binding()?.payload_object().ok())
            .and_then(|kb| kb.get("nonce")?.as_str().map(str::to_owned));
        let expected = claimed
            .filter(|n| self.consume_nonce(n))
            .unwrap_or_else(|| {
                let mut b = [0u8; 24];
                OsRng.fill_bytes(&mut b);
                b64url_encode(&b)
            });
        let mut options = VerifyOptions {
            audience: Some(self.config.audience.clone()),
            nonce: Some(expected),
            require_key_binding: true,
            required_claims: REQUIRED_CLAIMS.iter().map(|c| (*c).to_owned()).collect(),
            require_status: true,
            ..VerifyOptions::at(now())
        };
        let fail = |e: mirairo_id_sdk::VerifyError| (e.code(), e.detail().to_owned());

        // Phase one finds the key and the status list reference.
        let mut prepared = self.verifier().prepare(presentation, &options);
        if matches!(&prepared, Err(e) if e.code() == ErrorCode::UnknownKey) {
            // A key rotation: refetch the JWKS once and try again.
            if self.refetch_jwks().await.is_ok() {
                prepared = self.verifier().prepare(presentation, &options);
            }
        }
        let reference = prepared.map_err(fail)?.status_reference().cloned();
        if let Some(reference) = reference {
            // Only ever fetch from the provider: the URI is attacker-chosen until the
            // issuer signature has been checked.
            if origin(&reference.uri) == origin(&self.config.issuer) {
                options.status_list = get_text(&self.http, &reference.uri).await.ok();
            }
        }
        self.verifier().verify(presentation, &options).map_err(fail)
    }
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

async fn nonce(State(partner): State<Arc<Partner>>) -> Response {
    json_response(
        StatusCode::OK,
        json!({ "nonce": partner.issue_nonce(), "audience": partner.config.audience }),
    )
}

async fn verify(State(partner): State<Arc<Partner>>, body: Bytes) -> Response {
    let presentation = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("presentation")?.as_str().map(str::to_owned));
    let Some(presentation) = presentation else {
        return json_response(
            StatusCode::BAD_REQUEST,
            json!({ "error": "invalid_request", "error_description": "expected {\"presentation\": \"…\"}" }),
        );
    };
    match partner.verify(&presentation).await {
        Ok(certificate) => json_response(
            StatusCode::OK,
            json!({ "verified": to_serde(&certificate.to_json()) }),
        ),
        Err((code, detail)) => json_response(
            StatusCode::FORBIDDEN,
            json!({ "error": code.as_str(), "error_description": detail }),
        ),
    }
}

/// The server's routes, after fetching the provider's metadata and keys.
///
/// # Errors
/// [`SetupError`] when the provider cannot be reached or its metadata is wrong.
pub async fn app(config: Config) -> Result<Router, SetupError> {
    let partner = Arc::new(Partner::start(config).await?);
    Ok(Router::new()
        .route("/nonce", post(nonce))
        .route("/verify", post(verify))
        .with_state(partner))
}

#[cfg(test)]
mod tests {
    use super::origin;

    #[test]
    fn origin_of_a_url() {
        let rows = [
            (
                "http://127.0.0.1:8080/status/1",
                Some("http://127.0.0.1:8080"),
            ),
            ("http://127.0.0.1:8080", Some("http://127.0.0.1:8080")),
            ("https://id.example?x", Some("https://id.example")),
            (
                "http://127.0.0.1:8080.evil.example/s",
                Some("http://127.0.0.1:8080.evil.example"),
            ),
            ("no scheme", None),
        ];
        for (url, expected) in rows {
            assert_eq!(origin(url), expected, "{url}");
        }
    }
}
