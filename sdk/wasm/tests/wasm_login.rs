//! `LoginCore` under wasm-bindgen-test (`cargo test -p mirairo-id-sdk-wasm --target
//! wasm32-unknown-unknown --test wasm_login`), called exactly as `sdk/js/login.js` calls
//! it: every failure is a real `MirairoIdError` with its `code` (and `reason` /
//! `providerError`), results are the JSON shapes login.js parses.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../tests/common/mod.rs"]
mod common;

use common::{issuer_key, other_key, raw_jws, sdk, serde, Signer, ISSUER, NOW};
use mirairo_id_sdk::{Verifier, VerifierConfig, VerifyOptions};
use mirairo_id_sdk_wasm::error::set_error_class;
use mirairo_id_sdk_wasm::login::LoginCore;
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
    #[wasm_bindgen(method, getter)]
    fn reason(this: &MirairoIdError) -> Option<String>;
    #[wasm_bindgen(method, getter, js_name = providerError)]
    fn provider_error(this: &MirairoIdError) -> Option<String>;
    #[wasm_bindgen(thread_local_v2, js_name = MirairoIdError)]
    static CLASS: js_sys::Function;
}

const ORIGIN: &str = "http://127.0.0.1:8080";
const REDIRECT: &str = "http://127.0.0.1:8080/demo/callback.html";

/// `(code, reason, providerError)` of a thrown `MirairoIdError`.
fn error_of(e: JsValue) -> (String, Option<String>, Option<String>) {
    let e = e
        .dyn_into::<MirairoIdError>()
        .unwrap_or_else(|e| panic!("not a MirairoIdError: {e:?}"));
    (e.code(), e.reason(), e.provider_error())
}

fn create(options: Value) -> Result<LoginCore, JsValue> {
    CLASS.with(|class| set_error_class(class.clone()));
    LoginCore::new(&options.to_string(), ORIGIN)
}

fn options() -> Value {
    json!({"issuer": ISSUER, "clientId": "demo-railway", "redirectUri": REDIRECT})
}

fn holder_jwk() -> String {
    common::holder_key().public_jwk().to_json().to_string()
}

fn ready_core() -> LoginCore {
    let mut core = create(options()).unwrap();
    core.set_metadata(
        &json!({
            "issuer": ISSUER,
            "authorization_endpoint": format!("{ISSUER}/authorize"),
            "token_endpoint": format!("{ISSUER}/token"),
            "jwks_uri": format!("{ISSUER}/jwks.json"),
        })
        .to_string(),
    )
    .unwrap();
    let mut k1 = issuer_key().public_jwk();
    k1.kid = Some("k1".into());
    core.set_jwks(
        &json!({"keys": [serde(&k1.to_json())]}).to_string(),
        NOW as f64,
        false,
    )
    .unwrap();
    core
}

fn id_token(nonce: &str, signer: Signer) -> String {
    raw_jws(
        &json!({"alg": "ES256", "typ": "JWT", "kid": "k1"}),
        &json!({"iss": ISSUER, "sub": "s-1", "aud": "demo-railway", "iat": NOW, "exp": NOW + 600, "nonce": nonce}),
        &signer,
        &|s| s,
    )
}

/// `prepareLogin`, the checks (here with the wasm's own `verifyEs256`, as the JS `run()`
/// does without WebCrypto), then `finishLogin`: what `sdk/js/login.js` does.
trait CompleteLogin {
    fn complete_login_sync(
        &mut self,
        status: u16,
        body: &str,
        tx: &str,
        holder: &str,
        now: f64,
    ) -> Result<String, JsValue>;
}

