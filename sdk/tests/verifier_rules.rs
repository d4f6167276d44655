//! PROTOCOL.md §4 as a table: one valid credential, and for every rule at least one
//! crafted presentation that fails with exactly that code (or, for boundary rows,
//! still passes). Every row runs through `Verifier::verify` and through the two-phase
//! `prepare` / `finish` path with an independent ECDSA check; both must agree.

// Test helpers outside #[test] fns fail loudly by design.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use mirairo_id_sdk::jose::b64url_encode;
use mirairo_id_sdk::sdjwt::Disclosure;
use mirairo_id_sdk::{
    CertificateType, Date, ErrorCode, FareClass, VerifiedCertificate, VerifyError,
};
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{Signature, VerifyingKey};
use serde_json::{json, Value};
use ErrorCode::*;

type Outcome = Result<(), ErrorCode>;
/// A table row: a name and how to break the valid case.
type Row = (&'static str, fn(&mut Case));
type BoxedRow = (&'static str, Box<dyn Fn(&mut Case)>);

fn two_phase(presentation: &str, case: &Case) -> Result<VerifiedCertificate, VerifyError> {
    let prepared = verifier().prepare(presentation, &case.options)?;
    // What a WebCrypto caller would do: import the raw point, verify r‖s.
    let results: Vec<bool> = prepared
        .signature_checks()
        .iter()
        .map(|c| {
            let point = c.key.to_sec1_uncompressed().unwrap();
            let key = VerifyingKey::from_sec1_bytes(&point).unwrap();
            Signature::from_slice(&c.signature)
                .map(|s| key.verify(c.signing_input.as_bytes(), &s).is_ok())
                .unwrap_or(false)
        })
        .collect();
    prepared.finish(&results)
}

fn run(case: &Case) -> Result<VerifiedCertificate, VerifyError> {
    let presentation = case.presentation();
    let direct = verifier().verify(&presentation, &case.options);
    let phased = two_phase(&presentation, case);
    assert_eq!(
        direct.as_ref().map_err(VerifyError::code),
        phased.as_ref().map_err(VerifyError::code),
        "verify and prepare/finish disagree"
    );
    direct
}

fn check(name: &str, mutate: impl Fn(&mut Case), expected: Outcome) {
    let mut case = Case::valid();
    mutate(&mut case);
    let got = run(&case).map(|_| ()).map_err(|e| e.code());
    assert_eq!(got, expected, "row {name:?}");
}

fn flip_last_bit(mut sig: Vec<u8>) -> Vec<u8> {
    if let Some(b) = sig.last_mut() {
        *b ^= 1;
    }
    sig
}

/// The same signature with S replaced by n − S, whichever of the two is high.
fn high_s(sig: Vec<u8>) -> Vec<u8> {
    let parsed = Signature::from_slice(&sig).unwrap();
    let high = match parsed.normalize_s() {
        Some(_) => parsed, // already high
        None => Signature::from_scalars(parsed.r(), -parsed.s()).unwrap(),
    };
    assert!(
        high.normalize_s().is_some(),
        "constructed signature is high-S"
    );
    high.to_bytes().to_vec()
}

fn status_ok_at(now: i64) -> String {
    status_list_jwt(&[(STATUS_IDX + 1, 1)], &issuer_key(), "k1", now)
}

#[test]
fn the_valid_credential_verifies_with_every_field() {
    let case = Case::valid();
    let cert = run(&case).unwrap();
    assert!(cert.key_bound);
    assert_eq!(cert.issuer, ISSUER);
    assert_eq!(
        cert.holder_key_thumbprint,
        holder_key().public_jwk().thumbprint()
    );
    assert_eq!(
        cert.disclosed,
        [
            "certificate_type",
            "grade",
            "fare_class",
            "caregiver",
            "issuer_prefecture",
            "renewed_on",
            "valid_until"
        ]
    );
    assert_eq!(cert.certificate_type, Some(CertificateType::Physical));
    assert_eq!(cert.fare_class, Some(FareClass::Class1));
    assert_eq!(cert.renewed_on, Some(None));
    assert_eq!(
        cert.valid_until,
        Some(Some(Date {
            year: 2030,
            month: 3,
            day: 31
        }))
    );
    assert_eq!(cert.birthdate, None);
    let json = serde(&cert.to_json());
    assert_eq!(json["fareClass"], 1);
    assert_eq!(json["renewedOn"], Value::Null);
    assert!(json.get("birthdate").is_none());
}

#[test]
fn malformed() {
    let rows: Vec<Row> = vec![
        ("empty input", |c| c.post = |_| String::new()),
        ("no tilde", |c| {
            c.post = |s| s.split('~').next().unwrap().to_owned()
        }),
        ("two JWS parts", |c| c.post = |s| s.replacen('.', "", 1)),
        ("four JWS parts", |c| c.post = |s| s.replacen('.', "..", 1)),
        ("padding in header", |c| {
            c.post = |s| s.replacen('.', "=.", 1)
        }),
        ("'+' in signature", |c| {
            c.post = |s| {
                let i = s.find('~').unwrap();
                format!("{}+{}", &s[..i - 1], &s[i..])
            }
        }),
        ("whitespace", |c| c.post = |s| format!(" {s}")),
        ("payload not an object", |c| c.payload = json!([1])),
        ("payload not JSON", |c| {
            c.post = |s| {
                let p: Vec<&str> = s.splitn(3, '.').collect();
                format!("{}.{}.{}", p[0], b64url_encode(b"{nope"), p[2])
            }
        }),
        ("iss missing", |c| {
            c.payload.as_object_mut().unwrap().remove("iss");
        }),
        ("iat a string", |c| c.payload["iat"] = json!("1795780000")),
        ("exp missing", |c| {
            c.payload.as_object_mut().unwrap().remove("exp");
        }),
        ("exp a float", |c| c.payload["exp"] = json!(1.5e9)),
        ("vct a number", |c| c.payload["vct"] = json!(1)),
        ("cnf.jwk missing", |c| c.payload["cnf"] = json!({})),
        ("cnf.jwk not P-256", |c| {
            c.payload["cnf"]["jwk"]["crv"] = json!("P-384")
        }),
        ("cnf.jwk off the curve", |c| {
            c.payload["cnf"]["jwk"]["y"] = c.payload["cnf"]["jwk"]["x"].clone()
        }),
        ("nbf a string", |c| c.payload["nbf"] = json!("soon")),
        ("status idx a string", |c| {
            c.payload["status"]["status_list"]["idx"] = json!("412")
        }),
        ("status without status_list", |c| {
            c.payload["status"] = json!({})
        }),
        ("disclosure not base64url", |c| {
            c.raw_disclosures.push("WyJzIiwiYSIsMV0=".into())
        }),
        ("disclosure not JSON", |c| {
            c.raw_disclosures.push(b64url_encode(b"[\"s\",\"a\""))
        }),
        ("empty disclosure", |c| {
            c.raw_disclosures.push(String::new())
        }),
        ("KB-JWT not a JWS", |c| c.post = |s| format!("{s}.x")),
        ("KB-JWT payload not an object", |c| {
            c.post = |s| {
                let kb = s.rsplit('~').next().unwrap().to_owned();
                let p: Vec<&str> = kb.split('.').collect();
                s.replace(&kb, &format!("{}.{}.{}", p[0], b64url_encode(b"7"), p[2]))
            }
        }),
        ("duplicate member in payload", |c| {
            c.post = |s| {
                let p: Vec<&str> = s.splitn(3, '.').collect();
                format!(
                    "{}.{}.{}",
                    p[0],
                    b64url_encode(br#"{"iss":"a","iss":"b"}"#),
                    p[2]
                )
            }
        }),
        ("JSON deeper than 32", |c| {
            c.disclosures.push(disclosure(
                "deep",
                serde_json::from_str(&format!("{}{}", "[".repeat(32), "]".repeat(32))).unwrap(),
            ))
        }),
        ("257 disclosures", |c| {
            c.disclosures
                .extend((0..250).map(|i| disclosure(&format!("x{i}"), json!(i))))
        }),
        ("over 256 KiB", |c| {
            c.disclosures
                .push(disclosure("big", json!("あ".repeat(90 * 1024))))
        }),
    ];
    for (name, mutate) in rows {
        check(name, mutate, Err(Malformed));
    }
}

#[test]
fn limits_that_must_be_accepted() {
    check(
        "exactly 256 disclosures",
        |c| {
            c.disclosures
                .extend((0..249).map(|i| disclosure(&format!("x{i}"), json!(i))))
        },
        Ok(()),
    );
    check(
        "JSON depth exactly 32",
        |c| {
            c.disclosures.push(disclosure(
                "deep",
                serde_json::from_str(&format!("{}{}", "[".repeat(31), "]".repeat(31))).unwrap(),
            ))
        },
        Ok(()),
    );
    check(
        "over 64 KiB of input",
        |c| {
            c.disclosures.push(disclosure(
                "certificate_number",
                json!("9".repeat(70 * 1024)),
            ))
        },
        Ok(()),
    );
}

#[test]
fn unsupported_algorithm() {
    let public = serde(&holder_key().public_jwk().to_json());
    let rows: Vec<BoxedRow> = vec![
        (
            "alg none",
            Box::new(|c| {
                c.header["alg"] = json!("none");
                c.signer = Signer::Unsigned;
            }),
        ),
        (
            "alg missing",
            Box::new(|c| {
                c.header.as_object_mut().unwrap().remove("alg");
            }),
        ),
        (
            "HS256 keyed with the public key",
            Box::new(|c| {
                c.header["alg"] = json!("HS256");
                c.signer =
                    Signer::Hs256(issuer_key().public_jwk().to_json().to_string().into_bytes());
            }),
        ),
        ("ES384", Box::new(|c| c.header["alg"] = json!("ES384"))),
        (
            "es256 lower case",
            Box::new(|c| c.header["alg"] = json!("es256")),
        ),
        (
            "jwk in header",
            Box::new(move |c| c.header["jwk"] = public.clone()),
        ),
        ("crit", Box::new(|c| c.header["crit"] = json!(["exp"]))),
        (
            "jku",
            Box::new(|c| c.header["jku"] = json!("https://evil.example/jwks")),
        ),
        (
            "x5u",
            Box::new(|c| c.header["x5u"] = json!("https://evil.example/cert")),
        ),
        ("x5c", Box::new(|c| c.header["x5c"] = json!(["MIIB"]))),
        (
            "KB-JWT with jwk in header",
            Box::new(|c| c.kb_mut().header["jwk"] = serde(&other_key().public_jwk().to_json())),
        ),
        (
            "KB-JWT alg none",
            Box::new(|c| {
                c.kb_mut().header["alg"] = json!("none");
                c.kb_mut().signer = Signer::Unsigned;
            }),
        ),
        (
            "KB-JWT HS256",
            Box::new(|c| {
                c.kb_mut().header["alg"] = json!("HS256");
                c.kb_mut().signer = Signer::Hs256(b"secret".to_vec());
            }),
        ),
    ];
    for (name, mutate) in rows {
        check(name, mutate, Err(UnsupportedAlgorithm));
    }
}

#[test]
fn wrong_type() {
    check(
        "typ JWT",
        |c| c.header["typ"] = json!("JWT"),
        Err(WrongType),
    );
    check(
        "typ vc+sd-jwt",
        |c| c.header["typ"] = json!("vc+sd-jwt"),
        Err(WrongType),
    );
    check(
        "typ missing",
        |c| {
            c.header.as_object_mut().unwrap().remove("typ");
        },
        Err(WrongType),
    );
    check(
        "KB-JWT typ JWT",
        |c| c.kb_mut().header["typ"] = json!("JWT"),
        Err(WrongType),
    );
}

#[test]
fn unknown_key() {
    check(
        "unknown kid",
        |c| c.header["kid"] = json!("nope"),
        Err(UnknownKey),
    );
    check(
        "no kid",
        |c| {
            c.header.as_object_mut().unwrap().remove("kid");
        },
        Err(UnknownKey),
    );
    check(
        "kid of a skipped RSA key",
        |c| c.header["kid"] = json!("rsa"),
        Err(UnknownKey),
    );
    check(
        "kid not a string",
        |c| c.header["kid"] = json!(1),
        Err(UnknownKey),
    );
    check(
        "rotated key by its kid",
        |c| {
            c.header["kid"] = json!("k2");
            c.signer = Signer::Es256(rotated_key());
        },
        Ok(()),
    );
}

#[test]
fn bad_signature() {
    check(
        "flipped signature bit",
        |c| c.sig_tweak = flip_last_bit,
        Err(BadSignature),
    );
    check(
        "signed by another key",
        |c| c.signer = Signer::Es256(other_key()),
        Err(BadSignature),
    );
    check(
        "kid of the other issuer key",
        |c| c.header["kid"] = json!("k2"),
        Err(BadSignature),
    );
    check(
        "truncated signature",
        |c| {
            c.sig_tweak = |mut s| {
                s.pop();
                s
            }
        },
        Err(BadSignature),
    );
    check(
        "empty signature",
        |c| c.sig_tweak = |_| Vec::new(),
        Err(BadSignature),
    );
    check(
        "zero signature",
        |c| c.sig_tweak = |_| vec![0; 64],
        Err(BadSignature),
    );
    check(
        "payload changed after signing",
        |c| {
            c.post = |s| {
                resign_payload_unsigned(&s, |p| p["exp"] = json!(p["exp"].as_i64().unwrap() + 1))
            }
        },
        Err(BadSignature),
    );
    check(
        "payload changed to another issuer after signing",
        |c| c.post = |s| resign_payload_unsigned(&s, |p| p["iss"] = json!("http://evil.example")),
        Err(BadSignature),
    );
    check(
        "high-S signature is valid",
        |c| c.sig_tweak = high_s,
        Ok(()),
    );
}

#[test]
fn wrong_issuer_and_credential_type() {
    check(
        "other iss",
        |c| c.payload["iss"] = json!("http://127.0.0.1:8081"),
        Err(WrongIssuer),
    );
    check(
        "iss with trailing slash",
        |c| c.payload["iss"] = json!("http://127.0.0.1:8080/"),
        Err(WrongIssuer),
    );
    check(
        "other vct",
        |c| c.payload["vct"] = json!("urn:mirairo-id:disability-certificate:2"),
        Err(WrongCredentialType),
    );
    check(
        "wrong iss comes before expiry",
        |c| {
            c.payload["iss"] = json!("x");
            c.payload["exp"] = json!(0);
        },
        Err(WrongIssuer),
    );
}

#[test]
fn expiry_and_validity_window() {
    check(
        "exp = now - leeway",
        |c| c.payload["exp"] = json!(NOW - 60),
        Err(Expired),
    );
    check(
        "exp = now - leeway + 1",
        |c| c.payload["exp"] = json!(NOW - 59),
        Ok(()),
    );
    check(
        "iat = now + leeway",
        |c| c.payload["iat"] = json!(NOW + 60),
        Ok(()),
    );
    check(
        "iat = now + leeway + 1",
        |c| c.payload["iat"] = json!(NOW + 61),
        Err(NotYetValid),
    );
    check(
        "nbf = now + leeway + 1",
        |c| c.payload["nbf"] = json!(NOW + 61),
        Err(NotYetValid),
    );
    check("nbf = now", |c| c.payload["nbf"] = json!(NOW), Ok(()));
}

#[test]
fn bad_disclosure() {
    let rows: Vec<Row> = vec![
        ("same disclosure twice", |c| {
            let d = c.disclosures[0].clone();
            c.disclosures.push(d);
        }),
        ("digest referenced twice", |c| {
            let d = c.disclosures[0].digest();
            c.extra_digests.push(d);
        }),
        // RFC 9901 §7.1: decoys too (the valid case carries three distinct ones).
        ("decoy digest twice", |c| {
            let d = c.extra_digests[0].clone();
            c.extra_digests.push(d);
        }),
        ("disclosure not referenced", |c| {
            c.raw_disclosures
                .push(disclosure("birthdate", json!("1990-01-01")).encoded)
        }),
        ("disclosed _sd", |c| {
            c.disclosures.push(disclosure("_sd", json!([])))
        }),
        ("disclosed ...", |c| {
            c.disclosures.push(disclosure("...", json!(1)))
        }),
        ("disclosed and cleartext", |c| {
            c.payload["fare_class"] = json!(1)
        }),
        ("array of 4", |c| {
            c.raw_disclosures.push(b64url_encode(br#"["s","a",1,2]"#))
        }),
        ("array of 1", |c| {
            c.raw_disclosures.push(b64url_encode(br#"["s"]"#))
        }),
        ("object, not array", |c| {
            c.raw_disclosures.push(b64url_encode(br#"{"a":1}"#))
        }),
        ("array element in _sd", |c| {
            c.disclosures.push(Disclosure::array_element(
                "salt-array-0123456789",
                sdk(&json!("x")),
            ))
        }),
        ("_sd_alg sha-512", |c| {
            c.payload["_sd_alg"] = json!("sha-512")
        }),
        ("fare_class \"1\"", |c| {
            c.disclosure_mut("fare_class", json!("1"))
        }),
        ("fare_class 3", |c| c.disclosure_mut("fare_class", json!(3))),
        ("caregiver \"yes\"", |c| {
            c.disclosure_mut("caregiver", json!("yes"))
        }),
        ("certificate_type visual", |c| {
            c.disclosure_mut("certificate_type", json!("visual"))
        }),
        ("issuer_prefecture 48", |c| {
            c.disclosure_mut("issuer_prefecture", json!("48"))
        }),
        ("valid_until 2030-02-30", |c| {
            c.disclosure_mut("valid_until", json!("2030-02-30"))
        }),
        ("grade a number", |c| c.disclosure_mut("grade", json!(2))),
        ("mynaportal unknown", |c| {
            c.disclosures.push(disclosure("mynaportal", json!("maybe")))
        }),
        ("birthdate null", |c| {
            c.disclosures.push(disclosure("birthdate", json!(null)))
        }),
    ];
    for (name, mutate) in rows {
        check(name, mutate, Err(BadDisclosure));
    }
    check(
        "fare_class null is valid",
        |c| c.disclosure_mut("fare_class", json!(null)),
        Ok(()),
    );
    check(
        "valid_until null is valid",
        |c| c.disclosure_mut("valid_until", json!(null)),
        Ok(()),
    );
    check(
        "_sd_alg absent means sha-256",
        |c| c.payload["_sd_alg"] = Value::Null,
        Ok(()),
    );
    check("no disclosures at all", |c| c.disclosures.clear(), Ok(()));
}

#[test]
fn key_binding() {
    check("required, absent", |c| c.kb = None, Err(KeyBindingRequired));
    check(
        "not required, absent",
        |c| {
            c.kb = None;
            c.options.require_key_binding = false;
        },
        Ok(()),
    );
    let bad: Vec<Row> = vec![
        ("wrong sd_hash", |c| {
            c.kb_mut().sd_hash = Some(b64url_encode(&[0; 32]))
        }),
        ("wrong nonce", |c| {
            c.kb_mut().claims["nonce"] = json!("other")
        }),
        ("wrong aud", |c| {
            c.kb_mut().claims["aud"] = json!("https://evil.example")
        }),
        ("aud as array", |c| {
            c.kb_mut().claims["aud"] = json!([AUDIENCE])
        }),
        ("iat missing", |c| {
            c.kb_mut().claims.as_object_mut().unwrap().remove("iat");
        }),
        ("too old", |c| c.kb_mut().claims["iat"] = json!(NOW - 301)),
        ("in the future", |c| {
            c.kb_mut().claims["iat"] = json!(NOW + 61)
        }),
        ("signed by another key", |c| {
            c.kb_mut().signer = Signer::Es256(other_key())
        }),
        ("signed by the issuer", |c| {
            c.kb_mut().signer = Signer::Es256(issuer_key())
        }),
        ("a disclosure dropped after KB signing", |c| {
            c.post = |s| {
                let i = s.find('~').unwrap();
                let j = s[i + 1..].find('~').unwrap() + i + 1;
                format!("{}{}", &s[..i], &s[j..])
            }
        }),
        ("present but not required, wrong nonce", |c| {
            c.options.require_key_binding = false;
            c.kb_mut().claims["nonce"] = json!("x");
        }),
        ("no expected audience", |c| c.options.audience = None),
        ("no expected nonce", |c| c.options.nonce = None),
    ];
    for (name, mutate) in bad {
        check(name, mutate, Err(BadKeyBinding));
    }
    check(
        "exactly the maximum age",
        |c| c.kb_mut().claims["iat"] = json!(NOW - 300),
        Ok(()),
    );
    check(
        "future within leeway",
        |c| c.kb_mut().claims["iat"] = json!(NOW + 60),
        Ok(()),
    );
    check(
        "custom maximum age",
        |c| {
            c.kb_mut().claims["iat"] = json!(NOW - 50);
            c.options.max_key_binding_age = 40;
        },
        Err(BadKeyBinding),
    );
    let mut case = Case::valid();
    case.options.require_key_binding = false;
    assert!(
        run(&case).unwrap().key_bound,
        "a present, valid KB-JWT binds even when not required"
    );
    case.kb = None;
    assert!(!run(&case).unwrap().key_bound);
}

#[test]
fn missing_claim() {
    check(
        "required and disclosed",
        |c| c.options.required_claims = vec!["fare_class".into(), "valid_until".into()],
        Ok(()),
    );
    check(
        "required birthdate not disclosed",
        |c| c.options.required_claims = vec!["fare_class".into(), "birthdate".into()],
        Err(MissingClaim),
    );
    check(
        "required claim only in cleartext",
        |c| {
            c.payload["birthdate"] = json!("1990-01-01");
            c.options.required_claims = vec!["birthdate".into()];
        },
        Err(MissingClaim),
    );
}

#[test]
fn status() {
    check(
        "valid in the list",
        |c| {
            c.options.status_list = Some(status_ok_at(NOW));
            c.options.require_status = true;
        },
        Ok(()),
    );
    check(
        "revoked",
        |c| {
            c.options.status_list = Some(status_list_jwt(
                &[(STATUS_IDX, 1)],
                &issuer_key(),
                "k1",
                NOW,
            ))
        },
        Err(Revoked),
    );
    check(
        "suspended",
        |c| {
            c.options.status_list = Some(status_list_jwt(
                &[(STATUS_IDX, 2)],
                &issuer_key(),
                "k1",
                NOW,
            ))
        },
        Err(Suspended),
    );
    check(
        "revoked, signed by the rotated key",
        |c| {
            c.options.status_list = Some(status_list_jwt(
                &[(STATUS_IDX, 1)],
                &rotated_key(),
                "k2",
                NOW,
            ))
        },
        Err(Revoked),
    );
    check(
        "required, no list",
        |c| c.options.require_status = true,
        Err(StatusUnavailable),
    );
    check(
        "required, list by an unknown key",
        |c| {
            c.options.status_list = Some(status_list_jwt(&[], &other_key(), "k1", NOW));
            c.options.require_status = true;
        },
        Err(StatusUnavailable),
    );
    check(
        "required, list expired",
        |c| {
            c.options.status_list = Some(status_list_jwt(&[], &issuer_key(), "k1", NOW - 4000));
            c.options.require_status = true;
        },
        Err(StatusUnavailable),
    );
    check(
        "required, list is garbage",
        |c| {
            c.options.status_list = Some("garbage".into());
            c.options.require_status = true;
        },
        Err(StatusUnavailable),
    );
    check(
        "required, credential has no status",
        |c| {
            c.payload.as_object_mut().unwrap().remove("status");
            c.options.status_list = Some(status_ok_at(NOW));
            c.options.require_status = true;
        },
        Err(StatusUnavailable),
    );
    check(
        "required, index out of range",
        |c| {
            c.payload["status"]["status_list"]["idx"] = json!(100_000);
            c.options.status_list = Some(status_ok_at(NOW));
            c.options.require_status = true;
        },
        Err(StatusUnavailable),
    );
    check(
        "not required, unverifiable list ignored",
        |c| {
            c.options.status_list =
                Some(status_list_jwt(&[(STATUS_IDX, 1)], &other_key(), "k1", NOW))
        },
        Ok(()),
    );
    check(
        "not required, other uri ignored",
        |c| {
            c.payload["status"]["status_list"]["uri"] = json!("http://127.0.0.1:8080/status/2");
            c.options.status_list = Some(status_list_jwt(
                &[(STATUS_IDX, 1)],
                &issuer_key(),
                "k1",
                NOW,
            ));
        },
        Ok(()),
    );
    check(
        "revoked comes before missing claim? no: missing_claim first",
        |c| {
            c.options.status_list = Some(status_list_jwt(
                &[(STATUS_IDX, 1)],
                &issuer_key(),
                "k1",
                NOW,
            ));
            c.options.required_claims = vec!["birthdate".into()];
        },
        Err(MissingClaim),
    );
}

/// 2026-11-27T15:00:00Z is 2026-11-28 00:00 in Japan.
const JST_MIDNIGHT: i64 = 1_795_791_600;

#[test]
fn certificate_expired_uses_the_date_in_japan() {
    let until_27th = |c: &mut Case, now: i64| {
        c.at(now);
        c.disclosure_mut("valid_until", json!("2026-11-27"));
    };
    check(
        "valid_until = today in Japan (14:59:59Z)",
        |c| until_27th(c, JST_MIDNIGHT - 1),
        Ok(()),
    );
    check(
        "valid_until = today UTC, yesterday in Japan (15:00Z)",
        |c| until_27th(c, JST_MIDNIGHT),
        Err(CertificateExpired),
    );
    check(
        "valid_until the day before",
        |c| {
            c.at(JST_MIDNIGHT - 1);
            c.disclosure_mut("valid_until", json!("2026-11-26"));
        },
        Err(CertificateExpired),
    );
    check(
        "valid_until null never expires",
        |c| {
            c.at(JST_MIDNIGHT + 86_400 * 3650);
            c.disclosure_mut("valid_until", json!(null));
        },
        Ok(()),
    );
    check(
        "valid_until not disclosed",
        |c| {
            c.at(JST_MIDNIGHT + 86_400 * 3650);
            c.disclosures.retain(|d| d.name() != Some("valid_until"));
        },
        Ok(()),
    );
    check(
        "status revoked comes before certificate_expired",
        |c| {
            until_27th(c, JST_MIDNIGHT);
            c.options.status_list = Some(status_list_jwt(
                &[(STATUS_IDX, 1)],
                &issuer_key(),
                "k1",
                JST_MIDNIGHT,
            ));
        },
        Err(Revoked),
    );
}

/// One representative row per code, run here again: the set of codes the verifier
/// produced must be every code of PROTOCOL.md §4 (`invalid_config` comes from
/// `Verifier::new`, see tests/id_token.rs).
#[test]
fn every_protocol_code_is_produced() {
    let representatives: Vec<Row> = vec![
        ("malformed", |c| c.payload["iat"] = json!("x")),
        ("unsupported_algorithm", |c| {
            c.header["jku"] = json!("https://e.example")
        }),
        ("wrong_type", |c| c.header["typ"] = json!("JWT")),
        ("unknown_key", |c| c.header["kid"] = json!("nope")),
        ("bad_signature", |c| c.sig_tweak = flip_last_bit),
        ("wrong_issuer", |c| {
            c.payload["iss"] = json!("http://other.example")
        }),
        ("wrong_credential_type", |c| {
            c.payload["vct"] = json!("urn:other")
        }),
        ("expired", |c| c.payload["exp"] = json!(NOW - 3600)),
        ("not_yet_valid", |c| c.payload["iat"] = json!(NOW + 3600)),
        ("bad_disclosure", |c| {
            c.disclosure_mut("fare_class", json!("1"))
        }),
        ("key_binding_required", |c| c.kb = None),
        ("bad_key_binding", |c| {
            c.kb_mut().claims["nonce"] = json!("x")
        }),
        ("missing_claim", |c| {
            c.options.required_claims = vec!["birthdate".into()]
        }),
        ("revoked", |c| {
            c.options.status_list = Some(status_list_jwt(
                &[(STATUS_IDX, 1)],
                &issuer_key(),
                "k1",
                NOW,
            ))
        }),
        ("suspended", |c| {
            c.options.status_list = Some(status_list_jwt(
                &[(STATUS_IDX, 2)],
                &issuer_key(),
                "k1",
                NOW,
            ))
        }),
        ("status_unavailable", |c| c.options.require_status = true),
        ("certificate_expired", |c| {
            c.disclosure_mut("valid_until", json!("2020-01-01"))
        }),
    ];
    let mut produced = Vec::new();
    for (name, mutate) in representatives {
        let mut case = Case::valid();
        mutate(&mut case);
        let code = run(&case).unwrap_err().code();
        assert_eq!(code.as_str(), name);
        produced.push(code);
    }
    produced.push(InvalidConfig);
    assert_eq!(produced, ErrorCode::ALL, "one row per code, in check order");
}

#[test]
fn hostile_sizes_fail_fast() {
    let started = std::time::Instant::now();
    let v = verifier();
    let opts = Case::valid().options;
    for input in [
        "~".repeat(10 * 1024 * 1024),
        "a~".repeat(5 * 1024 * 1024),
        ".".repeat(10 * 1024 * 1024),
        "[".repeat(10 * 1024 * 1024),
        format!("{}~", "A".repeat(10 * 1024 * 1024)),
    ] {
        assert_eq!(v.verify(&input, &opts).unwrap_err().code(), Malformed);
    }
    // 257 tildes within the size limit: rejected by counting, before any decoding.
    let many = format!("{}{}", Case::valid().presentation(), "~".repeat(300));
    assert_eq!(v.verify(&many, &opts).unwrap_err().code(), Malformed);
    assert!(
        started.elapsed().as_secs() < 5,
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn login_credential_must_be_bound_to_the_dpop_key() {
    let mut case = Case::valid();
    case.kb = None;
    let credential = case.presentation();
    let v = verifier();
    let own = holder_key().public_jwk().thumbprint();
    let cert = v.verify_for_login(&credential, NOW, &own).unwrap();
    assert_eq!(cert.holder_key_thumbprint, own);
    assert!(!cert.key_bound);
    let other = other_key().public_jwk().thumbprint();
    assert_eq!(
        v.verify_for_login(&credential, NOW, &other)
            .unwrap_err()
            .code(),
        BadKeyBinding
    );
    // Issuer-side failures keep their own codes, in §4 order.
    assert_eq!(
        v.verify_for_login(&credential, NOW + 90_000, &other)
            .unwrap_err()
            .code(),
        Expired
    );
    case.disclosure_mut("fare_class", json!("1"));
    assert_eq!(
        v.verify_for_login(&case.presentation(), NOW, &other)
            .unwrap_err()
            .code(),
        BadDisclosure
    );
}

/// The two-phase API must say which result is the issuer's: a caller that fetches a
/// status list between the phases may do so only after the issuer signature passed, and
/// with a signature that cannot be ES256 there is no issuer check, so the presenter's
/// own KB-JWT check comes first.
#[test]
fn issuer_signature_result_is_named_not_positional() {
    let v = verifier();
    let mut case = Case::valid();
    case.sig_tweak = |s| s.into_iter().take(63).collect();
    let prepared = v.prepare(&case.presentation(), &case.options).unwrap();
    assert_eq!(prepared.issuer_check_index(), None);
    assert_eq!(
        prepared.signature_checks().len(),
        1,
        "only the KB-JWT check is left"
    );
    assert!(!prepared.issuer_signature_passed(&[true]));
    assert_eq!(prepared.finish(&[true]).unwrap_err().code(), BadSignature);

    let case = Case::valid();
    let prepared = v.prepare(&case.presentation(), &case.options).unwrap();
    assert_eq!(prepared.issuer_check_index(), Some(0));
    assert!(prepared.issuer_signature_passed(&[true, false]));
    assert!(!prepared.issuer_signature_passed(&[false, true]));
    assert!(
        !prepared.issuer_signature_passed(&[]),
        "a missing result is a failure"
    );
}
