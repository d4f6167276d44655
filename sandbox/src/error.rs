//! Handler errors: JSON errors (`{"error","error_description"}`, PROTOCOL §5) and HTML
//! error pages ([`AppError`]), and the layer that guarantees every failure of the
//! server is one.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// An error answered as `{"error": …, "error_description": …}` with an HTTP status.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The OAuth-style error code.
    pub error: &'static str,
    /// A human-readable description (English, for developers).
    pub description: String,
    /// The `WWW-Authenticate` challenge, if any.
    pub www_authenticate: Option<String>,
    /// Other headers of the answer (e.g. `Retry-After`).
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl ApiError {
    /// An error with a status, a code and a description.
    pub fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        ApiError {
            status,
            error,
            description: description.into(),
            www_authenticate: None,
            headers: Vec::new(),
        }
    }

    /// The same error with one more header.
    #[must_use]
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// 400 `invalid_request`.
    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    /// 400 `invalid_grant`.
    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_grant", description)
    }

    /// 401 `invalid_client`.
    pub fn invalid_client(description: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_client", description)
    }

    /// 400 `invalid_dpop_proof`.
    pub fn invalid_dpop(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_dpop_proof", description)
    }

    /// 400 `use_dpop_nonce` (RFC 9449 §8): the proof needs the nonce given in the
    /// answer's `DPoP-Nonce` header.
    pub fn use_dpop_nonce() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "use_dpop_nonce",
            "the DPoP proof must carry the nonce given in the DPoP-Nonce header",
        )
    }

    /// The same error as a protected resource answers it (RFC 9449 §7.1, RFC 6750
    /// §3.1): 401 with a `WWW-Authenticate: DPoP error="…"` challenge. Proof errors
    /// (`invalid_dpop_proof`, `use_dpop_nonce`) and token errors (`invalid_token`) keep
    /// their code; anything else is returned unchanged.
    pub fn as_resource_error(mut self) -> Self {
        if matches!(
            self.error,
            "invalid_dpop_proof" | "use_dpop_nonce" | "invalid_token"
        ) {
            self.status = StatusCode::UNAUTHORIZED;
            self.www_authenticate = Some(format!(
                "DPoP error=\"{}\", error_description=\"{}\", algs=\"ES256\"",
                self.error,
                self.description.replace(['"', '\\'], "'")
            ));
        }
        self
    }

    /// 404 `not_found`.
    pub fn not_found(description: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", description)
    }

    /// 500 `server_error`; the cause is logged to stderr, not sent.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        eprintln!("mirairo-id-sandbox: internal error: {cause}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "the sandbox hit an internal error",
        )
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        ApiError::internal(e)
    }
}

/// The JSON body of an error.
pub fn error_body(error: &str, description: &str) -> String {
    serde_json::json!({ "error": error, "error_description": description }).to_string()
}

/// A JSON response with the given status and body, never cached.
pub fn json_response(status: StatusCode, body: String) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = json_response(self.status, error_body(self.error, &self.description));
        if let Some(w) = self.www_authenticate {
            if let Ok(v) = HeaderValue::from_str(&w) {
                r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
            }
        }
        for (name, value) in self.headers {
            r.headers_mut().insert(name, value);
        }
        r
    }
}

/// A `200` JSON answer of the sandbox's own APIs (control, wallet, counter, partner
/// demo, token, userinfo), never cached; `(StatusCode::CREATED, NoStoreJson(v))` for
/// another status.
#[derive(Debug, Clone)]
pub struct NoStoreJson(pub serde_json::Value);

impl IntoResponse for NoStoreJson {
    fn into_response(self) -> Response {
        json_response(StatusCode::OK, self.0.to_string())
    }
}

/// What a handler fails with: the JSON error of an API endpoint, or the error page of
/// an endpoint a browser shows (sign-in, consent, logout). Handlers return
/// `Result<impl IntoResponse, AppError>` and use `?`.
#[derive(Debug)]
pub enum AppError {
    /// `{"error","error_description"}` with its status (PROTOCOL §5).
    Api(ApiError),
    /// An OAuth error answered by redirecting to the client (RFC 6749 §4.1.2.1):
    /// `303 See Other` to this URL.
    Redirect(String),
    /// An HTML error page (never a redirect).
    Page {
        /// Page language.
        en: bool,
        /// The HTTP status.
        status: StatusCode,
        /// The page's title (already in the page's language).
        title: String,
        /// What went wrong (already in the page's language).
        message: String,
    },
}

impl AppError {
    /// An error page titled `title`, saying `ja` or `english`.
    pub fn page(
        en: bool,
        status: StatusCode,
        title: (&str, &str),
        ja: &str,
        english: &str,
    ) -> Self {
        let pick = |ja: &str, english: &str| if en { english } else { ja }.to_owned();
        AppError::Page {
            en,
            status,
            title: pick(title.0, title.1),
            message: pick(ja, english),
        }
    }
}

impl ApiError {
    /// This error as an HTML page (for browser-facing endpoints).
    pub fn into_page(self, en: bool) -> AppError {
        AppError::Page {
            en,
            status: self.status,
            title: if en {
                "Something went wrong"
            } else {
                "エラーが発生しました"
            }
            .to_owned(),
            message: self.description,
        }
    }
}

impl From<ApiError> for AppError {
    fn from(e: ApiError) -> Self {
        AppError::Api(e)
    }
}

impl From<rusqlite::Error> for AppError {
    fn from(e: rusqlite::Error) -> Self {
        AppError::Api(e.into())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::Api(e) => e.into_response(),
            AppError::Redirect(url) => see_other(&url),
            AppError::Page {
                en,
                status,
                title,
                message,
            } => crate::pages::error_page(en, status, &title, &message),
        }
    }
}

/// A `303 See Other` to `location`, never cached.
pub fn see_other(location: &str) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::SEE_OTHER;
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn code_for(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "invalid_client",
        404 => "not_found",
        405 => "method_not_allowed",
        413 => "request_too_large",
        415 => "unsupported_media_type",
        s if s >= 500 => "server_error",
        _ => "invalid_request",
    }
}

/// Last-resort layer: runs the handler in its own task so that a panic becomes a
/// 500 JSON error instead of a dropped connection, and replaces any error response
/// that is not JSON or HTML (framework rejections, 405s) with a JSON error.
pub async fn guard(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let res = match tokio::spawn(next.run(req)).await {
        Ok(r) => r,
        Err(e) => {
            return ApiError::internal(format!("handler for {method} {path} failed: {e}"))
                .into_response()
        }
    };
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let ct = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ct.starts_with("application/json") || ct.starts_with("text/html") {
        return res;
    }
    let (parts, _) = res.into_parts();
    let description = match status.as_u16() {
        405 => format!("{method} is not allowed on {path}"),
        413 => "the request body is too large".to_owned(),
        _ => status
            .canonical_reason()
            .unwrap_or("request failed")
            .to_owned(),
    };
    let mut r = json_response(status, error_body(code_for(status), &description));
    for (k, v) in parts.headers.iter() {
        if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
            r.headers_mut().insert(k.clone(), v.clone());
        }
    }
    r
}
