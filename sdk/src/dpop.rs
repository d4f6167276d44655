//! DPoP proofs (RFC 9449): the client-side builder and the server-side check.

#[cfg(feature = "es256")]
use crate::jose::Es256SigningKey;
use crate::jose::{b64url_encode, EcPublicJwk, Jws};
#[cfg(feature = "es256")]
use crate::json::Map;
use crate::json::Value;
use sha2::{Digest, Sha256};

/// Largest DPoP proof accepted, in bytes.
pub const MAX_DPOP_PROOF_BYTES: usize = 8 * 1024;

/// The `ath` claim for an access token: base64url(SHA-256 of its ASCII text).
pub fn access_token_hash(access_token: &str) -> String {
    b64url_encode(&Sha256::digest(access_token.as_bytes()))
}

/// A DPoP proof JWT: header `{"typ":"dpop+jwt","alg":"ES256","jwk":<public key>}`,
/// claims `jti`, `htm`, `htu`, `iat` and, when given, `ath` (see [`access_token_hash`]).
#[cfg(feature = "es256")]
pub fn dpop_proof(
    key: &Es256SigningKey,
    htm: &str,
    htu: &str,
    iat: i64,
    jti: &str,
    ath: Option<&str>,
) -> String {
    dpop_proof_with_nonce(key, htm, htu, iat, jti, ath, None)
}

/// [`dpop_proof`] with the server-provided `nonce` claim (RFC 9449 §8) when given.
#[cfg(feature = "es256")]
pub fn dpop_proof_with_nonce(
    key: &Es256SigningKey,
    htm: &str,
    htu: &str,
    iat: i64,
    jti: &str,
    ath: Option<&str>,
    nonce: Option<&str>,
) -> String {
    let mut header = Map::new();
    header.insert("typ".into(), "dpop+jwt".into());
    header.insert("jwk".into(), key.public_jwk().to_json());
    let mut claims = Map::new();
    claims.insert("jti".into(), jti.into());
    claims.insert("htm".into(), htm.into());
    claims.insert("htu".into(), htu.into());
    claims.insert("iat".into(), iat.into());
    if let Some(ath) = ath {
        claims.insert("ath".into(), ath.into());
    }
    if let Some(nonce) = nonce {
        claims.insert("nonce".into(), nonce.into());
    }
    key.sign_json(&header, &Value::Object(claims))
}

/// A DPoP proof that passed [`verify_dpop_proof`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DpopProof {
    /// The public key from the proof header.
    pub jwk: EcPublicJwk,
    /// Its RFC 7638 thumbprint (compare with `dpop_jkt` / `cnf.jkt`).
    pub jkt: String,
    /// The proof's unique id; the caller rejects a `jti` it has seen before.
    pub jti: String,
    /// The proof's issue time.
    pub iat: i64,
    /// The `nonce` claim (RFC 9449 §8), when the proof has one.
    pub nonce: Option<String>,
}

impl DpopProof {
    /// The server-nonce rule of RFC 9449 §8: the proof must carry one of the nonces
    /// the server currently accepts (`accepted`, newest first, typically the current
    /// one and the one it replaced).
    ///
    /// # Errors
    ///
    /// [`DpopError::UseNonce`] when the `nonce` claim is missing or not accepted; the
    /// server answers `use_dpop_nonce` with a fresh `DPoP-Nonce` header.
    pub fn check_nonce(&self, accepted: &[&str]) -> Result<(), DpopError> {
        match self.nonce.as_deref() {
            Some(n) if accepted.contains(&n) => Ok(()),
            _ => Err(DpopError::UseNonce),
        }
    }
}

