//! Dates written the way Japanese documents write them: `2026年11月27日`, or in the
//! Japanese era calendar (和暦) `令和8年11月27日` with `元年` for an era's first year, and
//! `27 Nov 2026` in English.
//!
//! Era boundaries are the exact first days (Gregorian) of each era since 明治:
//! 明治 1868-10-23, 大正 1912-07-30, 昭和 1926-12-25, 平成 1989-01-08, 令和 2019-05-01.
//! A date before 明治 has no era here and is written in the Gregorian calendar.

use crate::verifier::Date;
use std::fmt::Write as _;

/// The language a date or any user-facing text is written in: the SDK's one notion of
/// language (the login client's `lang` / `ui_locales`, fare explanations, dates; the
/// sandbox negotiates its pages with [`Lang::negotiate`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// Japanese (`ja`).
    #[default]
    Ja,
    /// English (`en`).
    En,
}

/// Which calendar numbers the years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Calendar {
    /// Western years: `2026年11月27日`, `27 Nov 2026`.
    #[default]
    Gregorian,
    /// Japanese era years (和暦): `令和8年11月27日`, `27 Nov 2026 (Reiwa 8)`.
    Japanese,
}

impl Lang {
    /// The wire name: `ja` or `en`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    /// The language with this wire name.
    pub fn from_wire(text: &str) -> Option<Self> {
        [Lang::Ja, Lang::En]
            .into_iter()
            .find(|l| l.as_str() == text)
    }

    /// The language of a BCP 47 tag by its primary subtag, any case: `en-US` → `En`,
    /// `ja-JP` → `Ja`; `None` for other languages.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
        [Lang::Ja, Lang::En]
            .into_iter()
            .find(|l| primary.eq_ignore_ascii_case(l.as_str()))
    }

    /// The first supported language of a preference list: OIDC `ui_locales`
    /// (space-separated) or an HTTP `Accept-Language` value (comma-separated, `;q=`
    /// weights; a weight of 0 means "not this one"). `None` when none is supported.
    pub fn negotiate(list: &str) -> Option<Self> {
        let mut best: Option<(Self, u16)> = None;
        for item in list.split([' ', ',']).filter(|i| !i.trim().is_empty()) {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or_default();
            let weight = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1000), quality);
            let (Some(lang), Some(weight)) = (Self::from_tag(tag), weight) else {
                continue;
            };
            if weight > 0 && best.is_none_or(|(_, w)| weight > w) {
                best = Some((lang, weight));
            }
        }
        best.map(|(lang, _)| lang)
    }
}

/// An HTTP quality value (`0`, `0.8`, `1.000`) in thousandths; `None` when malformed.
fn quality(text: &str) -> Option<u16> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = fraction.as_bytes();
    let thousandths = (0..3).fold(0u16, |acc, i| {
        acc * 10 + u16::from(digits.get(i).map_or(0, |d| d - b'0'))
    });
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

impl Calendar {
    /// The wire name: `gregorian` or `japanese`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Calendar::Gregorian => "gregorian",
            Calendar::Japanese => "japanese",
        }
    }

    /// The calendar with this wire name.
    pub fn from_wire(text: &str) -> Option<Self> {
        [Calendar::Gregorian, Calendar::Japanese]
            .into_iter()
            .find(|c| c.as_str() == text)
    }
}

/// A Japanese era (元号) of the modern calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Era {
    /// 明治, from 1868-10-23.
    Meiji,
    /// 大正, from 1912-07-30.
    Taisho,
    /// 昭和, from 1926-12-25.
    Showa,
    /// 平成, from 1989-01-08.
    Heisei,
    /// 令和, from 2019-05-01.
    Reiwa,
}

/// Every era, newest first, with its first day as (year, month, day).
const ERAS: [(Era, (i64, u32, u32)); 5] = [
    (Era::Reiwa, (2019, 5, 1)),
    (Era::Heisei, (1989, 1, 8)),
    (Era::Showa, (1926, 12, 25)),
    (Era::Taisho, (1912, 7, 30)),
    (Era::Meiji, (1868, 10, 23)),
];

