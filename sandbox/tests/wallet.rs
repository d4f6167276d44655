//! The holder app simulator's API (`/wallet/api/`, PROTOCOL.md §7.3–§7.4) over real
//! HTTP: sign-in, credentials issued to a proven holder key (and every way a proof of
//! possession is refused), every §7.3 rule refused before anything is shown, the
//! verifier named by its registered origin or flagged as unregistered, and answers
//! delivered to a real verifier (the SDK core's, on a loopback port of this test
//! process): presented, refused by the verifier, declined, and never sent anywhere but
//! loopback http.

// Helpers in this test crate fail loudly by design.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use common::{from_sdk, to_sdk, Sandbox};
use mirairo_id_sandbox::util::form_encode;
use mirairo_id_sandbox::wallet::{check_proof, proof_input, ProofError, PROOF_TYP};
use mirairo_id_sdk::jose::{b64url_encode, EcPublicJwk, Es256SigningKey};
use mirairo_id_sdk::json::{Map as SdkMap, Value as SdkValue};
use mirairo_id_sdk::oidc::PendingJws;
use mirairo_id_sdk::openid4vp::{PresentationRequest, PresentationRequestOptions};
use mirairo_id_sdk::sdjwt::SdJwt;
use mirairo_id_sdk::{Verifier, VerifierConfig};
use serde_json::{json, Value};

const RAILWAY_CLAIMS: [&str; 4] = ["fare_class", "valid_until", "certificate_type", "caregiver"];

/// The holder app as its page drives the API: a session cookie and a holder key.
struct Wallet<'a> {
    sb: &'a Sandbox,
    cookie: Option<String>,
    key: Es256SigningKey,
}

impl<'a> Wallet<'a> {
    fn new(sb: &'a Sandbox) -> Self {
        Wallet {
            sb,
            cookie: None,
            key: Es256SigningKey::generate().unwrap(),
        }
    }

    async fn signed_in(sb: &'a Sandbox, user: &str) -> Self {
        let mut w = Self::new(sb);
        let (status, body) = w
            .send("POST", "session", Some(json!({ "user": user })))
            .await;
        assert_eq!(status, 200, "{body}");
        assert!(w.cookie.is_some(), "a session cookie is set");
        w
    }

