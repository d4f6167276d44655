//! Option validation, in the core for every layer (the JS passes what its caller gave
//! through `JSON.stringify`, with NaN and ±Infinity sent as `{"nonFinite": …}` so they
//! cannot become `null`): one row per rule, each refusal with its code and a message
//! naming the member.

#![allow(clippy::unwrap_used)]

use mirairo_id_sdk::options::{
    client_options, fare_discount_json, id_token_options, login_options, presentation_options,
    seconds, verifier_config, verifier_discovery_url, verify_options,
    DEFAULT_POPUP_TIMEOUT_SECONDS, MAX_POPUP_TIMEOUT_SECONDS,
};
use mirairo_id_sdk::{ErrorCode, Verifier, DEFAULT_LEEWAY, DEFAULT_MAX_KEY_BINDING_AGE};
use serde_json::json;

const NOW: i64 = 1_764_200_000;
/// What `argJson` in sdk/js/load.js sends for NaN, Infinity and -Infinity.
const NAN: &str = r#"{"nonFinite":"NaN"}"#;
const INF: &str = r#"{"nonFinite":"Infinity"}"#;
const NEG_INF: &str = r#"{"nonFinite":"-Infinity"}"#;

fn with(member: &str, raw: &str) -> String {
    format!(r#"{{"{member}":{raw}}}"#)
}

#[test]
fn verify_options_defaults_and_values() {
    let o = verify_options("", NOW, false).unwrap();
    assert_eq!(
        (o.now, o.require_status, o.max_key_binding_age),
        (NOW, false, DEFAULT_MAX_KEY_BINDING_AGE)
    );
    assert!(verify_options("", NOW, true).unwrap().require_status);
    assert!(
        !verify_options(r#"{"requireStatus":false}"#, NOW, true)
            .unwrap()
            .require_status
    );
    let o = verify_options(
        r#"{"now":1700000000.9,"audience":"a","nonce":"n","requireKeyBinding":true,
            "maxKeyBindingAgeSeconds":30,"requiredClaims":["fare_class"],"statusList":"x.y.z"}"#,
        NOW,
        false,
    )
    .unwrap();
    assert_eq!(o.now, 1_700_000_000, "fractions dropped");
    assert_eq!(o.max_key_binding_age, 30);
    assert_eq!(o.required_claims, ["fare_class"]);
    assert_eq!(o.status_list.as_deref(), Some("x.y.z"));
}

#[test]
fn each_bad_verify_option_is_invalid_config_naming_it() {
    // (options, the member the message names)
    let rows = [
        (with("now", NAN), "now"),
        (with("now", INF), "now"),
        (with("now", NEG_INF), "now"),
        (with("now", "\"soon\""), "now"),
        (with("now", "1e300"), "now"),
        (
            with("maxKeyBindingAgeSeconds", "-1"),
            "maxKeyBindingAgeSeconds",
        ),
        (
            with("maxKeyBindingAgeSeconds", NAN),
            "maxKeyBindingAgeSeconds",
        ),
        (
            with("maxKeyBindingAgeSeconds", "\"300\""),
            "maxKeyBindingAgeSeconds",
        ),
        (with("requireKeyBinding", "1"), "requireKeyBinding"),
        (with("requireKeybinding", "true"), "requireKeybinding"),
        (with("audience", "42"), "audience"),
        (with("requiredClaims", "\"fare_class\""), "requiredClaims"),
        (with("requiredClaims", "[1]"), "requiredClaims"),
        (with("statusList", "{}"), "statusList"),
        ("[]".to_owned(), "options"),
        ("\"x\"".to_owned(), "options"),
        ("{".to_owned(), "options"),
    ];
    for (text, member) in rows {
        let e = verify_options(&text, NOW, false).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidConfig, "{text}");
        assert!(e.message().contains(member), "{text}: {}", e.message());
    }
}

#[test]
fn id_token_options_need_an_audience() {
    let o = id_token_options(r#"{"audience":"c","nonce":"n"}"#, NOW).unwrap();
    assert_eq!((o.audience.as_str(), o.now), ("c", NOW));
    for text in [
        "",
        "{}",
        &with("audience", "1"),
        &with("now", NAN),
        r#"{"audience":"c","x":1}"#,
    ] {
        let e = id_token_options(text, NOW).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidConfig, "{text}");
    }
}

