//! EC P-256 public JWKs (RFC 7517/7518 §6.2) and JWK Sets.

use super::{b64url_decode, b64url_encode, Malformed};
use crate::json::{Map, Value};
use crypto_bigint::modular::constant_mod::ResidueParams;
use crypto_bigint::{const_residue, impl_modulus, Encoding, U256};
#[cfg(feature = "es256")]
use p256::ecdsa::VerifyingKey;
#[cfg(feature = "es256")]
use p256::{EncodedPoint, FieldBytes};
use sha2::{Digest, Sha256};

// The P-256 base field (SEC 2 §2.4.2): p = 2^256 − 2^224 + 2^192 + 2^96 − 1.
impl_modulus!(
    P256Field,
    U256,
    "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"
);
/// The curve's `b` (its `a` is −3).
const CURVE_B: U256 =
    U256::from_be_hex("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b");

/// Whether `(x, y)` (big-endian) is a point of P-256: both coordinates below `p` and
/// `y² = x³ − 3x + b (mod p)`. This is exactly the test p256 makes of an uncompressed
/// SEC1 point (an affine point on the curve is never the identity), written with
/// crypto-bigint's constant-modulus arithmetic so that the core validates keys the same
/// way without p256 (the browser's wasm); `tests/es256_feature.rs` checks it against
/// p256 on random and edge inputs.
pub(crate) fn is_on_curve(x: &[u8; 32], y: &[u8; 32]) -> bool {
    let (x, y) = (U256::from_be_bytes(*x), U256::from_be_bytes(*y));
    if x >= P256Field::MODULUS || y >= P256Field::MODULUS {
        return false;
    }
    let x = const_residue!(x, P256Field);
    let y = const_residue!(y, P256Field);
    let b = const_residue!(CURVE_B, P256Field);
    let rhs = x.square() * x - x - x - x + b;
    y.square().retrieve() == rhs.retrieve()
}

/// Why a JWK is not a usable EC P-256 public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwkError {
    /// Not a JSON object, or a member has the wrong JSON type.
    #[error("malformed JWK")]
    Malformed,
    /// `kty` is not `EC`.
    #[error("unsupported key type")]
    UnsupportedKeyType,
    /// `crv` is not `P-256`.
    #[error("unsupported curve")]
    UnsupportedCurve,
    /// `x`/`y` are not 32-byte base64url coordinates of a point on P-256.
    #[error("invalid EC point")]
    InvalidPoint,
    /// The JWK carries private key material (`d`) where a public key belongs.
    #[error("private key material in a public JWK")]
    PrivateKey,
}

/// An EC P-256 public key as a JWK (`kty` `EC`, `crv` `P-256`).
///
/// Built by [`EcPublicJwk::from_json`] (which validates the point) or from a
/// [`VerifyingKey`]. [`TryFrom<Value>`] goes through the same validation.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct EcPublicJwk {
    /// Key id (`kid`).
    pub kid: Option<String>,
    /// base64url of the 32-byte big-endian x coordinate.
    pub x: String,
    /// base64url of the 32-byte big-endian y coordinate.
    pub y: String,
    /// Public key use (`use`), e.g. `sig`.
    pub key_use: Option<String>,
    /// Algorithm (`alg`), e.g. `ES256`.
    pub alg: Option<String>,
}

fn coordinate(text: &str) -> Result<[u8; 32], JwkError> {
    let bytes = b64url_decode(text).map_err(|_| JwkError::InvalidPoint)?;
    <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| JwkError::InvalidPoint)
}

fn optional_string(obj: &Map, name: &str) -> Result<Option<String>, JwkError> {
    match obj.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(JwkError::Malformed),
    }
}

impl EcPublicJwk {
    /// The JWK of a P-256 verifying key, without `kid`, `use` or `alg`.
    #[cfg(feature = "es256")]
    pub fn from_verifying_key(key: &VerifyingKey) -> Self {
        let point = key.to_encoded_point(false);
        let x = point.x().map(|x| b64url_encode(x)).unwrap_or_default();
        let y = point.y().map(|y| b64url_encode(y)).unwrap_or_default();
        Self {
            kid: None,
            x,
            y,
            key_use: None,
            alg: None,
        }
    }

