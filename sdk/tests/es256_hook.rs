//! The ES256 hook (`jose::set_es256_verifier`), in its own test process (it is set
//! once). Without the `es256` feature the core calls it for every synchronous check,
//! given the SHA-256 it computed, with the same verdicts as p256 (here the hook is p256's
//! prehash verify, as the browser's ES256 module is). With the feature the core never
//! calls it: a hook that says "valid" to everything changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{issuer_key, jwks, sdk, status_list_jwt, verifier, Case, ISSUER, NOW, STATUS_URI};
use mirairo_id_sdk::jose::{es256_available, set_es256_verifier, JwkSet};
use mirairo_id_sdk::status::verify_status_list_jwt;
use mirairo_id_sdk::{ErrorCode, IdTokenError, IdTokenOptions};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};

static CALLS: AtomicUsize = AtomicUsize::new(0);

#[cfg(not(feature = "es256"))]
fn hook(x: &[u8; 32], y: &[u8; 32], digest: &[u8; 32], signature: &[u8; 64]) -> bool {
    use p256::ecdsa::signature::hazmat::PrehashVerifier;
    CALLS.fetch_add(1, Ordering::SeqCst);
    let point = p256::EncodedPoint::from_affine_coordinates(x.into(), y.into(), false);
    let (Ok(key), Ok(sig)) = (
        p256::ecdsa::VerifyingKey::from_encoded_point(&point),
        p256::ecdsa::Signature::from_slice(signature),
    ) else {
        return false;
    };
    key.verify_prehash(digest, &sig).is_ok()
}

/// Says yes to anything: the `es256` build must not ask it.
#[cfg(feature = "es256")]
fn hook(_: &[u8; 32], _: &[u8; 32], _: &[u8; 32], _: &[u8; 64]) -> bool {
    CALLS.fetch_add(1, Ordering::SeqCst);
    true
}

fn never(_: &[u8; 32], _: &[u8; 32], _: &[u8; 32], _: &[u8; 64]) -> bool {
    panic!("a second verifier must not replace the first")
}

fn flip(mut s: Vec<u8>) -> Vec<u8> {
    if let Some(b) = s.get_mut(7) {
        *b ^= 1;
    }
    s
}

fn id_token(tweak: &dyn Fn(Vec<u8>) -> Vec<u8>) -> String {
    common::raw_jws(
        &json!({"alg": "ES256", "typ": "JWT", "kid": "k1"}),
        &json!({"iss": ISSUER, "sub": "s-1", "aud": "demo-railway", "iat": NOW, "exp": NOW + 600}),
        &common::Signer::Es256(issuer_key()),
        tweak,
    )
}

#[test]
fn every_synchronous_check_goes_through_the_hook_only_without_es256() {
    assert!(set_es256_verifier(hook));
    assert!(!set_es256_verifier(never), "set once: the first stays");
    assert!(es256_available());
    let verifier = verifier();

    // Credentials, one rule at a time with its negative case.
    let valid = Case::valid();
    let mut bad_issuer_sig = Case::valid();
    bad_issuer_sig.sig_tweak = flip;
    let mut bad_kb_sig = Case::valid();
    bad_kb_sig.kb_mut().signer = common::Signer::Es256(common::other_key());
    let table: [(&str, &Case, Option<ErrorCode>); 3] = [
        ("valid", &valid, None),
        (
            "issuer signature changed",
            &bad_issuer_sig,
            Some(ErrorCode::BadSignature),
        ),
        (
            "KB-JWT by another key",
            &bad_kb_sig,
            Some(ErrorCode::BadKeyBinding),
        ),
    ];
    for (name, case, expected) in table {
        let got = verifier
            .verify(&case.presentation(), &case.options)
            .err()
            .map(|e| e.code());
        assert_eq!(got, expected, "{name}");
    }

    // ID tokens.
    let options = IdTokenOptions {
        audience: "demo-railway".into(),
        nonce: None,
        now: NOW,
    };
    assert_eq!(
        verifier
            .verify_id_token(&id_token(&|s| s), &options)
            .unwrap()
            .sub,
        "s-1"
    );
    assert_eq!(
        verifier
            .verify_id_token(&id_token(&flip), &options)
            .unwrap_err(),
        IdTokenError::BadSignature
    );

    // Status list JWTs.
    let set = JwkSet::from_json(&sdk(&jwks())).unwrap();
    let good = status_list_jwt(&[], &issuer_key(), "k1", NOW);
    assert!(verify_status_list_jwt(&good, &set, STATUS_URI, NOW, 60).is_ok());
    let other = status_list_jwt(&[], &common::other_key(), "k1", NOW);
    assert!(verify_status_list_jwt(&other, &set, STATUS_URI, NOW, 60).is_err());

    let calls = CALLS.load(Ordering::SeqCst);
    if cfg!(feature = "es256") {
        assert_eq!(calls, 0, "the es256 build verifies with p256 only");
    } else {
        assert!(calls >= 8, "every check went through the hook ({calls})");
    }
}
