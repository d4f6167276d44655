//! OpenID Connect: metadata (§1), JWKS, the authorization endpoint (§2.1–2.2),
//! userinfo and end-session (§2.5).

pub mod authorize;
pub mod logout;
pub mod userinfo;

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::IntoResponse;
use mirairo_id_sdk::oidc::CERTIFICATE_CLAIMS_SUPPORTED;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::{ApiError, NoStoreJson};
use crate::state::AppState;

/// What a code (and the token family it starts) grants; stored as JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Grant {
    /// The client.
    pub client_id: String,
    /// The redirect URI of the authorization request.
    pub redirect_uri: String,
    /// The user.
    pub user_id: String,
    /// The chosen certificate (with scope `certificate`).
    pub certificate: Option<i64>,
    /// The claims the holder agreed to disclose, in request order.
    pub claims: Vec<String>,
    /// The granted scopes.
    pub scope: Vec<String>,
    /// The request's nonce.
    pub nonce: String,
    /// Sign-in time.
    pub auth_time: i64,
    /// PKCE S256 challenge.
    pub code_challenge: String,
    /// RFC 7638 thumbprint the code is bound to.
    pub dpop_jkt: String,
}

impl Grant {
    /// True when `scope` was granted.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scope.iter().any(|s| s == scope)
    }
}

/// `GET /.well-known/openid-configuration`.
pub async fn discovery(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    let u = |p: &str| state.url(p);
    let body = json!({
        "issuer": state.issuer,
        "authorization_endpoint": u("/authorize"),
        "token_endpoint": u("/token"),
        "jwks_uri": u("/jwks.json"),
        "userinfo_endpoint": u("/userinfo"),
        "end_session_endpoint": u("/logout"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["pairwise"],
        "code_challenge_methods_supported": ["S256"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "dpop_signing_alg_values_supported": ["ES256"],
        "token_endpoint_auth_methods_supported": ["none"],
        "authorization_response_iss_parameter_supported": true,
        "scopes_supported": ["openid", "profile", "certificate"],
        "claims_supported": ["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "name", "name_kana"],
        "ui_locales_supported": ["ja", "en"],
        "certificate_claims_supported": CERTIFICATE_CLAIMS_SUPPORTED,
        "credential_vct": crate::credential::VCT,
        "status_list_uri": state.status_uri(),
        "places_endpoint": u("/api/v1/places"),
        "coupons_endpoint": u("/api/v1/coupons"),
    });
    public_json(body, "public, max-age=60")
}

/// `GET /jwks.json`.
pub async fn jwks(State(state): State<Arc<AppState>>) -> Result<impl IntoResponse, ApiError> {
    let conn = state.db.lock();
    let set = crate::keys::jwks(&conn)?;
    Ok(public_json(set, "no-cache"))
}

/// A public JSON document with its own `Cache-Control`.
fn public_json(body: serde_json::Value, cache: &'static str) -> impl IntoResponse {
    ([(header::CACHE_CONTROL, cache)], NoStoreJson(body))
}

/// The value of a cookie.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// The provider session cookie.
pub const SESSION_COOKIE: &str = "mirairo_sandbox_session";
/// The browser-binding cookie (ties a pending request to the browser that started it).
pub const BROWSER_COOKIE: &str = "mirairo_sandbox_browser";

/// A `Set-Cookie` value (HttpOnly, SameSite=Lax, path /).
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>) -> Option<HeaderValue> {
    let age = max_age
        .map(|a| format!("; Max-Age={a}"))
        .unwrap_or_default();
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax{age}"
    ))
    .ok()
}
