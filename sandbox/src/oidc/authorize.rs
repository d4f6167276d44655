//! The authorization endpoint (PROTOCOL.md §2.1–2.2): request validation, the sign-in
//! and consent pages, and code issuance (shared with `POST /_sandbox/authorize`).

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use mirairo_id_sdk::oidc::{CERTIFICATE_CLAIMS_SUPPORTED, DEFAULT_CERTIFICATE_CLAIMS};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::{cookie, set_cookie, Grant, BROWSER_COOKIE, SESSION_COOKIE};
use crate::credential::{load_user, load_users};
use crate::error::{see_other, ApiError, AppError};
use crate::form::{query, refused_page, single, PageForm};
use crate::pages::{self, t, ConsentView, FormIds};
use crate::state::AppState;
use crate::util::{append_query, random_token, sha256_b64, today_jst};
use mirairo_id_sdk::Lang;

/// How long a pending request (sign-in and consent pages) lives.
pub const PENDING_TTL: i64 = 30 * 60;

/// A validated authorization request, kept while the pages are shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthRequest {
    /// The client.
    pub client_id: String,
    /// Exactly one of its registered redirect URIs.
    pub redirect_uri: String,
    /// Requested scopes (`openid` included).
    pub scope: Vec<String>,
    /// Requested certificate claims (empty without scope `certificate`).
    pub claims: Vec<String>,
    /// The client's state.
    pub state: String,
    /// The client's nonce.
    pub nonce: String,
    /// PKCE S256 challenge.
    pub code_challenge: String,
    /// DPoP key thumbprint.
    pub dpop_jkt: String,
    /// Pages in English.
    pub en: bool,
    /// The signed-in user, once chosen.
    #[serde(default)]
    pub user: Option<String>,
    /// When the user signed in.
    #[serde(default)]
    pub auth_time: Option<i64>,
    /// The browser cookie that started it (none for `/_sandbox/authorize`).
    #[serde(default)]
    pub browser: Option<String>,
}

impl AuthRequest {
    /// True when `scope` was requested.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scope.iter().any(|s| s == scope)
    }
}

/// The parameters of §2.1 as received. Any name may repeat here: [`validate`] decides
/// what a repeat means (an error page for `client_id` and `redirect_uri`, which say
/// where an error may go; an error redirect for the others, RFC 6749 §4.1.2.1).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AuthorizeParams {
    /// `client_id`.
    pub client_id: Vec<String>,
    /// `redirect_uri`.
    pub redirect_uri: Vec<String>,
    /// `response_type`.
    pub response_type: Vec<String>,
    /// `scope`.
    pub scope: Vec<String>,
    /// `state`.
    pub state: Vec<String>,
    /// `nonce`.
    pub nonce: Vec<String>,
    /// `code_challenge`.
    pub code_challenge: Vec<String>,
    /// `code_challenge_method`.
    pub code_challenge_method: Vec<String>,
    /// `dpop_jkt`.
    pub dpop_jkt: Vec<String>,
    /// `certificate_claims`.
    pub certificate_claims: Vec<String>,
    /// `ui_locales`.
    pub ui_locales: Vec<String>,
    /// `prompt`.
    pub prompt: Vec<String>,
}

/// Why a request was refused.
#[derive(Debug)]
pub enum Refusal {
    /// Unknown client or redirect URI: show an error page, never redirect.
    Page {
        /// `invalid_client` or `invalid_request`.
        code: &'static str,
        /// Japanese message.
        ja: String,
        /// English message.
        en: String,
    },
    /// Redirect back to the client with `error`.
    Redirect(String),
}

/// `{redirect_uri}?error=…&error_description=…&state=…&iss=…`.
pub fn error_redirect(
    issuer: &str,
    redirect_uri: &str,
    error: &str,
    description: &str,
    state: Option<&str>,
) -> String {
    let mut params: Vec<(&str, &str)> = vec![("error", error), ("error_description", description)];
    if let Some(s) = state {
        params.push(("state", s));
    }
    params.push(("iss", issuer));
    append_query(redirect_uri, &params)
}

