//! The generic SD-JWT layer (RFC 9901): disclosures, issuance, presentation parsing,
//! claim reconstruction (§7.1) and key-binding JWTs (§4.3).
//!
//! Mirairo-specific rules (typ, vct, §3 value types) live in [`crate::Verifier`].

use crate::error::{err, ErrorCode, VerifyError};
#[cfg(feature = "es256")]
use crate::jose::Es256SigningKey;
use crate::jose::{b64url_decode, b64url_encode, Jws};
use crate::json::{Map, Value};
use sha2::{Digest, Sha256};

/// Largest presentation accepted, in bytes (256 KiB). The protocol requires ≥ 64 KiB.
pub const MAX_INPUT_BYTES: usize = 256 * 1024;
/// Most disclosures accepted in one presentation (exactly 256 is accepted).
pub const MAX_DISCLOSURES: usize = 256;
/// Deepest nesting of reconstructed claims (disclosures inside disclosures included).
pub const MAX_RECONSTRUCTION_DEPTH: usize = 2 * crate::json::MAX_JSON_DEPTH;

use ErrorCode::{BadDisclosure, Malformed};

/// base64url(SHA-256(bytes)).
fn sha256_b64(bytes: &[u8]) -> String {
    b64url_encode(&Sha256::digest(bytes))
}

/// A random salt: 128 bits from the OS generator, base64url (22 characters).
///
/// # Errors
///
/// [`NoRandomness`](crate::NoRandomness) when the platform has no random number
/// generator.
pub fn random_salt() -> Result<String, crate::NoRandomness> {
    Ok(b64url_encode(&crate::random::random_bytes::<16>()?))
}

/// The `sd_hash` of a presentation: base64url(SHA-256) of the ASCII string of
/// everything before the KB-JWT, trailing `~` included.
pub fn sd_hash(presentation_without_kb: &str) -> String {
    sha256_b64(presentation_without_kb.as_bytes())
}

/// One disclosure: `base64url(JSON [salt, name, value])` for an object property or
/// `base64url(JSON [salt, value])` for an array element.
#[derive(Clone, Debug, PartialEq)]
pub struct Disclosure {
    /// The base64url text exactly as issued or received; the digest is over it.
    pub encoded: String,
    salt: String,
    name: Option<String>,
    value: Value,
}

impl Disclosure {
    fn build(salt: String, name: Option<String>, value: Value) -> Self {
        let array = match &name {
            Some(n) => Value::Array(vec![salt.clone().into(), n.clone().into(), value.clone()]),
            None => Value::Array(vec![salt.clone().into(), value.clone()]),
        };
        Self {
            encoded: b64url_encode(array.to_string().as_bytes()),
            salt,
            name,
            value,
        }
    }

    /// An object-property disclosure `[salt, name, value]`.
    pub fn new(salt: impl Into<String>, name: impl Into<String>, value: Value) -> Self {
        Self::build(salt.into(), Some(name.into()), value)
    }

    /// An array-element disclosure `[salt, value]`.
    pub fn array_element(salt: impl Into<String>, value: Value) -> Self {
        Self::build(salt.into(), None, value)
    }

    /// Decodes a received disclosure.
    ///
    /// # Errors
    ///
    /// `malformed` for bad base64url or JSON; `bad_disclosure` when the JSON is not
    /// an array of 3 (string salt, string name, value) or 2 (string salt, value).
    pub fn parse(encoded: &str) -> Result<Self, VerifyError> {
        let bytes =
            b64url_decode(encoded).map_err(|_| err(Malformed, "disclosure is not base64url"))?;
        let json = crate::json::parse_bytes(&bytes)
            .map_err(|_| err(Malformed, "disclosure is not JSON"))?;
        let Value::Array(items) = json else {
            return Err(err(BadDisclosure, "disclosure is not a JSON array"));
        };
        let mut items = items.into_iter();
        let (salt, name, value) = match (items.next(), items.next(), items.next(), items.next()) {
            (Some(Value::String(salt)), Some(value), None, None) => (salt, None, value),
            (Some(Value::String(salt)), Some(Value::String(name)), Some(value), None) => {
                (salt, Some(name), value)
            }
            _ => {
                return Err(err(
                    BadDisclosure,
                    "disclosure is not [salt, name, value] or [salt, value]",
                ))
            }
        };
        Ok(Self {
            encoded: encoded.to_owned(),
            salt,
            name,
            value,
        })
    }

