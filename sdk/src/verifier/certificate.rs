//! The verified certificate and its typed claim values (PROTOCOL.md §3).

use crate::json::{self, Fields, Map, ShapeError, Value};
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
    civil_from_days(Date::days_in_japan(now))
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

    /// The date `days` days after 1970-01-01 (negative: before); `None` outside the
    /// years 1–9999.
    pub fn from_days(days: i64) -> Option<Self> {
        // Beyond ±4 million days the year is out of range anyway; the bound keeps the
        // arithmetic far from overflow.
        if days.unsigned_abs() > 4_000_000 {
            return None;
        }
        let (year, month, day) = civil_from_days(days);
        let year = u16::try_from(year)
            .ok()
            .filter(|y| (1..=9999).contains(y))?;
        Some(Self { year, month, day })
    }

    /// Days since 1970-01-01 (negative before it): the inverse of [`Date::from_days`],
    /// for date arithmetic (`Date::from_days(d.days() + 7)`).
    pub fn days(&self) -> i64 {
        // H. Hinnant's `days_from_civil`.
        let (m, d) = (i64::from(self.month), i64::from(self.day));
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400; // [0, 399]
        let mp = (m + 9) % 12; // March = 0
        let doy = (153 * mp + 2) / 5 + d - 1; // [0, 365]
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
        era * 146_097 + doe - 719_468
    }

    /// Today's day number in Japan (see [`Date::days`]) at Unix time `now`.
    pub fn days_in_japan(now: i64) -> i64 {
        now.saturating_add(9 * 3600).div_euclid(86_400)
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

impl Date {
    /// The date as a JSON string `YYYY-MM-DD`.
    pub fn to_json(&self) -> Value {
        Value::String(self.to_string())
    }

    /// A JSON string `YYYY-MM-DD` (see [`Date::parse`]).
    pub fn from_json(value: &Value) -> Option<Self> {
        value.as_str().and_then(Self::parse)
    }
}

impl From<Date> for Value {
    fn from(date: Date) -> Value {
        date.to_json()
    }
}

/// Which certificate (手帳) the holder presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

    /// The type with this wire value.
    pub fn from_wire(text: &str) -> Option<Self> {
        [Self::Physical, Self::Mental, Self::Intellectual]
            .into_iter()
            .find(|t| t.as_str() == text)
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

impl FareClass {
    /// `1`, `2` or `null`.
    pub fn to_json(self) -> Value {
        json::or_null(self.number().map(u32::from))
    }

    /// `1`, `2` or `null`; anything else is `None`.
    pub fn from_json(value: &Value) -> Option<Self> {
        match value {
            Value::Null => Some(Self::NoClass),
            _ => match value.as_u64() {
                Some(1) => Some(Self::Class1),
                Some(2) => Some(Self::Class2),
                _ => None,
            },
        }
    }
}

/// マイナポータル連携 state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mynaportal {
    /// 未連携 (`unlinked`).
    Unlinked,
    /// 申請中 (`pending`).
    Pending,
    /// 連携済 (`linked`).
    Linked,
}

impl Mynaportal {
    /// The wire value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Unlinked => "unlinked",
            Self::Pending => "pending",
            Self::Linked => "linked",
        }
    }

    /// The state with this wire value.
    pub fn from_wire(text: &str) -> Option<Self> {
        [Self::Unlinked, Self::Pending, Self::Linked]
            .into_iter()
            .find(|m| m.as_str() == text)
    }
}

/// A verified certificate credential. Only disclosed claims are `Some`; as JSON
/// ([`VerifiedCertificate::to_json`]) the camelCase `VerifiedCertificate` of API.md,
/// with undisclosed claims absent and a disclosed `null` as `null`.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    pub certificate_type: Option<CertificateType>,
    /// `grade`, as printed.
    pub grade: Option<String>,
    /// `fare_class`.
    pub fare_class: Option<FareClass>,
    /// `caregiver` (介護 mark).
    pub caregiver: Option<bool>,
    /// `issuer_prefecture`, JIS X 0401 `"01"`–`"47"`.
    pub issuer_prefecture: Option<String>,
    /// `certificate_number`.
    pub certificate_number: Option<String>,
    /// `issued_on`.
    pub issued_on: Option<Date>,
    /// `renewed_on`: `Some(None)` when disclosed as `null`.
    pub renewed_on: Option<Option<Date>>,
    /// `valid_until`: `Some(None)` when disclosed as `null` (no expiry printed).
    pub valid_until: Option<Option<Date>>,
    /// `family_name`.
    pub family_name: Option<String>,
    /// `given_name`.
    pub given_name: Option<String>,
    /// `family_name_kana`.
    pub family_name_kana: Option<String>,
    /// `given_name_kana`.
    pub given_name_kana: Option<String>,
    /// `birthdate`.
    pub birthdate: Option<Date>,
    /// `mynaportal`.
    pub mynaportal: Option<Mynaportal>,
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
    pub(crate) fn apply(&mut self, name: &str, value: &Value) -> Result<(), ()> {
        use Value as V;
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
                self.certificate_type = Some(CertificateType::from_wire(v_str(value)?).ok_or(())?)
            }
            "grade" => self.grade = Some(string(value)?),
            "fare_class" => self.fare_class = Some(FareClass::from_json(value).ok_or(())?),
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
            "mynaportal" => self.mynaportal = Some(Mynaportal::from_wire(v_str(value)?).ok_or(())?),
            _ => {}
        }
        self.disclosed.push(name.to_owned());
        Ok(())
    }
}

