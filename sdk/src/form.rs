//! `application/x-www-form-urlencoded`, read strictly: the one form decoder of the SDK
//! for what a wallet posts (`direct_post`, PROTOCOL.md §7.2) and for the query of an
//! `openid4vp://` request (§7.1, §7.3).
//!
//! Percent-escapes are decoded and `+` is a space (as the WHATWG URL standard and
//! `URLSearchParams` write forms); the text must be valid UTF-8 after decoding.
//! Refused: input over the caller's byte limit, a bad escape, invalid UTF-8, an empty
//! parameter name, and a parameter that appears twice (two `state`s or two `vp_token`s
//! are an attack or a bug, never something to pick one from). Empty segments (`a=1&&b=2`,
//! a trailing `&`) are skipped, as `URLSearchParams` does.

use crate::oidc::url_decode;

/// Why a form was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FormError {
    /// The text is longer than the limit given to [`Form::parse`].
    #[error("the form is larger than allowed")]
    TooLarge,
    /// A bad percent-escape, or invalid UTF-8 after decoding.
    #[error("a form component is not valid percent-encoded UTF-8")]
    BadEncoding,
    /// A segment with an empty name (`=x`).
    #[error("a form parameter has an empty name")]
    EmptyName,
    /// The same name twice.
    #[error("a form parameter appears twice")]
    Duplicate,
}

/// A decoded form: unique names, in the order received.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Form {
    pairs: Vec<(String, String)>,
}

impl Form {
    /// Decodes `text` (`name=value&…`; a segment without `=` has an empty value).
    ///
    /// # Errors
    ///
    /// [`FormError`]: over `max_bytes`, a bad escape or UTF-8, an empty name, a
    /// repeated name.
    pub fn parse(text: &str, max_bytes: usize) -> Result<Self, FormError> {
        if text.len() > max_bytes {
            return Err(FormError::TooLarge);
        }
        let mut pairs = Vec::new();
        for segment in text.split('&').filter(|s| !s.is_empty()) {
            let (name, value) = segment.split_once('=').unwrap_or((segment, ""));
            let name = url_decode(name).ok_or(FormError::BadEncoding)?;
            let value = url_decode(value).ok_or(FormError::BadEncoding)?;
            if name.is_empty() {
                return Err(FormError::EmptyName);
            }
            pairs.push((name, value));
        }
        let mut names: Vec<&str> = pairs.iter().map(|(n, _)| n.as_str()).collect();
        if crate::json::has_duplicates(&mut names) {
            return Err(FormError::Duplicate);
        }
        Ok(Self { pairs })
    }

    /// The value of `name`, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether `name` is present (with any value, empty included).
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The decoded pairs, in order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// Encodes pairs as a form (everything but RFC 3986 unreserved characters
    /// percent-encoded, so the text is also a valid URL query).
    pub fn encode(pairs: &[(&str, &str)]) -> String {
        crate::oidc::url_form(pairs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_like_url_search_params_and_refuses_ambiguity() {
        let form = Form::parse("a=1+2&b=%E3%83%9F&&c&d=x%3Dy&", 100).unwrap();
        assert_eq!(form.get("a"), Some("1 2"));
        assert_eq!(form.get("b"), Some("ミ"));
        assert_eq!(form.get("c"), Some(""));
        assert_eq!(form.get("d"), Some("x=y"));
        assert_eq!(form.pairs().len(), 4);
        let table: [(&str, FormError); 6] = [
            ("a=1&a=2", FormError::Duplicate),
            ("a=1&%61=2", FormError::Duplicate),
            ("=x", FormError::EmptyName),
            ("a=%zz", FormError::BadEncoding),
            ("a=%E3%83", FormError::BadEncoding),
            ("a=%4", FormError::BadEncoding),
        ];
        for (text, error) in table {
            assert_eq!(Form::parse(text, 100), Err(error), "{text}");
        }
        assert_eq!(Form::parse("a=12345", 6), Err(FormError::TooLarge));
        assert!(Form::parse("a=12345", 7).is_ok());
        let encoded = Form::encode(&[("vp_token", "{\"a\":[\"x~y\"]}"), ("state", "s t")]);
        assert_eq!(
            encoded,
            "vp_token=%7B%22a%22%3A%5B%22x~y%22%5D%7D&state=s%20t"
        );
        let back = Form::parse(&encoded, 1000).unwrap();
        assert_eq!(back.get("vp_token"), Some("{\"a\":[\"x~y\"]}"));
        assert_eq!(back.get("state"), Some("s t"));
    }
}
