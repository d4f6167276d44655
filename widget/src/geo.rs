//! The 47 prefectures: JIS codes, names, regions and their tiles on the map.

/// The eight conventional regions, in the order the filter lists them
/// (seven groups: 九州 and 沖縄 share one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Region {
    /// 北海道・東北
    HokkaidoTohoku,
    /// 関東
    Kanto,
    /// 中部
    Chubu,
    /// 近畿
    Kinki,
    /// 中国
    Chugoku,
    /// 四国
    Shikoku,
    /// 九州・沖縄
    KyushuOkinawa,
}

impl Region {
    /// Every region, north to south.
    pub const ALL: [Region; 7] = [
        Region::HokkaidoTohoku,
        Region::Kanto,
        Region::Chubu,
        Region::Kinki,
        Region::Chugoku,
        Region::Shikoku,
        Region::KyushuOkinawa,
    ];

    /// The region's name in Japanese and English.
    pub fn name(self, ja: bool) -> &'static str {
        match (self, ja) {
            (Region::HokkaidoTohoku, true) => "北海道・東北",
            (Region::HokkaidoTohoku, false) => "Hokkaido and Tohoku",
            (Region::Kanto, true) => "関東",
            (Region::Kanto, false) => "Kanto",
            (Region::Chubu, true) => "中部",
            (Region::Chubu, false) => "Chubu",
            (Region::Kinki, true) => "近畿",
            (Region::Kinki, false) => "Kinki",
            (Region::Chugoku, true) => "中国",
            (Region::Chugoku, false) => "Chugoku",
            (Region::Shikoku, true) => "四国",
            (Region::Shikoku, false) => "Shikoku",
            (Region::KyushuOkinawa, true) => "九州・沖縄",
            (Region::KyushuOkinawa, false) => "Kyushu and Okinawa",
        }
    }
}

/// One prefecture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prefecture {
    /// JIS X 0401 code as on the wire: "01" to "47".
    pub code: &'static str,
    /// Japanese name, e.g. 東京都.
    pub ja: &'static str,
    /// English name, e.g. Tokyo.
    pub en: &'static str,
    /// The region it belongs to.
    pub region: Region,
    /// Tile column on the map (0 = west).
    pub col: u8,
    /// Tile row on the map (0 = north).
    pub row: u8,
}

impl Prefecture {
    /// Name in the given language.
    pub fn name(&self, ja: bool) -> &'static str {
        if ja {
            self.ja
        } else {
            self.en
        }
    }

    /// The short label shown on a map tile: the shortest prefix of [`Self::name`]
    /// that no other prefecture shares, at least two characters in Japanese (東京)
    /// and three letters in English (Tok, Fukus). Being a prefix of the name, the
    /// visible label is part of the accessible name (WCAG 2.5.3).
    pub fn short(&self, ja: bool) -> &'static str {
        let name = self.name(ja);
        let prefix = |n: usize| match name.char_indices().nth(n) {
            Some((i, _)) => name.get(..i).unwrap_or(name),
            None => name,
        };
        let min = if ja { 2 } else { 3 };
        (min..name.chars().count())
            .map(prefix)
            .find(|p| {
                !PREFECTURES
                    .iter()
                    .any(|o| o.code != self.code && o.name(ja).starts_with(p))
            })
            .unwrap_or(name)
    }
}

use Region::*;

const fn p(
    code: &'static str,
    ja: &'static str,
    en: &'static str,
    region: Region,
    col: u8,
    row: u8,
) -> Prefecture {
    Prefecture {
        code,
        ja,
        en,
        region,
        col,
        row,
    }
}