fn v_str(v: &Value) -> Result<&str, ()> {
    v.as_str().ok_or(())
}

/// A nullable date: `null` or `YYYY-MM-DD`.
pub(crate) fn nullable_date(v: &Value) -> Option<Option<Date>> {
    match v {
        Value::Null => Some(None),
        _ => Date::from_json(v).map(Some),
    }
}

impl VerifiedCertificate {
    /// The camelCase `VerifiedCertificate` object of API.md: undisclosed claims absent,
    /// claims disclosed as `null` as `null`.
    pub fn to_json(&self) -> Value {
        let mut m = Map::from_pairs([
            ("issuer", self.issuer.as_str().into()),
            ("issuedAt", self.issued_at.into()),
            ("expiresAt", self.expires_at.into()),
            ("keyBound", self.key_bound.into()),
            (
                "holderKeyThumbprint",
                self.holder_key_thumbprint.as_str().into(),
            ),
            (
                "disclosed",
                Value::Array(self.disclosed.iter().map(|d| d.as_str().into()).collect()),
            ),
        ]);
        let date_or_null = |d: Option<Date>| json::or_null(d);
        json::put(
            &mut m,
            "certificateType",
            self.certificate_type.map(CertificateType::as_str),
        );
        json::put(&mut m, "grade", self.grade.as_deref());
        json::put(&mut m, "fareClass", self.fare_class.map(FareClass::to_json));
        json::put(&mut m, "caregiver", self.caregiver);
        json::put(
            &mut m,
            "issuerPrefecture",
            self.issuer_prefecture.as_deref(),
        );
        json::put(
            &mut m,
            "certificateNumber",
            self.certificate_number.as_deref(),
        );
        json::put(&mut m, "issuedOn", self.issued_on);
        json::put(&mut m, "renewedOn", self.renewed_on.map(date_or_null));
        json::put(&mut m, "validUntil", self.valid_until.map(date_or_null));
        json::put(&mut m, "familyName", self.family_name.as_deref());
        json::put(&mut m, "givenName", self.given_name.as_deref());
        json::put(&mut m, "familyNameKana", self.family_name_kana.as_deref());
        json::put(&mut m, "givenNameKana", self.given_name_kana.as_deref());
        json::put(&mut m, "birthdate", self.birthdate);
        json::put(
            &mut m,
            "mynaportal",
            self.mynaportal.map(Mynaportal::as_str),
        );
        Value::Object(m)
    }

    /// Reads the object [`VerifiedCertificate::to_json`] writes (other members ignored).
    ///
    /// # Errors
    ///
    /// A [`ShapeError`] naming the first missing or ill-typed member.
    pub fn from_json(value: &Value) -> Result<Self, ShapeError> {
        let f = Fields::of(value)?;
        let date = Date::from_json;
        let text = json::string;
        Ok(Self {
            issuer: f.required("issuer", text)?,
            issued_at: f.required("issuedAt", Value::as_i64)?,
            expires_at: f.required("expiresAt", Value::as_i64)?,
            key_bound: f.required("keyBound", Value::as_bool)?,
            holder_key_thumbprint: f.required("holderKeyThumbprint", text)?,
            disclosed: f.required("disclosed", json::strings)?,
            certificate_type: f.optional("certificateType", |v| {
                v.as_str().and_then(CertificateType::from_wire)
            })?,
            grade: f.optional("grade", text)?,
            fare_class: f.present("fareClass", FareClass::from_json)?,
            caregiver: f.optional("caregiver", Value::as_bool)?,
            issuer_prefecture: f.optional("issuerPrefecture", text)?,
            certificate_number: f.optional("certificateNumber", text)?,
            issued_on: f.optional("issuedOn", date)?,
            renewed_on: f.present("renewedOn", nullable_date)?,
            valid_until: f.present("validUntil", nullable_date)?,
            family_name: f.optional("familyName", text)?,
            given_name: f.optional("givenName", text)?,
            family_name_kana: f.optional("familyNameKana", text)?,
            given_name_kana: f.optional("givenNameKana", text)?,
            birthdate: f.optional("birthdate", date)?,
            mynaportal: f.optional("mynaportal", |v| v.as_str().and_then(Mynaportal::from_wire))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::json;

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
        let v = c.to_json();
        assert_eq!(
            v,
            json!({"issuer":"http://i","issuedAt":1,"expiresAt":2,"keyBound":false,"holderKeyThumbprint":"t",
                   "disclosed":["fare_class","valid_until","renewed_on"],"fareClass":null,"validUntil":"2030-03-31","renewedOn":null})
        );
        let back = VerifiedCertificate::from_json(&v).unwrap();
        assert_eq!(back, c);
        let mut none = c.clone();
        none.fare_class = None;
        none.renewed_on = None;
        assert!(none.to_json().get("fareClass").is_none());
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
