//! The control endpoints (API.md "Sandbox provider"), persistence across restarts,
//! and the command line's contract (listening line, exit codes, signals).
// Helpers in this test crate fail loudly by design.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use mirairo_id_sandbox::{Config, DbLocation};
use mirairo_id_sdk::jose::JwkSet;
use mirairo_id_sdk::status::verify_status_list_jwt;
use serde_json::{json, Value};

async fn status_at(sb: &Sandbox, idx: u64) -> u8 {
    let jwt = sb.get_text("/status/1").await;
    let list =
        verify_status_list_jwt(&jwt, &sb.jwks().await, &sb.url("/status/1"), sb.now(), 60).unwrap();
    list.list.get(idx).unwrap()
}

#[tokio::test]
async fn status_list_is_signed_and_the_control_flips_it() {
    let sb = Sandbox::start().await;
    let r = sb.http.get(sb.url("/status/1")).send().await.unwrap();
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    let jwt = r.text().await.unwrap();
    let (h, claims) = verify_jws(&sb.jwks().await, &jwt);
    assert_eq!(h["typ"], "statuslist+jwt");
    assert_eq!(claims["sub"], json!(sb.url("/status/1")));
    assert_eq!(claims["status_list"]["bits"], 2);
    assert!(claims["ttl"].as_i64().unwrap() > 0);
    assert!(claims["exp"].as_i64().unwrap() > claims["iat"].as_i64().unwrap());

    // Seeded: hanako's certificate 0 valid, kenta's revoked and suspended.
    let (_, users) = sb.get_json("/_sandbox/users").await;
    let kenta = users["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == "kenta")
        .unwrap();
    let revoked = kenta["certificates"][0]["status_idx"].as_u64().unwrap();
    let suspended = kenta["certificates"][1]["status_idx"].as_u64().unwrap();
    assert_eq!(status_at(&sb, 412).await, 0);
    assert_eq!(status_at(&sb, revoked).await, 1);
    assert_eq!(status_at(&sb, suspended).await, 2);

    for (value, expected) in [(1, 1), (2, 2), (0, 0)] {
        let (status, _) = sb
            .post_json("/_sandbox/status", json!({"idx": 412, "status": value}))
            .await;
        assert_eq!(status, 200);
        assert_eq!(status_at(&sb, 412).await, expected);
    }
    let r = sb.http.get(sb.url("/status/2")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 404);
    sb.stop().await;
}

#[tokio::test]
async fn rotate_keys_signs_with_the_new_key_and_keeps_the_old() {
    let sb = Sandbox::start().await;
    let before = sb.jwks().await;
    assert_eq!(before.len(), 1);
    let old_kid = before.keys()[0].kid.clone().unwrap();
    let (status, v) = sb.post_json("/_sandbox/rotate-keys", json!({})).await;
    assert_eq!(status, 200);
    let new_kid = v["kid"].as_str().unwrap().to_owned();
    let after = sb.jwks().await;
    assert_eq!(after.len(), 2);
    assert!(after.find(&old_kid).is_some() && after.find(&new_kid).is_some());
    let holder = Holder::new();
    let (_, t) = login(&sb, &holder, &[]).await;
    let (h, _) = verify_jws(&after, t.body["id_token"].as_str().unwrap());
    assert_eq!(h["kid"], json!(new_kid));
    let cred = t.body["certificate_credential"].as_str().unwrap();
    let (h, _) = verify_jws(&after, cred.split('~').next().unwrap());
    assert_eq!(h["kid"], json!(new_kid));
    sb.stop().await;
}

#[tokio::test]
async fn reset_restores_seed_data_and_keys() {
    let sb = Sandbox::start().await;
    let (_, users_before) = sb.get_json("/_sandbox/users").await;
    let (_, places_before) = sb.get_json("/api/v1/places?limit=3").await;
    let kid = sb.jwks().await.keys()[0].kid.clone().unwrap();
    let holder = Holder::new();
    let (_, t) = login(&sb, &holder, &[]).await;
    sb.post_json("/_sandbox/rotate-keys", json!({})).await;
    sb.post_json("/_sandbox/status", json!({"idx": 412, "status": 1}))
        .await;
    sb.post_json(
        "/_sandbox/faults",
        json!({"path": "/api/v1/coupons", "status": 500, "count": 5}),
    )
    .await;

    let (status, _) = sb.post_json("/_sandbox/reset", json!({})).await;
    assert_eq!(status, 200);
    let jwks: JwkSet = sb.jwks().await;
    assert_eq!(jwks.len(), 1);
    assert_eq!(
        jwks.keys()[0].kid.as_deref(),
        Some(kid.as_str()),
        "the seed key stays"
    );
    assert_eq!(status_at(&sb, 412).await, 0);
    assert_eq!(sb.get_json("/_sandbox/users").await.1, users_before);
    assert_eq!(sb.get_json("/api/v1/places?limit=3").await.1, places_before);
    assert_eq!(
        sb.get_json("/api/v1/coupons").await.0,
        200,
        "faults cleared"
    );
    // Tokens issued before the reset are gone.
    let r = refresh(&sb, &holder, t.body["refresh_token"].as_str().unwrap()).await;
    assert_eq!((r.status, r.error()), (400, "invalid_grant"));
    sb.stop().await;
}

#[tokio::test]
async fn faults_fail_stall_or_corrupt_the_next_requests() {
    let sb = Sandbox::start().await;
    let (status, _) = sb
        .post_json(
            "/_sandbox/faults",
            json!({"path": "/api/v1/places", "status": 503, "count": 2}),
        )
        .await;
    assert_eq!(status, 200);
    for _ in 0..2 {
        let r = sb
            .http
            .get(sb.url("/api/v1/places?limit=1"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 503);
        assert_eq!(r.headers()["access-control-allow-origin"], "*");
        let v: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
        assert_eq!(v["error"], "temporarily_unavailable");
    }
    assert_eq!(sb.get_json("/api/v1/places?limit=1").await.0, 200);

    // Delay only: stall, then serve normally.
    sb.post_json(
        "/_sandbox/faults",
        json!({"path": "/.well-known/openid-configuration", "delay_ms": 300}),
    )
    .await;
    let start = Instant::now();
    let (status, v) = sb.get_json("/.well-known/openid-configuration").await;
    assert!(start.elapsed() >= Duration::from_millis(290));
    assert_eq!((status, v["issuer"].clone()), (200, json!(sb.base)));

    // Malformed JSON body for widget tests.
    sb.post_json(
        "/_sandbox/faults",
        json!({"path": "/api/v1/coupons", "body": "malformed"}),
    )
    .await;
    let r = sb.http.get(sb.url("/api/v1/coupons")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(serde_json::from_str::<Value>(&r.text().await.unwrap()).is_err());
    assert_eq!(sb.get_json("/api/v1/coupons").await.0, 200);

    // The token endpoint too; count 0 clears.
    sb.post_json(
        "/_sandbox/faults",
        json!({"path": "/token", "status": 500, "count": 3}),
    )
    .await;
    sb.post_json("/_sandbox/faults", json!({"path": "/token", "count": 0}))
        .await;
    let holder = Holder::new();
    let (_, t) = login(&sb, &holder, &[]).await;
    assert_eq!(t.status, 200);
    sb.stop().await;
}

#[tokio::test]
async fn issue_returns_a_bound_credential_with_the_asked_claims() {
    let sb = Sandbox::start().await;
    let holder = Holder::new();
    let (status, v) = sb
        .post_json(
            "/_sandbox/issue",
            json!({"user": "hanako", "certificate": 2, "claims": ["grade", "fare_class"],
                   "holder_jwk": from_sdk(&holder.key.public_jwk().to_json())}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let cred = v["credential"].as_str().unwrap();
    let sd = mirairo_id_sdk::sdjwt::SdJwt::parse(cred).unwrap();
    let payload = sd.issuer_jwt().payload_object().unwrap();
    assert_eq!(payload["cnf"]["jwk"], holder.key.public_jwk().to_json());
    let rec = sd.reconstruct(&payload).unwrap();
    assert_eq!(rec.disclosed, ["grade", "fare_class"]);
    assert_eq!(rec.claims["grade"], "4度");
    assert_eq!(rec.claims["fare_class"], 2);
    let (status, _) = sb
        .post_json("/_sandbox/issue", json!({"user": "hanako", "certificate": 9, "holder_jwk": from_sdk(&holder.key.public_jwk().to_json())}))
        .await;
    assert_eq!(status, 400);
    sb.stop().await;
}

#[tokio::test]
async fn seeded_users_cover_the_documented_cases() {
    let sb = Sandbox::start().await;
    let (_, v) = sb.get_json("/_sandbox/users").await;
    let users = v["users"].as_array().unwrap();
    let by_id = |id: &str| {
        users
            .iter()
            .find(|u| u["id"] == id)
            .unwrap_or_else(|| panic!("{id}"))
    };
    let hanako = by_id("hanako");
    assert_eq!(hanako["name"], "ミライロ ハナコ");
    let certs = hanako["certificates"].as_array().unwrap();
    let summary: Vec<(&str, &str, Value)> = certs
        .iter()
        .map(|c| {
            (
                c["claims"]["certificate_type"].as_str().unwrap(),
                c["claims"]["grade"].as_str().unwrap(),
                c["claims"]["fare_class"].clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("physical", "2", json!(1)),
            ("mental", "2", json!(2)),
            ("intellectual", "4度", json!(2))
        ]
    );
    assert_eq!(certs[0]["claims"]["caregiver"], true);
    assert_eq!(certs[0]["claims"]["issued_on"], "1994-03-01");
    let mynas: Vec<&str> = certs
        .iter()
        .map(|c| c["claims"]["mynaportal"].as_str().unwrap())
        .collect();
    assert_eq!(mynas, ["linked", "unlinked", "pending"]);
    let today = mirairo_id_sandbox::util::format_day(mirairo_id_sandbox::util::today_jst(sb.now()));
    let taro = &by_id("taro")["certificates"][0]["claims"];
    assert!(
        taro["valid_until"].as_str().unwrap() < today.as_str(),
        "expired"
    );
    assert_eq!(
        by_id("misaki")["certificates"][0]["claims"]["fare_class"],
        Value::Null
    );
    let child = by_id("haruto")["birthdate"].as_str().unwrap();
    let age_days = mirairo_id_sandbox::util::today_jst(sb.now())
        - mirairo_id_sandbox::util::parse_day(child).unwrap();
    assert!(age_days < 12 * 365, "under 12");
    assert_eq!(by_id("kenta")["certificates"][0]["status"], 1);
    sb.stop().await;
}

#[tokio::test]
async fn state_survives_a_restart_with_a_file_database() {
    let dir = temp_dir("db");
    let db = dir.join("nested").join("sandbox.sqlite");
    let config = || {
        let mut c = Config::for_tests();
        c.db = DbLocation::File(db.clone());
        c
    };
    let sb = Sandbox::start_with(config()).await;
    sb.post_json("/_sandbox/rotate-keys", json!({})).await;
    sb.post_json("/_sandbox/status", json!({"idx": 600, "status": 2}))
        .await;
    let holder = Holder::new();
    let (_, t) = login(&sb, &holder, &[]).await;
    let kids: Vec<_> = sb
        .jwks()
        .await
        .keys()
        .iter()
        .map(|k| k.kid.clone())
        .collect();
    sb.stop().await;

    let sb = Sandbox::start_with(config()).await;
    let again: Vec<_> = sb
        .jwks()
        .await
        .keys()
        .iter()
        .map(|k| k.kid.clone())
        .collect();
    assert_eq!(kids, again);
    assert_eq!(status_at(&sb, 600).await, 2);
    let r = refresh(&sb, &holder, t.body["refresh_token"].as_str().unwrap()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    sb.stop().await;
    std::fs::remove_dir_all(&dir).ok();
}

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mirairo-id-sandbox"))
}

#[test]
fn command_line_contract() {
    // Non-loopback without the flag: exit 2, one line.
    let out = binary()
        .args(["--addr", "0.0.0.0:0", "--db", ":memory:"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("--allow-non-loopback"));
    // Unknown option: exit 2.
    let out = binary().arg("--frobnicate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));

    // Ephemeral port: the one listening line, then a graceful exit on SIGTERM.
    let mut child = binary()
        .args(["--addr", "127.0.0.1:0", "--db", ":memory:"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("mirairo-id-sandbox listening on ")
        .unwrap_or_else(|| panic!("{line}"));
    let port: u16 = url
        .strip_prefix("http://127.0.0.1:")
        .unwrap()
        .parse()
        .unwrap();
    assert_ne!(port, 0);

    // Port in use: exit 1, one line, no backtrace.
    let out = binary()
        .args(["--addr", &format!("127.0.0.1:{port}"), "--db", ":memory:"])
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("in use") && !err.contains("panicked"), "{err}");

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "graceful exit: {status}");
            break;
        }
        assert!(Instant::now() < deadline, "did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A page on another origin must not drive the unauthenticated control endpoints
/// (a browser's "no-cors" POST still arrives); non-browser clients (no `Origin`) and the
/// sandbox's own pages may.
#[tokio::test]
async fn control_endpoints_refuse_other_origins() {
    let sb = Sandbox::start().await;
    let post = |origin: Option<&str>| {
        let mut r = sb
            .http
            .post(sb.url("/_sandbox/status"))
            .header("content-type", "text/plain")
            .body(r#"{"idx": 412, "status": 1}"#);
        if let Some(o) = origin {
            r = r.header("origin", o);
        }
        r.send()
    };
    for foreign in ["http://evil.example", "http://127.0.0.1", "null"] {
        let r = post(Some(foreign)).await.unwrap();
        assert_eq!(r.status().as_u16(), 403, "{foreign}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"], "access_denied");
        assert_eq!(status_at(&sb, 412).await, 0, "{foreign} changed nothing");
    }
    assert_eq!(post(Some(&sb.base)).await.unwrap().status().as_u16(), 200);
    assert_eq!(status_at(&sb, 412).await, 1);
    assert_eq!(post(None).await.unwrap().status().as_u16(), 200);
    // Reading stays open to every origin.
    let r = sb
        .http
        .get(sb.url("/_sandbox/users"))
        .header("origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    sb.stop().await;
}
