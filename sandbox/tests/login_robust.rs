//! Login robustness at the provider, over real HTTP: server-provided DPoP nonces
//! (RFC 9449 §8, `/_sandbox/dpop-nonce`) at the token endpoint (code and refresh
//! grants) and at userinfo, their rotation and expiry, CORS exposing the headers a
//! browser client needs, and the page COOP switch (`/_sandbox/coop`).
// Helpers in this test crate fail loudly by design.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use mirairo_id_sdk::oidc::dpop_challenge_error;
use serde_json::{json, Value};

fn header(reply: &TokenReply, name: &str) -> Option<String> {
    reply
        .headers
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

async fn demand_nonces(sb: &Sandbox, lifetime: i64) -> String {
    let (status, v) = sb
        .post_json(
            "/_sandbox/dpop-nonce",
            json!({"required": true, "lifetime_secs": lifetime}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    v["nonce"].as_str().unwrap().to_owned()
}

async fn redeem(
    sb: &Sandbox,
    holder: &Holder,
    code: &str,
    params: &AuthParams,
    nonce: Option<&str>,
) -> TokenReply {
    let proof = holder.proof_with_nonce("POST", &sb.url("/token"), sb.now(), None, nonce);
    token_request(sb, &code_form(code, params), Some(&proof), None).await
}

fn refresh_form(token: &str) -> String {
    form(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", token),
        ("client_id", TEST_CLIENT),
    ])
}

#[tokio::test]
async fn token_endpoint_demands_a_nonce_and_keeps_the_code() {
    let sb = Sandbox::start().await;
    let holder = Holder::new();
    let first = demand_nonces(&sb, 300).await;
    let params = AuthParams::new(&holder);
    let code = code_for(&sb, &params, &[]).await;

    // Without a nonce: 400 use_dpop_nonce with the nonce to use.
    let r = redeem(&sb, &holder, &code, &params, None).await;
    assert_eq!((r.status, r.error()), (400, "use_dpop_nonce"));
    let nonce = header(&r, "dpop-nonce").expect("DPoP-Nonce on use_dpop_nonce");
    assert_eq!(nonce, first);
    // A made-up nonce is refused the same way.
    let r = redeem(&sb, &holder, &code, &params, Some("made-up")).await;
    assert_eq!((r.status, r.error()), (400, "use_dpop_nonce"));
    // The code was not consumed by the refused proofs: the retry with the nonce works.
    let r = redeem(&sb, &holder, &code, &params, Some(&nonce)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(header(&r, "dpop-nonce").as_deref(), Some(nonce.as_str()));
    let refresh = r.body["refresh_token"].as_str().unwrap().to_owned();

    // The refresh grant too.
    let proof = holder.proof("POST", &sb.url("/token"), sb.now());
    let r = token_request(&sb, &refresh_form(&refresh), Some(&proof), None).await;
    assert_eq!((r.status, r.error()), (400, "use_dpop_nonce"));
    let proof = holder.proof_with_nonce("POST", &sb.url("/token"), sb.now(), None, Some(&nonce));
    let r = token_request(&sb, &refresh_form(&refresh), Some(&proof), None).await;
    assert_eq!(
        r.status, 200,
        "the refused attempt did not use the refresh token up: {}",
        r.body
    );

    // Switched off: no header, proofs without nonce pass.
    let (status, _) = sb
        .post_json("/_sandbox/dpop-nonce", json!({"required": false}))
        .await;
    assert_eq!(status, 200);
    let (_, r) = login(&sb, &holder, &[]).await;
    assert_eq!(r.status, 200);
    assert_eq!(header(&r, "dpop-nonce"), None);
    sb.stop().await;
}

#[tokio::test]
async fn nonces_rotate_and_expire() {
    let sb = Sandbox::start().await;
    let holder = Holder::new();
    let n1 = demand_nonces(&sb, 60).await;
    let attempt = |nonce: Option<String>| {
        let holder = &holder;
        let sb = &sb;
        async move {
            let params = AuthParams::new(holder);
            let code = code_for(sb, &params, &[]).await;
            redeem(sb, holder, &code, &params, nonce.as_deref()).await
        }
    };
    assert_eq!(attempt(Some(n1.clone())).await.status, 200);
    // One lifetime later a new nonce is current; the replaced one still passes.
    sb.handle.clock().advance(60);
    let r = attempt(Some(n1.clone())).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let n2 = header(&r, "dpop-nonce").unwrap();
    assert_ne!(n1, n2, "rotated");
    // Two lifetimes later the first one is refused, with the current one to use.
    sb.handle.clock().advance(60);
    let r = attempt(Some(n1.clone())).await;
    assert_eq!((r.status, r.error()), (400, "use_dpop_nonce"));
    let n3 = header(&r, "dpop-nonce").unwrap();
    assert!(n3 != n1 && n3 != n2);
    assert_eq!(attempt(Some(n3)).await.status, 200);
    sb.stop().await;
}

#[tokio::test]
async fn userinfo_challenges_for_a_nonce() {
    let sb = Sandbox::start().await;
    let holder = Holder::new();
    let (_, t) = login(&sb, &holder, &[]).await;
    let access = t.body["access_token"].as_str().unwrap().to_owned();
    let nonce = demand_nonces(&sb, 300).await;
    let url = sb.url("/userinfo");
    let get = |nonce: Option<&str>| {
        let proof = holder.proof_with_nonce("GET", &url, sb.now(), Some(&access), nonce);
        sb.http
            .get(&url)
            .header("Authorization", format!("DPoP {access}"))
            .header("DPoP", proof)
            .header("Origin", TEST_ORIGIN)
            .send()
    };
    let r = get(None).await.unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let h = r.headers();
    let challenge = h["www-authenticate"].to_str().unwrap();
    assert_eq!(
        dpop_challenge_error(challenge).as_deref(),
        Some("use_dpop_nonce")
    );
    assert_eq!(h["dpop-nonce"].to_str().unwrap(), nonce);
    // A browser may read both headers.
    let exposed = h["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        exposed.contains("dpop-nonce") && exposed.contains("www-authenticate"),
        "{exposed}"
    );
    let r = get(Some(&nonce)).await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let v: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert!(v["sub"].is_string());
    sb.stop().await;
}

#[tokio::test]
async fn token_answers_expose_the_nonce_to_browsers() {
    let sb = Sandbox::start().await;
    let holder = Holder::new();
    demand_nonces(&sb, 300).await;
    let params = AuthParams::new(&holder);
    let code = code_for(&sb, &params, &[]).await;
    let proof = holder.proof("POST", &sb.url("/token"), sb.now());
    let r = token_request(
        &sb,
        &code_form(&code, &params),
        Some(&proof),
        Some(TEST_ORIGIN),
    )
    .await;
    assert_eq!(r.error(), "use_dpop_nonce");
    let exposed = header(&r, "access-control-expose-headers")
        .unwrap()
        .to_ascii_lowercase();
    assert!(exposed.contains("dpop-nonce"), "{exposed}");
    sb.stop().await;
}

#[tokio::test]
async fn expired_access_tokens_are_invalid_token_and_refresh_still_works() {
    let sb = Sandbox::start().await;
    let holder = Holder::new();
    let (_, t) = login(&sb, &holder, &[]).await;
    let access = t.body["access_token"].as_str().unwrap();
    assert_eq!(userinfo(&sb, &holder, access).await.0, 200);
    let (status, v) = sb
        .post_json("/_sandbox/expire-access-tokens", json!({}))
        .await;
    assert_eq!((status, v["expired"].as_u64()), (200, Some(1)));
    let (status, v) = userinfo(&sb, &holder, access).await;
    assert_eq!((status, v["error"].as_str()), (401, Some("invalid_token")));
    let r = refresh(&sb, &holder, t.body["refresh_token"].as_str().unwrap()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let fresh = r.body["access_token"].as_str().unwrap();
    assert_eq!(userinfo(&sb, &holder, fresh).await.0, 200);
    sb.stop().await;
}

#[tokio::test]
async fn nonce_and_coop_controls_check_their_input_and_reset() {
    let sb = Sandbox::start().await;
    let bad_nonce_bodies = [
        json!({}),
        json!({"required": "yes"}),
        json!({"required": true, "lifetime_secs": 0}),
        json!({"required": true, "lifetime_secs": 1.5}),
        json!({"required": true, "lifetime_secs": 86_401}),
        json!({"required": true, "extra": 1}),
    ];
    for body in bad_nonce_bodies {
        let (status, v) = sb.post_json("/_sandbox/dpop-nonce", body.clone()).await;
        assert_eq!(
            (status, v["error"].as_str()),
            (400, Some("invalid_request")),
            "{body}"
        );
    }
    let bad_coop = [
        json!({}),
        json!({"policy": "same-site"}),
        json!({"policy": 1}),
    ];
    for body in bad_coop {
        let (status, _) = sb.post_json("/_sandbox/coop", body.clone()).await;
        assert_eq!(status, 400, "{body}");
    }

    let coop_of = |path: &'static str| {
        let sb = &sb;
        async move {
            let r = sb.http.get(sb.url(path)).send().await.unwrap();
            r.headers()
                .get("cross-origin-opener-policy")
                .map(|v| v.to_str().unwrap().to_owned())
        }
    };
    assert_eq!(coop_of("/demo/").await, None, "off by default");
    let (status, _) = sb
        .post_json("/_sandbox/coop", json!({"policy": "same-origin"}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(coop_of("/demo/").await.as_deref(), Some("same-origin"));
    assert_eq!(
        coop_of("/examples/plain-html/").await.as_deref(),
        Some("same-origin")
    );
    // Only pages: the provider's pages and the API keep their headers.
    assert_eq!(coop_of("/.well-known/openid-configuration").await, None);
    let (status, _) = sb
        .post_json("/_sandbox/coop", json!({"policy": null}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(coop_of("/demo/").await, None);

    // Reset clears both switches.
    demand_nonces(&sb, 300).await;
    sb.post_json("/_sandbox/coop", json!({"policy": "same-origin"}))
        .await;
    assert_eq!(sb.post_json("/_sandbox/reset", json!({})).await.0, 200);
    assert_eq!(coop_of("/demo/").await, None);
    let holder = Holder::new();
    let (_, r) = login(&sb, &holder, &[]).await;
    assert_eq!(r.status, 200, "no nonce demanded after a reset");
    sb.stop().await;
}
