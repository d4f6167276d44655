//! Login conformance, modelled on the OpenID Foundation's RP certification tests
//! (rp-id_token-*, rp-response_type-code, rp-key-rotation-*, rp-userinfo-bad-sub-claim):
//! a test provider with in-test keys crafts authorization and token responses that
//! misbehave one way at a time, and the client must refuse with the right code.
//! Each row: what the provider does wrong -> the expected code (and reason).

// Test helpers outside #[test] fns fail loudly by design.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{issuer_key, other_key, raw_jws, rotated_key, sdk, serde, Signer, ISSUER, NOW};
use mirairo_id_sdk::dpop::{verify_dpop_proof, DpopProof};
use mirairo_id_sdk::jose::{EcPublicJwk, Es256SigningKey};
use mirairo_id_sdk::oidc::{
    callback_state, Answer, ClientOptions, LoginClient, LoginError, LoginOptions, LoginResult,
    Next, Retried, Step, TokenResponse, Transaction, MAX_TRANSACTION_AGE,
};
use mirairo_id_sdk::{Verifier, VerifierConfig, VerifyOptions};
use serde_json::{json, Value};
use std::collections::HashMap;

const ORIGIN: &str = "http://127.0.0.1:8080";
const CLIENT: &str = "demo-railway";
const REDIRECT: &str = "http://127.0.0.1:8080/demo/callback.html";

fn holder() -> Es256SigningKey {
    common::holder_key()
}

fn jwk(key: &Es256SigningKey, kid: Option<&str>) -> Value {
    let mut j = key.public_jwk();
    j.kid = kid.map(str::to_owned);
    j.key_use = Some("sig".into());
    j.alg = Some("ES256".into());
    serde(&j.to_json())
}

