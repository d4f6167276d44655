//! Prefectures (JIS X 0401) and a few cities in each, with coordinates.
//!
//! One line per prefecture: `code|name|kana|English|weight|cities`, cities separated by
//! `;`, each `stem,kana stem,English,suffix (市 or 区),lat,lng`. The weight (roughly the
//! population in 100,000s) sets how many places the prefecture gets.

pub(crate) const PREFECTURES: &str = "\
01|北海道|ホッカイドウ|Hokkaido|51|札幌,サッポロ,Sapporo,市,43.062,141.354;函館,ハコダテ,Hakodate,市,41.769,140.729;旭川,アサヒカワ,Asahikawa,市,43.771,142.365
02|青森県|アオモリケン|Aomori|12|青森,アオモリ,Aomori,市,40.822,140.747;八戸,ハチノヘ,Hachinohe,市,40.512,141.488;弘前,ヒロサキ,Hirosaki,市,40.603,140.464
03|岩手県|イワテケン|Iwate|12|盛岡,モリオカ,Morioka,市,39.702,141.154;一関,イチノセキ,Ichinoseki,市,38.934,141.127
04|宮城県|ミヤギケン|Miyagi|23|仙台,センダイ,Sendai,市,38.268,140.870;石巻,イシノマキ,Ishinomaki,市,38.434,141.303
05|秋田県|アキタケン|Akita|9|秋田,アキタ,Akita,市,39.720,140.103;横手,ヨコテ,Yokote,市,39.311,140.553
06|山形県|ヤマガタケン|Yamagata|10|山形,ヤマガタ,Yamagata,市,38.240,140.364;酒田,サカタ,Sakata,市,38.914,139.836
07|福島県|フクシマケン|Fukushima|18|福島,フクシマ,Fukushima,市,37.750,140.468;郡山,コオリヤマ,Koriyama,市,37.400,140.360;いわき,イワキ,Iwaki,市,37.050,140.888
08|茨城県|イバラキケン|Ibaraki|28|水戸,ミト,Mito,市,36.366,140.471;つくば,ツクバ,Tsukuba,市,36.083,140.077;日立,ヒタチ,Hitachi,市,36.599,140.651
09|栃木県|トチギケン|Tochigi|19|宇都宮,ウツノミヤ,Utsunomiya,市,36.555,139.883;小山,オヤマ,Oyama,市,36.315,139.800
10|群馬県|グンマケン|Gunma|19|前橋,マエバシ,Maebashi,市,36.391,139.061;高崎,タカサキ,Takasaki,市,36.322,139.003
11|埼玉県|サイタマケン|Saitama|73|さいたま,サイタマ,Saitama,市,35.861,139.645;川越,カワゴエ,Kawagoe,市,35.925,139.486;川口,カワグチ,Kawaguchi,市,35.808,139.724
12|千葉県|チバケン|Chiba|63|千葉,チバ,Chiba,市,35.607,140.106;船橋,フナバシ,Funabashi,市,35.695,139.983;柏,カシワ,Kashiwa,市,35.868,139.976
13|東京都|トウキョウト|Tokyo|140|渋谷,シブヤ,Shibuya,区,35.664,139.698;新宿,シンジュク,Shinjuku,区,35.694,139.703;千代田,チヨダ,Chiyoda,区,35.694,139.754;世田谷,セタガヤ,Setagaya,区,35.646,139.653;八王子,ハチオウジ,Hachioji,市,35.666,139.316
14|神奈川県|カナガワケン|Kanagawa|92|横浜,ヨコハマ,Yokohama,市,35.444,139.638;川崎,カワサキ,Kawasaki,市,35.531,139.703;相模原,サガミハラ,Sagamihara,市,35.571,139.373;鎌倉,カマクラ,Kamakura,市,35.319,139.547
15|新潟県|ニイガタケン|Niigata|21|新潟,ニイガタ,Niigata,市,37.916,139.036;長岡,ナガオカ,Nagaoka,市,37.446,138.851
16|富山県|トヤマケン|Toyama|10|富山,トヤマ,Toyama,市,36.696,137.214;高岡,タカオカ,Takaoka,市,36.754,137.026
17|石川県|イシカワケン|Ishikawa|11|金沢,カナザワ,Kanazawa,市,36.561,136.656;小松,コマツ,Komatsu,市,36.408,136.445
18|福井県|フクイケン|Fukui|7|福井,フクイ,Fukui,市,36.064,136.220;敦賀,ツルガ,Tsuruga,市,35.645,136.055
19|山梨県|ヤマナシケン|Yamanashi|8|甲府,コウフ,Kofu,市,35.662,138.568;富士吉田,フジヨシダ,Fujiyoshida,市,35.488,138.808
20|長野県|ナガノケン|Nagano|20|長野,ナガノ,Nagano,市,36.649,138.181;松本,マツモト,Matsumoto,市,36.238,137.972
21|岐阜県|ギフケン|Gifu|19|岐阜,ギフ,Gifu,市,35.423,136.761;高山,タカヤマ,Takayama,市,36.146,137.252
22|静岡県|シズオカケン|Shizuoka|36|静岡,シズオカ,Shizuoka,市,34.975,138.383;浜松,ハママツ,Hamamatsu,市,34.711,137.726;沼津,ヌマヅ,Numazu,市,35.096,138.864
23|愛知県|アイチケン|Aichi|75|名古屋,ナゴヤ,Nagoya,市,35.181,136.906;豊田,トヨタ,Toyota,市,35.083,137.156;岡崎,オカザキ,Okazaki,市,34.955,137.174;豊橋,トヨハシ,Toyohashi,市,34.769,137.392
24|三重県|ミエケン|Mie|17|津,ツ,Tsu,市,34.719,136.505;四日市,ヨッカイチ,Yokkaichi,市,34.965,136.624;伊勢,イセ,Ise,市,34.487,136.709
25|滋賀県|シガケン|Shiga|14|大津,オオツ,Otsu,市,35.018,135.855;彦根,ヒコネ,Hikone,市,35.274,136.260
26|京都府|キョウトフ|Kyoto|25|京都,キョウト,Kyoto,市,35.012,135.768;宇治,ウジ,Uji,市,34.884,135.800;舞鶴,マイヅル,Maizuru,市,35.475,135.386
27|大阪府|オオサカフ|Osaka|88|大阪,オオサカ,Osaka,市,34.694,135.502;堺,サカイ,Sakai,市,34.573,135.483;豊中,トヨナカ,Toyonaka,市,34.782,135.469;東大阪,ヒガシオオサカ,Higashiosaka,市,34.679,135.601
28|兵庫県|ヒョウゴケン|Hyogo|54|神戸,コウベ,Kobe,市,34.690,135.196;姫路,ヒメジ,Himeji,市,34.816,134.686;西宮,ニシノミヤ,Nishinomiya,市,34.738,135.342
29|奈良県|ナラケン|Nara|13|奈良,ナラ,Nara,市,34.685,135.805;橿原,カシハラ,Kashihara,市,34.509,135.793
30|和歌山県|ワカヤマケン|Wakayama|9|和歌山,ワカヤマ,Wakayama,市,34.230,135.171;田辺,タナベ,Tanabe,市,33.729,135.378
31|鳥取県|トットリケン|Tottori|5|鳥取,トットリ,Tottori,市,35.501,134.235;米子,ヨナゴ,Yonago,市,35.428,133.331
32|島根県|シマネケン|Shimane|6|松江,マツエ,Matsue,市,35.468,133.048;出雲,イズモ,Izumo,市,35.367,132.755
33|岡山県|オカヤマケン|Okayama|18|岡山,オカヤマ,Okayama,市,34.655,133.919;倉敷,クラシキ,Kurashiki,市,34.585,133.772
34|広島県|ヒロシマケン|Hiroshima|27|広島,ヒロシマ,Hiroshima,市,34.385,132.455;福山,フクヤマ,Fukuyama,市,34.486,133.362;呉,クレ,Kure,市,34.249,132.566
35|山口県|ヤマグチケン|Yamaguchi|13|山口,ヤマグチ,Yamaguchi,市,34.186,131.471;下関,シモノセキ,Shimonoseki,市,33.958,130.941
36|徳島県|トクシマケン|Tokushima|7|徳島,トクシマ,Tokushima,市,34.066,134.559;鳴門,ナルト,Naruto,市,34.172,134.609
37|香川県|カガワケン|Kagawa|9|高松,タカマツ,Takamatsu,市,34.340,134.043;丸亀,マルガメ,Marugame,市,34.290,133.798
38|愛媛県|エヒメケン|Ehime|13|松山,マツヤマ,Matsuyama,市,33.839,132.765;今治,イマバリ,Imabari,市,34.066,132.998
39|高知県|コウチケン|Kochi|7|高知,コウチ,Kochi,市,33.559,133.531;四万十,シマント,Shimanto,市,32.991,132.934
40|福岡県|フクオカケン|Fukuoka|51|福岡,フクオカ,Fukuoka,市,33.590,130.402;北九州,キタキュウシュウ,Kitakyushu,市,33.883,130.875;久留米,クルメ,Kurume,市,33.319,130.508
41|佐賀県|サガケン|Saga|8|佐賀,サガ,Saga,市,33.249,130.299;唐津,カラツ,Karatsu,市,33.450,129.968
42|長崎県|ナガサキケン|Nagasaki|13|長崎,ナガサキ,Nagasaki,市,32.750,129.878;佐世保,サセボ,Sasebo,市,33.180,129.715
43|熊本県|クマモトケン|Kumamoto|17|熊本,クマモト,Kumamoto,市,32.803,130.708;八代,ヤツシロ,Yatsushiro,市,32.508,130.602
44|大分県|オオイタケン|Oita|11|大分,オオイタ,Oita,市,33.238,131.613;別府,ベップ,Beppu,市,33.285,131.491
45|宮崎県|ミヤザキケン|Miyazaki|10|宮崎,ミヤザキ,Miyazaki,市,31.911,131.424;都城,ミヤコノジョウ,Miyakonojo,市,31.720,131.062
46|鹿児島県|カゴシマケン|Kagoshima|15|鹿児島,カゴシマ,Kagoshima,市,31.596,130.557;霧島,キリシマ,Kirishima,市,31.741,130.763
47|沖縄県|オキナワケン|Okinawa|15|那覇,ナハ,Naha,市,26.212,127.681;沖縄,オキナワ,Okinawa,市,26.334,127.805;名護,ナゴ,Nago,市,26.592,127.977";

