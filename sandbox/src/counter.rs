//! The counter API of みらい鉄道 (API.md "Counter presentation", PROTOCOL.md §7): the
//! station window's page asks for a presentation request, shows it as a QR code, the
//! holder's app answers the `response_uri` directly, and the page reads the outcome by a
//! secret id that is not `state`.
//!
//! | route | what |
//! | --- | --- |
//! | `POST /demo/api/counter/requests` `{"lang"}` | `201 {id, url, expires_at, expires_in}` |
//! | `POST /demo/api/counter/response` | the `response_uri` (`direct_post`, PROTOCOL.md §7.2) |
//! | `GET /demo/api/counter/requests/{id}` | `{status, certificate?, error?}`; 404 for an unknown id |
//!
//! Like the booking backend ([`crate::partner_demo`]) it plays the partner's server and
//! uses only the public native SDK: `PresentationRequest` and
//! `Verifier::verify_presentation_response`, which decide every protocol question.
//! This module only keeps the requests and their outcomes:
//!
//! - The first answer to a known `state` takes the request (its `state` is forgotten
//!   at once, under the lock): a second answer, a replay or a concurrent duplicate gets
//!   `request_not_found`, and the core is called once per request.
//! - Only the outcome and the disclosed claims are kept, never the presentation; they
//!   are forgotten when the counter page has read a final status, and at the latest
//!   [`FORGET_AFTER`] seconds after the request expired: every call of the counter API
//!   (create, answer, status) first drops what is past that time, so an unread outcome
//!   is never readable later, even when no new request is created.
//! - At most [`MAX_REQUESTS`] requests are kept; beyond that, after dropping those
//!   past their time, creating one is refused (503), so a flood cannot grow memory.
//! - Only the page's own origin (or a client that sends no `Origin`) creates requests:
//!   another origin's page gets 403 `access_denied`, so it cannot fill the store.
//! - Bodies are limited to [`MAX_RESPONSE_BODY`] bytes; a larger one is refused (413)
//!   before it is read, so it settles nothing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use mirairo_id_sdk::openid4vp::MAX_RESPONSE_BYTES;
use mirairo_id_sdk::{
    ErrorCode, PresentationRequest, PresentationRequestOptions, PresentationResponse,
};
use serde_json::{json, Value};

use crate::error::{ApiError, NoStoreJson};
use crate::partner_demo;
use crate::state::AppState;
use crate::util::{from_sdk, random_token};

/// The claims a railway counter asks for (PROTOCOL.md §7.1): the fare class and the
/// expiry decide the discount, the type and the caregiver mark what the clerk checks.
pub const COUNTER_CLAIMS: [&str; 4] =
    ["fare_class", "valid_until", "certificate_type", "caregiver"];
/// How long a request can be answered, in seconds (the §7.1 default).
pub const EXPIRES_IN: u64 = 300;
/// After expiry, how long an outcome the page has not read is kept, in seconds.
pub const FORGET_AFTER: i64 = 60;
/// At most this many requests (pending or settled and unread) are kept.
pub const MAX_REQUESTS: usize = 1_000;
/// The largest `direct_post` body read: the SDK's limit for a response form.
pub const MAX_RESPONSE_BODY: usize = MAX_RESPONSE_BYTES;
/// The largest body of `POST /demo/api/counter/requests`.
pub const MAX_CREATE_BODY: usize = 1024;

/// Where a request stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Waiting for the holder's answer.
    Pending,
    /// An answer is being verified (the request is taken: no other answer counts).
    Answering,
    /// Verified: the disclosed claims, as the counter status shows them.
    Verified(Value),
    /// Refused with this code (PROTOCOL.md §4 or §7.2).
    Failed(&'static str),
    /// The holder declined (`error=access_denied`).
    Declined,
    /// Answered after it expired, or never answered in time.
    Expired,
}

impl Outcome {
    fn is_final(&self) -> bool {
        !matches!(self, Outcome::Pending | Outcome::Answering)
    }
}

#[derive(Debug)]
struct Entry {
    request: PresentationRequest,
    outcome: Outcome,
}

#[derive(Debug, Default)]
struct Requests {
    /// By the counter page's secret id.
    by_id: HashMap<String, Entry>,
    /// `state` → id, only while the request can still be answered.
    by_state: HashMap<String, String>,
}

/// The counter's requests, in memory.
#[derive(Debug, Default)]
pub struct CounterStore {
    inner: Mutex<Requests>,
}

/// Why a request could not be created.
#[derive(Debug, PartialEq, Eq)]
pub struct StoreFull;

