//! The counter API of the demo railway (API.md "Counter presentation", PROTOCOL.md
//! §7.2) over real HTTP: every outcome of an answer beside its negative case, one
//! answer per request (also when two arrive at once), replays, expiry, huge bodies,
//! status changes, and the status endpoint's lifecycle and forgetting.

// Helpers in this test crate fail loudly by design.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{form, BoundCredential, Form, Sandbox};
use mirairo_id_sandbox::counter::{COUNTER_CLAIMS, FORGET_AFTER, MAX_REQUESTS};
use mirairo_id_sdk::WalletRequest;
use serde_json::{json, Value};

/// hanako's certificate 0: 身体 2級 第1種, 介護あり, no expiry printed, status index 412.
const HANAKO_PHYSICAL_STATUS_IDX: u64 = 412;
const RESPONSE: &str = "/demo/api/counter/response";

/// A request as the counter page gets it, with what the QR code tells the wallet.
#[derive(Debug, Clone)]
struct Request {
    id: String,
    url: String,
    expires_at: i64,
    expires_in: i64,
    state: String,
    nonce: String,
    client_id: String,
}

impl Request {
    async fn create(sb: &Sandbox, lang: &str) -> Request {
        let (status, body) = sb
            .post_json("/demo/api/counter/requests", json!({ "lang": lang }))
            .await;
        assert_eq!(status, 201, "{body}");
        let url = body["url"].as_str().unwrap().to_owned();
        let q = query(&url);
        Request {
            id: body["id"].as_str().unwrap().to_owned(),
            expires_at: body["expires_at"].as_i64().unwrap(),
            expires_in: body["expires_in"].as_i64().unwrap(),
            state: q.get("state").unwrap().to_owned(),
            nonce: q.get("nonce").unwrap().to_owned(),
            client_id: q.get("client_id").unwrap().to_owned(),
            url,
        }
    }

    async fn status(&self, sb: &Sandbox) -> (u16, Value) {
        sb.get_json(&format!("/demo/api/counter/requests/{}", self.id))
            .await
    }
}

fn query(url: &str) -> Form {
    let q = url.split_once('?').map(|(_, q)| q).unwrap();
    Form::parse(q, usize::MAX).unwrap()
}

/// The holder's app: a key and a credential bound to it.
type Wallet = BoundCredential;

/// The `direct_post` form answering `req` as PROTOCOL.md §7.2 says.
trait AnswerRequest {
    fn answer(&self, sb: &Sandbox, req: &Request) -> String;
}

impl AnswerRequest for Wallet {
    fn answer(&self, sb: &Sandbox, req: &Request) -> String {
        let presentation = self.present(&req.client_id, &req.nonce, sb.now());
        vp_form(&req.state, &json!({ "certificate": [presentation] }))
    }
}

fn vp_form(state: &str, vp_token: &Value) -> String {
    form(&[("state", state), ("vp_token", &vp_token.to_string())])
}

async fn post_form(sb: &Sandbox, body: String) -> (u16, Value) {
    let r = sb
        .http
        .post(sb.url(RESPONSE))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The issuer-signed JWT of `credential` with its signature's first character changed.
fn tampered_signature(credential: &str) -> String {
    let (jwt, rest) = credential.split_once('~').unwrap();
    let (signed, sig) = jwt.rsplit_once('.').unwrap();
    let other = if sig.starts_with('A') { 'B' } else { 'A' };
    format!("{signed}.{other}{}~{rest}", &sig[1..])
}

#[tokio::test]
async fn a_request_carries_the_counter_claims_and_an_id_that_is_not_its_state() {
    let sb = Sandbox::start().await;
    for (lang, name) in [("ja", "みらい鉄道"), ("en", "Mirai Railway")] {
        let now = sb.now();
        let req = Request::create(&sb, lang).await;
        assert!(req.url.starts_with("openid4vp://?"), "{}", req.url);
        assert_eq!(req.client_id, format!("redirect_uri:{}", sb.url(RESPONSE)));
        let q = query(&req.url);
        assert_eq!(q.get("response_uri"), Some(sb.url(RESPONSE).as_str()));
        assert_eq!(q.get("response_mode"), Some("direct_post"));
        let dcql: Value = serde_json::from_str(q.get("dcql_query").unwrap()).unwrap();
        let asked: Vec<&str> = dcql["credentials"][0]["claims"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["path"][0].as_str().unwrap())
            .collect();
        assert_eq!(asked, COUNTER_CLAIMS);
        let meta: Value = serde_json::from_str(q.get("client_metadata").unwrap()).unwrap();
        assert_eq!(meta["client_name"], name);
        assert!((now + 300..=now + 301).contains(&req.expires_at));
        assert_eq!(req.expires_in, 300);
        assert_ne!(req.id, req.state);
        assert!(
            !req.url.contains(&req.id),
            "the QR code must not carry the id"
        );
        assert!(req.id.len() >= 32, "at least 192 bits: {}", req.id);
        assert_eq!(req.status(&sb).await, (200, json!({ "status": "pending" })));
        // The state does not read the outcome.
        let (status, body) = sb
            .get_json(&format!("/demo/api/counter/requests/{}", req.state))
            .await;
        assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));
    }
    // Anything but {"lang": "ja" | "en"} is refused.
    for bad in [
        json!({ "lang": "fr" }),
        json!({ "lang": 1 }),
        json!([]),
        json!({ "lang": "ja", "claims": ["family_name"] }),
    ] {
        let (status, body) = sb
            .post_json("/demo/api/counter/requests", bad.clone())
            .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_request")),
            "{bad}"
        );
    }
    sb.stop().await;
}

