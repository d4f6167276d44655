//! Deterministic seed data: test users and their certificates, businesses, places and
//! coupons. Generated in code from a fixed PRNG seed, so every reset gives the same data
//! (coupon and child dates are relative to the day of the reset, in Japan time).

mod geo;

use rusqlite::{params, Transaction};

use crate::util::{format_day, parse_day, today_jst};

pub(crate) use geo::{prefectures, Prefecture};

/// Number of seeded places.
pub const PLACE_COUNT: usize = 3512;
/// Number of seeded businesses.
pub const BUSINESS_COUNT: usize = 450;
/// Number of seeded coupons.
pub const COUPON_COUNT: usize = 36;
/// Number of entries in the status list.
pub const STATUS_LIST_SIZE: usize = 4096;

/// The place categories of PROTOCOL.md §5 with their share of places and of businesses.
pub const CATEGORIES: &[(&str, u32, usize)] = &[
    ("railway", 12, 40),
    ("bus", 8, 40),
    ("taxi", 5, 35),
    ("airline", 1, 8),
    ("ferry", 2, 15),
    ("leisure", 9, 40),
    ("museum", 9, 40),
    ("cinema", 5, 25),
    ("sports", 5, 25),
    ("hotel", 10, 45),
    ("retail", 13, 50),
    ("dining", 13, 50),
    ("public", 6, 25),
    ("other", 2, 12),
];

/// The accessibility support values a place may list.
pub const SUPPORT: &[&str] = &[
    "wheelchair",
    "step_free",
    "writing_board",
    "braille",
    "sign_language",
    "assistance_dog",
    "accessible_toilet",
    "audio_guide",
];

/// SplitMix64: small, fast and fully deterministic.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        let n = n.max(1) as u64;
        usize::try_from(self.next_u64() % n).unwrap_or(0)
    }
    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// An element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }
}

/// A seeded test user's certificate.
#[derive(Debug, Clone)]
pub struct SeedCertificate {
    /// `physical` | `mental` | `intellectual`.
    pub certificate_type: &'static str,
    /// The grade as printed.
    pub grade: &'static str,
    /// 1, 2 or none.
    pub fare_class: Option<i64>,
    /// 介護 mark.
    pub caregiver: bool,
    /// JIS code of the issuing prefecture.
    pub issuer_prefecture: &'static str,
    /// 手帳番号.
    pub certificate_number: &'static str,
    /// 交付日.
    pub issued_on: String,
    /// 更新日.
    pub renewed_on: Option<String>,
    /// 有効期限.
    pub valid_until: Option<String>,
    /// マイナポータル連携.
    pub mynaportal: &'static str,
    /// Status list index; status seeded non-zero for the revoked/suspended examples.
    pub status_idx: i64,
    /// The seeded status (0 valid, 1 revoked, 2 suspended).
    pub status: i64,
}

/// A seeded test user.
#[derive(Debug, Clone)]
pub struct SeedUser {
    /// Login id used by `/_sandbox/authorize` and the sign-in page.
    pub id: &'static str,
    /// 氏.
    pub family_name: &'static str,
    /// 名.
    pub given_name: &'static str,
    /// フリガナ (氏).
    pub family_name_kana: &'static str,
    /// フリガナ (名).
    pub given_name_kana: &'static str,
    /// 生年月日.
    pub birthdate: String,
    /// What this user is for (Japanese).
    pub note_ja: &'static str,
    /// What this user is for (English).
    pub note_en: &'static str,
    /// The certificates, index = position.
    pub certificates: Vec<SeedCertificate>,
}

#[allow(clippy::too_many_arguments)]
fn cert(
    certificate_type: &'static str,
    grade: &'static str,
    fare_class: Option<i64>,
    caregiver: bool,
    issuer_prefecture: &'static str,
    certificate_number: &'static str,
    issued_on: &str,
    renewed_on: Option<&str>,
    valid_until: Option<&str>,
    mynaportal: &'static str,
) -> SeedCertificate {
    SeedCertificate {
        certificate_type,
        grade,
        fare_class,
        caregiver,
        issuer_prefecture,
        certificate_number,
        issued_on: issued_on.to_owned(),
        renewed_on: renewed_on.map(str::to_owned),
        valid_until: valid_until.map(str::to_owned),
        mynaportal,
        status_idx: 0,
        status: 0,
    }
}

