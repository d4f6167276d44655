//! Server-rendered HTML: the sign-in and consent pages, error pages, and their
//! stylesheet. No script; every form works without JavaScript.

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;

use crate::credential::{Certificate, User};
use crate::seed::is_expired;
use crate::util::{esc, wareki};

/// The Content-Security-Policy of every HTML response.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// The provider pages' stylesheet (`/_sandbox/assets/provider.css`).
pub const STYLESHEET: &str = include_str!("provider.css");

/// Adds the CSP and `nosniff` headers to an HTML response.
pub fn add_html_headers(res: &mut Response) {
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}

/// An HTML response (UTF-8, CSP, nosniff, not cached).
pub fn html(status: StatusCode, body: String) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    add_html_headers(&mut r);
    r
}

/// `GET /_sandbox/assets/provider.css`.
pub async fn stylesheet() -> Response {
    let mut r = Response::new(Body::from(STYLESHEET));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    r.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

/// Picks the Japanese or English text.
pub fn t<'a>(en: bool, ja: &'a str, english: &'a str) -> &'a str {
    if en {
        english
    } else {
        ja
    }
}

/// A whole page.
pub fn document(en: bool, title: &str, main: &str) -> String {
    let lang = if en { "en" } else { "ja" };
    let brand = t(en, "ミライロID", "Mirairo ID");
    let sandbox = t(
        en,
        "サンドボックス（開発・テスト用の環境です）",
        "Sandbox (for development and tests)",
    );
    format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>{title} | {brand}</title>\n\
<link rel=\"stylesheet\" href=\"/_sandbox/assets/provider.css\">\n</head>\n<body>\n\
<header class=\"site\"><p class=\"brand\">{brand}</p><p class=\"badge\">{sandbox}</p></header>\n\
<main id=\"main\">\n{main}\n</main>\n</body>\n</html>\n",
        title = esc(title),
    )
}

/// An error page (never a redirect).
pub fn error_page(en: bool, status: StatusCode, title: &str, message: &str) -> Response {
    let main = format!(
        "<h1>{}</h1>\n<p role=\"alert\">{}</p>\n<p>{}</p>",
        esc(title),
        esc(message),
        esc(t(
            en,
            "このページを閉じて、利用していたサービスに戻ってください。",
            "Close this page and go back to the service you were using.",
        ))
    );
    html(status, document(en, title, &main))
}

/// The label of a certificate claim.
pub fn claim_label(en: bool, claim: &str) -> &'static str {
    let (ja, english) = match claim {
        "certificate_type" => ("手帳の種類", "Certificate type"),
        "grade" => ("等級", "Grade"),
        "fare_class" => ("旅客運賃減額の区分", "Fare discount class"),
        "caregiver" => ("介護者の有無", "Caregiver"),
        "issuer_prefecture" => ("交付した都道府県", "Issuing prefecture"),
        "certificate_number" => ("手帳番号", "Certificate number"),
        "issued_on" => ("交付日", "Issued on"),
        "renewed_on" => ("更新日（再交付日）", "Renewed on"),
        "valid_until" => ("有効期限", "Valid until"),
        "family_name" => ("氏", "Family name"),
        "given_name" => ("名", "Given name"),
        "family_name_kana" => ("氏（フリガナ）", "Family name (kana)"),
        "given_name_kana" => ("名（フリガナ）", "Given name (kana)"),
        "birthdate" => ("生年月日", "Date of birth"),
        "mynaportal" => ("マイナポータル連携", "Mynaportal link"),
        _ => ("その他", "Other"),
    };
    if en {
        english
    } else {
        ja
    }
}

/// The name of a certificate type.
pub fn certificate_type_name(en: bool, certificate_type: &str) -> &'static str {
    match (certificate_type, en) {
        ("physical", false) => "身体障害者手帳",
        ("physical", true) => "Physical disability certificate",
        ("mental", false) => "精神障害者保健福祉手帳",
        ("mental", true) => "Mental disability certificate",
        ("intellectual", false) => "療育手帳",
        ("intellectual", true) => "Intellectual disability certificate (療育手帳)",
        (_, false) => "障害者手帳",
        (_, true) => "Disability certificate",
    }
}

fn grade_text(en: bool, cert: &Certificate) -> String {
    let numeric = cert.grade.chars().all(|c| c.is_ascii_digit());
    match (numeric, en) {
        (true, false) => format!("{}級", cert.grade),
        (true, true) => format!("grade {}", cert.grade),
        (false, false) => cert.grade.clone(),
        (false, true) => format!("grade {}", cert.grade),
    }
}