    /// Parses and validates a JWK: `kty` `EC`, `crv` `P-256`, `x`/`y` 32-byte
    /// base64url coordinates of a point on the curve, no `d`; `kid`, `use` and `alg`
    /// strings when present. Other members are ignored.
    ///
    /// # Errors
    ///
    /// A [`JwkError`] naming the first problem found.
    pub fn from_json(value: &Value) -> Result<Self, JwkError> {
        let obj = value.as_object().ok_or(JwkError::Malformed)?;
        match obj.get("kty") {
            Some(Value::String(k)) if k == "EC" => {}
            Some(Value::String(_)) => return Err(JwkError::UnsupportedKeyType),
            _ => return Err(JwkError::Malformed),
        }
        match obj.get("crv") {
            Some(Value::String(c)) if c == "P-256" => {}
            Some(Value::String(_)) => return Err(JwkError::UnsupportedCurve),
            _ => return Err(JwkError::Malformed),
        }
        if obj.contains_key("d") {
            return Err(JwkError::PrivateKey);
        }
        let x = optional_string(obj, "x")?.ok_or(JwkError::Malformed)?;
        let y = optional_string(obj, "y")?.ok_or(JwkError::Malformed)?;
        let jwk = Self {
            kid: optional_string(obj, "kid")?,
            x,
            y,
            key_use: optional_string(obj, "use")?,
            alg: optional_string(obj, "alg")?,
        };
        jwk.coordinates()?;
        Ok(jwk)
    }

    /// The big-endian coordinates, checked to be a point of P-256 (in every build: the
    /// rule does not need p256, see [`is_on_curve`]).
    ///
    /// # Errors
    ///
    /// [`JwkError::InvalidPoint`] when `x`/`y` are not a valid P-256 point.
    pub fn coordinates(&self) -> Result<([u8; 32], [u8; 32]), JwkError> {
        let (x, y) = (coordinate(&self.x)?, coordinate(&self.y)?);
        if is_on_curve(&x, &y) {
            Ok((x, y))
        } else {
            Err(JwkError::InvalidPoint)
        }
    }

    /// The P-256 verifying key, checking that the point is on the curve.
    ///
    /// # Errors
    ///
    /// [`JwkError::InvalidPoint`] when `x`/`y` are not a valid P-256 point.
    #[cfg(feature = "es256")]
    pub fn verifying_key(&self) -> Result<VerifyingKey, JwkError> {
        let x = FieldBytes::from(coordinate(&self.x)?);
        let y = FieldBytes::from(coordinate(&self.y)?);
        let point = EncodedPoint::from_affine_coordinates(&x, &y, false);
        VerifyingKey::from_encoded_point(&point).map_err(|_| JwkError::InvalidPoint)
    }

    /// The uncompressed SEC1 encoding (`04 ‖ x ‖ y`, 65 bytes), as WebCrypto's `raw`
    /// import expects.
    ///
    /// # Errors
    ///
    /// [`JwkError::InvalidPoint`] when `x`/`y` are not a valid P-256 point.
    pub fn to_sec1_uncompressed(&self) -> Result<[u8; 65], JwkError> {
        let (x, y) = self.coordinates()?;
        let mut out = [4u8; 65];
        for (slot, byte) in out.iter_mut().skip(1).zip(x.iter().chain(y.iter())) {
            *slot = *byte;
        }
        Ok(out)
    }

    /// The RFC 7638 JWK thumbprint: base64url(SHA-256 of
    /// `{"crv":"P-256","kty":"EC","x":…,"y":…}`).
    pub fn thumbprint(&self) -> String {
        let canonical = format!(
            r#"{{"crv":"P-256","kty":"EC","x":{},"y":{}}}"#,
            Value::String(self.x.clone()),
            Value::String(self.y.clone())
        );
        b64url_encode(&Sha256::digest(canonical.as_bytes()))
    }

