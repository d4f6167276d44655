//! The fare discount rules of PROTOCOL.md §6, one table row per rule and per refusal.

// Helpers outside #[test] fns: a failed unwrap here is a failed test.
#![allow(clippy::unwrap_used)]

use mirairo_id_sdk::json::Value;
use mirairo_id_sdk::{
    fare_discount, Date, ErrorCode, FareClass, FareError, FareHolder, FareRates, FareResult,
    FareRule, Ticket, Trip, VerifiedCertificate, MAX_FARE, MAX_HOLDER_AGE,
};
use proptest::prelude::*;

/// JSON text as an SDK JSON value.
fn parse(text: &str) -> Value {
    mirairo_id_sdk::json::parse(text).unwrap()
}

fn date(s: &str) -> Date {
    Date::parse(s).unwrap()
}

const TODAY: &str = "2026-11-27";

/// A verified holder who disclosed `fare_class` as given and `valid_until` as `null`
/// (no expiry printed).
fn holder(fare_class: Option<FareClass>) -> FareHolder {
    FareHolder {
        verified: true,
        fare_class,
        valid_until: Some(None),
    }
}
fn class1() -> FareHolder {
    holder(Some(FareClass::Class1))
}
fn class2() -> FareHolder {
    holder(Some(FareClass::Class2))
}

/// Small builders so that each row reads as a sentence.
trait HolderExt {
    fn valid_until(self, until: Option<&str>) -> Self;
    fn validity_hidden(self) -> Self;
    fn unverified(self) -> Self;
}
impl HolderExt for FareHolder {
    fn valid_until(mut self, until: Option<&str>) -> Self {
        self.valid_until = Some(until.map(date));
        self
    }
    /// `valid_until` not disclosed (unticked at consent).
    fn validity_hidden(mut self) -> Self {
        self.valid_until = None;
        self
    }
    fn unverified(mut self) -> Self {
        self.verified = false;
        self
    }
}

trait TripExt {
    fn km(self, km: f64) -> Self;
    fn companion(self) -> Self;
    fn age(self, age: u32) -> Self;
    fn on(self, day: &str) -> Self;
}
impl TripExt for Trip {
    fn km(mut self, km: f64) -> Self {
        self.one_way_km = Some(km);
        self
    }
    fn companion(mut self) -> Self {
        self.with_companion = true;
        self
    }
    fn age(mut self, age: u32) -> Self {
        self.holder_age = Some(age);
        self
    }
    fn on(mut self, day: &str) -> Self {
        self.travel_date = Some(date(day));
        self
    }
}

fn regular(fare: u32) -> Trip {
    Trip::new(fare, Ticket::Regular)
}
fn coupon(fare: u32) -> Trip {
    Trip::new(fare, Ticket::Coupon)
}
fn ordinary_express(fare: u32) -> Trip {
    Trip::new(fare, Ticket::OrdinaryExpress)
}
fn commuter(fare: u32) -> Trip {
    Trip::new(fare, Ticket::Commuter)
}
fn limited_express(fare: u32) -> Trip {
    Trip::new(fare, Ticket::LimitedExpress)
}
fn green(fare: u32) -> Trip {
    Trip::new(fare, Ticket::Green)
}

fn bus() -> FareRates {
    FareRates {
        commuter_discount_percent: 30,
        ..FareRates::default()
    }
}

