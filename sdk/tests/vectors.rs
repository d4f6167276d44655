//! Published test vectors, driven as data:
//! - Project Wycheproof ECDSA P-256/SHA-256 (C2SP/wycheproof dac1dd47), P1363 and DER;
//! - RFC 7515 Appendix A.3 (ES256 JWS);
//! - RFC 9901 §5.1 / §5.2 (SD-JWT issuance and presentation with KB-JWT).
//!
//! The files live in `shared/testvectors/` next to the repository (see its README).

// Test helpers outside #[test] fns fail loudly by design.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mirairo_id_sdk::jose::{
    b64url_decode, verify_es256, verify_es256_key, EcPublicJwk, Es256SigningKey, Jws,
};
use mirairo_id_sdk::json as sdk_json;
use mirairo_id_sdk::sdjwt::{sd_hash, SdJwt};
use p256::ecdsa::{Signature, VerifyingKey};
use serde_json::{json, Value};

/// A serde_json test value as the SDK's JSON value.
fn sdk(v: Value) -> sdk_json::Value {
    sdk_json::parse(&v.to_string()).unwrap()
}

/// An SDK JSON value as a serde_json value.
fn serde(v: &sdk_json::Value) -> Value {
    serde_json::from_str(&v.to_string()).unwrap()
}
use std::path::PathBuf;

fn vector_path(relative: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/testvectors")
        .join(relative);
    assert!(
        path.is_file(),
        "test vector file missing: {}",
        path.display()
    );
    path
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(vector_path(relative)).expect("readable test vector")
}