fn is_b64url(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Validates the parameters of §2.1.
///
/// # Errors
/// [`Refusal::Page`] for a bad client or redirect URI, else [`Refusal::Redirect`].
pub fn validate<'a>(
    state: &AppState,
    form: &'a AuthorizeParams,
    en_hint: bool,
) -> Result<AuthRequest, Refusal> {
    let page = |code: &'static str, ja: &str, en: &str| Refusal::Page {
        code,
        ja: ja.to_owned(),
        en: en.to_owned(),
    };
    let client_id = match single(&form.client_id, "client_id") {
        Ok(Some(c)) => c,
        _ => {
            return Err(page(
                "invalid_client",
                "client_id がないか、複数指定されています。",
                "client_id is missing or repeated.",
            ))
        }
    };
    let Some(client) = state.client(client_id) else {
        return Err(page(
            "invalid_client",
            "このサービス（client_id）はミライロIDに登録されていません。",
            "This service (client_id) is not registered with Mirairo ID.",
        ));
    };
    let redirect_uri = match single(&form.redirect_uri, "redirect_uri") {
        Ok(Some(r)) if client.redirect_uris.iter().any(|u| u == r) => r.to_owned(),
        _ => {
            return Err(page(
                "invalid_request",
                "redirect_uri がこのサービスに登録されたものと一致しません。",
                "redirect_uri does not exactly match one registered for this service.",
            ))
        }
    };
    // From here on, errors go back to the client.
    let client_state = single(&form.state, "state")
        .ok()
        .flatten()
        .map(str::to_owned);
    let fail = |error: &str, description: &str| {
        Refusal::Redirect(error_redirect(
            &state.issuer,
            &redirect_uri,
            error,
            description,
            client_state.as_deref(),
        ))
    };
    let one = |values: &'a [String], name: &str| {
        single(values, name).map_err(|e| fail("invalid_request", &e))
    };
    match one(&form.response_type, "response_type")? {
        Some("code") => {}
        _ => return Err(fail("invalid_request", "response_type must be code")),
    }
    let scope: Vec<String> = one(&form.scope, "scope")?
        .unwrap_or("")
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if !scope.iter().any(|s| s == "openid") {
        return Err(fail("invalid_scope", "scope must include openid"));
    }
    if let Some(bad) = scope
        .iter()
        .find(|s| !matches!(s.as_str(), "openid" | "profile" | "certificate"))
    {
        return Err(fail(
            "invalid_scope",
            &format!("unsupported scope '{bad}' (supported: openid profile certificate)"),
        ));
    }
    let st = one(&form.state, "state")?.unwrap_or("");
    if st.len() < 22 || st.len() > 512 || !is_b64url(st) {
        return Err(fail(
            "invalid_request",
            "state must be at least 128 bits of randomness, base64url (22 to 512 characters)",
        ));
    }
    let nonce = one(&form.nonce, "nonce")?.unwrap_or("");
    if nonce.len() < 22 || nonce.len() > 512 || !is_b64url(nonce) {
        return Err(fail(
            "invalid_request",
            "nonce must be at least 128 bits of randomness, base64url (22 to 512 characters)",
        ));
    }
    let challenge = one(&form.code_challenge, "code_challenge")?.unwrap_or("");
    match one(&form.code_challenge_method, "code_challenge_method")? {
        Some("S256") => {}
        None => {
            return Err(fail(
                "invalid_request",
                "code_challenge_method is required and must be S256",
            ))
        }
        Some(_) => {
            return Err(fail(
                "invalid_request",
                "code_challenge_method must be S256 (plain is not accepted)",
            ))
        }
    }
    if challenge.len() != 43 || !is_b64url(challenge) {
        return Err(fail(
            "invalid_request",
            "code_challenge must be base64url(SHA-256(code_verifier)), 43 characters",
        ));
    }
    let jkt = one(&form.dpop_jkt, "dpop_jkt")?.unwrap_or("");
    if jkt.len() != 43 || !is_b64url(jkt) {
        return Err(fail(
            "invalid_request",
            "dpop_jkt must be the RFC 7638 thumbprint of the DPoP key (43 characters)",
        ));
    }
    let claims: Vec<String> = if scope.iter().any(|s| s == "certificate") {
        match one(&form.certificate_claims, "certificate_claims")? {
            None => DEFAULT_CERTIFICATE_CLAIMS.map(str::to_owned).into(),
            Some(list) => {
                let mut out: Vec<String> = Vec::new();
                for c in list.split(' ').filter(|s| !s.is_empty()) {
                    if !CERTIFICATE_CLAIMS_SUPPORTED.contains(&c) {
                        return Err(fail(
                            "invalid_request",
                            &format!("unknown certificate claim '{c}'"),
                        ));
                    }
                    if !out.iter().any(|o| o == c) {
                        out.push(c.to_owned());
                    }
                }
                if out.is_empty() {
                    return Err(fail(
                        "invalid_request",
                        "certificate_claims is empty; omit it for the default claims",
                    ));
                }
                out
            }
        }
    } else {
        Vec::new()
    };
    let en = match one(&form.ui_locales, "ui_locales")? {
        Some(l) => Lang::negotiate(l) == Some(Lang::En),
        None => en_hint,
    };
    if let Some(prompt) = one(&form.prompt, "prompt")? {
        if prompt.split(' ').any(|p| p == "none") {
            return Err(fail(
                "login_required",
                "prompt=none: the holder must sign in and consent on the provider's pages",
            ));
        }
    }
    Ok(AuthRequest {
        client_id: client.client_id.clone(),
        redirect_uri,
        scope,
        claims,
        state: st.to_owned(),
        nonce: nonce.to_owned(),
        code_challenge: challenge.to_owned(),
        dpop_jkt: jkt.to_owned(),
        en,
        user: None,
        auth_time: None,
        browser: None,
    })
}