/// A city (or Tokyo ward).
#[derive(Debug, Clone)]
pub(crate) struct City {
    pub stem: String,
    pub kana: String,
    pub en: String,
    pub suffix: String,
    pub lat: f64,
    pub lng: f64,
}

impl City {
    pub fn name_ja(&self) -> String {
        format!("{}{}", self.stem, self.suffix)
    }
    pub fn name_kana(&self) -> String {
        let s = if self.suffix == "区" { "ク" } else { "シ" };
        format!("{}{}", self.kana, s)
    }
    pub fn name_en(&self) -> String {
        if self.suffix == "区" {
            format!("{} Ward", self.en)
        } else {
            format!("{} City", self.en)
        }
    }
}

/// A prefecture.
#[derive(Debug, Clone)]
pub(crate) struct Prefecture {
    pub code: String,
    pub name: String,
    pub en: String,
    pub weight: u32,
    pub cities: Vec<City>,
}

/// The 47 prefectures, parsed from the table above.
pub(crate) fn prefectures() -> Vec<Prefecture> {
    let mut out = Vec::with_capacity(47);
    for line in PREFECTURES.lines() {
        let f: Vec<&str> = line.split('|').collect();
        let [code, name, _kana, en, weight, cities] = f.as_slice() else {
            continue;
        };
        let cities = cities
            .split(';')
            .filter_map(|c| {
                let p: Vec<&str> = c.split(',').collect();
                let [stem, kana, en, suffix, lat, lng] = p.as_slice() else {
                    return None;
                };
                Some(City {
                    stem: (*stem).to_owned(),
                    kana: (*kana).to_owned(),
                    en: (*en).to_owned(),
                    suffix: (*suffix).to_owned(),
                    lat: lat.parse().ok()?,
                    lng: lng.parse().ok()?,
                })
            })
            .collect();
        out.push(Prefecture {
            code: (*code).to_owned(),
            name: (*name).to_owned(),
            en: (*en).to_owned(),
            weight: weight.parse().unwrap_or(1),
            cities,
        });
    }
    out
}