    /// The JWK as JSON: `kty`, `crv`, `x`, `y`, and `kid`/`use`/`alg` when set.
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        map.insert("kty".into(), "EC".into());
        map.insert("crv".into(), "P-256".into());
        map.insert("x".into(), self.x.clone().into());
        map.insert("y".into(), self.y.clone().into());
        if let Some(kid) = &self.kid {
            map.insert("kid".into(), kid.clone().into());
        }
        if let Some(u) = &self.key_use {
            map.insert("use".into(), u.clone().into());
        }
        if let Some(a) = &self.alg {
            map.insert("alg".into(), a.clone().into());
        }
        Value::Object(map)
    }

    /// True when the key may verify ES256 signatures: `use` absent or `sig`, `alg`
    /// absent or `ES256`.
    pub fn is_es256_signing_key(&self) -> bool {
        self.key_use.as_deref().is_none_or(|u| u == "sig")
            && self.alg.as_deref().is_none_or(|a| a == "ES256")
    }
}

impl TryFrom<Value> for EcPublicJwk {
    type Error = JwkError;
    fn try_from(value: Value) -> Result<Self, JwkError> {
        Self::from_json(&value)
    }
}

impl From<EcPublicJwk> for Value {
    fn from(jwk: EcPublicJwk) -> Value {
        jwk.to_json()
    }
}

/// A JWK Set reduced to its usable ES256 keys (EC P-256, valid point, `use` absent or
/// `sig`, `alg` absent or `ES256`, no private part). Other entries are skipped, as
/// RFC 7517 §5 requires, never a reason to reject the set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JwkSet {
    keys: Vec<EcPublicJwk>,
}

impl JwkSet {
    /// A set holding exactly these keys (e.g. for a provider to publish).
    pub fn from_keys(keys: Vec<EcPublicJwk>) -> Self {
        Self { keys }
    }

    /// Reads a JWK Set object, keeping the usable keys.
    ///
    /// # Errors
    ///
    /// [`Malformed`] only when `value` is not an object with a `keys` array.
    pub fn from_json(value: &Value) -> Result<Self, Malformed> {
        let keys = value
            .as_object()
            .and_then(|o| o.get("keys"))
            .and_then(Value::as_array)
            .ok_or(Malformed)?;
        let keys = keys
            .iter()
            .filter_map(|k| EcPublicJwk::from_json(k).ok())
            .filter(EcPublicJwk::is_es256_signing_key)
            .collect();
        Ok(Self { keys })
    }

    /// Parses a JWK Set from JSON text (strict JSON, bounded depth).
    ///
    /// # Errors
    ///
    /// [`Malformed`] when the text is not JSON or not an object with a `keys` array.
    pub fn parse(text: &str) -> Result<Self, Malformed> {
        let value = crate::json::parse(text).map_err(|_| Malformed)?;
        Self::from_json(&value)
    }

    /// The usable keys, in the order of the set.
    pub fn keys(&self) -> &[EcPublicJwk] {
        &self.keys
    }

    /// The first usable key with this `kid`.
    pub fn find(&self, kid: &str) -> Option<&EcPublicJwk> {
        self.keys.iter().find(|k| k.kid.as_deref() == Some(kid))
    }

    /// The key to use for a token: by `kid` when given; without `kid`, the only key
    /// when the set holds exactly one (OIDC Core §10.1), else none.
    pub fn select(&self, kid: Option<&str>) -> Option<&EcPublicJwk> {
        match kid {
            Some(kid) => self.find(kid),
            None => match self.keys.as_slice() {
                [only] => Some(only),
                _ => None,
            },
        }
    }

