//! Wire types of PROTOCOL.md §1 and §5, read leniently: a missing or odd field
//! degrades to empty text instead of losing the whole list.

use serde::{Deserialize, Deserializer};

/// The parts of the provider metadata the widgets use.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Metadata {
    /// Must equal the `api` base URL.
    pub issuer: String,
    /// `GET` places, paginated.
    #[serde(default)]
    pub places_endpoint: Option<String>,
    /// `GET` coupons.
    #[serde(default)]
    pub coupons_endpoint: Option<String>,
}

/// One place that accepts Mirairo ID.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Place {
    pub id: String,
    #[serde(deserialize_with = "text")]
    pub name: String,
    #[serde(deserialize_with = "text")]
    pub name_kana: String,
    #[serde(deserialize_with = "text")]
    pub category: String,
    #[serde(deserialize_with = "text")]
    pub prefecture: String,
    #[serde(deserialize_with = "text")]
    pub city: String,
    #[serde(deserialize_with = "text")]
    pub address: String,
    #[serde(deserialize_with = "text")]
    pub business: String,
    #[serde(deserialize_with = "texts")]
    pub accepts: Vec<String>,
    #[serde(deserialize_with = "flag")]
    pub requires_mynaportal: bool,
    #[serde(deserialize_with = "texts")]
    pub support: Vec<String>,
    #[serde(deserialize_with = "text")]
    pub url: String,
}

/// One page of `GET places_endpoint`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct PlacesPage {
    pub items: Vec<Place>,
    #[serde(default)]
    pub next_cursor: Option<String>,
    #[serde(default)]
    pub total: Option<u64>,
}

/// One coupon.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Coupon {
    pub id: String,
    #[serde(deserialize_with = "text")]
    pub business: String,
    #[serde(deserialize_with = "text")]
    pub title: String,
    #[serde(deserialize_with = "text")]
    pub description: String,
    #[serde(deserialize_with = "text")]
    pub discount: String,
    #[serde(deserialize_with = "text")]
    pub valid_from: String,
    #[serde(deserialize_with = "text")]
    pub valid_until: String,
    #[serde(deserialize_with = "texts")]
    pub conditions: Vec<String>,
    #[serde(deserialize_with = "text")]
    pub category: String,
    #[serde(deserialize_with = "text")]
    pub prefecture: String,
    #[serde(deserialize_with = "text")]
    pub url: String,
}

/// `GET coupons_endpoint`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct CouponsPage {
    pub items: Vec<Coupon>,
}

/// Any JSON scalar as display text; null and containers become empty.
fn scalar(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(scalar(&serde_json::Value::deserialize(d)?))
}

/// A list of strings, or one string (conditions may come as either).
fn texts<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Array(items) => {
            items.iter().map(scalar).filter(|s| !s.is_empty()).collect()
        }
        other => Some(scalar(&other))
            .filter(|s| !s.is_empty())
            .into_iter()
            .collect(),
    })
}

fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(matches!(
        serde_json::Value::deserialize(d)?,
        serde_json::Value::Bool(true)
    ))
}

/// Only http(s) links are followed; anything else (`javascript:`, `data:`) is dropped.
pub fn safe_url(url: &str) -> Option<&str> {
    let lower = url.trim_start().get(..8).unwrap_or("").to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then_some(url.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_protocol_example() {
        let page: PlacesPage = serde_json::from_str(
            r#"{"items":[{"id":"pl_00123","name":"渋谷駅","name_kana":"しぶやえき",
            "category":"railway","prefecture":"13","city":"渋谷区","address":"道玄坂1",
            "lat":35.658,"lng":139.701,"business":"東急","accepts":["physical","mental"],
            "requires_mynaportal":false,"support":["wheelchair"],"url":"https://example.jp/"}],
            "next_cursor":"abc","total":3512}"#,
        )
        .expect("valid page");
        assert_eq!(page.next_cursor.as_deref(), Some("abc"));
        assert_eq!(page.total, Some(3512));
        let p = &page.items[0];
        assert_eq!(
            (p.id.as_str(), p.name.as_str(), p.city.as_str()),
            ("pl_00123", "渋谷駅", "渋谷区")
        );
        assert_eq!(p.accepts, ["physical", "mental"]);
    }

    #[test]
    fn odd_fields_degrade_instead_of_failing() {
        let page: PlacesPage = serde_json::from_str(
            r#"{"items":[{"id":"x","name":null,"accepts":"physical","support":[1,null],
            "requires_mynaportal":"yes"}],"next_cursor":null}"#,
        )
        .expect("lenient");
        let p = &page.items[0];
        assert_eq!(p.name, "");
        assert_eq!(p.accepts, ["physical"]);
        assert_eq!(p.support, ["1"]);
        assert!(!p.requires_mynaportal);
        let c: CouponsPage = serde_json::from_str(
            r#"{"items":[{"id":"c1","discount":10,"conditions":"一回限り"}]}"#,
        )
        .expect("lenient");
        assert_eq!(c.items[0].discount, "10");
        assert_eq!(c.items[0].conditions, ["一回限り"]);
    }

    #[test]
    fn missing_items_is_an_error() {
        assert!(serde_json::from_str::<PlacesPage>(r#"{"total":1}"#).is_err());
        assert!(serde_json::from_str::<PlacesPage>("<html>").is_err());
    }

    #[test]
    fn only_http_links_survive() {
        let table = [
            ("https://example.jp/a", Some("https://example.jp/a")),
            ("HTTP://example.jp", Some("HTTP://example.jp")),
            ("javascript:alert(1)", None),
            (" JavaScript:alert(1)", None),
            ("data:text/html,<script>", None),
            ("//evil.example", None),
            ("", None),
        ];
        for (input, expected) in table {
            assert_eq!(safe_url(input), expected, "{input:?}");
        }
    }
}
