//! ES256 compact JWS (RFC 7515 §7.1, RFC 7518 §3.4): signing, parsing, verification.

#[cfg(feature = "es256")]
use super::b64url_encode;
use super::{b64url_decode, EcPublicJwk, Malformed};
use crate::json::{Map, Value};
#[cfg(feature = "es256")]
use p256::ecdsa::signature::{Signer, Verifier};
#[cfg(feature = "es256")]
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
#[cfg(feature = "es256")]
use p256::FieldBytes;
use sha2::{Digest, Sha256};
#[cfg(feature = "es256")]
use std::fmt;
use std::sync::OnceLock;

/// The message of every error that says the core has no synchronous ES256 (ja/en).
pub const ES256_UNAVAILABLE: &str =
    "ES256 is not loaded: await ready() first (先に await ready() を呼んでください)";

impl From<Es256Unavailable> for crate::VerifyError {
    /// `invalid_config`: the environment cannot verify synchronously.
    fn from(_: Es256Unavailable) -> Self {
        Self::new(crate::ErrorCode::InvalidConfig, ES256_UNAVAILABLE)
    }
}

impl From<Es256Unavailable> for crate::IdTokenError {
    fn from(_: Es256Unavailable) -> Self {
        Self::Es256Unavailable
    }
}

impl From<Es256Unavailable> for crate::status::StatusError {
    fn from(_: Es256Unavailable) -> Self {
        Self::Es256Unavailable
    }
}

/// An ES256 verification of a prehashed message, installed with
/// [`set_es256_verifier`] where the core is built without its `es256` feature (the
/// browser's wasm, whose ES256 comes from a separate module or WebCrypto): `x`, `y` the
/// key's big-endian coordinates (a point [`EcPublicJwk::from_json`] validated), `digest`
/// the SHA-256 of the signing input (the core computes it), `signature` the 64-byte
/// `r ‖ s`. It must return true only for a signature that verifies (high-S accepted,
/// `r`, `s` in `1..n`), like the `es256` build's p256 code.
pub type Es256Verify =
    fn(x: &[u8; 32], y: &[u8; 32], digest: &[u8; 32], signature: &[u8; 64]) -> bool;

static ES256_VERIFIER: OnceLock<Es256Verify> = OnceLock::new();

/// Installs the ES256 verification the core uses when built without its `es256`
/// feature. Set once: returns false (and keeps the first) when one is already set. With
/// the `es256` feature the core always verifies with p256 and never calls it.
pub fn set_es256_verifier(verify: Es256Verify) -> bool {
    ES256_VERIFIER.set(verify).is_ok()
}

/// Whether the core can verify ES256 signatures synchronously: built with its `es256`
/// feature (p256), or given a verifier with [`set_es256_verifier`].
pub fn es256_available() -> bool {
    cfg!(feature = "es256") || ES256_VERIFIER.get().is_some()
}

/// No synchronous ES256 here: the core was built without its `es256` feature and no
/// verifier was installed ([`set_es256_verifier`]). In browsers: `await ready()` first
/// (it loads the ES256 module), or use the asynchronous APIs, which use WebCrypto.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[error("{}", ES256_UNAVAILABLE)]
pub struct Es256Unavailable;

/// An ES256 (ECDSA P-256 with SHA-256) private key.
///
/// `Debug` never shows the secret; the key is zeroized on drop.
#[cfg(feature = "es256")]
#[derive(Clone)]
pub struct Es256SigningKey {
    inner: SigningKey,
}

#[cfg(feature = "es256")]
impl fmt::Debug for Es256SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Es256SigningKey")
            .field("public", &self.public_jwk().thumbprint())
            .field("secret", &"[redacted]")
            .finish()
    }
}