/// True when `nonce` is a syntactically valid DPoP nonce (RFC 9449 §8.1:
/// `1*NQCHAR`, i.e. visible ASCII except `"` and `\`), at most
/// [`MAX_DPOP_NONCE_BYTES`] long.
pub fn is_valid_nonce(nonce: &str) -> bool {
    !nonce.is_empty()
        && nonce.len() <= MAX_DPOP_NONCE_BYTES
        && nonce
            .bytes()
            .all(|b| (0x21..=0x7e).contains(&b) && b != b'"' && b != b'\\')
}

/// Longest `DPoP-Nonce` a client remembers, in bytes.
pub const MAX_DPOP_NONCE_BYTES: usize = 512;

/// Why a DPoP proof was refused (all map to OAuth `invalid_dpop_proof`, except
/// [`DpopError::UseNonce`], which is `use_dpop_nonce`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DpopError {
    /// Not a compact JWS with JSON header and claims, or too large.
    #[error("malformed DPoP proof")]
    Malformed,
    /// `alg` is not ES256.
    #[error("unsupported DPoP algorithm")]
    UnsupportedAlgorithm,
    /// `typ` is not `dpop+jwt`.
    #[error("wrong DPoP proof type")]
    WrongType,
    /// The header `jwk` is missing, not an EC P-256 public key, or has a private part.
    #[error("invalid DPoP key")]
    InvalidKey,
    /// The signature does not verify with the header key.
    #[error("bad DPoP signature")]
    BadSignature,
    /// `jti`, `htm`, `htu` or `iat` is missing or ill-typed.
    #[error("missing DPoP claim")]
    MissingClaim,
    /// `htm` is not the request method.
    #[error("DPoP htm mismatch")]
    WrongMethod,
    /// `htu` is not the request URI (query and fragment ignored).
    #[error("DPoP htu mismatch")]
    WrongUri,
    /// `iat` is outside now ± leeway.
    #[error("DPoP iat outside the accepted window")]
    StaleOrFuture,
    /// `ath` is missing or does not match the access token.
    #[error("DPoP ath mismatch")]
    AthMismatch,
    /// The server demands a nonce and the proof has none or a stale one
    /// ([`DpopProof::check_nonce`]): answered `use_dpop_nonce`, not `invalid_dpop_proof`.
    #[error("DPoP nonce missing or stale")]
    UseNonce,
}

fn without_query_or_fragment(uri: &str) -> &str {
    let end = uri.find(['?', '#']).unwrap_or(uri.len());
    uri.get(..end).unwrap_or(uri)
}

/// Checks a DPoP proof for a request: `typ` `dpop+jwt`, `alg` `ES256`, a public EC
/// P-256 `jwk` in the header (no `d`), its signature, `htm` equal to
/// `expected_htm`, `htu` equal to `expected_htu` (query and fragment of both
/// ignored), `iat` within `now ± leeway`, a non-empty `jti`, and `ath` equal to
/// `expected_ath` when one is given. Replay (`jti` seen before) is the caller's check.
///
/// # Errors
///
/// The first failing check as a [`DpopError`].
pub fn verify_dpop_proof(
    proof: &str,
    expected_htm: &str,
    expected_htu: &str,
    now: i64,
    leeway: u64,
    expected_ath: Option<&str>,
) -> Result<DpopProof, DpopError> {
    if proof.len() > MAX_DPOP_PROOF_BYTES {
        return Err(DpopError::Malformed);
    }
    let jws = Jws::parse(proof).map_err(|_| DpopError::Malformed)?;
    let claims = jws.payload_object().map_err(|_| DpopError::Malformed)?;
    if jws.header_str("typ") != Some("dpop+jwt") {
        return Err(DpopError::WrongType);
    }
    if jws.header_str("alg") != Some("ES256") || jws.header().contains_key("crit") {
        return Err(DpopError::UnsupportedAlgorithm);
    }
    let jwk = jws
        .header()
        .get("jwk")
        .ok_or(DpopError::InvalidKey)
        .and_then(|v| EcPublicJwk::from_json(v).map_err(|_| DpopError::InvalidKey))?;
    // Without the `es256` feature and an installed verifier nothing verifies: refused.
    if jws.try_verify_es256(&jwk) != Ok(true) {
        return Err(DpopError::BadSignature);
    }
    let text = |name: &str| claims.get(name).and_then(Value::as_str);
    let jti = text("jti")
        .filter(|j| !j.is_empty())
        .ok_or(DpopError::MissingClaim)?;
    let htm = text("htm").ok_or(DpopError::MissingClaim)?;
    let htu = text("htu").ok_or(DpopError::MissingClaim)?;
    let iat = claims
        .get("iat")
        .and_then(Value::as_i64)
        .ok_or(DpopError::MissingClaim)?;
    if htm != expected_htm {
        return Err(DpopError::WrongMethod);
    }
    if without_query_or_fragment(htu) != without_query_or_fragment(expected_htu) {
        return Err(DpopError::WrongUri);
    }
    let leeway = i64::try_from(leeway).unwrap_or(i64::MAX);
    if iat > now.saturating_add(leeway) || iat < now.saturating_sub(leeway) {
        return Err(DpopError::StaleOrFuture);
    }
    if let Some(expected) = expected_ath {
        if text("ath") != Some(expected) {
            return Err(DpopError::AthMismatch);
        }
    }
    let nonce = match claims.get("nonce") {
        None => None,
        Some(Value::String(n)) => Some(n.clone()),
        Some(_) => return Err(DpopError::MissingClaim),
    };
    Ok(DpopProof {
        jkt: jwk.thumbprint(),
        jwk,
        jti: jti.to_owned(),
        iat,
        nonce,
    })
}