type Answer = fn(&Sandbox, &Wallet, &Request) -> String;
/// (what, answer, HTTP status, error code, page status, page error)
type Row = (
    &'static str,
    Answer,
    u16,
    Option<&'static str>,
    &'static str,
    Option<&'static str>,
);

/// Each row: an answer, the HTTP status and code the response endpoint gives, and the
/// status the counter page then reads. The first rows are the positive cases each
/// negative row departs from by one thing.
#[tokio::test]
async fn every_answer_has_its_outcome() {
    let sb = Sandbox::start().await;
    let wallet = Wallet::issue(&sb, 0, &COUNTER_CLAIMS).await;
    let shy = Wallet::issue(&sb, 0, &["fare_class", "valid_until", "certificate_type"]).await;
    let rows: Vec<Row> = vec![
        (
            "the presentation the request asked for",
            |sb, w, r| w.answer(sb, r),
            200,
            None,
            "verified",
            None,
        ),
        (
            "the holder declines",
            |_, _, r| form(&[("error", "access_denied"), ("state", &r.state)]),
            200,
            None,
            "declined",
            None,
        ),
        (
            "the wallet could not answer (an error other than access_denied)",
            |_, _, r| form(&[("error", "invalid_request"), ("state", &r.state)]),
            400,
            Some("wallet_error"),
            "failed",
            Some("wallet_error"),
        ),
        (
            "no state: nothing to settle",
            |sb, w, r| {
                let p = w.present(&r.client_id, &r.nonce, sb.now());
                form(&[("vp_token", &json!({ "certificate": [p] }).to_string())])
            },
            400,
            Some("invalid_request"),
            "pending",
            None,
        ),
        (
            "a state no request has",
            |sb, w, r| {
                let p = w.present(&r.client_id, &r.nonce, sb.now());
                vp_form("not-a-state-0123456789", &json!({ "certificate": [p] }))
            },
            400,
            Some("request_not_found"),
            "pending",
            None,
        ),
        (
            "not a form (a broken escape): nothing to settle",
            |_, _, r| format!("state={}&vp_token=%zz", r.state),
            400,
            Some("invalid_request"),
            "pending",
            None,
        ),
        (
            "state given twice: nothing to settle",
            |_, _, r| {
                form(&[
                    ("state", &r.state),
                    ("state", &r.state),
                    ("error", "access_denied"),
                ])
            },
            400,
            Some("invalid_request"),
            "pending",
            None,
        ),
        (
            "neither vp_token nor error: not an answer, nothing to settle",
            |_, _, r| form(&[("state", &r.state)]),
            400,
            Some("invalid_request"),
            "pending",
            None,
        ),
        (
            "vp_token not JSON",
            |sb, w, r| {
                let p = w.present(&r.client_id, &r.nonce, sb.now());
                form(&[("state", &r.state), ("vp_token", &p)])
            },
            400,
            Some("invalid_request"),
            "failed",
            Some("invalid_request"),
        ),
        (
            "vp_token without the \"certificate\" key",
            |sb, w, r| {
                let p = w.present(&r.client_id, &r.nonce, sb.now());
                vp_form(&r.state, &json!({ "cert": [p] }))
            },
            400,
            Some("invalid_request"),
            "failed",
            Some("invalid_request"),
        ),
        (
            "two presentations",
            |sb, w, r| {
                let p = w.present(&r.client_id, &r.nonce, sb.now());
                vp_form(&r.state, &json!({ "certificate": [p.clone(), p] }))
            },
            400,
            Some("invalid_request"),
            "failed",
            Some("invalid_request"),
        ),
        (
            "KB-JWT aud without the redirect_uri: prefix",
            |sb, w, r| {
                let aud = r.client_id.trim_start_matches("redirect_uri:");
                let p = w.present(aud, &r.nonce, sb.now());
                vp_form(&r.state, &json!({ "certificate": [p] }))
            },
            400,
            Some("bad_key_binding"),
            "failed",
            Some("bad_key_binding"),
        ),
        (
            "KB-JWT with another request's nonce",
            |sb, w, r| {
                let p = w.present(&r.client_id, "another-nonce-0123456789abc", sb.now());
                vp_form(&r.state, &json!({ "certificate": [p] }))
            },
            400,
            Some("bad_key_binding"),
            "failed",
            Some("bad_key_binding"),
        ),
        (
            "no KB-JWT",
            |_, w, r| vp_form(&r.state, &json!({ "certificate": [w.credential] })),
            400,
            Some("key_binding_required"),
            "failed",
            Some("key_binding_required"),
        ),
        (
            "the issuer signature changed",
            |sb, w, r| {
                let forged = Wallet {
                    key: w.key.clone(),
                    credential: tampered_signature(&w.credential),
                };
                forged.answer(sb, r)
            },
            400,
            Some("bad_signature"),
            "failed",
            Some("bad_signature"),
        ),
    ];
    for (what, answer, http, code, page, page_error) in rows {
        let req = Request::create(&sb, "ja").await;
        let (status, body) = post_form(&sb, answer(&sb, &wallet, &req)).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (http, code),
            "{what}: {body}"
        );
        if http == 200 {
            assert_eq!(body, json!({}), "{what}");
        }
        let (_, read) = req.status(&sb).await;
        assert_eq!(read["status"], page, "{what}: {read}");
        assert_eq!(read["error"].as_str(), page_error, "{what}: {read}");
        if page == "verified" {
            let c = &read["certificate"];
            assert_eq!(c["disclosed"], json!(COUNTER_CLAIMS), "{what}");
            assert_eq!(
                (&c["fareClass"], &c["caregiver"]),
                (&json!(1), &json!(true))
            );
            assert_eq!(c["certificateType"], "physical");
            assert_eq!(c["validUntil"], Value::Null, "disclosed as null");
            assert_eq!(c["keyBound"], true);
            for kept_out in [
                "holderKeyThumbprint",
                "grade",
                "familyName",
                "certificateNumber",
            ] {
                assert!(c.get(kept_out).is_none(), "{what}: {kept_out} kept: {c}");
            }
        }
    }
    // A claim the request asked for but the holder did not disclose.
    let req = Request::create(&sb, "ja").await;
    let (status, body) = post_form(&sb, shy.answer(&sb, &req)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("missing_claim"))
    );
    let (_, read) = req.status(&sb).await;
    assert_eq!(
        read,
        json!({ "status": "failed", "error": "missing_claim" })
    );
    sb.stop().await;
}

