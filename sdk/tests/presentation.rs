//! Counter presentation (PROTOCOL.md §7): one row per §7.2 outcome and per §7.3 wallet
//! rule, each beside the valid case it breaks; the JSON and URL round trips; the
//! wallet's answer verified by the verifier.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use mirairo_id_sdk::form::Form;
use mirairo_id_sdk::json as sdk_json;
use mirairo_id_sdk::openid4vp::{
    PresentationRequest, PresentationRequestOptions, PresentationResponse, WalletAnswer,
    WalletRequest, WalletRequestError, MAX_RESPONSE_BYTES,
};
use mirairo_id_sdk::{ErrorCode, VerifiedCertificate, VerifyError, DEFAULT_VCT};
use serde_json::{json, Value};

const RESPONSE_URI: &str = "https://rail.example/counter/response";
const CLAIMS: [&str; 4] = ["certificate_type", "fare_class", "caregiver", "valid_until"];

fn options() -> PresentationRequestOptions {
    PresentationRequestOptions {
        response_uri: RESPONSE_URI.into(),
        claims: CLAIMS.iter().map(|c| (*c).to_owned()).collect(),
        client_name: Some("みらい鉄道 新宿駅".into()),
        expires_in: None,
    }
}

fn request() -> PresentationRequest {
    PresentationRequest::create(options(), NOW - 60).unwrap()
}

fn form(pairs: &[(&str, &str)]) -> String {
    Form::encode(pairs)
}

fn vp_token(presentations: &[&str]) -> String {
    json!({ "certificate": presentations }).to_string()
}

/// One §7.2 scenario: a request, a presentation built from a test credential, and
/// how it is posted.
struct Scenario {
    request: PresentationRequest,
    case: Case,
    /// The whole body, when a row replaces it.
    body: Option<String>,
    now: i64,
    status_list: Option<String>,
}

impl Scenario {
    fn valid() -> Self {
        let request = request();
        let mut case = Case::valid();
        case.disclosures
            .retain(|d| CLAIMS.contains(&d.name().unwrap()));
        let kb = case.kb_mut();
        kb.claims["aud"] = json!(request.client_id());
        kb.claims["nonce"] = json!(request.nonce());
        Self {
            request,
            case,
            body: None,
            now: NOW,
            status_list: Some(status_list_jwt(&[], &issuer_key(), "k1", NOW)),
        }
    }

    fn body(&self) -> String {
        self.body.clone().unwrap_or_else(|| {
            form(&[
                ("vp_token", &vp_token(&[&self.case.presentation()])),
                ("state", self.request.state()),
            ])
        })
    }

    fn state(&self) -> String {
        self.request.state().to_owned()
    }

    fn run(&self) -> Result<VerifiedCertificate, VerifyError> {
        let body = self.body();
        let v = verifier();
        let direct = v.verify_presentation_response(
            &body,
            &self.request,
            self.now,
            self.status_list.as_deref(),
        );
        // The two-phase path gives the same outcome.
        let two_phase = v
            .prepare_presentation_response(
                &body,
                &self.request,
                self.now,
                self.status_list.as_deref(),
            )
            .and_then(|p| {
                let results: Vec<bool> = p.signature_checks().iter().map(|c| c.verify()).collect();
                p.finish(&results)
            });
        assert_eq!(direct, two_phase);
        direct
    }
}

type Edit = fn(&mut Scenario);