/// All prefectures in JIS order.
pub const PREFECTURES: [Prefecture; 47] = [
    p("01", "北海道", "Hokkaido", HokkaidoTohoku, 10, 0),
    p("02", "青森県", "Aomori", HokkaidoTohoku, 10, 1),
    p("03", "岩手県", "Iwate", HokkaidoTohoku, 10, 2),
    p("04", "宮城県", "Miyagi", HokkaidoTohoku, 10, 3),
    p("05", "秋田県", "Akita", HokkaidoTohoku, 9, 2),
    p("06", "山形県", "Yamagata", HokkaidoTohoku, 9, 3),
    p("07", "福島県", "Fukushima", HokkaidoTohoku, 9, 4),
    p("08", "茨城県", "Ibaraki", Kanto, 11, 5),
    p("09", "栃木県", "Tochigi", Kanto, 10, 5),
    p("10", "群馬県", "Gunma", Kanto, 9, 5),
    p("11", "埼玉県", "Saitama", Kanto, 9, 6),
    p("12", "千葉県", "Chiba", Kanto, 11, 6),
    p("13", "東京都", "Tokyo", Kanto, 10, 6),
    p("14", "神奈川県", "Kanagawa", Kanto, 9, 7),
    p("15", "新潟県", "Niigata", Chubu, 8, 4),
    p("16", "富山県", "Toyama", Chubu, 7, 4),
    p("17", "石川県", "Ishikawa", Chubu, 6, 4),
    p("18", "福井県", "Fukui", Chubu, 6, 5),
    p("19", "山梨県", "Yamanashi", Chubu, 8, 6),
    p("20", "長野県", "Nagano", Chubu, 8, 5),
    p("21", "岐阜県", "Gifu", Chubu, 7, 5),
    p("22", "静岡県", "Shizuoka", Chubu, 8, 7),
    p("23", "愛知県", "Aichi", Chubu, 7, 6),
    p("24", "三重県", "Mie", Kinki, 6, 6),
    p("25", "滋賀県", "Shiga", Kinki, 5, 6),
    p("26", "京都府", "Kyoto", Kinki, 5, 5),
    p("27", "大阪府", "Osaka", Kinki, 4, 6),
    p("28", "兵庫県", "Hyogo", Kinki, 4, 5),
    p("29", "奈良県", "Nara", Kinki, 5, 7),
    p("30", "和歌山県", "Wakayama", Kinki, 4, 7),
    p("31", "鳥取県", "Tottori", Chugoku, 3, 5),
    p("32", "島根県", "Shimane", Chugoku, 2, 5),
    p("33", "岡山県", "Okayama", Chugoku, 3, 6),
    p("34", "広島県", "Hiroshima", Chugoku, 2, 6),
    p("35", "山口県", "Yamaguchi", Chugoku, 1, 6),
    p("36", "徳島県", "Tokushima", Shikoku, 4, 8),
    p("37", "香川県", "Kagawa", Shikoku, 3, 7),
    p("38", "愛媛県", "Ehime", Shikoku, 2, 7),
    p("39", "高知県", "Kochi", Shikoku, 3, 8),
    p("40", "福岡県", "Fukuoka", KyushuOkinawa, 1, 7),
    p("41", "佐賀県", "Saga", KyushuOkinawa, 0, 7),
    p("42", "長崎県", "Nagasaki", KyushuOkinawa, 0, 8),
    p("43", "熊本県", "Kumamoto", KyushuOkinawa, 1, 8),
    p("44", "大分県", "Oita", KyushuOkinawa, 2, 8),
    p("45", "宮崎県", "Miyazaki", KyushuOkinawa, 1, 9),
    p("46", "鹿児島県", "Kagoshima", KyushuOkinawa, 0, 9),
    p("47", "沖縄県", "Okinawa", KyushuOkinawa, 0, 10),
];

/// The prefecture with this code, if it is one of the 47.
pub fn prefecture(code: &str) -> Option<&'static Prefecture> {
    PREFECTURES.iter().find(|p| p.code == code)
}

/// A direction of an arrow key on the map.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// ArrowUp
    Up,
    /// ArrowDown
    Down,
    /// ArrowLeft
    Left,
    /// ArrowRight
    Right,
}