    async fn send(&mut self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let url = self.sb.url(&format!("/wallet/api/{path}"));
        let mut req = self.sb.http.request(method.parse().unwrap(), url);
        if let Some(c) = &self.cookie {
            req = req.header("cookie", format!("mirairo_wallet={c}"));
        }
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        for v in r.headers().get_all("set-cookie") {
            let v = v.to_str().unwrap();
            assert!(
                v.contains("HttpOnly")
                    && v.contains("SameSite=Strict")
                    && v.contains("Path=/wallet/"),
                "{v}"
            );
            let value = v.split(';').next().unwrap().split_once('=').unwrap().1;
            self.cookie = (!value.is_empty()).then(|| value.to_owned());
        }
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn post(&mut self, path: &str, body: Value) -> (u16, Value) {
        self.send("POST", path, Some(body)).await
    }

    fn jwk(&self) -> Value {
        from_sdk(&self.key.public_jwk().to_json())
    }

    /// A sandbox-issued signing input, signed by the holder key: a valid proof.
    async fn proof(&mut self) -> String {
        let jwk = self.jwk();
        let (status, body) = self.post("proof", json!({ "jwk": jwk })).await;
        assert_eq!(status, 200, "{body}");
        let input = body["signing_input"].as_str().unwrap().to_owned();
        let sig = self.key.sign_raw(input.as_bytes());
        format!("{input}.{}", b64url_encode(&sig))
    }

    async fn nonce(&mut self) -> String {
        let jwk = self.jwk();
        let (_, body) = self.post("proof", json!({ "jwk": jwk })).await;
        body["nonce"].as_str().unwrap().to_owned()
    }

    /// Proof of possession, then the credentials.
    async fn credentials(&mut self) -> Vec<Value> {
        let proof = self.proof().await;
        let (status, body) = self.post("credentials", json!({ "proof": proof })).await;
        assert_eq!(status, 200, "{body}");
        body["credentials"].as_array().unwrap().clone()
    }

    async fn inspect(&mut self, request: &str, credentials: &[String]) -> (u16, Value) {
        self.post(
            "inspect",
            json!({ "request": request, "credentials": credentials }),
        )
        .await
    }

    /// Prepares, signs with the holder key and delivers.
    async fn present(&mut self, request: &str, credential: &str) -> (u16, Value) {
        let (status, prepared) = self
            .post(
                "present",
                json!({ "request": request, "credential": credential }),
            )
            .await;
        assert_eq!(status, 200, "{prepared}");
        let input = prepared["signing_input"].as_str().unwrap();
        let sig = self.key.sign_raw(input.as_bytes());
        self.post(
            "deliver",
            json!({ "id": prepared["id"], "signature": b64url_encode(&sig) }),
        )
        .await
    }
}

fn credential_strings(creds: &[Value]) -> Vec<String> {
    creds
        .iter()
        .map(|c| c["credential"].as_str().unwrap().to_owned())
        .collect()
}

/// What the test verifier concluded: the disclosed claim names, or the error code.
type Outcome = Result<Vec<String>, String>;

/// A verifier built with the SDK core, listening on a loopback port of this process:
/// it verifies what it receives (§7.2, status from the sandbox) and answers `{}` or
/// `{"error"}`.
#[derive(Clone)]
struct TestVerifier {
    sandbox: String,
    received: Arc<Mutex<Vec<String>>>,
    outcomes: Arc<Mutex<Vec<Outcome>>>,
    request: Arc<Mutex<Option<PresentationRequest>>>,
}

impl TestVerifier {
    async fn start(sb: &Sandbox) -> (TestVerifier, String) {
        let v = TestVerifier {
            sandbox: sb.base.clone(),
            received: Arc::default(),
            outcomes: Arc::default(),
            request: Arc::default(),
        };
        let app = axum::Router::new()
            .route("/response", axum::routing::post(Self::respond))
            .with_state(v.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (v, base)
    }

    fn create(&self, response_uri: &str, claims: &[&str], now: i64) -> String {
        let req = PresentationRequest::create(
            PresentationRequestOptions {
                response_uri: response_uri.to_owned(),
                claims: claims.iter().map(|c| (*c).to_owned()).collect(),
                client_name: Some("Test Verifier 試験".to_owned()),
                expires_in: None,
            },
            now,
        )
        .unwrap();
        let url = req.url();
        *self.request.lock().unwrap() = Some(req);
        url
    }

    async fn respond(State(v): State<TestVerifier>, body: String) -> axum::response::Response {
        v.received.lock().unwrap().push(body.clone());
        let http = common::http_client();
        let jwks: Value = http
            .get(format!("{}/jwks.json", v.sandbox))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let status_list = http
            .get(format!("{}/status/1", v.sandbox))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        // Every answer settles the request (§7.2): a second one finds nothing.
        let Some(request) = v.request.lock().unwrap().take() else {
            return (
                StatusCode::BAD_REQUEST,
                axum::Json(json!({ "error": "request_not_found", "error_description": "settled" })),
            )
                .into_response();
        };
        let verifier =
            Verifier::new(VerifierConfig::new(v.sandbox.clone(), to_sdk(&jwks))).unwrap();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let outcome = verifier
            .verify_presentation_response(&body, &request, now, Some(&status_list))
            .map(|cert| {
                let mut names: Vec<String> = from_sdk(&cert.to_json())["disclosed"]
                    .as_array()
                    .map(|a| a.iter().map(|n| n.as_str().unwrap().to_owned()).collect())
                    .unwrap_or_default();
                names.sort();
                names
            })
            .map_err(|e| e.code().as_str().to_owned());
        v.outcomes.lock().unwrap().push(outcome.clone());
        match outcome {
            Ok(_) => (StatusCode::OK, axum::Json(json!({}))).into_response(),
            Err(code) if code == "access_denied" => {
                (StatusCode::OK, axum::Json(json!({}))).into_response()
            }
            Err(code) => (
                StatusCode::BAD_REQUEST,
                axum::Json(json!({ "error": code, "error_description": "refused" })),
            )
                .into_response(),
        }
    }
}

#[tokio::test]
async fn sign_in_as_a_test_user_and_out() {
    let sb = Sandbox::start().await;
    let (status, body) = sb.get_json("/wallet/api/users").await;
    assert_eq!(status, 200);
    let ids: Vec<&str> = body["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"hanako") && ids.contains(&"taro"), "{ids:?}");

    let mut anonymous = Wallet::new(&sb);
    let (status, body) = anonymous.send("GET", "session", None).await;
    assert_eq!((status, &body["user"]), (200, &Value::Null));
    let (status, body) = anonymous.post("session", json!({ "user": "nobody" })).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unknown_user"))
    );
    let jwk = anonymous.jwk();
    let (status, body) = anonymous.post("proof", json!({ "jwk": jwk })).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("not_signed_in")),
        "nothing is issued without a sign-in"
    );
    assert!(body["message"]["ja"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));

