//! Wire types of PROTOCOL.md §1 and §5, read leniently: a missing or odd field
//! degrades to empty text instead of losing the whole list.
//!
//! The types implement `serde::Deserialize` (derived, or for places and coupons one
//! visitor, [`Record`]). In the browser the body is parsed by the browser's own
//! `Response.json()` and handed to these impls by `serde-wasm-bindgen` (`fetch`);
//! natively the tests read JSON text with `serde_json` through the same impls. The
//! lenient rules live here, in [`Field`].

use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

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

/// One page of `GET places_endpoint`: `items` is required; `next_cursor` is a string
/// or null, `total` a non-negative integer or null.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct PlacesPage {
    pub items: Vec<Place>,
    #[serde(default)]
    pub next_cursor: Option<String>,
    #[serde(default)]
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

/// `GET coupons_endpoint`: `items` is required.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct CouponsPage {
    pub items: Vec<Coupon>,
}

/// The members of a place that the widget reads, `id` first (see [`Record`]).
const PLACE_FIELDS: &[&str] = &[
    "id",
    "name",
    "name_kana",
    "category",
    "prefecture",
    "city",
    "address",
    "business",
    "accepts",
    "requires_mynaportal",
    "support",
    "url",
];

impl<'de> Deserialize<'de> for Place {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Place, D::Error> {
        let (id, mut r) = Record::read(d, "Place", PLACE_FIELDS)?;
        // The fields in the order of PLACE_FIELDS.
        Ok(Place {
            id,
            name: r.next().text(),
            name_kana: r.next().text(),
            category: r.next().text(),
            prefecture: r.next().text(),
            city: r.next().text(),
            address: r.next().text(),
            business: r.next().text(),
            accepts: r.next().texts(),
            requires_mynaportal: r.next().flag(),
            support: r.next().texts(),
            url: r.next().text(),
        })
    }
}

/// The members of a coupon that the widget reads, `id` first (see [`Record`]).
const COUPON_FIELDS: &[&str] = &[
    "id",
    "business",
    "title",
    "description",
    "discount",
    "valid_from",
    "valid_until",
    "conditions",
    "category",
    "prefecture",
    "url",
];

impl<'de> Deserialize<'de> for Coupon {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Coupon, D::Error> {
        let (id, mut r) = Record::read(d, "Coupon", COUPON_FIELDS)?;
        // The fields in the order of COUPON_FIELDS.
        Ok(Coupon {
            id,
            business: r.next().text(),
            title: r.next().text(),
            description: r.next().text(),
            discount: r.next().text(),
            valid_from: r.next().text(),
            valid_until: r.next().text(),
            conditions: r.next().texts(),
            category: r.next().text(),
            prefecture: r.next().text(),
            url: r.next().text(),
        })
    }
}

/// An item as it came: `id` must be a string when present (else the page is refused);
/// every other member named is read leniently as a [`Field`].
///
/// Places and coupons are read by this one visitor with their own list of names,
/// rather than a derived visitor each: one copy in the wasm instead of two, which are
/// mostly the same code (docs/contract-notes.md, widget-lean).
struct Record {
    /// The members after `id`, in the order of their names; taken by [`Record::next`].
    fields: std::vec::IntoIter<Field>,
}

impl Record {
    /// Reads an object with the members `names` (`names[0]` is `id`): its `id` and
    /// the rest.
    fn read<'de, D: Deserializer<'de>>(
        d: D,
        kind: &'static str,
        names: &'static [&'static str],
    ) -> Result<(String, Record), D::Error> {
        d.deserialize_struct(kind, names, RecordVisitor { names })
    }

    /// The next member in the order of the names; `Nothing` past the end.
    fn next(&mut self) -> Field {
        self.fields.next().unwrap_or_default()
    }
}

struct RecordVisitor {
    names: &'static [&'static str],
}

