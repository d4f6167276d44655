//! Fare discount rules for holders of a disability certificate (旅客運賃減額),
//! PROTOCOL.md §6.
//!
//! The rules are JR's 身体障害者旅客運賃割引規則 and 知的障害者旅客運賃割引規則 (and, from
//! 1 April 2025, the same for 精神障害者保健福祉手帳), which most private railways and
//! buses follow; [`FareRates`] lets an operator override the rates that differ.
//! [`fare_discount`] is pure: it takes today's date from the caller and reads no clock.
//!
//! The rules, their order and the rule ids are documented on [`fare_discount`].

mod text;

use crate::json::{self, Fields, Map, ShapeError, Value};
use crate::verifier::{Date, FareClass, VerifiedCertificate};
use crate::ErrorCode;
use std::fmt;

/// The largest fare, in yen, that [`fare_discount`] accepts (ten million yen: more than
/// any six-month commuter pass).
pub const MAX_FARE: u32 = 10_000_000;

/// The largest holder age, in years, that [`fare_discount`] accepts.
pub const MAX_HOLDER_AGE: u32 = 150;

/// What the fare rules need to know about the holder's certificate.
///
/// Build it from a verified credential with `FareHolder::from(&certificate)`, or by
/// hand. The fields mirror [`VerifiedCertificate`]: `None` is a claim that was not
/// disclosed, which differs from a claim disclosed as `null`
/// (`Some(FareClass::NoClass)`, `Some(None)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FareHolder {
    /// Whether the presentation passed verification (PROTOCOL.md §4).
    pub verified: bool,
    /// `fare_class`: `None` not disclosed (refused: `fare_class_not_disclosed`),
    /// `Some(FareClass::NoClass)` disclosed as `null` (refused: `no_fare_class`).
    pub fare_class: Option<FareClass>,
    /// `valid_until`: `None` not disclosed (refused: `validity_not_disclosed`, since a
    /// holder could hide an expired date), `Some(None)` disclosed as `null` (no expiry
    /// printed: valid), `Some(Some(date))` valid through `date`.
    pub valid_until: Option<Option<Date>>,
}

impl From<&VerifiedCertificate> for FareHolder {
    /// A certificate that came out of the verifier is verified; its `fare_class` and
    /// `valid_until` are taken as disclosed.
    fn from(certificate: &VerifiedCertificate) -> Self {
        FareHolder {
            verified: true,
            fare_class: certificate.fare_class,
            valid_until: certificate.valid_until,
        }
    }
}

/// The kind of ticket being bought.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ticket {
    /// 普通乗車券, an ordinary ticket (`regular`).
    Regular,
    /// 回数乗車券, a coupon ticket (`coupon`).
    Coupon,
    /// 普通急行券, an ordinary express ticket (`ordinary_express`).
    OrdinaryExpress,
    /// 定期乗車券, a commuter pass (`commuter`).
    Commuter,
    /// 特急券, a limited express ticket (`limited_express`): never discounted.
    LimitedExpress,
    /// グリーン券, a Green Car ticket (`green`): never discounted, no child fare.
    Green,
}

impl Ticket {
    /// The wire name: `regular`, `coupon`, `ordinary_express`, `commuter`,
    /// `limited_express` or `green`.
    pub fn as_str(self) -> &'static str {
        match self {
            Ticket::Regular => "regular",
            Ticket::Coupon => "coupon",
            Ticket::OrdinaryExpress => "ordinary_express",
            Ticket::Commuter => "commuter",
            Ticket::LimitedExpress => "limited_express",
            Ticket::Green => "green",
        }
    }

    /// The ticket with this wire name.
    pub fn from_wire(text: &str) -> Option<Self> {
        [
            Ticket::Regular,
            Ticket::Coupon,
            Ticket::OrdinaryExpress,
            Ticket::Commuter,
            Ticket::LimitedExpress,
            Ticket::Green,
        ]
        .into_iter()
        .find(|t| t.as_str() == text)
    }

    /// Whether a child pays half (every ticket but the Green Car charge).
    fn has_child_fare(self) -> bool {
        !matches!(self, Ticket::Green)
    }
}

