//! The verified certificate and its typed claim values (PROTOCOL.md §3).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A calendar date (`YYYY-MM-DD`, Japan time on the wire), parsed strictly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    /// Year, 1–9999.
    pub year: u16,
    /// Month, 1–12.
    pub month: u8,
    /// Day of the month, 1–28/29/30/31.
    pub day: u8,
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's
/// `civil_from_days`), as (year, month, day).
pub(crate) fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8; // [1, 31]
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8; // [1, 12]
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Today's date in Japan (UTC+9, no daylight saving) at Unix time `now`.
pub(crate) fn japan_date(now: i64) -> (i64, u8, u8) {
    civil_from_days(now.saturating_add(9 * 3600).div_euclid(86_400))
}

impl Date {
    /// Parses exactly `YYYY-MM-DD` (ASCII digits, a real calendar day, year ≥ 1).
    pub fn parse(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
            return None;
        }
        let num = |range: std::ops::Range<usize>| -> Option<u16> {
            let digits = b.get(range)?;
            digits.iter().try_fold(0u16, |acc, &d| {
                d.is_ascii_digit().then(|| acc * 10 + u16::from(d - b'0'))
            })
        };
        let year = num(0..4)?;
        let month = u8::try_from(num(5..7)?).ok()?;
        let day = u8::try_from(num(8..10)?).ok()?;
        if year == 0
            || !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(i64::from(year), month)
        {
            return None;
        }
        Some(Self { year, month, day })
    }

    /// Today's date in Japan (Asia/Tokyo, UTC+9) at Unix time `now`; `None` outside
    /// the years 1–9999.
    pub fn today_in_japan(now: i64) -> Option<Self> {
        let (year, month, day) = japan_date(now);
        let year = u16::try_from(year)
            .ok()
            .filter(|y| (1..=9999).contains(y))?;
        Some(Self { year, month, day })
    }

    /// True when this date lies before today's date in Japan at Unix time `now`.
    pub fn is_before_today_in_japan(&self, now: i64) -> bool {
        let (y, m, d) = japan_date(now);
        (i64::from(self.year), self.month, self.day) < (y, m, d)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl std::str::FromStr for Date {
    type Err = crate::jose::Malformed;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s).ok_or(crate::jose::Malformed)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text).ok_or_else(|| serde::de::Error::custom("expected a YYYY-MM-DD date"))
    }
}

/// Which certificate (手帳) the holder presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CertificateType {
    /// 身体障害者手帳 (`physical`).
    Physical,
    /// 精神障害者保健福祉手帳 (`mental`).
    Mental,
    /// 療育手帳, 愛の手帳 etc. (`intellectual`).
    Intellectual,
}

impl CertificateType {
    /// The wire value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Physical => "physical",
            Self::Mental => "mental",
            Self::Intellectual => "intellectual",
        }
    }
}

/// 旅客運賃減額 class: wire `1`, `2`, or `null` (the certificate has none).
///
/// `fare_class: null` disclosed is [`FareClass::NoClass`]; not disclosed is a `None`
/// field of [`VerifiedCertificate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FareClass {
    /// 第1種 (`1`).
    Class1,
    /// 第2種 (`2`).
    Class2,
    /// No fare class printed (`null`).
    NoClass,
}

impl FareClass {
    /// 1, 2 or `None`.
    pub const fn number(self) -> Option<u8> {
        match self {
            Self::Class1 => Some(1),
            Self::Class2 => Some(2),
            Self::NoClass => None,
        }
    }
}

impl Serialize for FareClass {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.number() {
            Some(n) => s.serialize_u8(n),
            None => s.serialize_none(),
        }
    }
}

impl<'de> Deserialize<'de> for FareClass {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Option::<u8>::deserialize(d)? {
            None => Ok(Self::NoClass),
            Some(1) => Ok(Self::Class1),
            Some(2) => Ok(Self::Class2),
            Some(_) => Err(serde::de::Error::custom("fare class must be 1, 2 or null")),
        }
    }
}

/// マイナポータル連携 state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mynaportal {
    /// 未連携 (`unlinked`).
    Unlinked,
    /// 申請中 (`pending`).
    Pending,
    /// 連携済 (`linked`).
    Linked,
}

