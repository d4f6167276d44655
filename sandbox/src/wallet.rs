//! The holder app simulator (PROTOCOL.md §7.4): the JSON API behind the `/wallet/`
//! pages (`www/wallet/`). The page keeps a non-extractable WebCrypto key; everything
//! protocol-shaped happens here, with the SDK core: the proof of possession is checked
//! with the core's JWS code, credentials come from the provider's own issuance code
//! ([`crate::credential::issue`]), requests are checked with the core's
//! `WalletRequest::parse` (§7.3), and the answer (selected disclosures, KB-JWT,
//! `direct_post` form) is built by the core; the page only signs the bytes it is given.
//!
//! A real app is not a browser: the answer is delivered from here, by an HTTP POST to
//! the `response_uri` (loopback `http` only in the sandbox).
//!
//! | call | answer |
//! | --- | --- |
//! | `GET /wallet/api/users` | the test users to sign in as |
//! | `POST /wallet/api/session` `{"user"}` | signs in (cookie), `{"user"}` |
//! | `GET /wallet/api/session` | `{"user"}`, `null` when nobody is signed in |
//! | `DELETE /wallet/api/session` | signs out |
//! | `POST /wallet/api/proof` `{"jwk"}` | `{"nonce", "signing_input"}`: the proof of possession to sign |
//! | `POST /wallet/api/credentials` `{"proof"}` | one SD-JWT VC per certificate, bound to the proof's key |
//! | `POST /wallet/api/inspect` `{"request", "credentials"}` | the §7.3 checks; the verifier and the asked claims per certificate |
//! | `POST /wallet/api/present` `{"request", "credential"}` | `{"id", "signing_input"}`: the KB-JWT to sign |
//! | `POST /wallet/api/deliver` `{"id", "signature"}` | the answer posted to the verifier, and the verifier's reply |
//! | `POST /wallet/api/decline` `{"request"}` | `error=access_denied` posted to the verifier, and its reply |

mod deliver;
mod text;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use mirairo_id_sdk::jose::{b64url_decode, EcPublicJwk, Jws};
use mirairo_id_sdk::json::{Map as SdkMap, Value as SdkValue};
use mirairo_id_sdk::oidc::{PendingJws, CERTIFICATE_CLAIMS_SUPPORTED};
use mirairo_id_sdk::openid4vp::{PendingVpResponse, WalletRequest};
use mirairo_id_sdk::sdjwt::SdJwt;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::credential::{self, CredentialRequest};
use crate::error::{json_response, ApiError, NoStoreJson};
use crate::oidc::cookie;
use crate::state::AppState;
use crate::util::{from_sdk, random_token};

pub use deliver::{deliver, Delivery, DeliveryError, DELIVERY_USER_AGENT};
pub use text::{claim_display, request_error_message, verifier_error_message, Text};

/// The wallet's session cookie (path `/wallet/`, `SameSite=Strict`).
pub const SESSION_COOKIE: &str = "mirairo_wallet";
/// `typ` of the proof of possession (as OpenID4VCI's key proof).
pub const PROOF_TYP: &str = "openid4vci-proof+jwt";
/// How long a proof nonce or a prepared presentation may wait, in seconds.
pub const PENDING_TTL: i64 = 300;
/// How far a proof's `iat` may lie from the sandbox's clock, in seconds.
pub const PROOF_LEEWAY: i64 = 60;
/// Most sessions kept at once (the oldest go first).
pub const MAX_SESSIONS: usize = 1024;
/// Most outstanding proof nonces per session.
pub const MAX_NONCES: usize = 8;
/// Most prepared presentations kept at once.
pub const MAX_PENDING: usize = 1024;

/// What the wallet remembers: sign-ins, proof nonces and presentations waiting for the
/// holder key's signature. In memory; a restart signs everyone out.
#[derive(Debug, Default)]
pub struct WalletStore {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    sessions: HashMap<String, Session>,
    pending: HashMap<String, Pending>,
}

#[derive(Debug, Clone)]
struct Session {
    user: String,
    created: i64,
    /// Outstanding proof nonces and when they expire.
    nonces: Vec<(String, i64)>,
}

#[derive(Debug)]
struct Pending {
    session: String,
    created: i64,
    request: WalletRequest,
    presentation: PendingVpResponse,
}

impl WalletStore {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        match self.inner.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// Forgets everything (the sandbox reset).
    pub fn clear(&self) {
        let mut g = self.lock();
        g.sessions.clear();
        g.pending.clear();
    }
}