impl CompleteLogin for LoginCore {
    fn complete_login_sync(
        &mut self,
        status: u16,
        body: &str,
        tx: &str,
        holder: &str,
        now: f64,
    ) -> Result<String, JsValue> {
        let Some(mut pending) = self.prepare_login(status, body, tx, holder, now)? else {
            return Ok(r#"{"refetch":true}"#.into());
        };
        let flat = pending.checks();
        let results: Vec<u8> = (0..flat.length() / 4)
            .map(|i| {
                let at = |k: u32| flat.get(i * 4 + k);
                let ok = mirairo_id_sdk_wasm::verifier::verify_es256_js(
                    &at(0).as_string().unwrap(),
                    &at(1).as_string().unwrap(),
                    &at(2).unchecked_into::<js_sys::Uint8Array>().to_vec(),
                    &at(3).unchecked_into::<js_sys::Uint8Array>().to_vec(),
                )
                .unwrap();
                u8::from(ok)
            })
            .collect();
        self.finish_login(&mut pending, &results)
    }
}

fn credential() -> String {
    let mut case = common::Case::valid();
    case.kb = None;
    case.presentation()
}

#[wasm_bindgen_test]
fn bad_options_throw_invalid_config_at_create() {
    let table = [
        json!({"issuer": "not a url", "clientId": "c", "redirectUri": REDIRECT}),
        json!({"issuer": ISSUER, "clientId": "c", "redirectUri": "https://evil.example/cb"}),
        json!({"issuer": ISSUER, "clientId": "c", "redirectUri": REDIRECT, "lang": "fr"}),
        json!({"issuer": ISSUER, "clientId": "c", "redirectUri": REDIRECT, "certificateClaims": ["x"]}),
        json!({"issuer": ISSUER, "clientId": "c", "redirectUri": REDIRECT, "redirectURI": "typo"}),
        json!({"issuer": ISSUER}),
    ];
    for options in table {
        let e = create(options.clone()).err().unwrap();
        assert_eq!(error_of(e).0, "invalid_config", "{options}");
    }
}

#[wasm_bindgen_test]
fn a_login_through_the_binding() {
    let mut core = ready_core();
    let request: Value = serde_json::from_str(
        &core
            .authorization_request(
                r#"{"appState":{"page":"/fares"}}"#,
                &holder_jwk(),
                NOW as f64,
            )
            .unwrap(),
    )
    .unwrap();
    let state = request["state"].as_str().unwrap();
    let tx = request["transaction"].as_str().unwrap();
    assert!(request["url"]
        .as_str()
        .unwrap()
        .contains("code_challenge_method=S256"));
    let url = format!("{REDIRECT}?code=c1&state={state}&iss=http%3A%2F%2F127.0.0.1%3A8080");
    assert_eq!(LoginCore::callback_state(&url).as_deref(), Some(state));

    // The callback's checks, in order, as MirairoIdErrors.
    let e = core.accept_callback(&url, "", NOW as f64).unwrap_err();
    assert_eq!(error_of(e).0, "state_mismatch");
    let denied =
        format!("{REDIRECT}?error=access_denied&state={state}&iss=http%3A%2F%2F127.0.0.1%3A8080");
    let e = core.accept_callback(&denied, tx, NOW as f64).unwrap_err();
    assert_eq!(
        error_of(e),
        ("provider_error".into(), None, Some("access_denied".into()))
    );
    let code = core.accept_callback(&url, tx, NOW as f64).unwrap();
    let token_request: Value =
        serde_json::from_str(&core.code_token_request(&code, tx).unwrap()).unwrap();
    assert_eq!(token_request["url"], format!("{ISSUER}/token"));

    // A DPoP proof through PendingSignature, signed outside (as WebCrypto would).
    let pending = core
        .dpop_proof(
            &holder_jwk(),
            "POST",
            &format!("{ISSUER}/token"),
            NOW as f64,
            false,
        )
        .unwrap();
    let sig = common::holder_key().sign_raw(pending.signing_input().as_bytes());
    let proof = pending.finish(&sig).unwrap();
    assert!(mirairo_id_sdk::dpop::verify_dpop_proof(
        &proof,
        "POST",
        &format!("{ISSUER}/token"),
        NOW,
        60,
        None
    )
    .is_ok());

    // A wrong nonce: bad_id_token with its reason.
    let nonce: Value = serde_json::from_str(tx).unwrap();
    let nonce = nonce["nonce"].as_str().unwrap();
    let body = |id: String| {
        json!({"access_token": "a", "token_type": "DPoP", "refresh_token": "r",
               "id_token": id, "certificate_credential": credential()})
        .to_string()
    };
    let e = core
        .complete_login_sync(
            200,
            &body(id_token("other", Signer::Es256(issuer_key()))),
            tx,
            &holder_jwk(),
            NOW as f64,
        )
        .unwrap_err();
    assert_eq!(
        error_of(e),
        ("bad_id_token".into(), Some("nonce_mismatch".into()), None)
    );
    let e = core
        .complete_login_sync(
            200,
            &body(id_token(nonce, Signer::Es256(other_key()))),
            tx,
            &holder_jwk(),
            NOW as f64,
        )
        .unwrap_err();
    assert_eq!(error_of(e).1.as_deref(), Some("bad_signature"));
    let e = core
        .complete_login_sync(
            400,
            r#"{"error":"invalid_grant"}"#,
            tx,
            &holder_jwk(),
            NOW as f64,
        )
        .unwrap_err();
    assert_eq!(error_of(e).2.as_deref(), Some("invalid_grant"));

    // Two phases as login.js runs them: a PendingTokenAnswer whose `checks` are the ID
    // token's and the credential's (flat, 4 entries each); finished once only.
    let good = body(id_token(nonce, Signer::Es256(issuer_key())));
    let mut pending = core
        .prepare_login(200, &good, tx, &holder_jwk(), NOW as f64)
        .unwrap()
        .expect("no refetch");
    assert_eq!(pending.checks().length(), 8);
    let e = core.finish_login(&mut pending, &[1, 0]).unwrap_err();
    assert_eq!(error_of(e).0, "bad_signature");
    assert!(!core.is_authenticated());
    let e = core.finish_login(&mut pending, &[1, 1]).unwrap_err();
    assert_eq!(error_of(e).0, "malformed", "finishLogin runs once");

    // The good answer: {"result": LoginResult} in camelCase, and a session.
    let out: Value = serde_json::from_str(
        &core
            .complete_login_sync(
                200,
                &body(id_token(nonce, Signer::Es256(issuer_key()))),
                tx,
                &holder_jwk(),
                NOW as f64,
            )
            .unwrap(),
    )
    .unwrap();
    assert_eq!(out["result"]["idToken"]["sub"], "s-1");
    assert_eq!(out["result"]["certificate"]["fareClass"], 1);
    assert_eq!(out["result"]["appState"], json!({"page": "/fares"}));
    assert!(core.is_authenticated());
    assert!(core.certificate().unwrap().contains("\"keyBound\":false"));

    // present: the KB-JWT signed outside, checked by the core Verifier.
    let pending = core
        .prepare_presentation(
            r#"{"audience":"https://rail.example","nonce":"n-1","disclose":["fare_class"]}"#,
            NOW as f64,
        )
        .unwrap();
    let sig = common::holder_key().sign_raw(pending.signing_input().as_bytes());
    let presentation = pending.finish(&sig).unwrap();
    let verifier = Verifier::new(VerifierConfig::new(ISSUER, sdk(&common::jwks()))).unwrap();
    let cert = verifier
        .verify(
            &presentation,
            &VerifyOptions {
                audience: Some("https://rail.example".into()),
                nonce: Some("n-1".into()),
                require_key_binding: true,
                ..VerifyOptions::at(NOW)
            },
        )
        .unwrap();
    assert_eq!(cert.disclosed, ["fare_class"]);

    assert_eq!(core.logout(None), None); // no end_session_endpoint in this metadata
    assert!(!core.is_authenticated());
    let e = core.refresh_token_request().unwrap_err();
    assert_eq!(error_of(e).0, "not_authenticated");
}

#[wasm_bindgen_test]
fn retry_rules_through_the_binding() {
    assert!(LoginCore::should_retry("network", 0, 1));
    assert!(LoginCore::should_retry("status", 503, 1));
    assert!(!LoginCore::should_retry("status", 503, 2));
    assert!(!LoginCore::should_retry("status", 400, 1));
    assert!(!LoginCore::should_retry("timeout", 0, 1));
}

#[wasm_bindgen_test]
fn dpop_nonces_and_userinfo_through_the_binding() {
    let mut core = ready_core();
    let token = format!("{ISSUER}/token");
    let demand = r#"{"error":"use_dpop_nonce"}"#;
    let next = core
        .after_token_answer(&token, 400, demand, Some("n-1".into()), false)
        .unwrap();
    assert_eq!(next, "retry_nonce");
    // The next proof carries the nonce.
    let pending = core
        .dpop_proof(&holder_jwk(), "POST", &token, NOW as f64, false)
        .unwrap();
    let sig = common::holder_key().sign_raw(pending.signing_input().as_bytes());
    let proof = pending.finish(&sig).unwrap();
    let checked =
        mirairo_id_sdk::dpop::verify_dpop_proof(&proof, "POST", &token, NOW, 60, None).unwrap();
    assert_eq!(checked.nonce.as_deref(), Some("n-1"));
    // Never a second retry: a MirairoIdError with providerError use_dpop_nonce.
    let e = core
        .after_token_answer(&token, 400, demand, Some("n-2".into()), true)
        .unwrap_err();
    assert_eq!(
        error_of(e),
        ("provider_error".into(), None, Some("use_dpop_nonce".into()))
    );
    assert_eq!(
        core.after_token_answer(&token, 200, "{}", None, false)
            .unwrap(),
        "done"
    );
    // userinfo needs a session.
    assert_eq!(
        error_of(core.userinfo_url().unwrap_err()).0,
        "not_authenticated"
    );
    let e = core
        .after_userinfo_answer(
            &format!("{ISSUER}/userinfo"),
            200,
            r#"{"sub":"x"}"#,
            None,
            None,
            false,
            false,
        )
        .unwrap_err();
    assert_eq!(error_of(e).0, "not_authenticated");
}