fn metadata() -> String {
    json!({
        "issuer": ISSUER,
        "authorization_endpoint": format!("{ISSUER}/authorize"),
        "token_endpoint": format!("{ISSUER}/token"),
        "jwks_uri": format!("{ISSUER}/jwks.json"),
        "userinfo_endpoint": format!("{ISSUER}/userinfo"),
        "end_session_endpoint": format!("{ISSUER}/logout"),
        "code_challenge_methods_supported": ["S256"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "authorization_response_iss_parameter_supported": true,
    })
    .to_string()
}

/// What the provider does in one login.
struct Provider {
    jwks: Value,
    /// JWK Set served when the client refetches.
    jwks_after_rotation: Value,
    id_header: Value,
    /// Merged into the valid claims; `null` removes a claim.
    id_claims: Value,
    id_signer: Signer,
    /// `None`: the valid credential for the client's key.
    credential: Option<String>,
    /// Edits the callback URL the provider redirects to.
    callback: fn(&str, &str) -> String,
    /// The clock of the client.
    now: i64,
}

fn valid_callback(state: &str, code: &str) -> String {
    format!("{REDIRECT}?code={code}&state={state}&iss=http%3A%2F%2F127.0.0.1%3A8080")
}

fn valid_credential() -> String {
    let mut case = common::Case::valid();
    case.kb = None;
    case.presentation()
}

impl Provider {
    fn honest() -> Self {
        Self {
            jwks: json!({"keys": [jwk(&issuer_key(), Some("k1"))]}),
            jwks_after_rotation: json!({"keys": [jwk(&issuer_key(), Some("k1"))]}),
            id_header: json!({"alg": "ES256", "typ": "JWT", "kid": "k1"}),
            id_claims: json!({}),
            id_signer: Signer::Es256(issuer_key()),
            credential: None,
            callback: valid_callback,
            now: NOW,
        }
    }

    fn id_token(&self, nonce: &str) -> String {
        let mut claims = json!({
            "iss": ISSUER, "sub": "pairwise-7f3a", "aud": CLIENT,
            "iat": NOW - 5, "exp": NOW + 595, "auth_time": NOW - 30, "nonce": nonce,
        });
        for (k, v) in self.id_claims.as_object().into_iter().flatten() {
            if v.is_null() {
                claims.as_object_mut().map(|m| m.remove(k));
            } else {
                claims[k] = v.clone();
            }
        }
        raw_jws(&self.id_header, &claims, &self.id_signer, &|s| s)
    }

    fn token_response(&self, nonce: &str) -> String {
        json!({
            "access_token": "at-1", "token_type": "DPoP", "expires_in": 600,
            "refresh_token": "rt-1", "id_token": self.id_token(nonce),
            "certificate_credential": self.credential.clone().unwrap_or_else(valid_credential),
        })
        .to_string()
    }
}

fn options() -> ClientOptions {
    ClientOptions {
        issuer: ISSUER.into(),
        client_id: CLIENT.into(),
        redirect_uri: REDIRECT.into(),
        certificate_claims: None,
        profile: false,
        lang: None,
    }
}

/// The browser's sessionStorage: transactions keyed by state, removed on read.
#[derive(Default)]
struct Storage(HashMap<String, Transaction>);

impl Storage {
    fn take_for(&mut self, url: &str) -> Option<Transaction> {
        callback_state(url).and_then(|s| self.0.remove(&s))
    }
}

struct Outcome {
    result: Result<LoginResult, LoginError>,
    refetches: u32,
}

/// Runs one whole login against `p` with a fresh client, exactly as the browser layer
/// does, counting the JWK Set refetches.
fn login(p: &Provider) -> Outcome {
    let mut client = LoginClient::new(options(), ORIGIN).unwrap();
    let mut storage = Storage::default();
    let mut refetches = 0;
    let result = login_with(&mut client, &mut storage, p, &mut refetches);
    Outcome { result, refetches }
}

fn login_with(
    client: &mut LoginClient,
    storage: &mut Storage,
    p: &Provider,
    refetches: &mut u32,
) -> Result<LoginResult, LoginError> {
    if client.metadata().is_none() {
        client.set_metadata(&metadata())?;
        client.set_jwks(&p.jwks.to_string(), p.now, false)?;
    }
    let holder = holder().public_jwk();
    let request = client.authorization_request(LoginOptions::default(), &holder, p.now)?;
    let tx = request.transaction.clone();
    storage.0.insert(tx.state.secret().to_owned(), tx.clone());
    let url = (p.callback)(tx.state.secret(), "code-1");
    let stored = storage.take_for(&url);
    let code = client.accept_callback(&url, stored.as_ref(), p.now)?;
    assert_eq!(code, "code-1");
    let token_request = client.code_token_request(&code, &tx)?;
    assert!(token_request.body.contains("code_verifier="));
    let response = TokenResponse::parse(200, &p.token_response(tx.nonce.secret()))?;
    loop {
        match client.complete_login(&response, &tx, &holder, p.now)? {
            Step::Done(result) => return Ok(result),
            Step::RefetchJwks => {
                *refetches += 1;
                client.set_jwks(&p.jwks_after_rotation.to_string(), p.now, true)?;
            }
        }
    }
}

type Edit = fn(&mut Provider);

/// `(name, misbehaviour, expected code, expected reason)`.
const REFUSALS: &[(&str, Edit, &str, Option<&str>)] = &[
    // rp-id_token-sig-es256 (invalid signature)
    (
        "invalid ES256 signature",
        |p| p.id_signer = Signer::Es256(other_key()),
        "bad_id_token",
        Some("bad_signature"),
    ),
    // rp-id_token-sig-none
    (
        "alg none",
        |p| {
            p.id_header = json!({"alg": "none", "typ": "JWT", "kid": "k1"});
            p.id_signer = Signer::Unsigned;
        },
        "bad_id_token",
        Some("unsupported_algorithm"),
    ),
    // rp-id_token-sig-hs256 (public key as HMAC secret)
    (
        "HMAC-signed",
        |p| {
            p.id_header = json!({"alg": "HS256", "typ": "JWT", "kid": "k1"});
            p.id_signer = Signer::Hs256(
                issuer_key()
                    .public_jwk()
                    .to_sec1_uncompressed()
                    .unwrap()
                    .to_vec(),
            );
        },
        "bad_id_token",
        Some("unsupported_algorithm"),
    ),
    (
        "key in the token header",
        |p| {
            p.id_header = json!({"alg": "ES256", "typ": "JWT", "jwk": serde(&other_key().public_jwk().to_json())});
            p.id_signer = Signer::Es256(other_key());
        },
        "bad_id_token",
        Some("unsupported_algorithm"),
    ),
    // rp-id_token-issuer-mismatch
    (
        "wrong iss",
        |p| p.id_claims = json!({"iss": "http://127.0.0.1:9999"}),
        "bad_id_token",
        Some("wrong_issuer"),
    ),
    // rp-id_token-aud
    (
        "wrong aud",
        |p| p.id_claims = json!({"aud": "another-client"}),
        "bad_id_token",
        Some("wrong_audience"),
    ),
    (
        "several aud without azp",
        |p| p.id_claims = json!({"aud": [CLIENT, "x"]}),
        "bad_id_token",
        Some("wrong_audience"),
    ),
    // rp-id_token-iat
    (
        "missing iat",
        |p| p.id_claims = json!({"iat": null}),
        "bad_id_token",
        Some("missing_claim"),
    ),
    // rp-id_token-sub
    (
        "missing sub",
        |p| p.id_claims = json!({"sub": null}),
        "bad_id_token",
        Some("missing_claim"),
    ),
    // rp-nonce-invalid
    (
        "wrong nonce",
        |p| p.id_claims = json!({"nonce": "someone-elses"}),
        "bad_id_token",
        Some("nonce_mismatch"),
    ),
    (
        "no nonce",
        |p| p.id_claims = json!({"nonce": null}),
        "bad_id_token",
        Some("nonce_mismatch"),
    ),
    // rp-id_token-exp (beyond the 60 s leeway)
    (
        "exp past",
        |p| p.id_claims = json!({"iat": NOW - 700, "exp": NOW - 61}),
        "bad_id_token",
        Some("expired"),
    ),
    (
        "iat in the future",
        |p| p.id_claims = json!({"iat": NOW + 61, "exp": NOW + 600}),
        "bad_id_token",
        Some("not_yet_valid"),
    ),
    // rp-id_token-kid-absent-multiple-jwks
    (
        "no kid, several keys",
        |p| {
            p.jwks =
                json!({"keys": [jwk(&issuer_key(), Some("k1")), jwk(&rotated_key(), Some("k2"))]});
            p.jwks_after_rotation = p.jwks.clone();
            p.id_header = json!({"alg": "ES256", "typ": "JWT"});
        },
        "bad_id_token",
        Some("unknown_key"),
    ),
    (
        "unknown kid even after the refetch",
        |p| p.id_header = json!({"alg": "ES256", "typ": "JWT", "kid": "k9"}),
        "bad_id_token",
        Some("unknown_key"),
    ),
    // rp-response-iss (RFC 9207)
    (
        "iss missing in the authorization response",
        |p| {
            p.callback = |state, code| format!("{REDIRECT}?code={code}&state={state}");
        },
        "issuer_mismatch",
        None,
    ),
    (
        "iss wrong in the authorization response",
        |p| {
            p.callback = |state, code| {
                format!("{REDIRECT}?code={code}&state={state}&iss=http%3A%2F%2Fevil.example")
            };
        },
        "issuer_mismatch",
        None,
    ),
    (
        "state mismatch",
        |p| p.callback = |_, code| valid_callback("forged-state", code),
        "state_mismatch",
        None,
    ),
    (
        "state missing",
        |p| {
            p.callback =
                |_, code| format!("{REDIRECT}?code={code}&iss=http%3A%2F%2F127.0.0.1%3A8080");
        },
        "state_mismatch",
        None,
    ),
    (
        "state twice",
        |p| p.callback = |state, code| format!("{}&state=other", valid_callback(state, code)),
        "state_mismatch",
        None,
    ),
    (
        "error response with a wrong state",
        |p| {
            p.callback = |_, _| {
                format!(
                    "{REDIRECT}?error=access_denied&state=forged&iss=http%3A%2F%2F127.0.0.1%3A8080"
                )
            };
        },
        "state_mismatch",
        None,
    ),
    (
        "error response without iss",
        |p| {
            p.callback = |state, _| format!("{REDIRECT}?error=access_denied&state={state}");
        },
        "issuer_mismatch",
        None,
    ),
    (
        "error response",
        |p| {
            p.callback = |state, _| {
                format!("{REDIRECT}?error=access_denied&error_description=no&state={state}&iss=http%3A%2F%2F127.0.0.1%3A8080")
            };
        },
        "provider_error",
        None,
    ),
    // Credential: every issuer-side check, and cnf = our DPoP key.
    (
        "credential bound to another key",
        |p| {
            let mut case = common::Case::valid();
            case.kb = None;
            case.payload["cnf"] = json!({"jwk": serde(&other_key().public_jwk().to_json())});
            p.credential = Some(case.presentation());
        },
        "bad_key_binding",
        None,
    ),
    (
        "credential from another issuer",
        |p| {
            let mut case = common::Case::valid();
            case.kb = None;
            case.payload["iss"] = json!("http://127.0.0.1:9999");
            p.credential = Some(case.presentation());
        },
        "wrong_issuer",
        None,
    ),
    (
        "credential with a bad signature",
        |p| {
            let mut case = common::Case::valid();
            case.kb = None;
            case.signer = Signer::Es256(other_key());
            p.credential = Some(case.presentation());
        },
        "bad_signature",
        None,
    ),
    (
        "credential expired",
        |p| {
            let mut case = common::Case::valid_at(NOW - 90_000);
            case.kb = None;
            p.credential = Some(case.presentation());
        },
        "expired",
        None,
    ),
    (
        "credential with a tampered disclosure",
        |p| {
            let mut case = common::Case::valid();
            case.kb = None;
            case.reference_disclosures = false;
            p.credential = Some(case.presentation());
        },
        "bad_disclosure",
        None,
    ),
];

#[test]
fn the_honest_provider_is_accepted() {
    let out = login(&Provider::honest());
    let result = out.result.unwrap();
    assert_eq!(result.id_token.sub, "pairwise-7f3a");
    let cert = result.certificate.unwrap();
    assert_eq!(
        cert.holder_key_thumbprint,
        holder().public_jwk().thumbprint()
    );
    assert_eq!(out.refetches, 0);
}

#[test]
fn each_misbehaviour_is_refused_with_its_code() {
    for (name, edit, code, reason) in REFUSALS {
        let mut p = Provider::honest();
        edit(&mut p);
        let e = login(&p)
            .result
            .err()
            .unwrap_or_else(|| panic!("{name}: accepted"));
        assert_eq!((e.code(), e.reason()), (*code, *reason), "{name}: {e:?}");
    }
}

#[test]
fn provider_error_keeps_the_oauth_error() {
    let mut p = Provider::honest();
    p.callback = |state, _| {
        format!("{REDIRECT}?error=access_denied&state={state}&iss=http%3A%2F%2F127.0.0.1%3A8080")
    };
    let e = login(&p).result.unwrap_err();
    assert_eq!(e.provider_error(), Some("access_denied"));
}

/// Accepted variations: `(name, edit, expected refetches)`.
const ACCEPTED: &[(&str, Edit, u32)] = &[
    // rp-id_token-kid-absent-single-jwks
    (
        "no kid, one key",
        |p| p.id_header = json!({"alg": "ES256", "typ": "JWT"}),
        0,
    ),
    (
        "typ absent",
        |p| p.id_header = json!({"alg": "ES256", "kid": "k1"}),
        0,
    ),
    (
        "iat 60 s in the future (leeway)",
        |p| p.id_claims = json!({"iat": NOW + 60}),
        0,
    ),
    (
        "exp 59 s ago (leeway)",
        |p| p.id_claims = json!({"iat": NOW - 600, "exp": NOW - 59}),
        0,
    ),
    (
        "several aud with azp",
        |p| p.id_claims = json!({"aud": [CLIENT, "x"], "azp": CLIENT}),
        0,
    ),
    // rp-key-rotation-op-sign-key: unknown kid -> one refetch -> accept
    (
        "key rotation",
        |p| {
            p.jwks_after_rotation =
                json!({"keys": [jwk(&issuer_key(), Some("k1")), jwk(&rotated_key(), Some("k2"))]});
            p.id_header = json!({"alg": "ES256", "typ": "JWT", "kid": "k2"});
            p.id_signer = Signer::Es256(rotated_key());
        },
        1,
    ),
    // RFC 7517 §5: unusable keys are skipped, not fatal.
    (
        "unparseable and unknown-kty keys in the JWKS",
        |p| {
            p.jwks = json!({"keys": [
                {"kty": "RSA", "kid": "r1", "n": "AQAB", "e": "AQAB"},
                {"kty": "OKP", "crv": "Ed25519", "kid": "o1", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
                {"kty": "EC", "crv": "P-256", "kid": "bad", "x": "!!", "y": "??"},
                "not even an object",
                jwk(&issuer_key(), Some("k1")),
            ]});
        },
        0,
    ),
    (
        "no kid, one usable key among unusable ones",
        |p| {
            p.jwks = json!({"keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB"}, jwk(&issuer_key(), Some("k1"))]});
            p.id_header = json!({"alg": "ES256", "typ": "JWT"});
        },
        0,
    ),
];

