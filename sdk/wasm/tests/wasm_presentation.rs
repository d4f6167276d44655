//! The counter presentation bindings under wasm-bindgen-test (Node and headless Chromium):
//! `createPresentationRequest`, `readPresentationRequest`, `presentationResponseState` and
//! `VerifierCore.preparePresentationResponse` exactly as `sdk/js/presentation.js` and
//! `sdk/js/verifier.js` call them; errors are real `MirairoIdError`s; garbage never panics.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../tests/common/mod.rs"]
mod common;

use common::{Case, ISSUER, NOW};
use mirairo_id_sdk_wasm::error::set_error_class;
use mirairo_id_sdk_wasm::presentation::{
    create_presentation_request, presentation_response_state, read_presentation_request,
};
use mirairo_id_sdk_wasm::verifier::VerifierCore;
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

// The package's own class, from sdk/js/ (one folder above this crate).
#[wasm_bindgen(module = "/../js/error.js")]
extern "C" {
    #[wasm_bindgen(extends = js_sys::Error)]
    type MirairoIdError;
    #[wasm_bindgen(method, getter)]
    fn code(this: &MirairoIdError) -> String;
    #[wasm_bindgen(thread_local_v2, js_name = MirairoIdError)]
    static CLASS: js_sys::Function;
}

fn setup() -> VerifierCore {
    CLASS.with(|class| set_error_class(class.clone()));
    let options = json!({ "issuer": ISSUER, "jwks": common::jwks() });
    VerifierCore::new(&options.to_string()).unwrap()
}

fn code_of(error: JsValue) -> String {
    error
        .dyn_into::<MirairoIdError>()
        .unwrap_or_else(|e| panic!("not a MirairoIdError: {e:?}"))
        .code()
}

fn create() -> Value {
    let options = json!({
        "responseUri": "https://rail.example/api/counter/response",
        "claims": ["fare_class", "valid_until"],
        "clientName": "みらい鉄道",
    });
    serde_json::from_str(&create_presentation_request(&options.to_string()).unwrap()).unwrap()
}

#[wasm_bindgen_test]
fn create_and_read_back() {
    setup();
    let made = create();
    let url = made["url"].as_str().unwrap();
    assert!(url.starts_with("openid4vp://?client_id=redirect_uri%3Ahttps%3A%2F%2Frail.example"));
    assert_eq!(
        made["clientId"],
        "redirect_uri:https://rail.example/api/counter/response"
    );
    let stored = made["request"].to_string();
    let back: Value = serde_json::from_str(&read_presentation_request(&stored).unwrap()).unwrap();
    assert_eq!(back, made);
    for bad in [
        json!({"responseUri": "http://rail.example/r", "claims": ["fare_class"]}),
        json!({"responseUri": "https://rail.example/r", "claims": []}),
        json!({"responseUri": "https://rail.example/r", "claims": ["fare_class"], "expiresInSeconds": -1}),
        json!({"responseUri": "https://rail.example/r", "claims": ["fare_class"], "extra": 1}),
        json!({"claims": ["fare_class"]}),
    ] {
        let e = create_presentation_request(&bad.to_string()).unwrap_err();
        assert_eq!(code_of(e), "invalid_config", "{bad}");
    }
    for bad in ["", "{", "[]", "{\"state\":\"x\"}"] {
        assert_eq!(
            code_of(read_presentation_request(bad).unwrap_err()),
            "invalid_config"
        );
    }
}

#[wasm_bindgen_test]
fn responses_fail_with_their_codes_and_garbage_never_panics() {
    let core = setup();
    let made = create();
    let stored = made["request"].to_string();
    let state = made["request"]["state"].as_str().unwrap().to_owned();
    let presentation = Case::valid().presentation();
    let vp = |token: &Value| {
        format!(
            "vp_token={}&state={state}",
            js_sys::encode_uri_component(&token.to_string())
        )
    };
    let options = json!({ "now": NOW }).to_string();
    let rows: Vec<(String, &str)> = vec![
        (String::new(), "invalid_request"),
        ("~".repeat(2 * 1024 * 1024), "invalid_request"),
        ("state=a&state=b&vp_token=x".into(), "invalid_request"),
        (format!("state={state}"), "invalid_request"),
        (vp(&json!({"certificate": []})), "invalid_request"),
        (vp(&json!([presentation])), "invalid_request"),
        (
            format!("error=access_denied&state={state}"),
            "access_denied",
        ),
        (format!("error=server_error&state={state}"), "wallet_error"),
        (
            "error=access_denied&state=other".into(),
            "request_not_found",
        ),
        (vp(&json!({"certificate": ["\u{0}~~"]})), "malformed"),
        // A valid credential bound to another audience and nonce: caught in phase two,
        // so phase one succeeds here.
    ];
    for (body, code) in &rows {
        let got = core.prepare_presentation_response(body, &stored, &options);
        assert_eq!(
            code_of(got.err().unwrap()),
            *code,
            "{}",
            body.chars().take(60).collect::<String>()
        );
    }
    let mut prepared = core
        .prepare_presentation_response(
            &vp(&json!({"certificate": [presentation]})),
            &stored,
            &options,
        )
        .unwrap();
    assert_eq!(
        code_of(prepared.finish(&[1, 1]).unwrap_err()),
        "bad_key_binding"
    );
    let late = json!({ "now": NOW + 10_000_000 }).to_string();
    let e = core.prepare_presentation_response(
        &format!("error=access_denied&state={state}"),
        &stored,
        &late,
    );
    assert_eq!(code_of(e.err().unwrap()), "request_expired");
    for bad_options in ["{\"statusList\":\"x\"}", "{\"now\":\"1\"}", "["] {
        let e =
            core.prepare_presentation_response("state=x&error=access_denied", &stored, bad_options);
        assert_eq!(code_of(e.err().unwrap()), "invalid_config", "{bad_options}");
    }
    assert_eq!(
        presentation_response_state(&format!("error=access_denied&state={state}")).unwrap(),
        state
    );
    assert_eq!(
        code_of(presentation_response_state("vp_token=x").unwrap_err()),
        "invalid_request"
    );
}
