//! The core's `es256` feature (p256). Without it (the browser's wasm) the core does every
//! check but the ECDSA step, which comes from an installed verifier
//! (`jose::set_es256_verifier`) or from the caller (two-phase). This file installs none:
//! every synchronous path is then a typed `invalid_config`, never a panic and never a
//! verdict. With the feature the same calls verify with p256. Run both:
//! `cargo test -p mirairo-id-sdk --test es256_feature` and the same with
//! `--no-default-features`. (`es256_hook.rs` installs a verifier, in its own process.)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{issuer_key, jwks, sdk, status_list_jwt, verifier, Case, ISSUER, NOW, STATUS_URI};
use mirairo_id_sdk::jose::{es256_available, try_verify_es256, EcPublicJwk, JwkSet};
use mirairo_id_sdk::json::{Map, Value};
use mirairo_id_sdk::status::verify_status_list_jwt;
use mirairo_id_sdk::IdTokenOptions;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use proptest::prelude::*;
use serde_json::json;

fn id_token() -> String {
    common::raw_jws(
        &json!({"alg": "ES256", "typ": "JWT", "kid": "k1"}),
        &json!({"iss": ISSUER, "sub": "s-1", "aud": "demo-railway", "iat": NOW, "exp": NOW + 600}),
        &common::Signer::Es256(issuer_key()),
        &|s| s,
    )
}

fn id_token_options() -> IdTokenOptions {
    IdTokenOptions {
        audience: "demo-railway".into(),
        nonce: None,
        now: NOW,
    }
}

fn jwk_of(x: &[u8], y: &[u8]) -> Value {
    use mirairo_id_sdk::jose::b64url_encode;
    Value::Object(Map::from_pairs([
        ("kty", "EC".into()),
        ("crv", "P-256".into()),
        ("x", b64url_encode(x).into()),
        ("y", b64url_encode(y).into()),
    ]))
}

/// What p256 says of the uncompressed point `x ‖ y`.
fn p256_accepts(x: &[u8; 32], y: &[u8; 32]) -> bool {
    let point = p256::EncodedPoint::from_affine_coordinates(x.into(), y.into(), false);
    p256::ecdsa::VerifyingKey::from_encoded_point(&point).is_ok()
}

fn core_accepts(x: &[u8; 32], y: &[u8; 32]) -> bool {
    EcPublicJwk::from_json(&jwk_of(x, y)).is_ok()
}

/// `(x, y)` of the public key of the secret scalar `seed`, if it is one.
fn point_of(seed: [u8; 32]) -> Option<([u8; 32], [u8; 32])> {
    let key = p256::ecdsa::SigningKey::from_bytes(&seed.into()).ok()?;
    let point = key.verifying_key().as_affine().to_encoded_point(false);
    Some(((*point.x()?).into(), (*point.y()?).into()))
}

const P: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
];

/// p − v (v < p), big-endian: the negated coordinate.
fn p_minus(v: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let d = i16::from(P[i]) - i16::from(v[i]) - borrow;
        borrow = i16::from(d < 0);
        out[i] = (d + 256 * borrow) as u8;
    }
    out
}

#[test]
fn the_point_check_is_p256s_on_edges() {
    let (x, y) = point_of([7; 32]).unwrap();
    let mut y_plus = y;
    y_plus[31] ^= 1;
    let table: [(&str, [u8; 32], [u8; 32], bool); 7] = [
        ("a public key", x, y, true),
        ("its negation (x, p − y)", x, p_minus(&y), true),
        ("y changed in one bit", x, y_plus, false),
        ("x = p (not reduced)", P, y, false),
        ("y = p", x, P, false),
        ("(0, 0)", [0; 32], [0; 32], false),
        ("all ones", [0xff; 32], [0xff; 32], false),
    ];
    for (name, x, y, on_curve) in table {
        assert_eq!(p256_accepts(&x, &y), on_curve, "p256: {name}");
        assert_eq!(core_accepts(&x, &y), on_curve, "core: {name}");
    }
}

proptest! {
    #[test]
    fn the_point_check_is_p256s_on_keys_and_noise(seed in any::<[u8; 32]>(), x in any::<[u8; 32]>(), y in any::<[u8; 32]>()) {
        if let Some((px, py)) = point_of(seed) {
            prop_assert!(core_accepts(&px, &py));
            prop_assert_eq!(core_accepts(&px, &p_minus(&py)), p256_accepts(&px, &p_minus(&py)));
            prop_assert_eq!(core_accepts(&py, &px), p256_accepts(&py, &px));
        }
        prop_assert_eq!(core_accepts(&x, &y), p256_accepts(&x, &y));
    }
}

