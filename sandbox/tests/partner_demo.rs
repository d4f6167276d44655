//! The demo partner backend (`/demo-api/`): a booking is granted only for a
//! presentation that the partner's server re-verifies with the native SDK (key
//! binding, its own audience, an unexpired nonce it issued and no accepted
//! presentation has used, the provider's current status list), and every refusal
//! carries the PROTOCOL.md §4 code.

// Helpers in this test crate fail loudly by design.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{BoundCredential, Sandbox};
use serde_json::{json, Value};

/// hanako's certificate 0: 身体 2級 第1種, 介護あり, no expiry printed (`valid_until`
/// null), status index 412.
const HANAKO_PHYSICAL_STATUS_IDX: u64 = 412;

/// hanako's key with a credential bound to it.
type Holder = BoundCredential;

async fn challenge(sb: &Sandbox) -> (String, String) {
    let (status, body) = sb.post_json("/demo-api/nonce", json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["expires_in"], 300);
    (
        body["nonce"].as_str().unwrap().to_owned(),
        body["audience"].as_str().unwrap().to_owned(),
    )
}

fn trip() -> Value {
    json!({ "from": "mirai-chuo", "to": "minatomachi", "ticket": "regular",
            "date": "2030-04-01", "withCompanion": true })
}

/// `nonce` with its `index`th `.`-separated part changed by `f` (the nonce is opaque to
/// the page; only these tests take it apart).
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
    let other = if part.starts_with('A') { 'B' } else { 'A' };
    format!("{other}{}", &part[1..])
}

async fn book(sb: &Sandbox, presentation: &str) -> (u16, Value) {
    sb.post_json(
        "/demo-api/bookings",
        json!({ "presentation": presentation, "trip": trip() }),
    )
    .await
}

#[tokio::test]
async fn a_verified_presentation_books_the_discounted_fare_and_records_only_what_was_disclosed() {
    let sb = Sandbox::start().await;
    let holder = Holder::issue(&sb, 0, &["fare_class", "caregiver", "valid_until"]).await;
    let (nonce, aud) = challenge(&sb).await;
    assert_eq!(aud, sb.url("/demo/"));

    let (status, record) = book(&sb, &holder.present(&aud, &nonce, sb.now())).await;
    assert_eq!(status, 201, "{record}");
    assert!(record["id"].as_str().unwrap().starts_with("bk_"));
    let verified = &record["verified"];
    assert_eq!(verified["keyBound"], true);
    assert_eq!(verified["issuer"], sb.base.as_str());
    assert_eq!(
        verified["disclosed"],
        json!(["fare_class", "caregiver", "valid_until"])
    );
    assert_eq!(verified["fareClass"], 1);
    assert_eq!(verified["caregiver"], true);
    assert_eq!(verified["validUntil"], Value::Null, "disclosed as null");
    for undisclosed in ["certificateType", "grade", "familyName", "birthdate"] {
        assert!(verified.get(undisclosed).is_none(), "{undisclosed} leaked");
    }
    // 港町 is 38.7 km from みらい中央: the full fare 760 yen, 第1種 with a companion 50 % each.
    assert_eq!(record["trip"]["fullFare"], 760);
    assert_eq!(record["trip"]["oneWayKm"], 38.7);
    assert_eq!(record["fare"]["rule"], "class1_with_companion");
    assert_eq!(record["fare"]["holderFare"], 380);
    assert_eq!(record["fare"]["companionFare"], 380);
    assert!(record["fare"]["explanation"]["ja"]
        .as_str()
        .unwrap()
        .contains("380"));

    let id = record["id"].as_str().unwrap();
    let (status, again) = sb.get_json(&format!("/demo-api/bookings/{id}")).await;
    assert_eq!((status, &again), (200, &record));
    sb.stop().await;
}

