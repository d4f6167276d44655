//! PROTOCOL.md §2.4 ID token rules as a table, plus the verifier configuration
//! errors (`invalid_config`).

// Test helpers outside #[test] fns fail loudly by design.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use mirairo_id_sdk::jose::b64url_encode;
use mirairo_id_sdk::{Audience, ErrorCode, IdTokenError, IdTokenOptions, Verifier, VerifierConfig};
use serde_json::{json, Value};
use IdTokenError::*;

const CLIENT: &str = "demo-railway";

struct Token {
    header: Value,
    claims: Value,
    signer: Signer,
    tweak: fn(Vec<u8>) -> Vec<u8>,
    options: IdTokenOptions,
    jwks: Value,
}

fn keep(v: Vec<u8>) -> Vec<u8> {
    v
}

fn valid() -> Token {
    Token {
        header: json!({"alg": "ES256", "typ": "JWT", "kid": "k1"}),
        claims: json!({"iss": ISSUER, "sub": "pairwise-7f3a", "aud": CLIENT, "exp": NOW + 600, "iat": NOW - 5,
                       "auth_time": NOW - 30, "nonce": NONCE, "name": "ミライロ ハナコ", "name_kana": "ミライロ ハナコ"}),
        signer: Signer::Es256(issuer_key()),
        tweak: keep,
        options: IdTokenOptions {
            audience: CLIENT.into(),
            nonce: Some(NONCE.into()),
            now: NOW,
        },
        jwks: jwks(),
    }
}

fn check(name: &str, mutate: impl Fn(&mut Token), expected: Result<(), IdTokenError>) {
    let mut t = valid();
    mutate(&mut t);
    let verifier = Verifier::new(VerifierConfig::new(ISSUER, sdk(&t.jwks.clone()))).unwrap();
    let token = raw_jws(&t.header, &t.claims, &t.signer, &t.tweak);
    let direct = verifier.verify_id_token(&token, &t.options);
    // Two-phase path, with the check run by the caller.
    let phased = verifier.prepare_id_token(&token, &t.options).and_then(|p| {
        let ok = p.signature_check().is_some_and(|c| c.verify());
        p.finish(ok)
    });
    assert_eq!(
        direct, phased,
        "row {name:?}: verify_id_token and prepare/finish disagree"
    );
    assert_eq!(direct.map(|_| ()), expected, "row {name:?}");
}

type Row = (
    &'static str,
    Box<dyn Fn(&mut Token)>,
    Result<(), IdTokenError>,
);

fn single_key_jwks() -> Value {
    json!({"keys": [serde(&issuer_key().public_jwk().to_json())]})
}

#[test]
fn valid_token_claims() {
    let t = valid();
    let verifier = verifier();
    let claims = verifier
        .verify_id_token(&raw_jws(&t.header, &t.claims, &t.signer, &keep), &t.options)
        .unwrap();
    assert_eq!(claims.sub, "pairwise-7f3a");
    assert_eq!(claims.aud, Audience::One(CLIENT.into()));
    assert_eq!(claims.name_kana.as_deref(), Some("ミライロ ハナコ"));
    assert_eq!(claims.to_json()["aud"], CLIENT);
    assert_eq!(IdTokenError::WrongAudience.code(), "bad_id_token");
    assert_eq!(IdTokenError::WrongAudience.reason(), "wrong_audience");
}

