//! Strict JSON (RFC 8259) for every layer of the SDK, without serde: a small value
//! type, a parser and a compact writer.
//!
//! The parser refuses what a lenient one would let two readers disagree on:
//! duplicate object member names (RFC 7515 §5.2 allows rejecting them; accepting the
//! last one would let two parsers disagree), lone surrogates in `\u` escapes, trailing
//! commas, leading zeros, numbers that overflow a double, and nesting deeper than
//! [`MAX_JSON_DEPTH`]. It runs in time linear in the input (duplicate names are
//! found by sorting in large objects), recurses at most [`MAX_JSON_DEPTH`] levels
//! and never panics.
//!
//! Numbers keep their JSON text: nothing here prints floating point, and only
//! [`Number::as_f64`] (for the JS option layer) converts one to a double, exactly,
//! without core's float parser and its tables. Integers (no fraction, no exponent)
//! within `i64`/`u64` are read exactly, like serde_json does; [`Number::as_i64`] and
//! [`Number::as_u64`] answer only for them.
//!
//! Objects ([`Map`]) keep their members in insertion order; lookups are linear,
//! which suits the small objects of JOSE headers, claims and options.
//!
//! ```
//! use mirairo_id_sdk::json::{self, Map, Value};
//! let v = json::parse(r#"{"kid":"k1","n":[1,-2,3.5]}"#).unwrap();
//! assert_eq!(v.get("kid").and_then(Value::as_str), Some("k1"));
//! let mut m = Map::from_pairs([("a", Value::from(1)), ("b", "x".into())]);
//! m.insert("a".into(), true.into());
//! assert_eq!(Value::from(m).to_string(), r#"{"a":true,"b":"x"}"#);
//! ```

use std::fmt::{self, Write as _};

/// Maximum JSON nesting depth (arrays and objects) accepted anywhere in the SDK.
pub const MAX_JSON_DEPTH: usize = 32;

/// Why a JSON text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum JsonError {
    /// Arrays and objects nested deeper than [`MAX_JSON_DEPTH`].
    #[error("JSON nested too deeply")]
    TooDeep,
    /// Not strict JSON (syntax, duplicate member name, lone surrogate, number overflow).
    #[error("invalid JSON")]
    Invalid,
}

/// A JSON number, kept as validated JSON text (integers in `i64`/`u64` range exactly).
///
/// Equality: two integers compare by value; other numbers compare by their text
/// (`1.0` and `1.00` differ, `1.0` and `1` differ, as in serde_json).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Number(N);

#[derive(Clone, Debug, PartialEq, Eq)]
enum N {
    /// A non-negative integer.
    Pos(u64),
    /// A negative integer.
    Neg(i64),
    /// Any other valid JSON number text (fraction, exponent, `-0`, or beyond 64 bits).
    Text(String),
}

impl Number {
    /// The value when the number is written as an integer (no fraction or exponent)
    /// within `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match &self.0 {
            N::Pos(u) => i64::try_from(*u).ok(),
            N::Neg(i) => Some(*i),
            N::Text(_) => None,
        }
    }

    /// The value when the number is written as a non-negative integer within `u64`.
    pub fn as_u64(&self) -> Option<u64> {
        match &self.0 {
            N::Pos(u) => Some(*u),
            _ => None,
        }
    }

    /// The nearest double (correctly rounded, ties to even; `-0` is `-0.0`). Only the
    /// JS option layer needs this (numbers of seconds and kilometres from JavaScript).
    pub fn as_f64(&self) -> Option<f64> {
        match &self.0 {
            N::Pos(u) => Some(*u as f64),
            N::Neg(i) => Some(*i as f64),
            N::Text(t) => Some(decimal_to_f64(t)),
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            N::Pos(u) => write!(f, "{u}"),
            N::Neg(i) => write!(f, "{i}"),
            N::Text(t) => f.write_str(t),
        }
    }
}

impl From<u64> for Number {
    fn from(n: u64) -> Self {
        Number(N::Pos(n))
    }
}

impl From<i64> for Number {
    fn from(n: i64) -> Self {
        match u64::try_from(n) {
            Ok(u) => Number(N::Pos(u)),
            Err(_) => Number(N::Neg(n)),
        }
    }
}

/// A JSON value.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Value {
    /// `null`.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object.
    Object(Map),
}

static NULL: Value = Value::Null;

impl Value {
    /// The member `key` of an object; `None` for a missing member or a non-object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object().and_then(|m| m.get(key))
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// See [`Number::as_i64`]; `None` for a non-number.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    /// See [`Number::as_u64`]; `None` for a non-number.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    /// See [`Number::as_f64`]; `None` for a non-number.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => n.as_f64(),
            _ => None,
        }
    }

    /// The items, if this is an array.
    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The items, mutable, if this is an array.
    pub fn as_array_mut(&mut self) -> Option<&mut Vec<Value>> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The members, if this is an object.
    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The members, mutable, if this is an object.
    pub fn as_object_mut(&mut self) -> Option<&mut Map> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// True for `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

/// `value["key"]`: the member, or `null` when missing or not an object (never panics).
impl std::ops::Index<&str> for Value {
    type Output = Value;
    fn index(&self, key: &str) -> &Value {
        self.get(key).unwrap_or(&NULL)
    }
}

/// `map["key"]`: the member, or `null` when missing (never panics).
impl std::ops::Index<&str> for Map {
    type Output = Value;
    fn index(&self, key: &str) -> &Value {
        self.get(key).unwrap_or(&NULL)
    }
}

