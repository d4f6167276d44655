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
//! | `POST /demo-api/bookings` `{presentation, trip}` | re-verifies the presentation (key binding, audience, a nonce used once, the current status list) and books |
//! | `GET /demo-api/bookings/{id}` | a booking record |
//!
//! A refusal is `{"error": <PROTOCOL.md §4 code>, "error_description"}` with status 403;
//! a request that does not parse is 400 `invalid_request`.
//!
//! Nonces are stateless: `<expiry>.<16 random bytes>.<HMAC-SHA256 of both>` under a
//! secret drawn at start, so handing one out stores nothing, and a flood of
//! `POST /demo-api/nonce` costs no memory and pushes out no one's nonce. Only the nonces
//! of presentations being or already verified are remembered, until they expire: taken
//! before verifying (two concurrent presentations cannot both use one), given back when
//! verification fails (forged presentations leave nothing behind), kept when it passes
//! (a replay is refused).

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use hmac::{Hmac, Mac};
use mirairo_id_sdk::jose::{b64url_decode, b64url_encode};
use mirairo_id_sdk::sdjwt::SdJwt;
use mirairo_id_sdk::{
    fare_discount, Date, FareHolder, FareRates, FareResult, Ticket, Trip, VerifiedCertificate,
    Verifier, VerifierConfig, VerifyOptions,
};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::error::{ApiError, AppError, NoStoreJson};
use crate::form::ApiQuery;
use crate::state::AppState;
use crate::util::{format_day, random_token, to_sdk, today_jst};

/// How long an issued nonce stays usable, in seconds.
pub const NONCE_TTL: i64 = 300;
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

type HmacSha256 = Hmac<Sha256>;

/// What the partner backend keeps between requests (in memory: a demo).
#[derive(Debug)]
pub struct DemoState {
    /// HMAC-SHA256 keyed with this process's random secret: it signs the nonces.
    nonce_key: HmacSha256,
    /// Nonces taken by a presentation being or already verified, and when each
    /// expires (pruned then).
    used: Mutex<HashMap<String, i64>>,
    /// Bookings, oldest first.
    bookings: Mutex<Vec<Value>>,
}

