//! The bindings under wasm-bindgen-test, in Node and in headless Chromium
//! (`cargo test -p mirairo-id-sdk-wasm --target wasm32-unknown-unknown`): the core checks
//! reached through `VerifierCore` / `PreparedCredential` / `fareDiscount` exactly as
//! `sdk/js/verifier.js` calls them, errors as real `MirairoIdError`s (the class of
//! `sdk/js/error.js` itself), results as plain objects whose undisclosed claims are absent.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../tests/common/mod.rs"]
mod common;

use common::{Case, Kb, Signer, AUDIENCE, ISSUER, NONCE, NOW};
use js_sys::{Array, Reflect, Uint8Array, JSON};
use mirairo_id_sdk::jose::{verify_es256, EcPublicJwk};
use mirairo_id_sdk_wasm::error::set_error_class;
use mirairo_id_sdk_wasm::verifier::{fare_discount, PreparedCredential, VerifierCore};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

// The package's own class, from sdk/js/ (one folder above this crate).
#[wasm_bindgen(module = "/../js/error.js")]
extern "C" {
    /// The package's own error class.
    #[wasm_bindgen(extends = js_sys::Error)]
    type MirairoIdError;
    #[wasm_bindgen(method, getter)]
    fn code(this: &MirairoIdError) -> String;
    #[wasm_bindgen(method, getter)]
    fn reason(this: &MirairoIdError) -> Option<String>;
    #[wasm_bindgen(thread_local_v2, js_name = MirairoIdError)]
    static CLASS: js_sys::Function;
}

fn setup() -> VerifierCore {
    CLASS.with(|class| set_error_class(class.clone()));
    let options = json!({"issuer": ISSUER, "jwks": common::jwks()});
    VerifierCore::new(&options.to_string()).unwrap()
}

/// The `MirairoIdError` code of a thrown value; panics unless it is an instance.
fn code_of(error: JsValue) -> String {
    let error = error
        .dyn_into::<MirairoIdError>()
        .unwrap_or_else(|e| panic!("not a MirairoIdError: {e:?}"));
    assert!(error.is_instance_of::<js_sys::Error>());
    assert_eq!(error.name(), "MirairoIdError");
    error.code()
}

fn options_json(case: &Case) -> String {
    let o = &case.options;
    json!({
        "now": o.now, "audience": o.audience, "nonce": o.nonce,
        "requireKeyBinding": o.require_key_binding, "requiredClaims": o.required_claims,
        "statusList": o.status_list, "requireStatus": o.require_status,
    })
    .to_string()
}

/// The fast path of `verifyOnline`, with the ECDSA checks run here instead of WebCrypto.
fn verify_two_phase(
    core: &VerifierCore,
    credential: &str,
    options: &str,
) -> Result<String, JsValue> {
    let mut prepared: PreparedCredential = core.prepare(credential, options)?;
    let flat: Array = prepared.checks();
    let mut results = Vec::new();
    for i in (0..flat.length()).step_by(4) {
        let jwk = json!({"kty": "EC", "crv": "P-256",
            "x": flat.get(i).as_string().unwrap(), "y": flat.get(i + 1).as_string().unwrap()});
        let key = EcPublicJwk::from_json(&common::sdk(&jwk)).unwrap();
        let data = flat.get(i + 2).unchecked_into::<Uint8Array>().to_vec();
        let signature = flat.get(i + 3).unchecked_into::<Uint8Array>().to_vec();
        results.push(u8::from(verify_es256(&key, &data, &signature)));
    }
    prepared.finish(&results)
}

fn parsed(text: &str) -> JsValue {
    JSON::parse(text).unwrap()
}

fn has(object: &JsValue, key: &str) -> bool {
    Reflect::has(object, &key.into()).unwrap()
}

