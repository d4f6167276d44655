//! Property tests over parsing and verification (bounded: the default 256 cases per
//! property run in a few seconds). Run longer with e.g.
//! `PROPTEST_CASES=100000 cargo test -p mirairo-id-sdk --release --test fuzz`.
//!
//! Properties: no input panics; no mutation of a valid presentation (byte changes or
//! truncation anywhere in the issuer JWT or a disclosure) is accepted with claims
//! other than the original's; the SDK's JSON module reads and writes what serde_json
//! does (values round-trip, numbers convert to the same doubles as Rust's parser).

// Test helpers outside #[test] fns fail loudly by design.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use mirairo_id_sdk::jose::{b64url_decode, Jws};
use mirairo_id_sdk::json;
use mirairo_id_sdk::sdjwt::SdJwt;
use mirairo_id_sdk::status::{StatusBits, StatusList};
use mirairo_id_sdk::{ErrorCode, IdTokenOptions, VerifiedCertificate, VerifyOptions};
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{Signature, VerifyingKey};
use proptest::prelude::*;
use std::sync::OnceLock;

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~=+/ ";

struct Fixture {
    presentation: String,
    /// Length of the issuer JWT plus disclosures (everything before the KB-JWT).
    signed_len: usize,
    options: VerifyOptions,
    expected: VerifiedCertificate,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let case = Case::valid();
        let presentation = case.presentation();
        let signed_len = presentation.rfind('~').unwrap();
        let expected = verifier().verify(&presentation, &case.options).unwrap();
        Fixture {
            presentation,
            signed_len,
            options: case.options,
            expected,
        }
    })
}

/// The two-phase path with signatures checked independently (raw SEC1 point + p256),
/// as a WebCrypto caller would.
fn two_phase(input: &str, options: &VerifyOptions) -> Result<VerifiedCertificate, ErrorCode> {
    let prepared = verifier().prepare(input, options).map_err(|e| e.code())?;
    let results: Vec<bool> = prepared
        .signature_checks()
        .iter()
        .map(|c| {
            let key =
                VerifyingKey::from_sec1_bytes(&c.key.to_sec1_uncompressed().unwrap()).unwrap();
            Signature::from_slice(&c.signature)
                .is_ok_and(|s| key.verify(c.signing_input.as_bytes(), &s).is_ok())
        })
        .collect();
    prepared.finish(&results).map_err(|e| e.code())
}

/// Must be an error, or exactly the original result; both paths must agree.
fn assert_not_forged(input: &str) -> Result<(), TestCaseError> {
    let f = fixture();
    let direct = verifier().verify(input, &f.options);
    prop_assert_eq!(
        direct.clone().map_err(|e| e.code()),
        two_phase(input, &f.options)
    );
    if let Ok(cert) = direct {
        prop_assert_eq!(
            &cert,
            &f.expected,
            "a mutated presentation verified with other claims"
        );
    }
    Ok(())
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(input in ".{0,600}") {
        let _ = verifier().verify(&input, &Case::valid().options);
        let _ = SdJwt::parse(&input);
        let _ = Jws::parse(&input);
        let _ = b64url_decode(&input);
        let _ = verifier().verify_id_token(&input, &IdTokenOptions { audience: "a".into(), nonce: None, now: NOW });
        let _ = StatusList::from_encoded(StatusBits::Two, &input);
    }

    #[test]
    fn jose_alphabet_never_panics(bytes in proptest::collection::vec(proptest::sample::select(ALPHABET), 0..800)) {
        let input = String::from_utf8(bytes).unwrap();
        let _ = verifier().verify(&input, &Case::valid().options);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let input = String::from_utf8_lossy(&bytes);
        let _ = verifier().verify(&input, &Case::valid().options);
    }

    #[test]
    fn changed_bytes_are_never_accepted_with_other_claims(
        edits in proptest::collection::vec((any::<proptest::sample::Index>(), proptest::sample::select(ALPHABET)), 1..4)
    ) {
        let f = fixture();
        let mut bytes = f.presentation.clone().into_bytes();
        for (at, byte) in edits {
            bytes[at.index(f.signed_len)] = byte;
        }
        let mutated = String::from_utf8(bytes).unwrap();
        if mutated != f.presentation {
            prop_assert!(verifier().verify(&mutated, &f.options).is_err(), "mutation accepted: {}", mutated);
        }
        assert_not_forged(&mutated)?;
    }

    #[test]
    fn truncations_and_splices_are_never_accepted_with_other_claims(
        cut in any::<proptest::sample::Index>(),
        len in 0usize..200,
        insert in proptest::collection::vec(proptest::sample::select(ALPHABET), 0..20)
    ) {
        let f = fixture();
        let start = cut.index(f.signed_len);
        let end = (start + len).min(f.presentation.len());
        let spliced = format!("{}{}{}", &f.presentation[..start], String::from_utf8(insert).unwrap(), &f.presentation[end..]);
        assert_not_forged(&spliced)?;
        assert_not_forged(&f.presentation[..start])?;
    }
}

/// Arbitrary JSON (serde_json's value, so that the SDK's module is checked against
/// another implementation), nested at most 6 deep, no duplicate names by construction.
fn any_json() -> impl Strategy<Value = serde_json::Value> {
    let number = prop_oneof![
        any::<i64>().prop_map(serde_json::Value::from),
        any::<u64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |x| x.is_finite())
            .prop_map(serde_json::Value::from),
    ];
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        number,
        any::<String>().prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(serde_json::Value::Array),
            proptest::collection::btree_map(any::<String>(), inner, 0..8)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A JSON number text: digits, optional fraction and exponent (any size).