/// (what the row shows, holder, trip, rates) → (rule id, eligible, holder pays, companion pays)
type Row = (
    &'static str,
    FareHolder,
    Trip,
    FareRates,
    (&'static str, bool, u32, Option<u32>),
);

fn rows() -> Vec<Row> {
    let jr = FareRates::default();
    vec![
        // 第1種 with a companion: regular, coupon, ordinary express, both 50 %, any distance.
        (
            "class 1 with companion, regular, 1,234 yen → 610 each (10円未満切り捨て)",
            class1(),
            regular(1234).companion().km(3.0),
            jr,
            ("class1_with_companion", true, 610, Some(610)),
        ),
        (
            "class 1 with companion, distance not given",
            class1(),
            regular(1234).companion(),
            jr,
            ("class1_with_companion", true, 610, Some(610)),
        ),
        (
            "class 1 with companion, coupon",
            class1(),
            coupon(11_000).companion(),
            jr,
            ("class1_with_companion", true, 5500, Some(5500)),
        ),
        (
            "class 1 with companion, ordinary express",
            class1(),
            ordinary_express(1_270).companion(),
            jr,
            ("class1_with_companion", true, 630, Some(630)),
        ),
        // 第1種 alone: only regular tickets over 100 km.
        (
            "class 1 alone, regular, 100.0 km",
            class1(),
            regular(1980).km(100.0),
            jr,
            ("class1_alone_short_distance", false, 1980, None),
        ),
        (
            "class 1 alone, regular, 100.1 km",
            class1(),
            regular(1980).km(100.1),
            jr,
            ("long_distance_alone", true, 990, None),
        ),
        (
            "class 1 alone, coupon, long distance",
            class1(),
            coupon(11_000).km(300.0),
            jr,
            ("class1_alone_ticket_not_discounted", false, 11_000, None),
        ),
        (
            "class 1 alone, ordinary express",
            class1(),
            ordinary_express(1_270).km(300.0),
            jr,
            ("class1_alone_ticket_not_discounted", false, 1_270, None),
        ),
        (
            "class 1 alone, regular, distance not given",
            class1(),
            regular(1980),
            jr,
            ("distance_unknown", false, 1980, None),
        ),
        // 第2種: the holder alone, regular tickets over 100 km; a companion never discounted.
        (
            "class 2 alone, regular, 100.0 km",
            class2(),
            regular(1980).km(100.0),
            jr,
            ("class2_short_distance", false, 1980, None),
        ),
        (
            "class 2 alone, regular, 100.1 km",
            class2(),
            regular(1980).km(100.1),
            jr,
            ("long_distance_alone", true, 990, None),
        ),
        (
            "class 2 with companion, regular, 100.1 km: companion pays full",
            class2(),
            regular(1980).km(100.1).companion(),
            jr,
            ("class2_long_distance_with_companion", true, 990, Some(1980)),
        ),
        (
            "class 2 with companion, regular, 30 km",
            class2(),
            regular(570).km(30.0).companion(),
            jr,
            ("class2_short_distance", false, 570, Some(570)),
        ),
        (
            "class 2 with companion, coupon",
            class2(),
            coupon(11_000).companion().km(300.0),
            jr,
            ("class2_ticket_not_discounted", false, 11_000, Some(11_000)),
        ),
        (
            "class 2 alone, regular, distance not given",
            class2(),
            regular(1980),
            jr,
            ("distance_unknown", false, 1980, None),
        ),
        // Commuter passes (定期): 第1種 with a companion, or 第2種 under 12 with a companion.
        (
            "class 1 commuter with companion",
            class1(),
            commuter(12_345).companion(),
            jr,
            ("class1_commuter_with_companion", true, 6170, Some(6170)),
        ),
        (
            "class 1 commuter alone",
            class1(),
            commuter(12_345),
            jr,
            ("commuter_without_companion", false, 12_345, None),
        ),
        (
            "class 1 commuter, child of 8: child pass (not halved again), companion 50 %",
            class1(),
            commuter(12_345).companion().age(8),
            jr,
            (
                "class1_child_commuter_with_companion",
                true,
                6170,
                Some(6170),
            ),
        ),
        (
            "class 2 commuter, child of 11, with companion",
            class2(),
            commuter(10_000).companion().age(11),
            jr,
            (
                "class2_child_commuter_with_companion",
                true,
                5000,
                Some(5000),
            ),
        ),
        (
            "class 2 commuter, 12 years old, with companion",
            class2(),
            commuter(10_000).companion().age(12),
            jr,
            ("class2_commuter_not_eligible", false, 10_000, Some(10_000)),
        ),
        (
            "class 2 commuter, age not given, with companion",
            class2(),
            commuter(10_000).companion(),
            jr,
            ("class2_commuter_not_eligible", false, 10_000, Some(10_000)),
        ),
        (
            "class 2 commuter, child of 11, alone",
            class2(),
            commuter(10_000).age(11),
            jr,
            ("commuter_without_companion", false, 5000, None),
        ),
        // Bus operator: commuter passes 30 % off; other tickets keep 50 %.
        (
            "bus 30 %: class 1 commuter with companion, 12,345 → 8,640",
            class1(),
            commuter(12_345).companion(),
            bus(),
            ("class1_commuter_with_companion", true, 8640, Some(8640)),
        ),
        (
            "bus 30 %: class 2 child commuter, companion 30 %",
            class2(),
            commuter(10_000).companion().age(9),
            bus(),
            (
                "class2_child_commuter_with_companion",
                true,
                5000,
                Some(7000),
            ),
        ),
        (
            "bus 30 %: regular with companion still 50 %",
            class1(),
            regular(1234).companion(),
            bus(),
            ("class1_with_companion", true, 610, Some(610)),
        ),
        // Limited express, Green Car and other charges: never discounted.
        (
            "limited express, class 1 with companion",
            class1(),
            limited_express(2_290).companion(),
            jr,
            ("charge_not_discounted", false, 2_290, Some(2_290)),
        ),
        (
            "limited express, class 2 alone, long distance",
            class2(),
            limited_express(4_960).km(500.0),
            jr,
            ("charge_not_discounted", false, 4_960, None),
        ),
        (
            "green, class 1 with companion",
            class1(),
            green(1_000).companion(),
            jr,
            ("charge_not_discounted", false, 1_000, Some(1_000)),
        ),
        (
            "limited express, child of 8: the child charge, not discounted",
            class1(),
            limited_express(2_290).companion().age(8),
            jr,
            ("charge_not_discounted", false, 1_140, Some(2_290)),
        ),
        (
            "green, child of 8: Green Car charges have no child fare",
            class1(),
            green(1_000).age(8),
            jr,
            ("charge_not_discounted", false, 1_000, None),
        ),
        // Children under 12 start from the child fare, then the 50 %.
        (
            "child of 6, class 1 with companion: 1,234 → child 610 → 300",
            class1(),
            regular(1234).companion().age(6),
            jr,
            ("class1_with_companion", true, 300, Some(610)),
        ),
        (
            "child of 11, class 2 alone, 150 km",
            class2(),
            regular(1234).km(150.0).age(11),
            jr,
            ("long_distance_alone", true, 300, None),
        ),
        (
            "12 years old pays the adult fare",
            class1(),
            regular(1234).companion().age(12),
            jr,
            ("class1_with_companion", true, 610, Some(610)),
        ),
        (
            "child of 6, refused: pays the child fare",
            class2(),
            regular(1234).km(10.0).age(6),
            jr,
            ("class2_short_distance", false, 610, None),
        ),
        // Validity: valid_until is the last valid day.
        (
            "valid until the travel date: still valid",
            class1().valid_until(Some("2026-12-01")),
            regular(1234).companion().on("2026-12-01"),
            jr,
            ("class1_with_companion", true, 610, Some(610)),
        ),
        (
            "valid until the day before the travel date: expired",
            class1().valid_until(Some("2026-11-30")),
            regular(1234).companion().on("2026-12-01"),
            jr,
            ("certificate_expired", false, 1234, Some(1234)),
        ),
        (
            "no travel date: today is the travel date (valid today)",
            class1().valid_until(Some(TODAY)),
            regular(1234).companion(),
            jr,
            ("class1_with_companion", true, 610, Some(610)),
        ),
        (
            "no travel date: expired yesterday",
            class1().valid_until(Some("2026-11-26")),
            regular(1234).companion(),
            jr,
            ("certificate_expired", false, 1234, Some(1234)),
        ),
        (
            "valid today but not on a later travel date",
            class1().valid_until(Some(TODAY)),
            regular(1234).companion().on("2026-11-28"),
            jr,
            ("certificate_expired", false, 1234, Some(1234)),
        ),
        (
            "valid_until disclosed as null: no expiry",
            class1().valid_until(None),
            regular(1234).companion().on("2099-01-01"),
            jr,
            ("class1_with_companion", true, 610, Some(610)),
        ),
        (
            "valid_until not disclosed: it could hide an expiry",
            class1().validity_hidden(),
            regular(1234).companion(),
            jr,
            ("validity_not_disclosed", false, 1234, Some(1234)),
        ),
        (
            "valid_until not disclosed, class 2 long distance alone",
            class2().validity_hidden(),
            regular(1980).km(150.0),
            jr,
            ("validity_not_disclosed", false, 1980, None),
        ),
        // Preconditions on the certificate.
        (
            "fare class not disclosed",
            holder(None),
            regular(1234).companion(),
            jr,
            ("fare_class_not_disclosed", false, 1234, Some(1234)),
        ),
        (
            "fare class disclosed as null",
            holder(Some(FareClass::NoClass)),
            regular(1234).companion(),
            jr,
            ("no_fare_class", false, 1234, Some(1234)),
        ),
        (
            "not verified",
            class1().unverified(),
            regular(1234).companion(),
            jr,
            ("not_verified", false, 1234, Some(1234)),
        ),
        // Order: verification, then the fare class, then validity, then the ticket.
        (
            "not verified and no fare class: not_verified first",
            holder(Some(FareClass::NoClass)).unverified(),
            regular(1234),
            jr,
            ("not_verified", false, 1234, None),
        ),
        (
            "no fare class and expired: no_fare_class first",
            holder(Some(FareClass::NoClass)).valid_until(Some("2020-01-01")),
            regular(1234),
            jr,
            ("no_fare_class", false, 1234, None),
        ),
        (
            "fare class not disclosed and validity not disclosed: fare_class_not_disclosed first",
            holder(None).validity_hidden(),
            regular(1234),
            jr,
            ("fare_class_not_disclosed", false, 1234, None),
        ),
        (
            "no fare class and validity not disclosed: no_fare_class first",
            holder(Some(FareClass::NoClass)).validity_hidden(),
            regular(1234),
            jr,
            ("no_fare_class", false, 1234, None),
        ),
        (
            "validity not disclosed and a charge: validity_not_disclosed first",
            class1().validity_hidden(),
            green(1000),
            jr,
            ("validity_not_disclosed", false, 1000, None),
        ),
        (
            "expired and a charge: certificate_expired first",
            class1().valid_until(Some("2020-01-01")),
            green(1000),
            jr,
            ("certificate_expired", false, 1000, None),
        ),
        // An operator's own distance threshold.
        (
            "private railway, over 50 km",
            class2(),
            regular(900).km(50.5),
            FareRates {
                long_distance_km: 50.0,
                ..jr
            },
            ("long_distance_alone", true, 450, None),
        ),
    ]
}

fn run(holder: &FareHolder, trip: &Trip, rates: &FareRates) -> FareResult {
    fare_discount(holder, trip, rates, date(TODAY)).unwrap()
}

#[test]
fn every_rule_and_refusal() {
    let mut failures = Vec::new();
    for (name, holder, trip, rates, expected) in rows() {
        let r = run(&holder, &trip, &rates);
        let got = (r.rule.as_str(), r.eligible, r.holder_fare, r.companion_fare);
        if got != expected {
            failures.push(format!("{name}: expected {expected:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_table_covers_every_rule_id() {
    let covered: Vec<&str> = rows().iter().map(|row| row.4 .0).collect();
    for id in [
        "class1_with_companion",
        "class1_commuter_with_companion",
        "class1_child_commuter_with_companion",
        "class2_child_commuter_with_companion",
        "long_distance_alone",
        "class2_long_distance_with_companion",
        "not_verified",
        "fare_class_not_disclosed",
        "no_fare_class",
        "validity_not_disclosed",
        "certificate_expired",
        "charge_not_discounted",
        "commuter_without_companion",
        "class2_commuter_not_eligible",
        "class1_alone_short_distance",
        "class2_short_distance",
        "distance_unknown",
        "class1_alone_ticket_not_discounted",
        "class2_ticket_not_discounted",
    ] {
        assert!(covered.contains(&id), "no row for {id}");
    }
}

#[test]
fn explanations_name_the_amounts_in_both_languages() {
    for (name, holder, trip, rates, _) in rows() {
        let r = run(&holder, &trip, &rates);
        let (ja, en) = (&r.explanation.ja, &r.explanation.en);
        let holder_ja = format!("{}円", with_commas(r.holder_fare));
        let holder_en = format!("¥{}", with_commas(r.holder_fare));
        assert!(ja.contains(&holder_ja), "{name}: {ja}");
        assert!(en.contains(&holder_en), "{name}: {en}");
        if let Some(c) = r.companion_fare {
            assert!(ja.contains("介護者の方"), "{name}: {ja}");
            assert!(
                en.contains(&format!("the companion pays ¥{}", with_commas(c))),
                "{name}: {en}"
            );
        }
        assert!(!ja.contains("障がい"), "{name}: write 障害者: {ja}");
        assert!(
            !en.chars()
                .any(|c| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}')),
            "{name}: {en}"
        );
    }
}

fn with_commas(n: u32) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[test]
fn explanations_a_clerk_reads_back() {
    let r = run(&class1(), &regular(1234).companion(), &FareRates::default());
    assert_eq!(
        r.explanation.ja,
        "第1種の障害者手帳をお持ちの方と介護者の方は、普通乗車券が5割引になります。お支払いは、ご本人610円、介護者の方610円です。"
    );
    assert_eq!(
        r.explanation.en,
        "Holders of a Class 1 certificate travelling with a companion get 50% off ordinary tickets, for both. The holder pays ¥610 and the companion pays ¥610."
    );

    let r = run(
        &class2(),
        &regular(1234).km(150.0).age(11),
        &FareRates::default(),
    );
    assert_eq!(
        r.explanation.ja,
        "第2種の障害者手帳をお持ちの方は、片道の営業キロが100kmを超える普通乗車券が5割引になります（今回は150km）。12歳未満のため、小児運賃610円から計算しています。お支払いは300円です。"
    );
    assert_eq!(
        r.explanation.en,
        "Holders of a Class 2 certificate get 50% off ordinary tickets for journeys over 100 km one way (this one is 150 km). As the holder is under 12, this starts from the child fare of ¥610. The holder pays ¥300."
    );

    let r = run(&class1(), &commuter(12_345).companion(), &bus());
    assert!(
        r.explanation.ja.contains("定期乗車券が3割引"),
        "{}",
        r.explanation.ja
    );
    assert!(
        r.explanation.en.contains("30% off commuter passes"),
        "{}",
        r.explanation.en
    );

    let expired = class1().valid_until(Some("2026-11-26"));
    let r = run(&expired, &regular(1234), &FareRates::default());
    assert_eq!(
        r.explanation.ja,
        "障害者手帳の有効期限（令和8年11月26日）が乗車日（令和8年11月27日）より前のため、割引は適用できません。お支払いは1,234円です。"
    );
    assert_eq!(
        r.explanation.en,
        "The certificate was valid until 26 Nov 2026, before the travel date of 27 Nov 2026, so no discount applies. The holder pays ¥1,234."
    );

    let r = run(
        &class1().validity_hidden(),
        &regular(1234).companion(),
        &FareRates::default(),
    );
    assert_eq!(
        r.explanation.ja,
        "有効期限が提示されていないため、割引を適用できません。ミライロIDで有効期限の提示に同意してください。お支払いは、ご本人1,234円、介護者の方1,234円です。"
    );
    assert_eq!(
        r.explanation.en,
        "The certificate's validity was not shown, so the discount cannot be applied. Please agree to share the expiry date in Mirairo ID. The holder pays ¥1,234 and the companion pays ¥1,234."
    );

    let r = run(&holder(None), &regular(1234), &FareRates::default());
    assert!(
        r.explanation.en.contains("not disclosed"),
        "{}",
        r.explanation.en
    );
    let r = run(
        &holder(Some(FareClass::NoClass)),
        &regular(1234),
        &FareRates::default(),
    );
    assert!(
        r.explanation.en.contains("has no fare class"),
        "{}",
        r.explanation.en
    );
}

#[test]
fn out_of_range_trips_are_malformed() {
    let jr = FareRates::default();
    for (name, trip) in [
        ("fare over the maximum", regular(MAX_FARE + 1)),
        ("fare u32::MAX", regular(u32::MAX)),
        ("distance NaN", regular(1000).km(f64::NAN)),
        ("distance infinite", regular(1000).km(f64::INFINITY)),
        ("distance negative", regular(1000).km(-1.0)),
        (
            "age over the maximum",
            regular(1000).age(MAX_HOLDER_AGE + 1),
        ),
    ] {
        let err = fare_discount(&class1(), &trip, &jr, date(TODAY)).unwrap_err();
        assert_eq!(err.code().as_str(), "malformed", "{name}");
        assert!(matches!(err, FareError::Malformed(_)), "{name}");
    }
    // The limits themselves are accepted.
    let r = run(
        &class1(),
        &regular(MAX_FARE).companion().age(MAX_HOLDER_AGE).km(0.0),
        &jr,
    );
    assert_eq!(r.holder_fare, MAX_FARE / 2);
}

#[test]
fn out_of_range_rates_are_invalid_config() {
    let jr = FareRates::default();
    for (name, rates) in [
        (
            "discount over 100 %",
            FareRates {
                discount_percent: 101,
                ..jr
            },
        ),
        (
            "commuter discount over 100 %",
            FareRates {
                commuter_discount_percent: 101,
                ..jr
            },
        ),
        (
            "distance NaN",
            FareRates {
                long_distance_km: f64::NAN,
                ..jr
            },
        ),
        (
            "distance negative",
            FareRates {
                long_distance_km: -1.0,
                ..jr
            },
        ),
        (
            "child age over the maximum",
            FareRates {
                child_age_limit: MAX_HOLDER_AGE + 1,
                ..jr
            },
        ),
        (
            "rounding to 0 yen",
            FareRates {
                rounding_yen: 0,
                ..jr
            },
        ),
        (
            "rounding over 1,000 yen",
            FareRates {
                rounding_yen: 1001,
                ..jr
            },
        ),
    ] {
        let err = fare_discount(&class1(), &regular(1000), &rates, date(TODAY)).unwrap_err();
        assert_eq!(err.code().as_str(), "invalid_config", "{name}");
    }
}

#[test]
fn jr_rates_are_the_default() {
    let jr = FareRates::default();
    assert_eq!(
        (
            jr.discount_percent,
            jr.commuter_discount_percent,
            jr.long_distance_km,
            jr.child_age_limit,
            jr.rounding_yen
        ),
        (50, 50, 100.0, 12, 10)
    );
}

#[test]
fn operators_may_round_to_the_yen() {
    let rates = FareRates {
        rounding_yen: 1,
        ..FareRates::default()
    };
    let r = run(&class1(), &regular(1234).companion().age(6), &rates);
    assert_eq!((r.holder_fare, r.companion_fare), (308, Some(617)));
}

// The shapes of API.md "Fare rules", so that the JS binding is a plain conversion.

#[test]
fn trip_reads_the_camel_case_js_shape() {
    let trip = Trip::from_json(&parse(
        r#"{"fare":1234,"ticket":"ordinary_express","oneWayKm":120.5,"withCompanion":true,"holderAge":9,"travelDate":"2026-12-01"}"#,
    ))
    .unwrap();
    assert_eq!(
        trip,
        ordinary_express(1234)
            .km(120.5)
            .companion()
            .age(9)
            .on("2026-12-01")
    );
    let minimal = Trip::from_json(&parse(r#"{"fare":500,"ticket":"green"}"#)).unwrap();
    assert_eq!(minimal, green(500));
    for bad in [
        r#"{"fare":-5,"ticket":"regular"}"#,
        r#"{"fare":1.5,"ticket":"regular"}"#,
        r#"{"fare":1000,"ticket":"sleeper"}"#,
        r#"{"fare":1000,"ticket":"regular","holderAge":-1}"#,
        r#"{"ticket":"regular"}"#,
        r#"{"fare":1000,"ticket":"regular","oneWayKm":"120"}"#,
        r#"{"fare":1000,"ticket":"regular","travelDate":"2026-02-30"}"#,
        r#"{"fare":1000,"ticket":"regular","travelDate":"2026/12/01"}"#,
    ] {
        assert!(Trip::from_json(&parse(bad)).is_err(), "{bad}");
    }
}

#[test]
fn result_writes_the_camel_case_js_shape() {
    let r = run(&class2(), &regular(1980).km(150.0), &FareRates::default());
    let json = r.to_json();
    assert_eq!(json["eligible"], true);
    assert_eq!(json["holderFare"], 990);
    assert_eq!(json["companionFare"], Value::Null);
    assert_eq!(json["rule"], "long_distance_alone");
    assert!(json["explanation"]["ja"].as_str().is_some());
    assert!(json["explanation"]["en"].as_str().is_some());
    assert_eq!(json.as_object().unwrap().len(), 5);
    let back = FareResult::from_json(&parse(&json.to_string())).unwrap();
    assert_eq!(back, r);
}

#[test]
fn rates_read_partial_overrides() {
    let rates = FareRates::from_json(&parse(r#"{"commuterDiscountPercent":30}"#)).unwrap();
    assert_eq!(rates, bus());
    let rates = FareRates::from_json(&parse("{}")).unwrap();
    assert_eq!(rates, FareRates::default());
}

#[test]
fn a_verified_certificate_converts_keeping_not_disclosed_apart_from_null() {
    let cert = |claims: &str| -> VerifiedCertificate {
        VerifiedCertificate::from_json(&parse(&format!(
            r#"{{"issuer":"http://127.0.0.1:8080","issuedAt":1,"expiresAt":2,"keyBound":true,"holderKeyThumbprint":"t","disclosed":[]{claims}}}"#
        )))
        .unwrap()
    };
    let trip = regular(1234).companion().on("2026-12-01");
    for (claims, expected) in [
        (r#","fareClass":1"#, "validity_not_disclosed"),
        (
            r#","fareClass":1,"validUntil":"2026-12-01""#,
            "class1_with_companion",
        ),
        (
            r#","fareClass":1,"validUntil":"2026-11-30""#,
            "certificate_expired",
        ),
        (
            r#","fareClass":1,"validUntil":null"#,
            "class1_with_companion",
        ),
        (r#","fareClass":2,"validUntil":null"#, "distance_unknown"),
        (r#","fareClass":2"#, "validity_not_disclosed"),
        (r#","fareClass":null"#, "no_fare_class"),
        ("", "fare_class_not_disclosed"),
    ] {
        let holder = FareHolder::from(&cert(claims));
        assert!(holder.verified);
        let r = fare_discount(&holder, &trip, &FareRates::default(), date(TODAY)).unwrap();
        assert_eq!(r.rule.as_str(), expected, "{claims}");
    }
}

#[test]
fn rule_ids_are_the_serialized_names() {
    for (_, holder, trip, rates, _) in rows() {
        let result = run(&holder, &trip, &rates);
        let rule = result.rule;
        assert_eq!(result.to_json()["rule"], rule.as_str());
        assert_eq!(FareRule::from_wire(rule.as_str()), Some(rule));
        assert_eq!(rule.to_string(), rule.as_str());
    }
}

fn any_ticket() -> impl Strategy<Value = Ticket> {
    prop_oneof![
        Just(Ticket::Regular),
        Just(Ticket::Coupon),
        Just(Ticket::OrdinaryExpress),
        Just(Ticket::Commuter),
        Just(Ticket::LimitedExpress),
        Just(Ticket::Green),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Any valid input gets a result; no one ever pays more than the full fare; a
    /// discounted amount is a multiple of 10 yen; a refusal charges the full fare.
    #[test]
    fn never_more_than_the_full_fare(
        fare in 0..=MAX_FARE,
        ticket in any_ticket(),
        km in proptest::option::of(0.0..2000.0f64),
        with_companion: bool,
        age in proptest::option::of(0..=MAX_HOLDER_AGE),
        class in prop_oneof![Just(None), Just(Some(FareClass::NoClass)), Just(Some(FareClass::Class1)), Just(Some(FareClass::Class2))],
        verified: bool,
        valid_until in prop_oneof![Just(None), Just(Some(None)), Just(Some(Some("2000-01-01"))), Just(Some(Some("2099-12-31")))],
        percent in 0u8..=100,
        commuter_percent in 0u8..=100,
    ) {
        let holder = FareHolder { verified, fare_class: class, valid_until: valid_until.map(|v| v.map(date)) };
        let trip = Trip { fare, ticket, one_way_km: km, with_companion, holder_age: age, travel_date: None };
        let rates = FareRates { discount_percent: percent, commuter_discount_percent: commuter_percent, ..FareRates::default() };
        let r = fare_discount(&holder, &trip, &rates, date(TODAY)).unwrap();
        prop_assert!(r.holder_fare <= fare);
        prop_assert_eq!(r.companion_fare.is_some(), with_companion);
        if let Some(c) = r.companion_fare {
            prop_assert!(c <= fare);
            if c < fare { prop_assert_eq!(c % 10, 0); }
        }
        if !r.eligible {
            prop_assert_eq!(r.companion_fare, with_companion.then_some(fare));
        }
        if matches!(ticket, Ticket::LimitedExpress | Ticket::Green) || valid_until.is_none() {
            prop_assert!(!r.eligible);
        }
        prop_assert!(!r.explanation.ja.is_empty() && !r.explanation.en.is_empty());
    }

    /// Any distance, fare or age at all: a result or a typed error, never a panic.
    #[test]
    fn never_panics(fare: u32, km: f64, age: u32, long_km: f64, rounding: u32, ticket in any_ticket()) {
        let trip = Trip { fare, ticket, one_way_km: Some(km), with_companion: true, holder_age: Some(age), travel_date: None };
        let rates = FareRates { long_distance_km: long_km, rounding_yen: rounding, ..FareRates::default() };
        match fare_discount(&class1(), &trip, &rates, date(TODAY)) {
            Ok(r) => prop_assert!(r.holder_fare <= fare),
            Err(e) => prop_assert!(matches!(e.code(), ErrorCode::Malformed | ErrorCode::InvalidConfig)),
        }
    }
}
