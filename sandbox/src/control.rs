//! Control endpoints for tests (API.md "Sandbox provider"). Unauthenticated: the
//! sandbox refuses non-loopback addresses unless told otherwise.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use mirairo_id_sdk::jose::EcPublicJwk;
use mirairo_id_sdk::oidc::{CERTIFICATE_CLAIMS_SUPPORTED, DEFAULT_CERTIFICATE_CLAIMS};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::credential::{self, CredentialRequest};
use crate::error::{ApiError, NoStoreJson};
use crate::faults::{Fault, MAX_DELAY_MS};
use crate::form::{decode, is_form};
use crate::oidc::authorize::{issue_code, validate, AuthorizeParams, Refusal};
use crate::pages::certificate_summary;
use crate::seed::STATUS_LIST_SIZE;
use crate::state::AppState;

/// Refuses a control request that a browser sent from another origin. The control
/// endpoints have no authentication, and loopback alone does not stop a web page the
/// developer happens to visit from POSTing to 127.0.0.1 (a "no-cors" request still
/// arrives). Browsers always send `Origin` on a cross-origin POST; tests, CI scripts and
/// `curl` send none, and the sandbox's own pages send their own origin. The sandbox
/// wallet's deliveries (its `User-Agent`) are refused whatever the method.
pub async fn same_origin_only(
    State(state): State<Arc<AppState>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Result<Response, ApiError> {
    let foreign = crate::cors::is_foreign_origin(request.headers(), &state.issuer);
    // The sandbox wallet's own delivery to a `response_uri` (a server-side POST without
    // `Origin`) must not reach these endpoints: any QR code could name them.
    let from_wallet = request
        .headers()
        .get(header::USER_AGENT)
        .is_some_and(|ua| ua.as_bytes() == crate::wallet::DELIVERY_USER_AGENT.as_bytes());
    if from_wallet || (foreign && request.method() != axum::http::Method::GET) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "access_denied",
            "the /_sandbox/ control endpoints accept requests only from the sandbox's own pages or from non-browser clients",
        ));
    }
    Ok(next.run(request).await)
}

/// What every control endpoint answers: JSON, or a JSON error.
type Answer = Result<NoStoreJson, ApiError>;

fn json_body(body: &[u8]) -> Result<serde_json::Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::invalid_request("the body must be a JSON object")),
        Err(e) => Err(ApiError::invalid_request(format!(
            "the body is not JSON: {e}"
        ))),
    }
}

/// `POST /_sandbox/reset`: back to the seed data and keys; faults, DPoP nonce demands
/// and the page COOP cleared.
pub async fn reset(State(state): State<Arc<AppState>>) -> Answer {
    if let Ok(mut f) = state.faults.lock() {
        f.clear();
    }
    state
        .nonces()
        .configure(false, crate::dpop_nonce::DEFAULT_LIFETIME_SECS);
    state.set_page_coop(None);
    state.clear_public_cache();
    state.wallet.clear();
    state.db.reset(state.clock.now(), false)?;
    Ok(NoStoreJson(json!({ "ok": true })))
}

/// `POST /_sandbox/rotate-keys`: adds a key and signs with it; the old keys stay.
pub async fn rotate_keys(State(state): State<Arc<AppState>>) -> Answer {
    let conn = state.db.lock();
    let kid = crate::keys::rotate(&conn, state.clock.now())?;
    Ok(NoStoreJson(json!({ "ok": true, "kid": kid })))
}

/// `POST /_sandbox/status` `{"idx": n, "status": 0|1|2}`.
pub async fn set_status(State(state): State<Arc<AppState>>, body: Bytes) -> Answer {
    let m = json_body(&body)?;
    let idx = m
        .get("idx")
        .and_then(Value::as_u64)
        .filter(|&i| i < STATUS_LIST_SIZE as u64)
        .ok_or_else(|| {
            ApiError::invalid_request(format!(
                "idx must be an integer from 0 to {}",
                STATUS_LIST_SIZE - 1
            ))
        })?;
    let status = m
        .get("status")
        .and_then(Value::as_u64)
        .filter(|&s| s <= 2)
        .ok_or_else(|| ApiError::invalid_request("status must be 0, 1 or 2"))?;
    let conn = state.db.lock();
    conn.execute(
        "INSERT OR REPLACE INTO status (idx, status) VALUES (?1, ?2)",
        rusqlite::params![idx as i64, status as i64],
    )?;
    Ok(NoStoreJson(
        json!({ "ok": true, "idx": idx, "status": status }),
    ))
}