#[test]
fn accepted_variations() {
    for (name, edit, refetches) in ACCEPTED {
        let mut p = Provider::honest();
        edit(&mut p);
        let out = login(&p);
        assert!(out.result.is_ok(), "{name}: {:?}", out.result.err());
        assert_eq!(out.refetches, *refetches, "{name}");
    }
}

#[test]
fn jwks_refetch_is_rate_limited_to_once_per_60_s() {
    let mut client = LoginClient::new(options(), ORIGIN).unwrap();
    let mut storage = Storage::default();
    let mut p = Provider::honest();
    p.id_header = json!({"alg": "ES256", "typ": "JWT", "kid": "k2"});
    p.id_signer = Signer::Es256(rotated_key());
    p.jwks_after_rotation =
        json!({"keys": [jwk(&issuer_key(), Some("k1")), jwk(&rotated_key(), Some("k2"))]});
    let mut refetches = 0;
    // First unknown kid: the first fetch is not counted, so one refetch is allowed.
    assert!(login_with(&mut client, &mut storage, &p, &mut refetches).is_ok());
    assert_eq!(refetches, 1);
    // Another unknown kid 59 s later: no refetch allowed, unknown_key.
    p.id_header = json!({"alg": "ES256", "typ": "JWT", "kid": "k3"});
    p.now = NOW + 59;
    let e = login_with(&mut client, &mut storage, &p, &mut refetches).unwrap_err();
    assert_eq!(
        (e.code(), e.reason()),
        ("bad_id_token", Some("unknown_key"))
    );
    assert_eq!(refetches, 1);
    assert!(!client.may_refetch_jwks(NOW + 59));
    assert!(client.may_refetch_jwks(NOW + 60));
}