    let mut w = Wallet::signed_in(&sb, "hanako").await;
    let (status, body) = w.send("GET", "session", None).await;
    assert_eq!(status, 200);
    assert_eq!(body["user"]["id"], "hanako");
    assert_eq!(body["user"]["name"], "ミライロ ハナコ");
    assert_eq!(body["user"]["certificates"], 3);

    let (status, _) = w.send("DELETE", "session", None).await;
    assert_eq!(status, 200);
    assert!(w.cookie.is_none(), "the cookie is cleared");
    let (status, body) = w.send("GET", "session", None).await;
    assert_eq!((status, &body["user"]), (200, &Value::Null));
    sb.stop().await;
}

#[tokio::test]
async fn a_browser_on_another_origin_cannot_drive_the_wallet() {
    let sb = Sandbox::start().await;
    let mut w = Wallet::signed_in(&sb, "hanako").await;
    let r = sb
        .http
        .post(sb.url("/wallet/api/decline"))
        .header("origin", "http://127.0.0.1:1")
        .header(
            "cookie",
            format!("mirairo_wallet={}", w.cookie.clone().unwrap()),
        )
        .header("content-type", "application/json")
        .body(json!({ "request": "openid4vp://?x" }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    // And a form post (no preflight) is refused for its content type.
    let r = sb
        .http
        .post(sb.url("/wallet/api/session"))
        .header(
            "cookie",
            format!("mirairo_wallet={}", w.cookie.clone().unwrap()),
        )
        .header("content-type", "text/plain")
        .body(json!({ "user": "taro" }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 415);
    let (_, body) = w.send("GET", "session", None).await;
    assert_eq!(body["user"]["id"], "hanako");
    sb.stop().await;
}

#[tokio::test]
async fn bad_bodies_get_a_json_error_and_change_nothing() {
    let sb = Sandbox::start().await;
    let mut w = Wallet::signed_in(&sb, "hanako").await;
    let cookie = format!("mirairo_wallet={}", w.cookie.clone().unwrap());
    let rows: [(&str, &str, u16, &str); 7] = [
        ("session", "not json", 400, "invalid_request"),
        ("session", "[]", 400, "invalid_request"),
        (
            "session",
            r#"{"user": "hanako", "admin": true}"#,
            400,
            "invalid_request",
        ),
        (
            "proof",
            r#"{"jwk": {"kty": "RSA", "n": "AQAB", "e": "AQAB"}}"#,
            400,
            "invalid_key",
        ),
        ("credentials", r#"{"proof": 7}"#, 400, "invalid_request"),
        (
            "deliver",
            r#"{"id": "x", "signature": "not base64url!"}"#,
            400,
            "invalid_request",
        ),
        (
            "deliver",
            r#"{"id": "unknown", "signature": "AAAA"}"#,
            400,
            "unknown_presentation",
        ),
    ];
    for (path, body, status, code) in rows {
        let r = sb
            .http
            .post(sb.url(&format!("/wallet/api/{path}")))
            .header("cookie", &cookie)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), status, "{path} {body}");
        let v: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
        assert_eq!(v["error"], code, "{path} {body}");
    }
    let (status, body) = w.send("GET", "session", None).await;
    assert_eq!((status, body["user"]["id"].as_str()), (200, Some("hanako")));
    let (status, body) = sb.get_json("/wallet/api/nothing-here").await;
    assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));
    sb.stop().await;
}

#[tokio::test]
async fn credentials_are_issued_to_the_proven_key_one_per_certificate() {
    let sb = Sandbox::start().await;
    let mut w = Wallet::signed_in(&sb, "hanako").await;
    let creds = w.credentials().await;
    assert_eq!(creds.len(), 3);
    let jwks = sb.jwks().await;
    let verifier = Verifier::new(VerifierConfig::new(sb.base.clone(), jwks.to_json())).unwrap();
    for (i, c) in creds.iter().enumerate() {
        assert_eq!(c["index"], i);
        let cred = c["credential"].as_str().unwrap();
        let sd = SdJwt::parse(cred).unwrap();
        assert!(sd.key_binding().is_none());
        let payload = sd.issuer_jwt().payload_object().unwrap();
        let cnf = EcPublicJwk::from_json(payload.get("cnf").unwrap().get("jwk").unwrap()).unwrap();
        assert_eq!(
            cnf.thumbprint(),
            w.key.public_jwk().thumbprint(),
            "bound to the holder key"
        );
        // Every §3 claim is selectively disclosable.
        assert_eq!(sd.disclosures().len(), 15);
        assert_eq!(c["display"].as_array().unwrap().len(), 15);
        // And it verifies as the provider's credential, every claim disclosed.
        let verified = verifier
            .verify(cred, &mirairo_id_sdk::VerifyOptions::at(sb.now()))
            .unwrap();
        assert_eq!(
            from_sdk(&verified.to_json())["disclosed"]
                .as_array()
                .unwrap()
                .len(),
            15
        );
    }
    assert_eq!(creds[0]["claims"]["certificate_type"], "physical");
    assert_eq!(creds[0]["claims"]["fare_class"], 1);
    assert_eq!(creds[1]["claims"]["certificate_type"], "mental");
    let display = creds[0]["display"].as_array().unwrap();
    let fare = display.iter().find(|d| d["name"] == "fare_class").unwrap();
    assert_eq!(fare["value"], json!({ "ja": "第1種", "en": "class 1" }));
    sb.stop().await;
}