#[cfg(feature = "es256")]
impl Es256SigningKey {
    /// A fresh random key from the operating system's generator.
    ///
    /// # Errors
    ///
    /// [`NoRandomness`](crate::NoRandomness) when the platform has no random number
    /// generator.
    pub fn generate() -> Result<Self, crate::NoRandomness> {
        // Rejection sampling, as `SigningKey::random` does: 32 random bytes until they are
        // a scalar in 1..n (a retry has probability below 2^-32). Drawn with getrandom
        // directly: `rand_core::OsRng` formats getrandom's error when it panics, which
        // brings `Debug` and core's Unicode escaping tables into the browser's wasm.
        loop {
            if let Ok(inner) = SigningKey::from_bytes(&crate::random::random_bytes::<32>()?.into())
            {
                return Ok(Self { inner });
            }
        }
    }

    /// The key with this 32-byte big-endian secret scalar.
    ///
    /// # Errors
    ///
    /// [`Malformed`] unless `bytes` is 32 bytes encoding a scalar in `1..n`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Malformed> {
        let arr = <[u8; 32]>::try_from(bytes).map_err(|_| Malformed)?;
        let inner = SigningKey::from_bytes(&FieldBytes::from(arr)).map_err(|_| Malformed)?;
        Ok(Self { inner })
    }

    /// The 32-byte big-endian secret scalar. Handle with care.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.inner.to_bytes().into()
    }

    /// The public key as a JWK (no `kid`).
    pub fn public_jwk(&self) -> EcPublicJwk {
        EcPublicJwk::from_verifying_key(self.inner.verifying_key())
    }

    /// The public key as a p256 verifying key.
    pub fn verifying_key(&self) -> &VerifyingKey {
        self.inner.verifying_key()
    }

    /// Signs `data` and returns the 64-byte `r ‖ s` signature (deterministic, RFC 6979).
    pub fn sign_raw(&self, data: &[u8]) -> [u8; 64] {
        let sig: Signature = self.inner.sign(data);
        sig.to_bytes().into()
    }

    /// A compact JWS over `payload` with `header` (its `alg` set to `ES256`).
    pub fn sign_jws(&self, header: &Map, payload: &[u8]) -> String {
        let mut out = b64url_encode(es256_header(header).as_bytes());
        out.push('.');
        out.push_str(&b64url_encode(payload));
        let sig = self.sign_raw(out.as_bytes());
        out.push('.');
        out.push_str(&b64url_encode(&sig));
        out
    }

    /// A compact JWS whose payload is `payload` serialized as JSON.
    pub fn sign_json(&self, header: &Map, payload: &Value) -> String {
        self.sign_jws(header, payload.to_string().as_bytes())
    }
}

/// The JSON text of a protected header: `"alg":"ES256"` first, then the members of
/// `header` in order (any `alg` of its own dropped).
pub(crate) fn es256_header(header: &Map) -> String {
    let mut out = Map::new();
    out.push_new("alg".into(), "ES256".into());
    for (name, value) in header {
        if name != "alg" {
            out.push_new(name.clone(), value.clone());
        }
    }
    out.to_string()
}

/// A parsed compact JWS. Nothing is verified by parsing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Jws {
    header: Map,
    payload: Vec<u8>,
    signing_input: String,
    signature: Vec<u8>,
}