/// Neighbourhood names used in addresses and branch names: (kanji, kana, romaji).
pub(crate) const DISTRICTS: &[(&str, &str, &str)] = &[
    ("中央", "チュウオウ", "Chuo"),
    ("本町", "ホンマチ", "Honmachi"),
    ("栄町", "サカエマチ", "Sakaemachi"),
    ("旭町", "アサヒマチ", "Asahimachi"),
    ("緑町", "ミドリチョウ", "Midoricho"),
    ("桜台", "サクラダイ", "Sakuradai"),
    ("若葉", "ワカバ", "Wakaba"),
    ("港町", "ミナトマチ", "Minatomachi"),
    ("城北", "ジョウホク", "Johoku"),
    ("駅南", "エキナン", "Ekinan"),
    ("東町", "ヒガシマチ", "Higashimachi"),
    ("西町", "ニシマチ", "Nishimachi"),
    ("大手町", "オオテマチ", "Otemachi"),
    ("青葉台", "アオバダイ", "Aobadai"),
    ("日の出町", "ヒノデチョウ", "Hinodecho"),
    ("松原", "マツバラ", "Matsubara"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_47_prefectures_with_cities() {
        let p = prefectures();
        assert_eq!(p.len(), 47);
        for (i, pref) in p.iter().enumerate() {
            assert_eq!(pref.code, format!("{:02}", i + 1));
            assert!(pref.cities.len() >= 2, "{}", pref.name);
            for c in &pref.cities {
                assert!((24.0..46.0).contains(&c.lat) && (122.0..146.0).contains(&c.lng));
            }
        }
    }
}
