//! Wire types of PROTOCOL.md §1 and §5, read leniently: a missing or odd field
//! degrades to empty text instead of losing the whole list.

use crate::json::{Invalid, Kind, Read, Reader};

/// The parts of the provider metadata the widgets use.
#[derive(Clone, Debug, PartialEq)]
pub struct Metadata {
    /// Must equal the `api` base URL.
    pub issuer: String,
    /// `GET` places, paginated.
    pub places_endpoint: Option<String>,
    /// `GET` coupons.
    pub coupons_endpoint: Option<String>,
}

/// One place that accepts Mirairo ID.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Place {
    pub id: String,
    pub name: String,
    pub name_kana: String,
    pub category: String,
    pub prefecture: String,
    pub city: String,
    pub address: String,
    pub business: String,
    pub accepts: Vec<String>,
    pub requires_mynaportal: bool,
    pub support: Vec<String>,
    pub url: String,
}

/// One page of `GET places_endpoint`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlacesPage {
    pub items: Vec<Place>,
    pub next_cursor: Option<String>,
    pub total: Option<u64>,
}

/// One coupon.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Coupon {
    pub id: String,
    pub business: String,
    pub title: String,
    pub description: String,
    pub discount: String,
    pub valid_from: String,
    pub valid_until: String,
    pub conditions: Vec<String>,
    pub category: String,
    pub prefecture: String,
    pub url: String,
}

/// `GET coupons_endpoint`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CouponsPage {
    pub items: Vec<Coupon>,
}

impl Metadata {
    /// Reads the metadata document; `issuer` is required, unknown members are ignored.
    ///
    /// # Errors
    /// Not JSON, not an object, no `issuer` string, or an endpoint that is neither a
    /// string nor null.
    pub fn from_json(text: &str) -> Read<Metadata> {
        Reader::document(text, |r| {
            let (mut issuer, mut places_endpoint, mut coupons_endpoint) = (None, None, None);
            r.object(&mut |r, key| {
                match key {
                    "issuer" => issuer = Some(r.string()?),
                    "places_endpoint" => places_endpoint = optional(r)?,
                    "coupons_endpoint" => coupons_endpoint = optional(r)?,
                    _ => r.skip()?,
                }
                Ok(())
            })?;
            Ok(Metadata {
                issuer: issuer.ok_or(Invalid)?,
                places_endpoint,
                coupons_endpoint,
            })
        })
    }
}

impl PlacesPage {
    /// Reads one page of places; `items` is required.
    ///
    /// # Errors
    /// Not JSON, no `items` list, an item that is not an object or whose `id` is not a
    /// string, or a `next_cursor` / `total` of the wrong type.
    pub fn from_json(text: &str) -> Read<PlacesPage> {
        Reader::document(text, |r| {
            let (mut items, mut next_cursor, mut total) = (None, None, None);
            r.object(&mut |r, key| {
                match key {
                    "items" => items = Some(list(r, Place::read)?),
                    "next_cursor" => next_cursor = optional(r)?,
                    "total" => {
                        total = match r.peek()? {
                            Kind::Null => r.null().map(|()| None)?,
                            _ => Some(r.integer()?.and_then(|n| n.parse().ok()).ok_or(Invalid)?),
                        }
                    }
                    _ => r.skip()?,
                }
                Ok(())
            })?;
            Ok(PlacesPage {
                items: items.ok_or(Invalid)?,
                next_cursor,
                total,
            })
        })
    }
}

impl CouponsPage {
    /// Reads the coupons; `items` is required.
    ///
    /// # Errors
    /// Not JSON, no `items` list, or an item that is not an object or whose `id` is not
    /// a string.
    pub fn from_json(text: &str) -> Read<CouponsPage> {
        Reader::document(text, |r| {
            let mut items = None;
            r.object(&mut |r, key| {
                match key {
                    "items" => items = Some(list(r, Coupon::read)?),
                    _ => r.skip()?,
                }
                Ok(())
            })?;
            Ok(CouponsPage {
                items: items.ok_or(Invalid)?,
            })
        })
    }
}

impl Place {
    fn read(r: &mut Reader) -> Read<Place> {
        let mut p = Place::default();
        r.object(&mut |r, key| {
            match key {
                "id" => p.id = r.string()?,
                "name" => p.name = text(r)?,
                "name_kana" => p.name_kana = text(r)?,
                "category" => p.category = text(r)?,
                "prefecture" => p.prefecture = text(r)?,
                "city" => p.city = text(r)?,
                "address" => p.address = text(r)?,
                "business" => p.business = text(r)?,
                "accepts" => p.accepts = texts(r)?,
                "requires_mynaportal" => p.requires_mynaportal = flag(r)?,
                "support" => p.support = texts(r)?,
                "url" => p.url = text(r)?,
                _ => r.skip()?,
            }
            Ok(())
        })?;
        Ok(p)
    }
}

