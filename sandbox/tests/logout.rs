//! The end-session endpoint (PROTOCOL.md §2.5 with OpenID Connect RP-Initiated
//! Logout 1.0) over real HTTP, one rule at a time beside its negative case: a session is
//! ended only with a genuine `id_token_hint` for its user, or after the holder confirms
//! on the provider's page with a same-origin POST. Every refusal leaves the session
//! alive.
// Helpers in this test crate fail loudly by design.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use mirairo_id_sdk::jose::{b64url_decode, b64url_encode, Es256SigningKey, Jws};
use serde_json::{json, Value};

const RETURN_TO: &str = "http://127.0.0.1/";

/// A browser signed in as `user` through the real pages: its cookies.
async fn browser_session(sb: &Sandbox, user: &str) -> String {
    let holder = Holder::new();
    let params = AuthParams::new(&holder);
    let r = sb
        .http
        .get(format!("{}?{}", sb.url("/authorize"), params.query()))
        .send()
        .await
        .unwrap();
    let mut cookies = set_cookies(&r);
    let html = r.text().await.unwrap();
    let field = |name: &str| -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start = html.find(&marker).unwrap() + marker.len();
        html[start..].split('"').next().unwrap().to_owned()
    };
    let signed_in = sb
        .http
        .post(sb.url("/authorize/signin"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", cookies.join("; "))
        .body(form(&[
            ("req", &field("req")),
            ("csrf", &field("csrf")),
            ("user", user),
            ("action", "ok"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status().as_u16(), 303);
    cookies.extend(set_cookies(&signed_in));
    cookies.join("; ")
}

fn set_cookies(r: &reqwest::Response) -> Vec<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect()
}

/// True when the cookies still hold a provider session: `/authorize` then skips the
/// sign-in page and goes straight to consent.
async fn session_alive(sb: &Sandbox, cookies: &str) -> bool {
    let holder = Holder::new();
    let html = sb
        .http
        .get(format!(
            "{}?{}",
            sb.url("/authorize"),
            AuthParams::new(&holder).query()
        ))
        .header("cookie", cookies)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("name=\"csrf\""),
        "an authorization page: {html}"
    );
    !html.contains("name=\"user\"")
}

/// A genuine ID token for `user` and the test client, from a real code exchange.
async fn id_token_for(sb: &Sandbox, user: &str) -> String {
    let holder = Holder::new();
    let (_, reply) = login(sb, &holder, &[("user", user), ("certificate", "0")]).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["id_token"].as_str().unwrap().to_owned()
}

/// An ID token with `edit` applied to the claims of `genuine`, signed by `key` under
/// the header of `genuine`.
fn resigned(genuine: &str, key: &Es256SigningKey, edit: &dyn Fn(&mut Value)) -> String {
    let jws = Jws::parse(genuine).unwrap();
    let mut v = Value::Object(serde_map(jws.payload_object().unwrap()));
    edit(&mut v);
    key.sign_json(jws.header(), &to_sdk(&v))
}

fn flip_signature_bit(token: &str) -> String {
    let (input, sig) = token.rsplit_once('.').unwrap();
    let mut bytes = b64url_decode(sig).unwrap();
    bytes[10] ^= 0x01;
    format!("{input}.{}", b64url_encode(&bytes))
}

fn logout_url(sb: &Sandbox, pairs: &[(&str, &str)]) -> String {
    format!("{}?{}", sb.url("/logout"), form(pairs))
}

async fn get(sb: &Sandbox, url: &str, cookies: &str) -> reqwest::Response {
    sb.http
        .get(url)
        .header("cookie", cookies)
        .send()
        .await
        .unwrap()
}

async fn post(
    sb: &Sandbox,
    pairs: &[(&str, &str)],
    cookies: &str,
    origin: Option<&str>,
) -> reqwest::Response {
    let mut r = sb
        .http
        .post(sb.url("/logout"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", cookies)
        .body(form(pairs));
    if let Some(o) = origin {
        r = r.header("origin", o);
    }
    r.send().await.unwrap()
}

/// The session cookie is cleared in the answer.
fn clears_cookie(r: &reqwest::Response) -> bool {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .any(|v| v.to_str().unwrap().starts_with("mirairo_sandbox_session=;"))
}

/// (what, seconds between the ID token and the logout, the parameters beside the hint,
/// where the logout redirects)
type Row = (
    &'static str,
    i64,
    &'static [(&'static str, &'static str)],
    &'static str,
);

/// A genuine hint for the signed-in user, issued during this session, ends it at once
/// and redirects: expired is fine (RP-Initiated Logout 1.0 §2), and without `client_id`
/// the hint names the client.
#[tokio::test]
async fn a_genuine_hint_ends_the_session_and_redirects() {
    let rows: [Row; 3] = [
        (
            "fresh, with state",
            0,
            &[
                ("client_id", TEST_CLIENT),
                ("post_logout_redirect_uri", RETURN_TO),
                ("state", "s1"),
            ],
            "http://127.0.0.1/?state=s1",
        ),
        (
            "expired: ten minutes of validity, a day ago",
            24 * 3600,
            &[
                ("client_id", TEST_CLIENT),
                ("post_logout_redirect_uri", RETURN_TO),
            ],
            RETURN_TO,
        ),
        (
            "without client_id",
            0,
            &[("post_logout_redirect_uri", RETURN_TO)],
            RETURN_TO,
        ),
    ];
    for (what, later, params, location) in rows {
        let sb = Sandbox::start().await;
        let cookies = browser_session(&sb, "hanako").await;
        let hint = id_token_for(&sb, "hanako").await;
        assert!(session_alive(&sb, &cookies).await, "{what}");
        sb.handle.clock().advance(later);
        let mut pairs = vec![("id_token_hint", hint.as_str())];
        pairs.extend_from_slice(params);
        let r = get(&sb, &logout_url(&sb, &pairs), &cookies).await;
        assert_eq!(r.status().as_u16(), 303, "{what}");
        assert_eq!(r.headers()["location"], location, "{what}");
        assert!(clears_cookie(&r), "{what}");
        assert!(
            !session_alive(&sb, &cookies).await,
            "{what}: the session is gone"
        );
        sb.stop().await;
    }
}

/// Without a hint (what an `<img src=…/logout>` on any page sends), nothing ends: the
/// holder is asked, in Japanese or English, on an accessible page with no script.
#[tokio::test]
async fn without_a_hint_the_holder_is_asked_and_the_session_stays() {
    let sb = Sandbox::start().await;
    let cookies = browser_session(&sb, "hanako").await;
    for (lang, question, service, button, cancel) in [
        (
            "ja",
            "ミライロIDからサインアウトしますか？",
            "サンドボックス テスト",
            "サインアウト",
            "キャンセル",
        ),
        (
            "en",
            "Sign out of Mirairo ID?",
            "Sandbox test client",
            "Sign out",
            "Cancel",
        ),
    ] {
        let r = get(
            &sb,
            &logout_url(
                &sb,
                &[
                    ("client_id", TEST_CLIENT),
                    ("post_logout_redirect_uri", RETURN_TO),
                    ("state", "s<1>"),
                    ("ui_locales", lang),
                ],
            ),
            &cookies,
        )
        .await;
        assert_eq!(r.status().as_u16(), 200, "{lang}");
        assert!(!clears_cookie(&r));
        assert_eq!(r.headers()["referrer-policy"], "same-origin");
        let html = r.text().await.unwrap();
        assert!(html.contains(&format!("<html lang=\"{lang}\">")));
        assert_eq!(html.matches("<h1>").count(), 1);
        assert!(html.contains(&format!("<h1>{question}</h1>")), "{lang}");
        assert!(
            html.contains(&format!("<strong>{service}</strong>")),
            "{lang}"
        );
        assert!(html.contains("<form method=\"post\" action=\"/logout\">"));
        for (name, value) in [
            ("client_id", TEST_CLIENT),
            ("post_logout_redirect_uri", RETURN_TO),
            ("state", "s&lt;1&gt;"),
            ("ui_locales", lang),
        ] {
            assert!(
                html.contains(&format!(
                    "<input type=\"hidden\" name=\"{name}\" value=\"{value}\">"
                )),
                "{lang}: hidden {name}"
            );
        }
        assert!(html.contains(&format!(
            "<button type=\"submit\" class=\"primary\">{button}</button>"
        )));
        assert!(html.contains(&format!(
            "<a class=\"button secondary\" href=\"{RETURN_TO}\">{cancel}</a>"
        )));
        assert!(!html.contains("<script"));
        assert!(!html.contains("障がい"));
        assert!(
            session_alive(&sb, &cookies).await,
            "{lang}: still signed in"
        );
    }
    // Without a (valid) return address, Cancel leads to the sandbox home and no
    // service is named.
    let html = get(&sb, &logout_url(&sb, &[]), &cookies)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("<a class=\"button secondary\" href=\"/\">キャンセル</a>"));
    assert!(!html.contains("<strong>"));
    assert!(session_alive(&sb, &cookies).await);
    sb.stop().await;
}

/// A genuine hint from before this session (a history entry, a log, a shared computer)
/// proves nothing about it, expired or not: the holder is asked. The control: a hint
/// issued during the session ends it.
#[tokio::test]
async fn a_hint_from_an_earlier_session_asks_instead() {
    let sb = Sandbox::start().await;
    let old = id_token_for(&sb, "hanako").await;
    sb.handle.clock().advance(30 * 24 * 3600);
    let cookies = browser_session(&sb, "hanako").await;
    let url = |hint: &str| {
        logout_url(
            &sb,
            &[
                ("id_token_hint", hint),
                ("client_id", TEST_CLIENT),
                ("post_logout_redirect_uri", RETURN_TO),
            ],
        )
    };
    let r = get(&sb, &url(&old), &cookies).await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("ミライロIDからサインアウトしますか？"));
    assert!(session_alive(&sb, &cookies).await, "the session stays");

    let current = id_token_for(&sb, "hanako").await;
    let r = get(&sb, &url(&current), &cookies).await;
    assert_eq!(r.status().as_u16(), 303);
    assert!(!session_alive(&sb, &cookies).await);
    sb.stop().await;
}

/// A genuine hint for another user than the signed-in one proves nothing about this
/// browser's session (anyone can get their own ID token): the holder is asked.
#[tokio::test]
async fn a_hint_for_another_user_asks_instead() {
    let sb = Sandbox::start().await;
    let cookies = browser_session(&sb, "hanako").await;
    let taro = id_token_for(&sb, "taro").await;
    let r = get(
        &sb,
        &logout_url(
            &sb,
            &[
                ("id_token_hint", &taro),
                ("client_id", TEST_CLIENT),
                ("post_logout_redirect_uri", RETURN_TO),
            ],
        ),
        &cookies,
    )
    .await;
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("ミライロIDからサインアウトしますか？"));
    assert!(html.contains(&format!(
        "<input type=\"hidden\" name=\"id_token_hint\" value=\"{taro}\">"
    )));
    assert!(session_alive(&sb, &cookies).await);
    sb.stop().await;
}

#[tokio::test]
async fn confirming_ends_the_session_unless_another_site_posted_it() {
    let sb = Sandbox::start().await;
    let pairs = [
        ("client_id", TEST_CLIENT),
        ("post_logout_redirect_uri", RETURN_TO),
        ("state", "s2"),
        ("ui_locales", "en"),
    ];
    // `(Origin header, expected status, session still alive)`.
    let foreign = sb.base.replace("127.0.0.1", "localhost");
    let rows: [(Option<&str>, u16, bool); 5] = [
        (Some("http://evil.example"), 403, true),
        (Some(foreign.as_str()), 403, true),
        (Some("null"), 403, true),
        (Some(sb.base.as_str()), 303, false),
        (None, 303, false),
    ];
    for (origin, status, alive) in rows {
        let cookies = browser_session(&sb, "hanako").await;
        let r = post(&sb, &pairs, &cookies, origin).await;
        assert_eq!(r.status().as_u16(), status, "{origin:?}");
        if status == 403 {
            assert!(r.headers().get("location").is_none());
            assert!(!clears_cookie(&r));
            let html = r.text().await.unwrap();
            assert!(html.contains("サインアウトできません"), "{origin:?}");
            assert!(html.contains("別のサイトから送られた"), "{origin:?}");
        } else {
            assert_eq!(r.headers()["location"], "http://127.0.0.1/?state=s2");
            assert!(clears_cookie(&r));
        }
        assert_eq!(session_alive(&sb, &cookies).await, alive, "{origin:?}");
    }
    // The refusal page follows Accept-Language.
    let cookies = browser_session(&sb, "hanako").await;
    let en = sb
        .http
        .post(sb.url("/logout"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", &cookies)
        .header("origin", "http://evil.example")
        .header("accept-language", "en-GB,en;q=0.9")
        .body(form(&pairs))
        .send()
        .await
        .unwrap();
    assert_eq!(en.status().as_u16(), 403);
    let html = en.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\">") && html.contains("came from another site"));
    assert!(session_alive(&sb, &cookies).await);
    // The form parameters are checked like the query's.
    let bad = post(
        &sb,
        &[
            ("client_id", TEST_CLIENT),
            ("post_logout_redirect_uri", "http://evil.example/"),
        ],
        &cookies,
        Some(&sb.base),
    )
    .await;
    assert_eq!(bad.status().as_u16(), 400);
    assert!(bad.headers().get("location").is_none());
    assert!(session_alive(&sb, &cookies).await);
    sb.stop().await;
}

/// Every way a hint can fail: a 400 page, never a redirect, the session untouched.
#[tokio::test]
async fn an_invalid_hint_is_refused_and_the_session_stays() {
    let sb = Sandbox::start().await;
    let cookies = browser_session(&sb, "hanako").await;
    let genuine = id_token_for(&sb, "hanako").await;
    let sandbox_key = {
        let conn = sb.handle.state.db.lock();
        mirairo_id_sandbox::keys::current(&conn).unwrap().key
    };
    let stranger = Es256SigningKey::generate().unwrap();
    // `(what is wrong, hint, client_id)`.
    let rows: Vec<(&str, String, &str)> = vec![
        (
            "a flipped signature bit",
            flip_signature_bit(&genuine),
            TEST_CLIENT,
        ),
        (
            "another audience (client_id not in aud)",
            genuine.clone(),
            "demo-railway",
        ),
        (
            "another issuer, signed with the sandbox's own key",
            resigned(&genuine, &sandbox_key, &|c| {
                c["iss"] = json!("http://evil.example")
            }),
            TEST_CLIENT,
        ),
        (
            "another key under the sandbox's kid",
            resigned(&genuine, &stranger, &|_| {}),
            TEST_CLIENT,
        ),
        (
            "no sub, signed with the sandbox's own key",
            resigned(&genuine, &sandbox_key, &|c| {
                c.as_object_mut().unwrap().remove("sub");
            }),
            TEST_CLIENT,
        ),
        ("malformed", "not.a.jwt".to_owned(), TEST_CLIENT),
        ("empty", String::new(), TEST_CLIENT),
    ];
    // The control row: the sandbox's key re-signing unchanged claims is genuine.
    let control = resigned(&genuine, &sandbox_key, &|_| {});
    for (what, hint, client_id) in &rows {
        let r = get(
            &sb,
            &logout_url(
                &sb,
                &[
                    ("id_token_hint", hint),
                    ("client_id", client_id),
                    ("post_logout_redirect_uri", RETURN_TO),
                    ("state", "s3"),
                ],
            ),
            &cookies,
        )
        .await;
        assert_eq!(r.status().as_u16(), 400, "{what}");
        assert!(r.headers().get("location").is_none(), "{what}");
        assert!(!clears_cookie(&r), "{what}");
        let html = r.text().await.unwrap();
        assert!(html.contains("サインアウトできません"), "{what}");
        assert!(html.contains("id_token_hint"), "{what}");
        assert!(session_alive(&sb, &cookies).await, "{what}: session kept");
    }
    // In English on request.
    let r = get(
        &sb,
        &logout_url(
            &sb,
            &[
                ("id_token_hint", "not.a.jwt"),
                ("client_id", TEST_CLIENT),
                ("ui_locales", "en"),
            ],
        ),
        &cookies,
    )
    .await;
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.unwrap().contains("Cannot sign out"));
    // The negative case: the control hint does end the session.
    let r = get(
        &sb,
        &logout_url(
            &sb,
            &[("id_token_hint", &control), ("client_id", TEST_CLIENT)],
        ),
        &cookies,
    )
    .await;
    assert_eq!(
        r.status().as_u16(),
        200,
        "signed-out page without a return address"
    );
    assert!(r.text().await.unwrap().contains("サインアウトしました"));
    assert!(!session_alive(&sb, &cookies).await);
    sb.stop().await;
}