/// One purchase to price. In JS and JSON the fields are camelCase (`oneWayKm`,
/// `withCompanion`, `holderAge`, `travelDate` as `YYYY-MM-DD`); all but `fare` and
/// `ticket` may be left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Trip {
    /// The full adult fare (or charge, or commuter pass price) in yen, at most [`MAX_FARE`].
    pub fare: u32,
    /// The kind of ticket.
    pub ticket: Ticket,
    /// The one-way 営業キロ in km: finite and not negative. Needed only when the
    /// long-distance rule decides.
    pub one_way_km: Option<f64>,
    /// Whether a companion (介護者) travels with the holder, on the same section, bought together.
    pub with_companion: bool,
    /// The holder's age in years, at most [`MAX_HOLDER_AGE`]; unknown counts as an adult.
    pub holder_age: Option<u32>,
    /// The travel date (Japan time); `None` means today, as passed to [`fare_discount`].
    pub travel_date: Option<Date>,
}

impl Trip {
    /// A trip with only the fare and ticket set: no companion, age and distance unknown, today.
    pub fn new(fare: u32, ticket: Ticket) -> Self {
        Trip {
            fare,
            ticket,
            one_way_km: None,
            with_companion: false,
            holder_age: None,
            travel_date: None,
        }
    }

    /// Reads a trip object (`fare` and `ticket` required; `oneWayKm`, `withCompanion`,
    /// `holderAge`, `travelDate` optional, `null` allowed for all but `withCompanion`;
    /// other members ignored). Ranges are checked by [`fare_discount`].
    ///
    /// # Errors
    ///
    /// A [`ShapeError`] naming the first missing or ill-typed member.
    pub fn from_json(value: &Value) -> Result<Self, ShapeError> {
        Self::from_fields(Fields::of(value)?)
    }

    pub(crate) fn from_fields(f: Fields<'_>) -> Result<Self, ShapeError> {
        Ok(Trip {
            fare: f.required("fare", json::u32_value)?,
            ticket: f.required("ticket", |v| v.as_str().and_then(Ticket::from_wire))?,
            one_way_km: f.optional("oneWayKm", Value::as_f64)?,
            with_companion: f.present("withCompanion", Value::as_bool)?.unwrap_or(false),
            holder_age: f.optional("holderAge", json::u32_value)?,
            travel_date: f.optional("travelDate", Date::from_json)?,
        })
    }

    fn validate(&self) -> Result<(), FareError> {
        if self.fare > MAX_FARE {
            return Err(FareError::Malformed("fare exceeds 10,000,000 yen"));
        }
        if let Some(km) = self.one_way_km {
            if !km.is_finite() || km < 0.0 {
                return Err(FareError::Malformed(
                    "oneWayKm must be a finite number, not negative",
                ));
            }
        }
        if self.holder_age.is_some_and(|age| age > MAX_HOLDER_AGE) {
            return Err(FareError::Malformed("holderAge exceeds 150"));
        }
        Ok(())
    }
}

/// The rates an operator applies. [`Default`] is JR's; private railways and bus
/// operators override what differs (bus commuter passes are sometimes 30 % off).
/// In JS and JSON the fields are camelCase and each may be left out.
///
/// ```
/// use mirairo_id_sdk::FareRates;
/// let bus = FareRates { commuter_discount_percent: 30, ..FareRates::default() };
/// assert_eq!(bus.discount_percent, 50);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FareRates {
    /// Percent off ordinary, coupon and ordinary express tickets (JR: 50). At most 100.
    pub discount_percent: u8,
    /// Percent off commuter passes (JR: 50). At most 100.
    pub commuter_discount_percent: u8,
    /// The one-way distance, in km, that a journey must exceed for the holder-alone
    /// discount (JR: 100.0; 100.0 itself does not qualify). Finite, not negative.
    pub long_distance_km: f64,
    /// Holders younger than this pay child fares (JR: 12). At most [`MAX_HOLDER_AGE`].
    pub child_age_limit: u32,
    /// Discounted and child fares are rounded down to a multiple of this many yen
    /// (JR: 10, 10円未満切り捨て). From 1 to 1,000.
    pub rounding_yen: u32,
}

