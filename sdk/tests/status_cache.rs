//! The status list cache rule of PROTOCOL §4 (`StatusListCache`, used by the JS
//! `verifyOnline` through the binding and by Rust servers), the JWK Set refetch rule of
//! §1 (`JwksRefetchPolicy`), and `Prepared::use_verified_status_list`: a status list
//! verified once (and cached) decides `revoked` / `suspended` /
//! `status_unavailable` exactly as the same list passed in the options would.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Case, STATUS_IDX, STATUS_URI};
use mirairo_id_sdk::jose::JwkSet;
use mirairo_id_sdk::oidc::{JwksRefetchPolicy, JWKS_REFETCH_INTERVAL};
use mirairo_id_sdk::status::{verify_status_list_jwt, StatusListCache, STATUS_CACHE_CAPACITY};
use mirairo_id_sdk::{Prepared, VerifyOptions};
use std::sync::Arc;

fn run_checks(prepared: &Prepared) -> Vec<bool> {
    prepared
        .signature_checks()
        .iter()
        .map(|c| c.verify())
        .collect()
}

/// Verifies `case` with the status list `(idx, status)` cached rather than passed.
fn with_cached(case: &Case, status: u8, uri: &str, at: i64) -> (bool, Result<(), String>) {
    let jwt = common::status_list_jwt(&[(STATUS_IDX, status)], &common::issuer_key(), "k1", at);
    let jwks = JwkSet::from_json(&common::sdk(&common::jwks())).unwrap();
    let list = Arc::new(verify_status_list_jwt(&jwt, &jwks, STATUS_URI, at, 60).unwrap());
    let mut prepared = common::verifier()
        .prepare(&case.presentation(), &case.options)
        .unwrap();
    let used = prepared.use_verified_status_list(uri, list);
    let results = run_checks(&prepared);
    let outcome = prepared
        .finish(&results)
        .map(|_| ())
        .map_err(|e| e.code().as_str().to_owned());
    (used, outcome)
}

#[test]
fn a_cached_list_decides_like_a_passed_one() {
    let mut case = Case::valid();
    case.options.require_status = true;
    let now = case.options.now;
    let rows = [
        (0, STATUS_URI, now, true, Ok(())),
        (1, STATUS_URI, now, true, Err("revoked")),
        (2, STATUS_URI, now, true, Err("suspended")),
        // Another list's URI, or a list whose exp has passed: not used.
        (
            1,
            "http://127.0.0.1:8080/status/2",
            now,
            false,
            Err("status_unavailable"),
        ),
        (
            1,
            STATUS_URI,
            now - 3600 - 61,
            false,
            Err("status_unavailable"),
        ),
    ];
    for (status, uri, at, used, expected) in rows {
        let expected = expected.map_err(str::to_owned);
        assert_eq!(
            with_cached(&case, status, uri, at),
            (used, expected),
            "{status} {uri} {at}"
        );
        // The same list passed in the options gives the same result.
        if used {
            let jwt =
                common::status_list_jwt(&[(STATUS_IDX, status)], &common::issuer_key(), "k1", at);
            let options = VerifyOptions {
                status_list: Some(jwt),
                ..case.options.clone()
            };
            let passed = common::verifier().verify(&case.presentation(), &options);
            assert_eq!(
                passed.map(|_| ()).map_err(|e| e.code().as_str().to_owned()),
                with_cached(&case, status, uri, at).1
            );
        }
    }
}

#[test]
fn a_list_in_the_options_takes_precedence_even_when_it_does_not_verify() {
    let mut case = Case::valid();
    case.options.require_status = true;
    // The caller's list is signed by another key: unverifiable, so status_unavailable,
    // even though a valid cached list says "valid".
    let forged = common::status_list_jwt(&[], &common::other_key(), "k1", case.options.now);
    case.options.status_list = Some(forged);
    assert_eq!(
        with_cached(&case, 0, STATUS_URI, case.options.now).1,
        Err("status_unavailable".to_owned())
    );
    // …and revoked in the caller's list wins over valid in the cache.
    case.options.status_list = Some(common::status_list_jwt(
        &[(STATUS_IDX, 1)],
        &common::issuer_key(),
        "k1",
        case.options.now,
    ));
    assert_eq!(
        with_cached(&case, 0, STATUS_URI, case.options.now).1,
        Err("revoked".to_owned())
    );
}

#[test]
fn order_is_kept_revoked_before_certificate_expired() {
    let mut case = Case::valid();
    case.disclosure_mut("valid_until", serde_json::json!("2000-01-01"));
    let now = case.options.now;
    assert_eq!(
        with_cached(&case, 1, STATUS_URI, now).1,
        Err("revoked".to_owned())
    );
    assert_eq!(
        with_cached(&case, 0, STATUS_URI, now).1,
        Err("certificate_expired".to_owned())
    );
}