/// The largest step of `POST /_sandbox/clock`: 30 days.
pub const MAX_CLOCK_STEP: i64 = 30 * 86_400;

/// `POST /_sandbox/clock` `{"advance": seconds}`: moves the sandbox's clock forward, so
/// that tests in another process can let requests, codes and credentials expire
/// without waiting. Answers the new time as `{"now"}`.
pub async fn advance_clock(State(state): State<Arc<AppState>>, body: Bytes) -> Answer {
    let m = json_body(&body)?;
    let secs = m
        .get("advance")
        .and_then(Value::as_i64)
        .filter(|s| (0..=MAX_CLOCK_STEP).contains(s))
        .ok_or_else(|| {
            ApiError::invalid_request(format!(
                "advance must be an integer number of seconds from 0 to {MAX_CLOCK_STEP}"
            ))
        })?;
    state.clock.advance(secs);
    Ok(NoStoreJson(json!({ "now": state.clock.now() })))
}

/// `POST /_sandbox/faults` `{"path", "status", "delay_ms", "count", "body"}`;
/// `count` 0 removes the fault for that path.
pub async fn set_faults(State(state): State<Arc<AppState>>, body: Bytes) -> Answer {
    let m = json_body(&body)?;
    let path = m
        .get("path")
        .and_then(Value::as_str)
        .filter(|p| p.starts_with('/') && !p.starts_with("/_sandbox/"))
        .ok_or_else(|| {
            ApiError::invalid_request(
                "path must be a request path such as /token (not under /_sandbox/)",
            )
        })?;
    // Faults match the path only: a query string given here is ignored.
    let path = path.split(['?', '#']).next().unwrap_or(path).to_owned();
    let fault: Fault = serde_json::from_value(Value::Object(m.clone())).map_err(|e| {
        ApiError::invalid_request(format!(
            "expected {{path, status, delay_ms, count, body}}: {e}"
        ))
    })?;
    if fault.status != 0 && !(100..=599).contains(&fault.status) {
        return Err(ApiError::invalid_request(
            "status must be 0 or an HTTP status",
        ));
    }
    if fault.delay_ms > MAX_DELAY_MS {
        return Err(ApiError::invalid_request(format!(
            "delay_ms must be at most {MAX_DELAY_MS}"
        )));
    }
    if let Some(b) = &fault.body {
        if b != "malformed" {
            return Err(ApiError::invalid_request("body may only be \"malformed\""));
        }
    }
    let mut faults = match state.faults.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    };
    if fault.count == 0 {
        faults.remove(&path);
    } else {
        faults.insert(path.clone(), fault.clone());
    }
    Ok(NoStoreJson(json!({
        "ok": true, "path": path, "status": fault.status, "delay_ms": fault.delay_ms,
        "count": fault.count, "body": fault.body,
    })))
}

/// `POST /_sandbox/dpop-nonce` `{"required": bool, "lifetime_secs"?: n}`: demand
/// server-provided DPoP nonces (RFC 9449 §8) at the token and userinfo endpoints, each
/// current for `lifetime_secs` (default 300), or stop demanding them.
pub async fn dpop_nonce(State(state): State<Arc<AppState>>, body: Bytes) -> Answer {
    use crate::dpop_nonce::{DEFAULT_LIFETIME_SECS, LIFETIME_RANGE};
    let m = json_body(&body)?;
    if let Some(k) = m
        .keys()
        .find(|k| !matches!(k.as_str(), "required" | "lifetime_secs"))
    {
        return Err(ApiError::invalid_request(format!(
            "unknown member '{k}': expected {{required, lifetime_secs}}"
        )));
    }
    let required = m
        .get("required")
        .and_then(Value::as_bool)
        .ok_or_else(|| ApiError::invalid_request("required must be true or false"))?;
    let lifetime = match m.get("lifetime_secs") {
        None => DEFAULT_LIFETIME_SECS,
        Some(v) => v
            .as_i64()
            .filter(|l| LIFETIME_RANGE.contains(l))
            .ok_or_else(|| {
                ApiError::invalid_request(format!(
                    "lifetime_secs must be an integer from {} to {}",
                    LIFETIME_RANGE.start(),
                    LIFETIME_RANGE.end()
                ))
            })?,
    };
    let mut nonces = state.nonces();
    nonces.configure(required, lifetime);
    let nonce = nonces.current(state.clock.now());
    Ok(NoStoreJson(
        json!({ "ok": true, "required": required, "lifetime_secs": lifetime, "nonce": nonce }),
    ))
}

