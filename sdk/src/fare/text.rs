//! The sentences a clerk reads back to the customer, one per [`FareRule`], in Japanese
//! and English, amounts included.

use super::{Explanation, FareClass, FareRates, FareRule, Ticket, Trip};
use crate::verifier::Date;
use crate::wareki::{format_date, Calendar, Lang};

/// Everything a sentence may mention.
#[derive(Clone, Copy)]
pub(super) struct Facts<'a> {
    pub class: Option<FareClass>,
    pub trip: &'a Trip,
    pub rates: &'a FareRates,
    /// The holder's child fare, when the holder is a child and the ticket has one.
    pub child_fare: Option<u32>,
    /// The discount percent of the rule that decided (0 before a rule is reached).
    pub percent: u8,
    pub valid_until: Option<Date>,
    pub travel_date: Date,
}

pub(super) fn explain(
    rule: FareRule,
    facts: &Facts<'_>,
    holder: u32,
    companion: Option<u32>,
) -> Explanation {
    let (mut ja, mut en) = rule_sentence(rule, facts);
    let child_rule = matches!(
        rule,
        FareRule::Class1ChildCommuterWithCompanion | FareRule::Class2ChildCommuterWithCompanion
    );
    if let (Some(child), false) = (facts.child_fare, child_rule) {
        let age = facts.rates.child_age_limit;
        let (what_ja, what_en) = match facts.trip.ticket {
            Ticket::Commuter => ("小児定期運賃", "child commuter fare"),
            Ticket::OrdinaryExpress | Ticket::LimitedExpress | Ticket::Green => {
                ("小児料金", "child charge")
            }
            Ticket::Regular | Ticket::Coupon => ("小児運賃", "child fare"),
        };
        ja.push_str(&format!(
            "{age}歳未満のため、{what_ja}{}から計算しています。",
            yen_ja(child)
        ));
        en.push_str(&format!(
            " As the holder is under {age}, this starts from the {what_en} of {}.",
            yen_en(child)
        ));
    }
    match companion {
        Some(c) => {
            ja.push_str(&format!(
                "お支払いは、ご本人{}、介護者の方{}です。",
                yen_ja(holder),
                yen_ja(c)
            ));
            en.push_str(&format!(
                " The holder pays {} and the companion pays {}.",
                yen_en(holder),
                yen_en(c)
            ));
        }
        None => {
            ja.push_str(&format!("お支払いは{}です。", yen_ja(holder)));
            en.push_str(&format!(" The holder pays {}.", yen_en(holder)));
        }
    }
    Explanation { ja, en }
}

/// A distance as a clerk reads it, to one decimal place ("100", "100.1"), never
/// `100.09999999999999`. Distances are validated as finite and non-negative before any
/// text is made.
fn km_text(km: f64) -> String {
    // `as` saturates, so even an absurd distance cannot overflow.
    let tenths = (km * 10.0).round() as u64;
    match tenths % 10 {
        0 => (tenths / 10).to_string(),
        d => format!("{}.{d}", tenths / 10),
    }
}