/// Each row: how the presentation goes wrong, and the code the server answers.
#[tokio::test]
async fn refusals_carry_the_protocol_code() {
    let sb = Sandbox::start().await;
    let holder = Holder::issue(&sb, 0, &["fare_class", "caregiver", "valid_until"]).await;
    let now = sb.now();

    // Each row gets a fresh nonce, so only its own fault can fail it.
    type Make = fn(&Holder, &str, &str, i64) -> String;
    let rows: Vec<(&str, Make, &str)> = vec![
        (
            "a nonce the server never issued",
            |h, aud, _, now| h.present(aud, "made-up-nonce-0123456789", now),
            "bad_key_binding",
        ),
        (
            "an issued nonce with its expiry moved",
            |h, aud, n, now| {
                let later = |e: &str| (e.parse::<i64>().unwrap() + 3_600).to_string();
                h.present(aud, &with_part(n, 0, later), now)
            },
            "bad_key_binding",
        ),
        (
            "an issued nonce with another random part",
            |h, aud, n, now| h.present(aud, &with_part(n, 1, first_char_changed), now),
            "bad_key_binding",
        ),
        (
            "an issued nonce with another HMAC",
            |h, aud, n, now| h.present(aud, &with_part(n, 2, first_char_changed), now),
            "bad_key_binding",
        ),
        (
            "another partner's audience",
            |h, _, n, now| h.present("https://other.example/", n, now),
            "bad_key_binding",
        ),
        (
            "no key-binding JWT at all",
            |h, _, _, _| h.credential.clone(),
            "key_binding_required",
        ),
        (
            "a tampered issuer JWT",
            |h, aud, n, now| h.present(aud, n, now).replacen('.', ".x", 1),
            "malformed",
        ),
    ];
    for (what, make, code) in rows {
        let (nonce, aud) = challenge(&sb).await;
        let (status, body) = book(&sb, &make(&holder, &aud, &nonce, now)).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (403, Some(code)),
            "{what}: {body}"
        );
    }

    // A claim the fare needs was not disclosed: fare_class (the discount cannot be
    // decided) or valid_until (an expired certificate could hide its date).
    for (what, claims) in [
        (
            "fare_class not disclosed",
            &["certificate_type", "valid_until"][..],
        ),
        (
            "valid_until not disclosed",
            &["fare_class", "caregiver"][..],
        ),
    ] {
        let shy = Holder::issue(&sb, 0, claims).await;
        let (nonce, aud) = challenge(&sb).await;
        let (status, body) = book(&sb, &shy.present(&aud, &nonce, now)).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (403, Some("missing_claim")),
            "{what}: {body}"
        );
    }
    sb.stop().await;
}

#[tokio::test]
async fn a_nonce_is_good_for_one_booking_only() {
    let sb = Sandbox::start().await;
    let holder = Holder::issue(&sb, 0, &["fare_class", "valid_until"]).await;
    let (nonce, aud) = challenge(&sb).await;
    let presentation = holder.present(&aud, &nonce, sb.now());
    assert_eq!(book(&sb, &presentation).await.0, 201);
    let (status, body) = book(&sb, &presentation).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("bad_key_binding")),
        "{body}"
    );
    sb.stop().await;
}

#[tokio::test]
async fn a_refused_presentation_does_not_use_up_its_nonce_an_accepted_one_does() {
    let sb = Sandbox::start().await;
    let holder = Holder::issue(&sb, 0, &["fare_class", "valid_until"]).await;
    let (nonce, aud) = challenge(&sb).await;
    // (what, audience of the KB-JWT, expected status, expected code)
    let rows = [
        (
            "refused: another partner's audience",
            "https://other.example/",
            403,
            Some("bad_key_binding"),
        ),
        ("then accepted: the right audience", aud.as_str(), 201, None),
        (
            "then refused: a new presentation for the same nonce",
            aud.as_str(),
            403,
            Some("bad_key_binding"),
        ),
    ];
    for (what, audience, expected_status, expected_code) in rows {
        // A new KB-JWT each time (a later iat), not a replay of the same bytes.
        sb.handle.clock().advance(1);
        let (status, body) = book(&sb, &holder.present(audience, &nonce, sb.now())).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (expected_status, expected_code),
            "{what}: {body}"
        );
    }
    sb.stop().await;
}

#[tokio::test]
async fn a_nonce_is_usable_for_five_minutes() {
    let sb = Sandbox::start().await;
    let holder = Holder::issue(&sb, 0, &["fare_class", "valid_until"]).await;
    // (seconds between issuing and presenting, expected status, expected code)
    let rows = [(290, 201, None), (300, 403, Some("bad_key_binding"))];
    for (wait, expected_status, expected_code) in rows {
        let (nonce, aud) = challenge(&sb).await;
        sb.handle.clock().advance(wait);
        // The KB-JWT itself is fresh: only the nonce ages.
        let (status, body) = book(&sb, &holder.present(&aud, &nonce, sb.now())).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (expected_status, expected_code),
            "after {wait} s: {body}"
        );
    }
    sb.stop().await;
}

