//! Signing with a key the SDK cannot read: the JWS is built in two phases, so the
//! signature can come from anywhere (WebCrypto with a non-extractable key, an HSM,
//! or [`crate::jose::Es256SigningKey::sign_raw`] natively).

use super::LoginError;
use crate::jose::{b64url_encode, EcPublicJwk};
use crate::json::{Map, Value};

/// A JWS waiting for its ES256 signature: sign [`PendingJws::signing_input`] (ASCII)
/// with ECDSA P-256 / SHA-256 and pass the raw 64-byte `r ‖ s` to
/// [`PendingJws::finish`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingJws {
    signing_input: String,
}

impl PendingJws {
    /// A JWS with this header (its `alg` forced to `ES256`) and JSON claims.
    pub fn new(header: &Map, claims: &Value) -> Self {
        let mut signing_input = b64url_encode(crate::jose::es256_header(header).as_bytes());
        signing_input.push('.');
        signing_input.push_str(&b64url_encode(claims.to_string().as_bytes()));
        Self { signing_input }
    }

    /// The bytes to sign (`base64url(header) . base64url(claims)`).
    pub fn signing_input(&self) -> &str {
        &self.signing_input
    }

    /// The compact JWS.
    ///
    /// # Errors
    ///
    /// `malformed` unless `signature` is 64 bytes (WebCrypto's ECDSA output format).
    pub fn finish(self, signature: &[u8]) -> Result<String, LoginError> {
        if signature.len() != 64 {
            return Err(LoginError::Malformed("an ES256 signature is 64 bytes"));
        }
        let mut out = self.signing_input;
        out.push('.');
        out.push_str(&b64url_encode(signature));
        Ok(out)
    }
}

/// A DPoP proof (RFC 9449 §4.2) to be signed by the key whose public half is `jwk`:
/// header `{"typ":"dpop+jwt","alg":"ES256","jwk":…}`, claims `jti`, `htm`, `htu`
/// (query and fragment removed), `iat`, for a resource request `ath`, and the
/// server's latest `nonce` (RFC 9449 §8) when it gave one.
pub fn dpop_proof_input(
    jwk: &EcPublicJwk,
    htm: &str,
    htu: &str,
    iat: i64,
    jti: &str,
    ath: Option<&str>,
    nonce: Option<&str>,
) -> PendingJws {
    let mut public = jwk.clone();
    public.kid = None;
    public.key_use = None;
    public.alg = None;
    let mut header = Map::new();
    header.insert("typ".into(), "dpop+jwt".into());
    header.insert("jwk".into(), public.to_json());
    let mut claims = Map::new();
    claims.insert("jti".into(), jti.into());
    claims.insert("htm".into(), htm.into());
    claims.insert("htu".into(), super::url::without_query(htu).into());
    claims.insert("iat".into(), iat.into());
    if let Some(ath) = ath {
        claims.insert("ath".into(), ath.into());
    }
    if let Some(nonce) = nonce {
        claims.insert("nonce".into(), nonce.into());
    }
    PendingJws::new(&header, &Value::Object(claims))
}

#[cfg(test)]
#[cfg(feature = "es256")] // the tests sign with Es256SigningKey
mod tests {
    use super::*;
    use crate::dpop::verify_dpop_proof;
    use crate::jose::Es256SigningKey;

    #[test]
    fn two_phase_dpop_proof_verifies_as_rfc9449() {
        let key = Es256SigningKey::from_bytes(&[9u8; 32]).unwrap();
        let pending = dpop_proof_input(
            &key.public_jwk(),
            "POST",
            "http://127.0.0.1:8080/token?x=1",
            1_764_200_000,
            "jti-1",
            None,
            Some("n-1"),
        );
        let sig = key.sign_raw(pending.signing_input().as_bytes());
        let proof = pending.clone().finish(&sig).unwrap();
        let ok = verify_dpop_proof(
            &proof,
            "POST",
            "http://127.0.0.1:8080/token",
            1_764_200_000,
            60,
            None,
        )
        .unwrap();
        assert_eq!(ok.jkt, key.public_jwk().thumbprint());
        assert_eq!(ok.nonce.as_deref(), Some("n-1"));
        assert_eq!(pending.finish(&sig[..63]).unwrap_err().code(), "malformed");
    }
}