fn date_text(en: bool, date: &str) -> String {
    if en {
        date.to_owned()
    } else {
        wareki(date)
    }
}

/// A one-line description: `身体障害者手帳 2級 第1種（介護あり）`.
pub fn certificate_summary(en: bool, cert: &Certificate) -> String {
    let mut s = format!(
        "{} {}",
        certificate_type_name(en, &cert.certificate_type),
        grade_text(en, cert)
    );
    match (cert.fare_class, en) {
        (Some(c), false) => s.push_str(&format!(" 第{c}種")),
        (Some(c), true) => s.push_str(&format!(", fare class {c}")),
        (None, false) => s.push_str("（旅客運賃減額なし）"),
        (None, true) => s.push_str(", no fare class"),
    }
    if cert.caregiver {
        s.push_str(t(en, "（介護あり）", ", with caregiver"));
    }
    s
}

fn certificate_details(en: bool, cert: &Certificate, today: i64) -> String {
    let mut parts = vec![format!(
        "{} {}",
        t(en, "手帳番号", "No."),
        esc(&cert.certificate_number)
    )];
    parts.push(format!(
        "{} {}",
        t(en, "交付日", "Issued"),
        esc(&date_text(en, &cert.issued_on))
    ));
    match &cert.valid_until {
        Some(v) => {
            let mut s = format!(
                "{} {}",
                t(en, "有効期限", "Valid until"),
                esc(&date_text(en, v))
            );
            if is_expired(Some(v), today) {
                s.push_str(&format!(
                    " <strong class=\"warn\">{}</strong>",
                    t(en, "（期限切れ）", "(expired)")
                ));
            }
            parts.push(s);
        }
        None => parts.push(t(en, "有効期限なし", "No expiry date").to_owned()),
    }
    parts.join(t(en, "・", " · "))
}

/// What the sign-in and consent forms carry.
pub struct FormIds<'a> {
    /// The pending request id.
    pub req: &'a str,
    /// Its CSRF token.
    pub csrf: &'a str,
}

fn hidden(ids: &FormIds<'_>) -> String {
    format!(
        "<input type=\"hidden\" name=\"req\" value=\"{}\">\n<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        esc(ids.req),
        esc(ids.csrf)
    )
}

fn buttons(en: bool, primary: &str) -> String {
    format!(
        "<div class=\"actions\">\n<button type=\"submit\" name=\"action\" value=\"ok\" class=\"primary\">{}</button>\n\
<button type=\"submit\" name=\"action\" value=\"cancel\" class=\"secondary\">{}</button>\n</div>",
        esc(primary),
        t(en, "キャンセル", "Cancel")
    )
}

/// The sign-in page: pick a seeded test user (no passwords in the sandbox).
pub fn signin(en: bool, partner: &str, ids: &FormIds<'_>, users: &[User]) -> Response {
    let title = t(en, "ミライロIDでサインイン", "Sign in with Mirairo ID");
    let mut main = format!(
        "<h1>{}</h1>\n<p>{}</p>\n<p class=\"note\">{}</p>\n<form method=\"post\" action=\"/authorize/signin\">\n{}\n<fieldset>\n<legend>{}</legend>\n",
        esc(title),
        if en {
            format!("<strong>{}</strong> asks you to sign in with Mirairo ID.", esc(partner))
        } else {
            format!("<strong>{}</strong> がミライロIDでのサインインを求めています。", esc(partner))
        },
        t(
            en,
            "これはサンドボックスです。パスワードは使いません。テスト利用者を選んでください。",
            "This is the sandbox: there are no passwords. Choose a test user.",
        ),
        hidden(ids),
        t(en, "テスト利用者", "Test user"),
    );
    for (i, u) in users.iter().enumerate() {
        let id = format!("user-{i}");
        main.push_str(&format!(
            "<div class=\"choice\">\n<input type=\"radio\" name=\"user\" id=\"{id}\" value=\"{}\" aria-describedby=\"{id}-note\"{}>\n\
<label for=\"{id}\"><span class=\"name\">{}</span> <span class=\"login-id\">({})</span></label>\n<p class=\"hint\" id=\"{id}-note\">{}</p>\n</div>\n",
            esc(&u.id),
            if i == 0 { " checked" } else { "" },
            esc(&u.name()),
            esc(&u.id),
            esc(t(en, &u.note_ja, &u.note_en)),
        ));
    }
    main.push_str("</fieldset>\n");
    main.push_str(&buttons(en, t(en, "サインイン", "Sign in")));
    main.push_str("\n</form>");
    html(StatusCode::OK, document(en, title, &main))
}

