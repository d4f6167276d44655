//! `Prepared::use_verified_status_list`: a status list verified once (and cached by the
//! caller, as the JS `verifyOnline` does) decides `revoked` / `suspended` /
//! `status_unavailable` exactly as the same list passed in the options would.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Case, STATUS_IDX, STATUS_URI};
use mirairo_id_sdk::jose::JwkSet;
use mirairo_id_sdk::status::verify_status_list_jwt;
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