#[cfg(not(feature = "es256"))]
#[test]
fn without_es256_and_a_verifier_each_synchronous_path_is_invalid_config() {
    use mirairo_id_sdk::oidc::LoginError;
    use mirairo_id_sdk::status::StatusError;
    use mirairo_id_sdk::{ErrorCode, IdTokenError};
    assert!(!es256_available());
    let case = Case::valid();
    let verifier = verifier();

    // Verifier::verify: invalid_config, not bad_signature (no verdict).
    let e = verifier
        .verify(&case.presentation(), &case.options)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidConfig);
    assert!(e.detail().contains("await ready()"), "{}", e.detail());

    // The checks before the signature still run first: a malformed input is malformed.
    let e = verifier
        .verify("not a credential", &case.options)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Malformed);

    // verify_id_token: its own error, whose code is invalid_config.
    let e = verifier
        .verify_id_token(&id_token(), &id_token_options())
        .unwrap_err();
    assert_eq!(e, IdTokenError::Es256Unavailable);
    assert_eq!(e.code(), "invalid_config");
    assert_eq!(LoginError::from(e).code(), "invalid_config");

    // A status list JWT.
    let jwt = status_list_jwt(&[], &issuer_key(), "k1", NOW);
    let set = JwkSet::from_json(&sdk(&jwks())).unwrap();
    assert_eq!(
        verify_status_list_jwt(&jwt, &set, STATUS_URI, NOW, 60).unwrap_err(),
        StatusError::Es256Unavailable
    );

    // One signature.
    let key = issuer_key().public_jwk();
    let sig = issuer_key().sign_raw(b"x");
    assert!(try_verify_es256(&key, b"x", &sig).is_err());
}

#[cfg(not(feature = "es256"))]
#[test]
fn without_es256_the_two_phases_give_every_verdict() {
    // The caller runs the checks (here p256 from the tests; WebCrypto in a browser).
    use mirairo_id_sdk::ErrorCode;
    use p256::ecdsa::signature::Verifier as _;
    let run = |checks: &[mirairo_id_sdk::jose::SignatureCheck]| -> Vec<bool> {
        checks
            .iter()
            .map(|c| {
                let (x, y) = c.key.coordinates().unwrap();
                let point =
                    p256::EncodedPoint::from_affine_coordinates(&x.into(), &y.into(), false);
                let key = p256::ecdsa::VerifyingKey::from_encoded_point(&point).unwrap();
                p256::ecdsa::Signature::from_slice(&c.signature)
                    .is_ok_and(|s| key.verify(c.signing_input.as_bytes(), &s).is_ok())
            })
            .collect()
    };
    let verifier = verifier();
    let case = Case::valid();
    let prepared = verifier
        .prepare(&case.presentation(), &case.options)
        .unwrap();
    let results = run(prepared.signature_checks());
    assert_eq!(results, [true, true]);
    assert!(prepared.finish(&results).is_ok());

    let mut tampered = Case::valid();
    tampered.sig_tweak = |mut s| {
        s[5] ^= 1;
        s
    };
    let prepared = verifier
        .prepare(&tampered.presentation(), &tampered.options)
        .unwrap();
    let results = run(prepared.signature_checks());
    assert_eq!(
        prepared.finish(&results).unwrap_err().code(),
        ErrorCode::BadSignature
    );
}

#[cfg(feature = "es256")]
#[test]
fn with_es256_each_synchronous_path_verifies_with_p256() {
    assert!(es256_available());
    let case = Case::valid();
    let verifier = verifier();
    assert!(verifier.verify(&case.presentation(), &case.options).is_ok());
    assert_eq!(
        verifier
            .verify_id_token(&id_token(), &id_token_options())
            .unwrap()
            .sub,
        "s-1"
    );
    let jwt = status_list_jwt(&[], &issuer_key(), "k1", NOW);
    let set = JwkSet::from_json(&sdk(&jwks())).unwrap();
    assert!(verify_status_list_jwt(&jwt, &set, STATUS_URI, NOW, 60).is_ok());
    let key = issuer_key().public_jwk();
    let sig = issuer_key().sign_raw(b"x");
    assert_eq!(try_verify_es256(&key, b"x", &sig), Ok(true));
    assert_eq!(try_verify_es256(&key, b"y", &sig), Ok(false));
}
