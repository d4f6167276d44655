//! The example server against a real sandbox started in-process: a presentation built
//! with the SDK's holder helpers is accepted once, and refused with the PROTOCOL.md §4
//! code when the nonce is wrong, forged, expired or replayed, the audience is another
//! partner's, or the credential was revoked after the nonce was issued.

// Helpers in this test crate fail loudly by design.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use mirairo_id_example_rust_server::{app, Config};
use mirairo_id_sandbox::{serve, Config as SandboxConfig, ServerHandle};
use mirairo_id_sdk::jose::Es256SigningKey;
use mirairo_id_sdk::sdjwt::key_binding_jwt;
use serde_json::{json, Value};

const AUDIENCE: &str = "https://rail.example";
/// hanako's certificate 0 (身体 2級 第1種) sits at index 412 of the status list.
const HANAKO_STATUS_IDX: u64 = 412;

struct Setup {
    sandbox: ServerHandle,
    partner: String,
    http: reqwest::Client,
}

impl Setup {
    async fn start() -> Setup {
        Setup::start_with(|config| config).await
    }

    /// With the server's configuration changed by `f`.
    async fn start_with(f: impl FnOnce(Config) -> Config) -> Setup {
        let sandbox = serve(SandboxConfig::for_tests()).await.unwrap();
        let router = app(f(Config::new(sandbox.issuer.clone(), AUDIENCE)))
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let partner = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });
        Setup {
            sandbox,
            partner,
            http: reqwest::Client::new(),
        }
    }

    async fn post(&self, url: String, body: Value) -> (u16, Value) {
        let res = self.http.post(url).json(&body).send().await.unwrap();
        (
            res.status().as_u16(),
            res.json().await.unwrap_or(Value::Null),
        )
    }

    async fn sandbox(&self, path: &str, body: Value) -> Value {
        let (status, v) = self
            .post(format!("{}{path}", self.sandbox.issuer), body)
            .await;
        assert_eq!(status, 200, "{path}: {v}");
        v
    }

    async fn nonce(&self) -> String {
        let (status, v) = self
            .post(format!("{}/nonce", self.partner), json!({}))
            .await;
        assert_eq!((status, v["audience"].as_str()), (200, Some(AUDIENCE)));
        v["nonce"].as_str().unwrap().to_owned()
    }

    async fn verify(&self, presentation: &str) -> (u16, Value) {
        self.post(
            format!("{}/verify", self.partner),
            json!({ "presentation": presentation }),
        )
        .await
    }

    /// The holder: a key of its own and a credential bound to it.
    async fn holder(&self) -> (Es256SigningKey, String) {
        let key = Es256SigningKey::generate().unwrap();
        let v = self
            .sandbox(
                "/_sandbox/issue",
                json!({ "user": "hanako", "certificate": 0,
                        "claims": ["fare_class", "caregiver", "valid_until"],
                        "holder_jwk": key.public_jwk().to_json() }),
            )
            .await;
        (key, v["credential"].as_str().unwrap().to_owned())
    }
}

/// `nonce` with its `index`th `.`-separated part changed by `f` (the nonce is opaque to
/// the browser; only these tests take it apart).
fn with_part(nonce: &str, index: usize, f: impl Fn(&str) -> String) -> String {
    let parts: Vec<String> = nonce
        .split('.')
        .enumerate()
        .map(|(i, p)| if i == index { f(p) } else { p.to_owned() })
        .collect();
    parts.join(".")
}

/// `part` with its first character swapped for another base64url character.
fn first_char_changed(part: &str) -> String {
    let other = if part.starts_with('A') { 'B' } else { 'A' };
    format!("{other}{}", &part[1..])
}

fn present(key: &Es256SigningKey, credential: &str, aud: &str, nonce: &str, iat: i64) -> String {
    format!(
        "{credential}{}",
        key_binding_jwt(key, credential, aud, nonce, iat)
    )
}