#[test]
fn a_replayed_callback_is_state_mismatch() {
    let mut client = LoginClient::new(options(), ORIGIN).unwrap();
    client.set_metadata(&metadata()).unwrap();
    let p = Provider::honest();
    client.set_jwks(&p.jwks.to_string(), NOW, false).unwrap();
    let mut storage = Storage::default();
    let h = holder().public_jwk();
    let tx = client
        .authorization_request(LoginOptions::default(), &h, NOW)
        .unwrap()
        .transaction;
    storage.0.insert(tx.state.secret().to_owned(), tx.clone());
    let url = valid_callback(tx.state.secret(), "c");
    let first = storage.take_for(&url);
    assert!(client.accept_callback(&url, first.as_ref(), NOW).is_ok());
    // The page loaded twice with the same URL, or the back button: the state is gone.
    let again = storage.take_for(&url);
    assert_eq!(
        client
            .accept_callback(&url, again.as_ref(), NOW)
            .unwrap_err(),
        LoginError::StateMismatch
    );
}

#[test]
fn a_login_attempt_is_usable_for_24_hours_and_not_a_second_more() {
    let mut client = LoginClient::new(options(), ORIGIN).unwrap();
    client.set_metadata(&metadata()).unwrap();
    let tx = client
        .authorization_request(LoginOptions::default(), &holder().public_jwk(), NOW)
        .unwrap()
        .transaction;
    let url = valid_callback(tx.state.secret(), "c");
    for (what, now, accepted) in [
        ("at once", NOW, true),
        (
            "after a long time on the consent page",
            NOW + 3 * 60 * 60,
            true,
        ),
        ("at exactly the limit", NOW + MAX_TRANSACTION_AGE, true),
        (
            "one second after the limit",
            NOW + MAX_TRANSACTION_AGE + 1,
            false,
        ),
        ("the device clock set back an hour", NOW - 60 * 60, true),
        (
            "the device clock set back over a day",
            NOW - MAX_TRANSACTION_AGE - 1,
            false,
        ),
    ] {
        let result = client.accept_callback(&url, Some(&tx), now);
        match accepted {
            true => assert_eq!(result.as_deref(), Ok("c"), "{what}"),
            false => assert_eq!(result, Err(LoginError::StateMismatch), "{what}"),
        }
    }
}

/// A login attempt made by a client with metadata, and a fresh client (the callback
/// page's) that has fetched nothing.
fn attempt_and_fresh_client() -> (Transaction, LoginClient) {
    let mut first = LoginClient::new(options(), ORIGIN).unwrap();
    first.set_metadata(&metadata()).unwrap();
    let tx = first
        .authorization_request(LoginOptions::default(), &holder().public_jwk(), NOW)
        .unwrap()
        .transaction;
    (tx, LoginClient::new(options(), ORIGIN).unwrap())
}

#[test]
fn the_callback_page_redeems_the_code_with_the_attempts_own_metadata() {
    let (tx, mut client) = attempt_and_fresh_client();
    assert!(client.metadata().is_none());
    // Stored as JSON text in sessionStorage and read back, as the browser layer does.
    let stored = Transaction::from_json(&sdk(&serde(&tx.to_json()))).unwrap();
    assert_eq!(stored, tx);
    let url = valid_callback(tx.state.secret(), "c");
    assert_eq!(
        client.accept_callback(&url, Some(&stored), NOW).as_deref(),
        Ok("c")
    );
    let request = client.code_token_request("c", &stored).unwrap();
    assert_eq!(request.url, format!("{ISSUER}/token"));
    let m = client.metadata().unwrap();
    assert_eq!(m.jwks_uri, format!("{ISSUER}/jwks.json"));
    assert_eq!(
        m.userinfo_endpoint.as_deref(),
        Some(&*format!("{ISSUER}/userinfo"))
    );
    assert_eq!(
        m.end_session_endpoint.as_deref(),
        Some(&*format!("{ISSUER}/logout"))
    );
}

#[test]
fn an_attempts_metadata_that_fails_the_metadata_checks_is_not_used() {
    // One rule of PROTOCOL §1 broken at a time; the client then has no metadata (the
    // browser layer fetches it) and the code is not sent anywhere yet.
    type MetadataEdit = fn(&mut serde_json::Map<String, Value>);
    let edits: &[(&str, MetadataEdit)] = &[
        ("another issuer", |m| {
            m.insert("issuer".into(), json!("https://evil.example"));
        }),
        ("no issuer", |m| {
            m.remove("issuer");
        }),
        ("a token endpoint that is not http(s)", |m| {
            m.insert("token_endpoint".into(), json!("javascript:alert(1)"));
        }),
        ("no token endpoint", |m| {
            m.remove("token_endpoint");
        }),
        ("no jwks_uri", |m| {
            m.remove("jwks_uri");
        }),
    ];
    for (what, edit) in edits {
        let (mut tx, mut client) = attempt_and_fresh_client();
        let mut m = serde(tx.metadata.as_ref().unwrap())
            .as_object()
            .cloned()
            .unwrap();
        edit(&mut m);
        tx.metadata = Some(sdk(&Value::Object(m)));
        let url = valid_callback(tx.state.secret(), "c");
        assert_eq!(
            client.accept_callback(&url, Some(&tx), NOW).as_deref(),
            Ok("c"),
            "{what}"
        );
        assert!(client.metadata().is_none(), "{what}");
        assert!(client.code_token_request("c", &tx).is_err(), "{what}");
    }
    // The same copy unedited is used (the edits above are what refused it).
    let (tx, mut client) = attempt_and_fresh_client();
    let url = valid_callback(tx.state.secret(), "c");
    client.accept_callback(&url, Some(&tx), NOW).unwrap();
    assert!(client.metadata().is_some());
}