impl Jws {
    /// Splits `header.payload.signature`, decodes each part (strict base64url) and
    /// parses the header as a JSON object (strict: bounded depth, no duplicate names).
    ///
    /// # Errors
    ///
    /// [`Malformed`] on a wrong number of parts, bad base64url or a header that is not
    /// a JSON object.
    pub fn parse(compact: &str) -> Result<Self, Malformed> {
        let mut parts = compact.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Malformed);
        };
        let header_bytes = b64url_decode(h)?;
        let header = crate::json::parse_object(&header_bytes).map_err(|_| Malformed)?;
        let payload = b64url_decode(p)?;
        let signature = b64url_decode(s)?;
        let signing_input = compact
            .get(..h.len() + 1 + p.len())
            .ok_or(Malformed)?
            .to_owned();
        Ok(Self {
            header,
            payload,
            signing_input,
            signature,
        })
    }

    /// The protected header.
    pub fn header(&self) -> &Map {
        &self.header
    }

    /// A header member as a string, if it is one.
    pub fn header_str(&self, name: &str) -> Option<&str> {
        self.header.get(name).and_then(Value::as_str)
    }

    /// The decoded payload bytes.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The payload parsed as a JSON object (strict JSON).
    ///
    /// # Errors
    ///
    /// [`Malformed`] when the payload is not a JSON object.
    pub fn payload_object(&self) -> Result<Map, Malformed> {
        crate::json::parse_object(&self.payload).map_err(|_| Malformed)
    }

    /// The ASCII signing input `base64url(header) . base64url(payload)`.
    pub fn signing_input(&self) -> &str {
        &self.signing_input
    }

    /// The decoded signature bytes (64 bytes `r ‖ s` for a well-formed ES256 JWS).
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// Verifies the signature as ES256 with `key`. Does not look at the header.
    #[cfg(feature = "es256")]
    pub fn verify_es256(&self, key: &EcPublicJwk) -> bool {
        verify_es256(key, self.signing_input.as_bytes(), &self.signature)
    }

    /// [`Jws::verify_es256`] in every build (see [`try_verify_es256`]).
    ///
    /// # Errors
    ///
    /// [`Es256Unavailable`] without the `es256` feature and an installed verifier.
    pub fn try_verify_es256(&self, key: &EcPublicJwk) -> Result<bool, Es256Unavailable> {
        try_verify_es256(key, self.signing_input.as_bytes(), &self.signature)
    }
}

/// Verifies an ES256 signature (`r ‖ s`, 64 bytes) over `signing_input` with a JWK.
/// Returns false for an invalid key, a signature of another length, `r` or `s`
/// outside `1..n`, or a signature that does not verify. High-S signatures are valid
/// (JWS does not require low-S).
#[cfg(feature = "es256")]
pub fn verify_es256(key: &EcPublicJwk, signing_input: &[u8], signature: &[u8]) -> bool {
    match key.verifying_key() {
        Ok(vk) => verify_es256_key(&vk, signing_input, signature),
        Err(_) => false,
    }
}

/// [`verify_es256`] in every build: with p256 (the `es256` feature), else with the
/// verifier installed by [`set_es256_verifier`], given the SHA-256 of `signing_input`.
/// The key and signature rules are the same either way: false for an invalid key or a
/// signature that is not 64 bytes, before any verifier is asked.
///
/// # Errors
///
/// [`Es256Unavailable`] without the `es256` feature when no verifier is installed.
pub fn try_verify_es256(
    key: &EcPublicJwk,
    signing_input: &[u8],
    signature: &[u8],
) -> Result<bool, Es256Unavailable> {
    #[cfg(feature = "es256")]
    {
        Ok(verify_es256(key, signing_input, signature))
    }
    #[cfg(not(feature = "es256"))]
    {
        let verify = ES256_VERIFIER.get().ok_or(Es256Unavailable)?;
        let (Ok((x, y)), Ok(signature)) = (key.coordinates(), <&[u8; 64]>::try_from(signature))
        else {
            return Ok(false);
        };
        Ok(verify(&x, &y, &sha256(signing_input), signature))
    }
}

/// SHA-256 of `data`: the digest an ES256 signature signs.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// [`verify_es256`] with a p256 verifying key.
#[cfg(feature = "es256")]
pub fn verify_es256_key(key: &VerifyingKey, signing_input: &[u8], signature: &[u8]) -> bool {
    if signature.len() != 64 {
        return false;
    }
    match Signature::from_slice(signature) {
        Ok(sig) => key.verify(signing_input, &sig).is_ok(),
        Err(_) => false,
    }
}

/// One ES256 signature check for a caller to run, e.g. with WebCrypto: verify
/// `signature` over the ASCII `signing_input` with `key` (ECDSA P-256, SHA-256,
/// raw `r ‖ s`). [`SignatureCheck::verify`] runs it natively.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureCheck {
    /// The public key to verify with.
    pub key: EcPublicJwk,
    /// The JWS signing input (`base64url(header) . base64url(payload)`).
    pub signing_input: String,
    /// The 64-byte `r ‖ s` signature.
    pub signature: Vec<u8>,
}

