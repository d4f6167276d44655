//! Forms and query strings at the HTTP edge (`sandbox/src/form.rs`, the token endpoint):
//! one hostile input per row, each beside the well-formed request that passes the same
//! step, so that every row shows the rule and not another failure.
// Helpers in this test crate fail loudly by design.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;

/// A pending sign-in: its id, CSRF token and the browser cookie.
async fn pending_sign_in(sb: &Sandbox) -> (String, String, String) {
    let holder = Holder::new();
    let params = AuthParams::new(&holder).set("ui_locales", "en");
    let r = sb
        .http
        .get(format!("{}?{}", sb.url("/authorize"), params.query()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("; ");
    let html = r.text().await.unwrap();
    let field = |name: &str| -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start = html.find(&marker).unwrap() + marker.len();
        html[start..].split('"').next().unwrap().to_owned()
    };
    (field("req"), field("csrf"), cookie)
}

#[tokio::test]
async fn the_sign_in_form_refuses_each_hostile_encoding_with_an_error_page() {
    let sb = Sandbox::start().await;
    let (req, csrf, cookie) = pending_sign_in(&sb).await;
    let ids = format!("req={req}&csrf={csrf}");
    let form_type = "application/x-www-form-urlencoded";
    // (what, content type, body, expected status)
    let rows: Vec<(&str, &str, Vec<u8>, u16)> = vec![
        (
            "not a form",
            "text/plain",
            format!("{ids}&user=hanako").into(),
            415,
        ),
        (
            "bad escape",
            form_type,
            format!("{ids}&user=%zz").into(),
            400,
        ),
        (
            "short escape",
            form_type,
            format!("{ids}&user=%4").into(),
            400,
        ),
        (
            "escape of invalid UTF-8",
            form_type,
            format!("{ids}&user=%FF").into(),
            400,
        ),
        (
            "cut UTF-8 sequence",
            form_type,
            format!("{ids}&user=%E3%81").into(),
            400,
        ),
        (
            "raw invalid UTF-8",
            form_type,
            [format!("{ids}&user=").as_bytes(), b"\xff"].concat(),
            400,
        ),
        (
            "empty name",
            form_type,
            format!("{ids}&=x&user=hanako").into(),
            400,
        ),
        (
            "csrf twice",
            form_type,
            format!("{ids}&csrf={csrf}&user=hanako").into(),
            400,
        ),
        (
            "user twice",
            form_type,
            format!("{ids}&user=hanako&user=taro").into(),
            400,
        ),
        (
            "action twice",
            form_type,
            format!("{ids}&user=hanako&action=ok&action=cancel").into(),
            400,
        ),
        // The negative case of every row: the same form, well formed (`+` and empty
        // segments are fine), signs in.
        (
            "well formed",
            form_type,
            format!("{ids}&&user=hanako&action=ok&").into(),
            303,
        ),
    ];
    for (what, content_type, body, expected) in rows {
        let r = sb
            .http
            .post(sb.url("/authorize/signin"))
            .header("content-type", content_type)
            .header("accept-language", "en")
            .header("cookie", cookie.clone())
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), expected, "{what}");
        if expected != 303 {
            let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
            assert!(ct.starts_with("text/html"), "{what}: {ct}");
            let page = r.text().await.unwrap();
            assert!(
                page.contains("This request cannot be processed"),
                "{what}: {page}"
            );
        }
    }
    sb.stop().await;
}