/// The `/wallet/api/*` routes (the pages themselves are static files in `www/wallet/`).
pub fn router(state: Arc<AppState>) -> Router<Arc<AppState>> {
    Router::new()
        .route("/wallet/api/users", get(users))
        .route(
            "/wallet/api/session",
            get(session).post(sign_in).delete(sign_out),
        )
        .route("/wallet/api/proof", post(proof))
        .route("/wallet/api/credentials", post(credentials))
        .route("/wallet/api/inspect", post(inspect))
        .route("/wallet/api/present", post(present))
        .route("/wallet/api/deliver", post(deliver_presentation))
        .route("/wallet/api/decline", post(decline))
        .route(
            "/wallet/api/{*rest}",
            axum::routing::any(crate::static_files::api_not_found),
        )
        .layer(axum::middleware::from_fn_with_state(
            state,
            crate::control::same_origin_only,
        ))
}

/// What the wallet API answers: JSON, or a refusal with its explanation.
type Answer = Result<NoStoreJson, WalletError>;

/// A refusal with its explanation for the holder in ja and en.
#[derive(Debug, Clone)]
pub struct WalletError(Box<Refusal>);

#[derive(Debug, Clone)]
struct Refusal {
    api: ApiError,
    message: Option<Text>,
    extra: Option<Value>,
}

impl WalletError {
    fn new(status: StatusCode, code: &'static str, description: impl Into<String>) -> Self {
        ApiError::new(status, code, description).into()
    }

    fn bad(code: &'static str, description: impl Into<String>, message: Text) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, description).with_message(message)
    }

    fn with_message(mut self, message: Text) -> Self {
        self.0.message = Some(message);
        self
    }

    fn with(mut self, extra: Value) -> Self {
        self.0.extra = Some(extra);
        self
    }

    fn not_signed_in() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "not_signed_in",
            "sign in to the wallet first (POST /wallet/api/session)",
        )
        .with_message(Text::new(
            "サインインしてください。",
            "Please sign in first.",
        ))
    }
}

impl From<ApiError> for WalletError {
    fn from(api: ApiError) -> Self {
        WalletError(Box::new(Refusal {
            api,
            message: None,
            extra: None,
        }))
    }
}

impl From<rusqlite::Error> for WalletError {
    fn from(e: rusqlite::Error) -> Self {
        ApiError::from(e).into()
    }
}

impl IntoResponse for WalletError {
    fn into_response(self) -> Response {
        let Refusal {
            api,
            message,
            extra,
        } = *self.0;
        let mut body = json!({ "error": api.error, "error_description": api.description });
        if let (Some(m), Some(obj)) = (&message, body.as_object_mut()) {
            obj.insert("message".into(), m.to_json());
        }
        if let (Some(Value::Object(extra)), Some(obj)) = (extra, body.as_object_mut()) {
            obj.extend(extra);
        }
        json_response(api.status, body.to_string())
    }
}

fn json_body<T: for<'de> Deserialize<'de>>(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<T, WalletError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send a JSON body (Content-Type: application/json)",
        )
        .into());
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::invalid_request(format!("unexpected body: {e}")).into())
}

fn session_id(headers: &HeaderMap) -> Option<String> {
    cookie(headers, SESSION_COOKIE)
}

/// The signed-in user's id, or 401.
fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<(String, String), WalletError> {
    let sid = session_id(headers).ok_or_else(WalletError::not_signed_in)?;
    let g = state.wallet.lock();
    g.sessions
        .get(&sid)
        .map(|s| (sid.clone(), s.user.clone()))
        .ok_or_else(WalletError::not_signed_in)
}

fn session_cookie(value: &str, max_age: Option<i64>) -> Option<HeaderValue> {
    let age = max_age
        .map(|a| format!("; Max-Age={a}"))
        .unwrap_or_default();
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/wallet/; HttpOnly; SameSite=Strict{age}"
    ))
    .ok()
}

fn user_json(user: &credential::User) -> Value {
    json!({
        "id": user.id,
        "name": user.name(),
        "name_kana": user.name_kana(),
        "note": { "ja": user.note_ja, "en": user.note_en },
        "certificates": user.certificates.len(),
    })
}