#[wasm_bindgen_test]
fn a_valid_presentation_becomes_a_plain_object_without_undisclosed_claims() {
    let core = setup();
    let case = Case::valid();
    let text = core
        .verify(&case.presentation(), &options_json(&case))
        .unwrap();
    let cert = parsed(&text);
    assert_eq!(
        Reflect::get(&cert, &"keyBound".into()).unwrap(),
        JsValue::TRUE
    );
    assert_eq!(
        Reflect::get(&cert, &"fareClass".into()).unwrap(),
        JsValue::from(1)
    );
    assert!(has(&cert, "renewedOn"), "disclosed as null: present");
    assert!(Reflect::get(&cert, &"renewedOn".into()).unwrap().is_null());
    for absent in [
        "familyName",
        "birthdate",
        "mynaportal",
        "issuedOn",
        "certificateNumber",
    ] {
        assert!(
            !has(&cert, absent),
            "{absent} must be absent, not undefined"
        );
    }
    let value: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        value["disclosed"],
        json!([
            "certificate_type",
            "grade",
            "fare_class",
            "caregiver",
            "issuer_prefecture",
            "renewed_on",
            "valid_until"
        ])
    );
    assert_eq!(value["issuer"], ISSUER);
    // The two-phase path gives the same object.
    assert_eq!(
        verify_two_phase(&core, &case.presentation(), &options_json(&case)).unwrap(),
        text
    );
}

#[wasm_bindgen_test]
fn every_code_is_a_mirairo_id_error_and_both_paths_agree() {
    let core = setup();
    type Edit = fn(&mut Case);
    let rows: Vec<(&str, Edit)> = vec![
        ("malformed", |c| c.post = |_| "not.a.credential".into()),
        ("unsupported_algorithm", |c| {
            c.header["alg"] = json!("HS256")
        }),
        ("wrong_type", |c| c.header["typ"] = json!("JWT")),
        ("unknown_key", |c| c.header["kid"] = json!("k9")),
        ("bad_signature", |c| {
            c.signer = Signer::Es256(common::other_key())
        }),
        ("wrong_issuer", |c| {
            c.payload["iss"] = json!("http://127.0.0.1:9")
        }),
        ("wrong_credential_type", |c| {
            c.payload["vct"] = json!("urn:other")
        }),
        ("expired", |c| c.payload["exp"] = json!(NOW - 61)),
        ("not_yet_valid", |c| c.payload["iat"] = json!(NOW + 61)),
        ("bad_disclosure", |c| {
            c.disclosure_mut("fare_class", json!("1"))
        }),
        ("key_binding_required", |c| c.kb = None),
        ("bad_key_binding", |c| {
            c.kb_mut().claims["nonce"] = json!("other")
        }),
        ("missing_claim", |c| {
            c.options.required_claims = vec!["birthdate".into()]
        }),
        ("revoked", |c| {
            c.options.status_list = Some(common::status_list_jwt(
                &[(common::STATUS_IDX, 1)],
                &common::issuer_key(),
                "k1",
                NOW,
            ));
        }),
        ("suspended", |c| {
            c.options.status_list = Some(common::status_list_jwt(
                &[(common::STATUS_IDX, 2)],
                &common::issuer_key(),
                "k1",
                NOW,
            ));
        }),
        ("status_unavailable", |c| c.options.require_status = true),
        ("certificate_expired", |c| {
            c.disclosure_mut("valid_until", json!("2000-01-01"))
        }),
    ];
    for (expected, edit) in rows {
        let mut case = Case::valid();
        edit(&mut case);
        let (credential, options) = (case.presentation(), options_json(&case));
        let sync = code_of(core.verify(&credential, &options).unwrap_err());
        let two_phase = code_of(verify_two_phase(&core, &credential, &options).unwrap_err());
        assert_eq!(
            (expected, sync.as_str(), two_phase.as_str()),
            (expected, expected, expected)
        );
    }
}

#[wasm_bindgen_test]
fn finish_counts_missing_or_failed_checks_as_failed_and_runs_once() {
    let core = setup();
    let case = Case::valid();
    let mut prepared = core
        .prepare(&case.presentation(), &options_json(&case))
        .unwrap();
    assert_eq!(
        prepared.checks().length(),
        8,
        "issuer JWT and KB-JWT: 2 checks of 4 items"
    );
    assert_eq!(prepared.status_uri().as_deref(), Some(common::STATUS_URI));
    assert_eq!(
        code_of(prepared.finish(&[1]).unwrap_err()),
        "bad_key_binding"
    );
    assert_eq!(
        code_of(prepared.finish(&[1, 1]).unwrap_err()),
        "malformed",
        "finish() runs once"
    );
    let mut prepared = core
        .prepare(&case.presentation(), &options_json(&case))
        .unwrap();
    assert_eq!(
        code_of(prepared.finish(&[2, 1]).unwrap_err()),
        "bad_signature",
        "only 1 means passed"
    );
}