impl Default for DemoState {
    fn default() -> Self {
        Self::new()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

impl DemoState {
    /// A fresh state with its own random nonce secret (a whole HMAC-SHA256 block).
    pub fn new() -> Self {
        let mut secret = hmac::digest::Key::<HmacSha256>::default();
        OsRng.fill_bytes(&mut secret);
        DemoState {
            nonce_key: HmacSha256::new(&secret),
            used: Mutex::new(HashMap::new()),
            bookings: Mutex::new(Vec::new()),
        }
    }

    /// The HMAC of a nonce's `<expiry>.<random>`.
    fn nonce_mac(&self, expires: &str, random: &str) -> HmacSha256 {
        let mut mac = self.nonce_key.clone();
        mac.update(expires.as_bytes());
        mac.update(b".");
        mac.update(random.as_bytes());
        mac
    }

    /// Issues a nonce valid until `now + NONCE_TTL`: `<expiry>.<16 random bytes>.<HMAC>`
    /// (base64url). Nothing is stored.
    pub fn issue_nonce(&self, now: i64) -> String {
        let expires = now.saturating_add(NONCE_TTL).to_string();
        let random = random_token(16);
        let tag = self.nonce_mac(&expires, &random).finalize().into_bytes();
        format!("{expires}.{random}.{}", b64url_encode(&tag))
    }

    /// The expiry of `nonce` if this process issued it (its HMAC checks, compared in
    /// constant time); `None` for anything else.
    fn nonce_expiry(&self, nonce: &str) -> Option<i64> {
        let mut parts = nonce.split('.');
        let (Some(expires), Some(random), Some(tag), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        // Strict base64url: one spelling per tag, so a nonce cannot be reused under
        // another spelling of its HMAC.
        let tag = b64url_decode(tag).ok()?;
        self.nonce_mac(expires, random).verify_slice(&tag).ok()?;
        expires.parse().ok()
    }

    /// Takes `nonce` for one presentation: true when this process issued it, it has
    /// not expired at `now`, and no other presentation has taken it. From then on it
    /// is refused until it expires, unless [`DemoState::release_nonce`] gives it back.
    pub fn take_nonce(&self, nonce: &str, now: i64) -> bool {
        let Some(until) = self.nonce_expiry(nonce).filter(|until| *until > now) else {
            return false;
        };
        let mut used = lock(&self.used);
        used.retain(|_, u| *u > now);
        match used.entry(nonce.to_owned()) {
            Entry::Occupied(_) => false,
            Entry::Vacant(slot) => {
                slot.insert(until);
                true
            }
        }
    }

    /// Gives back a nonce taken by a presentation that was then refused: the refusal
    /// leaves nothing behind, and the nonce stays usable until it expires.
    pub fn release_nonce(&self, nonce: &str) {
        lock(&self.used).remove(nonce);
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

async fn stations() -> NoStoreJson {
    let list: Vec<Value> = STATIONS
        .iter()
        .map(|s| json!({ "id": s.id, "name": { "ja": s.ja, "en": s.en }, "km": f64::from(s.km10) / 10.0 }))
        .collect();
    NoStoreJson(json!({ "stations": list }))
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

async fn fare(
    State((app, _)): State<Shared>,
    ApiQuery(q): ApiQuery<FareQuery>,
) -> Result<NoStoreJson, AppError> {
    let ticket = Ticket::from_wire(&q.ticket)
        .ok_or_else(|| ApiError::invalid_request(format!("unknown ticket '{}'", q.ticket)))?;
    let trip = TripRequest {
        from: q.from,
        to: q.to,
        ticket,
        date: None,
        with_companion: false,
    };
    let p = price(&trip, app.clock.now())?;
    Ok(NoStoreJson(
        json!({ "fare": p.fare, "oneWayKm": p.km, "ticket": ticket.as_str() }),
    ))
}

async fn nonce(State((app, demo)): State<Shared>) -> NoStoreJson {
    let now = app.clock.now();
    let nonce = demo.issue_nonce(now);
    NoStoreJson(json!({ "nonce": nonce, "audience": audience(&app), "expires_in": NONCE_TTL }))
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
/// binding to this audience and an unexpired nonce this server issued and no other
/// presentation has used (taken here; given back when verification fails), the
/// claims the fare needs, and the provider's current status list.
///
/// # Errors
/// The PROTOCOL.md §4 code of the first failing check, as a 403.
pub fn verify_presentation(
    app: &AppState,
    demo: &DemoState,
    presentation: &str,
) -> Result<VerifiedCertificate, ApiError> {
    let now = app.clock.now();
    let taken = claimed_nonce(presentation).filter(|n| demo.take_nonce(n, now));
    // An unknown, expired, replayed or forged nonce is replaced by a fresh random one
    // that no KB-JWT can carry, so the verifier reports the failure in §4 order
    // (`bad_key_binding` once everything before it passed).
    let expected_nonce = taken.clone().unwrap_or_else(|| random_token(24));
    let result = verify_with_nonce(app, presentation, expected_nonce, now);
    if let (Err(_), Some(nonce)) = (&result, &taken) {
        demo.release_nonce(nonce);
    }
    result
}

/// A verifier for the provider's current keys, and its current status list JWT: what
/// a partner's server fetches from `jwks_uri` and the credential's status URI, read
/// from the sandbox's own store because it runs in the same process.
///
/// # Errors
/// 500 when the keys or the list cannot be read.
pub fn provider_verifier(app: &AppState) -> Result<(Verifier, String), ApiError> {
    let (jwks, status_list) = {
        let conn = app.db.lock();
        let jwks = crate::keys::jwks(&conn)?;
        let list = crate::status::list_jwt(app, &conn)?;
        (jwks, list)
    };
    let verifier = Verifier::new(VerifierConfig::new(app.issuer.clone(), to_sdk(&jwks)))
        .map_err(|e| ApiError::internal(format!("demo verifier: {e}")))?;
    Ok((verifier, status_list))
}

/// The checks of [`verify_presentation`], demanding `expected_nonce` in the KB-JWT.
fn verify_with_nonce(
    app: &AppState,
    presentation: &str,
    expected_nonce: String,
    now: i64,
) -> Result<VerifiedCertificate, ApiError> {
    let (verifier, status_list) = provider_verifier(app)?;
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
        // The SDK's `serde` feature: the results serialize as their API.md shapes.
        "verified": certificate,
        "fare": fare,
    })
}

async fn book(
    State((app, demo)): State<Shared>,
    body: Bytes,
) -> Result<(StatusCode, NoStoreJson), AppError> {
    let req: BookingRequest = serde_json::from_slice(&body)
        .map_err(|e| ApiError::invalid_request(format!("expected {{presentation, trip}}: {e}")))?;
    let now = app.clock.now();
    let priced = price(&req.trip, now)?;
    let certificate = verify_presentation(&app, &demo, &req.presentation)?;
    let trip = Trip {
        one_way_km: Some(priced.km),
        with_companion: req.trip.with_companion,
        travel_date: Some(priced.date),
        ..Trip::new(priced.fare, req.trip.ticket)
    };
    let today = Date::today_in_japan(now)
        .ok_or_else(|| ApiError::internal("today's date is out of range"))?;
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
    Ok((StatusCode::CREATED, NoStoreJson(record)))
}

async fn booking(
    State((_, demo)): State<Shared>,
    Path(id): Path<String>,
) -> Result<NoStoreJson, AppError> {
    let found = lock(&demo.bookings)
        .iter()
        .find(|b| b.get("id").and_then(Value::as_str) == Some(id.as_str()))
        .cloned()
        .ok_or_else(|| ApiError::not_found(format!("no booking '{id}'")))?;
    Ok(NoStoreJson(found))
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

    /// `nonce` with its `index`th `.`-separated part changed by `f`.
    fn with_part(nonce: &str, index: usize, f: impl Fn(&str) -> String) -> String {
        let parts: Vec<String> = nonce
            .split('.')
            .enumerate()
            .map(|(i, p)| if i == index { f(p) } else { p.to_owned() })
            .collect();
        parts.join(".")
    }

    /// `part` with its first character swapped for another base64url character.
    fn first_char_changed(part: &str) -> String {
        let rest = &part[1..];
        let other = if part.starts_with('A') { 'B' } else { 'A' };
        format!("{other}{rest}")
    }

    /// `tag` with an unused low bit of its last character set: the same bytes to a
    /// lenient base64 decoder, another spelling of the same nonce to a strict one.
    fn unused_bit_set(tag: &str) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let (head, last) = tag.split_at(tag.len() - 1);
        let i = ALPHABET
            .iter()
            .position(|&c| c == last.as_bytes()[0])
            .unwrap();
        format!("{head}{}", char::from(ALPHABET[i ^ 1]))
    }

    #[test]
    fn which_nonces_a_presentation_can_take() {
        let demo = DemoState::new();
        let elsewhere = DemoState::new();
        let t = 1_000;
        let moved = |n: &str| with_part(n, 0, |e| (e.parse::<i64>().unwrap() + 3_600).to_string());
        // (what, nonce, taken at, taken?)
        let rows: Vec<(&str, String, i64, bool)> = vec![
            ("issued here, fresh", demo.issue_nonce(t), t, true),
            (
                "issued here, its last usable second",
                demo.issue_nonce(t),
                t + NONCE_TTL - 1,
                true,
            ),
            (
                "issued here, expired",
                demo.issue_nonce(t),
                t + NONCE_TTL,
                false,
            ),
            (
                "issued here, expired long ago",
                demo.issue_nonce(t),
                t + 86_400,
                false,
            ),
            ("never issued", "never-issued-0123456789".into(), t, false),
            (
                "shaped like a nonce, never issued",
                format!("{}.{}.{}", t + 60, "A".repeat(22), "A".repeat(43)),
                t,
                false,
            ),
            (
                "issued by another process (another secret)",
                elsewhere.issue_nonce(t),
                t,
                false,
            ),
            (
                "expiry moved (HMAC mismatch), still within the old expiry",
                moved(&demo.issue_nonce(t)),
                t,
                false,
            ),
            (
                "expiry moved (HMAC mismatch), after the old expiry",
                moved(&demo.issue_nonce(t)),
                t + NONCE_TTL,
                false,
            ),
            (
                "another random part",
                with_part(&demo.issue_nonce(t), 1, first_char_changed),
                t,
                false,
            ),
            (
                "another HMAC",
                with_part(&demo.issue_nonce(t), 2, first_char_changed),
                t,
                false,
            ),
            (
                "the HMAC spelled another way (an unused bit set)",
                with_part(&demo.issue_nonce(t), 2, unused_bit_set),
                t,
                false,
            ),
            (
                "the HMAC spelled with padding",
                format!("{}=", demo.issue_nonce(t)),
                t,
                false,
            ),
            (
                "a fourth part",
                format!("{}.x", demo.issue_nonce(t)),
                t,
                false,
            ),
            (
                "the HMAC missing",
                with_part(&demo.issue_nonce(t), 2, |_| String::new()),
                t,
                false,
            ),
            ("empty", String::new(), t, false),
        ];
        for (what, nonce, at, expected) in rows {
            assert_eq!(demo.take_nonce(&nonce, at), expected, "{what}: {nonce}");
        }
    }

    #[test]
    fn a_taken_nonce_is_refused_until_given_back() {
        let demo = DemoState::new();
        let n = demo.issue_nonce(1_000);
        assert!(demo.take_nonce(&n, 1_001), "first presentation");
        assert!(
            !demo.take_nonce(&n, 1_002),
            "replayed, or a concurrent second presentation"
        );
        // Its presentation was refused: the nonce proved nothing and is usable again.
        demo.release_nonce(&n);
        assert!(
            lock(&demo.used).is_empty(),
            "a refused presentation leaves nothing behind"
        );
        assert!(demo.take_nonce(&n, 1_003), "after a refused presentation");
        assert!(
            !demo.take_nonce(&n, 1_004),
            "after an accepted presentation"
        );
    }

    #[test]
    fn used_nonces_are_forgotten_once_expired() {
        let demo = DemoState::new();
        let t = 1_000;
        let first = demo.issue_nonce(t);
        assert!(demo.take_nonce(&first, t));
        let second = demo.issue_nonce(t + 1);
        // Still remembered at its last usable second, pruned once it has expired.
        assert!(demo.take_nonce(&second, t + NONCE_TTL - 1));
        assert_eq!(lock(&demo.used).len(), 2);
        let third = demo.issue_nonce(t + NONCE_TTL);
        assert!(demo.take_nonce(&third, t + NONCE_TTL));
        assert_eq!(lock(&demo.used).len(), 2, "the first one pruned");
        assert!(
            !demo.take_nonce(&first, t + NONCE_TTL),
            "and still refused: expired"
        );
    }

    #[test]
    fn issuing_stores_nothing() {
        let demo = DemoState::new();
        let nonces: Vec<String> = (0..20_000).map(|_| demo.issue_nonce(10_000)).collect();
        let distinct: std::collections::HashSet<&String> = nonces.iter().collect();
        assert_eq!(distinct.len(), nonces.len());
        assert!(lock(&demo.used).is_empty());
        // The first ones issued are still usable: a flood pushes no one's nonce out.
        for n in nonces.iter().take(100) {
            assert!(demo.take_nonce(n, 10_001), "{n}");
        }
    }
}