/// Why an answer does not reach a request.
#[derive(Debug, PartialEq, Eq)]
pub struct NotFound;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

impl CounterStore {
    /// Keeps `request` and returns the page's secret id for it (192 random bits).
    ///
    /// # Errors
    /// [`StoreFull`] when [`MAX_REQUESTS`] are kept even after dropping those past
    /// their time.
    pub fn insert(&self, request: PresentationRequest, now: i64) -> Result<String, StoreFull> {
        let mut r = lock(&self.inner);
        r.prune(now);
        if r.by_id.len() >= MAX_REQUESTS {
            return Err(StoreFull);
        }
        let id = random_token(24);
        r.by_state.insert(request.state().to_owned(), id.clone());
        r.by_id.insert(
            id.clone(),
            Entry {
                request,
                outcome: Outcome::Pending,
            },
        );
        Ok(id)
    }

    /// Takes the request `state` names for one answer: from now on that `state` is
    /// unknown, whatever happens. Returns the page's id and the request.
    ///
    /// # Errors
    /// [`NotFound`] for an unknown, already answered or forgotten `state`.
    pub fn take(&self, state: &str, now: i64) -> Result<(String, PresentationRequest), NotFound> {
        let mut r = lock(&self.inner);
        r.prune(now);
        let id = r.by_state.remove(state).ok_or(NotFound)?;
        let entry = r.by_id.get_mut(&id).ok_or(NotFound)?;
        if entry.outcome != Outcome::Pending {
            return Err(NotFound);
        }
        entry.outcome = Outcome::Answering;
        Ok((id, entry.request.clone()))
    }

    /// Records the outcome of the answer that took request `id`.
    pub fn settle(&self, id: &str, outcome: Outcome) {
        if let Some(entry) = lock(&self.inner).by_id.get_mut(id) {
            entry.outcome = outcome;
        }
    }

    /// The status of request `id` at `now`, as the counter page reads it; a final
    /// status is forgotten once read. `None` for an unknown or forgotten id.
    pub fn read(&self, id: &str, now: i64) -> Option<Outcome> {
        let mut r = lock(&self.inner);
        r.prune(now);
        let entry = r.by_id.get(id)?;
        let outcome = match &entry.outcome {
            Outcome::Pending if now >= entry.request.expires_at() => Outcome::Expired,
            other => other.clone(),
        };
        if outcome.is_final() {
            if let Some(entry) = r.by_id.remove(id) {
                r.by_state.remove(entry.request.state());
            }
        }
        Some(outcome)
    }
}

impl Requests {
    /// Drops every request [`FORGET_AFTER`] seconds past its expiry, whatever its
    /// outcome (an answer still being verified then is recorded nowhere: verification
    /// takes milliseconds, and nobody may read it any more).
    fn prune(&mut self, now: i64) {
        let by_state = &mut self.by_state;
        self.by_id.retain(|_, e| {
            let keep = now < e.request.expires_at().saturating_add(FORGET_AFTER);
            if !keep {
                by_state.remove(e.request.state());
            }
            keep
        });
    }
}

/// The routes under `/demo/api/counter/`.
pub fn router(app: Arc<AppState>) -> Router<Arc<AppState>> {
    let store = Arc::new(CounterStore::default());
    Router::new()
        .route(
            "/demo/api/counter/requests",
            post(create).layer(DefaultBodyLimit::max(MAX_CREATE_BODY)),
        )
        .route(
            "/demo/api/counter/response",
            post(respond).layer(DefaultBodyLimit::max(MAX_RESPONSE_BODY)),
        )
        .route("/demo/api/counter/requests/{id}", get(status))
        .with_state((app, store))
}

type Shared = (Arc<AppState>, Arc<CounterStore>);

/// The name the holder's app shows for this verifier.
fn client_name(lang: &str) -> &'static str {
    if lang == "en" {
        "Mirai Railway"
    } else {
        "みらい鉄道"
    }
}