impl Coupon {
    fn read(r: &mut Reader) -> Read<Coupon> {
        let mut c = Coupon::default();
        r.object(&mut |r, key| {
            match key {
                "id" => c.id = r.string()?,
                "business" => c.business = text(r)?,
                "title" => c.title = text(r)?,
                "description" => c.description = text(r)?,
                "discount" => c.discount = text(r)?,
                "valid_from" => c.valid_from = text(r)?,
                "valid_until" => c.valid_until = text(r)?,
                "conditions" => c.conditions = texts(r)?,
                "category" => c.category = text(r)?,
                "prefecture" => c.prefecture = text(r)?,
                "url" => c.url = text(r)?,
                _ => r.skip()?,
            }
            Ok(())
        })?;
        Ok(c)
    }
}

/// A list whose every element `item` reads.
fn list<T>(r: &mut Reader, item: fn(&mut Reader) -> Read<T>) -> Read<Vec<T>> {
    let mut out = Vec::new();
    r.array(&mut |r| {
        out.push(item(r)?);
        Ok(())
    })?;
    Ok(out)
}

/// A string or null.
fn optional(r: &mut Reader) -> Read<Option<String>> {
    match r.peek()? {
        Kind::Null => r.null().map(|()| None),
        _ => r.string().map(Some),
    }
}

/// Any JSON scalar as display text; null, lists, objects and non-integral numbers
/// become empty.
fn text(r: &mut Reader) -> Read<String> {
    match r.peek()? {
        Kind::String => r.string(),
        Kind::Number => Ok(r.integer()?.unwrap_or_default()),
        Kind::Bool => Ok(if r.bool()? { "true" } else { "false" }.to_owned()),
        Kind::Null | Kind::Array | Kind::Object => r.skip().map(|()| String::new()),
    }
}

/// A list of scalars (empty ones dropped), or one string or integer (conditions may
/// come as either); anything else is an empty list.
fn texts(r: &mut Reader) -> Read<Vec<String>> {
    let mut out = Vec::new();
    match r.peek()? {
        Kind::Array => r.array(&mut |r| {
            let s = text(r)?;
            if !s.is_empty() {
                out.push(s);
            }
            Ok(())
        })?,
        Kind::String | Kind::Number => {
            let s = text(r)?;
            if !s.is_empty() {
                out.push(s);
            }
        }
        Kind::Null | Kind::Bool | Kind::Object => r.skip()?,
    }
    Ok(out)
}

/// `true` only for JSON `true`.
fn flag(r: &mut Reader) -> Read<bool> {
    match r.peek()? {
        Kind::Bool => r.bool(),
        _ => r.skip().map(|()| false),
    }
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
        let page = PlacesPage::from_json(
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
        let page = PlacesPage::from_json(
            r#"{"items":[{"id":"x","name":null,"accepts":"physical","support":[1,null,{"a":[]}],
            "requires_mynaportal":"yes","city":{"ja":"渋谷区"},"address":["a"],"business":1.5,
            "lat":"north"}],"next_cursor":null}"#,
        )
        .expect("lenient");
        let p = &page.items[0];
        assert_eq!(p.name, "");
        assert_eq!(
            (p.city.as_str(), p.address.as_str(), p.business.as_str()),
            ("", "", "")
        );
        assert_eq!(p.accepts, ["physical"]);
        assert_eq!(p.support, ["1"]);
        assert!(!p.requires_mynaportal);
        let c = CouponsPage::from_json(
            r#"{"items":[{"id":"c1","discount":10,"conditions":"一回限り"}]}"#,
        )
        .expect("lenient");
        assert_eq!(c.items[0].discount, "10");
        assert_eq!(c.items[0].conditions, ["一回限り"]);
    }

    #[test]
    fn metadata_needs_an_issuer_and_string_endpoints() {
        let ok = Metadata::from_json(
            r#"{"issuer":"https://id.example","places_endpoint":"https://id.example/places",
            "coupons_endpoint":null,"scopes_supported":["openid"]}"#,
        )
        .expect("valid metadata");
        assert_eq!(ok.issuer, "https://id.example");
        assert_eq!(
            ok.places_endpoint.as_deref(),
            Some("https://id.example/places")
        );
        assert_eq!(ok.coupons_endpoint, None);
        for bad in [
            r#"{"places_endpoint":"https://id.example/places"}"#,
            r#"{"issuer":1}"#,
            r#"{"issuer":"https://id.example","places_endpoint":42}"#,
            "[]",
        ] {
            assert!(Metadata::from_json(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn missing_items_is_an_error() {
        assert!(PlacesPage::from_json(r#"{"total":1}"#).is_err());
        assert!(PlacesPage::from_json("<html>").is_err());
        assert!(PlacesPage::from_json(r#"{"items":[{"id":7}]}"#).is_err());
        assert!(PlacesPage::from_json(r#"{"items":["x"]}"#).is_err());
        assert!(PlacesPage::from_json(r#"{"items":[],"total":-1}"#).is_err());
        assert!(CouponsPage::from_json(r#"{"items":{}}"#).is_err());
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