#[tokio::test]
async fn plus_is_a_space_in_the_logout_confirmation() {
    let sb = Sandbox::start().await;
    let confirm = |body: &'static str| {
        sb.http
            .post(sb.url("/logout"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let r = confirm(
        "client_id=sandbox-test&post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%2F&state=a+b%2Bc",
    )
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(
        r.headers()["location"],
        "http://127.0.0.1/?state=a%20b%2Bc",
        "`+` is a space, `%2B` a plus"
    );
    // A parameter given twice is refused with the page that names it.
    let r = confirm("client_id=sandbox-test&state=a&state=b")
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.unwrap().contains("state"));
    sb.stop().await;
}

#[tokio::test]
async fn the_token_body_is_read_whole_by_the_core_decoder() {
    let sb = Sandbox::start().await;
    let base = "grant_type=authorization_code&client_id=sandbox-test&code=x&redirect_uri=x&code_verifier=x";
    let limit = mirairo_id_sandbox::token::MAX_TOKEN_BODY;
    let padded = |total: usize| {
        let pad = total - base.len() - "&pad=".len();
        format!("{base}&pad={}", "a".repeat(pad))
    };
    // (what, body, expected error): a form the decoder accepts gets as far as the DPoP
    // header (none is sent), one it refuses stops at `invalid_request`.
    let rows: Vec<(&str, String, &str)> = vec![
        ("well formed", base.to_owned(), "invalid_dpop_proof"),
        ("at the size limit", padded(limit), "invalid_dpop_proof"),
        ("over the size limit", padded(limit + 1), "invalid_request"),
        (
            "an unknown name once",
            format!("{base}&x=1"),
            "invalid_dpop_proof",
        ),
        (
            "an unknown name twice",
            format!("{base}&x=1&x=2"),
            "invalid_request",
        ),
        (
            "a name twice through an escape",
            format!("{base}&%63ode=y"),
            "invalid_request",
        ),
        ("a bad escape", format!("{base}&x=%zz"), "invalid_request"),
        ("an empty name", format!("{base}&=x"), "invalid_request"),
        (
            "`+` in a value",
            format!("{base}&x=a+b"),
            "invalid_dpop_proof",
        ),
    ];
    for (what, body, expected) in rows {
        let t = token_request(&sb, &body, None, None).await;
        assert_eq!(t.status, 400, "{what}: {}", t.body);
        assert_eq!(t.error(), expected, "{what}: {}", t.body);
        assert_eq!(t.headers["cache-control"], "no-store", "{what}");
        assert_eq!(t.headers["pragma"], "no-cache", "{what}");
    }
    sb.stop().await;
}

#[tokio::test]
async fn api_queries_refuse_repeats_and_broken_encodings() {
    let sb = Sandbox::start().await;
    let fare = "/demo-api/fare?from=mirai-chuo&to=sakuradai&ticket=regular";
    // (what, path, expected status)
    let rows = [
        ("well formed", fare.to_owned(), 200),
        ("unknown name ignored", format!("{fare}&x=1&x=2"), 200),
        ("a name twice", format!("{fare}&from=sakuradai"), 400),
        ("bad escape", format!("{fare}&x=%zz"), 400),
        ("escape of invalid UTF-8", format!("{fare}&x=%FF"), 400),
        (
            "a required name missing",
            "/demo-api/fare?from=mirai-chuo&ticket=regular".to_owned(),
            400,
        ),
        (
            "places: well formed",
            "/api/v1/places?limit=1&q=a+b".to_owned(),
            200,
        ),
        (
            "places: a name twice",
            "/api/v1/places?q=a&q=b".to_owned(),
            400,
        ),
        ("places: empty name", "/api/v1/places?=x".to_owned(), 400),
        (
            "coupons: a name twice",
            "/api/v1/coupons?lang=en&lang=ja".to_owned(),
            400,
        ),
    ];
    for (what, path, expected) in rows {
        let (status, v) = sb.get_json(&path).await;
        assert_eq!(status, expected, "{what}: {v}");
        if expected == 400 {
            assert_eq!(v["error"], "invalid_request", "{what}: {v}");
        }
    }
    sb.stop().await;
}

#[tokio::test]
async fn the_authorize_query_decides_per_name_what_a_repeat_means() {
    let sb = Sandbox::start().await;
    let holder = Holder::new();
    let good = AuthParams::new(&holder).query();
    // (what, query, expected status: 200 the sign-in page, 303 an error redirect to the
    // client, 400 an error page that redirects nowhere)
    let rows = [
        ("well formed", good.clone(), 200),
        (
            "`+` and empty segments",
            format!("{good}&&ui_locales=ja+en&"),
            200,
        ),
        ("an unknown name twice", format!("{good}&x=1&x=2"), 200),
        ("bad escape", format!("{good}&x=%zz"), 400),
        ("escape of invalid UTF-8", format!("{good}&x=%C3%28"), 400),
        ("empty name", format!("{good}&=x"), 400),
        (
            "client_id twice",
            format!("{good}&client_id={TEST_CLIENT}"),
            400,
        ),
        ("redirect_uri twice", format!("{good}&redirect_uri=x"), 400),
        ("scope twice", format!("{good}&scope=openid"), 303),
        (
            "prompt twice",
            format!("{good}&prompt=login&prompt=login"),
            303,
        ),
    ];
    for (what, query, expected) in rows {
        let r = sb
            .http
            .get(format!("{}?{query}", sb.url("/authorize")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), expected, "{what}");
        match expected {
            303 => {
                let q = query_of(r.headers()["location"].to_str().unwrap());
                assert_eq!(q.get("error"), Some("invalid_request"), "{what}");
                assert!(
                    q.get("error_description")
                        .unwrap()
                        .contains("more than once"),
                    "{what}"
                );
            }
            400 => {
                assert!(r.headers().get("location").is_none(), "{what}");
                let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
                assert!(ct.starts_with("text/html"), "{what}: {ct}");
            }
            _ => {}
        }
    }
    sb.stop().await;
}