#[test]
fn verifier_config_rows() {
    let jwks = json!({"keys": []});
    let ok = verifier_config(&json!({"issuer": "http://127.0.0.1:8080", "jwks": jwks}).to_string())
        .unwrap();
    assert_eq!(ok.leeway, DEFAULT_LEEWAY);
    let text = json!({"issuer": "http://127.0.0.1:8080", "jwks": jwks.to_string(), "vct": "v", "leewaySeconds": 5.5});
    let ok = verifier_config(&text.to_string()).unwrap();
    assert_eq!((ok.leeway, ok.vct.as_str()), (5, "v"));
    assert!(Verifier::new(ok).is_ok());
    // (options as JSON text, refused here (true) or by Verifier::new (false))
    let iss = "\"http://127.0.0.1:8080\"";
    let rows = [
        (
            format!(r#"{{"issuer":{iss},"jwks":{{}},"leewaySeconds":-1}}"#),
            true,
        ),
        (
            format!(r#"{{"issuer":{iss},"jwks":{{}},"leewaySeconds":{NAN}}}"#),
            true,
        ),
        (
            format!(r#"{{"issuer":{iss},"jwks":{{}},"leewaySeconds":{INF}}}"#),
            true,
        ),
        (
            format!(r#"{{"issuer":{iss},"jwks":{{}},"leewaySeconds":"60"}}"#),
            true,
        ),
        (format!(r#"{{"issuer":{iss},"jwks":{{}},"vct":7}}"#), true),
        (format!(r#"{{"issuer":{iss},"jwks":"not json"}}"#), true),
        (
            format!(r#"{{"issuer":{iss},"jwks":{{}},"leeway":60}}"#),
            true,
        ),
        (format!(r#"{{"issuer":{iss}}}"#), true),
        (r#"{"issuer":8080,"jwks":{}}"#.to_owned(), true),
        ("".to_owned(), true),
        ("null".to_owned(), true),
        (format!(r#"{{"issuer":{iss},"jwks":{{}}}}"#), false),
        (format!(r#"{{"issuer":{iss},"jwks":42}}"#), false),
        (
            r#"{"issuer":"ftp://x","jwks":{"keys":[]}}"#.to_owned(),
            false,
        ),
        (
            format!(r#"{{"issuer":{iss},"jwks":{{"keys":[]}},"vct":""}}"#),
            false,
        ),
    ];
    for (text, here) in rows {
        match verifier_config(&text) {
            Err(e) => {
                assert!(here, "{text} refused too early");
                assert_eq!(e.code(), ErrorCode::InvalidConfig, "{text}");
            }
            Ok(config) => {
                assert!(!here, "{text} accepted");
                assert_eq!(
                    Verifier::new(config).unwrap_err().code(),
                    ErrorCode::InvalidConfig,
                    "{text}"
                );
            }
        }
    }
    assert!(verifier_discovery_url("http://127.0.0.1:8080/").is_ok());
    for bad in ["", "127.0.0.1:8080", "ftp://x", "javascript:alert(1)"] {
        assert_eq!(
            verifier_discovery_url(bad).unwrap_err().code(),
            ErrorCode::InvalidConfig,
            "{bad}"
        );
    }
}

#[test]
fn popup_timeout_is_checked_and_defaults() {
    assert_eq!(login_options("").unwrap().popup_timeout, None);
    assert_eq!(DEFAULT_POPUP_TIMEOUT_SECONDS, 300);
    // (timeoutSeconds as sent, accepted value)
    let rows: [(&str, Option<u64>); 12] = [
        ("60", Some(60)),
        ("1", Some(1)),
        ("90.7", Some(90)),
        ("2147483", Some(MAX_POPUP_TIMEOUT_SECONDS)),
        ("2147484", None),
        ("0", None),
        ("0.5", None),
        ("-1", None),
        (NAN, None),
        (INF, None),
        (NEG_INF, None),
        ("\"60\"", None),
    ];
    for (raw, accepted) in rows {
        let got = login_options(&with("timeoutSeconds", raw));
        match accepted {
            Some(t) => assert_eq!(got.unwrap().popup_timeout, Some(t), "{raw}"),
            None => {
                let e = got.unwrap_err();
                assert_eq!(e.code(), "invalid_config", "{raw}");
                assert!(e.message().contains("timeoutSeconds"), "{raw}");
            }
        }
    }
}

#[test]
fn login_options_rows() {
    let o =
        login_options(r#"{"certificateClaims":["fare_class"],"appState":{"p":1},"x":1}"#).unwrap();
    assert_eq!(o.certificate_claims.unwrap(), ["fare_class"]);
    assert!(o.app_state.is_some(), "unknown members are ignored");
    for text in [
        r#"{"certificateClaims":"fare_class"}"#,
        r#"{"certificateClaims":[1]}"#,
        "[]",
        "42",
    ] {
        assert_eq!(
            login_options(text).unwrap_err().code(),
            "invalid_config",
            "{text}"
        );
    }
}

#[test]
fn create_and_present_options() {
    let ok = r#"{"issuer":"http://127.0.0.1:8080","clientId":"c","redirectUri":"http://127.0.0.1:8080/cb"}"#;
    assert!(client_options(ok).is_ok());
    for text in [
        "",
        "null",
        r#"{"issuer":"http://127.0.0.1:8080","clientId":"c"}"#,
        r#"{"issuer":"http://127.0.0.1:8080","clientId":7,"redirectUri":"x"}"#,
        r#"{"issuer":"http://127.0.0.1:8080","clientId":"c","redirectUri":"x","profile":"yes"}"#,
        r#"{"issuer":"http://127.0.0.1:8080","clientId":"c","redirectUri":"x","clientID":"c"}"#,
    ] {
        assert_eq!(
            client_options(text).unwrap_err().code(),
            "invalid_config",
            "{text}"
        );
    }
    let (aud, nonce, disclose) =
        presentation_options(r#"{"audience":"a","nonce":"n","disclose":["grade"]}"#).unwrap();
    assert_eq!((aud.as_str(), nonce.as_str()), ("a", "n"));
    assert_eq!(disclose.unwrap(), ["grade"]);
    assert_eq!(
        presentation_options(r#"{"audience":"a","nonce":"n"}"#)
            .unwrap()
            .2,
        None
    );
    for text in [
        "",
        r#"{"audience":"a"}"#,
        r#"{"audience":"a","nonce":1}"#,
        r#"{"audience":"a","nonce":"n","disclose":"grade"}"#,
        r#"{"audience":"a","nonce":"n","disclose":[1]}"#,
    ] {
        assert_eq!(
            presentation_options(text).unwrap_err().code(),
            "invalid_config",
            "{text}"
        );
    }
}

#[test]
fn whole_seconds() {
    assert_eq!(seconds(1.9, "now").unwrap(), 1);
    assert_eq!(seconds(-1.5, "now").unwrap(), -2);
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e16] {
        assert_eq!(
            seconds(bad, "now").unwrap_err().code(),
            ErrorCode::InvalidConfig
        );
    }
}

#[test]
fn fare_arguments_as_json() {
    let cert = r#"{"fareClass":1,"validUntil":null}"#;
    let trip = r#"{"fare":1000,"ticket":"regular","oneWayKm":120,"travelDate":"2026-11-27"}"#;
    assert!(fare_discount_json(cert, trip, "", NOW).is_ok());
    // (certificate, trip, rates, code)
    let rows = [
        ("", trip, "", ErrorCode::Malformed),
        ("[]", trip, "", ErrorCode::Malformed),
        (cert, "", "", ErrorCode::Malformed),
        (cert, &with("fare", NAN), "", ErrorCode::Malformed),
        (cert, trip, "[]", ErrorCode::InvalidConfig),
    ];
    for (c, t, r, code) in rows {
        assert_eq!(
            fare_discount_json(c, t, r, NOW).unwrap_err().code(),
            code,
            "{c} {t} {r}"
        );
    }
}