/// Issues a code for a completed sign-in and consent and returns the success redirect.
///
/// # Errors
/// 400 for an unknown user, a missing certificate or a claim outside the request.
pub fn issue_code(
    state: &AppState,
    conn: &Connection,
    req: &AuthRequest,
    user_id: &str,
    certificate: Option<i64>,
    consent: Vec<String>,
    auth_time: i64,
) -> Result<String, ApiError> {
    let user = load_user(conn, user_id)?
        .ok_or_else(|| ApiError::invalid_request(format!("unknown user '{user_id}'")))?;
    let (certificate, claims) = if req.has_scope("certificate") {
        let idx = certificate.unwrap_or(0);
        if !user.certificates.iter().any(|c| c.idx == idx) {
            return Err(ApiError::invalid_request(format!(
                "user '{user_id}' has no certificate {idx}"
            )));
        }
        if let Some(bad) = consent.iter().find(|c| !req.claims.contains(c)) {
            return Err(ApiError::invalid_request(format!(
                "claim '{bad}' was not asked for by the client"
            )));
        }
        // Keep the request's order; drop repeats.
        let claims: Vec<String> = req
            .claims
            .iter()
            .filter(|c| consent.contains(c))
            .cloned()
            .collect();
        (Some(idx), claims)
    } else {
        (None, Vec::new())
    };
    let now = state.clock.now();
    let grant = Grant {
        client_id: req.client_id.clone(),
        redirect_uri: req.redirect_uri.clone(),
        user_id: user.id.clone(),
        certificate,
        claims,
        scope: req.scope.clone(),
        nonce: req.nonce.clone(),
        auth_time,
        code_challenge: req.code_challenge.clone(),
        dpop_jkt: req.dpop_jkt.clone(),
    };
    let code = random_token(32);
    let json = serde_json::to_string(&grant).map_err(ApiError::internal)?;
    conn.execute(
        "DELETE FROM codes WHERE expires < ?1",
        params![now - 86_400],
    )?;
    conn.execute(
        "INSERT INTO codes (code_hash, grant_json, expires) VALUES (?1, ?2, ?3)",
        params![sha256_b64(code.as_bytes()), json, now + state.code_ttl_secs],
    )?;
    Ok(append_query(
        &req.redirect_uri,
        &[
            ("code", &code),
            ("state", &req.state),
            ("iss", &state.issuer),
        ],
    ))
}

