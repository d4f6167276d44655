//! A small JSON reader (RFC 8259) that reads a text in one pass straight into the
//! caller's types: no value tree, no float parsing or formatting, no serde machinery.
//! It accepts exactly the texts `serde_json` accepts (the tests compare the two), so
//! swapping it in changed only the size of the wasm, not what the widgets accept.
//!
//! Numbers are not converted: an integer that fits `i64` or `u64` is handed over as its
//! decimal text (which is all the widgets display), any other number as `None`.

use std::borrow::Cow;

/// The text is not JSON, or not the JSON the caller expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Invalid;

/// Result of a read.
pub type Read<T> = Result<T, Invalid>;

/// What the next value is, judged by its first byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

/// Deeper nesting is refused (as `serde_json` does) instead of exhausting the stack.
const MAX_DEPTH: u32 = 128;

/// A cursor over one JSON text.
pub struct Reader<'a> {
    text: &'a str,
    pos: usize,
    depth: u32,
}

impl<'a> Reader<'a> {
    /// Reads all of `text` as one value with `read`; only white space may follow it.
    pub fn document<T>(text: &'a str, read: impl FnOnce(&mut Reader<'a>) -> Read<T>) -> Read<T> {
        let mut r = Reader {
            text,
            pos: 0,
            depth: 0,
        };
        let value = read(&mut r)?;
        r.space();
        if r.pos == text.len() {
            Ok(value)
        } else {
            Err(Invalid)
        }
    }

    fn byte(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn space(&mut self) {
        while matches!(self.byte(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// Consumes `b` (after white space) if it comes next.
    fn eat(&mut self, b: u8) -> bool {
        self.space();
        let found = self.byte() == Some(b);
        if found {
            self.pos += 1;
        }
        found
    }

    fn expect(&mut self, b: u8) -> Read<()> {
        if self.eat(b) {
            Ok(())
        } else {
            Err(Invalid)
        }
    }

    fn literal(&mut self, word: &str) -> Read<()> {
        self.space();
        let end = self.pos + word.len();
        if self.text.as_bytes().get(self.pos..end) == Some(word.as_bytes()) {
            self.pos = end;
            Ok(())
        } else {
            Err(Invalid)
        }
    }

    /// The kind of the next value.
    pub fn peek(&mut self) -> Read<Kind> {
        self.space();
        Ok(match self.byte().ok_or(Invalid)? {
            b'n' => Kind::Null,
            b't' | b'f' => Kind::Bool,
            b'-' | b'0'..=b'9' => Kind::Number,
            b'"' => Kind::String,
            b'[' => Kind::Array,
            b'{' => Kind::Object,
            _ => return Err(Invalid),
        })
    }

    /// `null`.
    pub fn null(&mut self) -> Read<()> {
        self.literal("null")
    }

    /// `true` or `false`.
    pub fn bool(&mut self) -> Read<bool> {
        if self.literal("true").is_ok() {
            return Ok(true);
        }
        self.literal("false").map(|()| false)
    }

    /// A number: its decimal text when it is an integer that fits `i64` or `u64`.
    pub fn integer(&mut self) -> Read<Option<String>> {
        self.space();
        let start = self.pos;
        let negative = self.eat_byte(b'-');
        match self.byte() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(Invalid),
        }
        let mut integral = true;
        if self.eat_byte(b'.') {
            integral = false;
            self.some_digits()?;
        }
        if self.eat_byte(b'e') || self.eat_byte(b'E') {
            integral = false;
            let _ = self.eat_byte(b'+') || self.eat_byte(b'-');
            self.some_digits()?;
        }
        let number = self.text.get(start..self.pos).ok_or(Invalid)?;
        if !integral {
            return Ok(None);
        }
        // Out-of-range integers are floats to serde_json, hence not shown either; so is
        // `-0`. Digit strings of equal length compare like their numbers.
        let digits = number.trim_start_matches('-');
        let (max, zero_ok) = if negative {
            ("9223372036854775808", false)
        } else {
            ("18446744073709551615", true)
        };
        let fits = (digits.len() < max.len() || (digits.len() == max.len() && digits <= max))
            && (zero_ok || digits != "0");
        Ok(fits.then(|| number.to_owned()))
    }

    fn eat_byte(&mut self, b: u8) -> bool {
        let found = self.byte() == Some(b);
        if found {
            self.pos += 1;
        }
        found
    }

    fn digits(&mut self) {
        while matches!(self.byte(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
    }

    fn some_digits(&mut self) -> Read<()> {
        let start = self.pos;
        self.digits();
        if self.pos > start {
            Ok(())
        } else {
            Err(Invalid)
        }
    }

    /// A string, borrowed from the text unless it has escapes.
    pub fn str(&mut self) -> Read<Cow<'a, str>> {
        self.expect(b'"')?;
        let mut owned: Option<String> = None;
        let mut run = self.pos;
        loop {
            let b = self.byte().ok_or(Invalid)?;
            match b {
                b'"' => {
                    let tail = self.text.get(run..self.pos).ok_or(Invalid)?;
                    self.pos += 1;
                    return Ok(match owned {
                        Some(mut s) => {
                            s.push_str(tail);
                            Cow::Owned(s)
                        }
                        None => Cow::Borrowed(tail),
                    });
                }
                b'\\' => {
                    let done = self.text.get(run..self.pos).ok_or(Invalid)?;
                    self.pos += 1;
                    let c = self.escape()?;
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(done);
                    s.push(c);
                    run = self.pos;
                }
                0..=0x1F => return Err(Invalid),
                _ => self.pos += 1,
            }
        }
    }

    /// A string, owned.
    pub fn string(&mut self) -> Read<String> {
        self.str().map(Cow::into_owned)
    }

    /// The character of the escape after a backslash.
    fn escape(&mut self) -> Read<char> {
        let b = self.byte().ok_or(Invalid)?;
        self.pos += 1;
        Ok(match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = self.hex4()?;
                let code = match hi {
                    0xD800..=0xDBFF => {
                        // A high surrogate must be followed by an escaped low one.
                        if !(self.eat_byte(b'\\') && self.eat_byte(b'u')) {
                            return Err(Invalid);
                        }
                        let lo = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&lo) {
                            return Err(Invalid);
                        }
                        0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                    }
                    0xDC00..=0xDFFF => return Err(Invalid),
                    _ => hi,
                };
                char::from_u32(code).ok_or(Invalid)?
            }
            _ => return Err(Invalid),
        })
    }

    fn hex4(&mut self) -> Read<u32> {
        let mut n = 0;
        for _ in 0..4 {
            let d = char::from(self.byte().ok_or(Invalid)?)
                .to_digit(16)
                .ok_or(Invalid)?;
            n = n * 16 + d;
            self.pos += 1;
        }
        Ok(n)
    }

    fn enter(&mut self, open: u8) -> Read<()> {
        self.expect(open)?;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Invalid);
        }
        Ok(())
    }

    /// An array: `item` reads each element.
    pub fn array(&mut self, item: &mut dyn FnMut(&mut Reader<'a>) -> Read<()>) -> Read<()> {
        self.enter(b'[')?;
        if !self.eat(b']') {
            loop {
                item(self)?;
                if self.eat(b']') {
                    break;
                }
                self.expect(b',')?;
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// An object: `member` reads the value of each key (or skips it).
    pub fn object(
        &mut self,
        member: &mut dyn FnMut(&mut Reader<'a>, &str) -> Read<()>,
    ) -> Read<()> {
        self.enter(b'{')?;
        if !self.eat(b'}') {
            loop {
                self.space();
                let key = self.str()?;
                self.expect(b':')?;
                member(self, &key)?;
                if self.eat(b'}') {
                    break;
                }
                self.expect(b',')?;
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// Reads over any value.
    pub fn skip(&mut self) -> Read<()> {
        match self.peek()? {
            Kind::Null => self.null(),
            Kind::Bool => self.bool().map(drop),
            Kind::Number => self.integer().map(drop),
            Kind::String => self.str().map(drop),
            Kind::Array => self.array(&mut Reader::skip),
            Kind::Object => self.object(&mut |r, _| r.skip()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every scalar as display text, arrays and objects as nested lists: a value tree
    /// for the tests only.
    #[derive(Debug, PartialEq)]
    enum V {
        Null,
        Bool(bool),
        Int(String),
        Float,
        Str(String),
        List(Vec<V>),
        Map(Vec<(String, V)>),
    }

    fn value(r: &mut Reader) -> Read<V> {
        Ok(match r.peek()? {
            Kind::Null => r.null().map(|()| V::Null)?,
            Kind::Bool => V::Bool(r.bool()?),
            Kind::Number => r.integer()?.map_or(V::Float, V::Int),
            Kind::String => V::Str(r.string()?),
            Kind::Array => {
                let mut items = Vec::new();
                r.array(&mut |r| {
                    items.push(value(r)?);
                    Ok(())
                })?;
                V::List(items)
            }
            Kind::Object => {
                let mut members = Vec::new();
                r.object(&mut |r, k| {
                    members.push((k.to_owned(), value(r)?));
                    Ok(())
                })?;
                V::Map(members)
            }
        })
    }

    fn read(text: &str) -> Read<V> {
        Reader::document(text, value)
    }

    /// The same value as `serde_json` reads it, in the same shape.
    fn oracle(v: &serde_json::Value) -> V {
        use serde_json::Value as J;
        match v {
            J::Null => V::Null,
            J::Bool(b) => V::Bool(*b),
            J::Number(n) if n.is_f64() => V::Float,
            J::Number(n) => V::Int(n.to_string()),
            J::String(s) => V::Str(s.clone()),
            J::Array(a) => V::List(a.iter().map(oracle).collect()),
            J::Object(o) => V::Map(o.iter().map(|(k, v)| (k.clone(), oracle(v))).collect()),
        }
    }

    #[test]
    fn reads_what_serde_json_reads_and_refuses_what_it_refuses() {
        let deep_ok = format!("{}{}", "[".repeat(127), "]".repeat(127));
        let too_deep = format!("{}{}", "[".repeat(129), "]".repeat(129));
        let table: &[&str] = &[
            // scalars and white space
            "null",
            " true ",
            "false",
            "\t\r\n 0",
            "-0", // a float to serde_json
            "42",
            "-42",
            "18446744073709551615", // u64::MAX: an integer
            "18446744073709551616", // beyond: a float
            "-9223372036854775808", // i64::MIN
            "-9223372036854775809", // beyond: a float
            "1.5",
            "-1e3",
            "2E+2",
            "0.0e-0",
            // strings and escapes
            r#""""#,
            r#""渋谷駅""#,
            r#""a\"b\\c\/d\b\f\n\r\t""#,
            r#""\u6e0b\u8c37\u0041""#,
            r#""\ud83d\ude00 surrogate pair""#,
            // containers (duplicate keys are not in the protocol; object order kept)
            "[]",
            "{}",
            r#"[1, "a", null, [true, {}]]"#,
            r#"{"a": {"b": [1, 2]}, "c": "d"}"#,
            &deep_ok,
            // refused
            "",
            " ",
            "nul",
            "True",
            "01",
            "-",
            "1.",
            ".5",
            "1e",
            "+1",
            "0x10",
            "NaN",
            r#""unterminated"#,
            "\"tab\tinside\"",
            r#""\x""#,
            r#""\u12""#,
            r#""\ud83d alone""#,
            r#""\ude00 alone""#,
            r#""\ud83d\u0041""#,
            "[1,]",
            "[1 2]",
            "{\"a\" 1}",
            "{\"a\":1,}",
            "{a:1}",
            "{\"a\":1",
            "[",
            "1 2",
            "<html>",
            &too_deep,
        ];
        for text in table {
            let expected = serde_json::from_str::<serde_json::Value>(text).map(|v| oracle(&v));
            assert_eq!(read(text).ok(), expected.ok(), "{text:?}");
        }
    }

    #[test]
    fn strings_without_escapes_are_borrowed() {
        let text = r#"["plain", "esc\"aped"]"#;
        let mut seen = Vec::new();
        Reader::document(text, |r| {
            r.array(&mut |r| {
                seen.push(matches!(r.str()?, Cow::Borrowed(_)));
                Ok(())
            })
        })
        .expect("valid");
        assert_eq!(seen, [true, false]);
    }
}