#[test]
fn an_attempts_metadata_is_taken_only_by_a_callback_that_passes() {
    let (tx, mut client) = attempt_and_fresh_client();
    let other = valid_callback("another-state-of-22-chars", "c");
    assert_eq!(
        client.accept_callback(&other, Some(&tx), NOW),
        Err(LoginError::StateMismatch)
    );
    let too_late = valid_callback(tx.state.secret(), "c");
    assert_eq!(
        client.accept_callback(&too_late, Some(&tx), NOW + MAX_TRANSACTION_AGE + 1),
        Err(LoginError::StateMismatch)
    );
    assert!(client.metadata().is_none());
}

#[test]
fn a_client_with_metadata_keeps_its_own_over_the_attempts() {
    let (mut tx, _) = attempt_and_fresh_client();
    let mut m = serde(tx.metadata.as_ref().unwrap())
        .as_object()
        .cloned()
        .unwrap();
    m.insert(
        "token_endpoint".into(),
        json!(format!("{ISSUER}/old-token")),
    );
    tx.metadata = Some(sdk(&Value::Object(m)));
    let mut client = LoginClient::new(options(), ORIGIN).unwrap();
    client.set_metadata(&metadata()).unwrap();
    let url = valid_callback(tx.state.secret(), "c");
    client.accept_callback(&url, Some(&tx), NOW).unwrap();
    assert_eq!(
        client.code_token_request("c", &tx).unwrap().url,
        format!("{ISSUER}/token")
    );
}

#[test]
fn two_tabs_keep_separate_transactions() {
    let mut client = LoginClient::new(options(), ORIGIN).unwrap();
    client.set_metadata(&metadata()).unwrap();
    let h = holder().public_jwk();
    let mut storage = Storage::default();
    let a = client
        .authorization_request(LoginOptions::default(), &h, NOW)
        .unwrap();
    let b = client
        .authorization_request(LoginOptions::default(), &h, NOW)
        .unwrap();
    for r in [&a, &b] {
        let t = &r.transaction;
        storage.0.insert(t.state.secret().to_owned(), t.clone());
    }
    // Tab B finishes first; tab A still can.
    for r in [&b, &a] {
        let url = valid_callback(r.transaction.state.secret(), "c");
        let stored = storage.take_for(&url);
        assert_eq!(stored.as_ref(), Some(&r.transaction));
        assert!(client.accept_callback(&url, stored.as_ref(), NOW).is_ok());
    }
}

#[test]
fn the_authorization_request_has_every_parameter() {
    let mut client = LoginClient::new(
        ClientOptions {
            certificate_claims: Some(vec!["fare_class".into(), "valid_until".into()]),
            profile: true,
            lang: Some("en".into()),
            ..options()
        },
        ORIGIN,
    )
    .unwrap();
    client.set_metadata(&metadata()).unwrap();
    let h = holder().public_jwk();
    let r = client
        .authorization_request(
            LoginOptions {
                app_state: Some(sdk(&json!({"returnTo": "/fares"}))),
                ..LoginOptions::default()
            },
            &h,
            NOW,
        )
        .unwrap();
    let t = &r.transaction;
    let expected = [
        format!("{ISSUER}/authorize?response_type=code"),
        "client_id=demo-railway".into(),
        "redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fdemo%2Fcallback.html".into(),
        "scope=openid%20certificate%20profile".into(),
        "certificate_claims=fare_class%20valid_until".into(),
        format!("state={}", t.state.secret()),
        format!("nonce={}", t.nonce.secret()),
        format!("code_challenge={}", t.code_verifier.challenge()),
        "code_challenge_method=S256".into(),
        format!("dpop_jkt={}", h.thumbprint()),
        "ui_locales=en".into(),
    ];
    assert_eq!(r.url, expected.join("&"));
    assert_eq!(t.app_state, Some(sdk(&json!({"returnTo": "/fares"}))));
    // The transaction survives a round trip through storage (JSON).
    let text = t.to_json().to_string();
    let back = Transaction::from_json(&mirairo_id_sdk::json::parse(&text).unwrap()).unwrap();
    assert_eq!(&back, t);
    // Per-attempt claims are validated too.
    let bad = client.authorization_request(
        LoginOptions {
            certificate_claims: Some(vec!["blood_type".into()]),
            ..LoginOptions::default()
        },
        &h,
        NOW,
    );
    assert_eq!(bad.unwrap_err().code(), "invalid_config");
}

fn logged_in() -> LoginClient {
    let mut client = LoginClient::new(options(), ORIGIN).unwrap();
    let mut refetches = 0;
    login_with(
        &mut client,
        &mut Storage::default(),
        &Provider::honest(),
        &mut refetches,
    )
    .unwrap();
    client
}