#[tokio::test]
async fn a_request_is_answered_once_whatever_comes_next() {
    let sb = Sandbox::start().await;
    let wallet = Wallet::issue(&sb, 0, &COUNTER_CLAIMS).await;
    // (what comes first, its status)
    let firsts: Vec<(&str, Answer, u16)> = vec![
        ("a verified answer", |sb, w, r| w.answer(sb, r), 200),
        (
            "a declined answer",
            |_, _, r| form(&[("error", "access_denied"), ("state", &r.state)]),
            200,
        ),
        (
            "a failed answer",
            |_, w, r| vp_form(&r.state, &json!({ "certificate": [w.credential] })),
            400,
        ),
    ];
    for (what, first, first_status) in firsts {
        let req = Request::create(&sb, "ja").await;
        let replay = first(&sb, &wallet, &req);
        let (status, _) = post_form(&sb, replay.clone()).await;
        assert_eq!(status, first_status, "{what}");
        // The same answer again, a good one, and a decline: all refused, none counted.
        for (again, body) in [
            ("the same again (a replay)", replay),
            ("a good answer", wallet.answer(&sb, &req)),
            (
                "a decline",
                form(&[("error", "access_denied"), ("state", &req.state)]),
            ),
        ] {
            let (status, reply) = post_form(&sb, body).await;
            assert_eq!(
                (status, reply["error"].as_str()),
                (400, Some("request_not_found")),
                "{what}, then {again}"
            );
        }
        let (_, read) = req.status(&sb).await;
        let expected = match first_status {
            200 if what.contains("declined") => "declined",
            200 => "verified",
            _ => "failed",
        };
        assert_eq!(read["status"], expected, "{what}");
    }
    sb.stop().await;
}