/// A verified certificate credential. Only disclosed claims are `Some`; serialized
/// (serde) as the camelCase `VerifiedCertificate` of API.md, with undisclosed claims
/// absent and a disclosed `null` as `null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedCertificate {
    /// `iss`.
    pub issuer: String,
    /// `iat` (Unix seconds).
    pub issued_at: i64,
    /// `exp` (Unix seconds).
    pub expires_at: i64,
    /// True only when a KB-JWT was present and passed every check.
    pub key_bound: bool,
    /// RFC 7638 thumbprint of `cnf.jwk`.
    pub holder_key_thumbprint: String,
    /// Wire names of the disclosed top-level claims, in disclosure order.
    pub disclosed: Vec<String>,
    /// `certificate_type`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_type: Option<CertificateType>,
    /// `grade`, as printed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
    /// `fare_class`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub fare_class: Option<FareClass>,
    /// `caregiver` (介護 mark).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caregiver: Option<bool>,
    /// `issuer_prefecture`, JIS X 0401 `"01"`–`"47"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer_prefecture: Option<String>,
    /// `certificate_number`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_number: Option<String>,
    /// `issued_on`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_on: Option<Date>,
    /// `renewed_on`: `Some(None)` when disclosed as `null`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub renewed_on: Option<Option<Date>>,
    /// `valid_until`: `Some(None)` when disclosed as `null` (no expiry printed).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub valid_until: Option<Option<Date>>,
    /// `family_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// `given_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// `family_name_kana`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name_kana: Option<String>,
    /// `given_name_kana`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name_kana: Option<String>,
    /// `birthdate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthdate: Option<Date>,
    /// `mynaportal`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mynaportal: Option<Mynaportal>,
}

/// A member that is present deserializes to `Some`, even when its value is `null`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

impl VerifiedCertificate {
    pub(crate) fn new(
        issuer: String,
        issued_at: i64,
        expires_at: i64,
        holder_key_thumbprint: String,
    ) -> Self {
        Self {
            issuer,
            issued_at,
            expires_at,
            key_bound: false,
            holder_key_thumbprint,
            disclosed: Vec::new(),
            certificate_type: None,
            grade: None,
            fare_class: None,
            caregiver: None,
            issuer_prefecture: None,
            certificate_number: None,
            issued_on: None,
            renewed_on: None,
            valid_until: None,
            family_name: None,
            given_name: None,
            family_name_kana: None,
            given_name_kana: None,
            birthdate: None,
            mynaportal: None,
        }
    }

    /// True when the claim with this wire name was disclosed.
    pub fn is_disclosed(&self, name: &str) -> bool {
        self.disclosed.iter().any(|d| d == name)
    }

    /// Records a disclosed §3 claim, checking its value type. Unknown names are kept
    /// in `disclosed` only.
    pub(crate) fn apply(&mut self, name: &str, value: &serde_json::Value) -> Result<(), ()> {
        use serde_json::Value as V;
        fn string(v: &V) -> Result<String, ()> {
            v.as_str().map(str::to_owned).ok_or(())
        }
        fn date(v: &V) -> Result<Date, ()> {
            v.as_str().and_then(Date::parse).ok_or(())
        }
        fn nullable_date(v: &V) -> Result<Option<Date>, ()> {
            if v.is_null() {
                Ok(None)
            } else {
                date(v).map(Some)
            }
        }
        match name {
            "certificate_type" => {
                self.certificate_type = Some(match v_str(value)? {
                    "physical" => CertificateType::Physical,
                    "mental" => CertificateType::Mental,
                    "intellectual" => CertificateType::Intellectual,
                    _ => return Err(()),
                })
            }
            "grade" => self.grade = Some(string(value)?),
            "fare_class" => {
                self.fare_class = Some(match value {
                    V::Null => FareClass::NoClass,
                    V::Number(n) if n.as_u64() == Some(1) => FareClass::Class1,
                    V::Number(n) if n.as_u64() == Some(2) => FareClass::Class2,
                    _ => return Err(()),
                })
            }
            "caregiver" => self.caregiver = Some(value.as_bool().ok_or(())?),
            "issuer_prefecture" => {
                let code = v_str(value)?;
                let valid = code.len() == 2
                    && code.bytes().all(|b| b.is_ascii_digit())
                    && code.parse::<u8>().is_ok_and(|n| (1..=47).contains(&n));
                if !valid {
                    return Err(());
                }
                self.issuer_prefecture = Some(code.to_owned());
            }
            "certificate_number" => self.certificate_number = Some(string(value)?),
            "issued_on" => self.issued_on = Some(date(value)?),
            "renewed_on" => self.renewed_on = Some(nullable_date(value)?),
            "valid_until" => self.valid_until = Some(nullable_date(value)?),
            "family_name" => self.family_name = Some(string(value)?),
            "given_name" => self.given_name = Some(string(value)?),
            "family_name_kana" => self.family_name_kana = Some(string(value)?),
            "given_name_kana" => self.given_name_kana = Some(string(value)?),
            "birthdate" => self.birthdate = Some(date(value)?),
            "mynaportal" => {
                self.mynaportal = Some(match v_str(value)? {
                    "unlinked" => Mynaportal::Unlinked,
                    "pending" => Mynaportal::Pending,
                    "linked" => Mynaportal::Linked,
                    _ => return Err(()),
                })
            }
            _ => {}
        }
        self.disclosed.push(name.to_owned());
        Ok(())
    }
}

