//! The end-session endpoint (PROTOCOL.md §2.5).

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;

use super::{cookie, set_cookie, SESSION_COOKIE};
use crate::pages::{self, t};
use crate::state::AppState;
use crate::util::{append_query, Form};

/// `GET /logout?client_id&post_logout_redirect_uri&state[&ui_locales]`: ends the
/// provider session, then redirects to a registered URI (or shows a page).
pub async fn logout(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let form = Form::parse(raw.unwrap_or_default().as_bytes()).unwrap_or_default();
    let en = form
        .first("ui_locales")
        .is_some_and(|l| l.trim_start().starts_with("en"));
    let bad = |ja: &str, english: &str| {
        pages::error_page(
            en,
            StatusCode::BAD_REQUEST,
            t(en, "サインアウトできません", "Cannot sign out"),
            t(en, ja, english),
        )
    };
    let target = match (
        form.first("client_id"),
        form.first("post_logout_redirect_uri"),
    ) {
        (_, None) => None,
        (None, Some(_)) => {
            return bad(
                "post_logout_redirect_uri には client_id が必要です。",
                "post_logout_redirect_uri needs a client_id.",
            )
        }
        (Some(c), Some(uri)) => match state.client(c) {
            None => {
                return bad(
                    "このサービス（client_id）は登録されていません。",
                    "This service (client_id) is not registered.",
                )
            }
            Some(client) if client.post_logout_redirect_uris.iter().any(|u| u == uri) => {
                Some(uri.to_owned())
            }
            Some(_) => {
                return bad(
                    "post_logout_redirect_uri が登録されたものと一致しません。",
                    "post_logout_redirect_uri does not match a registered one.",
                )
            }
        },
    };
    if let Some(sid) = cookie(&headers, SESSION_COOKIE) {
        let conn = state.db.lock();
        if let Err(e) = conn.execute("DELETE FROM sessions WHERE id = ?1", [sid]) {
            return crate::error::ApiError::from(e).into_page(en);
        }
    }
    let mut res = match target {
        Some(uri) => {
            let url = match form.first("state") {
                Some(s) => append_query(&uri, &[("state", s)]),
                None => uri,
            };
            let mut r = Response::new(axum::body::Body::empty());
            *r.status_mut() = StatusCode::SEE_OTHER;
            if let Ok(v) = HeaderValue::from_str(&url) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r
        }
        None => pages::logged_out(en),
    };
    if let Some(c) = set_cookie(SESSION_COOKIE, "", Some(0)) {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}