/// `POST /_sandbox/expire-access-tokens`: every access token issued so far expires now
/// (refresh tokens stay good), so a client's `invalid_token` recovery can be tested
/// without moving the clock (which would also move the `iat` of new ID tokens).
pub async fn expire_access_tokens(State(state): State<Arc<AppState>>) -> Answer {
    let conn = state.db.lock();
    let n = conn.execute("UPDATE access_tokens SET expires = ?1", [state.clock.now()])?;
    Ok(NoStoreJson(json!({ "ok": true, "expired": n })))
}

/// `POST /_sandbox/coop` `{"policy": "same-origin" | "same-origin-allow-popups" |
/// "unsafe-none" | null}`: serve the static pages (www/ and /examples/) with this
/// `Cross-Origin-Opener-Policy`, as a partner site may; the provider's own pages
/// (sign-in, consent) keep none. `null` stops it.
pub async fn coop(State(state): State<Arc<AppState>>, body: Bytes) -> Answer {
    let m = json_body(&body)?;
    let policy = match m.get("policy") {
        Some(Value::Null) => None,
        Some(Value::String(s)) => Some(match s.as_str() {
            "same-origin" => "same-origin",
            "same-origin-allow-popups" => "same-origin-allow-popups",
            "unsafe-none" => "unsafe-none",
            _ => {
                return Err(ApiError::invalid_request(
                    "policy must be same-origin, same-origin-allow-popups, unsafe-none or null",
                ))
            }
        }),
        _ => {
            return Err(ApiError::invalid_request(
                "policy must be same-origin, same-origin-allow-popups, unsafe-none or null",
            ))
        }
    };
    state.set_page_coop(policy);
    Ok(NoStoreJson(json!({ "ok": true, "policy": policy })))
}

/// `POST /_sandbox/issue` `{"user", "certificate", "claims", "holder_jwk"}` →
/// `{"credential"}`.
pub async fn issue(State(state): State<Arc<AppState>>, body: Bytes) -> Answer {
    let m = json_body(&body)?;
    let user_id = m
        .get("user")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::invalid_request("user is required (e.g. \"hanako\")"))?;
    let idx = match m.get("certificate") {
        None | Some(Value::Null) => 0,
        Some(v) => v
            .as_i64()
            .ok_or_else(|| ApiError::invalid_request("certificate must be an index"))?,
    };
    let claims: Vec<String> = match m.get("claims") {
        None | Some(Value::Null) => DEFAULT_CERTIFICATE_CLAIMS.map(str::to_owned).into(),
        Some(Value::Array(a)) => {
            let mut out = Vec::new();
            for c in a {
                let name = c
                    .as_str()
                    .filter(|n| CERTIFICATE_CLAIMS_SUPPORTED.contains(n))
                    .ok_or_else(|| {
                        ApiError::invalid_request(format!("unknown certificate claim {c}"))
                    })?;
                out.push(name.to_owned());
            }
            out
        }
        Some(_) => {
            return Err(ApiError::invalid_request(
                "claims must be an array of names",
            ))
        }
    };
    let holder = m
        .get("holder_jwk")
        .ok_or_else(|| ApiError::invalid_request("holder_jwk (EC P-256 public JWK) is required"))
        .and_then(|v| {
            EcPublicJwk::from_json(&crate::util::to_sdk(v))
                .map_err(|_| ApiError::invalid_request("holder_jwk is not an EC P-256 public JWK"))
        })?;
    let conn = state.db.lock();
    let user = credential::load_user(&conn, user_id)?
        .ok_or_else(|| ApiError::invalid_request(format!("unknown user '{user_id}'")))?;
    let cert = user
        .certificates
        .iter()
        .find(|c| c.idx == idx)
        .ok_or_else(|| {
            ApiError::invalid_request(format!("user '{user_id}' has no certificate {idx}"))
        })?;
    let cred = credential::issue(
        &conn,
        &CredentialRequest {
            issuer: &state.issuer,
            status_uri: &state.status_uri(),
            now: state.clock.now(),
            user: &user,
            cert,
            claims: &claims,
            holder: &holder,
        },
    )?;
    Ok(NoStoreJson(json!({ "credential": cred })))
}