/// `value[i]`: the item, or `null` when out of range or not an array (never panics).
impl std::ops::Index<usize> for Value {
    type Output = Value;
    fn index(&self, i: usize) -> &Value {
        self.as_array().and_then(|a| a.get(i)).unwrap_or(&NULL)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Self {
        Value::Number(n)
    }
}

macro_rules! from_int {
    ($($t:ty => $via:ty),*) => {$(
        impl From<$t> for Value {
            fn from(n: $t) -> Self {
                Value::Number(Number::from(<$via>::from(n)))
            }
        }
    )*};
}
from_int!(i64 => i64, u64 => u64, i32 => i64, u32 => u64, u8 => u64);

impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Self {
        Value::Array(items)
    }
}

impl From<Map> for Value {
    fn from(map: Map) -> Self {
        Value::Object(map)
    }
}

macro_rules! eq_via {
    ($($t:ty => |$v:ident, $o:ident| $e:expr),*) => {$(
        impl PartialEq<$t> for Value {
            fn eq(&self, other: &$t) -> bool {
                let ($v, $o) = (self, other);
                $e
            }
        }
    )*};
}
eq_via!(
    str => |v, o| v.as_str() == Some(o),
    &str => |v, o| v.as_str() == Some(*o),
    String => |v, o| v.as_str() == Some(o.as_str()),
    bool => |v, o| v.as_bool() == Some(*o),
    i32 => |v, o| v.as_i64() == Some(i64::from(*o)),
    i64 => |v, o| v.as_i64() == Some(*o),
    u64 => |v, o| v.as_u64() == Some(*o)
);

/// A JSON object: members in insertion order, names unique.
#[derive(Clone, Debug, Default)]
pub struct Map {
    entries: Vec<(String, Value)>,
}

impl Map {
    /// An empty object.
    pub fn new() -> Self {
        Self::default()
    }

    /// An object with these members, in order (a later duplicate name replaces the
    /// earlier value in place).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, Value)>) -> Self {
        let mut map = Map::new();
        for (k, v) in pairs {
            map.insert(k.to_owned(), v);
        }
        map
    }

    /// The member `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The member `key`, mutable.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.entries
            .iter_mut()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// True when the object has a member `key`.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key` to `value`: replaces the value in place (keeping the member's
    /// position) and returns the old one, or appends a new member.
    pub fn insert(&mut self, key: String, value: Value) -> Option<Value> {
        match self.get_mut(&key) {
            Some(slot) => Some(std::mem::replace(slot, value)),
            None => {
                self.entries.push((key, value));
                None
            }
        }
    }

    /// Appends a member whose name the caller knows to be new (no lookup).
    pub(crate) fn push_new(&mut self, key: String, value: Value) {
        self.entries.push((key, value));
    }

    /// Removes the member `key`, keeping the order of the others.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let at = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(at).1)
    }

    /// The members, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// The member names, in order.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.entries.iter().map(|(k, _)| k)
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the object has no member.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Objects are equal when they have the same members, in any order (as in JSON).
impl PartialEq for Map {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl Eq for Map {}

impl IntoIterator for Map {
    type Item = (String, Value);
    type IntoIter = std::vec::IntoIter<(String, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a> IntoIterator for &'a Map {
    type Item = (&'a String, &'a Value);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, Value)>,
        fn(&'a (String, Value)) -> (&'a String, &'a Value),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

// ---------------------------------------------------------------------------------
// Typed reading

/// Why a JSON value does not have the shape a type expects (`from_json`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{problem} `{member}`")]
pub struct ShapeError {
    member: String,
    problem: &'static str,
}

impl ShapeError {
    fn new(member: &str, problem: &'static str) -> Self {
        Self {
            member: member.to_owned(),
            problem,
        }
    }

    /// The member at fault (empty for the value itself).
    pub fn member(&self) -> &str {
        &self.member
    }

    /// What is wrong: `missing field`, `unknown field`, `invalid type or value for`
    /// or `expected an object, not`.
    pub fn problem(&self) -> &'static str {
        self.problem
    }
}

/// Reads the members of a JSON object by name, with the serde conventions the JS
/// layer relied on: a `null` optional member counts as absent; a present member of
/// the wrong type is an error.
#[derive(Clone, Copy)]
pub(crate) struct Fields<'a>(&'a Map);

impl<'a> Fields<'a> {
    /// The members of `value`, which must be an object.
    pub(crate) fn of(value: &'a Value) -> Result<Self, ShapeError> {
        value
            .as_object()
            .map(Fields)
            .ok_or_else(|| ShapeError::new("", "expected an object, not"))
    }

    /// Refuses members not named in `known`.
    pub(crate) fn only(self, known: &[&str]) -> Result<Self, ShapeError> {
        match self.0.keys().find(|k| !known.contains(&k.as_str())) {
            Some(unknown) => Err(ShapeError::new(unknown, "unknown field")),
            None => Ok(self),
        }
    }

    /// The member `name` read by `read`; `None` when absent or `null`.
    pub(crate) fn optional<T>(
        self,
        name: &str,
        read: impl Fn(&Value) -> Option<T>,
    ) -> Result<Option<T>, ShapeError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => read(v)
                .map(Some)
                .ok_or_else(|| ShapeError::new(name, "invalid type or value for")),
        }
    }

    /// The member `name` read by `read` (`null` included); `None` only when absent.
    pub(crate) fn present<T>(
        self,
        name: &str,
        read: impl Fn(&Value) -> Option<T>,
    ) -> Result<Option<T>, ShapeError> {
        match self.0.get(name) {
            None => Ok(None),
            Some(v) => read(v)
                .map(Some)
                .ok_or_else(|| ShapeError::new(name, "invalid type or value for")),
        }
    }

    /// The member `name` read by `read`, which must be present (`null` is read too).
    pub(crate) fn required<T>(
        self,
        name: &str,
        read: impl Fn(&Value) -> Option<T>,
    ) -> Result<T, ShapeError> {
        self.present(name, read)?
            .ok_or_else(|| ShapeError::new(name, "missing field"))
    }
}