/// A proof built by hand: `header` and `claims` as given, signed by `key`.
fn hand_proof(key: &Es256SigningKey, header: SdkMap, claims: SdkMap) -> String {
    let pending = PendingJws::new(&header, &SdkValue::Object(claims));
    let sig = key.sign_raw(pending.signing_input().as_bytes());
    pending.finish(&sig).unwrap()
}

fn proof_parts(key: &Es256SigningKey, issuer: &str, nonce: &str, iat: i64) -> (SdkMap, SdkMap) {
    let mut header = SdkMap::new();
    header.insert("typ".into(), PROOF_TYP.into());
    header.insert("jwk".into(), key.public_jwk().to_json());
    let mut claims = SdkMap::new();
    claims.insert("aud".into(), issuer.into());
    claims.insert("iat".into(), iat.into());
    claims.insert("nonce".into(), nonce.into());
    (header, claims)
}

#[tokio::test]
async fn a_proof_of_possession_is_refused_one_rule_at_a_time() {
    let sb = Sandbox::start().await;
    let mut w = Wallet::signed_in(&sb, "hanako").await;
    let other = Es256SigningKey::generate().unwrap();
    let issuer = sb.base.clone();
    let now = sb.now();

    type Edit = fn(&mut SdkMap, &mut SdkMap);
    let rows: [(&str, Edit, bool, &str); 7] = [
        ("valid", |_, _| {}, false, ""),
        (
            "wrong typ",
            |h, _| {
                h.insert("typ".into(), "JWT".into());
            },
            false,
            "invalid_proof_type",
        ),
        (
            "no jwk",
            |h, _| {
                h.remove("jwk");
            },
            false,
            "invalid_proof_key",
        ),
        (
            "signed by another key",
            |_, _| {},
            true,
            "invalid_proof_signature",
        ),
        (
            "wrong audience",
            |_, c| {
                c.insert("aud".into(), "http://127.0.0.1:1".into());
            },
            false,
            "invalid_proof_audience",
        ),
        (
            "stale iat",
            |_, c| {
                let iat = c.get("iat").and_then(SdkValue::as_i64).unwrap();
                c.insert("iat".into(), (iat - 3600).into());
            },
            false,
            "invalid_proof_iat",
        ),
        (
            "unknown nonce",
            |_, c| {
                c.insert("nonce".into(), "not-a-sandbox-nonce".into());
            },
            false,
            "invalid_nonce",
        ),
    ];
    for (name, edit, other_signs, code) in rows {
        let nonce = w.nonce().await;
        let (mut header, mut claims) = proof_parts(&w.key, &issuer, &nonce, now);
        edit(&mut header, &mut claims);
        let signer = if other_signs { &other } else { &w.key };
        let proof = hand_proof(signer, header, claims);
        let (status, body) = w.post("credentials", json!({ "proof": proof })).await;
        if code.is_empty() {
            assert_eq!(status, 200, "{name}: {body}");
            // The nonce is single-use: the same proof again is refused.
            let (status, body) = w.post("credentials", json!({ "proof": proof })).await;
            assert_eq!(
                (status, body["error"].as_str()),
                (400, Some("invalid_nonce")),
                "{name} replayed"
            );
        } else {
            assert_eq!(
                (status, body["error"].as_str()),
                (400, Some(code)),
                "{name}: {body}"
            );
            assert!(
                body["message"]["en"]
                    .as_str()
                    .is_some_and(|m| !m.is_empty()),
                "{name}"
            );
        }
    }

    // Another session's nonce is not this session's.
    let mut other_session = Wallet::signed_in(&sb, "taro").await;
    let theirs = other_session.nonce().await;
    let (header, claims) = proof_parts(&w.key, &issuer, &theirs, now);
    let (status, body) = w
        .post(
            "credentials",
            json!({ "proof": hand_proof(&w.key, header, claims) }),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_nonce"))
    );
    // Garbage.
    let (status, body) = w.post("credentials", json!({ "proof": "a.b" })).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_proof"))
    );
    sb.stop().await;
}