#[tokio::test]
async fn a_credential_revoked_or_suspended_after_the_nonce_is_refused() {
    let sb = Sandbox::start().await;
    for (status_value, code) in [(1, "revoked"), (2, "suspended")] {
        let holder = Holder::issue(&sb, 0, &["fare_class", "valid_until"]).await;
        let (nonce, aud) = challenge(&sb).await;
        let (s, _) = sb
            .post_json(
                "/_sandbox/status",
                json!({ "idx": HANAKO_PHYSICAL_STATUS_IDX, "status": status_value }),
            )
            .await;
        assert_eq!(s, 200);
        let (status, body) = book(&sb, &holder.present(&aud, &nonce, sb.now())).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (403, Some(code)),
            "{body}"
        );
        sb.post_json(
            "/_sandbox/status",
            json!({ "idx": HANAKO_PHYSICAL_STATUS_IDX, "status": 0 }),
        )
        .await;
    }
    sb.stop().await;
}

#[tokio::test]
async fn a_credential_signed_by_a_rotated_key_still_verifies() {
    let sb = Sandbox::start().await;
    let old = Holder::issue(&sb, 0, &["fare_class", "valid_until"]).await;
    assert_eq!(
        sb.post_json("/_sandbox/rotate-keys", json!({})).await.0,
        200
    );
    let (nonce, aud) = challenge(&sb).await;
    let (status, body) = book(&sb, &old.present(&aud, &nonce, sb.now())).await;
    assert_eq!(status, 201, "{body}");
    sb.stop().await;
}

#[tokio::test]
async fn bad_requests_are_json_errors() {
    let sb = Sandbox::start().await;
    let rows: Vec<(&str, Value)> = vec![
        ("not an object", json!("hello")),
        ("no trip", json!({ "presentation": "x" })),
        (
            "unknown station",
            json!({ "presentation": "x", "trip": { "from": "atlantis", "to": "kawabe", "ticket": "regular" } }),
        ),
        (
            "same station twice",
            json!({ "presentation": "x", "trip": { "from": "kawabe", "to": "kawabe", "ticket": "regular" } }),
        ),
        (
            "unknown ticket",
            json!({ "presentation": "x", "trip": { "from": "kawabe", "to": "sakuradai", "ticket": "first_class" } }),
        ),
        (
            "bad date",
            json!({ "presentation": "x", "trip": { "from": "kawabe", "to": "sakuradai", "ticket": "regular", "date": "2030-02-30" } }),
        ),
    ];
    for (what, body) in rows {
        let (status, answer) = sb.post_json("/demo-api/bookings", body).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (400, Some("invalid_request")),
            "{what}: {answer}"
        );
    }
    let (status, answer) = sb.get_json("/demo-api/bookings/bk_nothing").await;
    assert_eq!((status, answer["error"].as_str()), (404, Some("not_found")));
    sb.stop().await;
}

#[tokio::test]
async fn stations_and_fares_come_from_the_railway() {
    let sb = Sandbox::start().await;
    let (status, body) = sb.get_json("/demo-api/stations").await;
    assert_eq!(status, 200);
    let stations = body["stations"].as_array().unwrap();
    assert_eq!(stations.len(), 6);
    assert_eq!(
        stations[0]["name"],
        json!({ "ja": "みらい中央", "en": "Mirai-Chūō" })
    );

    // (from, to, ticket, km, fare)
    let rows = [
        ("mirai-chuo", "minatomachi", "regular", 38.7, 760),
        ("minatomachi", "mirai-chuo", "regular", 38.7, 760),
        ("mirai-chuo", "yamanobe", "regular", 121.5, 2_090),
        ("sakuradai", "hoshigaoka", "limited_express", 174.9, 2_390),
        ("mirai-chuo", "sakuradai", "commuter", 12.4, 8_160),
    ];
    for (from, to, ticket, km, fare) in rows {
        let (status, body) = sb
            .get_json(&format!(
                "/demo-api/fare?from={from}&to={to}&ticket={ticket}"
            ))
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            (body["oneWayKm"].as_f64(), body["fare"].as_u64()),
            (Some(km), Some(fare)),
            "{from}-{to} {ticket}"
        );
    }
    let (status, body) = sb
        .get_json("/demo-api/fare?from=mirai-chuo&to=kawabe&ticket=bogus")
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
    sb.stop().await;
}
