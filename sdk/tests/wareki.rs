//! Dates written Japanese style: Gregorian, Japanese era (和暦) with 元年, and English.

// Helpers outside #[test] fns: a failed unwrap here is a failed test.
#![allow(clippy::unwrap_used)]

use mirairo_id_sdk::{era_year, format_date, Calendar, Date, Era, Lang};

fn date(s: &str) -> Date {
    Date::parse(s).unwrap()
}

#[test]
fn the_three_styles() {
    let d = date("2026-11-27");
    assert_eq!(
        format_date(d, Lang::Ja, Calendar::Gregorian),
        "2026年11月27日"
    );
    assert_eq!(
        format_date(d, Lang::Ja, Calendar::Japanese),
        "令和8年11月27日"
    );
    assert_eq!(format_date(d, Lang::En, Calendar::Gregorian), "27 Nov 2026");
    assert_eq!(
        format_date(d, Lang::En, Calendar::Japanese),
        "27 Nov 2026 (Reiwa 8)"
    );
}

/// Each era's last day and first day (the first year is 元年).
#[test]
fn era_boundaries() {
    for (day, ja) in [
        ("1868-10-22", "1868年10月22日"), // before 明治: no era, Gregorian
        ("1868-10-23", "明治元年10月23日"),
        ("1868-12-31", "明治元年12月31日"),
        ("1869-01-01", "明治2年1月1日"),
        ("1912-07-29", "明治45年7月29日"),
        ("1912-07-30", "大正元年7月30日"),
        ("1926-12-24", "大正15年12月24日"),
        ("1926-12-25", "昭和元年12月25日"),
        ("1927-01-01", "昭和2年1月1日"),
        ("1989-01-07", "昭和64年1月7日"),
        ("1989-01-08", "平成元年1月8日"),
        ("1990-01-01", "平成2年1月1日"),
        ("2019-04-30", "平成31年4月30日"),
        ("2019-05-01", "令和元年5月1日"),
        ("2019-12-31", "令和元年12月31日"),
        ("2020-01-01", "令和2年1月1日"),
    ] {
        assert_eq!(
            format_date(date(day), Lang::Ja, Calendar::Japanese),
            ja,
            "{day}"
        );
    }
}

#[test]
fn english_months_and_days_without_padding() {
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    for (i, name) in months.iter().enumerate() {
        let d = date(&format!("2025-{:02}-01", i + 1));
        assert_eq!(
            format_date(d, Lang::En, Calendar::Gregorian),
            format!("1 {name} 2025")
        );
    }
    assert_eq!(
        format_date(date("2019-05-01"), Lang::En, Calendar::Japanese),
        "1 May 2019 (Reiwa 1)"
    );
    assert_eq!(
        format_date(date("2019-04-30"), Lang::En, Calendar::Japanese),
        "30 Apr 2019 (Heisei 31)"
    );
    assert_eq!(
        format_date(date("1868-01-01"), Lang::En, Calendar::Japanese),
        "1 Jan 1868"
    );
}

#[test]
fn era_year_and_names() {
    assert_eq!(era_year(date("2026-11-27")), Some((Era::Reiwa, 8)));
    assert_eq!(era_year(date("1989-01-07")), Some((Era::Showa, 64)));
    assert_eq!(era_year(date("1912-07-30")), Some((Era::Taisho, 1)));
    assert_eq!(era_year(date("1868-10-22")), None);
    let names: Vec<_> = [Era::Meiji, Era::Taisho, Era::Showa, Era::Heisei, Era::Reiwa]
        .iter()
        .map(|e| (e.name_ja(), e.name_en(), e.first_year()))
        .collect();
    assert_eq!(
        names,
        [
            ("明治", "Meiji", 1868),
            ("大正", "Taisho", 1912),
            ("昭和", "Showa", 1926),
            ("平成", "Heisei", 1989),
            ("令和", "Reiwa", 2019),
        ]
    );
}

#[test]
fn lang_and_calendar_read_their_wire_names() {
    assert_eq!(Lang::from_wire("ja"), Some(Lang::Ja));
    assert_eq!(Lang::from_wire("en"), Some(Lang::En));
    assert_eq!(Calendar::from_wire("japanese"), Some(Calendar::Japanese));
    assert_eq!(Calendar::from_wire("gregorian"), Some(Calendar::Gregorian));
    assert_eq!(Lang::from_wire("fr"), None);
    assert_eq!(
        (Lang::En.as_str(), Calendar::Japanese.as_str()),
        ("en", "japanese")
    );
}