/// The seeded users. `today` (a day number in Japan) places the child's birthdate
/// eight years back, so the under-12 rules always apply to that user.
pub fn users(today: i64) -> Vec<SeedUser> {
    let child_birth = today - 8 * 365 - 2;
    let child_issued = format_day(child_birth + 3 * 365);
    let mut users = vec![
        SeedUser {
            id: "hanako",
            family_name: "ミライロ",
            given_name: "ハナコ",
            family_name_kana: "ミライロ",
            given_name_kana: "ハナコ",
            birthdate: "1989-08-02".to_owned(),
            note_ja: "手帳3冊（身体 2級 第1種 介護あり・精神 2級 第2種・療育 4度 第2種）。マイナポータル連携は連携済・未連携・申請中",
            note_en: "Three certificates (physical grade 2 class 1 with caregiver, mental grade 2 class 2, intellectual 4度 class 2); Mynaportal linked, unlinked and pending",
            certificates: vec![
                cert("physical", "2", Some(1), true, "27", "1000001", "1994-03-01", Some("2018-05-15"), None, "linked"),
                cert("mental", "2", Some(2), false, "27", "1000001", "2014-02-01", Some("2024-01-15"), Some("2028-01-31"), "unlinked"),
                cert("intellectual", "4度", Some(2), false, "27", "1000001", "1994-03-01", Some("2018-05-15"), Some("2030-03-31"), "pending"),
            ],
        },
        SeedUser {
            id: "taro",
            family_name: "山田",
            given_name: "太郎",
            family_name_kana: "ヤマダ",
            given_name_kana: "タロウ",
            birthdate: "1958-04-10".to_owned(),
            note_ja: "有効期限切れの手帳（身体 1級 第1種、2024年3月31日まで）",
            note_en: "An expired certificate (physical grade 1 class 1, valid until 2024-03-31)",
            certificates: vec![cert("physical", "1", Some(1), true, "13", "2003451", "2010-06-01", None, Some("2024-03-31"), "unlinked")],
        },
        SeedUser {
            id: "misaki",
            family_name: "佐藤",
            given_name: "美咲",
            family_name_kana: "サトウ",
            given_name_kana: "ミサキ",
            birthdate: "1995-11-23".to_owned(),
            note_ja: "旅客運賃減額の記載がない手帳（精神 3級、区分なし）",
            note_en: "No fare discount class printed (mental grade 3, fare class null)",
            certificates: vec![cert("mental", "3", None, false, "14", "3100872", "2023-10-01", None, Some("2027-09-30"), "linked")],
        },
        SeedUser {
            id: "kenta",
            family_name: "鈴木",
            given_name: "健太",
            family_name_kana: "スズキ",
            given_name_kana: "ケンタ",
            birthdate: "1972-02-14".to_owned(),
            note_ja: "ステータスリストで失効（手帳0: 身体 4級）と一時停止（手帳1: 療育 B）",
            note_en: "Revoked in the status list (certificate 0: physical grade 4) and suspended (certificate 1: intellectual B)",
            certificates: vec![
                cert("physical", "4", Some(2), false, "23", "4005518", "2001-09-20", Some("2019-04-01"), None, "linked"),
                cert("intellectual", "B", Some(2), false, "23", "4005519", "2005-07-07", None, Some("2029-07-31"), "unlinked"),
            ],
        },
        SeedUser {
            id: "haruto",
            family_name: "高橋",
            given_name: "陽翔",
            family_name_kana: "タカハシ",
            given_name_kana: "ハルト",
            birthdate: format_day(child_birth),
            note_ja: "12歳未満の子ども（身体 3級 第2種）。小児運賃・通学定期の規則の確認用",
            note_en: "A child under 12 (physical grade 3 class 2), for the child fare and commuter pass rules",
            certificates: vec![SeedCertificate {
                issued_on: child_issued,
                ..cert("physical", "3", Some(2), false, "40", "5002231", "2020-01-01", None, None, "unlinked")
            }],
        },
        SeedUser {
            id: "yui",
            family_name: "伊藤",
            given_name: "結衣",
            family_name_kana: "イトウ",
            given_name_kana: "ユイ",
            birthdate: "1984-05-05".to_owned(),
            note_ja: "療育手帳 A 第1種 介護あり（北海道）。マイナポータル連携済",
            note_en: "Intellectual A class 1 with caregiver (Hokkaido); Mynaportal linked",
            certificates: vec![cert("intellectual", "A", Some(1), true, "01", "6000123", "1990-10-10", Some("2022-10-01"), Some("2032-09-30"), "linked")],
        },
    ];
    for (u, user) in users.iter_mut().enumerate() {
        for (c, cert) in user.certificates.iter_mut().enumerate() {
            cert.status_idx = 412 + (u as i64) * 4 + c as i64;
        }
    }
    if let Some(kenta) = users.iter_mut().find(|u| u.id == "kenta") {
        if let Some(c) = kenta.certificates.get_mut(0) {
            c.status = 1;
        }
        if let Some(c) = kenta.certificates.get_mut(1) {
            c.status = 2;
        }
    }
    users
}