#[test]
fn userinfo_with_another_sub_is_refused() {
    let client = logged_in();
    assert!(client
        .check_userinfo(r#"{"sub":"pairwise-7f3a","name":"x"}"#)
        .is_ok());
    for body in [r#"{"sub":"pairwise-other"}"#, r#"{"name":"no sub"}"#] {
        let e = client.check_userinfo(body).unwrap_err();
        assert_eq!(
            (e.code(), e.reason()),
            ("bad_id_token", Some("wrong_subject")),
            "{body}"
        );
    }
}

fn sign(pending_input: &str) -> [u8; 64] {
    holder().sign_raw(pending_input.as_bytes())
}

#[test]
fn presentations_verify_with_key_binding() {
    let client = logged_in();
    let verifier = Verifier::new(VerifierConfig::new(
        ISSUER,
        sdk(&json!({"keys": [jwk(&issuer_key(), Some("k1"))]})),
    ))
    .unwrap();
    let disclose = vec!["fare_class".to_owned(), "valid_until".to_owned()];
    let pending = client
        .prepare_presentation("https://rail.example", "n-123", Some(&disclose), NOW)
        .unwrap();
    let sig = sign(pending.signing_input());
    let presentation = pending.finish(&sig).unwrap();
    let options = VerifyOptions {
        audience: Some("https://rail.example".into()),
        nonce: Some("n-123".into()),
        require_key_binding: true,
        ..VerifyOptions::at(NOW + 10)
    };
    let cert = verifier.verify(&presentation, &options).unwrap();
    assert!(cert.key_bound);
    assert_eq!(cert.disclosed, ["fare_class", "valid_until"]);
    // Signed by anyone else: bad_key_binding at the server.
    let pending = client
        .prepare_presentation("https://rail.example", "n-123", None, NOW)
        .unwrap();
    let forged_sig = other_key().sign_raw(pending.signing_input().as_bytes());
    let forged = pending.finish(&forged_sig).unwrap();
    assert_eq!(
        verifier
            .verify(&forged, &options)
            .unwrap_err()
            .code()
            .as_str(),
        "bad_key_binding"
    );
    // A claim the credential does not carry, an unknown name, an empty audience.
    let table: [(&str, &str, Vec<String>, &str); 3] = [
        (
            "https://rail.example",
            "n",
            vec!["birthdate".into()],
            "missing_claim",
        ),
        (
            "https://rail.example",
            "n",
            vec!["blood_type".into()],
            "invalid_config",
        ),
        ("", "n", vec![], "invalid_config"),
    ];
    for (aud, nonce, names, code) in table {
        let e = client
            .prepare_presentation(aud, nonce, Some(&names), NOW)
            .unwrap_err();
        assert_eq!(e.code(), code, "{names:?}");
    }
}

#[test]
fn refresh_rotates_and_checks_the_subject() {
    let mut client = logged_in();
    let h = holder().public_jwk();
    let request = client.refresh_token_request().unwrap();
    assert!(request
        .body
        .starts_with("grant_type=refresh_token&refresh_token=rt-1"));
    let p = Provider::honest();
    let fresh = json!({
        "access_token": "at-2", "token_type": "DPoP", "refresh_token": "rt-2",
        "id_token": p.id_token("ignored-on-refresh"),
        "certificate_credential": valid_credential(),
    })
    .to_string();
    let r = client
        .complete_refresh(&TokenResponse::parse(200, &fresh).unwrap(), &h, NOW + 300)
        .unwrap();
    assert!(matches!(r, Step::Done(_)));
    assert!(client
        .refresh_token_request()
        .unwrap()
        .body
        .contains("rt-2"));
    // A refresh answer for another subject ends the session.
    let mut q = Provider::honest();
    q.id_claims = json!({"sub": "someone-else"});
    let other = json!({"access_token": "at-3", "token_type": "DPoP", "id_token": q.id_token("x")})
        .to_string();
    let e = client
        .complete_refresh(&TokenResponse::parse(200, &other).unwrap(), &h, NOW + 300)
        .unwrap_err();
    assert_eq!(e.reason(), Some("wrong_subject"));
    assert!(!client.is_authenticated());
    assert_eq!(
        client.refresh_token_request().unwrap_err(),
        LoginError::NotAuthenticated
    );
}

#[test]
fn a_different_dpop_key_at_the_callback_is_refused() {
    let mut client = LoginClient::new(options(), ORIGIN).unwrap();
    client.set_metadata(&metadata()).unwrap();
    let p = Provider::honest();
    client.set_jwks(&p.jwks.to_string(), NOW, false).unwrap();
    let tx = client
        .authorization_request(LoginOptions::default(), &holder().public_jwk(), NOW)
        .unwrap()
        .transaction;
    let response = TokenResponse::parse(200, &p.token_response(tx.nonce.secret())).unwrap();
    let other: EcPublicJwk = other_key().public_jwk();
    let e = client
        .complete_login(&response, &tx, &other, NOW)
        .unwrap_err();
    assert_eq!(e.code(), "bad_key_binding");
}

/// The query of an end-session URL as `(name, raw value)` pairs, in order.
fn logout_query(url: &str) -> Vec<(String, String)> {
    let (base, query) = url.split_once('?').unwrap();
    assert_eq!(base, format!("{ISSUER}/logout"));
    query
        .split('&')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

/// Logs `client` in against the honest provider and returns the raw ID token it issued.
fn log_in_keeping_the_id_token(client: &mut LoginClient) -> String {
    let p = Provider::honest();
    client.set_metadata(&metadata()).unwrap();
    client.set_jwks(&p.jwks.to_string(), NOW, false).unwrap();
    let h = holder().public_jwk();
    let tx = client
        .authorization_request(LoginOptions::default(), &h, NOW)
        .unwrap()
        .transaction;
    let id_token = p.id_token(tx.nonce.secret());
    let body = json!({
        "access_token": "at-1", "token_type": "DPoP", "refresh_token": "rt-1",
        "id_token": id_token, "certificate_credential": valid_credential(),
    })
    .to_string();
    let response = TokenResponse::parse(200, &body).unwrap();
    assert!(matches!(
        client.complete_login(&response, &tx, &h, NOW).unwrap(),
        Step::Done(_)
    ));
    id_token
}

/// RP-Initiated Logout 1.0 §2: `id_token_hint` is the session's exact (latest) ID token,
/// so the provider can end its session without asking.
#[test]
fn logout_sends_the_session_id_token_as_hint() {
    let mut client = LoginClient::new(options(), ORIGIN).unwrap();
    let id_token = log_in_keeping_the_id_token(&mut client);
    let url = client.logout(Some("http://127.0.0.1:8080/bye")).unwrap();
    let q = logout_query(&url);
    let names: Vec<&str> = q.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "id_token_hint",
            "client_id",
            "post_logout_redirect_uri",
            "state",
            "ui_locales"
        ]
    );
    let value = |name: &str| q.iter().find(|(k, _)| k == name).unwrap().1.clone();
    assert_eq!(value("id_token_hint"), id_token, "the exact ID token");
    assert_eq!(value("client_id"), CLIENT);
    assert_eq!(
        value("post_logout_redirect_uri"),
        "http%3A%2F%2F127.0.0.1%3A8080%2Fbye"
    );
    assert_eq!(value("state").len(), 43);
    assert_eq!(value("ui_locales"), "ja", "as in the authorization request");
    assert!(!client.is_authenticated());
    assert!(client.certificate().is_none());
    // The session is gone: a second logout carries no hint.
    let again = logout_query(&client.logout(None).unwrap());
    assert!(again.iter().all(|(k, _)| k != "id_token_hint"));
}

