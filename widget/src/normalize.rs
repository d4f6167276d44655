//! Search folding: the same text typed in different forms compares equal.
//!
//! An NFKC-like fold, limited to what matters for Japanese place search and written
//! without tables from outside: full-width ASCII becomes ASCII, half-width katakana
//! becomes full-width (voiced marks joined), hiragana becomes katakana, Latin letters
//! are lower-cased, and any run of white space (including the ideographic space)
//! becomes one ASCII space.

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
            _ => out.extend(c.to_lowercase()),
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
    fn fold_is_idempotent() {
        for s in ["ｼﾌﾞﾔ　ＳＴＡＴＩＯＮ", "ぱぴぷぺぽ", "ｶﾞｷﾞｸﾞｹﾞｺﾞ", "abc", "ー"]
        {
            let once = fold(s);
            assert_eq!(fold(&once), once, "{s:?}");
        }
    }
}