    /// Number of usable keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when no key is usable.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The set as JSON (`{"keys":[…]}`).
    pub fn to_json(&self) -> Value {
        let keys = self.keys.iter().map(EcPublicJwk::to_json).collect();
        let mut map = Map::new();
        map.insert("keys".into(), Value::Array(keys));
        Value::Object(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::json;

    // RFC 7515 A.3 key.
    const X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
    const Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";

    #[test]
    fn parses_and_round_trips() {
        let v = json!({"kty":"EC","crv":"P-256","x":X,"y":Y,"kid":"k1","use":"sig","alg":"ES256","key_ops":["verify"]});
        let jwk = EcPublicJwk::from_json(&v).unwrap();
        assert_eq!(jwk.kid.as_deref(), Some("k1"));
        let back = jwk.to_json();
        assert_eq!(
            back,
            json!({"kty":"EC","crv":"P-256","x":X,"y":Y,"kid":"k1","use":"sig","alg":"ES256"})
        );
        let via_try_from = EcPublicJwk::try_from(back).unwrap();
        assert_eq!(via_try_from, jwk);
        assert_eq!(Value::from(jwk)["kty"], "EC");
    }

    #[test]
    fn rejects_unusable_keys() {
        let table = [
            (json!([]), JwkError::Malformed),
            (
                json!({"kty":"RSA","n":"AQAB","e":"AQAB"}),
                JwkError::UnsupportedKeyType,
            ),
            (
                json!({"kty":"EC","crv":"P-384","x":X,"y":Y}),
                JwkError::UnsupportedCurve,
            ),
            (json!({"kty":"EC","crv":"P-256","x":X}), JwkError::Malformed),
            (
                json!({"kty":"EC","crv":"P-256","x":X,"y":X}),
                JwkError::InvalidPoint,
            ),
            (
                json!({"kty":"EC","crv":"P-256","x":X,"y":"AAAA"}),
                JwkError::InvalidPoint,
            ),
            (
                json!({"kty":"EC","crv":"P-256","x":X,"y":Y,"d":X}),
                JwkError::PrivateKey,
            ),
            (
                json!({"kty":"EC","crv":"P-256","x":X,"y":Y,"kid":7}),
                JwkError::Malformed,
            ),
        ];
        for (value, expected) in table {
            assert_eq!(EcPublicJwk::from_json(&value), Err(expected), "{value}");
        }
    }

    #[test]
    fn rfc7638_thumbprint_shape() {
        let jwk = EcPublicJwk::from_json(&json!({"kty":"EC","crv":"P-256","x":X,"y":Y})).unwrap();
        let expected = b64url_encode(&Sha256::digest(
            format!(r#"{{"crv":"P-256","kty":"EC","x":"{X}","y":"{Y}"}}"#).as_bytes(),
        ));
        assert_eq!(jwk.thumbprint(), expected);
        assert_eq!(jwk.thumbprint().len(), 43);
    }

    #[test]
    fn jwk_set_skips_unusable_entries() {
        let set = JwkSet::from_json(&json!({"keys":[
            {"kty":"RSA","n":"AQAB","e":"AQAB","kid":"rsa"},
            {"kty":"EC","crv":"P-384","x":X,"y":Y,"kid":"p384"},
            {"kty":"EC","crv":"P-256","x":X,"y":X,"kid":"off-curve"},
            {"kty":"EC","crv":"P-256","x":X,"y":Y,"kid":"enc","use":"enc"},
            {"kty":"EC","crv":"P-256","x":X,"y":Y,"kid":"hs","alg":"HS256"},
            "not a key",
            {"kty":"EC","crv":"P-256","x":X,"y":Y,"kid":"good","use":"sig"}
        ]}))
        .unwrap();
        assert_eq!(set.len(), 1);
        assert!(set.find("good").is_some());
        assert!(set.find("enc").is_none());
        assert_eq!(
            set.select(None).and_then(|k| k.kid.as_deref()),
            Some("good")
        );
        for bad in [json!([]), json!({"keys":{}}), json!({}), json!("x")] {
            assert_eq!(JwkSet::from_json(&bad), Err(Malformed));
        }
        assert!(JwkSet::parse(r#"{"keys":[]}"#).unwrap().is_empty());
        assert_eq!(JwkSet::parse("{"), Err(Malformed));
    }
}
