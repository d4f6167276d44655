//! Search folding: the same text typed in different forms compares equal.
//!
//! An NFKC-like fold, limited to what matters for Japanese place search and written
//! without tables from outside: full-width ASCII becomes ASCII, half-width katakana
//! becomes full-width (voiced marks joined), hiragana becomes katakana, Latin, Greek
//! and Cyrillic capitals are lower-cased, and any run of white space (including the
//! ideographic space) becomes one ASCII space.
//!
//! Lower-casing is written out for those scripts rather than taken from
//! `char::to_lowercase`, whose table of every cased script in Unicode was a tenth of
//! the widget's wasm; the tests check it against `to_lowercase` letter by letter.

/// Half-width katakana U+FF66..=U+FF9D mapped to full-width, in code point order.
const HALF_KATAKANA: [char; 56] = [
    'ヲ', 'ァ', 'ィ', 'ゥ', 'ェ', 'ォ', 'ャ', 'ュ', 'ョ', 'ッ', 'ー', 'ア', 'イ', 'ウ', 'エ', 'オ',
    'カ', 'キ', 'ク', 'ケ', 'コ', 'サ', 'シ', 'ス', 'セ', 'ソ', 'タ', 'チ', 'ツ', 'テ', 'ト', 'ナ',
    'ニ', 'ヌ', 'ネ', 'ノ', 'ハ', 'ヒ', 'フ', 'ヘ', 'ホ', 'マ', 'ミ', 'ム', 'メ', 'モ', 'ヤ', 'ユ',
    'ヨ', 'ラ', 'リ', 'ル', 'レ', 'ロ', 'ワ', 'ン',
];

/// Folds `input` for comparison. Idempotent: `fold(&fold(s)) == fold(s)`.
pub fn fold(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut pending_space = false;
    for c in input.chars() {
        let c = fold_char(c);
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        match c {
            // Voiced sound marks: half-width, combining, and spacing forms.
            '\u{FF9E}' | '\u{3099}' | '\u{309B}' => join_mark(&mut out, '゛', voiced),
            '\u{FF9F}' | '\u{309A}' | '\u{309C}' => join_mark(&mut out, '゜', semi_voiced),
            _ => out.push(lower(c)),
        }
    }
    out
}

/// One code point to its folded form (before voiced marks are joined).
fn fold_char(c: char) -> char {
    let code = u32::from(c);
    match code {
        // Full-width ASCII variants.
        0xFF01..=0xFF5E => char::from_u32(code - 0xFEE0).unwrap_or(c),
        0x3000 => ' ',
        // Hiragana ぁ..ゖ and the iteration marks ゝゞ to katakana.
        0x3041..=0x3096 | 0x309D..=0x309E => char::from_u32(code + 0x60).unwrap_or(c),
        0xFF61 => '。',
        0xFF62 => '「',
        0xFF63 => '」',
        0xFF64 => '、',
        0xFF65 => '・',
        0xFF70 => 'ー',
        0xFF66..=0xFF9D => HALF_KATAKANA
            .get((code - 0xFF66) as usize)
            .copied()
            .unwrap_or(c),
        _ => c,
    }
}

/// The small letter of a Latin (Basic, Latin-1, Extended-A), Greek or Cyrillic capital,
/// as `char::to_lowercase` gives it; any other character unchanged.
fn lower(c: char) -> char {
    let code = u32::from(c);
    let small = match code {
        // A-Z, À-Þ (not ×), Greek Α-Ϋ (not the unassigned U+03A2), Cyrillic А-Я.
        0x41..=0x5A | 0xC0..=0xD6 | 0xD8..=0xDE | 0x391..=0x3A1 | 0x3A3..=0x3AB | 0x410..=0x42F => {
            code + 0x20
        }
        // Cyrillic Ѐ-Џ.
        0x400..=0x40F => code + 0x50,
        // Greek with tonos.
        0x386 => 0x3AC,
        0x388..=0x38A => code + 0x25,
        0x38C => 0x3CC,
        0x38E..=0x38F => code + 0x3F,
        // İ lower-cases to i + combining dot; search compares the plain i.
        0x130 => 0x69,
        // Latin Extended-A and Cyrillic Ѡ-ҁ, Ҋ-ԯ: capital, small, capital, small…
        0x100..=0x12F
        | 0x132..=0x137
        | 0x14A..=0x177
        | 0x460..=0x481
        | 0x48A..=0x4BF
        | 0x4D0..=0x52F
            if code % 2 == 0 =>
        {
            code + 1
        }
        // …and the runs that start on an odd code point.
        0x139..=0x148 | 0x179..=0x17E | 0x4C1..=0x4CE if code % 2 == 1 => code + 1,
        0x178 => 0xFF,
        0x4C0 => 0x4CF,
        _ => code,
    };
    char::from_u32(small).unwrap_or(c)
}