#[test]
fn every_response_outcome_with_its_negative_case() {
    let table: Vec<(&str, Option<&str>, Edit)> = vec![
        ("valid", None, |_| {}),
        ("unknown parameters are ignored", None, |s| {
            let p = s.case.presentation();
            s.body = Some(form(&[
                ("state", &s.state()),
                ("vp_token", &vp_token(&[&p])),
                ("presentation_submission", "{}"),
            ]))
        }),
        ("answered in the last second", None, |s| {
            s.now = s.request.expires_at() - 1;
            s.case.at(s.now);
            s.status_list = Some(status_list_jwt(&[], &issuer_key(), "k1", s.now));
        }),
        ("no state", Some("invalid_request"), |s| {
            s.body = Some(form(&[("vp_token", &vp_token(&[&s.case.presentation()]))]))
        }),
        ("empty state", Some("invalid_request"), |s| {
            s.body = Some(form(&[
                ("vp_token", &vp_token(&[&s.case.presentation()])),
                ("state", ""),
            ]))
        }),
        ("state twice", Some("invalid_request"), |s| {
            s.body = Some(format!("{}&state={}", s.body(), s.state()))
        }),
        ("neither vp_token nor error", Some("invalid_request"), |s| {
            s.body = Some(form(&[("state", &s.state())]))
        }),
        ("both vp_token and error", Some("invalid_request"), |s| {
            s.body = Some(format!("{}&error=access_denied", s.body()))
        }),
        ("bad percent-encoding", Some("invalid_request"), |s| {
            s.body = Some(format!("{}&x=%E3%8", s.body()))
        }),
        ("vp_token not JSON", Some("invalid_request"), |s| {
            let p = s.case.presentation();
            s.body = Some(form(&[("vp_token", &p), ("state", &s.state())]))
        }),
        ("vp_token not an object", Some("invalid_request"), |s| {
            let p = json!([s.case.presentation()]).to_string();
            s.body = Some(form(&[("vp_token", &p), ("state", &s.state())]))
        }),
        ("no certificate key", Some("invalid_request"), |s| {
            let p = json!({"my_credential": [s.case.presentation()]}).to_string();
            s.body = Some(form(&[("vp_token", &p), ("state", &s.state())]))
        }),
        ("a key besides certificate", Some("invalid_request"), |s| {
            let p = s.case.presentation();
            let token = json!({"certificate": [p], "other": [p]}).to_string();
            s.body = Some(form(&[("vp_token", &token), ("state", &s.state())]))
        }),
        ("zero presentations", Some("invalid_request"), |s| {
            s.body = Some(form(&[("vp_token", &vp_token(&[])), ("state", &s.state())]))
        }),
        ("two presentations", Some("invalid_request"), |s| {
            let p = s.case.presentation();
            s.body = Some(form(&[
                ("vp_token", &vp_token(&[&p, &p])),
                ("state", &s.state()),
            ]))
        }),
        ("presentation not a string", Some("invalid_request"), |s| {
            let token = json!({"certificate": [{"p": s.case.presentation()}]}).to_string();
            s.body = Some(form(&[("vp_token", &token), ("state", &s.state())]))
        }),
        ("certificate not an array", Some("invalid_request"), |s| {
            let token = json!({"certificate": s.case.presentation()}).to_string();
            s.body = Some(form(&[("vp_token", &token), ("state", &s.state())]))
        }),
        ("garbage body", Some("invalid_request"), |s| {
            s.body = Some("\u{0}\u{ffff}%%%&&==".into())
        }),
        ("huge body", Some("invalid_request"), |s| {
            s.body = Some(format!(
                "state=x&vp_token={}",
                "A".repeat(MAX_RESPONSE_BYTES)
            ))
        }),
        ("wrong state", Some("request_not_found"), |s| {
            let p = s.case.presentation();
            s.body = Some(form(&[
                ("vp_token", &vp_token(&[&p])),
                ("state", "another-state"),
            ]))
        }),
        ("expired", Some("request_expired"), |s| {
            s.now = s.request.expires_at();
            s.case.at(s.now);
        }),
        ("declined", Some("access_denied"), |s| {
            s.body = Some(form(&[("error", "access_denied"), ("state", &s.state())]))
        }),
        ("declined after expiry", Some("request_expired"), |s| {
            s.body = Some(form(&[("error", "access_denied"), ("state", &s.state())]));
            s.now = s.request.expires_at() + 1;
        }),
        ("wallet error", Some("wallet_error"), |s| {
            s.body = Some(form(&[
                ("error", "invalid_request"),
                ("error_description", "unsupported client_id_prefix"),
                ("state", &s.state()),
            ]))
        }),
        ("presentation garbage", Some("malformed"), |s| {
            s.body = Some(form(&[
                ("vp_token", &vp_token(&["x"])),
                ("state", &s.state()),
            ]))
        }),
        ("bad issuer signature", Some("bad_signature"), |s| {
            s.case.signer = Signer::Es256(other_key())
        }),
        ("KB-JWT missing", Some("key_binding_required"), |s| {
            s.case.kb = None
        }),
        (
            "KB-JWT signed by another key",
            Some("bad_key_binding"),
            |s| s.case.kb_mut().signer = Signer::Es256(other_key()),
        ),
        (
            "aud without the redirect_uri: prefix",
            Some("bad_key_binding"),
            |s| s.case.kb_mut().claims["aud"] = json!(RESPONSE_URI),
        ),
        ("aud of another verifier", Some("bad_key_binding"), |s| {
            s.case.kb_mut().claims["aud"] = json!("redirect_uri:https://evil.example/response")
        }),
        ("nonce of another request", Some("bad_key_binding"), |s| {
            s.case.kb_mut().claims["nonce"] = json!(request().nonce())
        }),
        ("requested claim missing", Some("missing_claim"), |s| {
            s.case
                .disclosures
                .retain(|d| d.name() != Some("valid_until"))
        }),
        ("revoked", Some("revoked"), |s| {
            s.status_list = Some(status_list_jwt(
                &[(STATUS_IDX, 1)],
                &issuer_key(),
                "k1",
                NOW,
            ))
        }),
        ("suspended", Some("suspended"), |s| {
            s.status_list = Some(status_list_jwt(
                &[(STATUS_IDX, 2)],
                &issuer_key(),
                "k1",
                NOW,
            ))
        }),
        ("status list missing", Some("status_unavailable"), |s| {
            s.status_list = None
        }),
        (
            "status list not signed by the issuer",
            Some("status_unavailable"),
            |s| s.status_list = Some(status_list_jwt(&[], &other_key(), "k1", NOW)),
        ),
        ("certificate expired", Some("certificate_expired"), |s| {
            s.case.disclosure_mut("valid_until", json!("2020-01-01"))
        }),
    ];
    let mut failures = Vec::new();
    for (name, expected, edit) in table {
        let mut scenario = Scenario::valid();
        edit(&mut scenario);
        let got = scenario.run().map(|_| ()).map_err(|e| e.code().as_str());
        let want = expected.map_or(Ok(()), Err);
        if got != want {
            failures.push(format!("{name}: expected {want:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn every_presentation_code_has_a_row_in_check_order() {
    let rows: [(ErrorCode, Edit); 5] = [
        (ErrorCode::InvalidRequest, |s| {
            s.body = Some("vp_token=%7B%7D".into())
        }),
        (ErrorCode::RequestNotFound, |s| {
            s.body = Some(form(&[("error", "access_denied"), ("state", "x")]))
        }),
        (ErrorCode::RequestExpired, |s| {
            s.now = s.request.expires_at()
        }),
        (ErrorCode::AccessDenied, |s| {
            s.body = Some(form(&[("error", "access_denied"), ("state", &s.state())]))
        }),
        (ErrorCode::WalletError, |s| {
            s.body = Some(form(&[("error", "server_error"), ("state", &s.state())]))
        }),
    ];
    let produced: Vec<ErrorCode> = rows
        .iter()
        .map(|(_, edit)| {
            let mut s = Scenario::valid();
            edit(&mut s);
            s.run().unwrap_err().code()
        })
        .collect();
    assert_eq!(produced, ErrorCode::PRESENTATION);
}

#[test]
fn the_result_holds_only_the_requested_claims() {
    let valid = Scenario::valid().run().unwrap();
    assert!(valid.key_bound);
    assert_eq!(valid.disclosed, CLAIMS);
    assert_eq!(valid.fare_class, Some(mirairo_id_sdk::FareClass::Class1));

    // The wallet disclosed more than asked (grade, issuer_prefecture): not refused,
    // but nothing beyond the request reaches the result.
    let mut over = Scenario::valid();
    over.case = Case::valid();
    let kb = over.case.kb_mut();
    kb.claims["aud"] = json!(over.request.client_id());
    kb.claims["nonce"] = json!(over.request.nonce());
    let cert = over.run().unwrap();
    assert_eq!(cert.disclosed, CLAIMS);
    assert_eq!(cert.grade, None);
    assert_eq!(cert.issuer_prefecture, None);
    assert_eq!(cert.renewed_on, None);
    assert_eq!(cert, valid);
    let json = cert.to_json().to_string();
    assert!(
        !json.contains("grade") && !json.contains("issuerPrefecture"),
        "{json}"
    );

    // Nor the holder key's thumbprint: a persistent identifier (the holder's DPoP key,
    // the same with every partner) that no counter asked for.
    let thumbprint = holder_key().public_jwk().thumbprint();
    assert_eq!(valid.holder_key_thumbprint, "");
    let json = valid.to_json();
    let text = json.to_string();
    assert!(
        !text.contains("holderKeyThumbprint") && !text.contains(&thumbprint),
        "{text}"
    );
    // The JSON still reads back (fareDiscount and stores take it as it is).
    assert_eq!(VerifiedCertificate::from_json(&json).unwrap(), valid);
}

#[test]
fn every_unrequested_claim_is_left_out_of_the_result() {
    // A wallet discloses all fifteen §3 claims; a request for any one of them yields
    // that claim alone (in `disclosed`, in the fields and in the JSON).
    let all = [
        ("certificate_type", json!("physical"), "certificateType"),
        ("grade", json!("2"), "grade"),
        ("fare_class", json!(1), "fareClass"),
        ("caregiver", json!(true), "caregiver"),
        ("issuer_prefecture", json!("13"), "issuerPrefecture"),
        ("certificate_number", json!("12345"), "certificateNumber"),
        ("issued_on", json!("2020-04-01"), "issuedOn"),
        ("renewed_on", json!(null), "renewedOn"),
        ("valid_until", json!("2030-03-31"), "validUntil"),
        ("family_name", json!("ミライロ"), "familyName"),
        ("given_name", json!("ハナコ"), "givenName"),
        ("family_name_kana", json!("ミライロ"), "familyNameKana"),
        ("given_name_kana", json!("ハナコ"), "givenNameKana"),
        ("birthdate", json!("1990-01-01"), "birthdate"),
        ("mynaportal", json!("linked"), "mynaportal"),
    ];
    assert_eq!(
        all.len(),
        mirairo_id_sdk::oidc::CERTIFICATE_CLAIMS_SUPPORTED.len()
    );
    let status = status_list_jwt(&[], &issuer_key(), "k1", NOW);
    let mut failures = Vec::new();
    for (claim, _, key) in &all {
        let mut o = options();
        o.claims = vec![(*claim).to_owned()];
        let request = PresentationRequest::create(o, NOW - 60).unwrap();
        let mut case = Case::valid();
        case.disclosures = all
            .iter()
            .map(|(name, value, _)| disclosure(name, value.clone()))
            .collect();
        let kb = case.kb_mut();
        kb.claims["aud"] = json!(request.client_id());
        kb.claims["nonce"] = json!(request.nonce());
        let body = form(&[
            ("vp_token", &vp_token(&[&case.presentation()])),
            ("state", request.state()),
        ]);
        let cert = verifier()
            .verify_presentation_response(&body, &request, NOW, Some(&status))
            .unwrap();
        let json = serde(&cert.to_json());
        let mut keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        let mut want = vec![
            "disclosed",
            "expiresAt",
            "issuedAt",
            "issuer",
            "keyBound",
            key,
        ];
        want.sort_unstable();
        if cert.disclosed != [*claim] || keys != want {
            failures.push(format!(
                "{claim}: disclosed {:?}, keys {keys:?}",
                cert.disclosed
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn the_response_is_read_by_one_strict_decoder() {
    let s = Scenario::valid();
    let parsed = PresentationResponse::parse(&s.body()).unwrap();
    assert_eq!(parsed.state(), s.request.state());
    assert!(matches!(parsed.answer(), WalletAnswer::VpToken(_)));
    assert_eq!(parsed.presentation().unwrap(), s.case.presentation());
    // '+' is a space; the description is kept for logs.
    let declined =
        PresentationResponse::parse("error=access_denied&error_description=no+thanks&state=s")
            .unwrap();
    assert_eq!(
        declined.answer(),
        &WalletAnswer::Error {
            error: "access_denied".into(),
            description: Some("no thanks".into())
        }
    );
    assert_eq!(
        declined.presentation().unwrap_err().code(),
        ErrorCode::AccessDenied
    );
}

#[test]
fn debug_output_never_shows_the_presentation() {
    // A server that logs a parsed response or a wallet's pending answer with `{:?}`
    // must not write the raw presentation (disclosed claims, issuer JWT) to its logs.
    let s = Scenario::valid();
    let presentation = s.case.presentation();
    let issuer_jwt = presentation.split('~').next().unwrap().to_owned();
    let disclosure = presentation.split('~').nth(1).unwrap().to_owned();
    let parsed = PresentationResponse::parse(&s.body()).unwrap();
    let printed = format!("{parsed:?} {:?}", parsed.answer());
    for secret in [&issuer_jwt, &disclosure] {
        assert!(!printed.contains(secret.as_str()), "{printed}");
    }
    let w = WalletRequest::parse(&s.request.url()).unwrap();
    let pending = w.prepare_response(&credential(), NOW).unwrap();
    let printed = format!("{pending:?}");
    for secret in [&issuer_jwt, &disclosure] {
        assert!(!printed.contains(secret.as_str()), "{printed}");
    }
    assert!(!printed.contains(s.request.nonce()), "{printed}");
}

// ---------------------------------------------------------------------------------
// Creating requests

#[test]
fn create_validates_its_options() {
    type OptEdit = fn(&mut PresentationRequestOptions);
    let table: Vec<(&str, bool, OptEdit)> = vec![
        ("valid", true, |_| {}),
        ("loopback http", true, |o| {
            o.response_uri = "http://127.0.0.1:8080/demo/api/counter/response".into()
        }),
        ("localhost http", true, |o| {
            o.response_uri = "http://localhost:3000/api/counter/response".into()
        }),
        ("IPv6 loopback http", true, |o| {
            o.response_uri = "http://[::1]:3000/r".into()
        }),
        ("with a query", true, |o| {
            o.response_uri = "https://rail.example/r?window=3".into()
        }),
        ("no client name", true, |o| o.client_name = None),
        ("30 seconds", true, |o| o.expires_in = Some(30)),
        ("an hour", true, |o| o.expires_in = Some(3600)),
        ("http off loopback", false, |o| {
            o.response_uri = "http://rail.example/r".into()
        }),
        ("http on a 127 look-alike", false, |o| {
            o.response_uri = "http://127.0.0.1.evil.example/r".into()
        }),
        ("fragment", false, |o| {
            o.response_uri = "https://rail.example/r#x".into()
        }),
        ("relative", false, |o| {
            o.response_uri = "/counter/response".into()
        }),
        ("other scheme", false, |o| {
            o.response_uri = "openid4vp://x".into()
        }),
        ("user info", false, |o| {
            o.response_uri = "https://a@rail.example/r".into()
        }),
        ("whitespace", false, |o| {
            o.response_uri = "https://rail.example/r x".into()
        }),
        ("no claims", false, |o| o.claims.clear()),
        ("unknown claim", false, |o| o.claims.push("address".into())),
        ("repeated claim", false, |o| {
            o.claims.push("fare_class".into())
        }),
        ("blank client name", false, |o| {
            o.client_name = Some("  ".into())
        }),
        ("control character in client name", false, |o| {
            o.client_name = Some("a\u{7}".into())
        }),
        ("long client name", false, |o| {
            o.client_name = Some("あ".repeat(101))
        }),
        ("29 seconds", false, |o| o.expires_in = Some(29)),
        ("over an hour", false, |o| o.expires_in = Some(3601)),
    ];
    for (name, ok, edit) in table {
        let mut o = options();
        edit(&mut o);
        let got = PresentationRequest::create(o, NOW);
        match (ok, got) {
            (true, Ok(_)) => {}
            (false, Err(e)) => assert_eq!(e.code(), ErrorCode::InvalidConfig, "{name}"),
            (_, other) => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn the_url_is_the_openid4vp_request_of_section_7_1() {
    let r = request();
    let url = r.url();
    assert!(url.starts_with("openid4vp://?client_id=redirect_uri%3Ahttps%3A%2F%2Frail.example%2Fcounter%2Fresponse&response_type=vp_token&response_mode=direct_post&response_uri=https%3A%2F%2Frail.example%2Fcounter%2Fresponse&nonce="), "{url}");
    assert!(url.bytes().all(|b| b.is_ascii_graphic()), "{url}");
    let query = Form::parse(url.strip_prefix("openid4vp://?").unwrap(), 1 << 20).unwrap();
    assert_eq!(query.get("state"), Some(r.state()));
    assert_eq!(query.get("nonce"), Some(r.nonce()));
    assert!(r.state().len() >= 22 && r.nonce().len() >= 22 && r.state() != r.nonce());
    let dcql: Value = serde_json::from_str(query.get("dcql_query").unwrap()).unwrap();
    assert_eq!(
        dcql,
        json!({"credentials": [{
            "id": "certificate", "format": "dc+sd-jwt",
            "meta": {"vct_values": [DEFAULT_VCT]},
            "claims": [{"path": ["certificate_type"]}, {"path": ["fare_class"]},
                       {"path": ["caregiver"]}, {"path": ["valid_until"]}]
        }]})
    );
    // Compact JSON, exactly as the core writes it.
    assert_eq!(query.get("dcql_query").unwrap(), r.dcql_query().to_string());
    assert!(!query.get("dcql_query").unwrap().contains(' '));
    let metadata: Value = serde_json::from_str(query.get("client_metadata").unwrap()).unwrap();
    assert_eq!(
        metadata,
        json!({"client_name": "みらい鉄道 新宿駅", "vp_formats_supported": {"dc+sd-jwt": {
            "sd-jwt_alg_values": ["ES256"], "kb-jwt_alg_values": ["ES256"]}}})
    );
    // Nothing personal: the request carries only the claim names.
    assert_eq!(query.pairs().len(), 8);
    // Fresh randomness per request.
    assert_ne!(request().state(), r.state());
}

#[test]
fn create_url_and_wallet_parse_agree() {
    for claims in [
        vec!["fare_class"],
        CLAIMS.to_vec(),
        vec!["family_name", "birthdate", "mynaportal"],
    ] {
        let mut o = options();
        o.claims = claims.iter().map(|c| (*c).to_owned()).collect();
        o.response_uri = "http://127.0.0.1:8080/demo/api/counter/response?a=1&b=%2F".into();
        let r = PresentationRequest::create(o, NOW).unwrap();
        let w = WalletRequest::parse(&r.url()).unwrap();
        assert_eq!(w.client_id(), r.client_id());
        assert_eq!(w.response_uri(), r.response_uri());
        assert_eq!(w.response_origin(), "http://127.0.0.1:8080");
        assert_eq!(w.client_name(), r.client_name());
        assert_eq!(w.nonce(), r.nonce());
        assert_eq!(w.state(), Some(r.state()));
        assert_eq!(w.claims(), r.claims());
        assert_eq!(w.credential_query_id(), "certificate");
    }
}

#[test]
fn json_round_trips_exactly_and_is_read_strictly() {
    let r = request();
    let stored = r.to_json();
    let text = stored.to_string();
    let back = PresentationRequest::from_json(&sdk_json::parse(&text).unwrap()).unwrap();
    assert_eq!(back, r);
    assert_eq!(back.to_json().to_string(), text);
    assert_eq!(back.url(), r.url());
    let mut no_name = options();
    no_name.client_name = None;
    let r2 = PresentationRequest::create(no_name, NOW).unwrap();
    assert!(!r2.to_json().to_string().contains("client_name"));
    assert_eq!(PresentationRequest::from_json(&r2.to_json()).unwrap(), r2);

    let base = serde(&stored);
    type JsonEdit = fn(&mut Value);
    let table: Vec<(&str, JsonEdit)> = vec![
        ("unknown member", |v| v["extra"] = json!(1)),
        ("missing state", |v| {
            v.as_object_mut().unwrap().remove("state");
        }),
        ("missing expires_at", |v| {
            v.as_object_mut().unwrap().remove("expires_at");
        }),
        ("expires_at a string", |v| v["expires_at"] = json!("1")),
        ("expires_at fractional", |v| v["expires_at"] = json!(1.5)),
        ("claims not strings", |v| v["claims"] = json!([1])),
        ("claims empty", |v| v["claims"] = json!([])),
        ("unknown claim", |v| v["claims"] = json!(["address"])),
        ("client_name null", |v| v["client_name"] = json!(null)),
        ("short state", |v| v["state"] = json!("abc")),
        ("state not URL-safe", |v| {
            v["state"] = json!("a b c d e f g h i j k l m n")
        }),
        ("nonce a number", |v| v["nonce"] = json!(5)),
        ("response_uri http off loopback", |v| {
            v["response_uri"] = json!("http://rail.example/r")
        }),
        ("not an object", |v| *v = json!([])),
    ];
    for (name, edit) in table {
        let mut v = base.clone();
        edit(&mut v);
        let e = PresentationRequest::from_json(&sdk(&v)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidConfig, "{name}");
    }
    // Debug never prints the secrets.
    let debug = format!("{r:?}");
    assert!(
        !debug.contains(r.state()) && !debug.contains(r.nonce()),
        "{debug}"
    );
}

// ---------------------------------------------------------------------------------
// The wallet side

fn valid_query() -> Vec<(String, String)> {
    let r = request();
    let url = r.url();
    Form::parse(url.strip_prefix("openid4vp://?").unwrap(), 1 << 20)
        .unwrap()
        .pairs()
        .to_vec()
}

fn with(edit: impl Fn(&mut Vec<(String, String)>)) -> String {
    let mut pairs = valid_query();
    edit(&mut pairs);
    let refs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    format!("openid4vp://?{}", form(&refs))
}

fn set(pairs: &mut Vec<(String, String)>, name: &str, value: &str) {
    match pairs.iter_mut().find(|(k, _)| k == name) {
        Some(pair) => pair.1 = value.to_owned(),
        None => pairs.push((name.to_owned(), value.to_owned())),
    }
}

fn remove(pairs: &mut Vec<(String, String)>, name: &str) {
    pairs.retain(|(k, _)| k != name);
}

fn dcql_with(edit: impl Fn(&mut Value)) -> String {
    let mut dcql = serde(&request().dcql_query());
    edit(&mut dcql);
    dcql.to_string()
}

#[test]
fn every_wallet_rule_with_its_negative_case() {
    use WalletRequestError as E;
    let s = |v: &str| v.to_owned();
    let table: Vec<(&str, Result<(), E>, String)> = vec![
        ("valid", Ok(()), with(|_| {})),
        (
            "a bare query",
            Ok(()),
            with(|_| {}).replace("openid4vp://?", ""),
        ),
        (
            "a universal link",
            Ok(()),
            with(|_| {}).replace("openid4vp://?", "https://wallet.example/open?"),
        ),
        (
            "pasted with spaces around",
            Ok(()),
            format!("  {}\n", with(|_| {})),
        ),
        (
            "response_uri omitted (taken from client_id)",
            Ok(()),
            with(|p| remove(p, "response_uri")),
        ),
        (
            "unknown parameters ignored",
            Ok(()),
            with(|p| set(p, "foo", "bar")),
        ),
        (
            "loopback http",
            Ok(()),
            with(|p| {
                set(p, "client_id", "redirect_uri:http://127.0.0.1:8080/r");
                set(p, "response_uri", "http://127.0.0.1:8080/r");
            }),
        ),
        (
            "no claims (only the binding)",
            Ok(()),
            with(|p| {
                set(
                    p,
                    "dcql_query",
                    &dcql_with(|d| {
                        d["credentials"][0]
                            .as_object_mut()
                            .unwrap()
                            .remove("claims");
                    }),
                )
            }),
        ),
        (
            "unknown DCQL members ignored",
            Ok(()),
            with(|p| {
                set(
                    p,
                    "dcql_query",
                    &dcql_with(|d| {
                        d["credentials"][0]["trusted_authorities"] =
                            json!([{"type": "aki", "values": ["x"]}]);
                        d["credentials"][0]["require_cryptographic_holder_binding"] = json!(true);
                        d["future"] = json!(1);
                    }),
                )
            }),
        ),
        (
            "no alg lists (any alg)",
            Ok(()),
            with(|p| {
                set(
                    p,
                    "client_metadata",
                    r#"{"vp_formats_supported":{"dc+sd-jwt":{}}}"#,
                )
            }),
        ),
        (
            "too long",
            Err(E::Malformed),
            format!("{}&pad={}", with(|_| {}), "a".repeat(20_000)),
        ),
        (
            "not a request",
            Err(E::Malformed),
            s("https://rail.example/"),
        ),
        (
            "parameter twice",
            Err(E::Malformed),
            format!("{}&state=x", with(|_| {})),
        ),
        (
            "bad escape",
            Err(E::Malformed),
            format!("{}&x=%G0", with(|_| {})),
        ),
        (
            "request_uri",
            Err(E::RequestObject),
            with(|p| set(p, "request_uri", "https://rail.example/req")),
        ),
        (
            "signed request",
            Err(E::RequestObject),
            with(|p| set(p, "request", "eyJ.eyJ.sig")),
        ),
        (
            "response_type code",
            Err(E::ResponseType),
            with(|p| set(p, "response_type", "code")),
        ),
        (
            "response_type missing",
            Err(E::ResponseType),
            with(|p| remove(p, "response_type")),
        ),
        (
            "response_mode fragment",
            Err(E::ResponseMode),
            with(|p| set(p, "response_mode", "fragment")),
        ),
        (
            "response_mode direct_post.jwt",
            Err(E::ResponseMode),
            with(|p| set(p, "response_mode", "direct_post.jwt")),
        ),
        (
            "client_id without prefix",
            Err(E::ClientId),
            with(|p| set(p, "client_id", RESPONSE_URI)),
        ),
        (
            "x509_san_dns prefix",
            Err(E::ClientId),
            with(|p| set(p, "client_id", "x509_san_dns:rail.example")),
        ),
        (
            "client_id missing",
            Err(E::ClientId),
            with(|p| remove(p, "client_id")),
        ),
        (
            "redirect_uri with direct_post",
            Err(E::RedirectUri),
            with(|p| set(p, "redirect_uri", RESPONSE_URI)),
        ),
        (
            "response_uri elsewhere",
            Err(E::ClientIdMismatch),
            with(|p| set(p, "response_uri", "https://evil.example/r")),
        ),
        (
            "response_uri with a trailing slash",
            Err(E::ClientIdMismatch),
            with(|p| set(p, "response_uri", &format!("{RESPONSE_URI}/"))),
        ),
        (
            "http off loopback",
            Err(E::ResponseUri),
            with(|p| {
                set(p, "client_id", "redirect_uri:http://rail.example/r");
                set(p, "response_uri", "http://rail.example/r");
            }),
        ),
        (
            "javascript: response_uri",
            Err(E::ResponseUri),
            with(|p| {
                set(p, "client_id", "redirect_uri:javascript:alert(1)");
                set(p, "response_uri", "javascript:alert(1)");
            }),
        ),
        ("nonce missing", Err(E::Nonce), with(|p| remove(p, "nonce"))),
        (
            "nonce not URL-safe",
            Err(E::Nonce),
            with(|p| set(p, "nonce", "a b")),
        ),
        // OpenID4VP 1.0 §5.1: `state` is only RECOMMENDED when holder binding is
        // required (the default), and REQUIRED when a query waives it.
        ("state omitted", Ok(()), with(|p| remove(p, "state"))),
        (
            "state omitted although holder binding is waived",
            Err(E::State),
            with(|p| {
                remove(p, "state");
                set(
                    p,
                    "dcql_query",
                    &dcql_with(|d| {
                        d["credentials"][0]["require_cryptographic_holder_binding"] = json!(false)
                    }),
                );
            }),
        ),
        (
            "holder binding waived, with state",
            Ok(()),
            with(|p| {
                set(
                    p,
                    "dcql_query",
                    &dcql_with(|d| {
                        d["credentials"][0]["require_cryptographic_holder_binding"] = json!(false)
                    }),
                );
            }),
        ),
        ("state empty", Err(E::State), with(|p| set(p, "state", ""))),
        (
            "transaction_data",
            Err(E::TransactionData),
            with(|p| set(p, "transaction_data", "[\"e30\"]")),
        ),
        (
            "scope instead of dcql",
            Err(E::DcqlQuery),
            with(|p| set(p, "scope", "certificate")),
        ),
        (
            "dcql_query missing",
            Err(E::DcqlQuery),
            with(|p| remove(p, "dcql_query")),
        ),
        (
            "dcql_query not JSON",
            Err(E::DcqlQuery),
            with(|p| set(p, "dcql_query", "{")),
        ),
        (
            "two credential queries",
            Err(E::DcqlQuery),
            with(|p| {
                set(
                    p,
                    "dcql_query",
                    &dcql_with(|d| {
                        let q = d["credentials"][0].clone();
                        d["credentials"].as_array_mut().unwrap().push(q);
                    }),
                )
            }),
        ),
        (
            "credential_sets",
            Err(E::DcqlQuery),
            with(|p| {
                set(
                    p,
                    "dcql_query",
                    &dcql_with(|d| {
                        d["credential_sets"] = json!([{"options": [["certificate"]]}]);
                    }),
                )
            }),
        ),
        (
            "bad query id",
            Err(E::DcqlQuery),
            with(|p| {
                set(
                    p,
                    "dcql_query",
                    &dcql_with(|d| {
                        d["credentials"][0]["id"] = json!("a b");
                    }),
                )
            }),
        ),
        (
            "mso_mdoc",
            Err(E::Credential),
            with(|p| {
                set(
                    p,
                    "dcql_query",
                    &dcql_with(|d| {
                        d["credentials"][0]["format"] = json!("mso_mdoc");
                    }),
                )
            }),
        ),
        (
            "another vct",
            Err(E::Credential),
            with(|p| {
                set(
                    p,
                    "dcql_query",
                    &dcql_with(|d| {
                        d["credentials"][0]["meta"]["vct_values"] = json!(["urn:eudi:pid:1"]);
                    }),
                )
            }),
        ),
        (
            "no meta",
            Err(E::Credential),
            with(|p| {
                set(
                    p,
                    "dcql_query",
                    &dcql_with(|d| {
                        d["credentials"][0].as_object_mut().unwrap().remove("meta");
                    }),
                )
            }),
        ),
        (
            "a claim outside §3",
            Err(E::Claims),
            with(|p| {
                set(
                    p,
                    "dcql_query",
                    &dcql_with(|d| {
                        d["credentials"][0]["claims"] = json!([{"path": ["address"]}]);
                    }),
                )
            }),
        ),
        (
            "a nested path",
            Err(E::Claims),
            with(|p| {
                set(
                    p,
                    "dcql_query",
                    &dcql_with(|d| {
                        d["credentials"][0]["claims"] = json!([{"path": ["fare_class", "x"]}]);
                    }),
                )
            }),
        ),
        (
            "value matching",
            Err(E::Claims),
            with(|p| {
                set(
                    p,
                    "dcql_query",
                    &dcql_with(|d| {
                        d["credentials"][0]["claims"] =
                            json!([{"path": ["fare_class"], "values": [1]}]);
                    }),
                )
            }),
        ),
        (
            "claims empty",
            Err(E::Claims),
            with(|p| {
                set(
                    p,
                    "dcql_query",
                    &dcql_with(|d| {
                        d["credentials"][0]["claims"] = json!([]);
                    }),
                )
            }),
        ),
        (
            "client_metadata missing",
            Err(E::ClientMetadata),
            with(|p| remove(p, "client_metadata")),
        ),
        (
            "client_metadata not JSON",
            Err(E::ClientMetadata),
            with(|p| set(p, "client_metadata", "x")),
        ),
        (
            "client_name not a string",
            Err(E::ClientMetadata),
            with(|p| {
                set(
                    p,
                    "client_metadata",
                    r#"{"client_name":1,"vp_formats_supported":{"dc+sd-jwt":{}}}"#,
                )
            }),
        ),
        (
            "no vp_formats_supported",
            Err(E::VpFormats),
            with(|p| set(p, "client_metadata", r#"{"client_name":"x"}"#)),
        ),
        (
            "only mso_mdoc",
            Err(E::VpFormats),
            with(|p| {
                set(
                    p,
                    "client_metadata",
                    r#"{"vp_formats_supported":{"mso_mdoc":{}}}"#,
                )
            }),
        ),
        (
            "kb-jwt without ES256",
            Err(E::VpFormats),
            with(|p| {
                set(
                    p,
                    "client_metadata",
                    r#"{"vp_formats_supported":{"dc+sd-jwt":{"kb-jwt_alg_values":["EdDSA"]}}}"#,
                )
            }),
        ),
    ];
    let mut failures = Vec::new();
    let mut produced = Vec::new();
    for (name, expected, input) in table {
        let got = WalletRequest::parse(&input).map(|_| ());
        if let Err(e) = got {
            if !produced.contains(&e) {
                produced.push(e);
            }
            assert_eq!(e.code(), ErrorCode::InvalidRequest);
        }
        if got != expected {
            failures.push(format!("{name}: expected {expected:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(
        produced,
        WalletRequestError::ALL,
        "one row per rule, in check order"
    );
    let reasons: Vec<&str> = WalletRequestError::ALL.iter().map(|e| e.reason()).collect();
    assert!(reasons
        .iter()
        .all(|r| r.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')));
    assert_eq!(E::VpFormats.oauth_error(), "vp_formats_not_supported");
    assert_eq!(E::ResponseMode.oauth_error(), "invalid_request");
}

#[test]
fn wallet_details_an_independent_verifier_may_send() {
    // Another verifier's query id, repeated claims, and a noisy client_name.
    let input = with(|p| {
        set(
            p,
            "dcql_query",
            &dcql_with(|d| {
                d["credentials"][0]["id"] = json!("mirairo_1");
                d["credentials"][0]["claims"] =
                    json!([{"id": "a", "path": ["fare_class"]}, {"path": ["fare_class"]}]);
            }),
        );
        set(
            p,
            "client_metadata",
            &json!({"client_name": format!("Museum\u{0}{}", "x".repeat(200)),
            "vp_formats_supported": {"dc+sd-jwt": {"sd-jwt_alg_values": ["ES256", "ES384"]}}})
            .to_string(),
        );
    });
    let w = WalletRequest::parse(&input).unwrap();
    assert_eq!(w.credential_query_id(), "mirairo_1");
    assert_eq!(w.claims(), ["fare_class"]);
    let name = w.client_name().unwrap();
    assert!(name.starts_with("Museumxxx") && name.chars().count() == 100);
    // The answer is keyed by that id.
    let cred = credential();
    let pending = w.prepare_response(&cred, NOW).unwrap();
    let body = pending
        .clone()
        .finish(&holder_key().sign_raw(pending.signing_input().as_bytes()))
        .unwrap();
    let token = Form::parse(&body, 1 << 20)
        .unwrap()
        .get("vp_token")
        .unwrap()
        .to_owned();
    let token: Value = serde_json::from_str(&token).unwrap();
    assert_eq!(token["mirairo_1"].as_array().unwrap().len(), 1);
}

#[test]
fn a_request_without_state_is_answered_without_state() {
    // An independent verifier may omit `state` (OpenID4VP 1.0: RECOMMENDED): the
    // wallet answers it, and posts no `state` back.
    let w = WalletRequest::parse(&with(|p| remove(p, "state"))).unwrap();
    assert_eq!(w.decline_body(), "error=access_denied");
    let pending = w.prepare_response(&credential(), NOW).unwrap();
    let body = pending
        .clone()
        .finish(&holder_key().sign_raw(pending.signing_input().as_bytes()))
        .unwrap();
    let form = Form::parse(&body, 1 << 20).unwrap();
    assert!(form.get("vp_token").is_some());
    assert!(!form.contains("state"), "{body}");
}

/// The test credential as the holder's app stores it: every disclosure, no KB-JWT.
fn credential() -> String {
    let mut case = Case::valid();
    case.kb = None;
    case.presentation()
}

#[test]
fn the_wallet_answer_verifies_and_discloses_exactly_what_was_asked() {
    let r = request();
    let w = WalletRequest::parse(&r.url()).unwrap();
    let pending = w.prepare_response(&credential(), NOW).unwrap();
    // Exactly the requested disclosures, in the credential's order.
    let prefix = pending.disclosed_prefix().to_owned();
    let sd = mirairo_id_sdk::sdjwt::SdJwt::parse(&prefix).unwrap();
    let names: Vec<&str> = sd.disclosures().iter().filter_map(|d| d.name()).collect();
    assert_eq!(names, CLAIMS);
    let signature = holder_key().sign_raw(pending.signing_input().as_bytes());
    let body = pending.finish(&signature).unwrap();
    let status = status_list_jwt(&[], &issuer_key(), "k1", NOW);
    let cert = verifier()
        .verify_presentation_response(&body, &r, NOW, Some(&status))
        .unwrap();
    assert!(cert.key_bound);
    assert_eq!(cert.disclosed, CLAIMS);

    // The same answer to another request (another nonce and state) fails.
    let other = request();
    let err = verifier()
        .verify_presentation_response(&body, &other, NOW, Some(&status))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::RequestNotFound);

    // Declining.
    let declined = w.decline_body();
    assert_eq!(declined, format!("error=access_denied&state={}", r.state()));
    let err = verifier()
        .verify_presentation_response(&declined, &r, NOW, Some(&status))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::AccessDenied);
}

#[test]
fn the_wallet_cannot_answer_without_every_requested_claim() {
    let mut o = options();
    o.claims = vec!["fare_class".into(), "birthdate".into()];
    let r = PresentationRequest::create(o, NOW).unwrap();
    let w = WalletRequest::parse(&r.url()).unwrap();
    let e = w.prepare_response(&credential(), NOW).unwrap_err();
    assert_eq!(e.code(), ErrorCode::MissingClaim);
    let e = w.prepare_response("not an sd-jwt", NOW).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Malformed);
    let presented = Case::valid().presentation();
    let e = w.prepare_response(&presented, NOW).unwrap_err();
    assert_eq!(
        e.code(),
        ErrorCode::Malformed,
        "a presentation is not a credential"
    );
    let w = WalletRequest::parse(&request().url()).unwrap();
    let pending = w.prepare_response(&credential(), NOW).unwrap();
    assert_eq!(
        pending.finish(&[0u8; 63]).unwrap_err().code(),
        ErrorCode::Malformed
    );
}
