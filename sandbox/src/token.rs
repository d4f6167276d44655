//! The token endpoint (PROTOCOL.md §2.3): authorization code + PKCE + DPoP, refresh
//! token rotation with reuse detection, CORS for the client's registered origins.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use mirairo_id_sdk::dpop::{verify_dpop_proof, DpopError, DpopProof};
use mirairo_id_sdk::form::{Form, FormError};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{Map, Value};

use crate::cors;
use crate::credential::{self, CredentialRequest, IdTokenRequest, TOKEN_TTL};
use crate::error::{ApiError, NoStoreJson};
use crate::form::is_form;
use crate::oidc::Grant;
use crate::state::AppState;
use crate::util::{random_token, sha256_b64};

/// Accepted DPoP `iat` skew, seconds.
pub const DPOP_LEEWAY: u64 = 60;

/// A DPoP error's description.
pub fn dpop_description(e: DpopError) -> String {
    let what = match e {
        DpopError::Malformed => "the DPoP proof is not a well-formed JWT",
        DpopError::UnsupportedAlgorithm => "the DPoP proof must use alg ES256",
        DpopError::WrongType => "the DPoP proof must have typ dpop+jwt",
        DpopError::InvalidKey => "the DPoP proof header must carry a public EC P-256 jwk",
        DpopError::BadSignature => "the DPoP proof signature does not verify",
        DpopError::MissingClaim => "the DPoP proof lacks jti, htm, htu or iat",
        DpopError::WrongMethod => "the DPoP proof htm does not match the request method",
        DpopError::WrongUri => "the DPoP proof htu does not match the endpoint URL",
        DpopError::StaleOrFuture => "the DPoP proof iat is not within 60 seconds of now",
        DpopError::AthMismatch => "the DPoP proof ath does not match the access token",
        DpopError::UseNonce => "the DPoP proof must carry the nonce given in the DPoP-Nonce header",
        _ => "the DPoP proof was refused",
    };
    what.to_owned()
}

/// The single `DPoP` header.
///
/// # Errors
/// `invalid_dpop_proof` when it is missing, repeated or not ASCII.
pub fn dpop_header(headers: &HeaderMap) -> Result<String, ApiError> {
    let mut all = headers.get_all("dpop").iter();
    let first = all
        .next()
        .ok_or_else(|| ApiError::invalid_dpop("a DPoP header with a proof is required"))?;
    if all.next().is_some() {
        return Err(ApiError::invalid_dpop("exactly one DPoP header is allowed"));
    }
    first
        .to_str()
        .map(str::to_owned)
        .map_err(|_| ApiError::invalid_dpop("the DPoP header is not ASCII"))
}

/// Verifies a proof for `htm`/`htu`, then the nonce policy of `state`
/// (`/_sandbox/dpop-nonce`), and records its `jti` (each accepted once).
///
/// # Errors
/// `invalid_dpop_proof` for a refused or replayed proof; `use_dpop_nonce` when a
/// nonce is required and the proof lacks a current one.
pub fn check_dpop(
    state: &AppState,
    conn: &Connection,
    proof: &str,
    htm: &str,
    htu: &str,
    now: i64,
    ath: Option<&str>,
) -> Result<DpopProof, ApiError> {
    let p = verify_dpop_proof(proof, htm, htu, now, DPOP_LEEWAY, ath)
        .map_err(|e| ApiError::invalid_dpop(dpop_description(e)))?;
    state
        .nonces()
        .check(&p, now)
        .map_err(|_| ApiError::use_dpop_nonce())?;
    // Proofs older than the window are refused by iat anyway: forget their jti.
    conn.execute(
        "DELETE FROM dpop_jti WHERE seen < ?1",
        params![now - 2 * DPOP_LEEWAY as i64 - 60],
    )?;
    let key = format!("{}:{}", p.jkt, p.jti);
    let inserted = conn.execute(
        "INSERT OR IGNORE INTO dpop_jti (jti, seen) VALUES (?1, ?2)",
        params![key, now],
    )?;
    if inserted == 0 {
        return Err(ApiError::invalid_dpop(
            "this DPoP proof (jti) was already used",
        ));
    }
    Ok(p)
}