impl Default for FareRates {
    fn default() -> Self {
        FareRates {
            discount_percent: 50,
            commuter_discount_percent: 50,
            long_distance_km: 100.0,
            child_age_limit: 12,
            rounding_yen: 10,
        }
    }
}

impl FareRates {
    /// Reads operator rates (camelCase members, each optional: an absent one keeps its
    /// [`FareRates::default`] value; other members ignored). Ranges are checked by
    /// [`fare_discount`].
    ///
    /// # Errors
    ///
    /// A [`ShapeError`] naming the first ill-typed member (`null` included).
    pub fn from_json(value: &Value) -> Result<Self, ShapeError> {
        Self::from_fields(Fields::of(value)?)
    }

    pub(crate) fn from_fields(f: Fields<'_>) -> Result<Self, ShapeError> {
        let d = FareRates::default();
        let percent = |v: &Value| v.as_u64().and_then(|n| u8::try_from(n).ok());
        Ok(FareRates {
            discount_percent: f
                .present("discountPercent", percent)?
                .unwrap_or(d.discount_percent),
            commuter_discount_percent: f
                .present("commuterDiscountPercent", percent)?
                .unwrap_or(d.commuter_discount_percent),
            long_distance_km: f
                .present("longDistanceKm", Value::as_f64)?
                .unwrap_or(d.long_distance_km),
            child_age_limit: f
                .present("childAgeLimit", json::u32_value)?
                .unwrap_or(d.child_age_limit),
            rounding_yen: f
                .present("roundingYen", json::u32_value)?
                .unwrap_or(d.rounding_yen),
        })
    }

    fn validate(&self) -> Result<(), FareError> {
        if self.discount_percent > 100 || self.commuter_discount_percent > 100 {
            return Err(FareError::InvalidConfig("a discount percent exceeds 100"));
        }
        if !self.long_distance_km.is_finite() || self.long_distance_km < 0.0 {
            return Err(FareError::InvalidConfig(
                "longDistanceKm must be a finite number, not negative",
            ));
        }
        if self.child_age_limit > MAX_HOLDER_AGE {
            return Err(FareError::InvalidConfig("childAgeLimit exceeds 150"));
        }
        if !(1..=1000).contains(&self.rounding_yen) {
            return Err(FareError::InvalidConfig(
                "roundingYen must be from 1 to 1,000",
            ));
        }
        Ok(())
    }

    /// `fare` less `percent`, rounded down to the rounding unit; `fare` unchanged at 0 %.
    fn discounted(&self, fare: u32, percent: u8) -> u32 {
        if percent == 0 {
            return fare;
        }
        let paid = u64::from(fare) * u64::from(100 - percent.min(100)) / 100;
        self.round_down(paid)
    }

    /// The child fare: half, rounded down to the rounding unit.
    fn child(&self, fare: u32) -> u32 {
        self.round_down(u64::from(fare) / 2)
    }

    fn round_down(&self, amount: u64) -> u32 {
        let unit = u64::from(self.rounding_yen.max(1));
        // Never above the fare it came from, so it fits in u32.
        u32::try_from(amount / unit * unit).unwrap_or(u32::MAX)
    }
}