/// Even with a genuine hint, the return address must be registered for the client.
#[tokio::test]
async fn an_unregistered_return_address_is_refused() {
    let sb = Sandbox::start().await;
    let cookies = browser_session(&sb, "hanako").await;
    let hint = id_token_for(&sb, "hanako").await;
    for (what, pairs) in [
        (
            "unregistered uri",
            vec![
                ("id_token_hint", hint.as_str()),
                ("client_id", TEST_CLIENT),
                ("post_logout_redirect_uri", "http://evil.example/"),
            ],
        ),
        (
            "unregistered uri, no hint",
            vec![
                ("client_id", TEST_CLIENT),
                ("post_logout_redirect_uri", "http://evil.example/"),
            ],
        ),
        (
            "unknown client",
            vec![
                ("client_id", "nobody"),
                ("post_logout_redirect_uri", RETURN_TO),
            ],
        ),
        (
            "uri without a client",
            vec![("post_logout_redirect_uri", RETURN_TO)],
        ),
        (
            "client_id twice",
            vec![
                ("id_token_hint", hint.as_str()),
                ("client_id", TEST_CLIENT),
                ("client_id", TEST_CLIENT),
            ],
        ),
    ] {
        let r = get(&sb, &logout_url(&sb, &pairs), &cookies).await;
        assert_eq!(r.status().as_u16(), 400, "{what}");
        assert!(r.headers().get("location").is_none(), "{what}");
        assert!(session_alive(&sb, &cookies).await, "{what}");
    }
    sb.stop().await;
}