/// The sentence saying which rule applied or why none did.
fn rule_sentence(rule: FareRule, facts: &Facts<'_>) -> (String, String) {
    let ticket = facts.trip.ticket;
    let p = facts.percent;
    let off_ja = off_ja(p);
    let class_ja = facts.class.map_or("", class_ja);
    let class_en = facts.class.map_or("", class_en);
    let age = facts.rates.child_age_limit;
    let limit = km_text(facts.rates.long_distance_km);
    let km = facts.trip.one_way_km.map_or_else(String::new, km_text);
    match rule {
        FareRule::Class1WithCompanion | FareRule::Class1CommuterWithCompanion => (
            format!(
                "第1種の障害者手帳をお持ちの方と介護者の方は、{}が{off_ja}になります。",
                ticket_ja(ticket)
            ),
            format!(
                "Holders of a Class 1 certificate travelling with a companion get {p}% off {}, for both.",
                tickets_en(ticket)
            ),
        ),
        FareRule::Class1ChildCommuterWithCompanion | FareRule::Class2ChildCommuterWithCompanion => (
            format!(
                "{class_ja}の障害者手帳をお持ちの{age}歳未満の方が介護者の方と定期乗車券をご利用の場合、ご本人は小児定期運賃、介護者の方は{off_ja}になります。"
            ),
            format!(
                "A holder of a {class_en} certificate under {age} travelling with a companion pays the child commuter fare, and the companion's commuter pass is {p}% off."
            ),
        ),
        FareRule::LongDistanceAlone | FareRule::Class2LongDistanceWithCompanion => {
            let mut ja = format!(
                "{class_ja}の障害者手帳をお持ちの方は、片道の営業キロが{limit}kmを超える普通乗車券が{off_ja}になります（今回は{km}km）。"
            );
            let mut en = format!(
                "Holders of a {class_en} certificate get {p}% off ordinary tickets for journeys over {limit} km one way (this one is {km} km)."
            );
            if rule == FareRule::Class2LongDistanceWithCompanion {
                ja.push_str("第2種の場合、介護者の方の運賃は割引になりません。");
                en.push_str(" For Class 2, the companion's fare is not discounted.");
            }
            (ja, en)
        }
        FareRule::NotVerified => (
            "障害者手帳の確認ができていないため、割引は適用できません。".to_owned(),
            "The certificate has not been verified, so no discount applies.".to_owned(),
        ),
        FareRule::FareClassNotDisclosed => (
            "旅客運賃減額の種別（第1種・第2種）が開示されていないため、割引を判定できません。".to_owned(),
            "The fare class (Class 1 or Class 2) was not disclosed, so the discount cannot be decided.".to_owned(),
        ),
        FareRule::NoFareClass => (
            "この障害者手帳には旅客運賃減額の種別（第1種・第2種）がないため、運賃の割引はありません。".to_owned(),
            "This certificate has no fare class (Class 1 or Class 2), so fares are not discounted.".to_owned(),
        ),
        FareRule::ValidityNotDisclosed => (
            "有効期限が提示されていないため、割引を適用できません。ミライロIDで有効期限の提示に同意してください。".to_owned(),
            "The certificate's validity was not shown, so the discount cannot be applied. Please agree to share the expiry date in Mirairo ID.".to_owned(),
        ),
        FareRule::CertificateExpired => {
            let date = |d: Date, lang, cal| format_date(d, lang, cal);
            let (until_ja, until_en) = facts.valid_until.map_or_else(
                || (String::new(), String::new()),
                |d| {
                    (
                        date(d, Lang::Ja, Calendar::Japanese),
                        date(d, Lang::En, Calendar::Gregorian),
                    )
                },
            );
            (
                format!(
                    "障害者手帳の有効期限（{until_ja}）が乗車日（{}）より前のため、割引は適用できません。",
                    date(facts.travel_date, Lang::Ja, Calendar::Japanese)
                ),
                format!(
                    "The certificate was valid until {until_en}, before the travel date of {}, so no discount applies.",
                    date(facts.travel_date, Lang::En, Calendar::Gregorian)
                ),
            )
        }
        FareRule::ChargeNotDiscounted => (
            format!("{}などの料金は割引の対象外です。", ticket_ja(ticket)),
            format!(
                "{} and other charges are not discounted.",
                capitalized(tickets_en(ticket))
            ),
        ),
        FareRule::CommuterWithoutCompanion => (
            "定期乗車券の割引は、介護者の方と一緒にご利用の場合に限られます。".to_owned(),
            "Commuter passes are discounted only for holders travelling with a companion.".to_owned(),
        ),
        FareRule::Class2CommuterNotEligible => (
            format!(
                "第2種の方の定期乗車券の割引は、{age}歳未満の方が介護者の方と一緒にご利用の場合に限られます。"
            ),
            format!(
                "For Class 2 certificates, commuter passes are discounted only for holders under {age} travelling with a companion."
            ),
        ),
        FareRule::Class1AloneShortDistance => (
            format!(
                "第1種の方がお一人でご利用の場合、割引は片道の営業キロが{limit}kmを超える普通乗車券に限られます（今回は{km}km）。"
            ),
            format!(
                "Class 1 holders travelling alone get a discount only on ordinary tickets for journeys over {limit} km one way (this one is {km} km)."
            ),
        ),
        FareRule::Class2ShortDistance => (
            format!(
                "第2種の方の割引は、片道の営業キロが{limit}kmを超える普通乗車券に限られます（今回は{km}km）。"
            ),
            format!(
                "Class 2 holders get a discount only on ordinary tickets for journeys over {limit} km one way (this one is {km} km)."
            ),
        ),
        FareRule::DistanceUnknown => (
            format!(
                "この割引には片道の営業キロが{limit}kmを超えることが必要ですが、営業キロが指定されていないため判定できません。"
            ),
            format!(
                "This discount needs a journey over {limit} km one way, and the distance was not given, so it cannot be decided."
            ),
        ),
        FareRule::Class1AloneTicketNotDiscounted => (
            format!(
                "第1種の方がお一人でご利用の場合、{}は割引の対象外です（割引は片道{limit}kmを超える普通乗車券のみ）。",
                ticket_ja(ticket)
            ),
            format!(
                "Class 1 holders travelling alone get no discount on {}; only ordinary tickets for journeys over {limit} km one way are discounted.",
                tickets_en(ticket)
            ),
        ),
        FareRule::Class2TicketNotDiscounted => (
            format!(
                "第2種の方の割引は片道{limit}kmを超える普通乗車券のみで、{}は対象外です。",
                ticket_ja(ticket)
            ),
            format!(
                "Class 2 holders get no discount on {}; only ordinary tickets for journeys over {limit} km one way are discounted.",
                tickets_en(ticket)
            ),
        ),
    }
}

