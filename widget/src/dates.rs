//! Dates on the wire are `YYYY-MM-DD` in Japan time (PROTOCOL.md). Formatting:
//! 2026年11月27日, 令和8年11月27日 (Japanese calendar), 27 Nov 2026.

use crate::i18n::Lang;

/// A calendar date. Ordered by (year, month, day).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

/// Which calendar to write Japanese dates in (the `calendar` attribute).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Calendar {
    /// 2026年11月27日
    #[default]
    Gregorian,
    /// 令和8年11月27日 (only with `lang="ja"`)
    Japanese,
}

impl Calendar {
    /// From the attribute value; anything but `japanese` is Gregorian.
    pub fn from_attr(value: Option<&str>) -> Self {
        match value.map(str::trim) {
            Some(v) if v.eq_ignore_ascii_case("japanese") => Calendar::Japanese,
            _ => Calendar::Gregorian,
        }
    }
}

const JST_OFFSET_MS: f64 = 9.0 * 3_600_000.0;
const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Eras, newest first: (first day, name).
const ERAS: [(Date, &str, &str); 3] = [
    (
        Date {
            year: 2019,
            month: 5,
            day: 1,
        },
        "令和",
        "Reiwa",
    ),
    (
        Date {
            year: 1989,
            month: 1,
            day: 8,
        },
        "平成",
        "Heisei",
    ),
    (
        Date {
            year: 1926,
            month: 12,
            day: 25,
        },
        "昭和",
        "Showa",
    ),
];

impl Date {
    /// Parses `YYYY-MM-DD`; `None` for anything else or an impossible date.
    pub fn parse(s: &str) -> Option<Date> {
        let mut parts = s.trim().splitn(3, '-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if !(all_digits(y) && all_digits(m) && all_digits(d)) {
            return None;
        }
        let date = Date {
            year: y.parse().ok()?,
            month: m.parse().ok()?,
            day: d.parse().ok()?,
        };
        (date.month >= 1 && date.month <= 12 && date.day >= 1 && date.day <= days_in(date))
            .then_some(date)
    }

    /// Today in Japan, from milliseconds since the Unix epoch (JS `Date.now()`).
    pub fn today_in_japan(now_ms: f64) -> Date {
        let days = ((now_ms + JST_OFFSET_MS) / 86_400_000.0).floor() as i64;
        civil_from_days(days)
    }

    /// The long form used in running text.
    pub fn format(self, lang: Lang, calendar: Calendar) -> String {
        let (month, day) = (self.month.to_string(), self.day.to_string());
        match (lang, calendar) {
            (Lang::Ja, Calendar::Japanese) => {
                match ERAS.iter().find(|(start, _, _)| self >= *start) {
                    Some((start, era, _)) => {
                        let n = self.year - start.year + 1;
                        let n = if n == 1 {
                            "元".to_owned()
                        } else {
                            n.to_string()
                        };
                        [era, &*n, "年", &month, "月", &day, "日"].concat()
                    }
                    None => self.format(Lang::Ja, Calendar::Gregorian),
                }
            }
            (Lang::Ja, Calendar::Gregorian) => {
                [&*self.year.to_string(), "年", &month, "月", &day, "日"].concat()
            }
            (Lang::En, _) => [&*day, " ", self.month_en(), " ", &self.year.to_string()].concat(),
        }
    }

    /// The short form for a start date in the same context ("12月1日から", "From 1 Dec").
    pub fn format_short(self, lang: Lang) -> String {
        let day = self.day.to_string();
        match lang {
            Lang::Ja => [&*self.month.to_string(), "月", &day, "日"].concat(),
            Lang::En => [&*day, " ", self.month_en()].concat(),
        }
    }

    fn month_en(self) -> &'static str {
        MONTHS_EN
            .get(self.month.saturating_sub(1) as usize)
            .copied()
            .unwrap_or("")
    }
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in(d: Date) -> u32 {
    match d.month {
        2 if is_leap(d.year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's civil_from_days.
fn civil_from_days(z: i64) -> Date {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    Date { year, month, day }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).expect("valid date")
    }

    #[test]
    fn parses_only_wire_dates() {
        let table = [
            ("2026-11-27", Some((2026, 11, 27))),
            ("2024-02-29", Some((2024, 2, 29))),
            ("2026-02-29", None),
            ("2026-13-01", None),
            ("2026-1-1", None),
            ("26-11-27", None),
            ("2026/11/27", None),
            ("", None),
            ("２０２６-11-27", None),
        ];
        for (input, expected) in table {
            assert_eq!(
                Date::parse(input).map(|d| (d.year, d.month, d.day)),
                expected,
                "{input:?}"
            );
        }
    }

    #[test]
    fn formats_in_each_language_and_calendar() {
        let table = [
            (
                "2026-11-27",
                Lang::Ja,
                Calendar::Gregorian,
                "2026年11月27日",
            ),
            (
                "2026-11-27",
                Lang::Ja,
                Calendar::Japanese,
                "令和8年11月27日",
            ),
            ("2019-05-01", Lang::Ja, Calendar::Japanese, "令和元年5月1日"),
            (
                "2019-04-30",
                Lang::Ja,
                Calendar::Japanese,
                "平成31年4月30日",
            ),
            ("1989-01-07", Lang::Ja, Calendar::Japanese, "昭和64年1月7日"),
            ("1900-01-01", Lang::Ja, Calendar::Japanese, "1900年1月1日"),
            ("2026-11-27", Lang::En, Calendar::Gregorian, "27 Nov 2026"),
            // the Japanese calendar applies only to Japanese text
            ("2026-11-27", Lang::En, Calendar::Japanese, "27 Nov 2026"),
        ];
        for (input, lang, cal, expected) in table {
            assert_eq!(
                d(input).format(lang, cal),
                expected,
                "{input} {lang:?} {cal:?}"
            );
        }
        assert_eq!(d("2026-12-01").format_short(Lang::Ja), "12月1日");
        assert_eq!(d("2026-12-01").format_short(Lang::En), "1 Dec");
    }

    #[test]
    fn today_is_counted_in_japan_time() {
        // 2026-11-26T14:59:59Z is 23:59:59 in Tokyo; one second later it is the 27th.
        let table = [
            (1_795_705_199_000.0, (2026, 11, 26)),
            (1_795_705_200_000.0, (2026, 11, 27)),
            (0.0, (1970, 1, 1)),
        ];
        for (ms, (year, month, day)) in table {
            assert_eq!(Date::today_in_japan(ms), Date { year, month, day }, "{ms}");
        }
    }

    #[test]
    fn calendar_attribute() {
        assert_eq!(Calendar::from_attr(Some("japanese")), Calendar::Japanese);
        assert_eq!(Calendar::from_attr(Some(" Japanese ")), Calendar::Japanese);
        assert_eq!(Calendar::from_attr(Some("gregory")), Calendar::Gregorian);
        assert_eq!(Calendar::from_attr(None), Calendar::Gregorian);
    }
}
