//! The backend of みらい鉄道 (Mirai Railway), the demo partner site under `www/demo/`.
//!
//! It plays the partner's own server, so it uses only what a partner has: the native
//! SDK (`mirairo_id_sdk::Verifier`, `fare_discount`) and the provider's public keys and
//! status list. It reads those from the sandbox's own key store instead of over HTTP
//! because it runs in the same process; the checks are the ones a partner runs.
//!
//! | route | what |
//! | --- | --- |
//! | `GET /demo-api/stations` | the stations, with their distance along the line |
//! | `GET /demo-api/fare?from&to&ticket` | the full adult fare of a trip |
//! | `POST /demo-api/nonce` | `{nonce, audience, expires_in}`: a single-use challenge for one presentation |
//! | `POST /demo-api/bookings` `{presentation, trip}` | re-verifies the presentation (key binding, audience, the nonce consumed once, the current status list) and books |
//! | `GET /demo-api/bookings/{id}` | a booking record |
//!
//! A refusal is `{"error": <PROTOCOL.md §4 code>, "error_description"}` with status 403;
//! a request that does not parse is 400 `invalid_request`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use mirairo_id_sdk::sdjwt::SdJwt;
use mirairo_id_sdk::{
    fare_discount, Date, FareHolder, FareRates, FareResult, Ticket, Trip, VerifiedCertificate,
    Verifier, VerifierConfig, VerifyOptions,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::error::{json_response, ApiError};
use crate::state::AppState;
use crate::util::{format_day, from_sdk, random_token, to_sdk, today_jst};

/// How long an issued nonce stays usable, in seconds.
pub const NONCE_TTL: i64 = 300;
/// At most this many unused nonces are kept; older ones are dropped first.
pub const MAX_PENDING_NONCES: usize = 10_000;
/// At most this many bookings are kept in memory; the oldest is dropped first.
pub const MAX_BOOKINGS: usize = 1_000;
/// The claims a booking needs disclosed: `fare_class` to decide the discount and
/// `valid_until` (possibly `null`: no expiry printed) so that an expired certificate
/// cannot pass by hiding its date (PROTOCOL.md §6).
pub const REQUIRED_CLAIMS: &[&str] = &["fare_class", "valid_until"];

/// A station of the fictional Mirai Line.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Station {
    /// Stable id.
    pub id: &'static str,
    /// Japanese name.
    pub ja: &'static str,
    /// English name.
    pub en: &'static str,
    /// 営業キロ from Mirai-Chūō, in tenths of a km.
    pub km10: u32,
}

/// The line, in order.
pub const STATIONS: [Station; 6] = [
    Station {
        id: "mirai-chuo",
        ja: "みらい中央",
        en: "Mirai-Chūō",
        km10: 0,
    },
    Station {
        id: "sakuradai",
        ja: "桜台",
        en: "Sakuradai",
        km10: 124,
    },
    Station {
        id: "minatomachi",
        ja: "港町",
        en: "Minatomachi",
        km10: 387,
    },
    Station {
        id: "kawabe",
        ja: "川辺",
        en: "Kawabe",
        km10: 762,
    },
    Station {
        id: "yamanobe",
        ja: "山野辺",
        en: "Yamanobe",
        km10: 1215,
    },
    Station {
        id: "hoshigaoka",
        ja: "星ヶ丘",
        en: "Hoshigaoka",
        km10: 1873,
    },
];

fn station(id: &str) -> Option<&'static Station> {
    STATIONS.iter().find(|s| s.id == id)
}

fn round_up_10(yen: u32) -> u32 {
    yen.div_ceil(10).saturating_mul(10)
}

/// The full adult fare, in yen, of `ticket` for `km10` tenths of a km: the railway's
/// own tariff (a base fare plus a rate per km; a one-month commuter pass at 40 rides;
/// flat express and Green Car charges by distance band).
pub fn tariff(ticket: Ticket, km10: u32) -> u32 {
    let regular = round_up_10(140 + km10.saturating_mul(16) / 10);
    let band = |short: u32, middle: u32, long: u32| match km10 {
        0..=500 => short,
        501..=1000 => middle,
        _ => long,
    };
    match ticket {
        Ticket::Regular | Ticket::Coupon => regular,
        Ticket::Commuter => round_up_10(regular.saturating_mul(40) * 6 / 10),
        Ticket::OrdinaryExpress => band(560, 760, 1_000),
        Ticket::LimitedExpress => band(1_290, 1_730, 2_390),
        Ticket::Green => band(1_000, 1_300, 2_800),
    }
}