/// `GET /wallet/api/users`: the seeded test users (no passwords in the sandbox).
pub async fn users(State(state): State<Arc<AppState>>) -> Answer {
    let conn = state.db.lock();
    let users = credential::load_users(&conn)?;
    Ok(NoStoreJson(
        json!({ "users": users.iter().map(user_json).collect::<Vec<_>>() }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignIn {
    user: String,
}

/// `POST /wallet/api/session` `{"user"}`: signs in as a test user.
pub async fn sign_in(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<impl IntoResponse, WalletError> {
    let SignIn { user } = json_body(&headers, &body)?;
    let conn = state.db.lock();
    let user = credential::load_user(&conn, &user)?.ok_or_else(|| {
        WalletError::bad(
            "unknown_user",
            format!("no test user '{user}'"),
            Text::new(
                "そのテスト利用者はいません。",
                "There is no such test user.",
            ),
        )
    })?;
    drop(conn);
    let sid = random_token(24);
    let now = state.clock.now();
    let mut g = state.wallet.lock();
    if let Some(old) = session_id(&headers) {
        g.sessions.remove(&old);
    }
    if g.sessions.len() >= MAX_SESSIONS {
        let oldest = g
            .sessions
            .iter()
            .min_by_key(|(_, s)| s.created)
            .map(|(k, _)| k.clone());
        if let Some(k) = oldest {
            g.sessions.remove(&k);
        }
    }
    g.sessions.insert(
        sid.clone(),
        Session {
            user: user.id.clone(),
            created: now,
            nonces: Vec::new(),
        },
    );
    drop(g);
    let cookie = session_cookie(&sid, None).map(|c| (header::SET_COOKIE, c));
    Ok((
        AppendHeaders(cookie),
        NoStoreJson(json!({ "user": user_json(&user) })),
    ))
}

/// `GET /wallet/api/session`: who is signed in (`{"user": null}` when nobody is: the
/// page asks on every load, and not being signed in is no error).
pub async fn session(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Answer {
    let Ok((_, user)) = signed_in(&state, &headers) else {
        return Ok(NoStoreJson(json!({ "user": null })));
    };
    let conn = state.db.lock();
    let user = credential::load_user(&conn, &user)?;
    Ok(NoStoreJson(json!({ "user": user.as_ref().map(user_json) })))
}

/// `DELETE /wallet/api/session`: signs out and forgets what the session prepared.
pub async fn sign_out(State(state): State<Arc<AppState>>, headers: HeaderMap) -> impl IntoResponse {
    if let Some(sid) = session_id(&headers) {
        let mut g = state.wallet.lock();
        g.sessions.remove(&sid);
        g.pending.retain(|_, p| p.session != sid);
    }
    let cookie = session_cookie("", Some(0)).map(|c| (header::SET_COOKIE, c));
    (AppendHeaders(cookie), NoStoreJson(json!({ "ok": true })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProofRequest {
    jwk: Value,
}

fn public_jwk(v: &Value) -> Result<EcPublicJwk, WalletError> {
    EcPublicJwk::from_json(&crate::util::to_sdk(v)).map_err(|_| {
        WalletError::bad(
            "invalid_key",
            "jwk is not an EC P-256 public JWK",
            Text::new(
                "この端末の鍵を読み取れませんでした。",
                "This device's key could not be read.",
            ),
        )
    })
}

/// The proof of possession to be signed by the holder key: header
/// `{"typ":"openid4vci-proof+jwt","alg":"ES256","jwk"}`, claims `aud` (the sandbox),
/// `iat` and a fresh single-use `nonce`.
pub fn proof_input(jwk: &EcPublicJwk, issuer: &str, nonce: &str, iat: i64) -> PendingJws {
    let mut public = jwk.clone();
    public.kid = None;
    public.key_use = None;
    public.alg = None;
    let mut header = SdkMap::new();
    header.insert("typ".into(), PROOF_TYP.into());
    header.insert("jwk".into(), public.to_json());
    let mut claims = SdkMap::new();
    claims.insert("aud".into(), issuer.into());
    claims.insert("iat".into(), iat.into());
    claims.insert("nonce".into(), nonce.into());
    PendingJws::new(&header, &SdkValue::Object(claims))
}

/// `POST /wallet/api/proof` `{"jwk"}` → `{"nonce", "signing_input"}`.
pub async fn proof(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Answer {
    let (sid, _) = signed_in(&state, &headers)?;
    let ProofRequest { jwk } = json_body(&headers, &body)?;
    let jwk = public_jwk(&jwk)?;
    let now = state.clock.now();
    let nonce = random_token(16);
    let mut g = state.wallet.lock();
    let s = g
        .sessions
        .get_mut(&sid)
        .ok_or_else(WalletError::not_signed_in)?;
    s.nonces.retain(|(_, exp)| *exp > now);
    if s.nonces.len() >= MAX_NONCES {
        s.nonces.remove(0);
    }
    s.nonces.push((nonce.clone(), now + PENDING_TTL));
    let pending = proof_input(&jwk, &state.issuer, &nonce, now);
    Ok(NoStoreJson(
        json!({ "nonce": nonce, "signing_input": pending.signing_input() }),
    ))
}

/// Why a proof of possession was refused (one rule each, tested one by one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofError {
    /// Not a compact JWS with a JSON object payload.
    Malformed,
    /// `typ` is not [`PROOF_TYP`].
    WrongType,
    /// `alg` is not `ES256`, or there is no usable `jwk` in the header.
    BadKey,
    /// The signature by the header's `jwk` does not verify.
    BadSignature,
    /// `aud` is not the sandbox.
    WrongAudience,
    /// `iat` is missing or too far from now.
    Stale,
    /// `nonce` is not one this session was given, or was used already.
    UnknownNonce,
}

impl ProofError {
    /// The error code sent to the page.
    pub fn code(self) -> &'static str {
        match self {
            ProofError::Malformed => "invalid_proof",
            ProofError::WrongType => "invalid_proof_type",
            ProofError::BadKey => "invalid_proof_key",
            ProofError::BadSignature => "invalid_proof_signature",
            ProofError::WrongAudience => "invalid_proof_audience",
            ProofError::Stale => "invalid_proof_iat",
            ProofError::UnknownNonce => "invalid_nonce",
        }
    }
}

/// Checks a proof of possession (except the nonce's freshness, which the caller's
/// session decides) and returns the proven key and the nonce.
///
/// # Errors
/// The first failing [`ProofError`].
pub fn check_proof(
    proof: &str,
    issuer: &str,
    now: i64,
) -> Result<(EcPublicJwk, String), ProofError> {
    let jws = Jws::parse(proof).map_err(|_| ProofError::Malformed)?;
    let payload = jws.payload_object().map_err(|_| ProofError::Malformed)?;
    if jws.header_str("typ") != Some(PROOF_TYP) {
        return Err(ProofError::WrongType);
    }
    if jws.header_str("alg") != Some("ES256") {
        return Err(ProofError::BadKey);
    }
    let jwk = jws
        .header()
        .get("jwk")
        .ok_or(ProofError::BadKey)
        .and_then(|v| EcPublicJwk::from_json(v).map_err(|_| ProofError::BadKey))?;
    if !jws.verify_es256(&jwk) {
        return Err(ProofError::BadSignature);
    }
    if payload.get("aud").and_then(SdkValue::as_str) != Some(issuer) {
        return Err(ProofError::WrongAudience);
    }
    let iat = payload
        .get("iat")
        .and_then(SdkValue::as_i64)
        .ok_or(ProofError::Stale)?;
    if iat < now - PENDING_TTL || iat > now + PROOF_LEEWAY {
        return Err(ProofError::Stale);
    }
    let nonce = payload
        .get("nonce")
        .and_then(SdkValue::as_str)
        .ok_or(ProofError::UnknownNonce)?;
    Ok((jwk, nonce.to_owned()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CredentialsRequest {
    proof: String,
}

/// What the page shows for one credential: its claims as the app displays them.
fn credential_json(index: i64, cred: &str) -> Result<Value, WalletError> {
    let sd = SdJwt::parse(cred).map_err(ApiError::internal)?;
    let mut claims = serde_json::Map::new();
    let mut display = Vec::new();
    for d in sd.disclosures() {
        if let Some(name) = d.name() {
            let value = from_sdk(d.value());
            display.push(claim_display(name, &value).to_json(name));
            claims.insert(name.to_owned(), value);
        }
    }
    Ok(json!({
        "index": index,
        "credential": cred,
        "claims": claims,
        "display": display,
    }))
}

/// `POST /wallet/api/credentials` `{"proof"}`: one credential per certificate of the
/// signed-in user, every claim selectively disclosable, `cnf.jwk` the proven key.
pub async fn credentials(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    let (sid, user_id) = signed_in(&state, &headers)?;
    let CredentialsRequest { proof } = json_body(&headers, &body)?;
    let now = state.clock.now();
    let refused = |e: ProofError| {
        WalletError::bad(
                e.code(),
                format!("the proof of possession was refused: {e:?}"),
                Text::new(
                    "この端末の鍵を確認できなかったため、手帳を受け取れませんでした。もう一度お試しください。",
                    "Your certificates could not be received because this device's key could not be confirmed. Please try again.",
                ),
            )
    };
    let (jwk, nonce) = check_proof(&proof, &state.issuer, now).map_err(refused)?;
    {
        let mut g = state.wallet.lock();
        let s = g
            .sessions
            .get_mut(&sid)
            .ok_or_else(WalletError::not_signed_in)?;
        let before = s.nonces.len();
        s.nonces.retain(|(n, exp)| !(n == &nonce && *exp > now));
        if s.nonces.len() == before {
            return Err(refused(ProofError::UnknownNonce));
        }
    }
    let conn = state.db.lock();
    let user = credential::load_user(&conn, &user_id)?.ok_or_else(WalletError::not_signed_in)?;
    let claims: Vec<String> = CERTIFICATE_CLAIMS_SUPPORTED
        .iter()
        .map(|c| (*c).to_owned())
        .collect();
    let mut out = Vec::new();
    for cert in &user.certificates {
        let cred = credential::issue(
            &conn,
            &CredentialRequest {
                issuer: &state.issuer,
                status_uri: &state.status_uri(),
                now,
                user: &user,
                cert,
                claims: &claims,
                holder: &jwk,
            },
        )?;
        out.push(credential_json(cert.idx, &cred)?);
    }
    Ok(NoStoreJson(json!({ "credentials": out })))
}

/// The registered partner whose origin is `origin`: `(name_ja, name_en)`.
pub fn registered_partner<'a>(state: &'a AppState, origin: &str) -> Option<(&'a str, &'a str)> {
    state
        .clients
        .iter()
        .find(|c| c.origins.iter().any(|o| o == origin))
        .map(|c| (c.name_ja.as_str(), c.name_en.as_str()))
}

fn parse_request(url: &str) -> Result<WalletRequest, WalletError> {
    WalletRequest::parse(url).map_err(|e| {
        let rule = e.reason();
        WalletError::bad(
            "invalid_presentation_request",
            format!("{rule}: {e}"),
            request_error_message(rule),
        )
        .with(json!({ "rule": rule }))
    })
}

fn verifier_json(state: &AppState, req: &WalletRequest) -> Value {
    let origin = req.response_origin();
    match registered_partner(state, origin) {
        Some((ja, en)) => json!({
            "registered": true,
            "name": { "ja": ja, "en": en },
            "origin": origin,
            "client_name": req.client_name(),
        }),
        None => json!({
            "registered": false,
            "name": null,
            "origin": origin,
            "client_name": req.client_name(),
        }),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InspectRequest {
    request: String,
    #[serde(default)]
    credentials: Vec<String>,
}

/// `POST /wallet/api/inspect` `{"request", "credentials"}`: every §7.3 check; then the
/// verifier (registered name, or the origin with a warning) and, for each credential
/// that can answer, exactly the asked claims with their values.
pub async fn inspect(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    let InspectRequest {
        request,
        credentials,
    } = json_body(&headers, &body)?;
    let req = parse_request(&request)?;
    let now = state.clock.now();
    let mut candidates = Vec::new();
    for (i, cred) in credentials.iter().enumerate() {
        // What the core would disclose from this credential; one that cannot
        // answer every asked claim is not offered.
        let Some(disclosed) = req
            .prepare_response(cred, now)
            .ok()
            .and_then(|p| SdJwt::parse(p.disclosed_prefix()).ok())
        else {
            continue;
        };
        let mut shown: Vec<(usize, Value)> = disclosed
            .disclosures()
            .iter()
            .filter_map(|d| {
                let name = d.name()?;
                let order = req.claims().iter().position(|c| c == name)?;
                Some((
                    order,
                    claim_display(name, &from_sdk(d.value())).to_json(name),
                ))
            })
            .collect();
        shown.sort_by_key(|(order, _)| *order);
        let display: Vec<Value> = shown.into_iter().map(|(_, v)| v).collect();
        candidates.push(json!({ "credential": i, "claims": display }));
    }
    Ok(NoStoreJson(json!({
        "verifier": verifier_json(&state, &req),
        "response_uri": req.response_uri(),
        "claims": req.claims(),
        "candidates": candidates,
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PresentRequest {
    request: String,
    credential: String,
}

/// `POST /wallet/api/present` `{"request", "credential"}` → `{"id", "signing_input"}`:
/// the presentation with exactly the asked disclosures, waiting for the KB-JWT
/// signature (aud = `client_id`, the request's nonce).
pub async fn present(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    let (sid, _) = signed_in(&state, &headers)?;
    let PresentRequest {
        request,
        credential,
    } = json_body(&headers, &body)?;
    let req = parse_request(&request)?;
    let now = state.clock.now();
    let presentation = req.prepare_response(&credential, now).map_err(|e| {
        WalletError::bad(
            "credential_unusable",
            format!("{e}"),
            Text::new(
                "この手帳では求められた項目に答えられません。",
                "This certificate cannot answer what was asked.",
            ),
        )
    })?;
    let id = random_token(16);
    let signing_input = presentation.signing_input().to_owned();
    let mut g = state.wallet.lock();
    g.pending.retain(|_, p| p.created + PENDING_TTL > now);
    if g.pending.len() >= MAX_PENDING {
        return Err(WalletError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "too many presentations waiting for a signature",
        ));
    }
    g.pending.insert(
        id.clone(),
        Pending {
            session: sid,
            created: now,
            request: req,
            presentation,
        },
    );
    Ok(NoStoreJson(
        json!({ "id": id, "signing_input": signing_input }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeliverRequest {
    id: String,
    signature: String,
}

fn delivered_json(state: &AppState, req: &WalletRequest, d: &Delivery) -> Value {
    json!({
        "verifier": verifier_json(state, req),
        "status": d.status,
        "accepted": d.accepted(),
        "error": d.error,
        "error_description": d.error_description,
        "message": verifier_error_message(d).to_json(),
    })
}

fn delivery_failed(e: &DeliveryError) -> WalletError {
    let (status, code) = match e {
        DeliveryError::NotLoopback(_) => (StatusCode::BAD_REQUEST, "delivery_refused"),
        _ => (StatusCode::BAD_GATEWAY, "delivery_failed"),
    };
    WalletError::new(status, code, e.to_string()).with_message(e.message())
}

/// `POST /wallet/api/deliver` `{"id", "signature"}`: finishes the KB-JWT with the
/// page's signature (base64url `r ‖ s`), posts the `direct_post` form to the
/// `response_uri` and answers with the verifier's reply.
pub async fn deliver_presentation(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    let (sid, _) = signed_in(&state, &headers)?;
    let DeliverRequest { id, signature } = json_body(&headers, &body)?;
    let signature = b64url_decode(&signature)
        .map_err(|_| ApiError::invalid_request("signature is not base64url"))?;
    let now = state.clock.now();
    let pending =
        {
            let mut g = state.wallet.lock();
            match g.pending.remove(&id) {
                Some(p) if p.session == sid && p.created + PENDING_TTL > now => p,
                _ => return Err(WalletError::bad(
                    "unknown_presentation",
                    "no prepared presentation with this id (expired, used, or another session's)",
                    Text::new(
                        "時間が経ちすぎたため提示できませんでした。もう一度読み取ってください。",
                        "Too much time has passed to present. Please scan the request again.",
                    ),
                )),
            }
        };
    let form = pending.presentation.finish(&signature).map_err(|e| {
        WalletError::bad(
            "invalid_signature",
            format!("the holder key's signature was refused: {e}"),
            Text::new(
                "この端末の鍵で署名できませんでした。",
                "This device's key could not sign the answer.",
            ),
        )
    })?;
    let req = pending.request;
    let d = deliver(req.response_uri(), &form)
        .await
        .map_err(|e| delivery_failed(&e))?;
    Ok(NoStoreJson(delivered_json(&state, &req, &d)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeclineRequest {
    request: String,
}

/// `POST /wallet/api/decline` `{"request"}`: posts `error=access_denied&state=…`.
pub async fn decline(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    signed_in(&state, &headers)?;
    let DeclineRequest { request } = json_body(&headers, &body)?;
    let req = parse_request(&request)?;
    let d = deliver(req.response_uri(), &req.decline_body())
        .await
        .map_err(|e| delivery_failed(&e))?;
    Ok(NoStoreJson(delivered_json(&state, &req, &d)))
}
