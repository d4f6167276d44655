//! `GET /api/v1/places` (PROTOCOL.md §5) and the shared public-JSON helpers
//! (query parsing, `ETag`/`304`, caching and CORS headers).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use mirairo_id_sdk::jose::{b64url_decode, b64url_encode};
use rusqlite::types::Value as SqlValue;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::form::query;
use crate::seed::CATEGORIES;
use crate::state::AppState;
use crate::util::sha256_b64;
use mirairo_id_sdk::Lang;

/// Default page size.
pub const DEFAULT_LIMIT: i64 = 100;
/// Largest page size.
pub const MAX_LIMIT: i64 = 500;

/// The query of the public endpoints (`/api/v1/places`, `/api/v1/coupons`): each name at
/// most once (a repeat is 400), unknown names ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PublicQuery {
    /// `ja` (default) or `en`.
    pub lang: Option<String>,
    /// A JIS prefecture code.
    pub prefecture: Option<String>,
    /// A category of PROTOCOL.md §5.
    pub category: Option<String>,
    /// Page size (places).
    pub limit: Option<String>,
    /// Where the page starts (places).
    pub cursor: Option<String>,
    /// Search text (places).
    pub q: Option<String>,
}

/// Parses a public endpoint's query string.
///
/// # Errors
/// 400 `invalid_request` for a broken encoding or a repeated parameter.
pub fn parse_query(raw: Option<&str>) -> Result<PublicQuery, ApiError> {
    query(raw).map_err(|e| ApiError::invalid_request(format!("query string: {e}")))
}

/// `lang`: `ja` (default) or `en`; true for English.
///
/// # Errors
/// 400 for anything else.
pub fn lang_en(form: &PublicQuery) -> Result<bool, ApiError> {
    match form.lang.as_deref().map(Lang::from_wire) {
        None => Ok(false),
        Some(Some(lang)) => Ok(lang == Lang::En),
        Some(None) => Err(ApiError::invalid_request("lang must be ja or en")),
    }
}

/// `prefecture`: a JIS code `01`–`47`.
///
/// # Errors
/// 400 for anything else.
pub fn prefecture(form: &PublicQuery) -> Result<Option<String>, ApiError> {
    match form.prefecture.as_deref() {
        None | Some("") => Ok(None),
        Some(p) => {
            let ok = p.len() == 2
                && p.bytes().all(|b| b.is_ascii_digit())
                && p.parse::<u8>().is_ok_and(|n| (1..=47).contains(&n));
            if ok {
                Ok(Some(p.to_owned()))
            } else {
                Err(ApiError::invalid_request(
                    "prefecture must be a JIS code from 01 to 47",
                ))
            }
        }
    }
}