    /// The digest that references this disclosure: base64url(SHA-256 of the ASCII
    /// `encoded` text).
    pub fn digest(&self) -> String {
        sha256_b64(self.encoded.as_bytes())
    }

    /// The salt.
    pub fn salt(&self) -> &str {
        &self.salt
    }

    /// The claim name; `None` for an array-element disclosure.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The claim value.
    pub fn value(&self) -> &Value {
        &self.value
    }
}

/// Issues an SD-JWT `<jwt>~<disclosure>~…~`: each `disclosable` top-level claim
/// becomes a disclosure with a fresh random salt (in the given order), `_sd` holds
/// their digests plus `decoys` random digests, sorted so that order reveals nothing,
/// and `_sd_alg` is `sha-256`. The header gets `alg` `ES256`; set `typ`/`kid` in it.
#[cfg(feature = "es256")]
pub fn issue_sd_jwt(
    key: &Es256SigningKey,
    header: Map,
    payload: Map,
    disclosable: Vec<(String, Value)>,
    decoys: usize,
) -> Result<String, crate::NoRandomness> {
    let mut payload = payload;
    let disclosures = disclosable
        .into_iter()
        .map(|(name, value)| Ok(Disclosure::new(random_salt()?, name, value)))
        .collect::<Result<Vec<Disclosure>, crate::NoRandomness>>()?;
    let mut digests: Vec<Value> = match payload.remove("_sd") {
        Some(Value::Array(existing)) => existing,
        _ => Vec::new(),
    };
    digests.extend(disclosures.iter().map(|d| Value::String(d.digest())));
    for _ in 0..decoys {
        digests.push(Value::String(sha256_b64(random_salt()?.as_bytes())));
    }
    digests.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    payload.insert("_sd".into(), Value::Array(digests));
    payload.insert("_sd_alg".into(), "sha-256".into());
    let mut out = key.sign_json(&header, &Value::Object(payload));
    out.push('~');
    for d in &disclosures {
        out.push_str(&d.encoded);
        out.push('~');
    }
    Ok(out)
}

/// A key-binding JWT (header `{"alg":"ES256","typ":"kb+jwt"}`, claims `iat`, `aud`,
/// `nonce`, `sd_hash`) for `presentation_without_kb` (ending in `~`). Append it to
/// that string to get the presentation.
#[cfg(feature = "es256")]
pub fn key_binding_jwt(
    holder_key: &Es256SigningKey,
    presentation_without_kb: &str,
    aud: &str,
    nonce: &str,
    iat: i64,
) -> String {
    let mut header = Map::new();
    header.insert("typ".into(), "kb+jwt".into());
    let mut claims = Map::new();
    claims.insert("iat".into(), iat.into());
    claims.insert("aud".into(), aud.into());
    claims.insert("nonce".into(), nonce.into());
    claims.insert("sd_hash".into(), sd_hash(presentation_without_kb).into());
    holder_key.sign_json(&header, &Value::Object(claims))
}

/// A parsed SD-JWT or SD-JWT+KB presentation. Nothing is verified by parsing.
#[derive(Clone, Debug)]
pub struct SdJwt {
    issuer_jwt: Jws,
    disclosures: Vec<Disclosure>,
    shape_error: Option<VerifyError>,
    key_binding: Option<Jws>,
    presentation_without_kb: String,
}