/// A string value, owned.
pub(crate) fn string(v: &Value) -> Option<String> {
    v.as_str().map(str::to_owned)
}

/// An array of strings.
pub(crate) fn strings(v: &Value) -> Option<Vec<String>> {
    v.as_array()?.iter().map(string).collect()
}

/// An integer in `u32`.
pub(crate) fn u32_value(v: &Value) -> Option<u32> {
    v.as_u64().and_then(|n| u32::try_from(n).ok())
}

/// Optional members: `"name": value` only when there is a value.
pub fn put(map: &mut Map, name: &str, value: Option<impl Into<Value>>) {
    if let Some(v) = value {
        map.push_new(name.to_owned(), v.into());
    }
}

/// `null` for `None`.
pub(crate) fn or_null(value: Option<impl Into<Value>>) -> Value {
    value.map_or(Value::Null, Into::into)
}

// ---------------------------------------------------------------------------------
// Writing

fn write_string(f: &mut impl fmt::Write, s: &str) -> fmt::Result {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    f.write_char('"')?;
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let short = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        // `i` is at an ASCII byte, so both slices fall on character boundaries.
        f.write_str(s.get(start..i).unwrap_or_default())?;
        start = i + 1;
        if short.is_empty() {
            f.write_str("\\u00")?;
            for nibble in [b >> 4, b & 0xf] {
                let digit = HEX.get(usize::from(nibble)).copied().unwrap_or(b'0');
                f.write_char(char::from(digit))?;
            }
        } else {
            f.write_str(short)?;
        }
    }
    f.write_str(s.get(start..).unwrap_or_default())?;
    f.write_char('"')
}

/// Compact JSON: no whitespace; `"`, `\` and control characters escaped, other
/// characters (non-ASCII included) written as UTF-8.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(true) => f.write_str("true"),
            Value::Bool(false) => f.write_str("false"),
            Value::Number(n) => fmt::Display::fmt(n, f),
            Value::String(s) => write_string(f, s),
            Value::Array(items) => {
                f.write_char('[')?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_char(',')?;
                    }
                    fmt::Display::fmt(item, f)?;
                }
                f.write_char(']')
            }
            Value::Object(map) => fmt::Display::fmt(map, f),
        }
    }
}

/// The object as compact JSON (see [`Value`]'s `Display`).
impl fmt::Display for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_char('{')?;
        for (i, (k, v)) in self.entries.iter().enumerate() {
            if i > 0 {
                f.write_char(',')?;
            }
            write_string(f, k)?;
            f.write_char(':')?;
            fmt::Display::fmt(v, f)?;
        }
        f.write_char('}')
    }
}

// ---------------------------------------------------------------------------------
// Parsing

/// Parses a JSON text strictly (see the module documentation).
///
/// # Errors
///
/// [`JsonError::TooDeep`] beyond [`MAX_JSON_DEPTH`], else [`JsonError::Invalid`]
/// for anything that is not strict RFC 8259 JSON.
pub fn parse(text: &str) -> Result<Value, JsonError> {
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        at: 0,
    };
    p.skip_ws();
    let value = p.value(0)?;
    p.skip_ws();
    if p.at != p.bytes.len() {
        return Err(JsonError::Invalid);
    }
    Ok(value)
}

/// Parses UTF-8 bytes (e.g. a decoded JWS part) as strict JSON.
pub(crate) fn parse_bytes(bytes: &[u8]) -> Result<Value, JsonError> {
    parse(std::str::from_utf8(bytes).map_err(|_| JsonError::Invalid)?)
}

/// Parses UTF-8 bytes that must hold a JSON object.
pub(crate) fn parse_object(bytes: &[u8]) -> Result<Map, JsonError> {
    match parse_bytes(bytes)? {
        Value::Object(map) => Ok(map),
        _ => Err(JsonError::Invalid),
    }
}

/// The decimal digits of 2^1024 − 2^970, the smallest value that rounds to infinity
/// as a double (the midpoint between `f64::MAX` and 2^1024, ties to even); 309 digits.
const OVERFLOW_DIGITS: &[u8] = b"179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497792";

