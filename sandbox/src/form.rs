//! Forms and query strings read into serde structs: the provider's HTML forms (sign-in,
//! consent, logout confirmation), the `/authorize` and `/logout` queries, the control
//! API's form, and the public and demo APIs' queries.
//!
//! Two steps, each a library's:
//! 1. The encoding is checked by the SDK core's strict form decoder
//!    ([`mirairo_id_sdk::form::Form`]), one `name=value` segment at a time: a bad `%`
//!    escape, text that is not UTF-8 after decoding, or an empty name is refused, by
//!    the same rule as the protocol bodies the core reads whole (`direct_post`). The
//!    core refuses a repeated name anywhere in a form, which HTML forms need (the
//!    consent form posts one `claim` per ticked box), so repeats are left to step 2.
//! 2. `serde_html_form` fills the struct: `+` is a space, a repeated name goes into a
//!    `Vec` field and is refused for a single-valued one, unknown names are ignored.
//!
//! The token endpoint does not come here: its body is a protocol body, read whole by
//! the core's decoder (`crate::token`).

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use mirairo_id_sdk::form::{Form as CoreForm, FormError};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, AppError};
use crate::oidc::authorize::accept_en;

/// Why a form or query string was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormRejection {
    /// The encoding (the core's rule: escapes, UTF-8, empty names).
    Encoding(FormError),
    /// The pairs do not fit the struct (a single-valued name given twice, a value of
    /// the wrong type, a required name missing).
    Shape(String),
}

impl std::fmt::Display for FormRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FormRejection::Encoding(e) => write!(f, "{e}"),
            FormRejection::Shape(e) => f.write_str(e),
        }
    }
}

/// Decodes `application/x-www-form-urlencoded` bytes (a body or a query string) into
/// `T`.
///
/// # Errors
/// [`FormRejection::Encoding`] for raw bytes that are not UTF-8 or a segment the core
/// refuses; [`FormRejection::Shape`] when the pairs do not fit `T`.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, FormRejection> {
    let text =
        std::str::from_utf8(bytes).map_err(|_| FormRejection::Encoding(FormError::BadEncoding))?;
    for segment in text.split('&').filter(|s| !s.is_empty()) {
        CoreForm::parse(segment, segment.len()).map_err(FormRejection::Encoding)?;
    }
    serde_html_form::from_str(text).map_err(|e| FormRejection::Shape(shape_error(&e.to_string())))
}

/// `serde_html_form`'s words for a single-valued name given twice ("unsupported value"),
/// said plainly; its other messages (a missing field, a value of the wrong type) are
/// clear as they are.
fn shape_error(message: &str) -> String {
    if message == "unsupported value" {
        "a parameter that may appear once is given more than once".to_owned()
    } else {
        message.to_owned()
    }
}

/// Whether the request says its body is a form.
pub fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

/// The "this request cannot be processed" page of the provider's browser endpoints.
pub fn refused_page(en: bool, status: StatusCode, ja: &str, english: &str) -> AppError {
    AppError::page(
        en,
        status,
        (
            "リクエストを処理できません",
            "This request cannot be processed",
        ),
        ja,
        english,
    )
}

/// A form posted by one of the provider's pages, read into `T`. Refused with the
/// provider's error page in the language of `Accept-Language`: 415 when the body is
/// not a form, 400 when it cannot be read.
#[derive(Debug)]
pub struct PageForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for PageForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let en = accept_en(req.headers());
        if !is_form(req.headers()) {
            return Err(refused_page(
                en,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "フォームの形式が正しくありません。",
                "The form is not application/x-www-form-urlencoded.",
            )
            .into_response());
        }
        // A body over the limit is axum's 413 (made JSON by `error::guard`).
        let body = Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        decode(&body).map(PageForm).map_err(|e| {
            refused_page(
                en,
                StatusCode::BAD_REQUEST,
                &format!("フォームの内容を読み取れません（{e}）。"),
                &format!("The form cannot be read ({e})."),
            )
            .into_response()
        })
    }
}

/// The query string of a JSON API, read into `T`; 400 `invalid_request` otherwise.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        query(parts.uri.query())
            .map(ApiQuery)
            .map_err(|e| ApiError::invalid_request(format!("query string: {e}")))
    }
}

