//! Every user-facing string, in Japanese and English. The language, the calendar and
//! the date formats are the SDK core's (`mirairo_id_sdk::{Lang, Calendar, format_date}`).
//!
//! Messages are joined with `concat` rather than `format!`: every `format!` call site
//! costs wasm bytes of its own.

use mirairo_id_sdk::{format_date, Date};
pub use mirairo_id_sdk::{Calendar, Lang};

/// The language of a `lang` attribute value (BCP 47, by the core's [`Lang::from_tag`]):
/// `en`, `en-GB`… are English; anything else, or nothing, Japanese.
pub fn lang_of_tag(tag: &str) -> Lang {
    Lang::from_tag(tag).unwrap_or_default()
}

/// The calendar of the `calendar` attribute: `japanese` (any case) is the Japanese
/// era calendar, anything else Gregorian.
pub fn calendar_of_attr(value: Option<&str>) -> Calendar {
    value
        .and_then(|v| Calendar::from_wire(&v.trim().to_ascii_lowercase()))
        .unwrap_or_default()
}

/// A date in running text, written by the core's [`format_date`]: 2026年11月27日,
/// 令和8年11月27日, 27 Nov 2026. The `calendar` attribute applies to Japanese text only
/// (English is always Gregorian), as the widget has always documented.
pub fn date(lang: Lang, calendar: Calendar, date: Date) -> String {
    let calendar = if lang == Lang::Ja {
        calendar
    } else {
        Calendar::Gregorian
    };
    format_date(date, lang, calendar)
}

/// Place and coupon categories of PROTOCOL.md §5, in the order filters list them.
pub const CATEGORIES: [&str; 14] = [
    "railway", "bus", "taxi", "airline", "ferry", "leisure", "museum", "cinema", "sports", "hotel",
    "retail", "dining", "public", "other",
];

/// Certificate types a place can accept.
pub const CERTIFICATES: [&str; 3] = ["physical", "mental", "intellectual"];

/// A category's label; unknown values are shown as they are.
pub fn category(lang: Lang, value: &str) -> String {
    let (ja, en) = match value {
        "railway" => ("鉄道", "Railway"),
        "bus" => ("バス", "Bus"),
        "taxi" => ("タクシー", "Taxi"),
        "airline" => ("航空", "Airline"),
        "ferry" => ("船舶", "Ferry"),
        "leisure" => ("レジャー", "Leisure"),
        "museum" => ("美術館・博物館", "Museum"),
        "cinema" => ("映画館", "Cinema"),
        "sports" => ("スポーツ", "Sports"),
        "hotel" => ("宿泊", "Hotel"),
        "retail" => ("買い物", "Shopping"),
        "dining" => ("飲食", "Dining"),
        "public" => ("公共施設", "Public facility"),
        "other" => ("その他", "Other"),
        other => return other.to_owned(),
    };
    pick(lang, ja, en).to_owned()
}

/// A certificate type's label (障害者手帳 kinds).
pub fn certificate(lang: Lang, value: &str) -> String {
    let (ja, en) = match value {
        "physical" => ("身体障害者手帳", "Physical disability certificate"),
        "mental" => ("精神障害者保健福祉手帳", "Mental disability certificate"),
        "intellectual" => ("療育手帳", "Intellectual disability certificate"),
        other => return other.to_owned(),
    };
    pick(lang, ja, en).to_owned()
}

/// A support service's label.
pub fn support(lang: Lang, value: &str) -> String {
    let (ja, en) = match value {
        "wheelchair" => ("車いすで利用できます", "Wheelchair accessible"),
        "step_free" => ("段差なし", "Step-free access"),
        "writing_board" => ("筆談ボード", "Writing board"),
        "sign_language" => ("手話対応", "Sign language"),
        "assistance_dog" => ("補助犬同伴可", "Assistance dogs welcome"),
        "accessible_toilet" => ("多機能トイレ", "Accessible toilet"),
        "staff_assistance" => ("係員による介助", "Staff assistance"),
        "braille" => ("点字案内", "Braille guidance"),
        other => return other.to_owned(),
    };
    pick(lang, ja, en).to_owned()
}

fn pick(lang: Lang, ja: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Ja => ja,
        Lang::En => en,
    }
}

/// Fixed strings.
pub struct Text {
    pub places_heading: &'static str,
    pub coupons_heading: &'static str,
    pub search: &'static str,
    pub search_hint: &'static str,
    pub prefecture: &'static str,
    pub category: &'static str,
    pub certificate: &'static str,
    pub all: &'static str,
    pub clear_filters: &'static str,
    pub map_heading: &'static str,
    pub map_hint: &'static str,
    pub show_more: &'static str,
    pub loading: &'static str,
    pub stale: &'static str,
    pub retry: &'static str,
    pub no_places: &'static str,
    pub no_coupons: &'static str,
    pub back: &'static str,
    pub address: &'static str,
    pub accepts: &'static str,
    pub mynaportal: &'static str,
    pub mynaportal_required: &'static str,
    pub mynaportal_not_required: &'static str,
    pub support: &'static str,
    pub no_support_listed: &'static str,
    pub website: &'static str,
    pub new_tab: &'static str,
    pub business: &'static str,
    pub conditions: &'static str,
    pub terms: &'static str,
    pub choose_coupon: &'static str,
    pub details: &'static str,
}