#[tokio::test]
async fn two_answers_at_the_same_time_exactly_one_wins() {
    let sb = Sandbox::start().await;
    let wallet = Wallet::issue(&sb, 0, &COUNTER_CLAIMS).await;
    for round in 0..5 {
        let req = Request::create(&sb, "ja").await;
        let answer = wallet.answer(&sb, &req);
        let decline = form(&[("error", "access_denied"), ("state", &req.state)]);
        let bodies = [
            answer.clone(),
            answer.clone(),
            answer,
            decline.clone(),
            decline,
        ];
        let replies = futures_join(&sb, &bodies).await;
        let wins: Vec<&(u16, Value)> = replies.iter().filter(|(s, _)| *s == 200).collect();
        assert_eq!(wins.len(), 1, "round {round}: {replies:?}");
        for (status, body) in replies.iter().filter(|(s, _)| *s != 200) {
            assert_eq!(
                (*status, body["error"].as_str()),
                (400, Some("request_not_found")),
                "round {round}"
            );
        }
        let (_, read) = req.status(&sb).await;
        assert!(
            read["status"] == "verified" || read["status"] == "declined",
            "round {round}: {read}"
        );
    }
    sb.stop().await;
}

/// Posts every body at once, each on its own task, and collects the replies.
async fn futures_join(sb: &Sandbox, bodies: &[String]) -> Vec<(u16, Value)> {
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(bodies.len()));
    let mut tasks = Vec::new();
    for body in bodies {
        let http = sb.http.clone();
        let url = sb.url(RESPONSE);
        let body = body.clone();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let r = http
                .post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let text = r.text().await.unwrap();
            (status, serde_json::from_str(&text).unwrap_or(Value::Null))
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

#[tokio::test]
async fn a_huge_body_is_refused_and_settles_nothing() {
    let sb = Sandbox::start().await;
    let wallet = Wallet::issue(&sb, 0, &COUNTER_CLAIMS).await;
    let req = Request::create(&sb, "ja").await;
    let huge = format!(
        "state={}&vp_token={}",
        req.state,
        "A".repeat(mirairo_id_sandbox::counter::MAX_RESPONSE_BODY)
    );
    let (status, body) = post_form(&sb, huge).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (413, Some("request_too_large")),
        "{body}"
    );
    assert_eq!(req.status(&sb).await.1, json!({ "status": "pending" }));
    let (status, _) = post_form(&sb, wallet.answer(&sb, &req)).await;
    assert_eq!(status, 200, "the request is still open after the huge body");
    sb.stop().await;
}

#[tokio::test]
async fn status_list_changes_reach_the_counter() {
    let sb = Sandbox::start().await;
    let wallet = Wallet::issue(&sb, 0, &COUNTER_CLAIMS).await;
    // (status list value, expected code; None: verified)
    for (value, expected) in [(1, Some("revoked")), (2, Some("suspended")), (0, None)] {
        let req = Request::create(&sb, "ja").await;
        let (s, _) = sb
            .post_json(
                "/_sandbox/status",
                json!({ "idx": HANAKO_PHYSICAL_STATUS_IDX, "status": value }),
            )
            .await;
        assert_eq!(s, 200);
        let (status, body) = post_form(&sb, wallet.answer(&sb, &req)).await;
        assert_eq!(body["error"].as_str(), expected, "status {value}: {body}");
        assert_eq!(status, if expected.is_some() { 400 } else { 200 });
        let (_, read) = req.status(&sb).await;
        match expected {
            Some(code) => assert_eq!(read, json!({ "status": "failed", "error": code })),
            None => assert_eq!(read["status"], "verified"),
        }
    }
    sb.stop().await;
}