/// Claims rebuilt from the issuer payload and the disclosures (RFC 9901 §7.1).
#[derive(Clone, Debug, PartialEq)]
pub struct Reconstructed {
    /// The payload with every `_sd`, `_sd_alg` and `{"...": digest}` replaced or removed.
    pub claims: Map,
    /// Names of the top-level claims that came from disclosures, in disclosure order.
    pub disclosed: Vec<String>,
}

impl SdJwt {
    /// Splits `<jwt>~<disclosure>~…~[<kb-jwt>]` and decodes every part. Limits are
    /// checked first, in time linear in the input: at most [`MAX_INPUT_BYTES`] bytes
    /// and [`MAX_DISCLOSURES`] disclosures.
    ///
    /// # Errors
    ///
    /// `malformed` when over a limit, without `~`, with an empty disclosure, or with a
    /// JWT/disclosure that is not well-formed (bad base64url or JSON). A disclosure that
    /// is valid JSON but not a 2- or 3-element array is dropped here and reported as
    /// `bad_disclosure` by [`SdJwt::reconstruct`], the step where that code belongs in
    /// PROTOCOL.md §4 order.
    pub fn parse(presentation: &str) -> Result<Self, VerifyError> {
        if presentation.len() > MAX_INPUT_BYTES {
            return Err(err(Malformed, "presentation larger than the input limit"));
        }
        let tildes = presentation.bytes().filter(|&b| b == b'~').count();
        if tildes == 0 {
            return Err(err(Malformed, "not an SD-JWT (no '~')"));
        }
        if tildes > MAX_DISCLOSURES + 1 {
            return Err(err(Malformed, "more disclosures than the limit"));
        }
        let last = presentation
            .rfind('~')
            .ok_or(err(Malformed, "not an SD-JWT"))?;
        let (head, kb) = presentation
            .split_at_checked(last + 1)
            .ok_or(err(Malformed, "not an SD-JWT"))?;
        let mut parts = head.split('~');
        let jwt = parts.next().ok_or(err(Malformed, "not an SD-JWT"))?;
        let issuer_jwt =
            Jws::parse(jwt).map_err(|_| err(Malformed, "issuer JWT is not a compact JWS"))?;
        // `head` ends in '~', so the last split item is empty: skip it.
        let pieces: Vec<&str> = parts.collect();
        let count = pieces.len().saturating_sub(1);
        let mut disclosures = Vec::with_capacity(count);
        let mut shape_error = None;
        for piece in pieces.iter().take(count) {
            if piece.is_empty() {
                return Err(err(Malformed, "empty disclosure"));
            }
            match Disclosure::parse(piece) {
                Ok(d) => disclosures.push(d),
                // Keep looking for `malformed`, which comes first in check order.
                Err(e) if e.code() == BadDisclosure => {
                    shape_error.get_or_insert(e);
                }
                Err(e) => return Err(e),
            }
        }
        let key_binding = if kb.is_empty() {
            None
        } else {
            Some(Jws::parse(kb).map_err(|_| err(Malformed, "KB-JWT is not a compact JWS"))?)
        };
        Ok(Self {
            issuer_jwt,
            disclosures,
            shape_error,
            key_binding,
            presentation_without_kb: head.to_owned(),
        })
    }

    /// The issuer-signed JWT.
    pub fn issuer_jwt(&self) -> &Jws {
        &self.issuer_jwt
    }

    /// The well-formed disclosures, in presentation order.
    pub fn disclosures(&self) -> &[Disclosure] {
        &self.disclosures
    }

    /// The key-binding JWT, if the presentation has one.
    pub fn key_binding(&self) -> Option<&Jws> {
        self.key_binding.as_ref()
    }

    /// Everything before the KB-JWT, trailing `~` included.
    pub fn presentation_without_kb(&self) -> &str {
        &self.presentation_without_kb
    }

    /// [`sd_hash`] of this presentation.
    pub fn sd_hash(&self) -> String {
        sd_hash(&self.presentation_without_kb)
    }