#[wasm_bindgen_test]
fn configuration_and_options_errors_are_invalid_config() {
    let _ = setup();
    let jwks = common::jwks();
    // The core decides; the JS passes the options through as JSON text.
    for options in [
        json!({"issuer": "ftp://127.0.0.1", "jwks": jwks}),
        json!({"issuer": ISSUER, "jwks": {}}),
        json!({"issuer": ISSUER, "jwks": "not json"}),
        json!({"issuer": ISSUER, "jwks": 42}),
        json!({"issuer": ISSUER, "jwks": {"keys": {}}}),
        json!({"issuer": ISSUER, "jwks": jwks, "leewaySeconds": -1}),
        json!({"issuer": ISSUER, "jwks": jwks, "leewaySeconds": "60"}),
        json!({"issuer": ISSUER, "jwks": jwks, "vct": 7}),
        json!({"issuer": ISSUER, "jwks": jwks, "leeway": 60}),
        json!({"issuer": 8080, "jwks": jwks}),
        json!({"jwks": jwks}),
        json!(null),
    ] {
        let error = VerifierCore::new(&options.to_string()).err().unwrap();
        assert_eq!(code_of(error), "invalid_config", "{options}");
    }
    // A JWK Set as JSON text is accepted too.
    let text = json!({"issuer": ISSUER, "jwks": jwks.to_string()});
    assert!(VerifierCore::new(&text.to_string()).is_ok());
    let core = setup();
    let credential = Case::valid().presentation();
    for options in [
        r#"{"requireKeybinding": true}"#,
        r#"{"now": "soon"}"#,
        "[",
        r#"{"now": 1e300}"#,
    ] {
        assert_eq!(
            code_of(core.verify(&credential, options).unwrap_err()),
            "invalid_config",
            "{options}"
        );
    }
    assert_eq!(
        code_of(core.verify_id_token("a.b.c", "{}").unwrap_err()),
        "invalid_config"
    );
}

#[wasm_bindgen_test]
fn id_token_failures_carry_a_reason() {
    let core = setup();
    let header = json!({"alg": "ES256", "typ": "JWT", "kid": "k1"});
    let claims = json!({"iss": ISSUER, "sub": "s", "aud": "demo-railway", "exp": NOW + 600, "iat": NOW, "nonce": "n"});
    let token = common::raw_jws(
        &header,
        &claims,
        &Signer::Es256(common::issuer_key()),
        &|s| s,
    );
    let ok = core
        .verify_id_token(
            &token,
            &json!({"audience": "demo-railway", "nonce": "n", "now": NOW}).to_string(),
        )
        .unwrap();
    assert_eq!(serde_json::from_str::<Value>(&ok).unwrap(), claims);
    let error = core
        .verify_id_token(
            &token,
            &json!({"audience": "other", "now": NOW}).to_string(),
        )
        .unwrap_err()
        .dyn_into::<MirairoIdError>()
        .unwrap();
    assert_eq!(
        (error.code(), error.reason()),
        ("bad_id_token".into(), Some("wrong_audience".into()))
    );
}