/// The tile an arrow key moves to from `code`: the nearest tile lying in that
/// direction (within 45° of it), nearest first along the axis, then across it.
/// `None` at the edge of the map.
pub fn neighbor(code: &str, dir: Direction) -> Option<&'static str> {
    let from = prefecture(code)?;
    let (fc, fr) = (i32::from(from.col), i32::from(from.row));
    PREFECTURES
        .iter()
        .filter_map(|p| {
            let (dc, dr) = (i32::from(p.col) - fc, i32::from(p.row) - fr);
            let (along, across) = match dir {
                Direction::Up => (-dr, dc),
                Direction::Down => (dr, dc),
                Direction::Left => (-dc, dr),
                Direction::Right => (dc, dr),
            };
            (along > 0 && across.abs() <= along).then_some((along, across.abs(), p.code))
        })
        .min()
        .map(|(_, _, code)| code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// The map's size in tiles; styles/places.css places `data-col` 0..=11 and `data-row` 0..=10.
    const MAP_COLS: u8 = 12;
    const MAP_ROWS: u8 = 11;

    #[test]
    fn forty_seven_codes_in_order_each_on_its_own_tile() {
        let mut tiles = HashSet::new();
        for (i, p) in PREFECTURES.iter().enumerate() {
            assert_eq!(p.code, format!("{:02}", i + 1));
            assert!(p.col < MAP_COLS && p.row < MAP_ROWS, "{} off the map", p.ja);
            assert!(tiles.insert((p.col, p.row)), "{} shares a tile", p.ja);
        }
    }

    #[test]
    fn every_region_has_prefectures() {
        for r in Region::ALL {
            assert!(PREFECTURES.iter().any(|p| p.region == r), "{r:?}");
        }
        let kanto: Vec<_> = PREFECTURES
            .iter()
            .filter(|p| p.region == Region::Kanto)
            .map(|p| p.code)
            .collect();
        assert_eq!(kanto, ["08", "09", "10", "11", "12", "13", "14"]);
    }

    #[test]
    fn short_labels_are_prefixes_of_names() {
        let table = [
            ("13", true, "東京"),
            ("13", false, "Toky"),
            ("09", false, "Toc"),
            ("36", false, "Toku"),
            ("01", true, "北海"),
            ("18", true, "福井"),
            ("40", false, "Fukuo"),
            ("24", false, "Mie"),
            ("06", false, "Yamaga"),
        ];
        for (code, ja, short) in table {
            let p = prefecture(code).expect("known code");
            assert_eq!(p.short(ja), short);
        }
        for ja in [true, false] {
            let labels: HashSet<_> = PREFECTURES.iter().map(|p| p.short(ja)).collect();
            assert_eq!(labels.len(), 47, "labels are unique (ja: {ja})");
            for p in PREFECTURES {
                assert!(p.name(ja).starts_with(p.short(ja)));
            }
        }
    }

    #[test]
    fn arrow_keys_move_to_the_nearest_tile_in_that_direction() {
        use Direction::*;
        let table = [
            ("13", Left, Some("11")),  // 東京 -> 埼玉
            ("13", Right, Some("12")), // 東京 -> 千葉
            ("13", Up, Some("09")),    // 東京 -> 栃木
            ("13", Down, Some("14")),  // 東京 -> 神奈川
            ("01", Up, None),          // 北海道 is the top
            ("01", Down, Some("02")),  // 北海道 -> 青森
            ("47", Up, Some("46")),    // 沖縄 -> 鹿児島
            ("40", Right, Some("38")), // 福岡 -> 愛媛
            ("99", Up, None),          // unknown code
        ];
        for (from, dir, to) in table {
            assert_eq!(neighbor(from, dir), to, "{from} {dir:?}");
        }
    }

    #[test]
    fn every_tile_is_reachable_by_arrow_keys() {
        let mut seen = HashSet::from(["13"]);
        let mut stack = vec!["13"];
        while let Some(code) = stack.pop() {
            for d in [
                Direction::Up,
                Direction::Down,
                Direction::Left,
                Direction::Right,
            ] {
                if let Some(n) = neighbor(code, d) {
                    if seen.insert(n) {
                        stack.push(n);
                    }
                }
            }
        }
        assert_eq!(seen.len(), 47);
    }
}