const INVALID: JsonError = JsonError::Invalid;

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let hit = self.peek() == Some(byte);
        if hit {
            self.at += 1;
        }
        hit
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Consumes ASCII digits; returns how many.
    fn digits(&mut self) -> usize {
        let start = self.at;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
        self.at - start
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, JsonError> {
        let end = self.at.saturating_add(word.len());
        if self.bytes.get(self.at..end) == Some(word.as_bytes()) {
            self.at = end;
            Ok(value)
        } else {
            Err(INVALID)
        }
    }

    /// One value; `depth` is the number of arrays/objects around it.
    fn value(&mut self, depth: usize) -> Result<Value, JsonError> {
        match self.peek() {
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number().map(Value::Number),
            _ => Err(INVALID),
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, JsonError> {
        if depth > MAX_JSON_DEPTH {
            return Err(JsonError::TooDeep);
        }
        self.at += 1; // '['
        let mut items = Vec::new();
        self.skip_ws();
        if self.eat(b']') {
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth)?);
            self.skip_ws();
            if self.eat(b']') {
                return Ok(Value::Array(items));
            }
            if !self.eat(b',') {
                return Err(INVALID);
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, JsonError> {
        if depth > MAX_JSON_DEPTH {
            return Err(JsonError::TooDeep);
        }
        self.at += 1; // '{'
        let mut entries = Vec::new();
        self.skip_ws();
        if !self.eat(b'}') {
            loop {
                self.skip_ws();
                if self.peek() != Some(b'"') {
                    return Err(INVALID);
                }
                let key = self.string()?;
                self.skip_ws();
                if !self.eat(b':') {
                    return Err(INVALID);
                }
                self.skip_ws();
                let value = self.value(depth)?;
                entries.push((key, value));
                self.skip_ws();
                if self.eat(b'}') {
                    break;
                }
                if !self.eat(b',') {
                    return Err(INVALID);
                }
            }
        }
        if has_duplicate_names(&entries) {
            return Err(INVALID);
        }
        Ok(Value::Object(Map { entries }))
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut n = 0;
        for _ in 0..4 {
            let digit = self
                .peek()
                .and_then(|b| char::from(b).to_digit(16))
                .ok_or(INVALID)?;
            n = n * 16 + digit;
            self.at += 1;
        }
        Ok(n)
    }

    /// The character of a `\u` escape (the `\u` already consumed), joining a
    /// surrogate pair; a lone surrogate is refused.
    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let first = self.hex4()?;
        let code = match first {
            0xd800..=0xdbff => {
                if !(self.eat(b'\\') && self.eat(b'u')) {
                    return Err(INVALID);
                }
                let second = self.hex4()?;
                if !(0xdc00..=0xdfff).contains(&second) {
                    return Err(INVALID);
                }
                0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00)
            }
            0xdc00..=0xdfff => return Err(INVALID),
            _ => first,
        };
        char::from_u32(code).ok_or(INVALID)
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.at += 1; // '"'
        let mut out = String::new();
        loop {
            let start = self.at;
            while matches!(self.peek(), Some(b) if b != b'"' && b != b'\\' && b >= 0x20) {
                self.at += 1;
            }
            // The run stops at an ASCII byte or the end: a character boundary.
            out.push_str(self.text.get(start..self.at).ok_or(INVALID)?);
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    let escaped = self.peek().ok_or(INVALID)?;
                    self.at += 1;
                    out.push(match escaped {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return Err(INVALID),
                    });
                }
                // A control character or the end of the text.
                _ => return Err(INVALID),
            }
        }
    }

    fn number(&mut self) -> Result<Number, JsonError> {
        let start = self.at;
        let negative = self.eat(b'-');
        let int_start = self.at;
        match self.peek() {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(INVALID),
        }
        let int_end = self.at;
        let mut frac = int_end..int_end;
        let mut exponent: i64 = 0;
        let mut integer = true;
        if self.eat(b'.') {
            integer = false;
            let frac_start = self.at;
            if self.digits() == 0 {
                return Err(INVALID);
            }
            frac = frac_start..self.at;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            integer = false;
            self.at += 1;
            let negative_exp = self.eat(b'-');
            if !negative_exp {
                self.eat(b'+');
            }
            let exp_start = self.at;
            if self.digits() == 0 {
                return Err(INVALID);
            }
            let exp_digits = self.bytes.get(exp_start..self.at).ok_or(INVALID)?;
            exponent = exp_digits.iter().fold(0i64, |acc, d| {
                acc.saturating_mul(10).saturating_add(i64::from(d - b'0'))
            });
            if negative_exp {
                exponent = -exponent;
            }
        }
        let int_digits = self.bytes.get(int_start..int_end).ok_or(INVALID)?;
        let text = self.text.get(start..self.at).ok_or(INVALID)?;
        if integer {
            let magnitude = int_digits.iter().try_fold(0u64, |acc, d| {
                acc.checked_mul(10)?.checked_add(u64::from(d - b'0'))
            });
            match (negative, magnitude) {
                (false, Some(m)) => return Ok(Number(N::Pos(m))),
                (true, Some(m)) if m > 0 => {
                    if let Some(i) = 0i64.checked_sub_unsigned(m) {
                        return Ok(Number(N::Neg(i)));
                    }
                }
                _ => {}
            }
        }
        let frac_digits = self.bytes.get(frac).ok_or(INVALID)?;
        if overflows(int_digits, frac_digits, exponent) {
            return Err(INVALID);
        }
        Ok(Number(N::Text(text.to_owned())))
    }
}

// ---------------------------------------------------------------------------------
// Decimal to double, correctly rounded, without core's float parser (its tables are
// larger than this whole module): an f64 estimate, then exact big-integer comparisons
// with the midpoints next to it until it is the nearest double (ties to even).

/// Significant digits kept: a midpoint between two doubles has at most 767, so digits
/// beyond 800 matter only as "more than shown" (`sticky`).
const MAX_DIGITS: usize = 800;