fn revoke_family(conn: &Connection, family: &str) -> rusqlite::Result<()> {
    conn.execute("UPDATE families SET revoked = 1 WHERE id = ?1", [family])?;
    conn.execute("DELETE FROM access_tokens WHERE family = ?1", [family])?;
    Ok(())
}

/// Issues access + refresh tokens, an ID token and (with `certificate`) a credential.
fn issue_tokens(
    state: &AppState,
    conn: &Connection,
    family: &str,
    grant: &Grant,
    holder: &DpopProof,
    now: i64,
) -> Result<Value, ApiError> {
    let user = credential::load_user(conn, &grant.user_id)?
        .ok_or_else(|| ApiError::invalid_grant("the user of this grant no longer exists"))?;
    let access = random_token(32);
    let refresh = random_token(32);
    conn.execute(
        "INSERT INTO access_tokens (hash, family, expires) VALUES (?1, ?2, ?3)",
        params![sha256_b64(access.as_bytes()), family, now + TOKEN_TTL],
    )?;
    conn.execute(
        "INSERT INTO refresh_tokens (hash, family) VALUES (?1, ?2)",
        params![sha256_b64(refresh.as_bytes()), family],
    )?;
    let salt = crate::db::pairwise_salt(conn)?;
    let sub = credential::pairwise_sub(&grant.client_id, &user.id, &salt);
    let id_token = credential::id_token(
        conn,
        &IdTokenRequest {
            issuer: &state.issuer,
            sub: &sub,
            client_id: &grant.client_id,
            now,
            auth_time: grant.auth_time,
            nonce: &grant.nonce,
            profile: grant.has_scope("profile").then_some(&user),
        },
    )?;
    let mut out = Map::new();
    out.insert("access_token".into(), access.into());
    out.insert("token_type".into(), "DPoP".into());
    out.insert("expires_in".into(), TOKEN_TTL.into());
    out.insert("refresh_token".into(), refresh.into());
    out.insert("scope".into(), grant.scope.join(" ").into());
    out.insert("id_token".into(), id_token.into());
    if grant.has_scope("certificate") {
        let idx = grant.certificate.unwrap_or(0);
        let cert = user
            .certificates
            .iter()
            .find(|c| c.idx == idx)
            .ok_or_else(|| {
                ApiError::invalid_grant("the certificate of this grant no longer exists")
            })?;
        let cred = credential::issue(
            conn,
            &CredentialRequest {
                issuer: &state.issuer,
                status_uri: &state.status_uri(),
                now,
                user: &user,
                cert,
                claims: &grant.claims,
                holder: &holder.jwk,
            },
        )?;
        out.insert("certificate_credential".into(), cred.into());
    }
    Ok(Value::Object(out))
}

fn required<'a>(form: &'a Form, name: &str) -> Result<&'a str, ApiError> {
    match form.get(name) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(ApiError::invalid_request(format!("{name} is required"))),
    }
}

