//! CORS: `*` for the public read-only endpoints, registered origins only for the token
//! and userinfo endpoints.

use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::cors::{Any, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::error::ApiError;

/// The CORS layer of the public read-only endpoints (PROTOCOL §5): `*` and a
/// preflight allowing `GET`/`HEAD` with `If-None-Match`, cached ten minutes. Put
/// [`expose_etag`] and [`preflight_no_content`] around it.
pub fn public_layer() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::HEAD])
        .allow_headers([
            header::IF_NONE_MATCH,
            header::ACCEPT,
            header::ACCEPT_LANGUAGE,
        ])
        .max_age(Duration::from_secs(600))
}

/// `Access-Control-Expose-Headers: ETag` on every public answer, preflight included.
/// `CorsLayer::expose_headers` would write the name as `etag` (a `HeaderName` is
/// lowercase); PROTOCOL §5 and the partners' checks spell it `ETag`.
pub fn expose_etag() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("ETag"),
    )
}

/// `CorsLayer` answers a preflight `200` with an empty body; the sandbox has always
/// answered `204 No Content` (what the tests and partners' checks expect), so this
/// layer, put around it, turns that empty `200` into a `204`.
pub async fn preflight_no_content(req: Request, next: Next) -> Response {
    let preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut res = next.run(req).await;
    if preflight && res.status() == StatusCode::OK {
        *res.status_mut() = StatusCode::NO_CONTENT;
    }
    res
}

/// An empty 204 preflight answer allowing `methods` and `headers` for ten minutes.
fn preflight(methods: &'static str, headers: &'static str) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::NO_CONTENT;
    let h = r.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(methods),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(headers),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    r
}

/// The request's `Origin`, if it has exactly one readable one.
pub fn origin(headers: &HeaderMap) -> Option<String> {
    let mut it = headers.get_all(header::ORIGIN).iter();
    let first = it.next()?;
    if it.next().is_some() {
        return None;
    }
    first.to_str().ok().map(str::to_owned)
}

/// True when a request carries an `Origin` other than `own` (the sandbox's issuer).
/// Browsers always send `Origin` on a cross-origin POST; scripts, CI and `curl` send
/// none, and the sandbox's own pages send `own`. Shared by the `/_sandbox/*` control
/// endpoints and the end-session confirmation (`POST /logout`).
pub fn is_foreign_origin(headers: &HeaderMap, own: &str) -> bool {
    headers
        .get_all(header::ORIGIN)
        .iter()
        .any(|o| o.as_bytes() != own.as_bytes())
}

/// The credentialed-endpoint CORS headers (token, userinfo) for an allowed origin.
pub fn for_origin(origin: &str, expose: &'static str) -> HeaderMap {
    let mut h = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(origin) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(expose),
        );
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    h
}

/// A preflight answer for a registered origin, or 403 without CORS headers.
///
/// # Errors
/// 403 `invalid_request` when the origin is not registered (or there is none).
pub fn restricted_preflight(
    allowed: bool,
    origin: Option<&str>,
    methods: &'static str,
    headers: &'static str,
) -> Result<(HeaderMap, Response), ApiError> {
    let origin = origin.filter(|_| allowed).ok_or_else(|| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "invalid_request",
            "this origin is not registered for any client",
        )
    })?;
    Ok((
        for_origin(origin, "WWW-Authenticate, DPoP-Nonce"),
        preflight(methods, headers),
    ))
}