/// The nearest double to the JSON number `text` (already validated by the parser).
fn decimal_to_f64(text: &str) -> f64 {
    let bytes = text.as_bytes();
    let negative = bytes.first() == Some(&b'-');
    let mantissa_end = bytes
        .iter()
        .position(|&b| b == b'e' || b == b'E')
        .unwrap_or(bytes.len());
    let exponent = bytes.get(mantissa_end + 1..).map_or(0i64, |exp| {
        let (sign, digits) = match exp.first() {
            Some(b'-') => (-1, exp.get(1..).unwrap_or_default()),
            Some(b'+') => (1, exp.get(1..).unwrap_or_default()),
            _ => (1, exp),
        };
        sign * digits.iter().fold(0i64, |acc, d| {
            acc.saturating_mul(10).saturating_add(i64::from(d - b'0'))
        })
    });
    let mantissa = bytes.get(..mantissa_end).unwrap_or_default();
    let point = mantissa.iter().position(|&b| b == b'.');
    // value = 0.d₁d₂…(all digits) × 10^(int_len + exponent); drop leading zeros.
    let int_len = point.unwrap_or(mantissa.len()) as i64 - i64::from(negative);
    let mut digits = mantissa
        .iter()
        .copied()
        .filter(u8::is_ascii_digit)
        .peekable();
    let mut leading = 0i64;
    while digits.next_if_eq(&b'0').is_some() {
        leading += 1;
    }
    let mut kept: Vec<u8> = Vec::new();
    let mut sticky = false;
    for d in digits {
        if kept.len() < MAX_DIGITS {
            kept.push(d - b'0');
        } else if d != b'0' {
            sticky = true;
        }
    }
    while kept.last() == Some(&0) {
        kept.pop();
    }
    // value = kept (an integer) × 10^scale (+ a little more when sticky).
    let position = int_len.saturating_sub(leading).saturating_add(exponent);
    let scale = position.saturating_sub(kept.len() as i64);
    let magnitude = if kept.is_empty() || position < -324 {
        0.0 // below half the smallest subnormal
    } else if position > 310 {
        f64::INFINITY // refused by the parser; kept total for other callers
    } else {
        nearest(&kept, scale, sticky)
    };
    if negative {
        -magnitude
    } else {
        magnitude
    }
}

/// `(m, e)` with the double equal to `m × 2^e` (non-negative finite doubles).
fn decode(x: f64) -> (u64, i64) {
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & ((1 << 52) - 1);
    if exp == 0 {
        (frac, -1074)
    } else {
        (frac | (1 << 52), exp - 1075)
    }
}

/// The double nearest to `digits × 10^scale` (+ sticky), digits without leading zero.
fn nearest(digits: &[u8], scale: i64, sticky: bool) -> f64 {
    // Estimate from the first 19 digits: within a few dozen units in the last place.
    let head = digits
        .iter()
        .take(19)
        .fold(0u64, |acc, &d| acc * 10 + u64::from(d));
    let mut e10 = scale + digits.len() as i64 - digits.len().min(19) as i64;
    let mut z = head as f64;
    while e10 > 300 {
        z *= 1e300;
        e10 -= 300;
    }
    while e10 < -300 {
        z /= 1e300;
        e10 += 300;
    }
    z *= 10f64.powi(e10 as i32);
    if !z.is_finite() {
        z = f64::MAX;
    }
    let exact = |m: u64, e2: i64| compare(digits, scale, sticky, m, e2);
    // Each round moves one unit in the last place towards the value; the estimate is
    // close, so the bound is never reached for a validated number.
    for _ in 0..256 {
        let (m, e) = decode(z);
        let up = f64::from_bits(z.to_bits() + 1);
        match exact(2 * m + 1, e - 1) {
            std::cmp::Ordering::Greater if up.is_finite() => {
                z = up;
                continue;
            }
            std::cmp::Ordering::Equal if m % 2 == 1 => return up,
            std::cmp::Ordering::Less => {}
            _ => return z,
        }
        if m == 0 {
            return z;
        }
        let down = f64::from_bits(z.to_bits() - 1);
        let (lower_m, lower_e) = if m == 1 << 52 && e > -1074 {
            (4 * m - 1, e - 2)
        } else {
            (2 * m - 1, e - 1)
        };
        match exact(lower_m, lower_e) {
            std::cmp::Ordering::Less => z = down,
            std::cmp::Ordering::Equal if m % 2 == 1 => return down,
            _ => return z,
        }
    }
    z
}

/// Compares `digits × 10^scale` (+ sticky) with `m × 2^e2`, exactly.
fn compare(digits: &[u8], scale: i64, sticky: bool, m: u64, e2: i64) -> std::cmp::Ordering {
    let mut left = Big(vec![0]);
    for &d in digits {
        left.mul_add(10, u32::from(d));
    }
    let mut right = Big(vec![m as u32, (m >> 32) as u32]);
    if scale >= 0 {
        left.mul_pow10(scale.unsigned_abs());
    } else {
        right.mul_pow10(scale.unsigned_abs());
    }
    if e2 >= 0 {
        right.shl(e2.unsigned_abs());
    } else {
        left.shl(e2.unsigned_abs());
    }
    match left.cmp(&right) {
        std::cmp::Ordering::Equal if sticky => std::cmp::Ordering::Greater,
        other => other,
    }
}

/// A non-negative big integer, 32-bit limbs, least significant first.
struct Big(Vec<u32>);