impl Era {
    /// The era's name in Japanese: `令和`.
    pub fn name_ja(self) -> &'static str {
        match self {
            Era::Meiji => "明治",
            Era::Taisho => "大正",
            Era::Showa => "昭和",
            Era::Heisei => "平成",
            Era::Reiwa => "令和",
        }
    }

    /// The era's name in English (Hepburn, no macrons): `Reiwa`.
    pub fn name_en(self) -> &'static str {
        match self {
            Era::Meiji => "Meiji",
            Era::Taisho => "Taisho",
            Era::Showa => "Showa",
            Era::Heisei => "Heisei",
            Era::Reiwa => "Reiwa",
        }
    }

    /// The Gregorian year in which the era began (its 元年).
    pub fn first_year(self) -> i32 {
        match self {
            Era::Meiji => 1868,
            Era::Taisho => 1912,
            Era::Showa => 1926,
            Era::Heisei => 1989,
            Era::Reiwa => 2019,
        }
    }
}

/// The era of `date` and the year within it (1 for 元年), or `None` before 明治
/// (1868-10-23).
pub fn era_year(date: Date) -> Option<(Era, u32)> {
    let key = ymd(date);
    let (era, _) = ERAS.iter().find(|(_, start)| key >= *start)?;
    let year = key
        .0
        .checked_sub(i64::from(era.first_year()))?
        .checked_add(1)?;
    Some((*era, u32::try_from(year).ok()?))
}

/// Writes `date` for a reader of `lang`, in `calendar`.
///
/// | lang | calendar | example |
/// | --- | --- | --- |
/// | `Ja` | `Gregorian` | `2026年11月27日` |
/// | `Ja` | `Japanese` | `令和8年11月27日`, `令和元年5月1日` |
/// | `En` | `Gregorian` | `27 Nov 2026` |
/// | `En` | `Japanese` | `27 Nov 2026 (Reiwa 8)` |
///
/// Eras begin on 明治 1868-10-23, 大正 1912-07-30, 昭和 1926-12-25, 平成 1989-01-08 and
/// 令和 2019-05-01 (so 1989-01-07 is 昭和64年1月7日 and 2019-04-30 is 平成31年4月30日);
/// a date before 明治 is written in the Gregorian calendar whatever `calendar` says.
///
/// ```
/// use mirairo_id_sdk::{format_date, Calendar, Date, Lang};
/// let date = Date::parse("2019-05-01").unwrap();
/// assert_eq!(format_date(date, Lang::Ja, Calendar::Japanese), "令和元年5月1日");
/// assert_eq!(format_date(date, Lang::En, Calendar::Gregorian), "1 May 2019");
/// ```
pub fn format_date(date: Date, lang: Lang, calendar: Calendar) -> String {
    let (year, month, day) = ymd(date);
    let era = match calendar {
        Calendar::Japanese => era_year(date),
        Calendar::Gregorian => None,
    };
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = match (lang, era) {
        (Lang::Ja, None) => write!(out, "{year}年{month}月{day}日"),
        (Lang::Ja, Some((era, 1))) => write!(out, "{}元年{month}月{day}日", era.name_ja()),
        (Lang::Ja, Some((era, n))) => write!(out, "{}{n}年{month}月{day}日", era.name_ja()),
        (Lang::En, era) => {
            let name = month_en(month);
            match era {
                None => write!(out, "{day} {name} {year}"),
                Some((era, n)) => write!(out, "{day} {name} {year} ({} {n})", era.name_en()),
            }
        }
    };
    out
}

/// The date as a comparable (year, month, day) triple.
fn ymd(date: Date) -> (i64, u32, u32) {
    (
        i64::from(date.year),
        u32::from(date.month),
        u32::from(date.day),
    )
}

/// The three-letter English month abbreviation, or the number for a month out of range.
fn month_en(month: u32) -> String {
    const NAMES: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    usize::try_from(month)
        .ok()
        .and_then(|m| m.checked_sub(1))
        .and_then(|i| NAMES.get(i))
        .map_or_else(|| month.to_string(), |name| (*name).to_owned())
}
