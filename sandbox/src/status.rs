//! The status list (draft-ietf-oauth-status-list): `GET /status/1`, a signed
//! `statuslist+jwt` with 2-bit entries (0 valid, 1 revoked, 2 suspended).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use mirairo_id_sdk::status::{StatusBits, StatusList};
use rusqlite::Connection;
use serde_json::json;

use crate::error::ApiError;
use crate::keys;
use crate::seed::STATUS_LIST_SIZE;
use crate::state::AppState;

/// `ttl` of the list: verifiers refetch after this many seconds.
pub const TTL: i64 = 300;
/// Lifetime (`exp` − `iat`) of a list JWT.
pub const LIFETIME: i64 = 3600;

/// The statuses, one per byte, [`STATUS_LIST_SIZE`] long.
///
/// # Errors
/// SQLite errors.
pub fn statuses(conn: &Connection) -> rusqlite::Result<Vec<u8>> {
    let mut out = vec![0u8; STATUS_LIST_SIZE];
    let mut stmt = conn.prepare("SELECT idx, status FROM status")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
    for row in rows {
        let (idx, status) = row?;
        if let (Ok(i), Ok(s)) = (usize::try_from(idx), u8::try_from(status)) {
            if let Some(slot) = out.get_mut(i) {
                *slot = s;
            }
        }
    }
    Ok(out)
}

/// The signed list JWT.
///
/// # Errors
/// SQLite errors, or 500 if a stored status does not fit in 2 bits.
pub fn list_jwt(state: &AppState, conn: &Connection) -> Result<String, ApiError> {
    let list = StatusList::new(StatusBits::Two, &statuses(conn)?)
        .map_err(|e| ApiError::internal(format!("status list: {e}")))?;
    let now = state.clock.now();
    let key = keys::current(conn)?;
    let payload = json!({
        "sub": state.status_uri(),
        "iat": now,
        "exp": now + LIFETIME,
        "ttl": TTL,
        "status_list": list.to_claim(),
    });
    Ok(key.sign("statuslist+jwt", &payload))
}

/// `GET /status/{list}`: only list `1` exists.
pub async fn status_list(State(state): State<Arc<AppState>>, Path(list): Path<String>) -> Response {
    let result = if list == "1" {
        let conn = state.db.lock();
        list_jwt(&state, &conn)
    } else {
        Err(ApiError::not_found(format!(
            "there is no status list '{list}'"
        )))
    };
    let mut r = match result {
        Ok(jwt) => {
            let mut r = Response::new(axum::body::Body::from(jwt));
            *r.status_mut() = StatusCode::OK;
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/statuslist+jwt"),
            );
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            r
        }
        Err(e) => e.into_response(),
    };
    crate::cors::add_public(&mut r);
    r
}