/// True when `Accept-Language` prefers English to Japanese (the core's `Lang::negotiate`).
pub(crate) fn accept_en(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::negotiate)
        == Some(Lang::En)
}

/// A refused authorization request as the handler's error: the error page, or the
/// error redirect to the client (RFC 6749 §4.1.2.1).
fn refused(r: Refusal, en: bool) -> AppError {
    match r {
        Refusal::Page { ja, en: en_msg, .. } => {
            refused_page(en, StatusCode::BAD_REQUEST, &ja, &en_msg)
        }
        Refusal::Redirect(url) => AppError::Redirect(url),
    }
}

/// A database error as the error page of a page in `en`.
fn db_page(en: bool) -> impl FnOnce(rusqlite::Error) -> AppError {
    move |e| ApiError::from(e).into_page(en)
}

fn load_pending(
    conn: &Connection,
    id: &str,
    now: i64,
) -> rusqlite::Result<Option<(String, AuthRequest)>> {
    conn.execute(
        "DELETE FROM pending WHERE created < ?1",
        params![now - PENDING_TTL],
    )?;
    let row: Option<(String, String)> = conn
        .query_row(
            "SELECT csrf, params FROM pending WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(row.and_then(|(csrf, p)| {
        serde_json::from_str::<AuthRequest>(&p)
            .ok()
            .map(|req| (csrf, req))
    }))
}

fn save_pending(
    conn: &Connection,
    id: &str,
    csrf: &str,
    req: &AuthRequest,
    now: i64,
) -> Result<(), ApiError> {
    let json = serde_json::to_string(req).map_err(ApiError::internal)?;
    conn.execute(
        "INSERT OR REPLACE INTO pending (id, csrf, created, params) VALUES (?1, ?2, ?3, ?4)",
        params![id, csrf, now, json],
    )?;
    Ok(())
}