impl<'de> Visitor<'de> for RecordVisitor {
    type Value = (String, Record);

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(String, Record), A::Error> {
        let mut id = String::new();
        // One slot per name after `id`.
        let mut fields: Vec<Field> = self.names.iter().skip(1).map(|_| Field::Nothing).collect();
        while let Some(key) = map.next_key_seed(Name { names: self.names })? {
            match key {
                Some(0) => id = map.next_value()?,
                Some(i) => {
                    let value = map.next_value()?;
                    if let Some(slot) = fields.get_mut(i - 1) {
                        *slot = value;
                    }
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let fields = fields.into_iter();
        Ok((id, Record { fields }))
    }
}

/// A member name as its position in `names`, `None` for a member the widget does
/// not read.
struct Name {
    names: &'static [&'static str],
}

impl<'de> de::DeserializeSeed<'de> for Name {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for Name {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E>(self, v: &str) -> Result<Option<usize>, E> {
        Ok(self.names.iter().position(|n| *n == v))
    }
}

/// Any JSON value, as far as a lenient field cares. One type (one `Deserialize` impl,
/// one visitor) for every lenient field: one copy in the wasm.
#[derive(Default)]
enum Field {
    /// A string, or an integer as its decimal text.
    Text(String),
    /// `true` or `false`.
    Bool(bool),
    /// A list: its scalars as display texts, empty ones dropped.
    List(Vec<String>),
    /// Anything else: absent, null, an object, a non-integral number, a list inside
    /// a list.
    #[default]
    Nothing,
}

impl Field {
    /// Any scalar as display text; null, lists, objects and non-integral numbers
    /// become empty.
    fn text(self) -> String {
        match self {
            Field::Text(s) => s,
            Field::Bool(b) => if b { "true" } else { "false" }.to_owned(),
            Field::List(_) | Field::Nothing => String::new(),
        }
    }

    /// A list of scalars (empty ones dropped), or one string or integer (conditions
    /// may come as either); anything else is an empty list.
    fn texts(self) -> Vec<String> {
        match self {
            Field::List(list) => list,
            Field::Text(s) if !s.is_empty() => vec![s],
            Field::Text(_) | Field::Bool(_) | Field::Nothing => Vec::new(),
        }
    }

    /// `true` only for JSON `true`.
    fn flag(self) -> bool {
        matches!(self, Field::Bool(true))
    }
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Field, D::Error> {
        d.deserialize_any(FieldVisitor { top: true })
    }
}

/// Reads a [`Field`]; `top` is false for the items of a list, whose own lists are
/// passed over unread.
struct FieldVisitor {
    top: bool,
}

impl<'de> de::DeserializeSeed<'de> for FieldVisitor {
    type Value = Field;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Field, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FieldVisitor {
    type Value = Field;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Field, E> {
        Ok(Field::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Field, E> {
        Ok(Field::Text(v.to_string()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Field, E> {
        Ok(Field::Text(v.to_string()))
    }

    /// A number that is not an integer (or too large to be one): not shown.
    fn visit_f64<E>(self, _: f64) -> Result<Field, E> {
        Ok(Field::Nothing)
    }

    fn visit_str<E>(self, v: &str) -> Result<Field, E> {
        Ok(Field::Text(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Field, E> {
        Ok(Field::Text(v))
    }

    fn visit_unit<E>(self) -> Result<Field, E> {
        Ok(Field::Nothing)
    }

    fn visit_none<E>(self) -> Result<Field, E> {
        Ok(Field::Nothing)
    }

    /// A list: its scalars, one level deep. The list in a list is passed over with
    /// `IgnoredAny`, which serde-wasm-bindgen answers without looking inside, so no
    /// depth of nesting makes this recurse (the browser's `JSON.parse` accepts any
    /// depth; a stack overflow would stop the wasm).
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Field, A::Error> {
        let mut out = Vec::new();
        if self.top {
            while let Some(item) = seq.next_element_seed(FieldVisitor { top: false })? {
                let s = item.text();
                if !s.is_empty() {
                    out.push(s);
                }
            }
            Ok(Field::List(out))
        } else {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(Field::Nothing)
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Field, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Field::Nothing)
    }
}

/// Only http(s) links are followed; anything else (`javascript:`, `data:`) is dropped.
/// The scheme is compared as bytes, so a host that is not ASCII (`http://日本.jp/`)
/// is kept.
pub fn safe_url(url: &str) -> Option<&str> {
    let url = url.trim();
    let bytes = url.as_bytes();
    let scheme = |s: &[u8]| {
        bytes
            .get(..s.len())
            .is_some_and(|b| b.eq_ignore_ascii_case(s))
    };
    (scheme(b"https://") || scheme(b"http://")).then_some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `text` through the `Deserialize` impls the browser uses (there fed by
    /// `serde-wasm-bindgen` from `Response.json()`).
    fn read<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
        serde_json::from_str(text).ok()
    }

    #[test]
    fn reads_the_protocol_example() {
        let page = read::<PlacesPage>(
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
    fn each_member_is_read_into_its_own_field() {
        let p = read::<Place>(
            r#"{"id":"i","name":"n","name_kana":"k","category":"c","prefecture":"p",
            "city":"ci","address":"a","business":"b","accepts":["ac"],
            "requires_mynaportal":true,"support":["s"],"url":"u","lat":1,"x":{"y":[]}}"#,
        )
        .expect("place");
        let texts = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            p,
            Place {
                id: "i".into(),
                name: "n".into(),
                name_kana: "k".into(),
                category: "c".into(),
                prefecture: "p".into(),
                city: "ci".into(),
                address: "a".into(),
                business: "b".into(),
                accepts: texts(&["ac"]),
                requires_mynaportal: true,
                support: texts(&["s"]),
                url: "u".into(),
            }
        );
        let c = read::<Coupon>(
            r#"{"id":"i","business":"b","title":"t","description":"d","discount":"di",
            "valid_from":"vf","valid_until":"vu","conditions":["co"],"category":"c",
            "prefecture":"p","url":"u","name":"x"}"#,
        )
        .expect("coupon");
        assert_eq!(
            c,
            Coupon {
                id: "i".into(),
                business: "b".into(),
                title: "t".into(),
                description: "d".into(),
                discount: "di".into(),
                valid_from: "vf".into(),
                valid_until: "vu".into(),
                conditions: texts(&["co"]),
                category: "c".into(),
                prefecture: "p".into(),
                url: "u".into(),
            }
        );
        // Nothing present: every field empty.
        assert_eq!(read::<Place>("{}"), Some(Place::default()));
        assert_eq!(read::<Coupon>("{}"), Some(Coupon::default()));
    }

    #[test]
    fn odd_fields_degrade_instead_of_failing() {
        let page = read::<PlacesPage>(
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
        let c =
            read::<CouponsPage>(r#"{"items":[{"id":"c1","discount":10,"conditions":"一回限り"}]}"#)
                .expect("lenient");
        assert_eq!(c.items[0].discount, "10");
        assert_eq!(c.items[0].conditions, ["一回限り"]);
    }

    #[test]
    fn each_lenient_rule_one_value_at_a_time() {
        // (JSON value; read as text, as a list, as a flag)
        type Row<'a> = (&'a str, &'a str, &'a [&'a str], bool);
        let table: &[Row] = &[
            (r#""渋谷""#, "渋谷", &["渋谷"], false),
            (r#""""#, "", &[], false),
            (r#""true""#, "true", &["true"], false), // only JSON true is a flag
            (r#""false""#, "false", &["false"], false),
            ("42", "42", &["42"], false),
            ("-7", "-7", &["-7"], false),
            ("1.5", "", &[], false),
            ("true", "true", &[], true),
            ("false", "false", &[], false),
            ("null", "", &[], false),
            (r#"{"ja":"x"}"#, "", &[], false),
            (
                r#"["a", "", 3, true, null, 1.5, ["b"], {"c": 1}]"#,
                "",
                &["a", "3", "true"],
                false,
            ),
        ];
        for (value, text, list, flag) in table {
            let json = [
                r#"{"id":"x","name":"#,
                value,
                r#","support":"#,
                value,
                r#","requires_mynaportal":"#,
                value,
                "}",
            ]
            .concat();
            let p = read::<Place>(&json).expect("lenient");
            assert_eq!(
                (p.name.as_str(), p.support.as_slice(), p.requires_mynaportal),
                (
                    *text,
                    &list.iter().map(|s| s.to_string()).collect::<Vec<_>>()[..],
                    *flag
                ),
                "{value}"
            );
        }
    }

    #[test]
    fn metadata_needs_an_issuer_and_string_endpoints() {
        let ok = read::<Metadata>(
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
            assert!(read::<Metadata>(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn missing_items_is_an_error() {
        assert!(read::<PlacesPage>(r#"{"total":1}"#).is_none());
        assert!(read::<PlacesPage>("<html>").is_none());
        assert!(read::<PlacesPage>(r#"{"items":[{"id":7}]}"#).is_none());
        assert!(read::<PlacesPage>(r#"{"items":[{"id":null}]}"#).is_none());
        assert!(read::<CouponsPage>(r#"{"items":[{"id":["c1"]}]}"#).is_none());
        assert!(read::<PlacesPage>(r#"{"items":["x"]}"#).is_none());
        assert!(read::<PlacesPage>(r#"{"items":[],"total":-1}"#).is_none());
        assert!(read::<CouponsPage>(r#"{"items":{}}"#).is_none());
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
            // a host that is not ASCII: the scheme is compared as bytes
            ("http://日本.jp/", Some("http://日本.jp/")),
            ("https://日本.jp/", Some("https://日本.jp/")),
            ("HTTP://ミライロ.jp/", Some("HTTP://ミライロ.jp/")),
            (" https://日本.jp/ ", Some("https://日本.jp/")),
            ("http:/日本.jp/", None),
            ("日本://x", None),
            ("http", None),
        ];
        for (input, expected) in table {
            assert_eq!(safe_url(input), expected, "{input:?}");
        }
    }
}