#[test]
fn logout_after_a_refresh_sends_the_newest_id_token() {
    let mut client = LoginClient::new(options(), ORIGIN).unwrap();
    let first = log_in_keeping_the_id_token(&mut client);
    let h = holder().public_jwk();
    let refresh = |client: &mut LoginClient, id_token: Option<&str>| {
        let mut body = json!({"access_token": "at-2", "token_type": "DPoP"});
        if let Some(t) = id_token {
            body["id_token"] = json!(t);
        }
        let response = TokenResponse::parse(200, &body.to_string()).unwrap();
        assert!(matches!(
            client.complete_refresh(&response, &h, NOW + 60).unwrap(),
            Step::Done(_)
        ));
    };
    // A refresh answer without an ID token keeps the login's one.
    refresh(&mut client, None);
    let hint = |client: &mut LoginClient| {
        logout_query(&client.logout(None).unwrap())
            .into_iter()
            .find(|(k, _)| k == "id_token_hint")
            .map(|(_, v)| v)
    };
    assert_eq!(hint(&mut client), Some(first));
    // A refresh answer with a new one replaces it.
    let first = log_in_keeping_the_id_token(&mut client);
    let mut p = Provider::honest();
    p.id_claims = json!({"iat": NOW + 55, "exp": NOW + 655});
    let second = p.id_token("refreshed");
    assert_ne!(second, first);
    refresh(&mut client, Some(&second));
    assert_eq!(hint(&mut client), Some(second));
}

#[test]
fn logout_without_a_session_sends_no_hint() {
    let mut client = LoginClient::new(
        ClientOptions {
            lang: Some("en".into()),
            ..options()
        },
        ORIGIN,
    )
    .unwrap();
    // No metadata yet: there is no end-session URL, and nothing breaks.
    assert_eq!(client.logout(None), None);
    client.set_metadata(&metadata()).unwrap();
    let q = logout_query(&client.logout(None).unwrap());
    let names: Vec<&str> = q.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["client_id", "state", "ui_locales"]);
    assert_eq!(q[2].1, "en");
    assert!(!client.is_authenticated());
}

// ---- DPoP nonces (RFC 9449 §8, §9) and resource errors (RFC 9449 §7.1, RFC 6750 §3.1)

/// Signs the client's next proof for `url` and returns its verified claims.
fn next_proof(client: &LoginClient, htm: &str, url: &str, with_token: bool) -> DpopProof {
    let h = holder();
    let pending = client
        .dpop_proof(&h.public_jwk(), htm, url, NOW, with_token)
        .unwrap();
    let proof = pending
        .clone()
        .finish(&sign(pending.signing_input()))
        .unwrap();
    verify_dpop_proof(&proof, htm, url, NOW, 60, None).unwrap()
}

fn answer<'a>(
    status: u16,
    body: &'a str,
    www: Option<&'a str>,
    nonce: Option<&'a str>,
) -> Answer<'a> {
    Answer {
        status,
        body,
        www_authenticate: www,
        dpop_nonce: nonce,
    }
}

#[test]
fn a_dpop_nonce_demand_is_retried_once_and_the_nonce_kept_per_server() {
    let mut client = logged_in();
    let token = format!("{ISSUER}/token");
    let userinfo = format!("{ISSUER}/userinfo");
    assert_eq!(next_proof(&client, "POST", &token, false).nonce, None);
    let demand = r#"{"error":"use_dpop_nonce","error_description":"nonce required"}"#;
    let first = client
        .after_token_answer(
            &token,
            &answer(400, demand, None, Some("n-1")),
            Retried::default(),
        )
        .unwrap();
    assert_eq!(first, Next::RetryWithNonce);
    // The retry's proof carries it, and so do later proofs to the same server.
    assert_eq!(
        next_proof(&client, "POST", &token, false).nonce.as_deref(),
        Some("n-1")
    );
    assert_eq!(
        next_proof(&client, "GET", &userinfo, true).nonce.as_deref(),
        Some("n-1")
    );
    assert_eq!(
        next_proof(&client, "POST", "http://other.example/token", false).nonce,
        None
    );
    // Never a second retry.
    let again = Retried {
        nonce: true,
        refreshed: false,
    };
    let e = client
        .after_token_answer(&token, &answer(400, demand, None, Some("n-2")), again)
        .unwrap_err();
    assert_eq!(
        (e.code(), e.provider_error()),
        ("provider_error", Some("use_dpop_nonce"))
    );
    // A nonce given with any answer replaces the old one.
    let ok = client
        .after_token_answer(
            &token,
            &answer(200, "{}", None, Some("n-3")),
            Retried::default(),
        )
        .unwrap();
    assert_eq!(ok, Next::Done);
    assert_eq!(
        next_proof(&client, "POST", &token, false).nonce.as_deref(),
        Some("n-3")
    );
    // A demand without a usable nonce cannot be met.
    let e = client
        .after_token_answer(
            &token,
            &answer(400, demand, None, Some("bad nonce")),
            Retried::default(),
        )
        .unwrap_err();
    assert_eq!(e.provider_error(), Some("use_dpop_nonce"));
}