fn class_ja(class: FareClass) -> &'static str {
    match class {
        FareClass::Class1 => "第1種",
        FareClass::Class2 => "第2種",
        FareClass::NoClass => "",
    }
}

fn class_en(class: FareClass) -> &'static str {
    match class {
        FareClass::Class1 => "Class 1",
        FareClass::Class2 => "Class 2",
        FareClass::NoClass => "",
    }
}

fn ticket_ja(ticket: Ticket) -> &'static str {
    match ticket {
        Ticket::Regular => "普通乗車券",
        Ticket::Coupon => "回数乗車券",
        Ticket::OrdinaryExpress => "普通急行券",
        Ticket::Commuter => "定期乗車券",
        Ticket::LimitedExpress => "特急券",
        Ticket::Green => "グリーン券",
    }
}

fn tickets_en(ticket: Ticket) -> &'static str {
    match ticket {
        Ticket::Regular => "ordinary tickets",
        Ticket::Coupon => "coupon tickets",
        Ticket::OrdinaryExpress => "ordinary express tickets",
        Ticket::Commuter => "commuter passes",
        Ticket::LimitedExpress => "limited express tickets",
        Ticket::Green => "Green Car tickets",
    }
}

/// `s` with its first letter upper-cased. The English texts are ASCII, so ASCII case
/// mapping does (`char::to_uppercase` would ship core's 12 KB Unicode case table to
/// browsers); a first character outside ASCII is left as it is.
fn capitalized(s: &str) -> String {
    let mut out = s.to_owned();
    if let Some(first) = out.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    out
}

/// `5割引` for multiples of 10 %, `25%引き` otherwise, `無料` at 100 %.
fn off_ja(percent: u8) -> String {
    match percent {
        100 => "無料".to_owned(),
        p if p % 10 == 0 => format!("{}割引", p / 10),
        p => format!("{p}%引き"),
    }
}

/// `1,230円`.
fn yen_ja(amount: u32) -> String {
    format!("{}円", grouped(amount))
}

/// `¥1,230`.
fn yen_en(amount: u32) -> String {
    format!("¥{}", grouped(amount))
}

/// Digits in groups of three: `1234567` → `1,234,567`.
fn grouped(amount: u32) -> String {
    let digits = amount.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_grouped_by_thousands() {
        for (amount, ja, en) in [
            (0, "0円", "¥0"),
            (610, "610円", "¥610"),
            (1230, "1,230円", "¥1,230"),
            (123_456, "123,456円", "¥123,456"),
            (10_000_000, "10,000,000円", "¥10,000,000"),
        ] {
            assert_eq!(yen_ja(amount), ja);
            assert_eq!(yen_en(amount), en);
        }
    }

    #[test]
    fn english_ticket_names_start_a_sentence_capitalized() {
        for (ticket, text) in [
            (Ticket::Regular, "Ordinary tickets"),
            (Ticket::Coupon, "Coupon tickets"),
            (Ticket::OrdinaryExpress, "Ordinary express tickets"),
            (Ticket::Commuter, "Commuter passes"),
            (Ticket::LimitedExpress, "Limited express tickets"),
            (Ticket::Green, "Green Car tickets"),
        ] {
            assert_eq!(capitalized(tickets_en(ticket)), text);
        }
        assert_eq!(capitalized(""), "");
        // Outside ASCII nothing changes (the texts never start so).
        assert_eq!(capitalized("éclair"), "éclair");
    }

    #[test]
    fn percents_read_as_wari_in_japanese() {
        assert_eq!(off_ja(50), "5割引");
        assert_eq!(off_ja(30), "3割引");
        assert_eq!(off_ja(25), "25%引き");
        assert_eq!(off_ja(100), "無料");
    }
}