#[cfg(test)]
#[cfg(feature = "es256")]
mod tests {
    use super::*;
    use crate::json::json;

    const URL: &str = "http://127.0.0.1:8080/token";
    const NOW: i64 = 1_764_200_000;

    fn key() -> Es256SigningKey {
        Es256SigningKey::from_bytes(&[5u8; 32]).unwrap()
    }

    fn check(proof: &str) -> Result<DpopProof, DpopError> {
        verify_dpop_proof(proof, "POST", URL, NOW, 60, None)
    }

    fn forged(header: Value, claims: Value) -> String {
        key().sign_json(header.as_object().unwrap(), &claims)
    }

    #[test]
    fn valid_proof_yields_key_and_thumbprint() {
        let k = key();
        let ok = check(&dpop_proof(&k, "POST", URL, NOW - 60, "j1", None)).unwrap();
        assert_eq!(ok.jkt, k.public_jwk().thumbprint());
        assert_eq!((ok.jti.as_str(), ok.iat), ("j1", NOW - 60));
        // Query and fragment are ignored.
        assert!(check(&dpop_proof(
            &k,
            "POST",
            "http://127.0.0.1:8080/token?x=1#f",
            NOW,
            "j",
            None
        ))
        .is_ok());
        let ath = access_token_hash("tok");
        let p = dpop_proof(&k, "GET", URL, NOW, "j", Some(&ath));
        assert!(verify_dpop_proof(&p, "GET", URL, NOW, 60, Some(&ath)).is_ok());
    }