#[test]
fn userinfo_tells_an_expired_token_from_a_bad_proof() {
    let mut client = logged_in();
    let url = client.userinfo_url().unwrap();
    assert_eq!(url, format!("{ISSUER}/userinfo"));
    assert!(client.authorization_header().unwrap().starts_with("DPoP "));
    let proof = next_proof(&client, "GET", &url, true);
    assert!(proof.nonce.is_none());
    let none = Retried::default();
    let refreshed = Retried {
        nonce: false,
        refreshed: true,
    };
    let expired = Some(r#"DPoP error="invalid_token", error_description="expired", algs="ES256""#);
    let bad_proof = Some(r#"DPoP error="invalid_dpop_proof", algs="ES256""#);
    let nonce = Some(r#"DPoP error="use_dpop_nonce", algs="ES256""#);
    // (answer, already retried, expected next step or providerError)
    let table: Vec<(Answer<'_>, Retried, Result<Next, &str>)> = vec![
        (
            answer(401, "", expired, None),
            none,
            Ok(Next::RefreshThenRetry),
        ),
        (
            answer(401, "", expired, None),
            refreshed,
            Err("invalid_token"),
        ),
        (
            answer(401, "", bad_proof, None),
            none,
            Err("invalid_dpop_proof"),
        ),
        (
            answer(401, "", nonce, Some("n-9")),
            none,
            Ok(Next::RetryWithNonce),
        ),
        (
            answer(400, r#"{"error":"invalid_dpop_proof"}"#, None, None),
            none,
            Err("invalid_dpop_proof"),
        ),
    ];
    for (a, retried, expected) in table {
        let got = client
            .after_userinfo_answer(&url, &a, retried)
            .map(|(next, _)| next)
            .map_err(|e| e.provider_error().unwrap_or_default().to_owned());
        assert_eq!(got, expected.map_err(str::to_owned), "{a:?} {retried:?}");
    }
    assert_eq!(
        next_proof(&client, "GET", &url, true).nonce.as_deref(),
        Some("n-9")
    );
    // A 200 is checked: its sub must be the ID token's.
    let (next, claims) = client
        .after_userinfo_answer(
            &url,
            &answer(200, r#"{"sub":"pairwise-7f3a","name":"x"}"#, None, None),
            none,
        )
        .unwrap();
    assert_eq!(next, Next::Done);
    assert_eq!(
        claims.unwrap().get("name").and_then(|v| v.as_str()),
        Some("x")
    );
    let e = client
        .after_userinfo_answer(&url, &answer(200, r#"{"sub":"other"}"#, None, None), none)
        .unwrap_err();
    assert_eq!(e.reason(), Some("wrong_subject"));
    // Without a session there is nothing to ask.
    client.logout(None);
    assert_eq!(
        client.userinfo_url().unwrap_err(),
        LoginError::NotAuthenticated
    );
}

/// A client at the token answer of `p`, and the answer's phase one (`prepare_login`).
fn prepared_login(p: &Provider) -> (LoginClient, mirairo_id_sdk::oidc::PendingLogin) {
    let mut client = LoginClient::new(options(), ORIGIN).unwrap();
    client.set_metadata(&metadata()).unwrap();
    client.set_jwks(&p.jwks.to_string(), p.now, false).unwrap();
    let holder = holder().public_jwk();
    let request = client
        .authorization_request(LoginOptions::default(), &holder, p.now)
        .unwrap();
    let tx = request.transaction;
    let response = TokenResponse::parse(200, &p.token_response(tx.nonce.secret())).unwrap();
    match client
        .prepare_login(&response, &tx, &holder, p.now)
        .unwrap()
    {
        Step::Done(pending) => (client, pending),
        Step::RefetchJwks => panic!("no refetch expected"),
    }
}

#[test]
fn two_phase_login_each_signature_result_decides_its_own_check() {
    // The caller (WebCrypto in a browser) runs the checks: the ID token's first, then the
    // credential's issuer signature. Each `false` fails exactly its own check.
    let (_, pending) = prepared_login(&Provider::honest());
    let checks = pending.signature_checks();
    assert_eq!(checks.len(), 2);
    let p256: Vec<bool> = checks
        .iter()
        .map(mirairo_id_sdk::jose::SignatureCheck::verify)
        .collect();
    assert_eq!(p256, [true, true]);
    type Expect = Result<(), (&'static str, Option<&'static str>)>;
    let table: [(&str, &[bool], Expect); 5] = [
        ("both pass", &[true, true], Ok(())),
        (
            "ID token fails",
            &[false, true],
            Err(("bad_id_token", Some("bad_signature"))),
        ),
        (
            "credential fails",
            &[true, false],
            Err(("bad_signature", None)),
        ),
        (
            "both fail: the ID token first",
            &[false, false],
            Err(("bad_id_token", Some("bad_signature"))),
        ),
        (
            "a missing result counts as failed",
            &[true],
            Err(("bad_signature", None)),
        ),
    ];
    for (name, results, expected) in table {
        let (mut client, pending) = prepared_login(&Provider::honest());
        let got = match client.finish_login(pending, results) {
            Ok(Step::Done(_)) => Ok(()),
            Ok(Step::RefetchJwks) => panic!("{name}: refetch"),
            Err(e) => Err((e.code(), e.reason())),
        };
        assert_eq!(got, expected, "{name}");
        assert_eq!(client.is_authenticated(), got.is_ok(), "{name}: session");
    }
}

#[test]
fn two_phase_login_keeps_the_one_phase_order_of_errors() {
    // A credential naming an unknown kid is found in phase one, but reported after the ID
    // token's checks: with a bad ID token signature too, bad_id_token and no refetch.
    let mut unknown_kid = common::Case::valid();
    unknown_kid.kb = None;
    unknown_kid.header["kid"] = json!("nope");
    let mut p = Provider::honest();
    p.id_signer = Signer::Es256(other_key());
    p.credential = Some(unknown_kid.presentation());
    let out = login(&p);
    let e = out.result.err().unwrap();
    assert_eq!(
        (e.code(), e.reason()),
        ("bad_id_token", Some("bad_signature"))
    );
    assert_eq!(out.refetches, 0);
    // The credential alone: one refetch (asked in phase two), then unknown_key.
    let mut p = Provider::honest();
    p.credential = Some(unknown_kid.presentation());
    let out = login(&p);
    assert_eq!(out.refetches, 1);
    assert_eq!(out.result.err().map(|e| e.code()), Some("unknown_key"));
}