impl Big {
    fn mul_add(&mut self, factor: u32, add: u32) {
        let mut carry = u64::from(add);
        for limb in &mut self.0 {
            let x = u64::from(*limb) * u64::from(factor) + carry;
            *limb = x as u32;
            carry = x >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
    }

    fn mul_pow10(&mut self, mut n: u64) {
        while n >= 9 {
            self.mul_add(1_000_000_000, 0);
            n -= 9;
        }
        self.mul_add(10u32.pow(n as u32), 0);
    }

    fn shl(&mut self, bits: u64) {
        let words = (bits / 32) as usize;
        let bits = (bits % 32) as u32;
        if bits > 0 {
            let mut carry = 0u32;
            for limb in &mut self.0 {
                let x = (u64::from(*limb) << bits) | u64::from(carry);
                *limb = x as u32;
                carry = (x >> 32) as u32;
            }
            self.0.push(carry);
        }
        if words > 0 {
            let mut shifted = vec![0; words];
            shifted.extend_from_slice(&self.0);
            self.0 = shifted;
        }
    }

    fn cmp(&self, other: &Big) -> std::cmp::Ordering {
        let significant = |v: &[u32]| v.iter().rposition(|&l| l != 0).map_or(0, |i| i + 1);
        let (a, b) = (
            self.0.get(..significant(&self.0)).unwrap_or_default(),
            other.0.get(..significant(&other.0)).unwrap_or_default(),
        );
        a.len()
            .cmp(&b.len())
            .then_with(|| a.iter().rev().cmp(b.iter().rev()))
    }
}

/// Whether `int.frac × 10^exponent` rounds to infinity as a double (serde_json refuses
/// such numbers too).
fn overflows(int: &[u8], frac: &[u8], exponent: i64) -> bool {
    let all = || int.iter().chain(frac.iter()).copied();
    let leading_zeros = all().take_while(|&d| d == b'0').count();
    if leading_zeros == int.len() + frac.len() {
        return false; // zero
    }
    // value = 0.d₁d₂… × 10^position, d₁ ≠ 0.
    let position = (int.len() as i64)
        .saturating_sub(leading_zeros as i64)
        .saturating_add(exponent);
    let limit = OVERFLOW_DIGITS.len() as i64;
    if position != limit {
        return position > limit;
    }
    let mut significant = all().skip(leading_zeros);
    for &threshold in OVERFLOW_DIGITS {
        let d = significant.next().unwrap_or(b'0');
        if d != threshold {
            return d > threshold;
        }
    }
    true // equal to the threshold: ties round to even, i.e. to infinity
}

/// Whether two members share a name: pairwise for small objects, by sorting for
/// large ones (so that a huge object costs n log n, not n²).
fn has_duplicate_names(entries: &[(String, Value)]) -> bool {
    if entries.len() <= 16 {
        return entries
            .iter()
            .enumerate()
            .any(|(i, (k, _))| entries.iter().skip(i + 1).any(|(other, _)| other == k));
    }
    let mut names: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
    has_duplicates(&mut names)
}

/// Whether two items of `v` are equal, in n log n (sorts `v`). Shared with the SD-JWT
/// decoy digests.
pub(crate) fn has_duplicates<T: PartialOrd>(v: &mut [T]) -> bool {
    heapsort_by(v, |a, b| a < b);
    v.windows(2).any(|w| matches!(w, [a, b] if a == b))
}

/// Sorts `v` in place by `less` (heapsort: n log n in every case, not stable, and much
/// smaller code than the standard library's sorts, which the SDK otherwise does not
/// link). Shared with the SD-JWT digest lookup.
pub(crate) fn heapsort_by<T>(v: &mut [T], less: impl Fn(&T, &T) -> bool) {
    let n = v.len();
    let sift_down = |v: &mut [T], mut root: usize, end: usize| loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end
            && matches!((v.get(child), v.get(child + 1)), (Some(a), Some(b)) if less(a, b))
        {
            child += 1;
        }
        if !matches!((v.get(root), v.get(child)), (Some(a), Some(b)) if less(a, b)) {
            return;
        }
        v.swap(root, child);
        root = child;
    };
    for start in (0..n / 2).rev() {
        sift_down(v, start, n);
    }
    for end in (1..n).rev() {
        v.swap(0, end);
        sift_down(v, 0, end);
    }
}

/// Test-only: serde_json's `json!` syntax, built as an SDK [`Value`].
#[cfg(test)]
macro_rules! json {
    ($($t:tt)+) => {
        $crate::json::parse(&serde_json::json!($($t)+).to_string()).unwrap()
    };
}
#[cfg(test)]
pub(crate) use json;

/// `Serialize` (the `serde` feature) for result types that have a `to_json`: they
/// serialize exactly as that JSON (the camelCase shapes of API.md).
macro_rules! serialize_as_json {
    ($($t:ty),* $(,)?) => {$(
        #[cfg(feature = "serde")]
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                serde::Serialize::serialize(&self.to_json(), s)
            }
        }
    )*};
}

serialize_as_json!(
    crate::VerifiedCertificate,
    crate::verifier::IdTokenClaims,
    crate::fare::FareResult,
);

/// With the `serde` feature (and in tests, where SDK values go inside `json!`): a
/// value serializes as the JSON it is, members in order; a number that is not an
/// integer as the nearest double.
#[cfg(any(test, feature = "serde"))]
impl serde::Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => s.serialize_u64(u),
                (None, Some(i), _) => s.serialize_i64(i),
                (None, None, Some(f)) => s.serialize_f64(f),
                (None, None, None) => Err(serde::ser::Error::custom("number out of range")),
            },
            Value::String(t) => s.serialize_str(t),
            Value::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Object(map) => {
                let mut out = s.serialize_map(Some(map.len()))?;
                for (k, v) in map {
                    out.serialize_entry(k, v)?;
                }
                out.end()
            }
        }
    }
}

/// With the `serde` feature: any serde data (a `serde_json::Value`, a request body, …)
/// read straight into an SDK value, without printing and reparsing it. The SDK parser's
/// rules hold: duplicate member names, non-finite numbers and nesting deeper than
/// [`MAX_JSON_DEPTH`] are refused.
#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Value {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor { depth: 0 })
    }
}

