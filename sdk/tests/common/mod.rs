//! A test issuer: fixed keys, a valid Mirairo credential, and a builder to mutate any
//! part of it (header, payload, disclosures, signature, KB-JWT) before signing.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mirairo_id_sdk::jose::b64url_encode;
#[cfg(feature = "es256")]
pub use mirairo_id_sdk::jose::Es256SigningKey;
use mirairo_id_sdk::json as sdk_json;
use mirairo_id_sdk::sdjwt::{sd_hash, Disclosure};
use mirairo_id_sdk::{Verifier, VerifierConfig, VerifyOptions, DEFAULT_VCT};
#[cfg(not(feature = "es256"))]
pub use no_p256::Es256SigningKey;
use serde_json::{json, Map, Value};

/// The core built without its `es256` feature has no signing key: the test issuer signs
/// with p256 directly (a dev-dependency), with the same methods.
#[cfg(not(feature = "es256"))]
mod no_p256 {
    use super::{raw_jws, serde, Signer};
    use mirairo_id_sdk::jose::{b64url_encode, EcPublicJwk};
    use mirairo_id_sdk::json as sdk_json;
    use p256::ecdsa::signature::Signer as _;

    #[derive(Clone)]
    pub struct Es256SigningKey(p256::ecdsa::SigningKey);

    impl Es256SigningKey {
        pub fn from_bytes(bytes: &[u8]) -> Result<Self, p256::ecdsa::Error> {
            let bytes = <[u8; 32]>::try_from(bytes).map_err(|_| p256::ecdsa::Error::new())?;
            p256::ecdsa::SigningKey::from_bytes(&bytes.into()).map(Self)
        }
        pub fn public_jwk(&self) -> EcPublicJwk {
            let point = self.0.verifying_key().to_encoded_point(false);
            EcPublicJwk {
                kid: None,
                x: b64url_encode(point.x().unwrap()),
                y: b64url_encode(point.y().unwrap()),
                key_use: None,
                alg: None,
            }
        }
        pub fn sign_raw(&self, data: &[u8]) -> [u8; 64] {
            let sig: p256::ecdsa::Signature = self.0.sign(data);
            sig.to_bytes().into()
        }
        pub fn sign_json(&self, header: &sdk_json::Map, payload: &sdk_json::Value) -> String {
            let mut h = serde_json::json!({"alg": "ES256"});
            for (name, value) in header {
                h[name.as_str()] = serde(value);
            }
            raw_jws(&h, &serde(payload), &Signer::Es256(self.clone()), &|s| s)
        }
    }
}

/// A serde_json test value as the SDK's JSON value.
pub fn sdk(v: &Value) -> sdk_json::Value {
    sdk_json::parse(&v.to_string()).unwrap()
}

/// A serde_json test object as the SDK's JSON object.
pub fn sdk_map(v: &Value) -> sdk_json::Map {
    sdk(v).as_object().cloned().unwrap()
}

/// An SDK JSON value as a serde_json value (for `json!` and indexing in tests).
pub fn serde(v: &sdk_json::Value) -> Value {
    serde_json::from_str(&v.to_string()).unwrap()
}

pub const ISSUER: &str = "http://127.0.0.1:8080";
pub const STATUS_URI: &str = "http://127.0.0.1:8080/status/1";
pub const STATUS_IDX: usize = 412;
pub const AUDIENCE: &str = "https://rail.example";
pub const NONCE: &str = "nonce-8Qk2x";
/// 2026-11-27T11:46:40Z (20:46:40 in Japan).
pub const NOW: i64 = 1_795_780_000;

pub fn issuer_key() -> Es256SigningKey {
    Es256SigningKey::from_bytes(&[0x11; 32]).unwrap()
}
pub fn rotated_key() -> Es256SigningKey {
    Es256SigningKey::from_bytes(&[0x12; 32]).unwrap()
}
pub fn holder_key() -> Es256SigningKey {
    Es256SigningKey::from_bytes(&[0x22; 32]).unwrap()
}
pub fn other_key() -> Es256SigningKey {
    Es256SigningKey::from_bytes(&[0x33; 32]).unwrap()
}

pub fn jwks() -> Value {
    let mut k1 = issuer_key().public_jwk();
    k1.kid = Some("k1".into());
    k1.key_use = Some("sig".into());
    k1.alg = Some("ES256".into());
    let mut k2 = rotated_key().public_jwk();
    k2.kid = Some("k2".into());
    json!({"keys": [
        {"kty": "RSA", "kid": "rsa", "n": "AQAB", "e": "AQAB"},
        serde(&k1.to_json()),
        serde(&k2.to_json()),
    ]})
}