#[test]
fn the_proof_input_the_sandbox_hands_out_is_what_it_accepts() {
    let key = Es256SigningKey::generate().unwrap();
    let pending = proof_input(&key.public_jwk(), "http://127.0.0.1:8080", "n1", 1_000);
    let sig = key.sign_raw(pending.signing_input().as_bytes());
    let proof = pending.finish(&sig).unwrap();
    let (jwk, nonce) = check_proof(&proof, "http://127.0.0.1:8080", 1_000).unwrap();
    assert_eq!(jwk.thumbprint(), key.public_jwk().thumbprint());
    assert_eq!(nonce, "n1");
    assert_eq!(
        check_proof(&proof, "http://127.0.0.1:8081", 1_000),
        Err(ProofError::WrongAudience)
    );
}

/// The query pairs of an `openid4vp://?…` URL.
fn pairs(url: &str) -> Vec<(String, String)> {
    let query = url.split_once('?').unwrap().1;
    mirairo_id_sdk::form::Form::parse(query, usize::MAX)
        .unwrap()
        .pairs()
        .to_vec()
}

fn url_of(pairs: &[(String, String)]) -> String {
    let q: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
        .collect();
    format!("openid4vp://?{}", q.join("&"))
}

/// `url` with `name` set to `value` (`None` removes it).
fn with(url: &str, name: &str, value: Option<&str>) -> String {
    let mut p = pairs(url);
    p.retain(|(k, _)| k != name);
    if let Some(v) = value {
        p.push((name.to_owned(), v.to_owned()));
    }
    url_of(&p)
}

#[tokio::test]
async fn every_rule_of_7_3_is_checked_before_anything_is_shown() {
    let sb = Sandbox::start().await;
    let (verifier, base) = TestVerifier::start(&sb).await;
    let response_uri = format!("{base}/response");
    let good = verifier.create(&response_uri, &RAILWAY_CLAIMS, sb.now());
    let mut w = Wallet::signed_in(&sb, "hanako").await;
    let creds = credential_strings(&w.credentials().await);

    let dcql = |vct: &str, format: &str, claim: &str| {
        json!({ "credentials": [{ "id": "certificate", "format": format,
            "meta": { "vct_values": [vct] }, "claims": [{ "path": [claim] }] }] })
        .to_string()
    };
    let vct = "urn:mirairo-id:disability-certificate:1";
    let rows: Vec<(&str, String, &str)> = vec![
        (
            "a web page, not a request",
            "https://example.com/page".to_owned(),
            "malformed",
        ),
        ("garbage", "%%%".to_owned(), "malformed"),
        (
            "a signed request by reference",
            with(&good, "request_uri", Some("https://example.com/r")),
            "request_object",
        ),
        (
            "response_type id_token",
            with(&good, "response_type", Some("id_token")),
            "response_type",
        ),
        (
            "response_mode fragment",
            with(&good, "response_mode", Some("fragment")),
            "response_mode",
        ),
        (
            "response_mode direct_post.jwt",
            with(&good, "response_mode", Some("direct_post.jwt")),
            "response_mode",
        ),
        (
            "client_id without the prefix",
            with(&good, "client_id", Some(&response_uri)),
            "client_id",
        ),
        (
            "client_id of another verifier",
            with(
                &good,
                "client_id",
                Some("redirect_uri:http://127.0.0.1:1/response"),
            ),
            "client_id_mismatch",
        ),
        (
            "response_uri over plain http off loopback",
            url_of(&pairs(&with(
                &with(&good, "response_uri", Some("http://example.com/r")),
                "client_id",
                Some("redirect_uri:http://example.com/r"),
            ))),
            "response_uri",
        ),
        ("no nonce", with(&good, "nonce", None), "nonce"),
        (
            "a state that is not URL-safe",
            with(&good, "state", Some("a b<c>")),
            "state",
        ),
        (
            "no dcql_query",
            with(&good, "dcql_query", None),
            "dcql_query",
        ),
        (
            "dcql_query not JSON",
            with(&good, "dcql_query", Some("{")),
            "dcql_query",
        ),
        (
            "another credential type",
            with(
                &good,
                "dcql_query",
                Some(&dcql("urn:example:pid", "dc+sd-jwt", "fare_class")),
            ),
            "credential",
        ),
        (
            "another format",
            with(
                &good,
                "dcql_query",
                Some(&dcql(vct, "mso_mdoc", "fare_class")),
            ),
            "credential",
        ),
        (
            "a claim outside §3",
            with(
                &good,
                "dcql_query",
                Some(&dcql(vct, "dc+sd-jwt", "favourite_colour")),
            ),
            "claims",
        ),
        (
            "no client_metadata",
            with(&good, "client_metadata", None),
            "client_metadata",
        ),
    ];
    for (name, url, rule) in &rows {
        let (status, body) = w.inspect(url, &creds).await;
        assert_eq!(status, 400, "{name}: {body}");
        assert_eq!(body["error"], "invalid_presentation_request", "{name}");
        assert_eq!(body["rule"], *rule, "{name}: {body}");
        for lang in ["ja", "en"] {
            assert!(
                body["message"][lang]
                    .as_str()
                    .is_some_and(|m| !m.is_empty()),
                "{name} {lang}"
            );
        }
        assert!(
            body.get("verifier").is_none() && body.get("candidates").is_none(),
            "{name}: nothing shown"
        );
    }
    // The explanation depends on the rule.
    let (_, a) = w.inspect(&rows[7].1, &creds).await;
    let (_, b) = w.inspect(&rows[9].1, &creds).await;
    assert_ne!(a["message"], b["message"]);

    // The valid request passes and shows exactly the asked claims of each certificate.
    let (status, body) = w.inspect(&good, &creds).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["claims"], json!(RAILWAY_CLAIMS));
    let candidates = body["candidates"].as_array().unwrap();
    assert_eq!(
        candidates.len(),
        3,
        "every certificate of hanako can answer"
    );
    for c in candidates {
        let names: Vec<&str> = c["claims"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, RAILWAY_CLAIMS, "in the order asked, nothing else");
    }
    assert_eq!(candidates[0]["claims"][0]["value"]["ja"], "第1種");
    assert_eq!(candidates[1]["claims"][0]["value"]["ja"], "第2種");
    assert!(
        verifier.received.lock().unwrap().is_empty(),
        "inspecting sends nothing"
    );
    sb.stop().await;
}