#[tokio::test]
async fn expiry_and_forgetting() {
    let sb = Sandbox::start().await;
    let wallet = Wallet::issue(&sb, 0, &COUNTER_CLAIMS).await;

    // Read once, then forgotten: a final status is not kept after the page read it.
    let req = Request::create(&sb, "ja").await;
    assert_eq!(post_form(&sb, wallet.answer(&sb, &req)).await.0, 200);
    assert_eq!(req.status(&sb).await.1["status"], "verified");
    let (status, body) = req.status(&sb).await;
    assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));

    // Pending until its last second, then expired (read once), then forgotten.
    let unanswered = Request::create(&sb, "ja").await;
    let late = Request::create(&sb, "ja").await;
    let answered_unread = Request::create(&sb, "ja").await;
    assert_eq!(
        post_form(&sb, wallet.answer(&sb, &answered_unread)).await.0,
        200
    );
    sb.handle
        .clock()
        .advance(unanswered.expires_at - sb.now() - 1);
    assert_eq!(
        unanswered.status(&sb).await.1,
        json!({ "status": "pending" })
    );
    sb.handle.clock().advance(1);
    assert_eq!(
        unanswered.status(&sb).await.1,
        json!({ "status": "expired" })
    );
    assert_eq!(unanswered.status(&sb).await.0, 404);

    // An answer after expiry is refused and settles the request as expired.
    let (status, body) = post_form(&sb, wallet.answer(&sb, &late)).await;
    assert_eq!(status, 400);
    assert!(
        matches!(
            body["error"].as_str(),
            Some("request_expired" | "request_not_found")
        ),
        "{body}"
    );
    assert_eq!(late.status(&sb).await.1, json!({ "status": "expired" }));

    // An outcome the page never read is forgotten FORGET_AFTER seconds after expiry,
    // with the next request created.
    sb.handle.clock().advance(FORGET_AFTER + 2);
    Request::create(&sb, "ja").await;
    assert_eq!(answered_unread.status(&sb).await.0, 404);
    sb.stop().await;
}

/// An outcome the page never read is forgotten FORGET_AFTER seconds after expiry even
/// when no other request is created: reading it then finds nothing, and an answer to
/// another request does not revive it.
#[tokio::test]
async fn an_unread_outcome_is_forgotten_without_a_new_request() {
    let sb = Sandbox::start().await;
    let wallet = Wallet::issue(&sb, 0, &COUNTER_CLAIMS).await;
    let unread = Request::create(&sb, "ja").await;
    assert_eq!(post_form(&sb, wallet.answer(&sb, &unread)).await.0, 200);
    sb.handle
        .clock()
        .advance(unread.expires_at - sb.now() + FORGET_AFTER);
    let (status, body) = unread.status(&sb).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (404, Some("not_found")),
        "the disclosed claims outlived FORGET_AFTER: {body}"
    );
    sb.stop().await;
}