/// What the partner backend keeps between requests (in memory: a demo).
#[derive(Debug, Default)]
pub struct DemoState {
    /// Unused nonces and when each stops being usable.
    nonces: Mutex<HashMap<String, i64>>,
    /// Bookings, oldest first.
    bookings: Mutex<Vec<Value>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

impl DemoState {
    /// Issues a nonce valid until `now + NONCE_TTL`.
    pub fn issue_nonce(&self, now: i64) -> String {
        let nonce = random_token(24);
        let mut nonces = lock(&self.nonces);
        nonces.retain(|_, until| *until > now);
        while nonces.len() >= MAX_PENDING_NONCES {
            let oldest = nonces
                .iter()
                .min_by_key(|(_, until)| **until)
                .map(|(n, _)| n.clone());
            match oldest {
                Some(n) => nonces.remove(&n),
                None => break,
            };
        }
        nonces.insert(nonce.clone(), now + NONCE_TTL);
        nonce
    }

    /// Removes `nonce` and says whether it was issued and still usable: each nonce
    /// is accepted at most once.
    pub fn consume_nonce(&self, nonce: &str, now: i64) -> bool {
        lock(&self.nonces)
            .remove(nonce)
            .is_some_and(|until| until > now)
    }
}

/// The audience this partner expects in key-binding JWTs: its own site.
pub fn audience(state: &AppState) -> String {
    state.url("/demo/")
}

/// The routes under `/demo-api/`.
pub fn router(app: Arc<AppState>) -> Router<Arc<AppState>> {
    let demo = Arc::new(DemoState::default());
    Router::new()
        .route("/demo-api/stations", get(stations))
        .route("/demo-api/fare", get(fare))
        .route("/demo-api/nonce", post(nonce))
        .route("/demo-api/bookings", post(book))
        .route("/demo-api/bookings/{id}", get(booking))
        .with_state((app, demo))
}

type Shared = (Arc<AppState>, Arc<DemoState>);

fn ok(status: StatusCode, v: Value) -> Response {
    json_response(status, v.to_string())
}

async fn stations() -> Response {
    let list: Vec<Value> = STATIONS
        .iter()
        .map(|s| json!({ "id": s.id, "name": { "ja": s.ja, "en": s.en }, "km": f64::from(s.km10) / 10.0 }))
        .collect();
    ok(StatusCode::OK, json!({ "stations": list }))
}

/// [`Ticket`] as its wire name (`regular`, `commuter`, …) in serde.
mod ticket_name {
    use mirairo_id_sdk::Ticket;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(ticket: &Ticket, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(ticket.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Ticket, D::Error> {
        let name = String::deserialize(d)?;
        Ticket::from_wire(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown ticket `{name}`")))
    }
}

/// A trip as the page sends it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TripRequest {
    /// Departure station id.
    pub from: String,
    /// Arrival station id.
    pub to: String,
    /// Ticket kind (the wire name of [`Ticket`]).
    #[serde(with = "ticket_name")]
    pub ticket: Ticket,
    /// Travel date `YYYY-MM-DD`; today in Japan when absent.
    #[serde(default)]
    pub date: Option<String>,
    /// Whether a companion (介護者) travels along.
    #[serde(default)]
    pub with_companion: bool,
}

/// A priced trip: the distance and the full fare from the railway's own tariff.
#[derive(Debug, Clone, PartialEq)]
pub struct Priced {
    /// One-way 営業キロ.
    pub km: f64,
    /// The full adult fare.
    pub fare: u32,
    /// The travel date.
    pub date: Date,
}

/// Prices a trip; the fare is never taken from the browser.
///
/// # Errors
/// 400 `invalid_request` for an unknown station, the same station twice or a bad date.
pub fn price(trip: &TripRequest, now: i64) -> Result<Priced, ApiError> {
    let from = station(&trip.from)
        .ok_or_else(|| ApiError::invalid_request(format!("unknown station '{}'", trip.from)))?;
    let to = station(&trip.to)
        .ok_or_else(|| ApiError::invalid_request(format!("unknown station '{}'", trip.to)))?;
    if from.id == to.id {
        return Err(ApiError::invalid_request(
            "from and to are the same station",
        ));
    }
    let km10 = from.km10.abs_diff(to.km10);
    let today = format_day(today_jst(now));
    let date_text = trip.date.clone().filter(|d| !d.is_empty()).unwrap_or(today);
    let date = Date::parse(&date_text)
        .ok_or_else(|| ApiError::invalid_request("date must be YYYY-MM-DD"))?;
    Ok(Priced {
        km: f64::from(km10) / 10.0,
        fare: tariff(trip.ticket, km10),
        date,
    })
}

#[derive(Deserialize)]
struct FareQuery {
    from: String,
    to: String,
    ticket: String,
}

async fn fare(State((app, _)): State<Shared>, Query(q): Query<FareQuery>) -> Response {
    let result = Ticket::from_wire(&q.ticket)
        .ok_or_else(|| ApiError::invalid_request(format!("unknown ticket '{}'", q.ticket)))
        .and_then(|ticket| {
            let trip = TripRequest {
                from: q.from,
                to: q.to,
                ticket,
                date: None,
                with_companion: false,
            };
            price(&trip, app.clock.now()).map(|p| (ticket, p))
        });
    match result {
        Ok((ticket, p)) => ok(
            StatusCode::OK,
            json!({ "fare": p.fare, "oneWayKm": p.km, "ticket": ticket.as_str() }),
        ),
        Err(e) => e.into_response(),
    }
}

async fn nonce(State((app, demo)): State<Shared>) -> Response {
    let now = app.clock.now();
    let nonce = demo.issue_nonce(now);
    ok(
        StatusCode::OK,
        json!({ "nonce": nonce, "audience": audience(&app), "expires_in": NONCE_TTL }),
    )
}

/// A refusal carrying a PROTOCOL.md §4 code.
fn refused(code: &'static str, description: &str) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, code, description)
}

/// The nonce the holder put in the KB-JWT, read without trusting it: it only selects
/// which issued nonce the verifier then demands.
fn claimed_nonce(presentation: &str) -> Option<String> {
    let sd = SdJwt::parse(presentation).ok()?;
    let claims = sd.key_binding()?.payload_object().ok()?;
    claims.get("nonce")?.as_str().map(str::to_owned)
}

/// Verifies `presentation` as the partner's server must: the provider's keys, key
/// binding to this audience and a nonce this server issued and has not seen back
/// (consumed here, even when verification then fails), the claims the fare needs,
/// and the provider's current status list.
///
/// # Errors
/// The PROTOCOL.md §4 code of the first failing check, as a 403.
pub fn verify_presentation(
    app: &AppState,
    demo: &DemoState,
    presentation: &str,
) -> Result<VerifiedCertificate, ApiError> {
    let now = app.clock.now();
    // An unknown, expired or replayed nonce is replaced by a fresh random one that no
    // KB-JWT can carry, so the verifier reports the failure in §4 order
    // (`bad_key_binding` once everything before it passed).
    let expected_nonce = claimed_nonce(presentation)
        .filter(|n| demo.consume_nonce(n, now))
        .unwrap_or_else(|| random_token(24));
    let (jwks, status_list) = {
        let conn = app.db.lock();
        let jwks = crate::keys::jwks(&conn)?;
        let list = crate::status::list_jwt(app, &conn)?;
        (jwks, list)
    };
    let verifier = Verifier::new(VerifierConfig::new(app.issuer.clone(), to_sdk(&jwks)))
        .map_err(|e| ApiError::internal(format!("demo verifier: {e}")))?;
    let options = VerifyOptions {
        audience: Some(audience(app)),
        nonce: Some(expected_nonce),
        require_key_binding: true,
        required_claims: REQUIRED_CLAIMS.iter().map(|c| (*c).to_owned()).collect(),
        status_list: Some(status_list),
        require_status: true,
        ..VerifyOptions::at(now)
    };
    verifier
        .verify(presentation, &options)
        .map_err(|e| refused(e.code().as_str(), e.detail()))
}

#[derive(Deserialize)]
struct BookingRequest {
    presentation: String,
    trip: TripRequest,
}

fn booking_record(
    id: &str,
    now: i64,
    trip: &TripRequest,
    priced: &Priced,
    certificate: &VerifiedCertificate,
    fare: &FareResult,
) -> Value {
    json!({
        "id": id,
        "createdAt": now,
        "trip": {
            "from": trip.from, "to": trip.to, "ticket": trip.ticket.as_str(),
            "date": priced.date.to_string(),
            "withCompanion": trip.with_companion, "oneWayKm": priced.km, "fullFare": priced.fare,
        },
        "verified": from_sdk(&certificate.to_json()),
        "fare": from_sdk(&fare.to_json()),
    })
}

async fn book(State((app, demo)): State<Shared>, body: Bytes) -> Response {
    let result = (|| {
        let req: BookingRequest = serde_json::from_slice(&body).map_err(|e| {
            ApiError::invalid_request(format!("expected {{presentation, trip}}: {e}"))
        })?;
        let now = app.clock.now();
        let priced = price(&req.trip, now)?;
        let certificate = verify_presentation(&app, &demo, &req.presentation)?;
        let trip = Trip {
            one_way_km: Some(priced.km),
            with_companion: req.trip.with_companion,
            travel_date: Some(priced.date),
            ..Trip::new(priced.fare, req.trip.ticket)
        };
        let today = Date::parse(&format_day(today_jst(now)))
            .ok_or_else(|| ApiError::internal("today's date does not parse"))?;
        let fare = fare_discount(
            &FareHolder::from(&certificate),
            &trip,
            &FareRates::default(),
            today,
        )
        .map_err(|e| ApiError::invalid_request(e.to_string()))?;
        let id = format!("bk_{}", random_token(9));
        let record = booking_record(&id, now, &req.trip, &priced, &certificate, &fare);
        let mut bookings = lock(&demo.bookings);
        if bookings.len() >= MAX_BOOKINGS {
            bookings.remove(0);
        }
        bookings.push(record.clone());
        Ok::<Value, ApiError>(record)
    })();
    match result {
        Ok(record) => ok(StatusCode::CREATED, record),
        Err(e) => e.into_response(),
    }
}

async fn booking(State((_, demo)): State<Shared>, Path(id): Path<String>) -> Response {
    let found = lock(&demo.bookings)
        .iter()
        .find(|b| b.get("id").and_then(Value::as_str) == Some(id.as_str()))
        .cloned();
    match found {
        Some(b) => ok(StatusCode::OK, b),
        None => ApiError::not_found(format!("no booking '{id}'")).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tariff_table() {
        // (ticket, tenths of a km, fare)
        let rows = [
            (Ticket::Regular, 124, 340),
            (Ticket::Regular, 1215, 2_090),
            (Ticket::Coupon, 387, 760),
            (Ticket::Commuter, 124, 8_160),
            (Ticket::OrdinaryExpress, 500, 560),
            (Ticket::OrdinaryExpress, 501, 760),
            (Ticket::LimitedExpress, 1873, 2_390),
            (Ticket::Green, 762, 1_300),
        ];
        for (ticket, km10, fare) in rows {
            assert_eq!(tariff(ticket, km10), fare, "{ticket:?} {km10}");
        }
    }

    #[test]
    fn a_nonce_is_accepted_once_and_only_while_fresh() {
        let demo = DemoState::default();
        let n = demo.issue_nonce(1_000);
        assert!(!demo.consume_nonce("never-issued", 1_000));
        assert!(demo.consume_nonce(&n, 1_000 + NONCE_TTL - 1));
        assert!(!demo.consume_nonce(&n, 1_000), "replayed");
        let late = demo.issue_nonce(1_000);
        assert!(!demo.consume_nonce(&late, 1_000 + NONCE_TTL), "expired");
    }

    #[test]
    fn pending_nonces_are_bounded() {
        let demo = DemoState::default();
        for i in 0..(MAX_PENDING_NONCES + 5) {
            let n = demo.issue_nonce(10_000);
            assert!(!n.is_empty(), "nonce {i}");
        }
        assert_eq!(lock(&demo.nonces).len(), MAX_PENDING_NONCES);
    }
}