fn verifier_ok(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

fn authorization_code(
    state: &AppState,
    form: &Form,
    client_id: &str,
    proof: &str,
) -> Result<Value, ApiError> {
    let code = required(form, "code")?;
    let redirect_uri = required(form, "redirect_uri")?;
    let verifier = required(form, "code_verifier")?;
    let now = state.clock.now();
    let mut conn = state.db.lock();
    let tx = conn.transaction()?;
    let holder = check_dpop(state, &tx, proof, "POST", &state.url("/token"), now, None);
    let holder = match holder {
        Ok(h) => h,
        Err(e) => {
            tx.commit()?;
            return Err(e);
        }
    };
    let code_hash = sha256_b64(code.as_bytes());
    let row: Option<(String, i64, bool, Option<String>)> = tx
        .query_row(
            "SELECT grant_json, expires, used, family FROM codes WHERE code_hash = ?1",
            [&code_hash],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((grant_json, expires, used, family)) = row else {
        tx.commit()?;
        return Err(ApiError::invalid_grant("unknown authorization code"));
    };
    if used {
        if let Some(f) = family {
            revoke_family(&tx, &f)?;
        }
        tx.commit()?;
        return Err(ApiError::invalid_grant(
            "the authorization code was already used; every token issued from it is revoked",
        ));
    }
    // One attempt per code: whatever happens next, it cannot be redeemed again.
    tx.execute(
        "UPDATE codes SET used = 1 WHERE code_hash = ?1",
        [&code_hash],
    )?;
    let result = (|| {
        let grant: Grant = serde_json::from_str(&grant_json).map_err(ApiError::internal)?;
        if now >= expires {
            return Err(ApiError::invalid_grant(
                "the authorization code has expired",
            ));
        }
        if grant.client_id != client_id {
            return Err(ApiError::invalid_grant(
                "the authorization code was issued to another client",
            ));
        }
        if grant.redirect_uri != redirect_uri {
            return Err(ApiError::invalid_grant(
                "redirect_uri differs from the authorization request",
            ));
        }
        if !verifier_ok(verifier) || sha256_b64(verifier.as_bytes()) != grant.code_challenge {
            return Err(ApiError::invalid_grant(
                "code_verifier does not match the code_challenge (PKCE S256)",
            ));
        }
        if holder.jkt != grant.dpop_jkt {
            return Err(ApiError::invalid_dpop(
                "the DPoP key does not match the dpop_jkt of the authorization request",
            ));
        }
        let family = random_token(16);
        tx.execute(
            "INSERT INTO families (id, grant_json, jkt) VALUES (?1, ?2, ?3)",
            params![family, grant_json, holder.jkt],
        )?;
        tx.execute(
            "UPDATE codes SET family = ?1 WHERE code_hash = ?2",
            params![family, code_hash],
        )?;
        issue_tokens(state, &tx, &family, &grant, &holder, now)
    })();
    tx.commit()?;
    result
}

fn refresh_token(
    state: &AppState,
    form: &Form,
    client_id: &str,
    proof: &str,
) -> Result<Value, ApiError> {
    let token = required(form, "refresh_token")?;
    let now = state.clock.now();
    let mut conn = state.db.lock();
    let tx = conn.transaction()?;
    let holder = match check_dpop(state, &tx, proof, "POST", &state.url("/token"), now, None) {
        Ok(h) => h,
        Err(e) => {
            tx.commit()?;
            return Err(e);
        }
    };
    let hash = sha256_b64(token.as_bytes());
    let row: Option<(String, bool, String, String, bool)> = tx
        .query_row(
            "SELECT r.family, r.used, f.grant_json, f.jkt, f.revoked FROM refresh_tokens r JOIN families f ON f.id = r.family WHERE r.hash = ?1",
            [&hash],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?;
    let Some((family, used, grant_json, jkt, revoked)) = row else {
        tx.commit()?;
        return Err(ApiError::invalid_grant("unknown refresh token"));
    };
    let result = (|| {
        if revoked {
            return Err(ApiError::invalid_grant(
                "this refresh token has been revoked",
            ));
        }
        let grant: Grant = serde_json::from_str(&grant_json).map_err(ApiError::internal)?;
        if grant.client_id != client_id {
            return Err(ApiError::invalid_grant(
                "the refresh token was issued to another client",
            ));
        }
        if holder.jkt != jkt {
            return Err(ApiError::invalid_dpop(
                "the DPoP key differs from the one the refresh token is bound to",
            ));
        }
        if used {
            revoke_family(&tx, &family)?;
            return Err(ApiError::invalid_grant(
                "the refresh token was already used (rotation); every token of this login is revoked",
            ));
        }
        tx.execute(
            "UPDATE refresh_tokens SET used = 1 WHERE hash = ?1",
            [&hash],
        )?;
        issue_tokens(state, &tx, &family, &grant, &holder, now)
    })();
    tx.commit()?;
    result
}

/// The largest token request body read: a token request is a few hundred bytes.
pub const MAX_TOKEN_BODY: usize = 16 * 1024;

/// A refused token request, and whether the request's `Origin` may read the refusal.
type Refused = (ApiError, bool);

/// `POST /token`.
///
/// Every answer, success or error, is never cached (`Cache-Control: no-store`,
/// `Pragma: no-cache`), carries the current DPoP nonce when nonces are demanded, and
/// has CORS headers only when the page's origin is registered for the `client_id` in
/// the body: that is known only once the body is read, so the headers are added here
/// around the result rather than by a CORS layer (see docs/contract-notes.md,
/// sandbox-errors).
pub async fn token(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let origin = cors::origin(&headers);
    let (result, readable) = match token_inner(&state, &headers, &body, origin.as_deref()) {
        Ok(v) => (Ok(NoStoreJson(v)), true),
        Err((e, readable)) => (Err(e), readable),
    };
    let mut extra = HeaderMap::new();
    extra.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    extra.extend(state.nonces().headers(state.clock.now()));
    if let (Some(o), true) = (origin.as_deref(), readable) {
        extra.extend(cors::for_origin(o, "WWW-Authenticate, DPoP-Nonce"));
    }
    (extra, result)
}

/// The token answer, or the refusal and whether the request's origin may read it.
fn token_inner(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
    origin: Option<&str>,
) -> Result<Value, Refused> {
    let origin_registered = origin.is_some_and(|o| state.origin_registered(o));
    // Until the client is known, the origin may read a refusal if it is registered for
    // any client.
    let early = |e: ApiError| (e, origin_registered);
    if !is_form(headers) {
        return Err(early(ApiError::invalid_request(
            "the body must be application/x-www-form-urlencoded",
        )));
    }
    // A protocol body: read whole by the SDK core's strict decoder (a repeated
    // parameter, a bad escape or invalid UTF-8 is refused).
    let form = std::str::from_utf8(body)
        .map_err(|_| FormError::BadEncoding)
        .and_then(|text| Form::parse(text, MAX_TOKEN_BODY))
        .map_err(|e| early(ApiError::invalid_request(format!("form body: {e}"))))?;
    let client_id = required(&form, "client_id").map_err(early)?;
    let client = state.client(client_id).ok_or_else(|| {
        early(ApiError::invalid_client(format!(
            "unknown client_id '{client_id}'"
        )))
    })?;
    if let Some(o) = origin {
        if !client.origins.iter().any(|c| c == o) {
            // No CORS headers: the browser will not let the page read this.
            return Err((
                ApiError::invalid_client(format!(
                    "origin {o} is not registered for client '{client_id}'"
                )),
                false,
            ));
        }
    }
    // From here on the origin (if any) is the client's: it reads every answer.
    let answered = |e: ApiError| (e, true);
    let grant_type = match form.get("grant_type") {
        Some(g @ ("authorization_code" | "refresh_token")) => g,
        Some(other) => {
            return Err(answered(ApiError::new(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                format!("grant_type '{other}' is not supported"),
            )))
        }
        None => {
            return Err(answered(ApiError::invalid_request(
                "grant_type is required",
            )))
        }
    };
    let proof = dpop_header(headers).map_err(answered)?;
    if grant_type == "authorization_code" {
        authorization_code(state, &form, client_id, &proof)
    } else {
        refresh_token(state, &form, client_id, &proof)
    }
    .map_err(answered)
}

/// `OPTIONS /token`: preflight for the registered origins only.
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
        "POST, OPTIONS",
        "Content-Type, DPoP",
    )
}