#[test]
fn id_token_rules() {
    let public = serde(&issuer_key().public_jwk().to_json());
    let rows: Vec<Row> = vec![
        ("valid", Box::new(|_| {}), Ok(())),
        (
            "payload not an object",
            Box::new(|t| t.claims = json!("x")),
            Err(Malformed),
        ),
        (
            "exp a string",
            Box::new(|t| t.claims["exp"] = json!("later")),
            Err(Malformed),
        ),
        (
            "aud a number",
            Box::new(|t| t.claims["aud"] = json!(7)),
            Err(Malformed),
        ),
        (
            "alg none",
            Box::new(|t| {
                t.header["alg"] = json!("none");
                t.signer = Signer::Unsigned;
            }),
            Err(UnsupportedAlgorithm),
        ),
        (
            "HS256 with the public key",
            Box::new(|t| {
                t.header["alg"] = json!("HS256");
                t.signer =
                    Signer::Hs256(issuer_key().public_jwk().to_json().to_string().into_bytes());
            }),
            Err(UnsupportedAlgorithm),
        ),
        (
            "key taken from the header",
            Box::new(move |t| {
                t.header["jwk"] = public.clone();
            }),
            Err(UnsupportedAlgorithm),
        ),
        (
            "jku",
            Box::new(|t| t.header["jku"] = json!("https://evil.example")),
            Err(UnsupportedAlgorithm),
        ),
        (
            "typ other than JWT",
            Box::new(|t| t.header["typ"] = json!("dc+sd-jwt")),
            Err(WrongType),
        ),
        (
            "typ absent is fine",
            Box::new(|t| {
                t.header.as_object_mut().unwrap().remove("typ");
            }),
            Ok(()),
        ),
        (
            "unknown kid",
            Box::new(|t| t.header["kid"] = json!("nope")),
            Err(UnknownKey),
        ),
        (
            "no kid, several keys",
            Box::new(|t| {
                t.header.as_object_mut().unwrap().remove("kid");
            }),
            Err(UnknownKey),
        ),
        (
            "no kid, exactly one key",
            Box::new(|t| {
                t.header.as_object_mut().unwrap().remove("kid");
                t.jwks = single_key_jwks();
            }),
            Ok(()),
        ),
        (
            "no kid, one key but the wrong one",
            Box::new(|t| {
                t.header.as_object_mut().unwrap().remove("kid");
                t.jwks = single_key_jwks();
                t.signer = Signer::Es256(other_key());
            }),
            Err(BadSignature),
        ),
        (
            "flipped signature bit",
            Box::new(|t| {
                t.tweak = |mut s| {
                    s[0] ^= 0x80;
                    s
                }
            }),
            Err(BadSignature),
        ),
        (
            "signed by the rotated key, old kid",
            Box::new(|t| t.signer = Signer::Es256(rotated_key())),
            Err(BadSignature),
        ),
        (
            "sub missing",
            Box::new(|t| {
                t.claims.as_object_mut().unwrap().remove("sub");
            }),
            Err(MissingClaim),
        ),
        (
            "iat missing",
            Box::new(|t| {
                t.claims.as_object_mut().unwrap().remove("iat");
            }),
            Err(MissingClaim),
        ),
        (
            "other issuer",
            Box::new(|t| t.claims["iss"] = json!("http://127.0.0.1:9999")),
            Err(WrongIssuer),
        ),
        (
            "other audience",
            Box::new(|t| t.claims["aud"] = json!("someone-else")),
            Err(WrongAudience),
        ),
        (
            "audience array with azp",
            Box::new(|t| {
                t.claims["aud"] = json!([CLIENT, "other"]);
                t.claims["azp"] = json!(CLIENT);
            }),
            Ok(()),
        ),
        (
            "audience array without azp",
            Box::new(|t| t.claims["aud"] = json!([CLIENT, "other"])),
            Err(WrongAudience),
        ),
        (
            "audience array, azp another client",
            Box::new(|t| {
                t.claims["aud"] = json!([CLIENT, "other"]);
                t.claims["azp"] = json!("other");
            }),
            Err(WrongAudience),
        ),
        (
            "audience array of one",
            Box::new(|t| t.claims["aud"] = json!([CLIENT])),
            Ok(()),
        ),
        (
            "single audience, azp is us",
            Box::new(|t| t.claims["azp"] = json!(CLIENT)),
            Ok(()),
        ),
        (
            "single audience, azp another party",
            Box::new(|t| t.claims["azp"] = json!("other")),
            Err(WrongAudience),
        ),
        (
            "exp = now - leeway",
            Box::new(|t| t.claims["exp"] = json!(NOW - 60)),
            Err(Expired),
        ),
        (
            "exp = now - leeway + 1",
            Box::new(|t| t.claims["exp"] = json!(NOW - 59)),
            Ok(()),
        ),
        (
            "iat = now + leeway + 1",
            Box::new(|t| t.claims["iat"] = json!(NOW + 61)),
            Err(NotYetValid),
        ),
        (
            "iat = now + leeway",
            Box::new(|t| t.claims["iat"] = json!(NOW + 60)),
            Ok(()),
        ),
        (
            "nonce differs",
            Box::new(|t| t.claims["nonce"] = json!("replayed")),
            Err(NonceMismatch),
        ),
        (
            "nonce missing",
            Box::new(|t| {
                t.claims.as_object_mut().unwrap().remove("nonce");
            }),
            Err(NonceMismatch),
        ),
        (
            "no nonce expected",
            Box::new(|t| {
                t.claims.as_object_mut().unwrap().remove("nonce");
                t.options.nonce = None;
            }),
            Ok(()),
        ),
    ];
    for (name, mutate, expected) in rows {
        check(name, mutate, expected);
    }
    let verifier = verifier();
    let opts = valid().options;
    for bad in [
        "",
        "a.b",
        "a.b.c.d",
        &format!("{}.e30.", b64url_encode(b"[]")),
    ] {
        assert_eq!(
            verifier.verify_id_token(bad, &opts),
            Err(Malformed),
            "{bad:?}"
        );
    }
}

#[test]
fn invalid_config() {
    let table: Vec<(&str, VerifierConfig)> = vec![
        (
            "issuer not a URL",
            VerifierConfig::new("127.0.0.1:8080", sdk(&jwks())),
        ),
        (
            "issuer ftp",
            VerifierConfig::new("ftp://127.0.0.1", sdk(&jwks())),
        ),
        (
            "issuer without host",
            VerifierConfig::new("https://", sdk(&jwks())),
        ),
        (
            "issuer with space",
            VerifierConfig::new("https://id.example/ x", sdk(&jwks())),
        ),
        (
            "jwks not an object",
            VerifierConfig::new(ISSUER, sdk(&json!("{\"keys\":[]}"))),
        ),
        (
            "jwks without keys",
            VerifierConfig::new(ISSUER, sdk(&json!({"kty": "EC"}))),
        ),
        (
            "jwks keys not an array",
            VerifierConfig::new(ISSUER, sdk(&json!({"keys": {}}))),
        ),
        (
            "empty vct",
            VerifierConfig {
                vct: String::new(),
                ..VerifierConfig::new(ISSUER, sdk(&jwks()))
            },
        ),
    ];
    for (name, config) in table {
        let e = Verifier::new(config).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidConfig, "{name}");
        assert_eq!(e.code().as_str(), "invalid_config");
    }
    // A set whose keys are all unusable is still a set: every token is unknown_key.
    let empty = Verifier::new(VerifierConfig::new(
        "https://id.example",
        sdk(&json!({"keys": [{"kty": "oct", "k": "AA"}]})),
    ))
    .unwrap();
    assert!(empty.jwks().is_empty());
    let mut v = verifier();
    assert_eq!(
        v.set_jwks(&sdk(&json!([]))).unwrap_err().code(),
        ErrorCode::InvalidConfig
    );
    assert_eq!(v.jwks().len(), 2, "a failed set_jwks keeps the old set");
    v.set_jwks(&sdk(&single_key_jwks())).unwrap();
    assert_eq!(v.jwks().len(), 1);
}