#[tokio::test]
async fn the_verifier_is_named_by_its_registered_origin_or_flagged() {
    let sb = Sandbox::start().await;
    let (verifier, base) = TestVerifier::start(&sb).await;
    let mut w = Wallet::signed_in(&sb, "hanako").await;

    // The demo railway is registered with the sandbox's own origin.
    let railway = verifier.create(
        &sb.url("/demo/api/counter/response"),
        &RAILWAY_CLAIMS,
        sb.now(),
    );
    let (status, body) = w.inspect(&railway, &[]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["verifier"]["registered"], true);
    assert_eq!(
        body["verifier"]["name"],
        json!({ "ja": "みらい鉄道", "en": "Mirai Railway" })
    );
    assert_eq!(body["verifier"]["origin"], sb.base);

    // A verifier on another port is not: its origin and self-asserted name are shown.
    let stranger = verifier.create(&format!("{base}/response"), &["fare_class"], sb.now());
    let (status, body) = w.inspect(&stranger, &[]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["verifier"]["registered"], false);
    assert_eq!(body["verifier"]["name"], Value::Null);
    assert_eq!(body["verifier"]["origin"], base);
    assert_eq!(body["verifier"]["client_name"], "Test Verifier 試験");
    // `sandbox-test` registered http://127.0.0.1 (no port): a different origin.
    let portless = verifier.create("http://127.0.0.1/response", &["fare_class"], sb.now());
    let (_, body) = w.inspect(&portless, &[]).await;
    assert_eq!(body["verifier"]["registered"], true);
    assert_eq!(body["verifier"]["name"]["en"], "Sandbox test client");
    sb.stop().await;
}

