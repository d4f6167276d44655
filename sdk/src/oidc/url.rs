//! The little URL handling login needs: origins, query strings, form bodies.
//! Only absolute http(s) URLs are accepted; anything odd is refused, not repaired.

/// Percent-encodes everything but RFC 3986 unreserved characters (valid in a query
/// component and in an `application/x-www-form-urlencoded` body).
pub(crate) fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(hex_digit(b >> 4));
            out.push(hex_digit(b & 0x0f));
        }
    }
    out
}

fn hex_digit(n: u8) -> char {
    char::from(if n < 10 { b'0' + n } else { b'A' + n - 10 })
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes one form-urlencoded component (`+` is a space). `None` on a bad escape
/// or invalid UTF-8.
pub(crate) fn decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = hex_value(*bytes.get(i + 1)?)?;
                let lo = hex_value(*bytes.get(i + 2)?)?;
                out.push(hi << 4 | lo);
                i += 2;
            }
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// `name=value&…` with both sides encoded.
pub(crate) fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The decoded `name=value` pairs of a URL's query (fragment ignored). `None` when a
/// component cannot be decoded.
pub(crate) fn query_pairs(url: &str) -> Option<Vec<(String, String)>> {
    let without_fragment = url.split('#').next().unwrap_or_default();
    let Some((_, query)) = without_fragment.split_once('?') else {
        return Some(Vec::new());
    };
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Some((decode(k)?, decode(v)?))
        })
        .collect()
}

/// Scheme, host and port of an absolute http(s) URL, as `location.origin` spells
/// it: lower-case scheme and host, default port dropped. `None` for anything else
/// (other schemes, user info, empty host, whitespace, bad port).
pub fn origin(url: &str) -> Option<String> {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    // A byte search: a `&str` pattern would link the standard substring searcher
    // (and its panic formatting) for this one call.
    let at = url.as_bytes().windows(3).position(|w| w == b"://")?;
    let (scheme, rest) = (url.get(..at)?, url.get(at + 3..)?);
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => "80",
        "https" => "443",
        _ => return None,
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..end)?;
    if authority.is_empty() || authority.contains(['@', '\\']) {
        return None;
    }
    let (host, port) = if authority.starts_with('[') {
        let close = authority.find(']')?;
        let (host, after) = authority.split_at_checked(close + 1)?;
        match after {
            "" => (host, None),
            _ => (host, Some(after.strip_prefix(':')?)),
        }
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return None;
    }
    let host = host.to_ascii_lowercase();
    match port {
        None => Some(format!("{scheme}://{host}")),
        Some(p) => {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) || p.parse::<u16>().is_err() {
                return None;
            }
            let p = p.trim_start_matches('0');
            let p = if p.is_empty() { "0" } else { p };
            if p == default_port {
                Some(format!("{scheme}://{host}"))
            } else {
                Some(format!("{scheme}://{host}:{p}"))
            }
        }
    }
}

/// The URL without its query and fragment (DPoP `htu`).
pub(crate) fn without_query(url: &str) -> &str {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    url.get(..end).unwrap_or(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_normalized_like_location_origin() {
        let table = [
            ("http://127.0.0.1:8080/x?y#z", Some("http://127.0.0.1:8080")),
            ("HTTPS://Rail.Example/", Some("https://rail.example")),
            ("https://rail.example:443/cb", Some("https://rail.example")),
            ("http://rail.example:80", Some("http://rail.example")),
            ("http://[::1]:3000/", Some("http://[::1]:3000")),
            ("http://[::1]/", Some("http://[::1]")),
            ("ftp://rail.example/", None),
            ("javascript:alert(1)", None),
            ("http://user@rail.example/", None),
            ("http:///path", None),
            ("http://rail.example:99999/", None),
            ("http://rail.example:/", None),
            ("http://rail .example/", None),
            ("/relative", None),
        ];
        for (url, expected) in table {
            assert_eq!(origin(url).as_deref(), expected, "{url}");
        }
    }

    #[test]
    fn encoding_round_trips() {
        for text in ["a b+c&d=e", "ミライロ", "openid certificate", "~._-"] {
            assert_eq!(decode(&encode(text)).as_deref(), Some(text));
        }
        assert_eq!(encode("a b"), "a%20b");
        assert_eq!(decode("a+b%2B"), Some("a b+".into()));
        assert_eq!(decode("%E3%81"), None);
        assert_eq!(decode("%zz"), None);
        assert_eq!(decode("%4"), None);
        assert_eq!(
            query_pairs("http://h/cb?code=a%2Fb&state=s&flag#frag=1"),
            Some(vec![
                ("code".into(), "a/b".into()),
                ("state".into(), "s".into()),
                ("flag".into(), String::new())
            ])
        );
        assert_eq!(without_query("http://h/t?x#y"), "http://h/t");
    }
}
