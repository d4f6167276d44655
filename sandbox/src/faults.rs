//! Injected faults (`POST /_sandbox/faults`): the next `count` requests to a path fail
//! with a status, stall, or get a malformed JSON body.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::error::{error_body, json_response};
use crate::state::AppState;

/// One pending fault.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Fault {
    /// The HTTP status to answer; 0 (or absent) serves the request normally after the delay.
    #[serde(default)]
    pub status: u16,
    /// How long to stall before answering.
    #[serde(default)]
    pub delay_ms: u64,
    /// How many requests it applies to (default 1).
    #[serde(default = "one")]
    pub count: u32,
    /// `"malformed"`: answer with a body that is not valid JSON.
    #[serde(default)]
    pub body: Option<String>,
}

fn one() -> u32 {
    1
}

/// The longest stall a fault may ask for (a test should not hang forever).
pub const MAX_DELAY_MS: u64 = 120_000;

/// Takes one use of the fault for `path`, if any.
fn take(state: &AppState, path: &str) -> Option<Fault> {
    let mut faults = match state.faults.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    };
    let f = faults.get_mut(path)?;
    if f.count == 0 {
        faults.remove(path);
        return None;
    }
    f.count -= 1;
    let out = f.clone();
    if f.count == 0 {
        faults.remove(path);
    }
    Some(out)
}

/// What a fault answers instead of the endpoint: broken JSON (with the fault's status,
/// `200` without one), or the PROTOCOL §5 JSON error of its status. Browsers may read
/// either (`*`), and neither is cached.
#[derive(Debug, Clone, Copy)]
enum Injected {
    Malformed(StatusCode),
    Error(StatusCode),
}

impl Injected {
    /// The answer of `fault`; `None` when it only stalls.
    fn of(fault: &Fault) -> Option<Self> {
        let status = StatusCode::from_u16(fault.status).ok();
        if fault.body.as_deref() == Some("malformed") {
            Some(Injected::Malformed(status.unwrap_or(StatusCode::OK)))
        } else {
            status.map(Injected::Error)
        }
    }
}

impl IntoResponse for Injected {
    fn into_response(self) -> Response {
        let mut res = match self {
            Injected::Malformed(status) => {
                let mut r = Response::new(Body::from("{\"items\": [{\"id\": \"pl_0"));
                *r.status_mut() = status;
                r.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
                r
            }
            Injected::Error(status) => {
                let code = match status.as_u16() {
                    401 => "invalid_client",
                    404 => "not_found",
                    429 | 503 => "temporarily_unavailable",
                    s if s >= 500 => "server_error",
                    _ => "invalid_request",
                };
                json_response(
                    status,
                    error_body(
                        code,
                        &format!(
                            "fault injected by /_sandbox/faults (status {})",
                            status.as_u16()
                        ),
                    ),
                )
            }
        };
        let h = res.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("ETag"),
        );
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        res
    }
}

/// The middleware: takes one use of the request path's fault (preflights excepted),
/// stalls if it says so, then answers in the endpoint's place or lets it answer.
pub async fn inject(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let fault = if req.method() == Method::OPTIONS {
        None
    } else {
        take(&state, req.uri().path())
    };
    let Some(fault) = fault else {
        return next.run(req).await;
    };
    if fault.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(fault.delay_ms.min(MAX_DELAY_MS))).await;
    }
    match Injected::of(&fault) {
        Some(answer) => answer.into_response(),
        None => next.run(req).await,
    }
}