fn any_number_text() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        "(0|[1-9][0-9]{0,30})",
        proptest::option::of("[0-9]{1,30}"),
        proptest::option::of((prop_oneof![Just(""), Just("+"), Just("-")], -340i32..330)),
    )
        .prop_map(|(negative, int, frac, exp)| {
            let mut text = String::new();
            if negative {
                text.push('-');
            }
            text.push_str(&int);
            if let Some(frac) = frac {
                text.push('.');
                text.push_str(&frac);
            }
            if let Some((sign, e)) = exp {
                let sign = if e < 0 { "-" } else { sign };
                text.push_str(&format!("e{sign}{}", e.unsigned_abs()));
            }
            text
        })
}

proptest! {
    #[test]
    fn json_round_trips_and_agrees_with_serde_json(v in any_json()) {
        let text = v.to_string();
        let ours = json::parse(&text).unwrap();
        let written = ours.to_string();
        prop_assert_eq!(json::parse(&written).unwrap(), ours);
        // Same compact text, byte for byte: member order, escapes, number text kept.
        prop_assert_eq!(written, text);
    }

    #[test]
    fn json_parsing_never_panics(input in "[\\[\\]{}\",:0-9eE.+\\-a-z \\\\u]{0,200}") {
        let ours = json::parse(&input);
        // Where both parsers accept, they read the same value.
        if let (Ok(ours), Ok(theirs)) = (&ours, serde_json::from_str::<serde_json::Value>(&input)) {
            prop_assert_eq!(serde_json::from_str::<serde_json::Value>(&ours.to_string()).unwrap(), theirs);
        }
    }

    #[test]
    fn numbers_convert_like_rusts_parser(text in any_number_text()) {
        let expected: f64 = text.parse().unwrap();
        match json::parse(&text) {
            Ok(v) => prop_assert_eq!(v.as_f64().map(f64::to_bits), Some(expected.to_bits()), "{}", text),
            // Only numbers beyond the largest double are refused.
            Err(_) => prop_assert!(expected.is_infinite(), "{} refused", text),
        }
    }

    #[test]
    fn doubles_convert_back_exactly(x in any::<f64>().prop_filter("finite", |x| x.is_finite())) {
        for text in [format!("{x}"), format!("{x:e}"), format!("{x:.20e}")] {
            let v = json::parse(&text).unwrap();
            prop_assert_eq!(v.as_f64().map(f64::to_bits), Some(text.parse::<f64>().unwrap().to_bits()), "{}", text);
        }
    }
}

// ---------------------------------------------------------------------------------
// Counter presentation (PROTOCOL.md §7): the form decoder, the wallet's request parser
// and the verifier's response checks never panic; the decoder agrees with the encoder.

mod presentation {
    use super::*;
    use mirairo_id_sdk::form::{Form, FormError};
    use mirairo_id_sdk::openid4vp::{
        PresentationRequest, PresentationRequestOptions, PresentationResponse, WalletRequest,
    };

    /// Characters that matter to forms and URLs.
    const FORM_ALPHABET: &[u8] = b"abcs_=&%+2AF0E3~.-:/?#{}[]\"";

    fn request() -> &'static PresentationRequest {
        static R: OnceLock<PresentationRequest> = OnceLock::new();
        R.get_or_init(|| {
            let options = PresentationRequestOptions {
                response_uri: "https://rail.example/counter/response".into(),
                claims: vec!["fare_class".into(), "valid_until".into()],
                client_name: Some("みらい鉄道".into()),
                expires_in: None,
            };
            PresentationRequest::create(options, NOW - 60).unwrap()
        })
    }

    fn never_panics(input: &str) {
        let _ = Form::parse(input, 1 << 20);
        let _ = WalletRequest::parse(input);
        if let Ok(response) = PresentationResponse::parse(input) {
            let _ = response.presentation();
        }
        let _ = verifier().verify_presentation_response(input, request(), NOW, None);
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(input in ".{0,600}") {
            never_panics(&input);
        }

        #[test]
        fn form_alphabet_never_panics(bytes in proptest::collection::vec(proptest::sample::select(FORM_ALPHABET), 0..400)) {
            never_panics(&String::from_utf8(bytes).unwrap());
        }

        #[test]
        fn forms_round_trip(pairs in proptest::collection::btree_map(".{1,12}", ".{0,40}", 0..6)) {
            let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let text = Form::encode(&refs);
            let form = Form::parse(&text, 1 << 20).unwrap();
            prop_assert_eq!(form.pairs().len(), pairs.len());
            for (k, v) in &pairs {
                prop_assert_eq!(form.get(k), Some(v.as_str()));
            }
            // A repeated parameter is always refused.
            if let Some((k, v)) = refs.first() {
                let doubled = format!("{text}&{}", Form::encode(&[(k, v)]));
                prop_assert_eq!(Form::parse(&doubled, 1 << 20), Err(FormError::Duplicate));
            }
        }

        #[test]
        fn mutated_request_urls_never_panic(
            edits in proptest::collection::vec((any::<proptest::sample::Index>(), proptest::sample::select(FORM_ALPHABET)), 1..6)
        ) {
            let mut bytes = request().url().into_bytes();
            let len = bytes.len();
            for (at, byte) in edits {
                bytes[at.index(len)] = byte;
            }
            let url = String::from_utf8(bytes).unwrap();
            if let Ok(parsed) = WalletRequest::parse(&url) {
                // Whatever still parses still obeys §7.3.
                prop_assert_eq!(
                    parsed.client_id(),
                    format!("redirect_uri:{}", parsed.response_uri())
                );
            }
        }
    }
}