/// A query string (`None`: none) read into `T`.
///
/// # Errors
/// As [`decode`].
pub fn query<T: DeserializeOwned>(raw: Option<&str>) -> Result<T, FormRejection> {
    decode(raw.unwrap_or_default().as_bytes())
}

/// The single value of a name that may repeat in the received pairs (`Err` names it
/// when it does: RFC 6749 §3.1, "parameters MUST NOT be included more than once"). For
/// the protocol requests whose answer to a repeat depends on which name repeats
/// (`/authorize`, `/logout`), read into `Vec<String>` fields.
///
/// # Errors
/// A description of the repeat.
pub fn single<'a>(values: &'a [String], name: &str) -> Result<Option<&'a str>, String> {
    match values {
        [] => Ok(None),
        [one] => Ok(Some(one.as_str())),
        _ => Err(format!("parameter '{name}' is given more than once")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default)]
    struct Consent {
        req: Option<String>,
        certificate: Option<String>,
        claim: Vec<String>,
    }

    #[test]
    fn decoding_table() {
        let ok = |claim: &[&str], certificate: Option<&str>| {
            Ok(Consent {
                req: Some("r".to_owned()),
                certificate: certificate.map(str::to_owned),
                claim: claim.iter().map(|c| (*c).to_owned()).collect(),
            })
        };
        let enc = |e: FormError| Err(FormRejection::Encoding(e));
        // (input, what it reads as)
        let table: Vec<(&[u8], Result<Consent, FormRejection>)> = vec![
            (b"req=r&claim=a&claim=b", ok(&["a", "b"], None)),
            (b"req=r&claim=a", ok(&["a"], None)),
            (b"req=r", ok(&[], None)),
            // `+` is a space, escapes decode, empty segments are skipped.
            (b"req=r&certificate=a+b&&", ok(&[], Some("a b"))),
            (b"req=r&certificate=%E6%B8%8B", ok(&[], Some("渋"))),
            (b"req=r&certificate=x%3D1", ok(&[], Some("x=1"))),
            (b"req=r&certificate=", ok(&[], Some(""))),
            // Unknown names are ignored, even repeated.
            (b"req=r&x=1&x=2", ok(&[], None)),
            // The core's encoding rule: bad escapes, invalid UTF-8, empty names.
            (b"req=%zz", enc(FormError::BadEncoding)),
            (b"req=%4", enc(FormError::BadEncoding)),
            (b"req=r&claim=%FF", enc(FormError::BadEncoding)),
            (b"req=r&claim=%E3%83", enc(FormError::BadEncoding)),
            (b"req=r&%zz=1", enc(FormError::BadEncoding)),
            (b"req=r&claim=\xff", enc(FormError::BadEncoding)),
            (b"req=r&=x", enc(FormError::EmptyName)),
        ];
        for (input, expected) in table {
            assert_eq!(
                decode::<Consent>(input),
                expected,
                "{}",
                String::from_utf8_lossy(input)
            );
        }
        // A single-valued name given twice is refused (also through an escape).
        for input in [
            &b"req=a&req=b"[..],
            b"req=a&%72eq=b",
            b"certificate=1&certificate=1",
        ] {
            assert_eq!(
                decode::<Consent>(input),
                Err(FormRejection::Shape(
                    "a parameter that may appear once is given more than once".to_owned()
                )),
                "{}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn a_required_name_and_a_typed_value() {
        #[derive(Debug, Deserialize)]
        struct Page {
            limit: u32,
        }
        assert_eq!(query::<Page>(Some("limit=5")).map(|p| p.limit), Ok(5));
        for raw in [None, Some(""), Some("limit=x"), Some("limit=1&limit=2")] {
            assert!(
                matches!(query::<Page>(raw), Err(FormRejection::Shape(_))),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn single_values() {
        let v = |s: &[&str]| s.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        assert_eq!(single(&v(&[]), "a"), Ok(None));
        assert_eq!(single(&v(&["1"]), "a"), Ok(Some("1")));
        assert_eq!(
            single(&v(&["1", "1"]), "a"),
            Err("parameter 'a' is given more than once".to_owned())
        );
    }
}