/// What `POST /_sandbox/authorize` decides beside the `/authorize` parameters (each
/// at most once).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Decision {
    user: Option<String>,
    certificate: Option<String>,
    consent: Option<String>,
    action: Option<String>,
}

/// `POST /_sandbox/authorize` (form: the `/authorize` parameters plus `user`,
/// `certificate`, `consent`, optionally `action=cancel`) → `{"redirect": …}`.
pub async fn authorize(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    if !is_form(&headers) {
        return Err(ApiError::invalid_request(
            "send the parameters as application/x-www-form-urlencoded",
        ));
    }
    let form_error = |e| ApiError::invalid_request(format!("form body: {e}"));
    let params: AuthorizeParams = decode(&body).map_err(form_error)?;
    let decision: Decision = decode(&body).map_err(form_error)?;
    let req = match validate(&state, &params, false) {
        Ok(r) => r,
        Err(Refusal::Redirect(url)) => return Ok(NoStoreJson(json!({ "redirect": url }))),
        Err(Refusal::Page { code, en, .. }) => {
            let status = if code == "invalid_client" {
                StatusCode::UNAUTHORIZED
            } else {
                StatusCode::BAD_REQUEST
            };
            return Err(ApiError::new(status, code, en));
        }
    };
    if decision.action.as_deref() == Some("cancel") {
        let url = crate::oidc::authorize::error_redirect(
            &state.issuer,
            &req.redirect_uri,
            "access_denied",
            "the holder cancelled",
            Some(&req.state),
        );
        return Ok(NoStoreJson(json!({ "redirect": url })));
    }
    let user = decision.user.as_deref().unwrap_or("hanako");
    let certificate = match decision.certificate.as_deref() {
        None | Some("") => None,
        Some(c) => Some(
            c.parse::<i64>()
                .map_err(|_| ApiError::invalid_request("certificate must be an index such as 0"))?,
        ),
    };
    let consent: Vec<String> = match decision.consent.as_deref() {
        None => req.claims.clone(),
        Some(list) => list
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    };
    let conn = state.db.lock();
    let url = issue_code(
        &state,
        &conn,
        &req,
        user,
        certificate,
        consent,
        state.clock.now(),
    )?;
    Ok(NoStoreJson(json!({ "redirect": url })))
}

/// `GET /_sandbox/users`: the seeded users and their certificates.
pub async fn users(State(state): State<Arc<AppState>>) -> Answer {
    let conn = state.db.lock();
    let users = credential::load_users(&conn)?;
    let mut out = Vec::new();
    for u in &users {
        let mut certs = Vec::new();
        for c in &u.certificates {
            let mut claims = serde_json::Map::new();
            for name in CERTIFICATE_CLAIMS_SUPPORTED {
                if let Some(v) = credential::claim_value(u, c, name) {
                    claims.insert(name.to_owned(), v);
                }
            }
            certs.push(json!({
                    "index": c.idx,
                    "summary": { "ja": certificate_summary(false, c), "en": certificate_summary(true, c) },
                    "status_idx": c.status_idx,
                    "status": credential::status_of(&conn, c.status_idx)?,
                    "claims": claims,
                }));
        }
        out.push(json!({
            "id": u.id,
            "name": u.name(),
            "name_kana": u.name_kana(),
            "birthdate": u.birthdate,
            "note": { "ja": u.note_ja, "en": u.note_en },
            "certificates": certs,
        }));
    }
    Ok(NoStoreJson(json!({ "users": out })))
}