#[cfg(feature = "serde")]
struct ValueVisitor {
    depth: usize,
}

#[cfg(feature = "serde")]
impl ValueVisitor {
    fn nested<E: serde::de::Error>(&self) -> Result<Self, E> {
        if self.depth >= MAX_JSON_DEPTH {
            Err(E::custom("JSON nested too deeply"))
        } else {
            Ok(ValueVisitor {
                depth: self.depth + 1,
            })
        }
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::de::DeserializeSeed<'de> for ValueVisitor {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::de::Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }

    fn visit_f64<E: serde::de::Error>(self, f: f64) -> Result<Value, E> {
        if !f.is_finite() {
            return Err(E::custom("a JSON number must be finite"));
        }
        // `{:?}` writes the shortest text that reads back as `f` (`0.1`, `1e300`,
        // `-0.0`), always valid JSON number syntax.
        Ok(Value::Number(Number(N::Text(format!("{f:?}")))))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self.nested()?)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            let value = access.next_value_seed(self.nested()?)?;
            if map.contains_key(&key) {
                return Err(serde::de::Error::custom(format!(
                    "duplicate member name `{key}`"
                )));
            }
            map.push_new(key, value);
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nest(open: &str, close: &str, depth: usize) -> String {
        format!("{}{}", open.repeat(depth), close.repeat(depth))
    }

    #[test]
    fn accepts_strict_json() {
        // (input, compact output)
        let table = [
            ("null", "null"),
            (" true ", "true"),
            ("false", "false"),
            ("0", "0"),
            ("-0", "-0"),
            ("-1", "-1"),
            ("1.5e-3", "1.5e-3"),
            ("1E+2", "1E+2"),
            (
                "123456789012345678901234567890",
                "123456789012345678901234567890",
            ),
            ("1.7976931348623157e308", "1.7976931348623157e308"),
            ("1e-400", "1e-400"),
            ("\"\"", "\"\""),
            (r#""a\"b\\c\/d\b\f\n\r\t""#, r#""a\"b\\c/d\b\f\n\r\t""#),
            (r#""\u00e9\u65e5\ud83d\ude00""#, "\"é日😀\""),
            ("\"\\u0000\\u001f\\u007f\"", "\"\\u0000\\u001f\u{7f}\""),
            ("\"é 日本\"", "\"é 日本\""),
            ("[]", "[]"),
            ("[ 1 , [ ] , { } ]", "[1,[],{}]"),
            ("{}", "{}"),
            (
                " {\"b\" : 1 ,\"a\":[true,null],\"c\":{\"d\":\"x\"}}\n",
                r#"{"b":1,"a":[true,null],"c":{"d":"x"}}"#,
            ),
        ];
        for (input, output) in table {
            let v = parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
            assert_eq!(v.to_string(), output, "{input:?}");
            assert_eq!(parse(output).as_ref(), Ok(&v), "{output:?}");
        }
    }

    #[test]
    fn refuses_everything_else() {
        let table = [
            "",
            " ",
            "nul",
            "True",
            "[1,]",
            "{\"a\":1,}",
            "[,1]",
            "{,}",
            "01",
            "-01",
            "00",
            "1.",
            ".5",
            "-",
            "+1",
            "1e",
            "1e+",
            "0x10",
            "NaN",
            "Infinity",
            "1e309",
            "1.8e308",
            "17976931348623159e292",
            "-1e400",
            "\"a",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\\u12G4\"",
            "\"\\ud800\"",
            "\"\\ud800x\"",
            "\"\\ud800\\u0041\"",
            "\"\\udc00\\ud800\"",
            "\"tab\there\"",
            "\"new\nline\"",
            "{\"a\" 1}",
            "{a:1}",
            "{'a':1}",
            "{\"a\":1,\"a\":2}",
            "{\"x\":{\"a\":1,\"a\":1}}",
            "{\"a\":1} x",
            "[1] [2]",
            "\u{feff}{}",
            "[1 2]",
        ];
        for input in table {
            assert_eq!(parse(input), Err(JsonError::Invalid), "{input:?}");
        }
        // Duplicates in a large object are found as well (sorted check).
        let mut many: Vec<String> = (0..100).map(|i| format!("\"k{i}\":{i}")).collect();
        assert!(parse(&format!("{{{}}}", many.join(","))).is_ok());
        many.push("\"k42\":0".into());
        assert_eq!(
            parse(&format!("{{{}}}", many.join(","))),
            Err(JsonError::Invalid)
        );
    }

    #[test]
    fn depth_limit_is_exact() {
        for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
            let inner = if open == "[" { "" } else { "1" };
            let at = |d: usize| format!("{}{inner}{}", open.repeat(d), close.repeat(d));
            assert!(parse(&at(MAX_JSON_DEPTH)).is_ok());
            assert_eq!(parse(&at(MAX_JSON_DEPTH + 1)), Err(JsonError::TooDeep));
        }
        assert_eq!(parse(&nest("[", "]", 100_000)), Err(JsonError::TooDeep));
        // Brackets inside strings do not count.
        let s = format!("[\"{}\\\"{}\"]", "[".repeat(100), "{".repeat(100));
        assert!(parse(&s).is_ok());
    }

    #[test]
    fn integers_are_exact_and_checked() {
        // (text, as_i64, as_u64)
        let table: [(&str, Option<i64>, Option<u64>); 12] = [
            ("0", Some(0), Some(0)),
            ("42", Some(42), Some(42)),
            ("-42", Some(-42), None),
            ("9223372036854775807", Some(i64::MAX), Some(i64::MAX as u64)),
            ("9223372036854775808", None, Some(1 << 63)),
            ("18446744073709551615", None, Some(u64::MAX)),
            ("18446744073709551616", None, None),
            ("-9223372036854775808", Some(i64::MIN), None),
            ("-9223372036854775809", None, None),
            ("-0", None, None),
            ("1.0", None, None),
            ("1e3", None, None),
        ];
        for (text, i, u) in table {
            let v = parse(text).unwrap();
            assert_eq!((v.as_i64(), v.as_u64()), (i, u), "{text}");
            assert_eq!(v.to_string(), text);
        }
        assert_eq!(Value::from(-5i64), parse("-5").unwrap());
        assert_eq!(Value::from(5u64), Value::from(5i32));
        assert_ne!(parse("1").unwrap(), parse("1.0").unwrap());
        assert_eq!(parse("2.5").unwrap().as_f64(), Some(2.5));
        assert_eq!(parse("\"2\"").unwrap().as_i64(), None);
    }

    #[test]
    fn doubles_are_correctly_rounded() {
        let table = [
            "0.0",
            "-0.0",
            "0.1",
            "0.30000000000000004",
            "120.5",
            "100.00000000000001",
            "1764200000.123",
            "9007199254740993.0",
            "9007199254740991.5",
            "1e23",
            "8.98846567431158e307",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "2.2250738585072011e-308",
            "2.2250738585072014e-308",
            "4.9406564584124654e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "1e-330",
            "123456789012345678901234567890.5",
            "0.000000000000000000000000000000000000001",
            "2.47032822920623272088284396434110686182529901307162382212792841250337753635104375932649918180817996189898282347722858865463328355177969898199387398005390939063150356595155702263922908583924491051844359318028499365361525003193704576782492193656236698636584807570015857692699037063119282795585513329278343384093519780155312465972635795746227664652728272200563740064854999770965994704540208281662262378573934507363390079677619305775067401763246736009689513405355374585166611342237666786041621596804619144672918403005300575308490487653917113865916462395249126236538818796362393732804238910186723484976682350898633885879256283027559956575244555072551893136908362547791869486679949683240497058210285131854513962138377228261454376934125320985913276672363281255e-324",
        ];
        for text in table {
            let v = parse(text).unwrap();
            let expected: f64 = text.parse().unwrap();
            assert_eq!(
                v.as_f64().map(f64::to_bits),
                Some(expected.to_bits()),
                "{text}"
            );
        }
        assert_eq!(Value::from(u64::MAX).as_f64(), Some(u64::MAX as f64));
        assert_eq!(Value::from(-3i64).as_f64(), Some(-3.0));
        assert_eq!(Value::from("1").as_f64(), None);
    }

    #[test]
    fn writing_escapes_only_what_json_needs() {
        let s = "\"\\/\u{1}\u{8}\u{c}\n\r\t\u{1f} é\u{7f}";
        let v = Value::from(s);
        assert_eq!(
            v.to_string(),
            "\"\\\"\\\\/\\u0001\\b\\f\\n\\r\\t\\u001f é\u{7f}\""
        );
        assert_eq!(parse(&v.to_string()), Ok(v));
    }

    #[test]
    fn maps_keep_order_and_replace_in_place() {
        let mut m = Map::from_pairs([("b", 1.into()), ("a", 2.into()), ("b", 3.into())]);
        assert_eq!(m.keys().collect::<Vec<_>>(), ["b", "a"]);
        assert_eq!(m.insert("a".into(), "x".into()), Some(Value::from(2)));
        assert_eq!(m.insert("c".into(), Value::Null), None);
        assert_eq!(
            Value::from(m.clone()).to_string(),
            r#"{"b":3,"a":"x","c":null}"#
        );
        assert_eq!(m.remove("b"), Some(Value::from(3)));
        assert_eq!(
            (m.len(), m.contains_key("b"), m.is_empty()),
            (2, false, false)
        );
        // Equality ignores member order.
        assert_eq!(
            parse(r#"{"a":1,"b":[2]}"#).unwrap(),
            parse(r#"{"b":[2],"a":1}"#).unwrap()
        );
        let v = parse(r#"{"a":[1,{"b":null}]}"#).unwrap();
        assert_eq!(v["a"][1]["b"], Value::Null);
        assert_eq!(v["missing"][7], Value::Null);
        assert_eq!(v["a"][0], 1);
    }

    #[test]
    fn heapsort_sorts() {
        let mut words = vec!["k9", "a", "", "k10", "a", "zz", "b", "k1"];
        let mut expected = words.clone();
        expected.sort_unstable();
        heapsort_by(&mut words, |a, b| a < b);
        assert_eq!(words, expected);
        for n in 0..40 {
            let mut v: Vec<String> = (0..n).map(|i| format!("{}", (i * 7919) % 31)).collect();
            let mut refs: Vec<&str> = v.iter().map(String::as_str).collect();
            heapsort_by(&mut refs, |a, b| a < b);
            let sorted: Vec<String> = refs.iter().map(|s| s.to_string()).collect();
            v.sort_unstable();
            assert_eq!(sorted, v);
        }
    }

    #[test]
    fn bytes_must_be_utf8() {
        assert_eq!(parse_bytes(b"{\"a\":\"\xff\"}"), Err(JsonError::Invalid));
        assert!(parse_object(b"[1]").is_err());
        assert_eq!(
            parse_object(br#"{"a":[1,2.5,null,true,"x"]}"#).unwrap()["a"][4],
            "x"
        );
    }
}