const JA: Text = Text {
    places_heading: "ミライロIDが使える場所",
    coupons_heading: "ミライロIDクーポン",
    search: "キーワードで探す",
    search_hint: "施設名・よみがな・市区町村・住所",
    prefecture: "都道府県",
    category: "カテゴリー",
    certificate: "使える障害者手帳",
    all: "すべて",
    clear_filters: "条件をクリア",
    map_heading: "地図から都道府県を選ぶ",
    map_hint:
        "矢印キーで都道府県を移動、Enterで選択します。選択中の都道府県をもう一度押すと解除します。",
    show_more: "もっと見る",
    loading: "読み込み中…",
    stale: "前回取得したデータを表示しています",
    retry: "再読み込み",
    no_places: "条件に合う場所はありません。条件を変えてお試しください。",
    no_coupons: "条件に合うクーポンはありません。",
    back: "一覧に戻る",
    address: "住所",
    accepts: "使える障害者手帳",
    mynaportal: "マイナポータル連携",
    mynaportal_required: "必要",
    mynaportal_not_required: "不要",
    support: "サポート",
    no_support_listed: "登録されていません",
    website: "公式サイト",
    new_tab: "（新しいタブで開きます）",
    business: "事業者",
    conditions: "利用条件",
    terms: "ミライロID登録者限定・譲渡不可",
    choose_coupon: "このクーポンを選ぶ",
    details: "詳しく見る",
};

const EN: Text = Text {
    places_heading: "Places that accept Mirairo ID",
    coupons_heading: "Mirairo ID coupons",
    search: "Search",
    search_hint: "Name, reading, city or address",
    prefecture: "Prefecture",
    category: "Category",
    certificate: "Accepted certificate",
    all: "All",
    clear_filters: "Clear filters",
    map_heading: "Choose a prefecture on the map",
    map_hint: "Use the arrow keys to move between prefectures and Enter to select. Press the selected prefecture again to clear it.",
    show_more: "Show more",
    loading: "Loading…",
    stale: "Showing data saved earlier",
    retry: "Try again",
    no_places: "No places match. Try changing the search or filters.",
    no_coupons: "No coupons match.",
    back: "Back to the list",
    address: "Address",
    accepts: "Accepted certificates",
    mynaportal: "Mynaportal linkage",
    mynaportal_required: "Required",
    mynaportal_not_required: "Not required",
    support: "Support",
    no_support_listed: "None listed",
    website: "Website",
    new_tab: " (opens in a new tab)",
    business: "Business",
    conditions: "Conditions",
    terms: "For Mirairo ID holders only. Not transferable.",
    choose_coupon: "Choose this coupon",
    details: "Details",
};

/// The fixed strings for `lang`.
pub fn text(lang: Lang) -> &'static Text {
    match lang {
        Lang::Ja => &JA,
        Lang::En => &EN,
    }
}

/// "123件" / "123 places" — the visible and announced result count.
pub fn places_count(lang: Lang, n: usize) -> String {
    match (lang, n) {
        (Lang::Ja, _) => [&n.to_string(), "件の場所"].concat(),
        (Lang::En, 1) => "1 place".to_owned(),
        (Lang::En, _) => [&n.to_string(), " places"].concat(),
    }
}

/// "12件のクーポン" / "12 coupons".
pub fn coupons_count(lang: Lang, n: usize) -> String {
    match (lang, n) {
        (Lang::Ja, _) => [&n.to_string(), "件のクーポン"].concat(),
        (Lang::En, 1) => "1 coupon".to_owned(),
        (Lang::En, _) => [&n.to_string(), " coupons"].concat(),
    }
}

/// A map tile's accessible name: "東京都 123件" / "Tokyo 123".
pub fn tile_name(lang: Lang, prefecture: &str, n: usize) -> String {
    match lang {
        Lang::Ja => [prefecture, " ", &n.to_string(), "件"].concat(),
        Lang::En => [prefecture, " ", &n.to_string()].concat(),
    }
}

/// "もっと見る（残り120件）" / "Show more (120 left)".
pub fn show_more(lang: Lang, left: usize) -> String {
    match lang {
        Lang::Ja => [JA.show_more, "（残り", &left.to_string(), "件）"].concat(),
        Lang::En => [EN.show_more, " (", &left.to_string(), " left)"].concat(),
    }
}

/// Validity line of a coupon.
pub fn valid_until(lang: Lang, date: &str) -> String {
    match lang {
        Lang::Ja => ["有効期限：", date, "まで"].concat(),
        Lang::En => ["Valid until ", date].concat(),
    }
}

/// Marks a coupon that is not valid yet: "12月1日から" (the year is on the validity
/// line below it) / "From 1 Dec 2026".
pub fn valid_from(lang: Lang, from: Date) -> String {
    match lang {
        Lang::Ja => [
            &*from.month.to_string(),
            "月",
            &from.day.to_string(),
            "日から",
        ]
        .concat(),
        Lang::En => ["From ", &format_date(from, Lang::En, Calendar::Gregorian)].concat(),
    }
}

