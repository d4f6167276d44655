//! Where a status list is inflated. With the `inflate` feature (native, Node) the core
//! inflates with miniz_oxide; without it (the browser build) the JavaScript layer
//! inflates `UninflatedStatusList::zlib` with `DecompressionStream` and the core checks
//! what it hands back, and a synchronous inflation needs an inflater installed with
//! `status::set_inflater`, else it is a typed error: never a panic, and never a
//! caller's list silently ignored. Run in both feature sets:
//! `cargo test -p mirairo-id-sdk --test status_inflate` and the same with
//! `--no-default-features`.

#![allow(clippy::unwrap_used)]

mod common;

use common::{status_list_jwt, Case, STATUS_IDX, STATUS_URI};
use mirairo_id_sdk::jose::{b64url_encode, JwkSet};
use mirairo_id_sdk::status::{
    self, StatusError, UninflatedStatusList, MAX_STATUS_LIST_BYTES, STATUS_REVOKED,
};
use mirairo_id_sdk::ErrorCode;

/// What a `DecompressionStream` reader hands back: at most one byte over the cap,
/// `None` when the stream errors.
fn inflate_outside(zlib: &[u8], limit: usize) -> Option<Vec<u8>> {
    match miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(zlib, limit + 1) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput => Some(e.output),
        Err(_) => None,
    }
}

fn jwks() -> JwkSet {
    JwkSet::from_json(&common::sdk(&common::jwks())).unwrap()
}

fn verify_code(list: String, require_status: bool) -> Result<(), ErrorCode> {
    let mut case = Case::valid();
    case.options.status_list = Some(list);
    case.options.require_status = require_status;
    common::verifier()
        .verify(&case.presentation(), &case.options)
        .map(|_| ())
        .map_err(|e| e.code())
}

/// A status list JWT whose `lst` is `zlib`, signed by the issuer.
fn list_with_zlib(zlib: &[u8]) -> String {
    let good = status_list_jwt(&[], &common::issuer_key(), "k1", common::NOW);
    let payload = good.split('.').nth(1).unwrap();
    let claims = mirairo_id_sdk::json::parse(
        std::str::from_utf8(&mirairo_id_sdk::jose::b64url_decode(payload).unwrap()).unwrap(),
    )
    .unwrap();
    let mut claims = common::serde(&claims);
    claims["status_list"]["lst"] = b64url_encode(zlib).into();
    let header = serde_json::json!({"typ": "statuslist+jwt", "kid": "k1"});
    common::issuer_key().sign_json(&common::sdk_map(&header), &common::sdk(&claims))
}

#[test]
fn a_list_inflated_outside_the_core_decides_as_one_inflated_inside() {
    let revoked = status_list_jwt(&[(STATUS_IDX, 1)], &common::issuer_key(), "k1", common::NOW);
    let uninflated =
        UninflatedStatusList::parse(&revoked, &jwks(), STATUS_URI, common::NOW, 60).unwrap();
    let outside = inflate_outside(uninflated.zlib(), MAX_STATUS_LIST_BYTES);
    let pending = uninflated.inflated(outside).unwrap();
    let ok = pending.signature_check().verify();
    let list = pending.finish(ok).unwrap();
    assert_eq!(list.list.get(STATUS_IDX as u64), Ok(STATUS_REVOKED));

    // The size rule and the zlib rule, applied by the core to what JS hands back.
    let over = miniz_oxide::deflate::compress_to_vec_zlib(&vec![0; MAX_STATUS_LIST_BYTES + 1], 9);
    for (what, zlib, expected) in [
        ("over the cap", over, StatusError::TooLarge),
        ("not zlib", b"not zlib".to_vec(), StatusError::Malformed),
    ] {
        let jwt = list_with_zlib(&zlib);
        let uninflated =
            UninflatedStatusList::parse(&jwt, &jwks(), STATUS_URI, common::NOW, 60).unwrap();
        let outside = inflate_outside(uninflated.zlib(), MAX_STATUS_LIST_BYTES);
        assert_eq!(uninflated.inflated(outside).err(), Some(expected), "{what}");
    }
}

#[cfg(feature = "inflate")]
#[test]
fn with_the_inflate_feature_the_core_inflates_and_ignores_inflaters() {
    assert!(status::can_inflate());
    assert!(!status::set_inflater(|_, _| None));
    assert!(status::can_inflate());
    let revoked = status_list_jwt(&[(STATUS_IDX, 1)], &common::issuer_key(), "k1", common::NOW);
    assert_eq!(verify_code(revoked, false), Err(ErrorCode::Revoked));
    let over = miniz_oxide::deflate::compress_to_vec_zlib(&vec![0; MAX_STATUS_LIST_BYTES + 1], 9);
    assert_eq!(
        verify_code(list_with_zlib(&over), true),
        Err(ErrorCode::StatusUnavailable)
    );
}

/// One test, in order: the global inflater is set once per process.
#[cfg(not(feature = "inflate"))]
#[test]
fn without_the_inflate_feature_sync_inflation_needs_an_inflater() {
    let revoked = status_list_jwt(&[(STATUS_IDX, 1)], &common::issuer_key(), "k1", common::NOW);
    let over = miniz_oxide::deflate::compress_to_vec_zlib(&vec![0; MAX_STATUS_LIST_BYTES + 1], 9);
    assert!(!status::can_inflate());
    assert_eq!(
        status::StatusList::from_encoded(status::StatusBits::Two, "eJwDAAAAAAE"),
        Err(StatusError::NoInflater)
    );
    // A caller's list that cannot be read is an error, whether or not status is
    // required: ignoring it would accept a revoked credential.
    for required in [false, true] {
        assert_eq!(
            verify_code(revoked.clone(), required),
            Err(ErrorCode::InvalidConfig)
        );
    }
    // Its message says what to do, in both languages (browsers: the ES256 module that
    // `ready()` loads installs the inflater).
    let mut case = Case::valid();
    case.options.status_list = Some(revoked.clone());
    let error = common::verifier()
        .verify(&case.presentation(), &case.options)
        .unwrap_err();
    assert_eq!(error.detail(), status::INFLATER_UNAVAILABLE);
    assert!(status::INFLATER_UNAVAILABLE.contains("await ready()"));
    assert!(status::INFLATER_UNAVAILABLE.contains("を呼んでください"));
    // A credential without a status reference does not need the list read.
    let mut case = Case::valid();
    case.payload.as_object_mut().unwrap().remove("status");
    case.options.status_list = Some(revoked.clone());
    assert!(common::verifier()
        .verify(&case.presentation(), &case.options)
        .is_ok());

    assert!(status::set_inflater(inflate_outside));
    assert!(
        !status::set_inflater(|_, _| None),
        "the first inflater stays"
    );
    assert!(status::can_inflate());
    assert_eq!(verify_code(revoked, false), Err(ErrorCode::Revoked));
    assert_eq!(
        verify_code(list_with_zlib(&over), true),
        Err(ErrorCode::StatusUnavailable)
    );
    assert_eq!(
        verify_code(list_with_zlib(b"not zlib"), true),
        Err(ErrorCode::StatusUnavailable)
    );
}