fn session_user(conn: &Connection, headers: &HeaderMap) -> rusqlite::Result<Option<(String, i64)>> {
    let Some(sid) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    conn.query_row(
        "SELECT s.user_id, s.auth_time FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?1",
        [sid],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

fn consent_response(
    state: &AppState,
    conn: &Connection,
    id: &str,
    csrf: &str,
    req: &AuthRequest,
    error: Option<&str>,
) -> Result<Response, AppError> {
    let en = req.en;
    let signin_again = || Ok(see_other(&format!("/authorize/signin?req={id}")));
    let Some(user_id) = req.user.as_deref() else {
        return signin_again();
    };
    let Some(user) = load_user(conn, user_id).map_err(db_page(en))? else {
        return signin_again();
    };
    let partner = state
        .client(&req.client_id)
        .map(|c| c.name(en).to_owned())
        .unwrap_or_default();
    let view = ConsentView {
        en,
        partner: &partner,
        user: &user,
        certificate: req.has_scope("certificate"),
        profile: req.has_scope("profile"),
        claims: &req.claims,
        today: today_jst(state.clock.now()),
        error,
    };
    Ok(pages::consent(&view, &FormIds { req: id, csrf }))
}

fn signin_response(
    state: &AppState,
    conn: &Connection,
    id: &str,
    csrf: &str,
    req: &AuthRequest,
) -> Result<Response, AppError> {
    let en = req.en;
    let partner = state
        .client(&req.client_id)
        .map(|c| c.name(en).to_owned())
        .unwrap_or_default();
    let users = load_users(conn).map_err(db_page(en))?;
    Ok(pages::signin(
        en,
        &partner,
        &FormIds { req: id, csrf },
        &users,
    ))
}

/// `GET /authorize`.
pub async fn start(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let en_hint = accept_en(&headers);
    let form: AuthorizeParams = query(raw.as_deref()).map_err(|e| {
        refused_page(
            en_hint,
            StatusCode::BAD_REQUEST,
            &format!("URL の形式が正しくありません（{e}）。"),
            &format!("The address is malformed ({e})."),
        )
    })?;
    // Error pages follow ui_locales when it is readable, else Accept-Language.
    let en_hint = form
        .ui_locales
        .first()
        .and_then(|l| Lang::negotiate(l))
        .map_or(en_hint, |l| l == Lang::En);
    let mut req = validate(&state, &form, en_hint).map_err(|r| refused(r, en_hint))?;
    let now = state.clock.now();
    let browser = cookie(&headers, BROWSER_COOKIE)
        .filter(|b| b.len() >= 22 && is_b64url(b))
        .unwrap_or_else(|| random_token(16));
    req.browser = Some(browser.clone());
    let id = random_token(16);
    let csrf = random_token(16);
    let conn = state.db.lock();
    if let Some((user, auth_time)) = session_user(&conn, &headers).map_err(db_page(req.en))? {
        req.user = Some(user);
        req.auth_time = Some(auth_time);
    }
    save_pending(&conn, &id, &csrf, &req, now).map_err(|e| e.into_page(req.en))?;
    let mut res = if req.user.is_some() {
        consent_response(&state, &conn, &id, &csrf, &req, None)?
    } else {
        signin_response(&state, &conn, &id, &csrf, &req)?
    };
    if let Some(c) = set_cookie(BROWSER_COOKIE, &browser, None) {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(res)
}

/// A pending request: its id, CSRF token and parameters.
type Pending = (String, String, AuthRequest);

/// The pending request `id`, checked against the form's CSRF token (when posted) and
/// the browser cookie.
fn check_pending(
    state: &AppState,
    conn: &Connection,
    headers: &HeaderMap,
    id: Option<&str>,
    csrf: Option<&str>,
) -> Result<Pending, AppError> {
    let en = accept_en(headers);
    let expired = || {
        refused_page(
            en,
            StatusCode::BAD_REQUEST,
            "この手続きは期限切れか、すでに完了しています。サービスに戻って、もう一度お試しください。",
            "This sign-in has expired or is already complete. Go back to the service and try again.",
        )
    };
    let id = id.ok_or_else(expired)?;
    let (stored_csrf, req) = load_pending(conn, id, state.clock.now())
        .map_err(db_page(en))?
        .ok_or_else(expired)?;
    let browser_ok = req.browser.is_none() || cookie(headers, BROWSER_COOKIE) == req.browser;
    let csrf_ok = csrf.is_none_or(|c| c == stored_csrf);
    if !browser_ok || !csrf_ok {
        return Err(refused_page(
            req.en,
            StatusCode::FORBIDDEN,
            "このフォームは別のブラウザーまたは別の画面から送信されました。サービスに戻って、もう一度お試しください。",
            "This form was sent from another browser or page. Go back to the service and try again.",
        ));
    }
    Ok((id.to_owned(), stored_csrf, req))
}

/// The query of the sign-in and consent pages: the pending request's id.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PageQuery {
    req: Option<String>,
}

impl PageQuery {
    /// The id in `raw`; an unreadable query names no pending request (the "expired"
    /// page).
    fn read(raw: Option<&str>) -> Option<String> {
        query::<PageQuery>(raw).ok().and_then(|q| q.req)
    }
}

/// What every form of the sign-in and consent pages posts: the pending request, its
/// CSRF token, and the button pressed.
struct Posted<'a> {
    req: Option<&'a str>,
    csrf: Option<&'a str>,
    action: Option<&'a str>,
}

/// The sign-in form (each name at most once).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SigninForm {
    req: Option<String>,
    csrf: Option<String>,
    action: Option<String>,
    user: Option<String>,
}

/// The consent form: one `claim` per ticked box, the other names at most once.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConsentForm {
    req: Option<String>,
    csrf: Option<String>,
    action: Option<String>,
    certificate: Option<String>,
    claim: Vec<String>,
}

/// A posted sign-in or consent form: its pending request checked against the form's CSRF
/// token; when the holder pressed cancel, the request ends with `access_denied`.
fn check_posted(
    state: &AppState,
    conn: &Connection,
    headers: &HeaderMap,
    posted: &Posted<'_>,
) -> Result<Pending, AppError> {
    let csrf = posted.csrf.unwrap_or("");
    let (id, csrf, req) = check_pending(state, conn, headers, posted.req, Some(csrf))?;
    if posted.action == Some("cancel") {
        return Err(cancel(state, conn, &id, &req));
    }
    Ok((id, csrf, req))
}