/// What went wrong, said plainly, per `mirairo-error` code.
pub fn error_message(lang: Lang, code: &str) -> &'static str {
    match (lang, code) {
        (Lang::Ja, "network") => "ネットワークに接続できないため、情報を読み込めませんでした。接続を確認して、もう一度お試しください。",
        (Lang::En, "network") => "Could not load the information because the network is unreachable. Check your connection and try again.",
        (Lang::Ja, "timeout") => "サーバーの応答がないため、情報を読み込めませんでした。しばらくしてから、もう一度お試しください。",
        (Lang::En, "timeout") => "The server did not answer in time, so the information could not be loaded. Please try again shortly.",
        (Lang::Ja, "bad_response") => "サーバーから読み取れないデータが届いたため、情報を表示できませんでした。もう一度お試しください。",
        (Lang::En, "bad_response") => "The server sent data that could not be read, so nothing can be shown. Please try again.",
        (Lang::Ja, "invalid_config") => "このページの設定（api属性）に誤りがあるため、情報を読み込めません。サイトの管理者にお知らせください。",
        (Lang::En, "invalid_config") => "This page's widget settings (the api attribute) are wrong, so nothing can be loaded. Please tell the site's owner.",
        (Lang::Ja, _) => "サーバーで問題が起きたため、情報を読み込めませんでした。しばらくしてから、もう一度お試しください。",
        (Lang::En, _) => "The server had a problem, so the information could not be loaded. Please try again shortly.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lang_of_a_tag_defaults_to_japanese() {
        let table = [
            ("en", Lang::En),
            ("en-GB", Lang::En),
            ("EN", Lang::En),
            ("ja", Lang::Ja),
            ("ja-JP", Lang::Ja),
            ("", Lang::Ja),
            ("fr", Lang::Ja),
        ];
        for (tag, lang) in table {
            assert_eq!(lang_of_tag(tag), lang, "{tag:?}");
        }
    }

    #[test]
    fn calendar_attribute() {
        let table = [
            (Some("japanese"), Calendar::Japanese),
            (Some(" Japanese "), Calendar::Japanese),
            (Some("gregorian"), Calendar::Gregorian),
            (Some("gregory"), Calendar::Gregorian),
            (Some(""), Calendar::Gregorian),
            (None, Calendar::Gregorian),
        ];
        for (value, calendar) in table {
            assert_eq!(calendar_of_attr(value), calendar, "{value:?}");
        }
    }

    #[test]
    fn dates_in_each_language_and_calendar() {
        let d = |s| Date::parse(s).expect("valid date");
        let table = [
            (
                "2026-11-27",
                Lang::Ja,
                Calendar::Gregorian,
                "2026年11月27日",
            ),
            (
                "2026-11-27",
                Lang::Ja,
                Calendar::Japanese,
                "令和8年11月27日",
            ),
            ("2019-05-01", Lang::Ja, Calendar::Japanese, "令和元年5月1日"),
            ("2026-11-27", Lang::En, Calendar::Gregorian, "27 Nov 2026"),
            // the Japanese calendar applies only to Japanese text
            ("2026-11-27", Lang::En, Calendar::Japanese, "27 Nov 2026"),
        ];
        for (input, lang, calendar, expected) in table {
            assert_eq!(date(lang, calendar, d(input)), expected, "{input} {lang:?}");
        }
        assert_eq!(valid_from(Lang::Ja, d("2026-12-01")), "12月1日から");
        assert_eq!(valid_from(Lang::En, d("2026-12-01")), "From 1 Dec 2026");
    }

    #[test]
    fn every_known_value_has_a_label_in_both_languages() {
        for lang in [Lang::Ja, Lang::En] {
            for c in CATEGORIES {
                assert_ne!(category(lang, c), c, "{c} {lang:?}");
            }
            for c in CERTIFICATES {
                assert_ne!(certificate(lang, c), c, "{c} {lang:?}");
            }
        }
        assert_eq!(category(Lang::Ja, "spaceport"), "spaceport");
    }

    #[test]
    fn counts_and_names() {
        assert_eq!(places_count(Lang::Ja, 3), "3件の場所");
        assert_eq!(places_count(Lang::En, 1), "1 place");
        assert_eq!(places_count(Lang::En, 0), "0 places");
        assert_eq!(tile_name(Lang::Ja, "東京都", 123), "東京都 123件");
        assert_eq!(tile_name(Lang::En, "Tokyo", 123), "Tokyo 123");
        assert_eq!(show_more(Lang::Ja, 120), "もっと見る（残り120件）");
    }

    #[test]
    fn japanese_text_says_shougaisha_in_kanji() {
        let all = [
            JA.certificate,
            JA.accepts,
            &certificate(Lang::Ja, "physical"),
        ]
        .concat();
        assert!(!all.contains("障がい"));
        assert!(all.contains("障害者"));
    }
}
