//! `GET /api/v1/coupons` (PROTOCOL.md §5). Every coupon is returned with its validity
//! (some are expired, some not yet valid): the partner shows each one's dates.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use rusqlite::types::Value as SqlValue;
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::places::{cached_json, category, lang_en, parse_query, prefecture};
use crate::state::AppState;

/// `GET /api/v1/coupons?lang&prefecture&category`.
pub async fn coupons(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let key = format!("coupons?{}", raw.as_deref().unwrap_or(""));
    let body = state.cached(key, || coupons_body(&state, raw.as_deref()))?;
    Ok(cached_json(&headers, body))
}

fn coupons_body(state: &AppState, raw: Option<&str>) -> Result<String, ApiError> {
    let form = parse_query(raw)?;
    let en = lang_en(&form)?;
    let prefecture = prefecture(&form)?;
    let category = category(&form)?;
    let mut clauses = Vec::new();
    let mut args: Vec<SqlValue> = Vec::new();
    if let Some(p) = prefecture {
        // Nationwide coupons (no prefecture) apply everywhere.
        clauses.push("(c.prefecture = ? OR c.prefecture IS NULL)");
        args.push(SqlValue::Text(p));
    }
    if let Some(c) = category {
        clauses.push("c.category = ?");
        args.push(SqlValue::Text(c));
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    let sql = format!(
        "SELECT c.*, b.name_ja AS biz_ja, b.name_en AS biz_en FROM coupons c \
         JOIN businesses b ON b.id = c.business_id {filter} ORDER BY c.id"
    );
    let conn = state.db.lock();
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(args.iter()))?;
    let mut items = Vec::new();
    while let Some(row) = rows.next()? {
        let id: i64 = row.get("id")?;
        let pick = |ja: &str, en_col: &str| -> rusqlite::Result<String> {
            row.get(if en { en_col } else { ja })
        };
        items.push(json!({
            "id": format!("cp_{id:03}"),
            "business": pick("biz_ja", "biz_en")?,
            "title": pick("title_ja", "title_en")?,
            "description": pick("description_ja", "description_en")?,
            "discount": pick("discount_ja", "discount_en")?,
            "valid_from": row.get::<_, String>("valid_from")?,
            "valid_until": row.get::<_, String>("valid_until")?,
            "conditions": pick("conditions_ja", "conditions_en")?,
            "category": row.get::<_, String>("category")?,
            "prefecture": row.get::<_, Option<String>>("prefecture")?.map_or(Value::Null, Value::String),
            "url": row.get::<_, String>("url")?,
        }));
    }
    Ok(json!({ "items": items }).to_string())
}