const WORDS: &[(&str, &str, &str)] = &[
    ("あおば", "アオバ", "Aoba"),
    ("さくら", "サクラ", "Sakura"),
    ("ひかり", "ヒカリ", "Hikari"),
    ("みどり", "ミドリ", "Midori"),
    ("つばさ", "ツバサ", "Tsubasa"),
    ("はやて", "ハヤテ", "Hayate"),
    ("こだま", "コダマ", "Kodama"),
    ("やまびこ", "ヤマビコ", "Yamabiko"),
    ("あさひ", "アサヒ", "Asahi"),
    ("ほたる", "ホタル", "Hotaru"),
    ("かえで", "カエデ", "Kaede"),
    ("すみれ", "スミレ", "Sumire"),
    ("わかば", "ワカバ", "Wakaba"),
    ("なぎさ", "ナギサ", "Nagisa"),
    ("そよかぜ", "ソヨカゼ", "Soyokaze"),
    ("しおかぜ", "シオカゼ", "Shiokaze"),
    ("みなと", "ミナト", "Minato"),
    ("ゆうひ", "ユウヒ", "Yuhi"),
    ("あけぼの", "アケボノ", "Akebono"),
    ("こはる", "コハル", "Koharu"),
    ("いずみ", "イズミ", "Izumi"),
    ("たいよう", "タイヨウ", "Taiyo"),
    ("ほしぞら", "ホシゾラ", "Hoshizora"),
    ("つくし", "ツクシ", "Tsukushi"),
    ("ひまわり", "ヒマワリ", "Himawari"),
    ("もみじ", "モミジ", "Momiji"),
    ("あおぞら", "アオゾラ", "Aozora"),
    ("せせらぎ", "セセラギ", "Seseragi"),
    ("かがやき", "カガヤキ", "Kagayaki"),
    ("のぞみ", "ノゾミ", "Nozomi"),
    ("ゆめ", "ユメ", "Yume"),
    ("はるか", "ハルカ", "Haruka"),
    ("まほろば", "マホロバ", "Mahoroba"),
    ("いろは", "イロハ", "Iroha"),
];

const REGIONS: &[(&str, &str, &str)] = &[
    ("北日本", "キタニホン", "North Japan"),
    ("東日本", "ヒガシニホン", "East Japan"),
    ("中日本", "ナカニホン", "Central Japan"),
    ("西日本", "ニシニホン", "West Japan"),
    ("南日本", "ミナミニホン", "South Japan"),
];

