//! The end-session endpoint (PROTOCOL.md §2.5, with OpenID Connect RP-Initiated
//! Logout 1.0).
//!
//! A logout ends the provider session only when the request shows that it comes from
//! a partner of this session, by an `id_token_hint` this provider issued for the
//! signed-in user, or when the holder confirms on the provider's own page. Otherwise
//! any web page could sign a user out with `<img src="…/logout">` (logout CSRF).
//!
//! - `GET /logout` with a valid hint (an expired one is fine): ends the session and
//!   redirects; with an invalid hint: a 400 page, nothing ended; without a hint, or with
//!   the hint of another user: the confirmation page, nothing ended.
//! - `POST /logout` (the confirmation form): the same parameters, checked the same
//!   way; refused (403) when its `Origin` is another site's.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use mirairo_id_sdk::jose::Jws;
use mirairo_id_sdk::json::Value;
use mirairo_id_sdk::{Audience, IdTokenError, IdTokenOptions, Verifier, VerifierConfig};
use rusqlite::OptionalExtension;
use serde::Deserialize;

use super::authorize::accept_en;
use super::{cookie, set_cookie, SESSION_COOKIE};
use crate::cors::is_foreign_origin;
use crate::error::{see_other, ApiError, AppError};
use crate::form::{query, single, PageForm};
use crate::pages::{self, LogoutConfirmView};
use crate::state::AppState;
use crate::util::{append_query, to_sdk};
use mirairo_id_sdk::Lang;

/// The parameters of an end-session request as received (a query or the confirmation
/// form). Any name may repeat here; [`check`] refuses a repeat with the page that names
/// it.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EndSessionParams {
    id_token_hint: Vec<String>,
    client_id: Vec<String>,
    post_logout_redirect_uri: Vec<String>,
    state: Vec<String>,
    ui_locales: Vec<String>,
}

