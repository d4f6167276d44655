//! Server-rendered HTML: the sign-in and consent pages, error pages, and their
//! stylesheet. No script; every form works without JavaScript. The pages are askama
//! templates in `sandbox/templates/` (compiled in, every value escaped).

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use askama::Template;

use crate::credential::{Certificate, User};
use crate::seed::is_expired;
use crate::util::wareki;

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
pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        STYLESHEET,
    )
}

/// Picks the Japanese or English text.
pub fn t<'a>(en: bool, ja: &'a str, english: &'a str) -> &'a str {
    if en {
        english
    } else {
        ja
    }
}

/// The page language, for the templates: `self.t(ja, en)` picks the text.
trait Bilingual {
    fn en(&self) -> bool;

    fn t<'a>(&self, ja: &'a str, english: &'a str) -> &'a str {
        t(self.en(), ja, english)
    }

    fn claim_label(&self, claim: &str) -> &'static str {
        claim_label(self.en(), claim)
    }
}

/// Implements [`Bilingual`] for a template with an `en` field.
macro_rules! bilingual {
    ($($page:ident),+) => {
        $(impl Bilingual for $page<'_> {
            fn en(&self) -> bool {
                self.en
            }
        })+
    };
}

/// The escaper of every template (`askama.toml`): the characters askama's own HTML
/// escaper escapes, written as the named entities the pages have always used.
#[derive(Debug, Clone, Copy)]
pub struct Html;

impl askama::filters::Escaper for Html {
    fn write_escaped_str<W: std::fmt::Write>(&self, mut dest: W, string: &str) -> std::fmt::Result {
        let mut rest = string;
        while let Some(i) = rest.find(['&', '<', '>', '"', '\'']) {
            let (plain, tail) = rest.split_at(i);
            dest.write_str(plain)?;
            let mut chars = tail.chars();
            dest.write_str(match chars.next() {
                Some('&') => "&amp;",
                Some('<') => "&lt;",
                Some('>') => "&gt;",
                Some('"') => "&quot;",
                _ => "&#39;",
            })?;
            rest = chars.as_str();
        }
        dest.write_str(rest)
    }
}

/// A rendered template as an HTML response (status 200), or the 500 JSON error if
/// rendering failed (it cannot for these templates: every value is text).
fn render(page: &impl Template) -> Response {
    render_with(StatusCode::OK, page)
}

fn render_with(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(body) => html(status, body),
        Err(e) => crate::error::ApiError::internal(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    en: bool,
    title: &'a str,
    message: &'a str,
}

/// An error page (never a redirect).
pub fn error_page(en: bool, status: StatusCode, title: &str, message: &str) -> Response {
    render_with(status, &ErrorPage { en, title, message })
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

/// A certificate as the consent page lists it.
struct CertificateChoice<'a> {
    idx: i64,
    summary: String,
    number: &'a str,
    issued_on: String,
    valid_until: Option<String>,
    expired: bool,
}

/// What the sign-in and consent forms carry.
pub struct FormIds<'a> {
    /// The pending request id.
    pub req: &'a str,
    /// Its CSRF token.
    pub csrf: &'a str,
}

#[derive(Template)]
#[template(path = "signin.html")]
struct SigninPage<'a> {
    en: bool,
    title: &'a str,
    partner: &'a str,
    ids: &'a FormIds<'a>,
    users: &'a [User],
}

/// The sign-in page: pick a seeded test user (no passwords in the sandbox).
pub fn signin(en: bool, partner: &str, ids: &FormIds<'_>, users: &[User]) -> Response {
    render(&SigninPage {
        en,
        title: t(en, "ミライロIDでサインイン", "Sign in with Mirairo ID"),
        partner,
        ids,
        users,
    })
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

#[derive(Template)]
#[template(path = "consent.html")]
struct ConsentPage<'a> {
    en: bool,
    title: String,
    error: Option<&'a str>,
    user: &'a User,
    ids: &'a FormIds<'a>,
    profile: bool,
    certificate: bool,
    certificates: Vec<CertificateChoice<'a>>,
    claims: &'a [String],
}

/// The consent page.
pub fn consent(view: &ConsentView<'_>, ids: &FormIds<'_>) -> Response {
    let en = view.en;
    let certificates = view
        .user
        .certificates
        .iter()
        .map(|cert| CertificateChoice {
            idx: cert.idx,
            summary: certificate_summary(en, cert),
            number: &cert.certificate_number,
            issued_on: date_text(en, &cert.issued_on),
            valid_until: cert.valid_until.as_deref().map(|v| date_text(en, v)),
            expired: cert
                .valid_until
                .as_deref()
                .is_some_and(|v| is_expired(Some(v), view.today)),
        })
        .collect();
    render(&ConsentPage {
        en,
        title: if en {
            format!("Share your information with {}?", view.partner)
        } else {
            format!("{} に情報を提供しますか", view.partner)
        },
        error: view.error,
        user: view.user,
        ids,
        profile: view.profile,
        certificate: view.certificate,
        certificates,
        claims: view.claims,
    })
}

#[derive(Template)]
#[template(path = "logged-out.html")]
struct LoggedOutPage<'a> {
    en: bool,
    title: &'a str,
}

/// The page shown after a logout without a return address.
pub fn logged_out(en: bool) -> Response {
    render(&LoggedOutPage {
        en,
        title: t(en, "サインアウトしました", "You are signed out"),
    })
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

#[derive(Template)]
#[template(path = "logout-confirm.html")]
struct LogoutConfirmPage<'a> {
    en: bool,
    title: &'a str,
    partner: Option<&'a str>,
    fields: &'a [(&'a str, &'a str)],
    cancel: &'a str,
}

bilingual!(
    ErrorPage,
    SigninPage,
    ConsentPage,
    LoggedOutPage,
    LogoutConfirmPage
);

/// The end-session confirmation (`GET /logout` without a usable `id_token_hint`):
/// nothing is ended until the holder presses "Sign out" (`POST /logout`).
pub fn logout_confirm(view: &LogoutConfirmView<'_>) -> Response {
    let en = view.en;
    let mut res = render(&LogoutConfirmPage {
        en,
        title: t(
            en,
            "ミライロIDからサインアウトしますか？",
            "Sign out of Mirairo ID?",
        ),
        partner: view.partner,
        fields: view.fields,
        cancel: view.cancel,
    });
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
