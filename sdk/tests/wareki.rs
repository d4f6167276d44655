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

#[test]
fn only_real_calendar_days_parse() {
    // (text, parses?) — the one civil-date parser every layer uses.
    let rows = [
        ("2026-02-28", true),
        ("2026-02-29", false),
        ("2026-02-31", false),
        ("2028-02-29", true),
        ("1900-02-29", false),
        ("2000-02-29", true),
        ("2026-04-31", false),
        ("2026-13-01", false),
        ("2026-00-10", false),
        ("2026-01-00", false),
        ("0000-01-01", false),
        ("2026-1-01", false),
        ("2026-01-01T00:00", false),
        ("２０２６-01-01", false),
        ("", false),
    ];
    for (text, ok) in rows {
        assert_eq!(Date::parse(text).is_some(), ok, "{text}");
    }
}

#[test]
fn day_numbers_round_trip() {
    // (date, days since 1970-01-01)
    let rows = [
        ("1970-01-01", 0),
        ("1969-12-31", -1),
        ("2000-03-01", 11_017),
        ("2026-11-27", 20_784),
        ("0001-01-01", -719_162),
        ("9999-12-31", 2_932_896),
    ];
    for (text, days) in rows {
        assert_eq!(date(text).days(), days, "{text}");
        assert_eq!(Date::from_days(days), Some(date(text)), "{days}");
    }
    // Every day across a leap year and a century boundary.
    for d in date("1899-12-01").days()..date("2001-03-31").days() {
        let back = Date::from_days(d).unwrap();
        assert_eq!(back.days(), d);
        assert_eq!(Date::parse(&back.to_string()), Some(back));
    }
    for out_of_range in [-719_163, 2_932_897, i64::MIN, i64::MAX] {
        assert_eq!(Date::from_days(out_of_range), None, "{out_of_range}");
    }
}

#[test]
fn today_in_japan_turns_at_midnight_jst() {
    // 2026-11-26T14:59:59Z is 23:59:59 in Tokyo; a second later it is the 27th.
    let before = 1_795_705_199;
    assert_eq!(Date::today_in_japan(before), Some(date("2026-11-26")));
    assert_eq!(Date::today_in_japan(before + 1), Some(date("2026-11-27")));
    assert_eq!(Date::days_in_japan(before + 1), date("2026-11-27").days());
}

#[test]
fn languages_are_negotiated_from_ui_locales_and_accept_language() {
    // (preference list, chosen)
    let rows = [
        ("ja", Some(Lang::Ja)),
        ("en", Some(Lang::En)),
        ("en-US", Some(Lang::En)),
        ("EN-gb", Some(Lang::En)),
        ("fr en ja", Some(Lang::En)),
        ("fr-CA ja-JP", Some(Lang::Ja)),
        ("fr de", None),
        ("", None),
        ("english", None),
        ("en-US,en;q=0.9,ja;q=0.8", Some(Lang::En)),
        ("fr, ja;q=0.5, en;q=0.9", Some(Lang::En)),
        ("ja;q=0.2, en;q=0.1", Some(Lang::Ja)),
        ("en;q=0, ja;q=0.1", Some(Lang::Ja)),
        ("en;q=0", None),
        ("en;q=2, ja", Some(Lang::Ja)),
        ("en;q=0.9999, ja;q=0.5", Some(Lang::Ja)),
        ("*;q=0.5", None),
    ];
    for (list, chosen) in rows {
        assert_eq!(Lang::negotiate(list), chosen, "{list:?}");
    }
}