    #[test]
    fn each_rule_has_its_error() {
        let k = key();
        let jwk = k.public_jwk().to_json();
        let mut private = jwk.clone();
        private
            .as_object_mut()
            .unwrap()
            .insert("d".into(), json!("AAAA"));
        let claims = json!({"jti":"j","htm":"POST","htu":URL,"iat":NOW});
        let mut tampered = dpop_proof(&k, "POST", URL, NOW, "j", None);
        tampered.pop();
        tampered.push('A');
        let table = [
            ("not a jws".to_owned(), DpopError::Malformed),
            ("A".repeat(MAX_DPOP_PROOF_BYTES + 1), DpopError::Malformed),
            (
                forged(json!({"typ":"JWT","jwk":jwk}), claims.clone()),
                DpopError::WrongType,
            ),
            (
                forged(
                    json!({"typ":"dpop+jwt","jwk":jwk,"crit":["x"]}),
                    claims.clone(),
                ),
                DpopError::UnsupportedAlgorithm,
            ),
            (
                forged(json!({"typ":"dpop+jwt"}), claims.clone()),
                DpopError::InvalidKey,
            ),
            (
                forged(json!({"typ":"dpop+jwt","jwk":private}), claims.clone()),
                DpopError::InvalidKey,
            ),
            (
                forged(
                    json!({"typ":"dpop+jwt","jwk":Es256SigningKey::generate().unwrap().public_jwk().to_json()}),
                    claims.clone(),
                ),
                DpopError::BadSignature,
            ),
            (tampered, DpopError::BadSignature),
            (
                forged(
                    json!({"typ":"dpop+jwt","jwk":jwk}),
                    json!({"htm":"POST","htu":URL,"iat":NOW}),
                ),
                DpopError::MissingClaim,
            ),
            (
                dpop_proof(&k, "GET", URL, NOW, "j", None),
                DpopError::WrongMethod,
            ),
            (
                dpop_proof(
                    &k,
                    "POST",
                    "http://127.0.0.1:8080/authorize",
                    NOW,
                    "j",
                    None,
                ),
                DpopError::WrongUri,
            ),
            (
                dpop_proof(&k, "POST", URL, NOW - 61, "j", None),
                DpopError::StaleOrFuture,
            ),
            (
                dpop_proof(&k, "POST", URL, NOW + 61, "j", None),
                DpopError::StaleOrFuture,
            ),
        ];
        for (proof, expected) in table {
            assert_eq!(check(&proof), Err(expected), "{proof:.60}");
        }
        let p = dpop_proof(&k, "GET", URL, NOW, "j", Some("other"));
        assert_eq!(
            verify_dpop_proof(&p, "GET", URL, NOW, 60, Some(&access_token_hash("tok"))),
            Err(DpopError::AthMismatch)
        );
        // A nonce claim that is not a string is ill-typed.
        let p = forged(
            json!({"typ":"dpop+jwt","jwk":jwk}),
            json!({"jti":"j","htm":"POST","htu":URL,"iat":NOW,"nonce":5}),
        );
        assert_eq!(check(&p), Err(DpopError::MissingClaim));
    }

    #[test]
    fn nonce_rule() {
        let k = key();
        // (nonce in the proof, nonces the server accepts, accepted?)
        let table: [(Option<&str>, &[&str], bool); 6] = [
            (Some("n2"), &["n2", "n1"], true),
            (Some("n1"), &["n2", "n1"], true),
            (Some("n0"), &["n2", "n1"], false),
            (None, &["n2"], false),
            (Some(""), &["n2"], false),
            (Some("n2"), &[], false),
        ];
        for (nonce, accepted, ok) in table {
            let p = dpop_proof_with_nonce(&k, "POST", URL, NOW, "j", None, nonce);
            let proof = check(&p).unwrap();
            assert_eq!(proof.nonce.as_deref(), nonce);
            let expected = if ok { Ok(()) } else { Err(DpopError::UseNonce) };
            assert_eq!(
                proof.check_nonce(accepted),
                expected,
                "{nonce:?} {accepted:?}"
            );
        }
        let valid = [
            "a",
            "eyJ7S_zG.eyJH0-Z.HX4w-7v",
            &"n".repeat(MAX_DPOP_NONCE_BYTES),
        ];
        let invalid = [
            "",
            "a b",
            "a\"b",
            "a\\b",
            "ü",
            &"n".repeat(MAX_DPOP_NONCE_BYTES + 1),
        ];
        for n in valid {
            assert!(is_valid_nonce(n), "{n:.20}");
        }
        for n in invalid {
            assert!(!is_valid_nonce(n), "{n:.20}");
        }
    }
}