    /// Rebuilds the claims from `payload` (the issuer JWT's payload object) and the
    /// disclosures, recursively, for object properties and array elements.
    ///
    /// # Errors
    ///
    /// `bad_disclosure` when a disclosure is not a 2- or 3-element array with string
    /// salt (and name), `_sd_alg` is not `sha-256`, `_sd` is not an array of
    /// strings, a disclosure appears twice, is not referenced or is referenced twice,
    /// has the wrong shape for where it is referenced, discloses `_sd` or `...`, or a
    /// name already present at that level; `malformed` beyond
    /// [`MAX_RECONSTRUCTION_DEPTH`].
    pub fn reconstruct(&self, payload: &Map) -> Result<Reconstructed, VerifyError> {
        if let Some(e) = &self.shape_error {
            return Err(e.clone());
        }
        let mut payload = payload.clone();
        match payload.remove("_sd_alg") {
            None => {}
            Some(Value::String(alg)) if alg == "sha-256" => {}
            Some(_) => return Err(err(BadDisclosure, "_sd_alg is not sha-256")),
        }
        // Digests sorted (by index) for binary search: n log n however many `_sd` entries.
        let digests: Vec<String> = self.disclosures.iter().map(Disclosure::digest).collect();
        let mut by_digest: Vec<usize> = (0..digests.len()).collect();
        crate::json::heapsort_by(&mut by_digest, |&a, &b| digests.get(a) < digests.get(b));
        let twice = by_digest
            .windows(2)
            .any(|w| matches!(w, [a, b] if digests.get(*a) == digests.get(*b)));
        if twice {
            return Err(err(BadDisclosure, "disclosure appears twice"));
        }
        let mut ctx = Ctx {
            disclosures: &self.disclosures,
            digests,
            by_digest,
            used: vec![false; self.disclosures.len()],
            top_level: vec![None; self.disclosures.len()],
            decoys: Vec::new(),
        };
        let claims = ctx.object(payload, 0)?;
        if ctx.used.iter().any(|u| !u) {
            return Err(err(BadDisclosure, "disclosure not referenced"));
        }
        // RFC 9901 §7.1: any digest seen twice, decoys included, rejects the SD-JWT.
        if crate::json::has_duplicates(&mut ctx.decoys) {
            return Err(err(BadDisclosure, "digest referenced twice"));
        }
        // In disclosure order (a disclosure is used once, so each index once).
        Ok(Reconstructed {
            claims,
            disclosed: ctx.top_level.into_iter().flatten().collect(),
        })
    }
}

struct Ctx<'a> {
    disclosures: &'a [Disclosure],
    /// The digest of each disclosure, by index.
    digests: Vec<String>,
    /// Disclosure indexes in digest order.
    by_digest: Vec<usize>,
    used: Vec<bool>,
    /// The names of the top-level claims, at their disclosure's index.
    top_level: Vec<Option<String>>,
    /// Digests that match no disclosure (decoys), each time one is met.
    decoys: Vec<String>,
}

impl<'a> Ctx<'a> {
    /// Marks the disclosure with `digest` used; `None` for a decoy (noted, so that a
    /// decoy met twice is refused too).
    fn take(&mut self, digest: &str) -> Result<Option<(usize, &'a Disclosure)>, VerifyError> {
        let digests = &self.digests;
        let found = self
            .by_digest
            .binary_search_by(|&i| digests.get(i).map(String::as_str).cmp(&Some(digest)));
        let Some(i) = found.ok().and_then(|at| self.by_digest.get(at).copied()) else {
            self.decoys.push(digest.to_owned());
            return Ok(None);
        };
        let used = self
            .used
            .get_mut(i)
            .ok_or(err(Malformed, "internal index"))?;
        if *used {
            return Err(err(BadDisclosure, "digest referenced twice"));
        }
        *used = true;
        Ok(self.disclosures.get(i).map(|d| (i, d)))
    }