fn hex(text: &str) -> Vec<u8> {
    assert!(text.len() % 2 == 0, "odd hex length");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

struct Outcome {
    total: usize,
    valid: usize,
}

/// Runs every Wycheproof case through `verify`; each must return `result == "valid"`.
fn run_wycheproof(file: &str, verify: impl Fn(&VerifyingKey, &[u8], &[u8]) -> bool) -> Outcome {
    let doc: Value = serde_json::from_str(&read(file)).expect("wycheproof JSON");
    let mut outcome = Outcome { total: 0, valid: 0 };
    let mut failures = Vec::new();
    for group in doc["testGroups"].as_array().expect("testGroups") {
        let point = hex(group["publicKey"]["uncompressed"]
            .as_str()
            .expect("uncompressed key"));
        let key = VerifyingKey::from_sec1_bytes(&point).expect("group key is valid");
        for case in group["tests"].as_array().expect("tests") {
            let expected = match case["result"].as_str() {
                Some("valid") => true,
                Some("invalid") => false,
                other => panic!("unexpected result {other:?}"),
            };
            let got = verify(
                &key,
                &hex(case["msg"].as_str().unwrap()),
                &hex(case["sig"].as_str().unwrap()),
            );
            outcome.total += 1;
            outcome.valid += usize::from(expected);
            if got != expected {
                failures.push(case["tcId"].as_u64().unwrap());
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{file}: wrong answers for tcIds {failures:?}"
    );
    outcome
}

#[test]
fn wycheproof_p1363_through_the_es256_path() {
    let outcome = run_wycheproof(
        "wycheproof/ecdsa_secp256r1_sha256_p1363_test.json",
        |key, msg, sig| {
            // The public path used for JWS: the JWK form of the key.
            let jwk = EcPublicJwk::from_verifying_key(key);
            let via_jwk = verify_es256(&jwk, msg, sig);
            assert_eq!(via_jwk, verify_es256_key(key, msg, sig));
            via_jwk
        },
    );
    assert_eq!((outcome.total, outcome.valid), (262, 173));
}

#[test]
fn wycheproof_der_converted_to_raw() {
    // JWS never carries DER; this checks that a strict DER → r‖s conversion (as a
    // partner bridging from another library would do) plus our verifier agree with
    // every DER case. Non-canonical DER is rejected by `from_der`.
    let outcome = run_wycheproof(
        "wycheproof/ecdsa_secp256r1_sha256_test.json",
        |key, msg, der| match Signature::from_der(der) {
            Ok(sig) => verify_es256_key(key, msg, &sig.to_bytes()),
            Err(_) => false,
        },
    );
    assert_eq!((outcome.total, outcome.valid), (484, 174));
}

// RFC 7515 Appendix A.3: the key and the JWS (payload with CRLF line breaks).
// `d` is the RFC's value (A.3.1). shared/testvectors/README.md prints a different `d`
// ("…cLY86wlEg…") that does not match x/y; this test checks the pairing.
const A3_X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
const A3_Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
const A3_D: &str = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI";
const A3_JWS: &str = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

#[test]
fn rfc7515_a3_es256() {
    let jwk = EcPublicJwk::from_json(&sdk(
        json!({"kty": "EC", "crv": "P-256", "x": A3_X, "y": A3_Y}),
    ))
    .unwrap();
    let jws = Jws::parse(A3_JWS).unwrap();
    assert_eq!(jws.header_str("alg"), Some("ES256"));
    assert_eq!(
        jws.payload(),
        b"{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}"
    );
    assert!(jws.verify_es256(&jwk));

    // One flipped signature bit, or one changed payload byte, fails.
    let mut sig = jws.signature().to_vec();
    sig[10] ^= 1;
    assert!(!verify_es256(&jwk, jws.signing_input().as_bytes(), &sig));
    let mut input = jws.signing_input().as_bytes().to_vec();
    input[30] ^= 1;
    assert!(!verify_es256(&jwk, &input, jws.signature()));

    // The private key yields the same public key, and our signatures verify with it.
    let key = Es256SigningKey::from_bytes(&b64url_decode(A3_D).unwrap()).unwrap();
    assert_eq!(
        (key.public_jwk().x, key.public_jwk().y),
        (A3_X.to_owned(), A3_Y.to_owned())
    );
    let ours = key.sign_jws(&sdk_json::Map::new(), jws.payload());
    assert!(Jws::parse(&ours).unwrap().verify_es256(&jwk));
}

fn rfc9901_issuer() -> EcPublicJwk {
    EcPublicJwk::from_json(&sdk(json!({"kty": "EC", "crv": "P-256",
        "x": "b28d4MwZMjw8-00CG4xfnn9SLMVMM19SlqZpVb_uNtQ",
        "y": "Xv5zWwuoaTgdS6hV43yI6gBwTnjukmFQQnJ_kCxzqk8"})))
    .unwrap()
}

#[test]
fn rfc9901_5_1_issuance() {
    let text = read("rfc9901/rfc9901_5.1_issuance.txt");
    let sd = SdJwt::parse(text.trim()).unwrap();
    assert!(sd.issuer_jwt().verify_es256(&rfc9901_issuer()));
    assert_eq!(sd.disclosures().len(), 10);
    assert!(sd.key_binding().is_none());
    let payload = sd.issuer_jwt().payload_object().unwrap();
    let rebuilt = sd.reconstruct(&payload).unwrap();
    assert_eq!(
        serde(&rebuilt.claims.into()),
        json!({
            "iss": "https://issuer.example.com", "iat": 1683000000, "exp": 1883000000, "sub": "user_42",
            "nationalities": ["US", "DE"],
            "cnf": {"jwk": {"kty": "EC", "crv": "P-256",
                "x": "TCAER19Zvu3OHF4j4W4vfSVoHIP1ILilDls7vCeGemc", "y": "ZxjiWWbZMQGHVWKVQ4hbSIirsVfuecCE6t4jT9F2HZQ"}},
            "given_name": "John", "family_name": "Doe", "email": "johndoe@example.com",
            "phone_number": "+1-202-555-0101", "phone_number_verified": true,
            "address": {"street_address": "123 Main St", "locality": "Anytown", "region": "Anystate", "country": "US"},
            "birthdate": "1940-01-01", "updated_at": 1570000000
        })
    );
    assert_eq!(
        rebuilt.disclosed,
        [
            "given_name",
            "family_name",
            "email",
            "phone_number",
            "phone_number_verified",
            "address",
            "birthdate",
            "updated_at"
        ]
    );
}

#[test]
fn rfc9901_5_2_presentation_with_key_binding() {
    let text = read("rfc9901/rfc9901_5.2_presentation.txt");
    let sd = SdJwt::parse(text.trim()).unwrap();
    assert!(sd.issuer_jwt().verify_es256(&rfc9901_issuer()));
    let payload = sd.issuer_jwt().payload_object().unwrap();
    let rebuilt = sd.reconstruct(&payload).unwrap();
    assert_eq!(rebuilt.disclosed, ["family_name", "address", "given_name"]);
    assert_eq!(serde(&rebuilt.claims["nationalities"]), json!(["US"]));
    assert!(rebuilt.claims.get("email").is_none());

    let holder = EcPublicJwk::from_json(&payload["cnf"]["jwk"]).unwrap();
    let kb = sd.key_binding().expect("KB-JWT");
    assert_eq!(kb.header_str("typ"), Some("kb+jwt"));
    assert!(kb.verify_es256(&holder));
    assert!(!kb.verify_es256(&rfc9901_issuer()));
    let claims = kb.payload_object().unwrap();
    assert_eq!(claims["aud"], "https://verifier.example.org");
    assert_eq!(claims["nonce"], "1234567890");
    assert_eq!(claims["iat"], 1748536865);
    assert_eq!(claims["sd_hash"], sd_hash(sd.presentation_without_kb()));
    assert_eq!(
        claims["sd_hash"],
        "fMV05vuMARs3uG0Dg0BYd_7mQR9EGBkRof0cTZyuqXE"
    );
}