/// A verified list for `STATUS_URI` issued at `at` (the test issuer's lists live an
/// hour), with `ttl` when given.
fn verified_list(
    status: u8,
    at: i64,
    ttl: Option<u64>,
) -> mirairo_id_sdk::status::VerifiedStatusList {
    let jwt = common::status_list_jwt(&[(STATUS_IDX, status)], &common::issuer_key(), "k1", at);
    let jwks = JwkSet::from_json(&common::sdk(&common::jwks())).unwrap();
    let mut list = verify_status_list_jwt(&jwt, &jwks, STATUS_URI, at, 60).unwrap();
    list.ttl = ttl;
    list
}

#[test]
fn the_cache_keeps_a_list_until_exp_or_ttl() {
    let t = Case::valid().options.now;
    let exp = verified_list(0, t, None).expires_at;
    // (ttl, stored at, asked at, still served?)
    let rows: [(Option<u64>, i64, i64, bool); 8] = [
        (None, t, t, true),
        (None, t, exp - 1, true),
        (None, t, exp, false),
        (Some(300), t, t + 299, true),
        (Some(300), t, t + 300, false),
        (Some(0), t, t, false),
        // A ttl beyond exp does not extend it.
        (Some(u64::MAX), t, exp - 1, true),
        (Some(u64::MAX), t, exp, false),
    ];
    for (ttl, stored, asked, served) in rows {
        let mut cache = StatusListCache::new();
        cache.insert(STATUS_URI, verified_list(0, t, ttl), stored);
        assert_eq!(
            cache.get(STATUS_URI, asked).is_some(),
            served,
            "ttl {ttl:?}, asked {} s after storing",
            asked - stored
        );
        assert!(
            cache
                .get("http://127.0.0.1:8080/status/2", stored)
                .is_none(),
            "other URI"
        );
    }
}

#[test]
fn a_newer_list_replaces_the_old_and_a_failed_one_drops_it() {
    let t = Case::valid().options.now;
    let mut cache = StatusListCache::new();
    cache.insert(STATUS_URI, verified_list(0, t, None), t);
    cache.insert(STATUS_URI, verified_list(1, t, None), t + 10);
    assert_eq!(cache.len(), 1);
    let list = cache.get(STATUS_URI, t + 10).unwrap();
    assert_eq!(
        list.list.get(STATUS_IDX as u64).unwrap(),
        1,
        "the newer list"
    );
    // The refetch failed or did not verify: nothing stale is served.
    cache.remove(STATUS_URI);
    assert!(cache.get(STATUS_URI, t + 10).is_none());
    assert!(cache.is_empty());
}

#[test]
fn the_cache_is_bounded() {
    let t = Case::valid().options.now;
    let mut cache = StatusListCache::new();
    for i in 0..(STATUS_CACHE_CAPACITY + 10) {
        let uri = format!("http://127.0.0.1:8080/status/{i}");
        // Each later list lives longer, so the first ones make room.
        cache.insert(&uri, verified_list(0, t, Some(1000 + i as u64)), t);
    }
    assert_eq!(cache.len(), STATUS_CACHE_CAPACITY);
    assert!(cache.get("http://127.0.0.1:8080/status/0", t).is_none());
    let last = format!("http://127.0.0.1:8080/status/{}", STATUS_CACHE_CAPACITY + 9);
    assert!(cache.get(&last, t).is_some());
}

#[test]
fn a_list_from_the_cache_decides_the_credential() {
    // The same path a Rust server and the JS binding take: get, else verify and insert;
    // then use it for the prepared credential.
    let mut case = Case::valid();
    case.options.require_status = true;
    let t = case.options.now;
    let mut cache = StatusListCache::new();
    for (status, expected) in [(0, Ok(())), (2, Err("suspended"))] {
        cache.insert(STATUS_URI, verified_list(status, t, None), t);
        let mut prepared = common::verifier()
            .prepare(&case.presentation(), &case.options)
            .unwrap();
        let uri = prepared.status_reference().unwrap().uri.clone();
        assert!(prepared.use_verified_status_list(&uri, cache.get(&uri, t).unwrap()));
        let results = run_checks(&prepared);
        let outcome = prepared
            .finish(&results)
            .map(|_| ())
            .map_err(|e| e.code().as_str());
        assert_eq!(outcome, expected);
    }
}

#[test]
fn the_jwks_refetch_rule() {
    // PROTOCOL §1: the first fetch is not counted; then at most one refetch per 60 s.
    let t = 1_764_200_000;
    let mut policy = JwksRefetchPolicy::default();
    assert!(policy.may_refetch(t), "never refetched");
    assert!(policy.may_refetch(i64::MIN), "whatever the clock says");
    policy.record_refetch(t);
    // (seconds after the last refetch, allowed?)
    for (after, allowed) in [
        (0, false),
        (1, false),
        (59, false),
        (60, true),
        (3600, true),
        (-5, false),
    ] {
        assert_eq!(policy.may_refetch(t + after), allowed, "{after} s");
    }
    policy.record_refetch(t + 60);
    assert!(!policy.may_refetch(t + 119));
    assert!(policy.may_refetch(t + 120));
    assert_eq!(JWKS_REFETCH_INTERVAL, 60);
}