/// Creating a request is for the counter page: a page on another origin cannot (a
/// browser's "no-cors" POST still arrives), so no web page the counter tablet or anyone
/// on the station's network opens can fill the store and lock the window out. The
/// response endpoint stays open to every origin (wallets post from anywhere).
#[tokio::test]
async fn another_origin_cannot_create_counter_requests() {
    let sb = Sandbox::start().await;
    for (origin, expected) in [
        (Some("https://evil.example"), 403),
        (Some("null"), 403),
        (Some(sb.base.as_str()), 201),
        (None, 201),
    ] {
        let mut req = sb
            .http
            .post(sb.url("/demo/api/counter/requests"))
            .header("content-type", "text/plain")
            .body(r#"{"lang":"ja"}"#);
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let body: Value = res.json().await.unwrap();
        assert_eq!(status, expected, "{origin:?}: {body}");
        if expected == 403 {
            assert_eq!(body["error"], "access_denied", "{origin:?}");
        }
    }
    // The response endpoint still takes a wallet's post from any origin.
    let res = sb
        .http
        .post(sb.url(RESPONSE))
        .header("origin", "https://wallet.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("error=access_denied&state=unknown-state-0123456789abcdef")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "request_not_found");
    sb.stop().await;
}

#[tokio::test]
async fn a_flood_of_requests_is_bounded() {
    let sb = Sandbox::start().await;
    let first = Request::create(&sb, "ja").await;
    for _ in 1..MAX_REQUESTS {
        let (status, _) = sb
            .post_json("/demo/api/counter/requests", json!({ "lang": "ja" }))
            .await;
        assert_eq!(status, 201);
    }
    let (status, body) = sb
        .post_json("/demo/api/counter/requests", json!({ "lang": "ja" }))
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (503, Some("temporarily_unavailable")),
        "{body}"
    );
    // Nobody's open request was pushed out by the flood.
    assert_eq!(first.status(&sb).await.1, json!({ "status": "pending" }));
    // Once they are past their time, room is made again.
    sb.handle
        .clock()
        .advance(first.expires_at - sb.now() + FORGET_AFTER);
    Request::create(&sb, "ja").await;
    assert_eq!(first.status(&sb).await.0, 404);
    sb.stop().await;
}

#[tokio::test]
async fn a_request_with_an_unknown_id_is_404_json() {
    let sb = Sandbox::start().await;
    for id in ["nope", "a%20b", "%E3%81%82", &"A".repeat(300)] {
        let (status, body) = sb
            .get_json(&format!("/demo/api/counter/requests/{id}"))
            .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (404, Some("not_found")),
            "{id}"
        );
    }
    sb.stop().await;
}

#[tokio::test]
async fn the_sandbox_clock_only_moves_forward_and_within_bounds() {
    let sb = Sandbox::start().await;
    // (body, accepted?)
    let rows = [
        (json!({ "advance": 0 }), true),
        (json!({ "advance": 301 }), true),
        (json!({ "advance": 30 * 86_400 }), true),
        (json!({ "advance": 30 * 86_400 + 1 }), false),
        (json!({ "advance": -1 }), false),
        (json!({ "advance": 1.5 }), false),
        (json!({ "advance": "60" }), false),
        (json!({}), false),
        (json!([]), false),
    ];
    for (body, accepted) in rows {
        let before = sb.now();
        let (status, reply) = sb.post_json("/_sandbox/clock", body.clone()).await;
        if accepted {
            assert_eq!(status, 200, "{body}: {reply}");
            let step = body["advance"].as_i64().unwrap();
            let now = reply["now"].as_i64().unwrap();
            assert!((before + step..=before + step + 2).contains(&now), "{body}");
        } else {
            assert_eq!(
                (status, reply["error"].as_str()),
                (400, Some("invalid_request")),
                "{body}"
            );
            assert!(sb.now() - before <= 2, "{body}: the clock moved");
        }
    }
    sb.stop().await;
}

/// The SDK's own wallet side (what the holder app simulator uses) reads the counter's
/// request as §7.3 says, and its answers reach the counter: presented, and declined.
#[tokio::test]
async fn the_sdk_wallet_side_answers_the_counter() {
    let sb = Sandbox::start().await;
    let holder = Wallet::issue(&sb, 0, &COUNTER_CLAIMS).await;
    // Presented: only the asked claims, bound to the holder key.
    let req = Request::create(&sb, "en").await;
    let asked = WalletRequest::parse(&req.url).unwrap();
    assert_eq!(asked.client_name(), Some("Mirai Railway"));
    assert_eq!(asked.claims(), COUNTER_CLAIMS);
    let pending = asked
        .prepare_response(&holder.credential, sb.now())
        .unwrap();
    let signature = holder.key.sign_raw(pending.signing_input().as_bytes());
    let body = pending.finish(&signature).unwrap();
    assert_eq!(post_form(&sb, body).await, (200, json!({})));
    assert_eq!(req.status(&sb).await.1["status"], "verified");
    // Declined.
    let req = Request::create(&sb, "ja").await;
    let asked = WalletRequest::parse(&req.url).unwrap();
    assert_eq!(asked.client_name(), Some("みらい鉄道"));
    assert_eq!(post_form(&sb, asked.decline_body()).await, (200, json!({})));
    assert_eq!(req.status(&sb).await.1, json!({ "status": "declined" }));
    sb.stop().await;
}