/// Ends a pending request the holder cancelled: the `access_denied` redirect.
fn cancel(state: &AppState, conn: &Connection, id: &str, req: &AuthRequest) -> AppError {
    if let Err(e) = conn.execute("DELETE FROM pending WHERE id = ?1", [id]) {
        return db_page(req.en)(e);
    }
    AppError::Redirect(error_redirect(
        &state.issuer,
        &req.redirect_uri,
        "access_denied",
        "the holder cancelled",
        Some(&req.state),
    ))
}

/// `GET /authorize/signin?req=…`: the sign-in page again (to switch user).
pub async fn signin_page(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let id = PageQuery::read(raw.as_deref());
    let conn = state.db.lock();
    let (id, csrf, req) = check_pending(&state, &conn, &headers, id.as_deref(), None)?;
    signin_response(&state, &conn, &id, &csrf, &req)
}

/// `POST /authorize/signin` (req, csrf, user, action).
pub async fn signin(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    PageForm(form): PageForm<SigninForm>,
) -> Result<Response, AppError> {
    let conn = state.db.lock();
    let posted = Posted {
        req: form.req.as_deref(),
        csrf: form.csrf.as_deref(),
        action: form.action.as_deref(),
    };
    let (id, csrf, mut req) = check_posted(&state, &conn, &headers, &posted)?;
    let user = match form.user.as_deref() {
        Some(u) => load_user(&conn, u).map_err(db_page(req.en))?,
        None => None,
    };
    let Some(user) = user else {
        return signin_response(&state, &conn, &id, &csrf, &req);
    };
    let now = state.clock.now();
    let sid = random_token(24);
    conn.execute(
        "INSERT INTO sessions (id, user_id, auth_time) VALUES (?1, ?2, ?3)",
        params![sid, user.id, now],
    )
    .map_err(db_page(req.en))?;
    req.user = Some(user.id);
    req.auth_time = Some(now);
    save_pending(&conn, &id, &csrf, &req, now).map_err(|e| e.into_page(req.en))?;
    let mut res = see_other(&format!("/authorize/consent?req={id}"));
    if let Some(c) = set_cookie(SESSION_COOKIE, &sid, None) {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(res)
}

/// `GET /authorize/consent?req=…`.
pub async fn consent_page(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let id = PageQuery::read(raw.as_deref());
    let conn = state.db.lock();
    let (id, csrf, req) = check_pending(&state, &conn, &headers, id.as_deref(), None)?;
    consent_response(&state, &conn, &id, &csrf, &req, None)
}

/// `POST /authorize/consent` (req, csrf, certificate, claim…, action).
pub async fn consent(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    PageForm(form): PageForm<ConsentForm>,
) -> Result<Response, AppError> {
    let conn = state.db.lock();
    let posted = Posted {
        req: form.req.as_deref(),
        csrf: form.csrf.as_deref(),
        action: form.action.as_deref(),
    };
    let (id, csrf, req) = check_posted(&state, &conn, &headers, &posted)?;
    let Some(user) = req.user.clone() else {
        return Ok(see_other(&format!("/authorize/signin?req={id}")));
    };
    // A certificate is chosen with scope `certificate` (the form always sends one).
    let certificate = match form.certificate.as_deref().map(str::parse::<i64>) {
        Some(Ok(n)) => Some(n),
        None if !req.has_scope("certificate") => None,
        _ => {
            let msg = t(req.en, "手帳を選んでください。", "Choose a certificate.");
            return consent_response(&state, &conn, &id, &csrf, &req, Some(msg));
        }
    };
    let claims = form.claim;
    let auth_time = req.auth_time.unwrap_or_else(|| state.clock.now());
    // A refusal (e.g. a certificate that is not the user's) shows the consent page again.
    match issue_code(&state, &conn, &req, &user, certificate, claims, auth_time) {
        Ok(url) => {
            conn.execute("DELETE FROM pending WHERE id = ?1", [&id])
                .map_err(db_page(req.en))?;
            Ok(see_other(&url))
        }
        Err(e) => consent_response(&state, &conn, &id, &csrf, &req, Some(&e.description)),
    }
}