/// (business suffix, its kana, English) and (place kind, kana, English) per category.
fn category_words(
    category: &str,
) -> (
    (&'static str, &'static str, &'static str),
    (&'static str, &'static str, &'static str),
) {
    match category {
        "railway" => (("鉄道", "テツドウ", "Railway"), ("駅", "エキ", "Station")),
        "bus" => (
            ("バス", "バス", "Bus"),
            ("バスターミナル", "バスターミナル", "Bus Terminal"),
        ),
        "taxi" => (
            ("タクシー", "タクシー", "Taxi"),
            ("営業所", "エイギョウショ", "Office"),
        ),
        "airline" => (
            ("航空", "コウクウ", "Airlines"),
            ("空港カウンター", "クウコウカウンター", "Airport Counter"),
        ),
        "ferry" => (
            ("フェリー", "フェリー", "Ferry"),
            ("フェリーターミナル", "フェリーターミナル", "Ferry Terminal"),
        ),
        "leisure" => (
            ("レジャー", "レジャー", "Leisure"),
            ("パーク", "パーク", "Park"),
        ),
        "museum" => (
            ("文化財団", "ブンカザイダン", "Culture Foundation"),
            ("美術館", "ビジュツカン", "Art Museum"),
        ),
        "cinema" => (
            ("シネマズ", "シネマズ", "Cinemas"),
            ("シネマ", "シネマ", "Cinema"),
        ),
        "sports" => (
            ("スポーツ", "スポーツ", "Sports"),
            ("アリーナ", "アリーナ", "Arena"),
        ),
        "hotel" => (
            ("ホテルズ", "ホテルズ", "Hotels"),
            ("ホテル", "ホテル", "Hotel"),
        ),
        "retail" => (
            ("百貨店", "ヒャッカテン", "Department Store"),
            ("店", "テン", "Store"),
        ),
        "dining" => (
            ("食堂", "ショクドウ", "Kitchen"),
            ("店", "テン", "Restaurant"),
        ),
        "public" => (
            ("公社", "コウシャ", "Public Corporation"),
            ("市民センター", "シミンセンター", "Civic Center"),
        ),
        _ => (
            ("サービス", "サービス", "Services"),
            ("サービスセンター", "サービスセンター", "Service Center"),
        ),
    }
}

struct Business {
    id: i64,
    name_ja: String,
    kana: String,
    name_en: String,
    category: &'static str,
    prefecture: String,
}

fn weighted_pref(rng: &mut Rng, prefs: &[Prefecture]) -> usize {
    let total: u32 = prefs.iter().map(|p| p.weight).sum();
    let mut r = u32::try_from(rng.below(total as usize)).unwrap_or(0);
    for (i, p) in prefs.iter().enumerate() {
        if r < p.weight {
            return i;
        }
        r -= p.weight;
    }
    0
}

/// Writes every seed table. The caller has emptied them.
///
/// # Errors
/// SQLite errors.
pub fn seed(tx: &Transaction<'_>, now: i64) -> rusqlite::Result<()> {
    let today = today_jst(now);
    seed_users(tx, today)?;
    let prefs = prefectures();
    let mut rng = Rng::new(0x4d49_5241_4952_4f49); // "MIRAIROI"
    let businesses = seed_businesses(tx, &mut rng, &prefs)?;
    seed_places(tx, &mut rng, &prefs, &businesses)?;
    seed_coupons(tx, &mut rng, &businesses, today)?;
    Ok(())
}

fn seed_users(tx: &Transaction<'_>, today: i64) -> rusqlite::Result<()> {
    for (ord, u) in users(today).iter().enumerate() {
        tx.execute(
            "INSERT INTO users (id, ord, family_name, given_name, family_name_kana, given_name_kana, birthdate, note_ja, note_en) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)",
            params![u.id, ord as i64, u.family_name, u.given_name, u.family_name_kana, u.given_name_kana, u.birthdate, u.note_ja, u.note_en],
        )?;
        for (idx, c) in u.certificates.iter().enumerate() {
            tx.execute(
                "INSERT INTO certificates (user_id, idx, certificate_type, grade, fare_class, caregiver, issuer_prefecture, certificate_number, issued_on, renewed_on, valid_until, mynaportal, status_idx) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)",
                params![u.id, idx as i64, c.certificate_type, c.grade, c.fare_class, c.caregiver, c.issuer_prefecture, c.certificate_number, c.issued_on, c.renewed_on, c.valid_until, c.mynaportal, c.status_idx],
            )?;
            if c.status != 0 {
                tx.execute(
                    "INSERT OR REPLACE INTO status (idx, status) VALUES (?1, ?2)",
                    params![c.status_idx, c.status],
                )?;
            }
        }
    }
    Ok(())
}

fn seed_businesses(
    tx: &Transaction<'_>,
    rng: &mut Rng,
    prefs: &[Prefecture],
) -> rusqlite::Result<Vec<Business>> {
    let mut out = Vec::with_capacity(BUSINESS_COUNT);
    for (c, (category, _, count)) in CATEGORIES.iter().enumerate() {
        let ((suf, suf_kana, suf_en), _) = category_words(category);
        for k in 0..*count {
            let (w, wk, we) = WORDS
                .get((k * 7 + c * 3) % WORDS.len())
                .copied()
                .unwrap_or(("みらい", "ミライ", "Mirai"));
            let (name_ja, kana, name_en) = if k < WORDS.len() {
                (
                    format!("{w}{suf}"),
                    format!("{wk}{suf_kana}"),
                    format!("{we} {suf_en}"),
                )
            } else {
                let (r, rk, re) = REGIONS.get(k % REGIONS.len()).copied().unwrap_or((
                    "中日本",
                    "ナカニホン",
                    "Central Japan",
                ));
                (
                    format!("{r}{w}{suf}"),
                    format!("{rk}{wk}{suf_kana}"),
                    format!("{we} {suf_en} {re}"),
                )
            };
            let id = out.len() as i64 + 1;
            let pref = prefs
                .get(weighted_pref(rng, prefs))
                .map(|p| p.code.clone())
                .unwrap_or_else(|| "13".to_owned());
            let url = format!("https://www.example.com/businesses/bz_{id:04}");
            tx.execute(
                "INSERT INTO businesses (id, name_ja, name_en, kana, category, prefecture, url) VALUES (?1,?2,?3,?4,?5,?6,?7)",
                params![id, name_ja, name_en, kana, category, pref, url],
            )?;
            out.push(Business {
                id,
                name_ja,
                kana,
                name_en,
                category,
                prefecture: pref,
            });
        }
    }
    Ok(out)
}

/// How many places each prefecture gets: 20 each, the rest by weight, exactly
/// [`PLACE_COUNT`] in all.
fn allocation(prefs: &[Prefecture]) -> Vec<usize> {
    let base = 20usize;
    let rest = PLACE_COUNT.saturating_sub(base * prefs.len());
    let total: usize = prefs
        .iter()
        .map(|p| p.weight as usize)
        .sum::<usize>()
        .max(1);
    let mut counts: Vec<usize> = prefs
        .iter()
        .map(|p| base + rest * p.weight as usize / total)
        .collect();
    let mut i = 0;
    while counts.iter().sum::<usize>() < PLACE_COUNT {
        if let Some(c) = counts.get_mut(i % prefs.len()) {
            *c += 1;
        }
        i += 1;
    }
    counts
}

fn seed_places(
    tx: &Transaction<'_>,
    rng: &mut Rng,
    prefs: &[Prefecture],
    businesses: &[Business],
) -> rusqlite::Result<()> {
    let total_weight: u32 = CATEGORIES.iter().map(|c| c.1).sum();
    let mut stmt = tx.prepare(
        "INSERT INTO places (id, name_ja, name_en, kana, category, prefecture, city_ja, city_en, city_kana, address_ja, address_en, lat, lng, business_id, accepts, requires_mynaportal, support, url) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18)",
    )?;
    let mut id: i64 = 0;
    for (pref, count) in prefs.iter().zip(allocation(prefs)) {
        for n in 0..count {
            id += 1;
            // The first 14 places of each prefecture cover every category once.
            let category = if n < CATEGORIES.len() {
                CATEGORIES.get(n).map(|c| c.0).unwrap_or("other")
            } else {
                let mut r = u32::try_from(rng.below(total_weight as usize)).unwrap_or(0);
                let mut chosen = "other";
                for (c, w, _) in CATEGORIES {
                    if r < *w {
                        chosen = c;
                        break;
                    }
                    r -= w;
                }
                chosen
            };
            let candidates: Vec<&Business> = businesses
                .iter()
                .filter(|b| b.category == category)
                .collect();
            let Some(biz) = rng.pick(&candidates).copied() else {
                continue;
            };
            let Some(city) = rng.pick(&pref.cities) else {
                continue;
            };
            let (d, dk, de) =
                rng.pick(geo::DISTRICTS)
                    .copied()
                    .unwrap_or(("中央", "チュウオウ", "Chuo"));
            let (_, (kind, kind_kana, kind_en)) = category_words(category);
            let biz_kana = &biz.kana;
            let (name_ja, kana, name_en) = match category {
                "railway" => (
                    format!("{}{d}{kind}", city.stem),
                    format!("{}{dk}{kind_kana}", city.kana),
                    format!("{} {de} {kind_en}", city.en),
                ),
                "airline" => (
                    format!("{} {}{kind}", biz.name_ja, city.stem),
                    format!("{biz_kana} {}{kind_kana}", city.kana),
                    format!("{} {} {kind_en}", biz.name_en, city.en),
                ),
                _ => (
                    format!("{} {}{d}{kind}", biz.name_ja, city.stem),
                    format!("{biz_kana} {}{dk}{kind_kana}", city.kana),
                    format!("{} {} {de} {kind_en}", biz.name_en, city.en),
                ),
            };
            let chome = 1 + rng.below(5);
            let ban = 1 + rng.below(30);
            let go = 1 + rng.below(20);
            let address_ja = format!("{}{}{d}{chome}丁目{ban}-{go}", pref.name, city.name_ja());
            let address_en = format!(
                "{ban}-{go} {de} {chome}-chome, {}, {}",
                city.name_en(),
                pref.en
            );
            let lat = city.lat + (rng.unit() - 0.5) * 0.04;
            let lng = city.lng + (rng.unit() - 0.5) * 0.04;
            let r = rng.unit();
            let accepts: &[&str] = if r < 0.75 {
                &["physical", "mental", "intellectual"]
            } else if r < 0.85 {
                &["physical", "mental"]
            } else if r < 0.93 {
                &["physical", "intellectual"]
            } else {
                &["physical"]
            };
            let requires_mynaportal = rng.below(100) < 8;
            let support: Vec<&str> = SUPPORT
                .iter()
                .enumerate()
                .filter(|(i, _)| rng.below(100) < [70, 60, 45, 25, 15, 50, 55, 20][*i % 8])
                .map(|(_, s)| *s)
                .collect();
            stmt.execute(params![
                id,
                name_ja,
                name_en,
                kana,
                category,
                pref.code,
                city.name_ja(),
                city.name_en(),
                city.name_kana(),
                address_ja,
                address_en,
                (lat * 1e6).round() / 1e6,
                (lng * 1e6).round() / 1e6,
                biz.id,
                serde_json::to_string(accepts).unwrap_or_else(|_| "[]".to_owned()),
                requires_mynaportal,
                serde_json::to_string(&support).unwrap_or_else(|_| "[]".to_owned()),
                format!("https://www.example.com/places/pl_{id:05}"),
            ])?;
        }
    }
    Ok(())
}

type CouponText = (&'static str, &'static str, &'static str, &'static str);

/// (title ja, title en, discount ja, discount en) for a category.
fn coupon_text(category: &str) -> CouponText {
    match category {
        "leisure" => ("入園料 半額", "Half-price admission", "50%オフ", "50% off"),
        "museum" => (
            "常設展 観覧料無料",
            "Free entry to the permanent collection",
            "無料",
            "Free",
        ),
        "cinema" => ("映画鑑賞 1,000円", "Movies for ¥1,000", "1,000円", "¥1,000"),
        "sports" => (
            "観戦チケット 30%オフ",
            "30% off match tickets",
            "30%オフ",
            "30% off",
        ),
        "hotel" => (
            "バリアフリールーム 20%オフ",
            "20% off accessible rooms",
            "20%オフ",
            "20% off",
        ),
        "dining" => (
            "お食事代 10%オフ",
            "10% off your meal",
            "10%オフ",
            "10% off",
        ),
        "retail" => (
            "お買い物 5%オフ",
            "5% off your purchase",
            "5%オフ",
            "5% off",
        ),
        "bus" => (
            "1日乗車券 半額",
            "Half-price one-day pass",
            "50%オフ",
            "50% off",
        ),
        "ferry" => (
            "乗船券 半額",
            "Half-price ferry tickets",
            "50%オフ",
            "50% off",
        ),
        _ => (
            "観光列車 乗車記念品プレゼント",
            "A souvenir on the sightseeing train",
            "記念品",
            "Gift",
        ),
    }
}

fn seed_coupons(
    tx: &Transaction<'_>,
    rng: &mut Rng,
    businesses: &[Business],
    today: i64,
) -> rusqlite::Result<()> {
    let cats = [
        "leisure", "museum", "cinema", "sports", "hotel", "dining", "retail", "bus", "ferry",
        "railway",
    ];
    for i in 0..COUPON_COUNT {
        let category = cats.get(i % cats.len()).copied().unwrap_or("leisure");
        let candidates: Vec<&Business> = businesses
            .iter()
            .filter(|b| b.category == category)
            .collect();
        let Some(biz) = rng.pick(&candidates).copied() else {
            continue;
        };
        let (title_ja, title_en, discount_ja, discount_en) = coupon_text(category);
        let offset = i as i64;
        let (from, until) = match i % 6 {
            0 => (today - 120 - offset, today - 10 - offset),
            1 => (today + 14 + offset, today + 180 + offset),
            _ => (today - 60 + offset, today + 200 + 5 * offset),
        };
        let prefecture = if i % 5 == 4 {
            None
        } else {
            Some(biz.prefecture.clone())
        };
        let description_ja = format!(
            "{}でミライロIDの手帳画面を提示すると「{title_ja}」。障害者手帳をお持ちのご本人と介護者1名が対象です。",
            biz.name_ja
        );
        let description_en = format!(
            "Show your Mirairo ID certificate screen at {} for: {title_en}. For the holder and one companion.",
            biz.name_en
        );
        let id = i as i64 + 1;
        tx.execute(
            "INSERT INTO coupons (id, business_id, title_ja, title_en, description_ja, description_en, discount_ja, discount_en, conditions_ja, conditions_en, valid_from, valid_until, category, prefecture, url) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)",
            params![
                id, biz.id, title_ja, title_en, description_ja, description_en, discount_ja, discount_en,
                "ミライロIDの登録者のみ。譲渡不可。他の割引との併用はできません。",
                "For Mirairo ID holders only. Not transferable. Cannot be combined with other discounts.",
                format_day(from), format_day(until), category, prefecture,
                format!("https://www.example.com/coupons/cp_{id:03}"),
            ],
        )?;
    }
    Ok(())
}

/// A certificate's validity on a day, for page labels.
pub fn is_expired(valid_until: Option<&str>, today: i64) -> bool {
    valid_until.and_then(parse_day).is_some_and(|d| d < today)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocation_is_exact_and_covers_every_prefecture() {
        let prefs = prefectures();
        let a = allocation(&prefs);
        assert_eq!(a.iter().sum::<usize>(), PLACE_COUNT);
        assert!(a.iter().all(|&n| n >= 20));
    }

    #[test]
    fn business_count_matches() {
        assert_eq!(
            CATEGORIES.iter().map(|c| c.2).sum::<usize>(),
            BUSINESS_COUNT
        );
    }

    #[test]
    fn rng_is_deterministic() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    #[test]
    fn child_is_under_12() {
        let today = parse_day("2026-11-27").unwrap();
        let u = users(today);
        let child = u.iter().find(|u| u.id == "haruto").unwrap();
        let birth = parse_day(&child.birthdate).unwrap();
        assert!(today - birth < 12 * 365);
        assert!(today - birth > 6 * 365);
    }
}
