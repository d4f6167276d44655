//! Strict base64url without padding (RFC 7515 §2, RFC 4648 §5).

use super::Malformed;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Encodes bytes as base64url without padding.
pub fn b64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b0 = chunk.first().copied().unwrap_or(0);
        let b1 = chunk.get(1).copied().unwrap_or(0);
        let b2 = chunk.get(2).copied().unwrap_or(0);
        let n = (u32::from(b0) << 16) | (u32::from(b1) << 8) | u32::from(b2);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            let idx = ((n >> (18 - 6 * i)) & 0x3f) as usize;
            if let Some(&c) = ALPHABET.get(idx) {
                out.push(char::from(c));
            }
        }
    }
    out
}

fn sextet(c: u8) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' => 62,
        b'_' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

/// Decodes strict base64url: only `A–Z a–z 0–9 - _`, no padding, no whitespace, and
/// the unused low bits of the last character must be zero (canonical encoding).
///
/// # Errors
///
/// [`Malformed`] on any other character, an impossible length (4n + 1) or
/// non-canonical trailing bits.
pub fn b64url_decode(text: &str) -> Result<Vec<u8>, Malformed> {
    let input = text.as_bytes();
    if input.len() % 4 == 1 {
        return Err(Malformed);
    }
    let mut out = Vec::with_capacity(input.len() / 4 * 3 + 2);
    for chunk in input.chunks(4) {
        let mut n: u32 = 0;
        for &c in chunk {
            n = (n << 6) | sextet(c).ok_or(Malformed)?;
        }
        match chunk.len() {
            4 => out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]),
            3 => {
                // 18 bits: 16 data bits, 2 padding bits that must be zero.
                if n & 0x3 != 0 {
                    return Err(Malformed);
                }
                out.extend_from_slice(&[(n >> 10) as u8, (n >> 2) as u8]);
            }
            2 => {
                // 12 bits: 8 data bits, 4 padding bits that must be zero.
                if n & 0xf != 0 {
                    return Err(Malformed);
                }
                out.push((n >> 4) as u8);
            }
            _ => return Err(Malformed),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4648_vectors_round_trip() {
        for (raw, enc) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(b64url_encode(raw.as_bytes()), enc);
            assert_eq!(b64url_decode(enc).unwrap(), raw.as_bytes());
        }
        assert_eq!(b64url_encode(&[0xfb, 0xff]), "-_8");
        assert_eq!(b64url_decode("-_8").unwrap(), [0xfb, 0xff]);
    }

    #[test]
    fn rejects_non_strict_input() {
        for bad in [
            "Zg==", "Zm9v+", "Zm9v/", "Zm 9v", "Zm9v\n", "Z", "Zh", "Zm9", "Zm-", "é", "Zm9vY",
        ] {
            assert_eq!(b64url_decode(bad), Err(Malformed), "{bad:?}");
        }
    }

    #[test]
    fn every_byte_string_up_to_three_round_trips() {
        for a in 0..=255u8 {
            for len in 1..=3 {
                let v = vec![a; len];
                assert_eq!(b64url_decode(&b64url_encode(&v)).unwrap(), v);
            }
        }
    }
}