/// Which rule decided a [`FareResult`]: a stable id, its `snake_case` name on the wire
/// and in JS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FareRule {
    /// 第1種 with a companion: regular, coupon, ordinary express, 50 % for both.
    Class1WithCompanion,
    /// 第1種 with a companion: commuter passes, 50 % for both.
    Class1CommuterWithCompanion,
    /// 第1種 under 12 with a companion: the child commuter fare, the companion's pass 50 %.
    Class1ChildCommuterWithCompanion,
    /// 第2種 under 12 with a companion: the child commuter fare, the companion's pass 50 %.
    Class2ChildCommuterWithCompanion,
    /// 第1種 or 第2種 without a companion, regular ticket over 100 km one way: 50 %.
    LongDistanceAlone,
    /// 第2種 with a companion, regular ticket over 100 km one way: the holder 50 %, the
    /// companion full fare.
    Class2LongDistanceWithCompanion,
    /// Refused: the presentation did not verify.
    NotVerified,
    /// Refused: `fare_class` was not disclosed, so eligibility cannot be decided.
    FareClassNotDisclosed,
    /// Refused: `fare_class` is `null`; the certificate carries no fare discount.
    NoFareClass,
    /// Refused: `valid_until` was not disclosed, so validity cannot be checked.
    ValidityNotDisclosed,
    /// Refused: `valid_until` lies before the travel date.
    CertificateExpired,
    /// Refused: limited express, Green Car and other charges are never discounted.
    ChargeNotDiscounted,
    /// Refused: commuter passes are discounted only with a companion.
    CommuterWithoutCompanion,
    /// Refused: 第2種 commuter passes are discounted only for holders under 12.
    Class2CommuterNotEligible,
    /// Refused: 第1種 without a companion, regular ticket of 100 km or less one way.
    Class1AloneShortDistance,
    /// Refused: 第2種, regular ticket of 100 km or less one way.
    Class2ShortDistance,
    /// Refused: the long-distance rule decides and the one-way distance was not given.
    DistanceUnknown,
    /// Refused: 第1種 without a companion, coupon or ordinary express ticket.
    Class1AloneTicketNotDiscounted,
    /// Refused: 第2種, coupon or ordinary express ticket.
    Class2TicketNotDiscounted,
}

impl FareRule {
    /// The stable id, e.g. `class1_with_companion`.
    pub fn as_str(self) -> &'static str {
        match self {
            FareRule::Class1WithCompanion => "class1_with_companion",
            FareRule::Class1CommuterWithCompanion => "class1_commuter_with_companion",
            FareRule::Class1ChildCommuterWithCompanion => "class1_child_commuter_with_companion",
            FareRule::Class2ChildCommuterWithCompanion => "class2_child_commuter_with_companion",
            FareRule::LongDistanceAlone => "long_distance_alone",
            FareRule::Class2LongDistanceWithCompanion => "class2_long_distance_with_companion",
            FareRule::NotVerified => "not_verified",
            FareRule::FareClassNotDisclosed => "fare_class_not_disclosed",
            FareRule::NoFareClass => "no_fare_class",
            FareRule::ValidityNotDisclosed => "validity_not_disclosed",
            FareRule::CertificateExpired => "certificate_expired",
            FareRule::ChargeNotDiscounted => "charge_not_discounted",
            FareRule::CommuterWithoutCompanion => "commuter_without_companion",
            FareRule::Class2CommuterNotEligible => "class2_commuter_not_eligible",
            FareRule::Class1AloneShortDistance => "class1_alone_short_distance",
            FareRule::Class2ShortDistance => "class2_short_distance",
            FareRule::DistanceUnknown => "distance_unknown",
            FareRule::Class1AloneTicketNotDiscounted => "class1_alone_ticket_not_discounted",
            FareRule::Class2TicketNotDiscounted => "class2_ticket_not_discounted",
        }
    }
}

