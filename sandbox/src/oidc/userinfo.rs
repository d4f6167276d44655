//! The userinfo endpoint (PROTOCOL.md §2.5): DPoP-bound access token, proof with `ath`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use mirairo_id_sdk::dpop::access_token_hash;
use rusqlite::OptionalExtension;
use serde_json::json;

use super::Grant;
use crate::cors;
use crate::credential;
use crate::error::{ApiError, NoStoreJson};
use crate::state::AppState;
use crate::token::{check_dpop, dpop_header};
use crate::util::sha256_b64;

fn invalid_token(description: &str) -> ApiError {
    let mut e = ApiError::new(StatusCode::UNAUTHORIZED, "invalid_token", description);
    e.www_authenticate = Some(format!(
        "DPoP error=\"invalid_token\", error_description=\"{}\", algs=\"ES256\"",
        description.replace('"', "'")
    ));
    e
}

fn access_token(headers: &HeaderMap) -> Result<String, ApiError> {
    let mut all = headers.get_all(header::AUTHORIZATION).iter();
    let value = all.next().ok_or_else(|| {
        let mut e = ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "an Authorization: DPoP <access token> header is required",
        );
        e.www_authenticate = Some("DPoP algs=\"ES256\"".to_owned());
        e
    })?;
    if all.next().is_some() {
        return Err(ApiError::invalid_request(
            "exactly one Authorization header is allowed",
        ));
    }
    let text = value
        .to_str()
        .map_err(|_| ApiError::invalid_request("the Authorization header is not ASCII"))?;
    match text.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("DPoP") && !token.trim().is_empty() =>
        {
            Ok(token.trim().to_owned())
        }
        Some((scheme, _)) if scheme.eq_ignore_ascii_case("Bearer") => Err(invalid_token(
            "this access token is DPoP-bound: use the DPoP scheme, not Bearer",
        )),
        _ => Err(invalid_token(
            "the Authorization header must be 'DPoP <access token>'",
        )),
    }
}

fn userinfo_inner(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<(serde_json::Value, String), ApiError> {
    let token = access_token(headers)?;
    let proof = dpop_header(headers).map_err(ApiError::as_resource_error)?;
    let now = state.clock.now();
    let conn = state.db.lock();
    let row: Option<(i64, String, String, bool)> = conn
        .query_row(
            "SELECT a.expires, f.grant_json, f.jkt, f.revoked FROM access_tokens a JOIN families f ON f.id = a.family WHERE a.hash = ?1",
            [sha256_b64(token.as_bytes())],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((expires, grant_json, jkt, revoked)) = row else {
        return Err(invalid_token("unknown or revoked access token"));
    };
    if revoked {
        return Err(invalid_token("the access token has been revoked"));
    }
    if now >= expires {
        return Err(invalid_token("the access token has expired"));
    }
    let ath = access_token_hash(&token);
    let p = check_dpop(
        state,
        &conn,
        &proof,
        "GET",
        &state.url("/userinfo"),
        now,
        Some(&ath),
    )
    .map_err(ApiError::as_resource_error)?;
    if p.jkt != jkt {
        // The token is fine; the proof is made with another key (RFC 9449 §7.1).
        return Err(ApiError::invalid_dpop(
            "the DPoP proof is not made with the key this token is bound to",
        )
        .as_resource_error());
    }
    let grant: Grant = serde_json::from_str(&grant_json).map_err(ApiError::internal)?;
    let user = credential::load_user(&conn, &grant.user_id)?
        .ok_or_else(|| invalid_token("the user of this token no longer exists"))?;
    let salt = crate::db::pairwise_salt(&conn)?;
    let mut out = json!({ "sub": credential::pairwise_sub(&grant.client_id, &user.id, &salt) });
    if grant.has_scope("profile") {
        out["name"] = user.name().into();
        out["name_kana"] = user.name_kana().into();
    }
    Ok((out, grant.client_id))
}

/// `GET /userinfo`. Like the token endpoint, every answer carries the current DPoP
/// nonce, and CORS headers only for an origin registered for the token's client (known
/// once the token is read; any registered origin when it cannot be read).
pub async fn userinfo(State(state): State<Arc<AppState>>, headers: HeaderMap) -> impl IntoResponse {
    let origin = cors::origin(&headers);
    let result = userinfo_inner(&state, &headers);
    let mut extra = state.nonces().headers(state.clock.now());
    if let Some(o) = origin.as_deref() {
        let client = result.as_ref().ok().and_then(|(_, c)| state.client(c));
        let allowed = match client {
            Some(c) => c.origins.iter().any(|x| x == o),
            None => state.origin_registered(o),
        };
        if allowed {
            extra.extend(cors::for_origin(o, "WWW-Authenticate, DPoP-Nonce"));
        }
    }
    (extra, result.map(|(v, _)| NoStoreJson(v)))
}

/// `OPTIONS /userinfo`.
pub async fn preflight(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<(HeaderMap, Response), ApiError> {
    let origin = cors::origin(&headers);
    let allowed = origin
        .as_deref()
        .is_some_and(|o| state.origin_registered(o));
    cors::restricted_preflight(
        allowed,
        origin.as_deref(),
        "GET, OPTIONS",
        "Authorization, DPoP",
    )
}