/// What the consent page shows.
pub struct ConsentView<'a> {
    /// Page language.
    pub en: bool,
    /// Partner display name.
    pub partner: &'a str,
    /// The signed-in user.
    pub user: &'a User,
    /// True with scope `certificate`.
    pub certificate: bool,
    /// True with scope `profile`.
    pub profile: bool,
    /// The claims asked for.
    pub claims: &'a [String],
    /// Today (Japan) as a day number.
    pub today: i64,
    /// A message to show first (e.g. a form error).
    pub error: Option<&'a str>,
}

/// The consent page.
pub fn consent(view: &ConsentView<'_>, ids: &FormIds<'_>) -> Response {
    let en = view.en;
    let title = if en {
        format!("Share your information with {}?", view.partner)
    } else {
        format!("{} に情報を提供しますか", view.partner)
    };
    let mut main = format!("<h1>{}</h1>\n", esc(&title));
    if let Some(e) = view.error {
        main.push_str(&format!(
            "<p class=\"error\" role=\"alert\">{}</p>\n",
            esc(e)
        ));
    }
    main.push_str(&format!(
        "<p>{} <strong>{}</strong> <a href=\"/authorize/signin?req={}\">{}</a></p>\n",
        t(en, "サインイン中:", "Signed in as"),
        esc(&view.user.name()),
        esc(ids.req),
        t(en, "別の利用者に切り替える", "Switch user"),
    ));
    main.push_str("<form method=\"post\" action=\"/authorize/consent\">\n");
    main.push_str(&hidden(ids));
    main.push('\n');
    main.push_str(&format!(
        "<h2>{}</h2>\n<ul class=\"always\">\n<li>{}</li>\n",
        t(en, "必ず提供される情報", "Always shared"),
        t(
            en,
            "このサービス専用の利用者ID（他のサービスとは異なる番号です）",
            "A user ID for this service only (different at every service)",
        )
    ));
    if view.profile {
        main.push_str(&format!(
            "<li>{}: {}（{}）</li>\n",
            t(en, "氏名", "Name"),
            esc(&view.user.name()),
            esc(&view.user.name_kana())
        ));
    }
    main.push_str("</ul>\n");
    if view.certificate {
        if view.user.certificates.is_empty() {
            main.push_str(&format!(
                "<p class=\"error\" role=\"alert\">{}</p>\n",
                t(
                    en,
                    "この利用者には登録された障害者手帳がありません。",
                    "This user has no registered disability certificate.",
                )
            ));
        } else {
            main.push_str(&format!(
                "<fieldset>\n<legend>{}</legend>\n",
                t(en, "使用する障害者手帳", "Certificate to use")
            ));
            for cert in &view.user.certificates {
                let id = format!("cert-{}", cert.idx);
                main.push_str(&format!(
                    "<div class=\"choice\">\n<input type=\"radio\" name=\"certificate\" id=\"{id}\" value=\"{}\" aria-describedby=\"{id}-detail\"{}>\n\
<label for=\"{id}\">{}</label>\n<p class=\"hint\" id=\"{id}-detail\">{}</p>\n</div>\n",
                    cert.idx,
                    if cert.idx == 0 { " checked" } else { "" },
                    esc(&certificate_summary(en, cert)),
                    certificate_details(en, cert, view.today),
                ));
            }
            main.push_str("</fieldset>\n");
            if !view.claims.is_empty() {
                main.push_str(&format!(
                    "<fieldset aria-describedby=\"claims-hint\">\n<legend>{}</legend>\n<p class=\"hint\" id=\"claims-hint\">{}</p>\n",
                    t(en, "提供する手帳の項目", "Certificate details to share"),
                    t(
                        en,
                        "提供したくない項目はチェックを外してください。",
                        "Untick anything you do not want to share.",
                    )
                ));
                for (i, claim) in view.claims.iter().enumerate() {
                    let id = format!("claim-{i}");
                    main.push_str(&format!(
                        "<div class=\"choice\">\n<input type=\"checkbox\" name=\"claim\" id=\"{id}\" value=\"{}\" checked>\n<label for=\"{id}\">{}</label>\n</div>\n",
                        esc(claim),
                        esc(claim_label(en, claim)),
                    ));
                }
                main.push_str("</fieldset>\n");
            }
        }
    }
    main.push_str(&buttons(en, t(en, "同意する", "Agree")));
    main.push_str("\n</form>");
    html(StatusCode::OK, document(en, &title, &main))
}

