//! Property tests over parsing and verification (bounded: the default 256 cases per
//! property run in a few seconds). Run longer with e.g.
//! `PROPTEST_CASES=100000 cargo test -p mirairo-id-sdk --release --test fuzz`.
//!
//! Properties: no input panics; no mutation of a valid presentation (byte changes or
//! truncation anywhere in the issuer JWT or a disclosure) is accepted with claims
//! other than the original's.

// Test helpers outside #[test] fns fail loudly by design.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use mirairo_id_sdk::jose::{b64url_decode, Jws};
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