#[tokio::test]
async fn present_delivers_exactly_the_asked_claims_key_bound_to_the_request() {
    let sb = Sandbox::start().await;
    let (verifier, base) = TestVerifier::start(&sb).await;
    let mut w = Wallet::signed_in(&sb, "hanako").await;
    let creds = credential_strings(&w.credentials().await);
    let request = verifier.create(
        &format!("{base}/response"),
        &["fare_class", "valid_until"],
        sb.now(),
    );

    let (status, body) = w.present(&request, &creds[1]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["accepted"], true);
    assert_eq!(body["status"], 200);
    assert_eq!(body["verifier"]["registered"], false);
    let outcomes = verifier.outcomes.lock().unwrap().clone();
    assert_eq!(
        outcomes,
        vec![Ok(vec!["fare_class".to_owned(), "valid_until".to_owned()])]
    );
    // The form itself: state and a vp_token whose presentation has exactly two disclosures.
    let form = verifier.received.lock().unwrap()[0].clone();
    let fields = pairs(&format!("?{form}"));
    let vp_token: Value =
        serde_json::from_str(&fields.iter().find(|(k, _)| k == "vp_token").unwrap().1).unwrap();
    let presentation = vp_token["certificate"][0].as_str().unwrap();
    let sd = SdJwt::parse(presentation).unwrap();
    let mut names: Vec<&str> = sd.disclosures().iter().filter_map(|d| d.name()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["fare_class", "valid_until"],
        "nothing not asked is disclosed"
    );
    assert!(sd.key_binding().is_some());

    // A prepared presentation is delivered once.
    let (status, prepared) = w
        .post(
            "present",
            json!({ "request": request, "credential": creds[0] }),
        )
        .await;
    assert_eq!(status, 200);
    let sig = w
        .key
        .sign_raw(prepared["signing_input"].as_str().unwrap().as_bytes());
    let deliver = json!({ "id": prepared["id"], "signature": b64url_encode(&sig) });
    let (status, body) = w.post("deliver", deliver.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["accepted"], false,
        "the verifier refuses a second answer to the same state"
    );
    assert_eq!(body["error"], "request_not_found");
    assert!(body["message"]["en"]
        .as_str()
        .unwrap()
        .contains("already answered"));
    let (status, body) = w.post("deliver", deliver).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unknown_presentation"))
    );
    sb.stop().await;
}