    fn value(&mut self, value: Value, depth: usize) -> Result<Value, VerifyError> {
        match value {
            Value::Object(map) => Ok(Value::Object(self.object(map, depth)?)),
            Value::Array(items) => self.array(items, depth).map(Value::Array),
            other => Ok(other),
        }
    }

    fn object(&mut self, mut map: Map, depth: usize) -> Result<Map, VerifyError> {
        if depth > MAX_RECONSTRUCTION_DEPTH {
            return Err(err(Malformed, "claims nested too deeply"));
        }
        let sd = map.remove("_sd");
        let mut out = Map::new();
        for (k, v) in map {
            let v = self.value(v, depth + 1)?;
            // Names in a parsed object are unique.
            out.push_new(k, v);
        }
        let digests = match sd {
            None => Vec::new(),
            Some(Value::Array(d)) => d,
            Some(_) => return Err(err(BadDisclosure, "_sd is not an array")),
        };
        for digest in digests {
            let Value::String(digest) = digest else {
                return Err(err(BadDisclosure, "_sd holds a non-string"));
            };
            let Some((index, d)) = self.take(&digest)? else {
                continue;
            };
            let Some(name) = d.name.clone() else {
                return Err(err(
                    BadDisclosure,
                    "array-element disclosure referenced from _sd",
                ));
            };
            if name == "_sd" || name == "..." {
                return Err(err(BadDisclosure, "disclosed name _sd or ..."));
            }
            if out.contains_key(&name) {
                return Err(err(
                    BadDisclosure,
                    "disclosed name already present at this level",
                ));
            }
            let value = self.value(d.value.clone(), depth + 1)?;
            if depth == 0 {
                if let Some(slot) = self.top_level.get_mut(index) {
                    *slot = Some(name.clone());
                }
            }
            out.push_new(name, value);
        }
        Ok(out)
    }