/// The page shown after a logout without a return address.
pub fn logged_out(en: bool) -> Response {
    let title = t(en, "サインアウトしました", "You are signed out");
    let main = format!(
        "<h1>{}</h1>\n<p>{}</p>",
        esc(title),
        t(
            en,
            "ミライロIDからサインアウトしました。このページを閉じてください。",
            "You have signed out of Mirairo ID. You can close this page.",
        )
    );
    html(StatusCode::OK, document(en, title, &main))
}

/// What the end-session confirmation page shows and posts back.
pub struct LogoutConfirmView<'a> {
    /// Page language.
    pub en: bool,
    /// The partner's display name, when its `client_id` is registered.
    pub partner: Option<&'a str>,
    /// The request's parameters, posted back as hidden fields in this order.
    pub fields: &'a [(&'a str, &'a str)],
    /// Where "Cancel" leads: the validated `post_logout_redirect_uri`, else `/`.
    pub cancel: &'a str,
}

/// The end-session confirmation (`GET /logout` without a usable `id_token_hint`):
/// nothing is ended until the holder presses "Sign out" (`POST /logout`).
pub fn logout_confirm(view: &LogoutConfirmView<'_>) -> Response {
    let en = view.en;
    let title = t(
        en,
        "ミライロIDからサインアウトしますか？",
        "Sign out of Mirairo ID?",
    );
    let mut main = format!("<h1>{}</h1>\n", esc(title));
    if let Some(partner) = view.partner {
        main.push_str(&if en {
            format!(
                "<p><strong>{}</strong> asked to sign you out.</p>\n",
                esc(partner)
            )
        } else {
            format!(
                "<p><strong>{}</strong> からサインアウトの要求がありました。</p>\n",
                esc(partner)
            )
        });
    }
    main.push_str(&format!(
        "<p>{}</p>\n<p class=\"note\">{}</p>\n<form method=\"post\" action=\"/logout\">\n",
        t(
            en,
            "サインアウトすると、ミライロIDを使うサービスに次にログインするとき、もう一度サインインが必要になります。",
            "After signing out, you will need to sign in again the next time you log in to a service with Mirairo ID.",
        ),
        t(
            en,
            "この要求があなたの操作によるものか確認できなかったため、おたずねしています。心当たりがなければ「キャンセル」を選んでください。",
            "We could not tell whether you asked for this yourself, so we are checking. If you did not, choose Cancel.",
        ),
    ));
    for (name, value) in view.fields {
        main.push_str(&format!(
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
            esc(name),
            esc(value)
        ));
    }
    main.push_str(&format!(
        "<div class=\"actions\">\n<button type=\"submit\" class=\"primary\">{}</button>\n\
<a class=\"button secondary\" href=\"{}\">{}</a>\n</div>\n</form>",
        t(en, "サインアウト", "Sign out"),
        esc(view.cancel),
        t(en, "キャンセル", "Cancel"),
    ));
    let mut res = html(StatusCode::OK, document(en, title, &main));
    // The form must carry the page's own `Origin` (`POST /logout` refuses other
    // origins); under `no-referrer` browsers send `Origin: null` instead.
    res.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::{Certificate, User};

    fn hanako() -> User {
        let cert =
            |idx, certificate_type: &str, grade: &str, fare_class, valid_until: Option<&str>| {
                Certificate {
                    idx,
                    certificate_type: certificate_type.into(),
                    grade: grade.into(),
                    fare_class,
                    caregiver: idx == 0,
                    issuer_prefecture: "27".into(),
                    certificate_number: "1000001".into(),
                    issued_on: "1994-03-01".into(),
                    renewed_on: None,
                    valid_until: valid_until.map(str::to_owned),
                    mynaportal: "linked".into(),
                    status_idx: 412,
                }
            };
        User {
            id: "hanako".into(),
            family_name: "ミライロ".into(),
            given_name: "ハナコ".into(),
            family_name_kana: "ミライロ".into(),
            given_name_kana: "ハナコ".into(),
            birthdate: "1989-08-02".into(),
            note_ja: "テスト".into(),
            note_en: "test".into(),
            certificates: vec![
                cert(0, "physical", "2", Some(1), None),
                cert(1, "mental", "2", Some(2), Some("2020-01-31")),
                cert(2, "intellectual", "4度", None, Some("2030-03-31")),
            ],
        }
    }

    async fn body(r: Response) -> String {
        let bytes = axum::body::to_bytes(r.into_body(), usize::MAX)
            .await
            .unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    /// Every form control has a label, the page has its language, one h1, a main
    /// landmark, no script, and never writes 障がい者.
    fn assert_accessible(html: &str, lang: &str) {
        assert!(html.contains(&format!("<html lang=\"{lang}\">")));
        assert_eq!(html.matches("<h1>").count(), 1);
        assert_eq!(html.matches("<main").count(), 1);
        assert!(!html.contains("<script"));
        assert!(!html.contains("障がい"));
        for input in html.split("<input ").skip(1) {
            if input.contains("type=\"hidden\"") {
                continue;
            }
            let id = input
                .split("id=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            assert!(
                html.contains(&format!("<label for=\"{id}\">")),
                "label for {id}"
            );
        }
        assert_eq!(
            html.matches("<fieldset").count(),
            html.matches("<legend>").count()
        );
    }

    #[tokio::test]
    async fn pages_are_labelled_in_both_languages() {
        let user = hanako();
        let ids = FormIds {
            req: "r",
            csrf: "c",
        };
        let claims: Vec<String> = ["certificate_type", "fare_class", "caregiver", "valid_until"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let today = crate::util::parse_day("2026-11-27").unwrap();
        for (en, lang, expected) in [
            (
                false,
                "ja",
                [
                    "手帳の種類",
                    "旅客運賃減額の区分",
                    "介護者の有無",
                    "有効期限",
                    "身体障害者手帳 2級 第1種（介護あり）",
                    "（期限切れ）",
                    "療育手帳 4度（旅客運賃減額なし）",
                    "同意する",
                    "キャンセル",
                ],
            ),
            (
                true,
                "en",
                [
                    "Certificate type",
                    "Fare discount class",
                    "Caregiver",
                    "Valid until",
                    "Physical disability certificate grade 2, fare class 1, with caregiver",
                    "(expired)",
                    "no fare class",
                    "Agree",
                    "Cancel",
                ],
            ),
        ] {
            let view = ConsentView {
                en,
                partner: "みらい鉄道",
                user: &user,
                certificate: true,
                profile: true,
                claims: &claims,
                today,
                error: None,
            };
            let html = body(consent(&view, &ids)).await;
            assert_accessible(&html, lang);
            for text in expected {
                assert!(html.contains(text), "{lang}: {text}");
            }
            let html = body(signin(en, "みらい鉄道", &ids, std::slice::from_ref(&user))).await;
            assert_accessible(&html, lang);
        }
    }

    #[tokio::test]
    async fn the_logout_confirmation_is_labelled_in_both_languages() {
        for (en, lang, texts) in [
            (
                false,
                "ja",
                [
                    "ミライロIDからサインアウトしますか？",
                    "<strong>みらい鉄道</strong>",
                    ">サインアウト</button>",
                    ">キャンセル</a>",
                ],
            ),
            (
                true,
                "en",
                [
                    "Sign out of Mirairo ID?",
                    "<strong>Mirai Railway</strong>",
                    ">Sign out</button>",
                    ">Cancel</a>",
                ],
            ),
        ] {
            let view = LogoutConfirmView {
                en,
                partner: Some(t(en, "みらい鉄道", "Mirai Railway")),
                fields: &[("client_id", "demo-railway"), ("state", "\"><script>")],
                cancel: "http://127.0.0.1/demo/",
            };
            let r = logout_confirm(&view);
            assert_eq!(r.headers()[header::REFERRER_POLICY], "same-origin");
            let html = body(r).await;
            assert_accessible(&html, lang);
            for text in texts {
                assert!(html.contains(text), "{lang}: {text}");
            }
            assert!(
                html.contains("value=\"&quot;&gt;&lt;script&gt;\""),
                "escaped"
            );
        }
    }

    #[tokio::test]
    async fn html_responses_carry_the_csp() {
        let r = error_page(false, StatusCode::BAD_REQUEST, "t", "m");
        assert_eq!(r.headers()[header::CONTENT_SECURITY_POLICY], CSP);
        assert_eq!(r.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(
            r.headers()[header::CONTENT_TYPE],
            "text/html; charset=utf-8"
        );
        let html = body(r).await;
        assert_accessible(&html, "ja");
    }
}