/// Joins a voiced mark to the kana before it when such a letter exists;
/// otherwise keeps the spacing form of the mark.
fn join_mark(out: &mut String, spacing: char, join: fn(char) -> Option<char>) {
    match out.chars().last().and_then(join) {
        Some(j) => {
            out.pop();
            out.push(j);
        }
        None => out.push(spacing),
    }
}

fn voiced(c: char) -> Option<char> {
    match c {
        'ウ' => Some('ヴ'),
        'ワ' => Some('ヷ'),
        'ヲ' => Some('ヺ'),
        // カ..ト: the voiced form is the next code point for the letters that have one.
        'カ' | 'キ' | 'ク' | 'ケ' | 'コ' | 'サ' | 'シ' | 'ス' | 'セ' | 'ソ' | 'タ' | 'チ'
        | 'ツ' | 'テ' | 'ト' | 'ハ' | 'ヒ' | 'フ' | 'ヘ' | 'ホ' => {
            char::from_u32(u32::from(c) + 1)
        }
        _ => None,
    }
}

fn semi_voiced(c: char) -> Option<char> {
    match c {
        'ハ' | 'ヒ' | 'フ' | 'ヘ' | 'ホ' => char::from_u32(u32::from(c) + 2),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folds_like_nfkc_for_search() {
        let table: &[(&str, &str)] = &[
            // full-width ASCII and the ideographic space
            ("ＡＢＣ１２３", "abc123"),
            ("Ｓｈｉｂｕｙａ　Ｓｔａｔｉｏｎ", "shibuya station"),
            // hiragana and katakana compare alike
            ("しぶや", "シブヤ"),
            ("シブヤ", "シブヤ"),
            // half-width katakana, with voiced and semi-voiced marks joined
            ("ｼﾌﾞﾔ", "シブヤ"),
            ("ﾊﾟﾝ", "パン"),
            ("ｳﾞｨｰﾅｽ", "ヴィーナス"),
            ("ﾄｳｷｮｳ ｴｷ", "トウキョウ エキ"),
            // combining marks after hiragana
            ("か\u{3099}", "ガ"),
            // a mark that cannot join keeps its spacing form
            ("ｱﾞ", "ア゛"),
            // white space runs collapse, ends trimmed
            ("  東京　　駅  ", "東京 駅"),
            // kanji and punctuation pass through
            ("渋谷区道玄坂１－２", "渋谷区道玄坂1-2"),
            ("", ""),
        ];
        for (input, expected) in table {
            assert_eq!(fold(input), *expected, "fold({input:?})");
        }
    }

    #[test]
    fn lower_agrees_with_to_lowercase_on_latin_greek_and_cyrillic() {
        let scripts = [
            '\u{0}'..='\u{24F}',
            '\u{370}'..='\u{3FF}',
            '\u{400}'..='\u{52F}',
        ];
        for c in scripts.into_iter().flatten() {
            let std: Vec<char> = c.to_lowercase().collect();
            let expected = match std.as_slice() {
                [one] => *one,
                // İ: the letter without its combining dot
                [first, ..] => *first,
                [] => c,
            };
            // Outside Basic, Latin-1 and Extended-A, Latin Extended-B and the Greek
            // archaic letters are left as they are.
            let covered = !matches!(u32::from(c), 0x180..=0x24F | 0x370..=0x385 | 0x3CF..=0x3FF);
            if covered {
                assert_eq!(super::lower(c), expected, "{c:?} U+{:04X}", u32::from(c));
            } else {
                assert!(super::lower(c) == c || super::lower(c) == expected, "{c:?}");
            }
        }
        assert_eq!(fold("ÉCOLE ΑΘΗΝΑ МОСКВА Łódź"), "école αθηνα москва łódź");
    }

    #[test]
    fn fold_is_idempotent() {
        for s in ["ｼﾌﾞﾔ　ＳＴＡＴＩＯＮ", "ぱぴぷぺぽ", "ｶﾞｷﾞｸﾞｹﾞｺﾞ", "abc", "ー"]
        {
            let once = fold(s);
            assert_eq!(fold(&once), once, "{s:?}");
        }
    }
}