impl FareRule {
    /// Every rule, in the order of the enum.
    const ALL: [FareRule; 19] = [
        FareRule::Class1WithCompanion,
        FareRule::Class1CommuterWithCompanion,
        FareRule::Class1ChildCommuterWithCompanion,
        FareRule::Class2ChildCommuterWithCompanion,
        FareRule::LongDistanceAlone,
        FareRule::Class2LongDistanceWithCompanion,
        FareRule::NotVerified,
        FareRule::FareClassNotDisclosed,
        FareRule::NoFareClass,
        FareRule::ValidityNotDisclosed,
        FareRule::CertificateExpired,
        FareRule::ChargeNotDiscounted,
        FareRule::CommuterWithoutCompanion,
        FareRule::Class2CommuterNotEligible,
        FareRule::Class1AloneShortDistance,
        FareRule::Class2ShortDistance,
        FareRule::DistanceUnknown,
        FareRule::Class1AloneTicketNotDiscounted,
        FareRule::Class2TicketNotDiscounted,
    ];

    /// The rule with this stable id.
    pub fn from_wire(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

impl fmt::Display for FareRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A sentence for the customer, in Japanese and English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// Japanese.
    pub ja: String,
    /// English.
    pub en: String,
}

/// What the holder and companion pay, which rule decided it, and why, in words a clerk
/// can read back to the customer. In JS and JSON: `{ eligible, holderFare,
/// companionFare, rule, explanation: { ja, en } }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FareResult {
    /// Whether a discount rule applied (to the holder, the companion or both).
    pub eligible: bool,
    /// What the holder pays, in yen (the child fare for a holder under 12).
    pub holder_fare: u32,
    /// What the companion pays, in yen; `None` (`null`) when no companion travels.
    pub companion_fare: Option<u32>,
    /// The rule that decided.
    pub rule: FareRule,
    /// The decision in words, amounts included.
    pub explanation: Explanation,
}

impl FareResult {
    /// `{ eligible, holderFare, companionFare, rule, explanation: { ja, en } }`
    /// (`companionFare` `null` without a companion).
    pub fn to_json(&self) -> Value {
        let explanation = Map::from_pairs([
            ("ja", self.explanation.ja.as_str().into()),
            ("en", self.explanation.en.as_str().into()),
        ]);
        Value::Object(Map::from_pairs([
            ("eligible", self.eligible.into()),
            ("holderFare", self.holder_fare.into()),
            ("companionFare", json::or_null(self.companion_fare)),
            ("rule", self.rule.as_str().into()),
            ("explanation", explanation.into()),
        ]))
    }

    /// Reads the object [`FareResult::to_json`] writes.
    ///
    /// # Errors
    ///
    /// A [`ShapeError`] naming the first missing or ill-typed member.
    pub fn from_json(value: &Value) -> Result<Self, ShapeError> {
        let f = Fields::of(value)?;
        let explanation = f.required("explanation", |v| {
            let e = Fields::of(v).ok()?;
            Some(Explanation {
                ja: e.required("ja", json::string).ok()?,
                en: e.required("en", json::string).ok()?,
            })
        })?;
        Ok(FareResult {
            eligible: f.required("eligible", Value::as_bool)?,
            holder_fare: f.required("holderFare", json::u32_value)?,
            companion_fare: f.optional("companionFare", json::u32_value)?,
            rule: f.required("rule", |v| v.as_str().and_then(FareRule::from_wire))?,
            explanation,
        })
    }
}