async fn create(
    State((app, store)): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, NoStoreJson), ApiError> {
    // Only the counter page (or a non-browser client) creates requests: a page on another
    // origin could otherwise fill the store with "no-cors" POSTs and lock the window out.
    if crate::cors::is_foreign_origin(&headers, &app.issuer) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "access_denied",
            "counter requests are created only by the counter page's own origin",
        ));
    }
    let lang = if body.is_empty() {
        None
    } else {
        let value: Value = serde_json::from_slice(&body)
            .map_err(|e| ApiError::invalid_request(format!("the body is not JSON: {e}")))?;
        let object = value
            .as_object()
            .filter(|o| o.keys().all(|k| k == "lang"))
            .ok_or_else(|| ApiError::invalid_request("expected {\"lang\": \"ja\" | \"en\"}"))?;
        match object.get("lang") {
            None => None,
            Some(Value::String(l)) => Some(l.clone()),
            Some(_) => return Err(ApiError::invalid_request("lang must be a string")),
        }
    };
    let lang = match lang.as_deref() {
        None | Some("ja") => "ja",
        Some("en") => "en",
        Some(other) => {
            return Err(ApiError::invalid_request(format!(
                "lang must be \"ja\" or \"en\", not {other:?}"
            )))
        }
    };
    let now = app.clock.now();
    let request = PresentationRequest::create(
        PresentationRequestOptions {
            response_uri: app.url("/demo/api/counter/response"),
            claims: COUNTER_CLAIMS.iter().map(|c| (*c).to_owned()).collect(),
            client_name: Some(client_name(lang).to_owned()),
            expires_in: Some(EXPIRES_IN),
        },
        now,
    )
    .map_err(|e| ApiError::internal(format!("counter request: {e}")))?;
    let url = request.url();
    let expires_at = request.expires_at();
    let id = store.insert(request, now).map_err(|StoreFull| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "too many open counter requests; try again in a minute",
        )
        .with_header(header::RETRY_AFTER, HeaderValue::from_static("60"))
    })?;
    // `expires_in` beside `expires_at`: the counter page counts down from it, so a
    // tablet whose clock is off still shows the right time left.
    Ok((
        StatusCode::CREATED,
        NoStoreJson(json!({
            "id": id, "url": url, "expires_at": expires_at,
            "expires_in": expires_at.saturating_sub(now),
        })),
    ))
}

/// A refusal of the response endpoint: 400 with the code (PROTOCOL.md §7.2).
fn refused(code: &'static str, description: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code, description)
}

async fn respond(State((app, store)): State<Shared>, body: Bytes) -> Result<NoStoreJson, ApiError> {
    // The SDK reads the form and says which `state` it answers; a body that is not a
    // response (not a form, no `state`, neither `vp_token` nor `error`) settles nothing.
    let text = std::str::from_utf8(&body)
        .map_err(|_| refused("invalid_request", "the form is not UTF-8"))?;
    let state = PresentationResponse::parse(text)
        .map_err(|e| refused(e.code().as_str(), e.detail()))?
        .state()
        .to_owned();
    let (id, request) = store.take(&state, app.clock.now()).map_err(|_| {
        refused(
            "request_not_found",
            "no open request has this state: unknown, already answered or expired",
        )
    })?;
    // The provider's keys and current status list, as a partner's server fetches them.
    let (verifier, status_list) = partner_demo::provider_verifier(&app)
        .inspect_err(|_| store.settle(&id, Outcome::Failed("server_error")))?;
    let answered = || Ok(NoStoreJson(json!({})));
    let result =
        verifier.verify_presentation_response(text, &request, app.clock.now(), Some(&status_list));
    let (outcome, reply) = match result {
        Ok(certificate) => (
            // The SDK keeps only the requested claims and no holder key thumbprint.
            Outcome::Verified(from_sdk(&certificate.to_json())),
            answered(),
        ),
        Err(e) => match e.code() {
            ErrorCode::AccessDenied => (Outcome::Declined, answered()),
            ErrorCode::RequestExpired => (
                Outcome::Expired,
                Err(refused(e.code().as_str(), e.detail())),
            ),
            code => (
                Outcome::Failed(code.as_str()),
                Err(refused(code.as_str(), e.detail())),
            ),
        },
    };
    store.settle(&id, outcome);
    reply
}

async fn status(
    State((app, store)): State<Shared>,
    Path(id): Path<String>,
) -> Result<NoStoreJson, ApiError> {
    let outcome = store.read(&id, app.clock.now()).ok_or_else(|| {
        ApiError::not_found("no counter request with this id (unknown, or already read)")
    })?;
    Ok(NoStoreJson(match outcome {
        Outcome::Pending | Outcome::Answering => json!({ "status": "pending" }),
        Outcome::Verified(certificate) => {
            json!({ "status": "verified", "certificate": certificate })
        }
        Outcome::Failed(code) => json!({ "status": "failed", "error": code }),
        Outcome::Declined => json!({ "status": "declined" }),
        Outcome::Expired => json!({ "status": "expired" }),
    }))
}
