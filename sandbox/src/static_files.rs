//! Static files: `/` from www/, `/pkg/` from the npm package folders, `/examples/`
//! from the examples. No directory traversal, correct content types, CSP on HTML.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::Response;
use percent_encoding::percent_decode_str;

use crate::error::{ApiError, AppError};
use crate::pages;
use crate::state::AppState;
use mirairo_id_sdk::Lang;

/// The content type of a file name.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" | "cjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        "ts" | "mts" | "cts" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "xml" => "application/xml",
        _ => "application/octet-stream",
    }
}

/// Resolves a URL path below `root`; `None` for anything that could leave it
/// (`..`, `.`, backslashes, NUL, drive prefixes, hidden files) and for escapes that
/// are not UTF-8 or not escapes (`%zz`): a `%` left after decoding is refused, so no
/// served name has one. Paths are percent-decoded (RFC 3986): `+` is a plus sign.
pub fn safe_join(root: &Path, url_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode_str(url_path).decode_utf8().ok()?;
    let mut out = root.to_path_buf();
    for seg in decoded.split('/') {
        if seg.is_empty() {
            continue;
        }
        if seg == "."
            || seg == ".."
            || seg.starts_with('.')
            || seg.contains('\\')
            || seg.contains('\0')
            || seg.contains(':')
            || seg.contains('%')
        {
            return None;
        }
        out.push(seg);
    }
    Some(out)
}

fn not_found(en: bool) -> AppError {
    AppError::page(
        en,
        StatusCode::NOT_FOUND,
        ("ページが見つかりません", "Page not found"),
        "お探しのページは見つかりませんでした。アドレスを確認してください。",
        "The page you are looking for does not exist. Check the address.",
    )
}

fn redirect_to_dir(uri_path: &str, query: Option<&str>) -> Response {
    let mut loc = format!("{uri_path}/");
    if let Some(q) = query {
        loc.push('?');
        loc.push_str(q);
    }
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::MOVED_PERMANENTLY;
    if let Ok(v) = HeaderValue::from_str(&loc) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// What a static request needs (the request body is not `Sync`, so not kept).
struct Want {
    method: Method,
    en: bool,
    path: String,
    query: Option<String>,
}

impl Want {
    fn of(req: &Request) -> Self {
        Want {
            method: req.method().clone(),
            en: req
                .headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::negotiate)
                == Some(Lang::En),
            path: req.uri().path().to_owned(),
            query: req.uri().query().map(str::to_owned),
        }
    }
}

async fn serve_from(
    root: &Path,
    rest: &str,
    req: Want,
    coop: Option<&'static str>,
) -> Result<Response, AppError> {
    if req.method != Method::GET && req.method != Method::HEAD {
        return Err(ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "static files are GET only",
        )
        .into());
    }
    let en = req.en;
    let mut path = safe_join(root, rest).ok_or_else(|| not_found(en))?;
    let is_dir = tokio::task::spawn_blocking({
        let p = path.clone();
        move || p.is_dir()
    })
    .await
    .unwrap_or(false);
    if is_dir {
        if !req.path.ends_with('/') {
            return Ok(redirect_to_dir(&req.path, req.query.as_deref()));
        }
        path.push("index.html");
    }
    let read = tokio::task::spawn_blocking({
        let p = path.clone();
        move || std::fs::read(p)
    })
    .await;
    let bytes = read
        .ok()
        .and_then(Result::ok)
        .ok_or_else(|| not_found(en))?;
    let ct = content_type(&path);
    let mut r = Response::new(if req.method == Method::HEAD {
        Body::empty()
    } else {
        Body::from(bytes)
    });
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if ct.starts_with("text/html") {
        pages::add_html_headers(&mut r);
        if let Some(policy) = coop {
            r.headers_mut().insert(
                "cross-origin-opener-policy",
                HeaderValue::from_static(policy),
            );
        }
    }
    Ok(r)
}

fn rest_after<'a>(path: &'a str, prefix: &str) -> &'a str {
    path.strip_prefix(prefix).unwrap_or("")
}

/// `/pkg/…`.
pub async fn pkg(State(state): State<Arc<AppState>>, req: Request) -> Result<Response, AppError> {
    let path = req.uri().path().to_owned();
    if path == "/pkg" {
        return Ok(redirect_to_dir("/pkg", req.uri().query()));
    }
    serve_from(&state.pkg, rest_after(&path, "/pkg/"), Want::of(&req), None).await
}

/// `/examples/…`.
pub async fn examples(
    State(state): State<Arc<AppState>>,
    req: Request,
) -> Result<Response, AppError> {
    let path = req.uri().path().to_owned();
    if path == "/examples" {
        return Ok(redirect_to_dir("/examples", req.uri().query()));
    }
    serve_from(
        &state.examples,
        rest_after(&path, "/examples/"),
        Want::of(&req),
        state.page_coop(),
    )
    .await
}

/// Everything else: www/.
pub async fn www(State(state): State<Arc<AppState>>, req: Request) -> Result<Response, AppError> {
    let path = req.uri().path().to_owned();
    serve_from(&state.www, &path, Want::of(&req), state.page_coop()).await
}

/// Unknown `/api/…` paths: a JSON 404, never an HTML page.
pub async fn api_not_found(req: Request) -> ApiError {
    ApiError::not_found(format!("no API endpoint at {}", req.uri().path()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_is_refused() {
        let root = Path::new("/srv/www");
        let refused = [
            "../etc/passwd",
            "/a/../../etc/passwd",
            "%2e%2e/etc/passwd",
            "%2E%2E%2Fetc%2Fpasswd",
            "a/%2e%2e/%2e%2e/x",
            "..%5c..%5cwindows",
            "a\\..\\b",
            "%00",
            ".git/config",
            "C:/windows",
            "%zz",
            "%4",
            "%FF",
            "%C3%28",
            "a%25b",
            "%252e%252e/x",
        ];
        for p in refused {
            assert_eq!(safe_join(root, p), None, "{p}");
        }
        assert_eq!(
            safe_join(root, "/demo/index.html"),
            Some(PathBuf::from("/srv/www/demo/index.html"))
        );
        // (URL path, file below root)
        let served = [
            ("/a%20b.js", "/srv/www/a b.js"),
            ("/a+b.js", "/srv/www/a+b.js"),
            ("/a%2Bb.js", "/srv/www/a+b.js"),
            ("/%E6%B8%8B.html", "/srv/www/渋.html"),
            ("//x//y", "/srv/www/x/y"),
        ];
        for (url, file) in served {
            assert_eq!(safe_join(root, url), Some(PathBuf::from(file)), "{url}");
        }
    }

    #[test]
    fn content_types() {
        let table = [
            ("a.wasm", "application/wasm"),
            ("a.js", "text/javascript; charset=utf-8"),
            ("a.mjs", "text/javascript; charset=utf-8"),
            ("a.css", "text/css; charset=utf-8"),
            ("a.svg", "image/svg+xml"),
            ("a.json", "application/json"),
            ("a.html", "text/html; charset=utf-8"),
        ];
        for (name, ct) in table {
            assert_eq!(content_type(Path::new(name)), ct, "{name}");
        }
    }
}