pub fn verifier() -> Verifier {
    Verifier::new(VerifierConfig::new(ISSUER, sdk(&jwks()))).unwrap()
}

pub fn obj(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap()
}

/// How a JWS gets its signature.
#[derive(Clone)]
pub enum Signer {
    Es256(Es256SigningKey),
    /// `alg` as given in the header, empty signature.
    Unsigned,
    /// HMAC-SHA256 with this secret (the classic "public key as HMAC secret" attack).
    Hs256(Vec<u8>),
}

pub fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let ipad: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
    let opad: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::new()
        .chain_update(&ipad)
        .chain_update(data)
        .finalize();
    Sha256::new()
        .chain_update(&opad)
        .chain_update(inner)
        .finalize()
        .to_vec()
}

/// A compact JWS with exactly this header (no `alg` rewriting) and payload.
pub fn raw_jws(
    header: &Value,
    payload: &Value,
    signer: &Signer,
    tweak: &dyn Fn(Vec<u8>) -> Vec<u8>,
) -> String {
    let input = format!(
        "{}.{}",
        b64url_encode(header.to_string().as_bytes()),
        b64url_encode(payload.to_string().as_bytes())
    );
    let sig = match signer {
        Signer::Es256(k) => k.sign_raw(input.as_bytes()).to_vec(),
        Signer::Unsigned => Vec::new(),
        Signer::Hs256(secret) => hmac_sha256(secret, input.as_bytes()),
    };
    format!("{input}.{}", b64url_encode(&tweak(sig)))
}

/// The key-binding part of a presentation.
#[derive(Clone)]
pub struct Kb {
    pub header: Value,
    pub claims: Value,
    pub signer: Signer,
    /// When None, `sd_hash` is computed over the presentation.
    pub sd_hash: Option<String>,
}

/// Everything that goes into one test presentation.
#[derive(Clone)]
pub struct Case {
    pub header: Value,
    pub payload: Value,
    pub signer: Signer,
    pub sig_tweak: fn(Vec<u8>) -> Vec<u8>,
    pub disclosures: Vec<Disclosure>,
    /// Digests in `_sd` besides those of `disclosures` (decoys, duplicates).
    pub extra_digests: Vec<String>,
    /// When false, `_sd` holds only `extra_digests`.
    pub reference_disclosures: bool,
    /// Disclosure texts appended as is (bad base64, duplicates…).
    pub raw_disclosures: Vec<String>,
    pub kb: Option<Kb>,
    pub options: VerifyOptions,
    /// A last edit of the whole presentation string.
    pub post: fn(String) -> String,
}

fn keep(v: Vec<u8>) -> Vec<u8> {
    v
}
fn same(s: String) -> String {
    s
}

pub fn disclosure(name: &str, value: Value) -> Disclosure {
    // Deterministic salts keep failures reproducible; still 128 bits of text.
    Disclosure::new(format!("salt-{name}-0123456789"), name, sdk(&value))
}

/// Replaces the issuer JWT payload with `edit(payload)`, keeping the old signature.
pub fn resign_payload_unsigned(presentation: &str, edit: impl Fn(&mut Value)) -> String {
    let (jwt, rest) = presentation.split_once('~').unwrap();
    let parts: Vec<&str> = jwt.split('.').collect();
    let mut payload: Value =
        serde_json::from_slice(&mirairo_id_sdk::jose::b64url_decode(parts[1]).unwrap()).unwrap();
    edit(&mut payload);
    format!(
        "{}.{}.{}~{rest}",
        parts[0],
        b64url_encode(payload.to_string().as_bytes()),
        parts[2]
    )
}

pub fn status_list_jwt(
    statuses: &[(usize, u8)],
    signer: &Es256SigningKey,
    kid: &str,
    now: i64,
) -> String {
    let mut values = vec![0u8; 1024];
    for &(i, s) in statuses {
        values[i] = s;
    }
    // Packed and compressed here (2 bits, LSB first), not with the SDK's encoder: the
    // tests build without the `inflate` feature too.
    let mut packed = vec![0u8; values.len() / 4];
    for (i, s) in values.iter().enumerate() {
        packed[i / 4] |= s << ((i % 4) * 2);
    }
    let lst = b64url_encode(&miniz_oxide::deflate::compress_to_vec_zlib(&packed, 9));
    let header = json!({"typ": "statuslist+jwt", "kid": kid});
    signer.sign_json(
        &sdk_map(&header),
        &sdk(
            &json!({"sub": STATUS_URI, "iat": now - 100, "exp": now + 3600, "ttl": 300,
                "status_list": {"bits": 2, "lst": lst}}),
        ),
    )
}