    fn array(&mut self, items: Vec<Value>, depth: usize) -> Result<Vec<Value>, VerifyError> {
        if depth > MAX_RECONSTRUCTION_DEPTH {
            return Err(err(Malformed, "claims nested too deeply"));
        }
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let reference = match &item {
                Value::Object(m) if m.len() == 1 => m.get("..."),
                _ => None,
            };
            match reference {
                Some(Value::String(digest)) => {
                    let Some((_, d)) = self.take(digest)? else {
                        continue;
                    };
                    if d.name.is_some() {
                        return Err(err(
                            BadDisclosure,
                            "property disclosure referenced as array element",
                        ));
                    }
                    let v = d.value.clone();
                    out.push(self.value(v, depth + 1)?);
                }
                Some(_) => return Err(err(BadDisclosure, "'...' is not a digest string")),
                None => out.push(self.value(item, depth + 1)?),
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
#[cfg(feature = "es256")]
mod tests {
    use super::*;
    use crate::json::json;

    fn key() -> Es256SigningKey {
        Es256SigningKey::from_bytes(&[9u8; 32]).unwrap()
    }

    fn header() -> Map {
        json!({"typ": "dc+sd-jwt"}).as_object().unwrap().clone()
    }

    #[test]
    fn rfc9901_disclosure_example_digest() {
        // RFC 9901 §4.2.1/§4.2.3: the given_name disclosure and its digest.
        let d = Disclosure::parse(
            "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0",
        )
        .unwrap();
        assert_eq!(d.name(), Some("family_name"));
        assert_eq!(d.value(), &json!("Möbius"));
        assert_eq!(d.salt(), "_26bc4LT-ac6q2KI6cBW5es");
        assert_eq!(d.digest(), "X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0");
    }

    #[test]
    fn issue_parse_reconstruct_round_trip() {
        let payload = json!({"iss": "i", "nested": {"keep": true}})
            .as_object()
            .unwrap()
            .clone();
        let sd = issue_sd_jwt(
            &key(),
            header(),
            payload,
            vec![
                ("b".into(), json!(2)),
                ("a".into(), json!([1, {"x": null}])),
            ],
            3,
        )
        .unwrap();
        assert_eq!(sd.matches('~').count(), 3);
        let parsed = SdJwt::parse(&sd).unwrap();
        let p = parsed.issuer_jwt().payload_object().unwrap();
        assert_eq!(p["_sd"].as_array().unwrap().len(), 5);
        assert_eq!(p["_sd_alg"], "sha-256");
        let r = parsed.reconstruct(&p).unwrap();
        assert_eq!(r.disclosed, ["b", "a"]);
        assert_eq!(
            Value::Object(r.claims),
            json!({"iss":"i","nested":{"keep":true},"b":2,"a":[1,{"x":null}]})
        );
        assert!(parsed.key_binding().is_none());
        assert_eq!(parsed.presentation_without_kb(), sd);
    }

    #[test]
    fn array_elements_and_recursive_disclosures() {
        let inner = Disclosure::array_element("s1", json!("JP"));
        let decoy = sha256_b64(b"decoy");
        let outer = Disclosure::new(
            "s2",
            "nationalities",
            json!([{"...": inner.digest()}, {"...": decoy}, "FR"]),
        );
        let payload = json!({"_sd": [outer.digest()]});
        let jwt = key().sign_json(&header(), &payload);
        let sd = format!("{jwt}~{}~{}~", outer.encoded, inner.encoded);
        let parsed = SdJwt::parse(&sd).unwrap();
        let r = parsed.reconstruct(payload.as_object().unwrap()).unwrap();
        assert_eq!(
            Value::Object(r.claims),
            json!({"nationalities": ["JP", "FR"]})
        );
        assert_eq!(r.disclosed, ["nationalities"]);
    }

    fn code(sd: &str, payload: &Value) -> ErrorCode {
        match SdJwt::parse(sd) {
            Err(e) => e.code(),
            Ok(p) => p
                .reconstruct(payload.as_object().unwrap())
                .err()
                .map(|e| e.code())
                .unwrap_or(ErrorCode::InvalidConfig),
        }
    }

    #[test]
    fn bad_disclosure_rules() {
        let a = Disclosure::new("s", "a", json!(1));
        let elem = Disclosure::array_element("s", json!(1));
        let sd_name = Disclosure::new("s", "_sd", json!([]));
        let dots = Disclosure::new("s", "...", json!(1));
        let k = key();
        let jwt = |p: &Value| k.sign_json(&header(), p);
        let table: Vec<(&str, Value, Vec<&str>, ErrorCode)> = vec![
            (
                "unreferenced",
                json!({"_sd": []}),
                vec![&a.encoded],
                BadDisclosure,
            ),
            (
                "appears twice",
                json!({"_sd": [a.digest()]}),
                vec![&a.encoded, &a.encoded],
                BadDisclosure,
            ),
            (
                "referenced twice",
                json!({"_sd": [a.digest(), a.digest()]}),
                vec![&a.encoded],
                BadDisclosure,
            ),
            (
                "referenced twice at two levels",
                json!({"_sd": [a.digest()], "o": {"_sd": [a.digest()]}}),
                vec![&a.encoded],
                BadDisclosure,
            ),
            (
                "cleartext too",
                json!({"a": 0, "_sd": [a.digest()]}),
                vec![&a.encoded],
                BadDisclosure,
            ),
            (
                "disclosed _sd",
                json!({"_sd": [sd_name.digest()]}),
                vec![&sd_name.encoded],
                BadDisclosure,
            ),
            (
                "disclosed ...",
                json!({"_sd": [dots.digest()]}),
                vec![&dots.encoded],
                BadDisclosure,
            ),
            (
                "element from _sd",
                json!({"_sd": [elem.digest()]}),
                vec![&elem.encoded],
                BadDisclosure,
            ),
            (
                "property in array",
                json!({"l": [{"...": a.digest()}]}),
                vec![&a.encoded],
                BadDisclosure,
            ),
            (
                "sha-512",
                json!({"_sd_alg": "sha-512", "_sd": [a.digest()]}),
                vec![&a.encoded],
                BadDisclosure,
            ),
            (
                "_sd not array",
                json!({"_sd": a.digest()}),
                vec![],
                BadDisclosure,
            ),
            (
                "4-element",
                json!({"_sd": []}),
                vec!["WyJzIiwiYSIsMSwyXQ"],
                BadDisclosure,
            ),
            (
                "not an array",
                json!({"_sd": []}),
                vec!["eyJhIjoxfQ"],
                BadDisclosure,
            ),
            (
                "numeric salt",
                json!({"_sd": []}),
                vec!["WzEsImEiLDFd"],
                BadDisclosure,
            ),
            (
                "bad base64",
                json!({"_sd": []}),
                vec!["WyJzIiwiYSIsMV0="],
                Malformed,
            ),
            (
                "bad json",
                json!({"_sd": []}),
                vec!["WyJzIiwiYSIsMQ"],
                Malformed,
            ),
            ("empty disclosure", json!({"_sd": []}), vec![""], Malformed),
        ];
        for (name, payload, disclosures, expected) in table {
            let mut sd = jwt(&payload);
            sd.push('~');
            for d in disclosures {
                sd.push_str(d);
                sd.push('~');
            }
            assert_eq!(code(&sd, &payload), expected, "{name}");
        }
    }

    #[test]
    fn limits() {
        let k = key();
        let payload = json!({});
        let jwt = k.sign_json(&header(), &payload);
        // No '~' at all, or too many.
        assert_eq!(code(&jwt, &payload), Malformed);
        let many = format!("{jwt}{}", "~".repeat(MAX_DISCLOSURES + 2));
        assert_eq!(code(&many, &payload), Malformed);
        // Exactly 256 disclosures are accepted.
        let items: Vec<(String, Value)> = (0..MAX_DISCLOSURES)
            .map(|i| (format!("c{i}"), json!(i)))
            .collect();
        let sd = issue_sd_jwt(&k, header(), Map::new(), items, 0).unwrap();
        let parsed = SdJwt::parse(&sd).unwrap();
        assert_eq!(parsed.disclosures().len(), MAX_DISCLOSURES);
        let r = parsed
            .reconstruct(&parsed.issuer_jwt().payload_object().unwrap())
            .unwrap();
        assert_eq!(r.disclosed.len(), MAX_DISCLOSURES);
        let big = format!("{jwt}~{}", "A".repeat(MAX_INPUT_BYTES));
        assert_eq!(code(&big, &payload), Malformed);
    }

    #[test]
    fn key_binding_jwt_shape() {
        let holder = Es256SigningKey::from_bytes(&[3u8; 32]).unwrap();
        let sd = issue_sd_jwt(
            &key(),
            header(),
            Map::new(),
            vec![("a".into(), json!(1))],
            0,
        )
        .unwrap();
        let kb = key_binding_jwt(&holder, &sd, "https://v.example", "n-1", 1_700_000_000);
        let presentation = format!("{sd}{kb}");
        let parsed = SdJwt::parse(&presentation).unwrap();
        let kb = parsed.key_binding().unwrap();
        assert_eq!(kb.header_str("typ"), Some("kb+jwt"));
        assert_eq!(kb.header_str("alg"), Some("ES256"));
        assert!(kb.verify_es256(&holder.public_jwk()));
        let claims = kb.payload_object().unwrap();
        assert_eq!(claims["sd_hash"], sd_hash(&sd));
        assert_eq!(parsed.sd_hash(), sd_hash(&sd));
        assert_eq!(claims["aud"], "https://v.example");
        assert_eq!(claims["nonce"], "n-1");
        assert_eq!(claims["iat"], 1_700_000_000);
        assert_eq!(random_salt().unwrap().len(), 22);
        assert_ne!(random_salt().unwrap(), random_salt().unwrap());
    }
}