impl EndSessionParams {
    /// Every parameter, in the order the confirmation form posts them back.
    fn in_order(&self) -> [(&'static str, &[String]); 5] {
        [
            ("id_token_hint", &self.id_token_hint),
            ("client_id", &self.client_id),
            ("post_logout_redirect_uri", &self.post_logout_redirect_uri),
            ("state", &self.state),
            ("ui_locales", &self.ui_locales),
        ]
    }
}

/// A checked end-session request.
struct EndSession {
    en: bool,
    /// The registered client's display name.
    partner: Option<String>,
    /// The validated `post_logout_redirect_uri`.
    target: Option<String>,
    state: Option<String>,
    /// The subject and client of a genuine `id_token_hint`.
    hint: Option<Hint>,
    /// The parameters as received, for the confirmation form.
    fields: Vec<(&'static str, String)>,
}

struct Hint {
    client_id: String,
    sub: String,
    /// `iat`: the hint proves a session only if it was issued during it.
    issued_at: i64,
}

fn bad(en: bool, status: StatusCode, ja: &str, english: &str) -> AppError {
    AppError::page(
        en,
        status,
        ("サインアウトできません", "Cannot sign out"),
        ja,
        english,
    )
}

/// Checks the parameters (the same for `GET` and `POST`). `Err` is the 400 page.
fn check(state: &AppState, form: &EndSessionParams, en_hint: bool) -> Result<EndSession, AppError> {
    let en = form
        .ui_locales
        .first()
        .and_then(|l| Lang::negotiate(l))
        .map_or(en_hint, |l| l == Lang::En);
    let mut fields = Vec::new();
    for (name, values) in form.in_order() {
        match single(values, name) {
            Ok(Some(v)) => fields.push((name, v.to_owned())),
            Ok(None) => {}
            Err(_) => {
                return Err(bad(
                    en,
                    StatusCode::BAD_REQUEST,
                    &format!("{name} が2回以上指定されています。"),
                    &format!("{name} is given more than once."),
                ))
            }
        }
    }
    let get = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    };
    let hint = match get("id_token_hint") {
        None => None,
        Some(token) => Some(verify_hint(state, token, get("client_id")).map_err(|()| {
            bad(
                en,
                StatusCode::BAD_REQUEST,
                "id_token_hint が、このサービスにミライロIDが発行した ID トークンではありません。",
                "id_token_hint is not an ID token that Mirairo ID issued to this service.",
            )
        })?),
    };
    // Without client_id, the hint names the client (RP-Initiated Logout 1.0 §2).
    let client_id = get("client_id").or(hint.as_ref().map(|h| h.client_id.as_str()));
    let client = client_id.and_then(|c| state.client(c));
    let target = match (client_id, get("post_logout_redirect_uri")) {
        (_, None) => None,
        (None, Some(_)) => {
            return Err(bad(
                en,
                StatusCode::BAD_REQUEST,
                "post_logout_redirect_uri には client_id が必要です。",
                "post_logout_redirect_uri needs a client_id.",
            ))
        }
        (Some(_), Some(uri)) => match client {
            None => {
                return Err(bad(
                    en,
                    StatusCode::BAD_REQUEST,
                    "このサービス（client_id）は登録されていません。",
                    "This service (client_id) is not registered.",
                ))
            }
            Some(c) if c.post_logout_redirect_uris.iter().any(|u| u == uri) => Some(uri.to_owned()),
            Some(_) => {
                return Err(bad(
                    en,
                    StatusCode::BAD_REQUEST,
                    "post_logout_redirect_uri が登録されたものと一致しません。",
                    "post_logout_redirect_uri does not match a registered one.",
                ))
            }
        },
    };
    Ok(EndSession {
        en,
        partner: client.map(|c| c.name(en).to_owned()),
        target,
        state: get("state").map(str::to_owned),
        hint,
        fields,
    })
}

/// Checks that `token` is an ID token this provider signed (with any of its keys, old
/// ones included), for this issuer, with `client_id` in `aud` (or, without
/// `client_id`, for its `azp` or single audience). Expiry does not matter
/// (RP-Initiated Logout 1.0 §4: the partner's ID token has often expired by logout).
fn verify_hint(state: &AppState, token: &str, client_id: Option<&str>) -> Result<Hint, ()> {
    let claims = Jws::parse(token)
        .and_then(|jws| jws.payload_object())
        .map_err(drop)?;
    let audience = match client_id {
        Some(c) => c.to_owned(),
        None => match (
            claims.get("azp").and_then(Value::as_str),
            claims.get("aud").and_then(Audience::from_json),
        ) {
            (Some(azp), _) => azp.to_owned(),
            (None, Some(Audience::One(one))) => one,
            (None, Some(Audience::Many(all))) if all.len() == 1 => {
                all.into_iter().next().ok_or(())?
            }
            _ => return Err(()),
        },
    };
    let jwks = {
        let conn = state.db.lock();
        crate::keys::jwks(&conn).map_err(drop)?
    };
    let verifier =
        Verifier::new(VerifierConfig::new(state.issuer.clone(), to_sdk(&jwks))).map_err(drop)?;
    let options = IdTokenOptions {
        audience: audience.clone(),
        nonce: None,
        now: state.clock.now(),
    };
    let (sub, issued_at) = match verifier.verify_id_token(token, &options) {
        Ok(c) => (c.sub, c.iat),
        // `expired` is checked after the signature, issuer, audience and claims.
        Err(IdTokenError::Expired) => (
            claims
                .get("sub")
                .and_then(Value::as_str)
                .ok_or(())?
                .to_owned(),
            claims.get("iat").and_then(Value::as_i64).ok_or(())?,
        ),
        Err(_) => return Err(()),
    };
    Ok(Hint {
        client_id: audience,
        sub,
        issued_at,
    })
}

/// The session of the session cookie.
struct Session {
    id: String,
    user_id: String,
    /// When the user signed in.
    auth_time: i64,
}

/// The signed-in session of the session cookie, if any.
fn session(state: &AppState, headers: &HeaderMap) -> rusqlite::Result<Option<Session>> {
    let Some(sid) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let conn = state.db.lock();
    conn.query_row(
        "SELECT id, user_id, auth_time FROM sessions WHERE id = ?1",
        [sid],
        |r| {
            Ok(Session {
                id: r.get(0)?,
                user_id: r.get(1)?,
                auth_time: r.get(2)?,
            })
        },
    )
    .optional()
}

/// True when the hint was issued to this session: it names the session's user (the
/// `sub` is pairwise per client) and was issued after the user signed in. An ID token
/// from an earlier session (a browser history entry, a log, a shared computer) proves
/// nothing about this one, expired or not.
fn hint_matches(state: &AppState, hint: &Hint, session: &Session) -> rusqlite::Result<bool> {
    if hint.issued_at < session.auth_time {
        return Ok(false);
    }
    let conn = state.db.lock();
    let salt = crate::db::pairwise_salt(&conn)?;
    Ok(crate::credential::pairwise_sub(&hint.client_id, &session.user_id, &salt) == hint.sub)
}

/// Ends the session (if any) and redirects to the validated URI with `state`, or shows
/// the signed-out page.
fn end_session(
    state: &AppState,
    req: &EndSession,
    sid: Option<&str>,
) -> Result<Response, AppError> {
    if let Some(sid) = sid {
        let conn = state.db.lock();
        conn.execute("DELETE FROM sessions WHERE id = ?1", [sid])
            .map_err(|e| ApiError::from(e).into_page(req.en))?;
    }
    let mut res = match &req.target {
        Some(uri) => {
            let url = match &req.state {
                Some(s) => append_query(uri, &[("state", s)]),
                None => uri.clone(),
            };
            see_other(&url)
        }
        None => pages::logged_out(req.en),
    };
    if let Some(c) = set_cookie(SESSION_COOKIE, "", Some(0)) {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(res)
}

fn confirm_page(req: &EndSession) -> Response {
    let fields: Vec<(&str, &str)> = req.fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    pages::logout_confirm(&LogoutConfirmView {
        en: req.en,
        partner: req.partner.as_deref(),
        fields: &fields,
        cancel: req.target.as_deref().unwrap_or("/"),
    })
}

/// `GET /logout?[id_token_hint&]client_id&post_logout_redirect_uri&state[&ui_locales]`.
pub async fn logout(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let en_hint = accept_en(&headers);
    let form: EndSessionParams = query(raw.as_deref()).map_err(|_| {
        bad(
            en_hint,
            StatusCode::BAD_REQUEST,
            "URL の形式が正しくありません。",
            "The address is malformed.",
        )
    })?;
    let req = check(&state, &form, en_hint)?;
    let Some(hint) = &req.hint else {
        return Ok(confirm_page(&req));
    };
    let page_error = |e: rusqlite::Error| ApiError::from(e).into_page(req.en);
    match session(&state, &headers).map_err(page_error)? {
        None => end_session(&state, &req, None),
        // Genuine, but for someone else or from an earlier session: the holder
        // decides (RP-Initiated Logout §2).
        Some(session) if !hint_matches(&state, hint, &session).map_err(page_error)? => {
            Ok(confirm_page(&req))
        }
        Some(session) => end_session(&state, &req, Some(&session.id)),
    }
}

/// `POST /logout`: the confirmation form.
pub async fn confirm(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    PageForm(form): PageForm<EndSessionParams>,
) -> Result<Response, AppError> {
    let en_hint = accept_en(&headers);
    if is_foreign_origin(&headers, &state.issuer) {
        return Err(bad(
            en_hint,
            StatusCode::FORBIDDEN,
            "このサインアウトの要求は別のサイトから送られたため、受け付けませんでした。サインアウトはしていません。",
            "This sign-out request came from another site, so it was refused. You are still signed in.",
        ));
    }
    let req = check(&state, &form, en_hint)?;
    let sid = session(&state, &headers).map_err(|e| ApiError::from(e).into_page(req.en))?;
    end_session(&state, &req, sid.as_ref().map(|s| s.id.as_str()))
}
