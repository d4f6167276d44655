//! Random bytes from the platform's generator (getrandom), drawn in this one place.

/// `N` bytes from the operating system's (or, in a browser, WebCrypto's) generator.
///
/// # Panics
///
/// Only if the platform has no random number generator. The message is fixed:
/// formatting getrandom's error (as `rand_core::OsRng` does) would bring its `Debug`
/// and `Display` code, and core's Unicode escaping, into the browser's wasm.
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    if getrandom::getrandom(&mut bytes).is_err() {
        no_generator();
    }
    bytes
}

#[cold]
#[allow(clippy::panic)] // no generator: nothing secure can be done (as OsRng panics)
fn no_generator() -> ! {
    panic!("no random number generator on this platform (getrandom failed)")
}

#[cfg(test)]
mod tests {
    #[test]
    fn draws_differ() {
        let (a, b) = (super::random_bytes::<32>(), super::random_bytes::<32>());
        assert_ne!(a, b);
        assert_ne!(a, [0; 32]);
    }

    #[cfg(feature = "es256")]
    #[test]
    fn generated_keys_differ() {
        let keys = (
            crate::jose::Es256SigningKey::generate(),
            crate::jose::Es256SigningKey::generate(),
        );
        assert_ne!(keys.0.public_jwk(), keys.1.public_jwk());
    }
}
