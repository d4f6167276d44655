//! Test harness: a real sandbox on an ephemeral loopback port, a holder with a DPoP
//! key made by the SDK, and helpers for the authorization code flow.
#![allow(dead_code)]
// Test support code: failing loudly is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicU64, Ordering};

pub use mirairo_id_sandbox::util::{from_sdk, to_sdk};
use mirairo_id_sandbox::{serve, Config, ServerHandle};
use mirairo_id_sdk::dpop::{access_token_hash, dpop_proof, dpop_proof_with_nonce};
/// Redirect and request URLs are read by the SDK core's strict decoder (a repeated
/// parameter fails the test).
pub use mirairo_id_sdk::form::Form;
use mirairo_id_sdk::jose::{b64url_encode, Es256SigningKey, JwkSet, Jws};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

pub const TEST_CLIENT: &str = "sandbox-test";
pub const TEST_REDIRECT: &str = "http://127.0.0.1/callback";
pub const TEST_ORIGIN: &str = "http://127.0.0.1";

pub struct Sandbox {
    pub handle: ServerHandle,
    pub base: String,
    pub http: reqwest::Client,
}

pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

impl Sandbox {
    pub async fn start() -> Self {
        Self::start_with(Config::for_tests()).await
    }

    pub async fn start_with(config: Config) -> Self {
        let handle = serve(config).await.expect("sandbox starts");
        let base = handle.issuer.clone();
        Sandbox {
            handle,
            base,
            http: http_client(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The server's clock (tests move it instead of sleeping).
    pub fn now(&self) -> i64 {
        self.handle.clock().now()
    }

    pub async fn stop(self) {
        self.handle.shutdown().await.unwrap();
    }

    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let r = self.http.get(self.url(path)).send().await.unwrap();
        let status = r.status().as_u16();
        let body = r.text().await.unwrap();
        (status, serde_json::from_str(&body).unwrap_or(Value::Null))
    }

    /// The body of `GET path` as text, whatever the status.
    pub async fn get_text(&self, path: &str) -> String {
        let r = self.http.get(self.url(path)).send().await.unwrap();
        r.text().await.unwrap()
    }

    pub async fn post_json(&self, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(self.url(path))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn jwks(&self) -> JwkSet {
        let (_, v) = self.get_json("/jwks.json").await;
        JwkSet::from_json(&to_sdk(&v)).unwrap()
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A unique string (for jti, state, nonce).
pub fn unique(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let mut h = Sha256::new();
    h.update(prefix.as_bytes());
    h.update(n.to_le_bytes());
    h.update(std::process::id().to_le_bytes());
    h.update(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
            .to_le_bytes(),
    );
    b64url_encode(&h.finalize())
}

/// The holder: a browser with its DPoP key.
pub struct Holder {
    pub key: Es256SigningKey,
}

impl Holder {
    pub fn new() -> Self {
        Holder {
            key: Es256SigningKey::generate().unwrap(),
        }
    }

    pub fn jkt(&self) -> String {
        self.key.public_jwk().thumbprint()
    }

    pub fn proof(&self, htm: &str, htu: &str, iat: i64) -> String {
        dpop_proof(&self.key, htm, htu, iat, &unique("jti"), None)
    }

    /// A proof with a server nonce and, given an access token, its `ath`.
    pub fn proof_with_nonce(
        &self,
        htm: &str,
        htu: &str,
        iat: i64,
        access_token: Option<&str>,
        nonce: Option<&str>,
    ) -> String {
        let ath = access_token.map(access_token_hash);
        dpop_proof_with_nonce(
            &self.key,
            htm,
            htu,
            iat,
            &unique("jti"),
            ath.as_deref(),
            nonce,
        )
    }

    pub fn proof_with_ath(&self, htm: &str, htu: &str, iat: i64, access_token: &str) -> String {
        let ath = access_token_hash(access_token);
        dpop_proof(&self.key, htm, htu, iat, &unique("jti"), Some(&ath))
    }
}

/// A holder key with an SD-JWT VC bound to it: hanako's certificate `certificate`, issued
/// by `/_sandbox/issue` with `claims` disclosable.
pub struct BoundCredential {
    pub key: Es256SigningKey,
    pub credential: String,
}

impl BoundCredential {
    pub async fn issue(sb: &Sandbox, certificate: u64, claims: &[&str]) -> Self {
        let key = Es256SigningKey::generate().unwrap();
        let (status, body) = sb
            .post_json(
                "/_sandbox/issue",
                serde_json::json!({ "user": "hanako", "certificate": certificate, "claims": claims,
                        "holder_jwk": from_sdk(&key.public_jwk().to_json()) }),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let credential = body["credential"].as_str().unwrap().to_owned();
        BoundCredential { key, credential }
    }

    /// The §3 presentation with a KB-JWT for `aud` and `nonce`.
    pub fn present(&self, aud: &str, nonce: &str, iat: i64) -> String {
        let kb =
            mirairo_id_sdk::sdjwt::key_binding_jwt(&self.key, &self.credential, aud, nonce, iat);
        format!("{}{kb}", self.credential)
    }
}

pub struct Pkce {
    pub verifier: String,
    pub challenge: String,
}

pub fn pkce() -> Pkce {
    let verifier = format!("{}{}", unique("v1"), unique("v2"));
    let challenge = b64url_encode(&Sha256::digest(verifier.as_bytes()));
    Pkce {
        verifier,
        challenge,
    }
}

/// The parameters of an authorization request.
pub struct AuthParams {
    pub pairs: Vec<(String, String)>,
    pub pkce: Pkce,
    pub state: String,
    pub nonce: String,
}

impl AuthParams {
    pub fn new(holder: &Holder) -> Self {
        Self::for_client(holder, TEST_CLIENT, TEST_REDIRECT)
    }

    pub fn for_client(holder: &Holder, client_id: &str, redirect_uri: &str) -> Self {
        let pkce = pkce();
        let state = unique("state");
        let nonce = unique("nonce");
        let pairs = vec![
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", redirect_uri),
            ("scope", "openid profile certificate"),
            ("state", &state),
            ("nonce", &nonce),
            ("code_challenge", &pkce.challenge),
            ("code_challenge_method", "S256"),
            ("dpop_jkt", &holder.jkt()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        AuthParams {
            pairs,
            pkce,
            state,
            nonce,
        }
    }

    pub fn set(mut self, name: &str, value: &str) -> Self {
        self.pairs.retain(|(k, _)| k != name);
        self.pairs.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Adds another occurrence of a parameter.
    pub fn push(mut self, name: &str, value: &str) -> Self {
        self.pairs.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn remove(mut self, name: &str) -> Self {
        self.pairs.retain(|(k, _)| k != name);
        self
    }

    pub fn query(&self) -> String {
        encode_form(&self.pairs)
    }
}

pub fn encode_form(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                mirairo_id_sandbox::util::form_encode(k),
                mirairo_id_sandbox::util::form_encode(v)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    encode_form(
        &pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<Vec<_>>(),
    )
}

/// The query parameters of a redirect URL.
pub fn query_of(url: &str) -> Form {
    let q = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    Form::parse(q, usize::MAX).unwrap()
}

/// `POST /_sandbox/authorize` → the redirect URL.
pub async fn sandbox_authorize(
    sb: &Sandbox,
    params: &AuthParams,
    extra: &[(&str, &str)],
) -> (u16, Value) {
    let mut pairs = params.pairs.clone();
    for (k, v) in extra {
        pairs.push(((*k).to_owned(), (*v).to_owned()));
    }
    let r = sb
        .http
        .post(sb.url("/_sandbox/authorize"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encode_form(&pairs))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (
        status,
        serde_json::from_str(&r.text().await.unwrap()).unwrap_or(Value::Null),
    )
}

/// Completes sign-in and consent for hanako's certificate 0 and returns the code.
pub async fn code_for(sb: &Sandbox, params: &AuthParams, extra: &[(&str, &str)]) -> String {
    let (status, v) = sandbox_authorize(sb, params, extra).await;
    assert_eq!(status, 200, "{v}");
    let url = v["redirect"].as_str().unwrap().to_owned();
    let q = query_of(&url);
    assert_eq!(q.get("state"), Some(params.state.as_str()));
    assert_eq!(q.get("iss"), Some(sb.base.as_str()));
    q.get("code")
        .unwrap_or_else(|| panic!("no code in {url}"))
        .to_owned()
}

pub struct TokenReply {
    pub status: u16,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl TokenReply {
    pub fn error(&self) -> &str {
        self.body["error"].as_str().unwrap_or("")
    }
}

/// `POST /token` with a form and an optional DPoP proof and Origin.
pub async fn token_request(
    sb: &Sandbox,
    body: &str,
    proof: Option<&str>,
    origin: Option<&str>,
) -> TokenReply {
    let mut req = sb
        .http
        .post(sb.url("/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_owned());
    if let Some(p) = proof {
        req = req.header("DPoP", p);
    }
    if let Some(o) = origin {
        req = req.header("Origin", o);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap();
    TokenReply {
        status,
        body: serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}")),
        headers,
    }
}

pub fn code_form(code: &str, params: &AuthParams) -> String {
    form(&[
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", TEST_REDIRECT),
        ("client_id", TEST_CLIENT),
        ("code_verifier", &params.pkce.verifier),
    ])
}

/// A full login: authorize + token exchange with a fresh proof.
pub async fn login(
    sb: &Sandbox,
    holder: &Holder,
    extra: &[(&str, &str)],
) -> (AuthParams, TokenReply) {
    let params = AuthParams::new(holder);
    let code = code_for(sb, &params, extra).await;
    let proof = holder.proof("POST", &sb.url("/token"), sb.now());
    let reply = token_request(sb, &code_form(&code, &params), Some(&proof), None).await;
    (params, reply)
}

pub async fn refresh(sb: &Sandbox, holder: &Holder, refresh_token: &str) -> TokenReply {
    let proof = holder.proof("POST", &sb.url("/token"), sb.now());
    token_request(
        sb,
        &form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", TEST_CLIENT),
        ]),
        Some(&proof),
        None,
    )
    .await
}

pub async fn userinfo(sb: &Sandbox, holder: &Holder, access_token: &str) -> (u16, Value) {
    let proof = holder.proof_with_ath("GET", &sb.url("/userinfo"), sb.now(), access_token);
    let r = sb
        .http
        .get(sb.url("/userinfo"))
        .header("Authorization", format!("DPoP {access_token}"))
        .header("DPoP", proof)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (
        status,
        serde_json::from_str(&r.text().await.unwrap()).unwrap_or(Value::Null),
    )
}

/// An SDK JSON object as a serde_json object.
pub fn serde_map(map: mirairo_id_sdk::json::Map) -> Map<String, Value> {
    from_sdk(&map.into()).as_object().cloned().unwrap()
}

/// Verifies a JWS with the JWKS (by kid) and returns (header, payload).
pub fn verify_jws(jwks: &JwkSet, jwt: &str) -> (Map<String, Value>, Map<String, Value>) {
    let jws = Jws::parse(jwt).unwrap();
    let kid = jws.header_str("kid").expect("kid").to_owned();
    let key = jwks.find(&kid).expect("kid in JWKS");
    assert!(jws.verify_es256(key), "signature verifies");
    (
        serde_map(jws.header().clone()),
        serde_map(jws.payload_object().unwrap()),
    )
}

/// Sends raw bytes over TCP and returns the raw response (for requests a client
/// library would normalise or refuse to send).
pub async fn raw_http(addr: std::net::SocketAddr, request: &[u8]) -> String {
    let request = request.to_vec();
    tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        s.write_all(&request).unwrap();
        let mut buf = Vec::new();
        let _ = s.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    })
    .await
    .unwrap()
}

/// A fresh temporary directory.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "mirairo-sandbox-{name}-{}",
        unique("d").replace(['-', '_'], "")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