#[tokio::test]
async fn accepts_a_fresh_presentation_once() {
    let s = Setup::start().await;
    let (key, credential) = s.holder().await;
    let nonce = s.nonce().await;
    let now = s.sandbox.clock().now();
    let presentation = present(&key, &credential, AUDIENCE, &nonce, now);

    let (status, body) = s.verify(&presentation).await;
    assert_eq!(status, 200, "{body}");
    let v = &body["verified"];
    assert_eq!(v["keyBound"], true);
    assert_eq!(v["fareClass"], 1);
    assert_eq!(v["caregiver"], true);
    assert_eq!(
        v["disclosed"],
        json!(["fare_class", "caregiver", "valid_until"])
    );
    assert!(v.get("familyName").is_none());

    let (status, body) = s.verify(&presentation).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("bad_key_binding")),
        "replayed nonce"
    );
    s.sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn refuses_with_the_protocol_code() {
    let s = Setup::start().await;
    let (key, credential) = s.holder().await;
    let now = s.sandbox.clock().now();
    let other_key = Es256SigningKey::generate().unwrap();
    let by_holder = |aud: &str, nonce: &str| present(&key, &credential, aud, nonce, now);
    // Each row gets a fresh nonce, so only its own fault can fail it.
    // (what, presentation for the fresh nonce, expected code)
    type Make<'a> = Box<dyn Fn(&str) -> String + 'a>;
    let rows: Vec<(&str, Make, &str)> = vec![
        (
            "a nonce this server never issued",
            Box::new(|_| by_holder(AUDIENCE, "not-issued-here-0123456")),
            "bad_key_binding",
        ),
        (
            "an issued nonce with its expiry moved",
            Box::new(|n| {
                let later = |e: &str| (e.parse::<i64>().unwrap() + 3_600_000).to_string();
                by_holder(AUDIENCE, &with_part(n, 0, later))
            }),
            "bad_key_binding",
        ),
        (
            "an issued nonce with another random part",
            Box::new(|n| by_holder(AUDIENCE, &with_part(n, 1, first_char_changed))),
            "bad_key_binding",
        ),
        (
            "an issued nonce with another HMAC",
            Box::new(|n| by_holder(AUDIENCE, &with_part(n, 2, first_char_changed))),
            "bad_key_binding",
        ),
        (
            "another partner's audience",
            Box::new(|n| by_holder("https://other.example", n)),
            "bad_key_binding",
        ),
        (
            "a KB-JWT signed by another key",
            Box::new(|n| present(&other_key, &credential, AUDIENCE, n, now)),
            "bad_key_binding",
        ),
        (
            "no key binding",
            Box::new(|_| credential.clone()),
            "key_binding_required",
        ),
        (
            "not an SD-JWT",
            Box::new(|_| "hello".to_owned()),
            "malformed",
        ),
    ];
    for (what, make, code) in rows {
        let (status, body) = s.verify(&make(&s.nonce().await)).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (403, Some(code)),
            "{what}: {body}"
        );
    }
    let (status, body) = s
        .post(format!("{}/verify", s.partner), json!({ "nope": 1 }))
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
    s.sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_nonce_is_usable_only_until_it_expires() {
    let s = Setup::start_with(|config| Config {
        nonce_ttl: Duration::from_millis(1_500),
        ..config
    })
    .await;
    let (key, credential) = s.holder().await;
    // (milliseconds between issuing and presenting, expected status, expected code)
    let rows = [(0, 200, None), (1_700, 403, Some("bad_key_binding"))];
    for (wait, expected_status, expected_code) in rows {
        let nonce = s.nonce().await;
        tokio::time::sleep(Duration::from_millis(wait)).await;
        let presentation = present(&key, &credential, AUDIENCE, &nonce, s.sandbox.clock().now());
        let (status, body) = s.verify(&presentation).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (expected_status, expected_code),
            "after {wait} ms: {body}"
        );
    }
    s.sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_refused_presentation_does_not_use_up_its_nonce_an_accepted_one_does() {
    let s = Setup::start().await;
    let (key, credential) = s.holder().await;
    let nonce = s.nonce().await;
    // (what, audience of the KB-JWT, expected status, expected code)
    let rows = [
        (
            "refused: another partner's audience",
            "https://other.example",
            403,
            Some("bad_key_binding"),
        ),
        ("then accepted: the right audience", AUDIENCE, 200, None),
        (
            "then refused: a new presentation for the same nonce",
            AUDIENCE,
            403,
            Some("bad_key_binding"),
        ),
    ];
    for (what, audience, expected_status, expected_code) in rows {
        // A new KB-JWT each time, not a replay of the same bytes.
        let presentation = present(&key, &credential, audience, &nonce, s.sandbox.clock().now());
        let (status, body) = s.verify(&presentation).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (expected_status, expected_code),
            "{what}: {body}"
        );
    }
    s.sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn refuses_a_credential_revoked_after_the_nonce() {
    let s = Setup::start().await;
    let (key, credential) = s.holder().await;
    let nonce = s.nonce().await;
    s.sandbox(
        "/_sandbox/status",
        json!({ "idx": HANAKO_STATUS_IDX, "status": 1 }),
    )
    .await;
    let presentation = present(&key, &credential, AUDIENCE, &nonce, s.sandbox.clock().now());
    let (status, body) = s.verify(&presentation).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("revoked")),
        "{body}"
    );
    s.sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn follows_a_key_rotation() {
    let s = Setup::start().await;
    s.sandbox("/_sandbox/rotate-keys", json!({})).await;
    // Signed by a key the server did not have at start: it refetches the JWKS once.
    let (key, credential) = s.holder().await;
    let nonce = s.nonce().await;
    let presentation = present(&key, &credential, AUDIENCE, &nonce, s.sandbox.clock().now());
    let (status, body) = s.verify(&presentation).await;
    assert_eq!(status, 200, "{body}");
    s.sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn refetches_the_keys_at_most_once_a_minute() {
    // The core's rule (PROTOCOL §1), as in the JS `verifyOnline`.
    let s = Setup::start().await;
    s.sandbox("/_sandbox/rotate-keys", json!({})).await;
    let (key, credential) = s.holder().await;
    let nonce = s.nonce().await;
    let presentation = present(&key, &credential, AUDIENCE, &nonce, s.sandbox.clock().now());
    let (status, body) = s.verify(&presentation).await;
    assert_eq!(status, 200, "first rotation: one refetch: {body}");
    // A second rotation within the minute: no second refetch yet.
    s.sandbox("/_sandbox/rotate-keys", json!({})).await;
    let (key, credential) = s.holder().await;
    let nonce = s.nonce().await;
    let presentation = present(&key, &credential, AUDIENCE, &nonce, s.sandbox.clock().now());
    let (status, body) = s.verify(&presentation).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("unknown_key")),
        "{body}"
    );
    s.sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn keeps_a_verified_status_list_until_its_ttl() {
    // PROTOCOL §4: a verified list may be used until its `exp` or `ttl` (the sandbox's
    // is 300 s), so a revocation reaches this server at the next fetch, not at once.
    let s = Setup::start().await;
    let (key, credential) = s.holder().await;
    let nonce = s.nonce().await;
    let presentation = present(&key, &credential, AUDIENCE, &nonce, s.sandbox.clock().now());
    assert_eq!(s.verify(&presentation).await.0, 200);
    s.sandbox(
        "/_sandbox/status",
        json!({ "idx": HANAKO_STATUS_IDX, "status": 1 }),
    )
    .await;
    let nonce = s.nonce().await;
    let presentation = present(&key, &credential, AUDIENCE, &nonce, s.sandbox.clock().now());
    let (status, body) = s.verify(&presentation).await;
    assert_eq!(status, 200, "served from the cache: {body}");
    s.sandbox.shutdown().await.unwrap();
}