/// Why [`fare_discount`] could not price a trip.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FareError {
    /// The trip is out of range (fare over [`MAX_FARE`], distance NaN, infinite or
    /// negative, age over [`MAX_HOLDER_AGE`]). Code `malformed`.
    #[error("malformed trip: {0}")]
    Malformed(&'static str),
    /// The operator's [`FareRates`] are out of range. Code `invalid_config`.
    #[error("invalid fare rates: {0}")]
    InvalidConfig(&'static str),
}

impl FareError {
    /// The protocol code shared with JS (`MirairoIdError.code`):
    /// [`ErrorCode::Malformed`] or [`ErrorCode::InvalidConfig`].
    pub fn code(&self) -> ErrorCode {
        match self {
            FareError::Malformed(_) => ErrorCode::Malformed,
            FareError::InvalidConfig(_) => ErrorCode::InvalidConfig,
        }
    }
}

/// Prices `trip` for `holder` under `rates` (PROTOCOL.md §6). `today` is today's date in
/// Japan, used when the trip has no travel date; the function reads no clock.
///
/// A refusal is not an error: it is a [`FareResult`] with `eligible: false`, the full
/// fares and the [`FareRule`] that says why.
///
/// | holder | ticket | condition | holder pays | companion pays | [`FareRule`] |
/// | --- | --- | --- | --- | --- | --- |
/// | 第1種 | regular, coupon, ordinary express | with a companion | 50 % | 50 % | `class1_with_companion` |
/// | 第1種 | commuter | with a companion | 50 % | 50 % | `class1_commuter_with_companion` |
/// | 第1種, 第2種, under 12 | commuter | with a companion | child commuter fare | 50 % | `class1_child_commuter_with_companion`, `class2_child_commuter_with_companion` |
/// | 第1種 or 第2種 | regular | one way over 100 km, without a companion | 50 % | — | `long_distance_alone` |
/// | 第2種 | regular | one way over 100 km, with a companion | 50 % | full | `class2_long_distance_with_companion` |
/// | anyone | limited express, green | — | full | full | `charge_not_discounted` |
///
/// A holder under 12 starts from the child fare (half the adult fare, fractions below
/// 10 yen dropped), except for Green Car charges, which have no child fare. The
/// companion is taken to be an adult. Every discounted amount drops fractions below
/// 10 yen (端数整理: 10円未満切り捨て).
///
/// The checks run in this order and the first that applies decides the result:
/// input validation (an error), `not_verified`, `fare_class_not_disclosed`,
/// `no_fare_class`, `validity_not_disclosed` (`valid_until` not disclosed; disclosed as
/// `null` means no expiry and passes), `certificate_expired`, then the table above; a
/// trip the table does not discount is refused with `commuter_without_companion`,
/// `class2_commuter_not_eligible`, `class1_alone_short_distance`, `class2_short_distance`,
/// `distance_unknown` (no `one_way_km` where it decides),
/// `class1_alone_ticket_not_discounted` or `class2_ticket_not_discounted`.
/// `companion_fare` is `None` exactly when the trip has no companion. The percentages,
/// the 100 km and the age 12 are [`FareRates::default`] (JR) and follow `rates`.
///
/// ```
/// use mirairo_id_sdk::{fare_discount, Date, FareClass, FareHolder, FareRates, FareRule, Ticket, Trip};
/// let holder = FareHolder { verified: true, fare_class: Some(FareClass::Class1), valid_until: Some(None) };
/// let trip = Trip { with_companion: true, ..Trip::new(1234, Ticket::Regular) };
/// let today = Date::parse("2026-11-27").unwrap();
/// let result = fare_discount(&holder, &trip, &FareRates::default(), today).unwrap();
/// assert_eq!((result.holder_fare, result.companion_fare), (610, Some(610)));
/// assert_eq!(result.rule, FareRule::Class1WithCompanion);
/// ```
///
/// # Errors
///
/// [`FareError::Malformed`] when the trip is out of range, [`FareError::InvalidConfig`]
/// when the rates are.
pub fn fare_discount(
    holder: &FareHolder,
    trip: &Trip,
    rates: &FareRates,
    today: Date,
) -> Result<FareResult, FareError> {
    rates.validate()?;
    trip.validate()?;
    let travel_date = trip.travel_date.unwrap_or(today);
    let child = trip
        .holder_age
        .is_some_and(|age| age < rates.child_age_limit);
    let adult = trip.fare;
    // The holder's undiscounted fare: the child fare for a child where there is one.
    let child_fare = (child && trip.ticket.has_child_fare()).then(|| rates.child(adult));
    let base = child_fare.unwrap_or(adult);
    let companion_full = trip.with_companion.then_some(adult);

    let facts = text::Facts {
        class: None,
        trip,
        rates,
        child_fare,
        percent: 0,
        valid_until: None,
        travel_date,
    };
    let refuse = |rule: FareRule, facts: text::Facts<'_>| FareResult {
        eligible: false,
        holder_fare: base,
        companion_fare: companion_full,
        rule,
        explanation: text::explain(rule, &facts, base, companion_full),
    };
    let grant =
        |rule: FareRule, facts: text::Facts<'_>, holder: u32, companion: Option<u32>| FareResult {
            eligible: true,
            holder_fare: holder,
            companion_fare: companion,
            rule,
            explanation: text::explain(rule, &facts, holder, companion),
        };

    if !holder.verified {
        return Ok(refuse(FareRule::NotVerified, facts));
    }
    let class = match holder.fare_class {
        None => return Ok(refuse(FareRule::FareClassNotDisclosed, facts)),
        Some(FareClass::NoClass) => return Ok(refuse(FareRule::NoFareClass, facts)),
        Some(class) => class,
    };
    let facts = text::Facts {
        class: Some(class),
        ..facts
    };
    match holder.valid_until {
        None => return Ok(refuse(FareRule::ValidityNotDisclosed, facts)),
        Some(Some(valid_until)) if valid_until < travel_date => {
            let facts = text::Facts {
                valid_until: Some(valid_until),
                ..facts
            };
            return Ok(refuse(FareRule::CertificateExpired, facts));
        }
        Some(_) => {}
    }

    let class1 = class == FareClass::Class1;
    let result = match trip.ticket {
        Ticket::LimitedExpress | Ticket::Green => refuse(FareRule::ChargeNotDiscounted, facts),
        Ticket::Commuter => {
            let percent = rates.commuter_discount_percent;
            let facts = text::Facts { percent, ..facts };
            let companion = rates.discounted(adult, percent);
            if !trip.with_companion {
                refuse(FareRule::CommuterWithoutCompanion, facts)
            } else if child {
                // The child commuter pass is never discounted again; the companion's is.
                let rule = if class1 {
                    FareRule::Class1ChildCommuterWithCompanion
                } else {
                    FareRule::Class2ChildCommuterWithCompanion
                };
                grant(rule, facts, base, Some(companion))
            } else if class1 {
                let holder = rates.discounted(adult, percent);
                grant(
                    FareRule::Class1CommuterWithCompanion,
                    facts,
                    holder,
                    Some(companion),
                )
            } else {
                refuse(FareRule::Class2CommuterNotEligible, facts)
            }
        }
        Ticket::Regular | Ticket::Coupon | Ticket::OrdinaryExpress => {
            let percent = rates.discount_percent;
            let facts = text::Facts { percent, ..facts };
            let holder_discounted = rates.discounted(base, percent);
            if class1 && trip.with_companion {
                let companion = rates.discounted(adult, percent);
                grant(
                    FareRule::Class1WithCompanion,
                    facts,
                    holder_discounted,
                    Some(companion),
                )
            } else if trip.ticket != Ticket::Regular {
                let rule = if class1 {
                    FareRule::Class1AloneTicketNotDiscounted
                } else {
                    FareRule::Class2TicketNotDiscounted
                };
                refuse(rule, facts)
            } else {
                match trip.one_way_km {
                    None => refuse(FareRule::DistanceUnknown, facts),
                    Some(km) if km > rates.long_distance_km => {
                        let rule = if trip.with_companion {
                            FareRule::Class2LongDistanceWithCompanion
                        } else {
                            FareRule::LongDistanceAlone
                        };
                        grant(rule, facts, holder_discounted, companion_full)
                    }
                    Some(_) if class1 => refuse(FareRule::Class1AloneShortDistance, facts),
                    Some(_) => refuse(FareRule::Class2ShortDistance, facts),
                }
            }
        }
    };
    Ok(result)
}