impl SignatureCheck {
    /// Runs the check with the pure-Rust p256 implementation.
    #[cfg(feature = "es256")]
    pub fn verify(&self) -> bool {
        verify_es256(&self.key, self.signing_input.as_bytes(), &self.signature)
    }

    /// Runs the check synchronously in every build ([`try_verify_es256`]).
    ///
    /// # Errors
    ///
    /// [`Es256Unavailable`] without the `es256` feature when no verifier is installed.
    pub fn try_verify(&self) -> Result<bool, Es256Unavailable> {
        try_verify_es256(&self.key, self.signing_input.as_bytes(), &self.signature)
    }
}

/// Runs every check synchronously ([`SignatureCheck::try_verify`]), in order.
///
/// # Errors
///
/// [`Es256Unavailable`] without the `es256` feature when no verifier is installed.
pub fn run_checks(checks: &[SignatureCheck]) -> Result<Vec<bool>, Es256Unavailable> {
    checks.iter().map(SignatureCheck::try_verify).collect()
}

#[cfg(test)]
#[cfg(feature = "es256")]
mod tests {
    use super::*;
    use crate::json::json;

    fn key() -> Es256SigningKey {
        Es256SigningKey::from_bytes(&[7u8; 32]).unwrap()
    }

    #[test]
    fn sign_parse_verify_round_trip() {
        let k = key();
        let mut header = Map::new();
        header.insert("typ".into(), "JWT".into());
        header.insert("alg".into(), "none".into());
        let jws = k.sign_json(&header, &json!({"a": 1}));
        let parsed = Jws::parse(&jws).unwrap();
        assert_eq!(parsed.header_str("alg"), Some("ES256"));
        assert_eq!(parsed.header_str("typ"), Some("JWT"));
        assert_eq!(parsed.payload_object().unwrap()["a"], 1);
        assert!(parsed.verify_es256(&k.public_jwk()));
        assert!(!parsed.verify_es256(&Es256SigningKey::generate().unwrap().public_jwk()));
        assert_eq!(
            Es256SigningKey::from_bytes(&k.to_bytes())
                .unwrap()
                .public_jwk(),
            k.public_jwk()
        );
    }

    #[test]
    fn key_bytes_are_validated_and_redacted() {
        assert!(Es256SigningKey::from_bytes(&[0u8; 32]).is_err());
        assert!(Es256SigningKey::from_bytes(&[0xffu8; 32]).is_err());
        assert!(Es256SigningKey::from_bytes(&[1u8; 31]).is_err());
        let debug = format!("{:?}", key());
        assert!(debug.contains("redacted"));
        assert!(!debug.contains("0707"));
    }

    #[test]
    fn parse_rejects_bad_structure() {
        for bad in [
            "",
            "a.b",
            "a.b.c.d",
            "e30.e30",
            "e30.e30.e30.e30",
            "W10.e30.",                // header [] is not an object
            "e30.e30.AA=",             // padding
            "eyJhIjoxLCJhIjoyfQ.e30.", // duplicate header member
        ] {
            assert_eq!(Jws::parse(bad), Err(Malformed), "{bad:?}");
        }
        let ok = Jws::parse("e30.e30.").unwrap();
        assert_eq!(ok.signing_input(), "e30.e30");
        assert!(ok.signature().is_empty());
    }

    #[test]
    fn signature_length_and_range_are_checked() {
        let k = key();
        let jwk = k.public_jwk();
        let sig = k.sign_raw(b"x");
        assert!(verify_es256(&jwk, b"x", &sig));
        assert!(!verify_es256(&jwk, b"x", &sig[..63]));
        assert!(!verify_es256(&jwk, b"x", &[0u8; 64]));
        assert!(!verify_es256(&jwk, b"x", &[0xffu8; 64]));
    }
}