impl Case {
    /// The valid credential: every check passes (KB-JWT present and required).
    pub fn valid() -> Self {
        Self::valid_at(NOW)
    }

    pub fn valid_at(now: i64) -> Self {
        let holder = holder_key();
        Self {
            header: json!({"alg": "ES256", "typ": "dc+sd-jwt", "kid": "k1"}),
            payload: json!({
                "iss": ISSUER, "iat": now - 10, "exp": now + 86_000, "vct": DEFAULT_VCT,
                "cnf": {"jwk": serde(&holder.public_jwk().to_json())},
                "status": {"status_list": {"idx": STATUS_IDX, "uri": STATUS_URI}},
            }),
            signer: Signer::Es256(issuer_key()),
            sig_tweak: keep,
            disclosures: vec![
                disclosure("certificate_type", json!("physical")),
                disclosure("grade", json!("2")),
                disclosure("fare_class", json!(1)),
                disclosure("caregiver", json!(true)),
                disclosure("issuer_prefecture", json!("13")),
                disclosure("renewed_on", json!(null)),
                disclosure("valid_until", json!("2030-03-31")),
            ],
            extra_digests: vec![
                b64url_encode(&[1u8; 32]),
                b64url_encode(&[2u8; 32]),
                b64url_encode(&[3u8; 32]),
            ],
            reference_disclosures: true,
            raw_disclosures: Vec::new(),
            kb: Some(Kb {
                header: json!({"alg": "ES256", "typ": "kb+jwt"}),
                claims: json!({"iat": now - 5, "aud": AUDIENCE, "nonce": NONCE}),
                signer: Signer::Es256(holder),
                sd_hash: None,
            }),
            options: VerifyOptions {
                audience: Some(AUDIENCE.into()),
                nonce: Some(NONCE.into()),
                require_key_binding: true,
                ..VerifyOptions::at(now)
            },
            post: same,
        }
    }

    /// Moves every time in the case (and `now`) to `now`.
    pub fn at(&mut self, now: i64) {
        let fresh = Self::valid_at(now);
        self.payload["iat"] = fresh.payload["iat"].clone();
        self.payload["exp"] = fresh.payload["exp"].clone();
        if let Some(kb) = &mut self.kb {
            kb.claims["iat"] = json!(now - 5);
        }
        self.options.now = now;
    }

    pub fn disclosure_mut(&mut self, name: &str, value: Value) {
        for d in &mut self.disclosures {
            if d.name() == Some(name) {
                *d = disclosure(name, value.clone());
            }
        }
    }

    pub fn kb_mut(&mut self) -> &mut Kb {
        self.kb.as_mut().unwrap()
    }

    pub fn presentation(&self) -> String {
        let mut payload = self.payload.clone();
        let mut sd: Vec<String> = if self.reference_disclosures {
            self.disclosures.iter().map(Disclosure::digest).collect()
        } else {
            Vec::new()
        };
        sd.extend(self.extra_digests.iter().cloned());
        sd.sort();
        if let Some(map) = payload.as_object_mut() {
            map.insert("_sd".into(), json!(sd));
            match map.get("_sd_alg") {
                None => {
                    map.insert("_sd_alg".into(), json!("sha-256"));
                }
                Some(Value::Null) => {
                    map.remove("_sd_alg");
                }
                Some(_) => {}
            }
        }
        let mut out = raw_jws(&self.header, &payload, &self.signer, &self.sig_tweak);
        out.push('~');
        for d in &self.disclosures {
            out.push_str(&d.encoded);
            out.push('~');
        }
        for d in &self.raw_disclosures {
            out.push_str(d);
            out.push('~');
        }
        if let Some(kb) = &self.kb {
            let mut claims = kb.claims.clone();
            claims["sd_hash"] = json!(kb.sd_hash.clone().unwrap_or_else(|| sd_hash(&out)));
            out.push_str(&raw_jws(&kb.header, &claims, &kb.signer, &keep));
        }
        (self.post)(out)
    }
}
