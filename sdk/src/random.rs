//! Random bytes from the platform's generator (getrandom), drawn in this one place.

use std::fmt;

/// The platform has no secure random number generator (getrandom failed). Every
/// browser has `crypto.getRandomValues` and Node ≥ 20 has it too, so the SDK never
/// meets this in practice; where it would, a typed error (`invalid_config`) takes the
/// place of a panic, which in wasm would kill the partner's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoRandomness;

impl NoRandomness {
    /// The message of the `invalid_config` errors made from it (ja/en).
    pub const MESSAGE: &'static str =
        "no secure random number source on this platform / この環境には安全な乱数源がありません";
}

impl fmt::Display for NoRandomness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::MESSAGE)
    }
}

impl std::error::Error for NoRandomness {}

/// `N` bytes from the operating system's (or, in a browser, WebCrypto's) generator.
///
/// # Errors
///
/// [`NoRandomness`] when the platform has no generator. The error carries nothing of
/// getrandom's: formatting it would bring its `Debug` and `Display` code, and core's
/// Unicode escaping, into the browser's wasm.
pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], NoRandomness> {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes).map_err(|_| NoRandomness)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    #[test]
    fn draws_differ() {
        let (a, b) = (
            super::random_bytes::<32>().unwrap(),
            super::random_bytes::<32>().unwrap(),
        );
        assert_ne!(a, b);
        assert_ne!(a, [0; 32]);
    }

    #[test]
    fn no_randomness_is_a_typed_invalid_config_in_ja_and_en() {
        let e = crate::oidc::LoginError::from(super::NoRandomness);
        assert_eq!(e.code(), "invalid_config");
        let text = e.to_string();
        assert!(text.contains("random number source"), "{text}");
        assert!(text.contains("乱数源"), "{text}");
    }

    #[cfg(feature = "es256")]
    #[test]
    fn generated_keys_differ() {
        let keys = (
            crate::jose::Es256SigningKey::generate().unwrap(),
            crate::jose::Es256SigningKey::generate().unwrap(),
        );
        assert_ne!(keys.0.public_jwk(), keys.1.public_jwk());
    }
}