#[wasm_bindgen_test]
fn garbage_never_panics() {
    let core = setup();
    let valid = Case::valid().presentation();
    let jwt = valid.split('~').next().unwrap().to_owned();
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let b64 = mirairo_id_sdk::jose::b64url_encode;
    let inputs = [
        String::new(),
        "~".repeat(10 * 1024 * 1024),
        format!("{jwt}~{}~", b64(&[0xff, 0xfe, 0x80])),
        format!(
            "{jwt}~{}~",
            b64(format!(r#"["salt","grade",{deep}]"#).as_bytes())
        ),
        format!("{}.{}.AA~", b64(deep.as_bytes()), b64(deep.as_bytes())),
        format!("{jwt}~\u{0}~"),
        "\u{FFFF}.\u{10FFFF}.~".into(),
    ];
    let options = json!({"now": NOW}).to_string();
    for input in &inputs {
        let sync = code_of(core.verify(input, &options).unwrap_err());
        assert_eq!(
            sync,
            "malformed",
            "{}",
            input.chars().take(40).collect::<String>()
        );
        assert_eq!(
            code_of(verify_two_phase(&core, input, &options).unwrap_err()),
            sync
        );
    }
    // Every prefix of a valid presentation fails cleanly or verifies.
    for end in (0..valid.len()).step_by(7) {
        if let Some(prefix) = valid.get(..end) {
            if let Err(error) = core.verify(prefix, &options) {
                code_of(error);
            }
        }
    }
}

#[wasm_bindgen_test]
fn fare_discount_reads_the_certificate_object() {
    let _ = setup();
    let result = fare_discount(
        r#"{"fareClass": 1, "validUntil": null}"#,
        r#"{"fare": 1234, "ticket": "regular", "withCompanion": true}"#,
        "",
    )
    .unwrap();
    let value: Value = serde_json::from_str(&result).unwrap();
    assert_eq!(
        (
            &value["holderFare"],
            &value["companionFare"],
            &value["rule"],
            &value["eligible"]
        ),
        (
            &json!(610),
            &json!(610),
            &json!("class1_with_companion"),
            &json!(true)
        )
    );
    let rows = [
        ("{}", r#"{"fare": 100, "ticket": "regular"}"#, "", None),
        (
            r#"{"fareClass": 3}"#,
            r#"{"fare": 100, "ticket": "regular"}"#,
            "",
            Some("malformed"),
        ),
        (
            "[]",
            r#"{"fare": 100, "ticket": "regular"}"#,
            "",
            Some("malformed"),
        ),
        (
            r#"{"fareClass": 1}"#,
            r#"{"fare": -1, "ticket": "regular"}"#,
            "",
            Some("malformed"),
        ),
        (
            r#"{"fareClass": 1}"#,
            r#"{"fare": 100, "ticket": "regular"}"#,
            r#"{"roundingYen": 0}"#,
            Some("invalid_config"),
        ),
        (
            r#"{"fareClass": 1}"#,
            r#"{"fare": 100, "ticket": "regular"}"#,
            r#"{"discountPercent": "50"}"#,
            Some("invalid_config"),
        ),
    ];
    for (cert, trip, rates, expected) in rows {
        let outcome = fare_discount(cert, trip, rates).map_err(code_of);
        match expected {
            None => {
                let v: Value = serde_json::from_str(&outcome.unwrap()).unwrap();
                assert_eq!(v["rule"], "fare_class_not_disclosed");
            }
            Some(code) => assert_eq!(outcome.unwrap_err(), code, "{cert} {trip} {rates}"),
        }
    }
}

#[wasm_bindgen_test]
fn key_binding_kb_without_expectations_is_refused() {
    let core = setup();
    let mut case = Case::valid();
    case.kb = Some(Kb {
        signer: Signer::Es256(common::holder_key()),
        ..case.kb.clone().unwrap()
    });
    let options = json!({"now": NOW}).to_string(); // no audience/nonce expected
    assert_eq!(
        code_of(core.verify(&case.presentation(), &options).unwrap_err()),
        "bad_key_binding"
    );
    let options = json!({"now": NOW, "audience": AUDIENCE, "nonce": NONCE}).to_string();
    assert_eq!(
        serde_json::from_str::<Value>(&core.verify(&case.presentation(), &options).unwrap())
            .unwrap()["keyBound"],
        json!(true)
    );
}

#[wasm_bindgen_test]
fn a_cached_status_list_is_attached_only_when_it_verified() {
    let mut core = setup();
    // The cache uses the real clock: make the case and the list current.
    let now = (js_sys::Date::now() / 1000.0) as i64;
    let mut case = Case::valid();
    case.at(now);
    case.options.require_status = true;
    let revoked =
        common::status_list_jwt(&[(common::STATUS_IDX, 1)], &common::issuer_key(), "k1", now);
    let forged = common::status_list_jwt(&[], &common::other_key(), "k1", now);
    let unknown = common::status_list_jwt(&[], &common::issuer_key(), "k9", now);

    assert!(
        core.status_list_check(common::STATUS_URI, &unknown)
            .is_none(),
        "unknown kid"
    );
    assert_eq!(
        core.status_list_check(common::STATUS_URI, &forged)
            .map(|a| a.length()),
        Some(4)
    );
    for (jwt, valid, cached) in [
        (&forged, None, false),
        (&revoked, Some(false), false),
        (&revoked, None, true),
    ] {
        assert_eq!(
            core.add_status_list(common::STATUS_URI, jwt, valid, JsValue::UNDEFINED),
            cached
        );
        let prepared = core
            .prepare(&case.presentation(), &options_json(&case))
            .unwrap();
        assert_eq!(prepared.status_cached(), cached);
    }
    let expected = "revoked";
    assert_eq!(
        code_of(verify_two_phase(&core, &case.presentation(), &options_json(&case)).unwrap_err()),
        expected
    );
    // A list for another URI is not used.
    assert!(!core.add_status_list(
        "http://127.0.0.1:8080/status/2",
        &revoked,
        None,
        JsValue::UNDEFINED
    ));
    // An empty text drops the cached list.
    assert!(!core.add_status_list(common::STATUS_URI, "", Some(true), JsValue::UNDEFINED));
    assert_eq!(
        code_of(verify_two_phase(&core, &case.presentation(), &options_json(&case)).unwrap_err()),
        "status_unavailable"
    );
    // verifyEs256, the JS fallback, agrees with the checks.
    let mut prepared = core
        .prepare(&case.presentation(), &options_json(&case))
        .unwrap();
    let flat = prepared.checks();
    let check = |i: u32| {
        mirairo_id_sdk_wasm::verifier::verify_es256_js(
            &flat.get(i).as_string().unwrap(),
            &flat.get(i + 1).as_string().unwrap(),
            &flat.get(i + 2).unchecked_into::<Uint8Array>().to_vec(),
            &flat.get(i + 3).unchecked_into::<Uint8Array>().to_vec(),
        )
        .unwrap()
    };
    assert!(check(0) && check(4));
    assert!(!mirairo_id_sdk_wasm::verifier::verify_es256_js("x", "y", b"data", &[0; 64]).unwrap());
    assert_eq!(
        code_of(prepared.finish(&[1, 1]).unwrap_err()),
        "status_unavailable"
    );
}

/// What verifier.js hands `addStatusList` after inflating `statusListZlib` with
/// `DecompressionStream`: the core applies the size cap and the zlib rule to it, one row
/// each beside the valid case; `undefined` lets the core inflate (this build has miniz).
#[wasm_bindgen_test]
fn a_status_list_inflated_in_js_is_checked_by_the_core() {
    use mirairo_id_sdk::status::MAX_STATUS_LIST_BYTES;
    let mut core = setup();
    let now = (js_sys::Date::now() / 1000.0) as i64;
    let mut case = Case::valid();
    case.at(now);
    case.options.require_status = true;
    let revoked =
        common::status_list_jwt(&[(common::STATUS_IDX, 1)], &common::issuer_key(), "k1", now);
    let unknown = common::status_list_jwt(&[], &common::issuer_key(), "k9", now);
    assert_eq!(VerifierCore::status_list_max_bytes(), MAX_STATUS_LIST_BYTES);
    assert!(core
        .status_list_zlib(common::STATUS_URI, &unknown)
        .is_none());
    let zlib = core.status_list_zlib(common::STATUS_URI, &revoked).unwrap();
    let inflated = miniz_oxide::inflate::decompress_to_vec_zlib(&zlib).unwrap();
    let rows: [(&str, JsValue, bool); 5] = [
        (
            "inflated in JS",
            Uint8Array::from(inflated.as_slice()).into(),
            true,
        ),
        (
            "at the cap",
            Uint8Array::new_with_length(MAX_STATUS_LIST_BYTES as u32).into(),
            true,
        ),
        (
            "over the cap",
            Uint8Array::new_with_length(MAX_STATUS_LIST_BYTES as u32 + 1).into(),
            false,
        ),
        ("not zlib (null)", JsValue::NULL, false),
        ("inflated here", JsValue::UNDEFINED, true),
    ];
    for (what, value, cached) in rows {
        assert_eq!(
            core.add_status_list(common::STATUS_URI, &revoked, Some(true), value),
            cached,
            "{what}"
        );
        let prepared = core
            .prepare(&case.presentation(), &options_json(&case))
            .unwrap();
        assert_eq!(prepared.status_cached(), cached, "{what}");
    }
    assert_eq!(
        code_of(verify_two_phase(&core, &case.presentation(), &options_json(&case)).unwrap_err()),
        "revoked"
    );
}