/// `category`: one of PROTOCOL.md §5.
///
/// # Errors
/// 400 for an unknown category.
pub fn category(form: &PublicQuery) -> Result<Option<String>, ApiError> {
    match form.category.as_deref() {
        None | Some("") => Ok(None),
        Some(c) if CATEGORIES.iter().any(|(name, _, _)| *name == c) => Ok(Some(c.to_owned())),
        Some(_) => Err(ApiError::invalid_request(format!(
            "category must be one of: {}",
            CATEGORIES
                .iter()
                .map(|c| c.0)
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// True when `If-None-Match` lists `etag` (weak comparison) or `*`.
pub fn etag_matches(headers: &HeaderMap, etag: &str) -> bool {
    let bare = etag.trim_start_matches("W/");
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|t| t == "*" || t.trim_start_matches("W/") == bare)
}

/// A cacheable public JSON answer: `ETag`, `Cache-Control: public, max-age=300`
/// (CORS `*` comes from the router's layer), and `304` when `If-None-Match` matches.
pub fn cached_json(headers: &HeaderMap, body: String) -> Response {
    let etag = format!(
        "\"{}\"",
        sha256_b64(body.as_bytes()).get(..27).unwrap_or("")
    );
    let not_modified = etag_matches(headers, &etag);
    let mut r = if not_modified {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let mut r = Response::new(Body::from(body));
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        r
    };
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    r
}

/// Hiragana to katakana, so that `しぶや` finds `シブヤ`.
fn to_katakana(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3041}'..='\u{3096}' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
            _ => c,
        })
        .collect()
}

fn encode_cursor(last_id: i64) -> String {
    b64url_encode(format!("pl:{last_id}").as_bytes())
}

fn decode_cursor(cursor: &str) -> Option<i64> {
    let bytes = b64url_decode(cursor).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.strip_prefix("pl:")?.parse().ok()
}

/// The JSON of one place row in a language.
fn place_json(row: &rusqlite::Row<'_>, en: bool) -> rusqlite::Result<Value> {
    let id: i64 = row.get("id")?;
    let pick = |ja: &str, en_col: &str| -> rusqlite::Result<String> {
        row.get(if en { en_col } else { ja })
    };
    let accepts: String = row.get("accepts")?;
    let support: String = row.get("support")?;
    Ok(json!({
        "id": format!("pl_{id:05}"),
        "name": pick("name_ja", "name_en")?,
        "name_kana": row.get::<_, String>("kana")?,
        "category": row.get::<_, String>("category")?,
        "prefecture": row.get::<_, String>("prefecture")?,
        "city": pick("city_ja", "city_en")?,
        "address": pick("address_ja", "address_en")?,
        "lat": row.get::<_, f64>("lat")?,
        "lng": row.get::<_, f64>("lng")?,
        "business": pick("biz_ja", "biz_en")?,
        "accepts": serde_json::from_str::<Value>(&accepts).unwrap_or(Value::Array(vec![])),
        "requires_mynaportal": row.get::<_, bool>("requires_mynaportal")?,
        "support": serde_json::from_str::<Value>(&support).unwrap_or(Value::Array(vec![])),
        "url": row.get::<_, String>("url")?,
    }))
}

/// `GET /api/v1/places`.
pub async fn places(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let key = format!("places?{}", raw.as_deref().unwrap_or(""));
    let body = state.cached(key, || places_body(&state, raw.as_deref()))?;
    Ok(cached_json(&headers, body))
}

fn places_body(state: &AppState, raw: Option<&str>) -> Result<String, ApiError> {
    let form = parse_query(raw)?;
    let en = lang_en(&form)?;
    let prefecture = prefecture(&form)?;
    let category = category(&form)?;
    let limit = match form.limit.as_deref() {
        None | Some("") => DEFAULT_LIMIT,
        Some(l) => match l.parse::<i64>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
            _ => {
                return Err(ApiError::invalid_request(format!(
                    "limit must be an integer from 1 to {MAX_LIMIT}"
                )))
            }
        },
    };
    let after = match form.cursor.as_deref() {
        None | Some("") => 0,
        Some(c) => decode_cursor(c)
            .ok_or_else(|| ApiError::invalid_request("cursor is not one this server issued"))?,
    };
    let q = form.q.as_deref().map(str::trim).unwrap_or("");

    let mut clauses: Vec<&str> = Vec::new();
    let mut args: Vec<SqlValue> = Vec::new();
    if let Some(p) = prefecture {
        clauses.push("p.prefecture = ?");
        args.push(SqlValue::Text(p));
    }
    if let Some(c) = category {
        clauses.push("p.category = ?");
        args.push(SqlValue::Text(c));
    }
    if !q.is_empty() {
        // Plain-text containment: the search text is bound as a parameter and
        // compared with instr(), so no character in it has a meaning to SQL.
        clauses.push(
            "(instr(p.name_ja, ?) > 0 OR instr(lower(p.name_en), lower(?)) > 0 \
             OR instr(p.kana, ?) > 0 OR instr(p.city_ja, ?) > 0 \
             OR instr(lower(p.city_en), lower(?)) > 0 OR instr(p.city_kana, ?) > 0 \
             OR instr(p.address_ja, ?) > 0 OR instr(lower(p.address_en), lower(?)) > 0)",
        );
        let kata = to_katakana(q);
        for v in [q, q, &kata, q, q, &kata, q, q] {
            args.push(SqlValue::Text(v.to_owned()));
        }
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    let conn = state.db.lock();
    let total: i64 = conn.query_row(
        &format!("SELECT COUNT(*) FROM places p {filter}"),
        rusqlite::params_from_iter(args.iter()),
        |r| r.get(0),
    )?;
    let page_filter = if clauses.is_empty() {
        "WHERE p.id > ?".to_owned()
    } else {
        format!("{filter} AND p.id > ?")
    };
    let mut page_args = args.clone();
    page_args.push(SqlValue::Integer(after));
    page_args.push(SqlValue::Integer(limit + 1));
    let sql = format!(
        "SELECT p.*, b.name_ja AS biz_ja, b.name_en AS biz_en FROM places p \
         JOIN businesses b ON b.id = p.business_id {page_filter} ORDER BY p.id LIMIT ?"
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(page_args.iter()))?;
    let mut items = Vec::new();
    let mut last_id = after;
    let mut more = false;
    while let Some(row) = rows.next()? {
        if items.len() as i64 == limit {
            more = true;
            break;
        }
        last_id = row.get("id")?;
        items.push(place_json(row, en)?);
    }
    let next_cursor = if more {
        Value::String(encode_cursor(last_id))
    } else {
        Value::Null
    };
    Ok(json!({ "items": items, "next_cursor": next_cursor, "total": total }).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trip_and_garbage() {
        assert_eq!(decode_cursor(&encode_cursor(123)), Some(123));
        for bad in ["", "!!", "cGw6", "eHg6MQ", "cGw6YWJj"] {
            assert_eq!(decode_cursor(bad), None, "{bad}");
        }
    }

    #[test]
    fn hiragana_becomes_katakana() {
        assert_eq!(to_katakana("しぶや渋谷"), "シブヤ渋谷");
    }

    #[test]
    fn if_none_match_forms() {
        let tag = "\"abc\"";
        let cases: &[(&str, bool)] = &[
            ("\"abc\"", true),
            ("W/\"abc\"", true),
            ("\"x\", \"abc\"", true),
            ("*", true),
            ("\"abd\"", false),
        ];
        for (value, expected) in cases {
            let mut h = HeaderMap::new();
            h.insert(header::IF_NONE_MATCH, HeaderValue::from_str(value).unwrap());
            assert_eq!(etag_matches(&h, tag), *expected, "{value}");
        }
    }
}