fn v_str(v: &serde_json::Value) -> Result<&str, ()> {
    v.as_str().ok_or(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dates_are_strict() {
        assert_eq!(
            Date::parse("2024-02-29"),
            Some(Date {
                year: 2024,
                month: 2,
                day: 29
            })
        );
        for bad in [
            "2023-02-29",
            "1900-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-04-31",
            "0000-01-01",
            "2024-1-01",
            "2024/01/01",
            "+024-01-01",
            "2024-01-01T00:00",
            " 2024-01-01",
            "２０２４-01-01",
            "",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert_eq!(Date::parse("2000-02-29").unwrap().to_string(), "2000-02-29");
    }

    #[test]
    fn civil_dates_match_known_days() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_454), (2026, 1, 1));
        // 2026-11-27T14:59:59Z is 23:59:59 on the 27th in Japan…
        assert_eq!(japan_date(1_795_791_599), (2026, 11, 27));
        // …and one second later it is the 28th in Japan, the 27th in UTC.
        assert_eq!(japan_date(1_795_791_600), (2026, 11, 28));
        assert_eq!(
            Date::today_in_japan(1_795_791_600).map(|d| d.to_string()),
            Some("2026-11-28".to_owned())
        );
        assert_eq!(
            Date::today_in_japan(1_795_791_599).map(|d| d.to_string()),
            Some("2026-11-27".to_owned())
        );
        assert_eq!(Date::today_in_japan(i64::MAX), None);
        assert_eq!(Date::today_in_japan(-62_200_000_000), None);
        // Walking every day for 1000 years keeps dates valid and consecutive.
        let mut prev = civil_from_days(-200_000);
        for days in -199_999..200_000 {
            let next = civil_from_days(days);
            assert!(next > prev && next.2 >= 1 && next.2 <= days_in_month(next.0, next.1));
            prev = next;
        }
    }

    #[test]
    fn serializes_the_api_shape() {
        let mut c = VerifiedCertificate::new("http://i".into(), 1, 2, "t".into());
        c.apply("fare_class", &json!(null)).unwrap();
        c.apply("valid_until", &json!("2030-03-31")).unwrap();
        c.apply("renewed_on", &json!(null)).unwrap();
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(
            v,
            json!({"issuer":"http://i","issuedAt":1,"expiresAt":2,"keyBound":false,"holderKeyThumbprint":"t",
                   "disclosed":["fare_class","valid_until","renewed_on"],"fareClass":null,"validUntil":"2030-03-31","renewedOn":null})
        );
        let back: VerifiedCertificate = serde_json::from_value(v).unwrap();
        assert_eq!(back, c);
        let mut none = c.clone();
        none.fare_class = None;
        none.renewed_on = None;
        assert!(serde_json::to_value(&none)
            .unwrap()
            .get("fareClass")
            .is_none());
    }

    #[test]
    fn claim_types_follow_section_3() {
        let bad = [
            ("fare_class", json!("1")),
            ("fare_class", json!(3)),
            ("fare_class", json!(1.5)),
            ("certificate_type", json!("visual")),
            ("caregiver", json!("true")),
            ("issuer_prefecture", json!("48")),
            ("issuer_prefecture", json!("1")),
            ("issuer_prefecture", json!(13)),
            ("issued_on", json!(null)),
            ("valid_until", json!("2030-3-31")),
            ("birthdate", json!(19900101)),
            ("mynaportal", json!("yes")),
            ("grade", json!(2)),
        ];
        for (name, value) in bad {
            let mut c = VerifiedCertificate::new(String::new(), 0, 0, String::new());
            assert_eq!(c.apply(name, &value), Err(()), "{name} {value}");
        }
        let mut c = VerifiedCertificate::new(String::new(), 0, 0, String::new());
        c.apply("fare_class", &json!(2)).unwrap();
        c.apply("issuer_prefecture", &json!("47")).unwrap();
        c.apply("nickname", &json!({"any": "thing"})).unwrap();
        assert_eq!(c.fare_class, Some(FareClass::Class2));
        assert_eq!(c.disclosed, ["fare_class", "issuer_prefecture", "nickname"]);
    }
}