#[tokio::test]
async fn a_certificate_that_cannot_answer_is_not_offered_and_not_sent() {
    let sb = Sandbox::start().await;
    let (verifier, base) = TestVerifier::start(&sb).await;
    let mut w = Wallet::signed_in(&sb, "hanako").await;
    let full = credential_strings(&w.credentials().await);
    // A credential with only fare_class disclosable, bound to the same key.
    let (status, body) = sb
        .post_json(
            "/_sandbox/issue",
            json!({ "user": "hanako", "certificate": 0, "claims": ["fare_class"], "holder_jwk": w.jwk() }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let partial = body["credential"].as_str().unwrap().to_owned();
    let request = verifier.create(
        &format!("{base}/response"),
        &["fare_class", "valid_until"],
        sb.now(),
    );

    let (status, body) = w
        .inspect(&request, &[partial.clone(), full[1].clone()])
        .await;
    assert_eq!(status, 200, "{body}");
    let offered: Vec<u64> = body["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["credential"].as_u64().unwrap())
        .collect();
    assert_eq!(
        offered,
        [1],
        "only the credential that can answer everything asked"
    );

    let (status, body) = w
        .post(
            "present",
            json!({ "request": request, "credential": partial }),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("credential_unusable")),
        "{body}"
    );
    assert!(
        verifier.received.lock().unwrap().is_empty(),
        "no partial answer is sent"
    );
    sb.stop().await;
}

#[tokio::test]
async fn the_verifiers_refusal_is_explained_in_both_languages() {
    let sb = Sandbox::start().await;
    let (verifier, base) = TestVerifier::start(&sb).await;
    let mut w = Wallet::signed_in(&sb, "kenta").await;
    let creds = credential_strings(&w.credentials().await);
    let request = verifier.create(&format!("{base}/response"), &["fare_class"], sb.now());
    // kenta's certificate 0 is revoked in the status list: the verifier refuses it.
    let (status, body) = w.present(&request, &creds[0]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["accepted"], false);
    assert_eq!(body["status"], 400);
    assert_eq!(body["error"], "revoked");
    assert_eq!(body["message"]["ja"], "この手帳は無効になっています。");
    assert_eq!(body["message"]["en"], "This certificate has been revoked.");

    // A signature by another key is the verifier's bad_key_binding.
    let request = verifier.create(&format!("{base}/response"), &["fare_class"], sb.now());
    let (_, prepared) = w
        .post(
            "present",
            json!({ "request": request, "credential": creds[1] }),
        )
        .await;
    let sig = Es256SigningKey::generate()
        .unwrap()
        .sign_raw(prepared["signing_input"].as_str().unwrap().as_bytes());
    let (status, body) = w
        .post(
            "deliver",
            json!({ "id": prepared["id"], "signature": b64url_encode(&sig) }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["error"], "bad_key_binding");
    // And a signature that is not one is refused before anything is sent.
    let request = verifier.create(&format!("{base}/response"), &["fare_class"], sb.now());
    let before = verifier.received.lock().unwrap().len();
    let (_, prepared) = w
        .post(
            "present",
            json!({ "request": request, "credential": creds[1] }),
        )
        .await;
    let (status, body) = w
        .post(
            "deliver",
            json!({ "id": prepared["id"], "signature": b64url_encode(&[1u8; 10]) }),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_signature"))
    );
    assert_eq!(verifier.received.lock().unwrap().len(), before);
    sb.stop().await;
}

#[tokio::test]
async fn decline_posts_access_denied_with_the_state() {
    let sb = Sandbox::start().await;
    let (verifier, base) = TestVerifier::start(&sb).await;
    let mut w = Wallet::signed_in(&sb, "hanako").await;
    let request = verifier.create(&format!("{base}/response"), &RAILWAY_CLAIMS, sb.now());
    let state = pairs(&request)
        .into_iter()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1;
    let (status, body) = w.post("decline", json!({ "request": request })).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["accepted"], true);
    let form = verifier.received.lock().unwrap()[0].clone();
    assert_eq!(
        form,
        format!("error=access_denied&state={}", form_encode(&state))
    );
    assert_eq!(
        verifier.outcomes.lock().unwrap()[0],
        Err("access_denied".to_owned())
    );
    sb.stop().await;
}

/// A request whose `response_uri` is one of the sandbox's own unauthenticated control
/// endpoints must not turn the wallet's server-side POST (which carries no `Origin`)
/// into a way to drive them: a QR code would otherwise reset the sandbox or rotate its
/// keys when the holder merely declines.
#[tokio::test]
async fn the_wallet_cannot_be_made_to_post_to_the_sandbox_controls() {
    let sb = Sandbox::start().await;
    let (verifier, _) = TestVerifier::start(&sb).await;
    let mut w = Wallet::signed_in(&sb, "hanako").await;
    let jwks_before = sb.get_json("/jwks.json").await.1;
    for path in ["/_sandbox/reset", "/_sandbox/rotate-keys"] {
        let request = verifier.create(&sb.url(path), &["fare_class"], sb.now());
        let (status, body) = w.post("decline", json!({ "request": request })).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert_eq!(
            (body["status"].as_u64(), body["accepted"].as_bool()),
            (Some(403), Some(false)),
            "{path}: the control endpoint must refuse the wallet's delivery: {body}"
        );
    }
    // Nothing was reset (the wallet session survives) and no key was rotated.
    let (status, body) = w.send("GET", "session", None).await;
    assert_eq!((status, body["user"].is_null()), (200, false), "{body}");
    assert_eq!(sb.get_json("/jwks.json").await.1, jwks_before);
    sb.stop().await;
}

#[tokio::test]
async fn delivery_goes_only_to_loopback_http() {
    let sb = Sandbox::start().await;
    let (verifier, _) = TestVerifier::start(&sb).await;
    let mut w = Wallet::signed_in(&sb, "hanako").await;
    let creds = credential_strings(&w.credentials().await);
    // §7.3 accepts https anywhere; the sandbox, which has no network, refuses to send.
    let remote = verifier.create(
        "https://rail.example/counter/response",
        &["fare_class"],
        sb.now(),
    );
    let (status, _) = w.inspect(&remote, &creds).await;
    assert_eq!(status, 200, "the request itself is fine");
    let (status, prepared) = w
        .post(
            "present",
            json!({ "request": remote, "credential": creds[0] }),
        )
        .await;
    assert_eq!(status, 200);
    let sig = w
        .key
        .sign_raw(prepared["signing_input"].as_str().unwrap().as_bytes());
    let (status, body) = w
        .post(
            "deliver",
            json!({ "id": prepared["id"], "signature": b64url_encode(&sig) }),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("delivery_refused")),
        "{body}"
    );
    assert!(body["message"]["ja"]
        .as_str()
        .unwrap()
        .contains("送信していません"));
    let (status, body) = w.post("decline", json!({ "request": remote })).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("delivery_refused"))
    );

    // A loopback verifier that is not listening: a clear failure, not a hang.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/response", l.local_addr().unwrap())
    };
    let gone = verifier.create(&closed, &["fare_class"], sb.now());
    let (status, body) = w.post("decline", json!({ "request": gone })).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (502, Some("delivery_failed"))
    );
    assert!(verifier.received.lock().unwrap().is_empty());
    sb.stop().await;
}
