//! Small helpers: the clock, random tokens, digests, dates and URL encoding.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use mirairo_id_sdk::jose::b64url_encode;
use mirairo_id_sdk::{format_date, Calendar, Date, Lang};
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

/// The server's clock: the system time plus an offset that tests can move forward.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset: Arc<AtomicI64>,
}

impl Clock {
    /// Unix seconds, offset included.
    pub fn now(&self) -> i64 {
        let sys = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        sys.saturating_add(self.offset.load(Ordering::SeqCst))
    }

    /// Moves the clock by `secs` (may be negative).
    pub fn advance(&self, secs: i64) {
        self.offset.fetch_add(secs, Ordering::SeqCst);
    }
}

/// The sandbox speaks serde_json over HTTP; the SDK has its own strict JSON type. With
/// the SDK's `serde` feature the two convert directly (no printing and reparsing): a
/// serde_json value as the SDK's (`null` for what the SDK refuses: nesting deeper than
/// `MAX_JSON_DEPTH`, which the sandbox never builds).
pub fn to_sdk(value: &serde_json::Value) -> mirairo_id_sdk::json::Value {
    serde::Deserialize::deserialize(value).unwrap_or_default()
}

/// An SDK JSON value as serde_json's (every SDK value is valid JSON).
pub fn from_sdk(value: &mirairo_id_sdk::json::Value) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or_default()
}

/// `n` random bytes from the OS, base64url.
pub fn random_token(n: usize) -> String {
    let mut buf = vec![0u8; n];
    OsRng.fill_bytes(&mut buf);
    b64url_encode(&buf)
}

/// base64url(SHA-256(data)).
pub fn sha256_b64(data: &[u8]) -> String {
    b64url_encode(&Sha256::digest(data))
}

// Civil dates are the SDK core's (`mirairo_id_sdk::Date`, `format_date`): these are
// the sandbox's day-number view of them (a day number is days since 1970-01-01).

/// `YYYY-MM-DD` of a day number (empty outside the years 1–9999, which the seed never
/// reaches).
pub fn format_day(days: i64) -> String {
    Date::from_days(days).map_or_else(String::new, |d| d.to_string())
}

/// Today's day number in Japan (UTC+9).
pub fn today_jst(now: i64) -> i64 {
    Date::days_in_japan(now)
}

/// Parses `YYYY-MM-DD` (a real calendar day: `2026-02-31` is refused) into a day number.
pub fn parse_day(s: &str) -> Option<i64> {
    Date::parse(s).map(|d| d.days())
}

/// A `YYYY-MM-DD` date in the Japanese era style used on certificates
/// (`平成6年3月1日`, `令和元年5月1日`); anything else is returned as it is.
pub fn wareki(date: &str) -> String {
    Date::parse(date).map_or_else(
        || date.to_owned(),
        |d| format_date(d, Lang::Ja, Calendar::Japanese),
    )
}

/// Encodes a form component (RFC 3986 unreserved characters kept).
pub fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Appends query parameters to a URL that may already have a query.
pub fn append_query(url: &str, params: &[(&str, &str)]) -> String {
    let mut out = url.to_owned();
    let mut sep = if url.contains('?') { '&' } else { '?' };
    for (k, v) in params {
        out.push(sep);
        out.push_str(&form_encode(k));
        out.push('=');
        out.push_str(&form_encode(v));
        sep = '&';
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_and_sdk_values_convert_both_ways() {
        let v = serde_json::json!({"a": [1, -2, 0.5, 1.25, "x", null, true], "b": {"c": {}}});
        let sdk = to_sdk(&v);
        assert_eq!(sdk, mirairo_id_sdk::json::parse(&v.to_string()).unwrap());
        assert_eq!(from_sdk(&sdk), v);
        // Deeper than the SDK allows: refused, as its parser refuses it.
        let mut deep = serde_json::json!(1);
        for _ in 0..40 {
            deep = serde_json::json!([deep]);
        }
        assert_eq!(to_sdk(&deep), mirairo_id_sdk::json::Value::Null);
    }

    #[test]
    fn day_numbers_are_the_core_dates() {
        // (text, day number or refused)
        let rows = [
            ("1970-01-01", Some(0)),
            ("2000-02-29", Some(11_016)),
            ("2026-11-27", Some(20_784)),
            ("2026-02-31", None),
            ("2026-02-29", None),
            ("2026-04-31", None),
            ("2026-13-01", None),
            ("2026-1-1", None),
            ("", None),
        ];
        for (text, days) in rows {
            assert_eq!(parse_day(text), days, "{text}");
            if let Some(n) = days {
                assert_eq!(format_day(n), text);
            }
        }
        // 2026-11-26T15:00:00Z is midnight in Tokyo.
        assert_eq!(format_day(today_jst(1_795_705_200)), "2026-11-27");
        assert_eq!(format_day(today_jst(1_795_705_199)), "2026-11-26");
    }

    #[test]
    fn wareki_dates() {
        let rows = [
            ("1994-03-01", "平成6年3月1日"),
            ("1989-08-02", "平成元年8月2日"),
            ("2022-01-31", "令和4年1月31日"),
            ("2019-04-30", "平成31年4月30日"),
            ("2019-05-01", "令和元年5月1日"),
            ("1989-01-07", "昭和64年1月7日"),
            ("1920-05-01", "大正9年5月1日"),
            ("2026-02-31", "2026-02-31"),
            ("not a date", "not a date"),
        ];
        for (date, written) in rows {
            assert_eq!(wareki(date), written, "{date}");
        }
    }
}
