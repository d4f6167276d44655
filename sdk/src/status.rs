//! Token Status List (draft-ietf-oauth-status-list): the status list JWT, the
//! compressed bit array it carries, and the encoder a provider uses to publish one.

#[cfg(feature = "inflate")]
use crate::jose::b64url_encode;
use crate::jose::{b64url_decode, JwkSet, Jws, SignatureCheck};
#[cfg(feature = "inflate")]
use crate::json::Map;
use crate::json::Value;
use std::sync::Arc;

/// Largest status list JWT accepted, in bytes (1 MiB).
pub const MAX_STATUS_LIST_JWT_BYTES: usize = 1024 * 1024;
/// Largest decompressed status list accepted, in bytes (4 MiB: 16 Mi entries at 2 bits).
/// Decompression stops at this size, so a zlib bomb costs at most this much memory.
pub const MAX_STATUS_LIST_BYTES: usize = 4 * 1024 * 1024;

/// Status value: valid.
pub const STATUS_VALID: u8 = 0;
/// Status value: revoked (`revoked`).
pub const STATUS_REVOKED: u8 = 1;
/// Status value: suspended (`suspended`).
pub const STATUS_SUSPENDED: u8 = 2;

/// Bits per entry of a status list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusBits {
    /// 1 bit per entry.
    One = 1,
    /// 2 bits per entry (what the Mirairo provider publishes).
    Two = 2,
    /// 4 bits per entry.
    Four = 4,
    /// 8 bits per entry.
    Eight = 8,
}

impl StatusBits {
    /// The number of bits.
    pub const fn get(self) -> u8 {
        self as u8
    }

    fn mask(self) -> u8 {
        match self {
            Self::Eight => 0xff,
            other => (1u8 << other.get()) - 1,
        }
    }
}

impl TryFrom<u64> for StatusBits {
    type Error = StatusError;
    fn try_from(bits: u64) -> Result<Self, StatusError> {
        match bits {
            1 => Ok(Self::One),
            2 => Ok(Self::Two),
            4 => Ok(Self::Four),
            8 => Ok(Self::Eight),
            _ => Err(StatusError::Malformed),
        }
    }
}

/// Why a status list (or a lookup in it) failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatusError {
    /// Not a well-formed status list JWT or `status_list` claim.
    #[error("malformed status list")]
    Malformed,
    /// Over [`MAX_STATUS_LIST_JWT_BYTES`] or [`MAX_STATUS_LIST_BYTES`].
    #[error("status list too large")]
    TooLarge,
    /// `alg` is not ES256, or a forbidden header member is present.
    #[error("unsupported status list algorithm")]
    UnsupportedAlgorithm,
    /// `typ` is not `statuslist+jwt`.
    #[error("wrong status list type")]
    WrongType,
    /// No `kid`, or no issuer key with that `kid`.
    #[error("unknown status list key")]
    UnknownKey,
    /// The signature does not verify.
    #[error("bad status list signature")]
    BadSignature,
    /// `sub` is not the URI the credential names.
    #[error("status list subject mismatch")]
    WrongSubject,
    /// `exp` has passed (with leeway).
    #[error("status list expired")]
    Expired,
    /// `iat` is in the future (beyond leeway).
    #[error("status list not yet valid")]
    NotYetValid,
    /// The index is beyond the end of the list.
    #[error("status index out of range")]
    IndexOutOfRange,
    /// A status value does not fit in the chosen number of bits.
    #[error("status value too large for the bit size")]
    ValueTooLarge,
    /// No synchronous ES256 (built without the `es256` feature, no verifier installed):
    /// not a verdict on the list.
    #[error("ES256 is not loaded")]
    Es256Unavailable,
    /// A build without the `inflate` feature was asked to inflate a list synchronously
    /// and has no inflater ([`set_inflater`]).
    #[error("no status list inflater in this build")]
    NoInflater,
}

/// A decompressed status list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusList {
    bits: StatusBits,
    bytes: Vec<u8>,
}

impl StatusList {
    /// Packs `statuses` (one value per entry, LSB-first within each byte).
    ///
    /// # Errors
    ///
    /// [`StatusError::ValueTooLarge`] when a value does not fit in `bits`;
    /// [`StatusError::TooLarge`] beyond [`MAX_STATUS_LIST_BYTES`].
    pub fn new(bits: StatusBits, statuses: &[u8]) -> Result<Self, StatusError> {
        let per_byte = usize::from(8 / bits.get());
        let len = statuses.len().div_ceil(per_byte);
        if len > MAX_STATUS_LIST_BYTES {
            return Err(StatusError::TooLarge);
        }
        let mut bytes = vec![0u8; len];
        for (i, &value) in statuses.iter().enumerate() {
            if value & !bits.mask() != 0 {
                return Err(StatusError::ValueTooLarge);
            }
            let shift = (i % per_byte) * usize::from(bits.get());
            if let Some(byte) = bytes.get_mut(i / per_byte) {
                *byte |= value << shift;
            }
        }
        Ok(Self { bits, bytes })
    }

    /// Decodes `lst` (base64url of zlib-compressed bytes), stopping at
    /// [`MAX_STATUS_LIST_BYTES`]: [`CompressedStatusList::from_encoded`], then
    /// [`CompressedStatusList::inflate`].
    ///
    /// # Errors
    ///
    /// [`StatusError::Malformed`] for bad base64url or zlib data,
    /// [`StatusError::TooLarge`] beyond the size cap, [`StatusError::NoInflater`]
    /// without the `inflate` feature and without an [`set_inflater`] inflater.
    pub fn from_encoded(bits: StatusBits, lst: &str) -> Result<Self, StatusError> {
        CompressedStatusList::from_encoded(bits, lst)?.inflate()
    }

    /// Bits per entry.
    pub fn bits(&self) -> StatusBits {
        self.bits
    }

    /// Number of entries (the byte length times entries per byte).
    pub fn len(&self) -> u64 {
        (self.bytes.len() as u64) * u64::from(8 / self.bits.get())
    }

    /// True when the list holds no entry.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The status at `idx`.
    ///
    /// # Errors
    ///
    /// [`StatusError::IndexOutOfRange`] beyond the end of the list.
    pub fn get(&self, idx: u64) -> Result<u8, StatusError> {
        let bits = u64::from(self.bits.get());
        let bit = idx.checked_mul(bits).ok_or(StatusError::IndexOutOfRange)?;
        let byte = usize::try_from(bit / 8).map_err(|_| StatusError::IndexOutOfRange)?;
        let value = self.bytes.get(byte).ok_or(StatusError::IndexOutOfRange)?;
        Ok((value >> (bit % 8)) & self.bits.mask())
    }

    /// `lst`: base64url of the zlib-compressed bytes.
    #[cfg(feature = "inflate")]
    pub fn encode(&self) -> String {
        b64url_encode(&miniz_oxide::deflate::compress_to_vec_zlib(&self.bytes, 9))
    }

    /// The `status_list` claim: `{"bits": …, "lst": …}`.
    #[cfg(feature = "inflate")]
    pub fn to_claim(&self) -> Value {
        let mut map = Map::new();
        map.insert("bits".into(), self.bits.get().into());
        map.insert("lst".into(), self.encode().into());
        Value::Object(map)
    }
}

/// `lst` for these statuses: pack (LSB-first), zlib-compress, base64url.
///
/// # Errors
///
/// As [`StatusList::new`].
#[cfg(feature = "inflate")]
pub fn encode_status_list(bits: StatusBits, statuses: &[u8]) -> Result<String, StatusError> {
    StatusList::new(bits, statuses).map(|l| l.encode())
}

/// The message of the `invalid_config` error when a status list given to `verify` cannot
/// be inflated: a build without the `inflate` feature and no [`set_inflater`] inflater
/// (in browsers the ES256 module, which `ready()` loads, installs it) (ja/en).
pub const INFLATER_UNAVAILABLE: &str =
    "the status list inflater is not loaded: await ready() first (先に await ready() を呼んでください)";

/// An inflater for builds without the `inflate` feature: `(zlib, limit)` gives the
/// bytes the zlib stream `zlib` inflates to, stopping once it has more than `limit`
/// (so that a zlib bomb costs at most `limit + 1` bytes), or `None` when `zlib` is not
/// a valid zlib stream. The size rule itself stays in the core
/// ([`CompressedStatusList::inflated`]).
pub type Inflater = fn(&[u8], usize) -> Option<Vec<u8>>;

#[cfg(not(feature = "inflate"))]
static INFLATER: std::sync::OnceLock<Inflater> = std::sync::OnceLock::new();

/// Installs the inflater used where the core inflates a status list synchronously
/// ([`StatusList::from_encoded`], [`PendingStatusList::parse`], a caller's
/// [`crate::VerifyOptions::status_list`]) in a build without the `inflate` feature (a
/// browser build, whose asynchronous paths inflate with the platform's
/// `DecompressionStream` instead). The first call wins; returns whether this one did.
/// With the `inflate` feature the core inflates with `miniz_oxide` and this does
/// nothing.
pub fn set_inflater(inflater: Inflater) -> bool {
    #[cfg(feature = "inflate")]
    {
        let _ = inflater;
        false
    }
    #[cfg(not(feature = "inflate"))]
    {
        INFLATER.set(inflater).is_ok()
    }
}

/// Whether this build can inflate a status list synchronously (the `inflate` feature,
/// or an inflater installed with [`set_inflater`]).
pub fn can_inflate() -> bool {
    #[cfg(feature = "inflate")]
    {
        true
    }
    #[cfg(not(feature = "inflate"))]
    {
        INFLATER.get().is_some()
    }
}

/// A status list whose `lst` is decoded from base64url but still zlib-compressed: what
/// an inflater outside the core (JavaScript's `DecompressionStream`) is given, with
/// [`MAX_STATUS_LIST_BYTES`], before [`CompressedStatusList::inflated`] checks what it
/// produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompressedStatusList {
    bits: StatusBits,
    zlib: Vec<u8>,
}

impl CompressedStatusList {
    /// Decodes the base64url of `lst` (nothing is inflated yet).
    ///
    /// # Errors
    ///
    /// [`StatusError::Malformed`] for bad base64url.
    pub fn from_encoded(bits: StatusBits, lst: &str) -> Result<Self, StatusError> {
        let zlib = b64url_decode(lst).map_err(|_| StatusError::Malformed)?;
        Ok(Self { bits, zlib })
    }

    /// The zlib stream to inflate.
    pub fn zlib(&self) -> &[u8] {
        &self.zlib
    }

    /// The list, given what an inflater made of [`CompressedStatusList::zlib`]: `None`
    /// when it was not a valid zlib stream, else the inflated bytes (an inflater may stop
    /// once it has more than [`MAX_STATUS_LIST_BYTES`]).
    ///
    /// # Errors
    ///
    /// [`StatusError::Malformed`] for `None`, [`StatusError::TooLarge`] for more than
    /// [`MAX_STATUS_LIST_BYTES`] bytes.
    pub fn inflated(self, bytes: Option<Vec<u8>>) -> Result<StatusList, StatusError> {
        let bytes = bytes.ok_or(StatusError::Malformed)?;
        if bytes.len() > MAX_STATUS_LIST_BYTES {
            return Err(StatusError::TooLarge);
        }
        Ok(StatusList {
            bits: self.bits,
            bytes,
        })
    }

    /// Inflates here, stopping after [`MAX_STATUS_LIST_BYTES`]: with `miniz_oxide` (the
    /// `inflate` feature), else with the inflater of [`set_inflater`].
    ///
    /// # Errors
    ///
    /// As [`CompressedStatusList::inflated`]; [`StatusError::NoInflater`] in a build
    /// without the `inflate` feature where no inflater was installed.
    pub fn inflate(self) -> Result<StatusList, StatusError> {
        #[cfg(feature = "inflate")]
        {
            let inflated = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(
                &self.zlib,
                MAX_STATUS_LIST_BYTES,
            );
            match inflated {
                Ok(bytes) => self.inflated(Some(bytes)),
                Err(e) if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput => {
                    Err(StatusError::TooLarge)
                }
                Err(_) => self.inflated(None),
            }
        }
        #[cfg(not(feature = "inflate"))]
        {
            let inflater = INFLATER.get().ok_or(StatusError::NoInflater)?;
            let bytes = inflater(&self.zlib, MAX_STATUS_LIST_BYTES);
            self.inflated(bytes)
        }
    }
}

/// A status list JWT that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedStatusList {
    /// The list.
    pub list: StatusList,
    /// `iat`.
    pub issued_at: i64,
    /// `exp`: cache no longer than this.
    pub expires_at: i64,
    /// `ttl` in seconds, if given: refetch after this long.
    pub ttl: Option<u64>,
}

/// A parsed status list JWT whose checks all passed except the signature, which
/// [`PendingStatusList::signature_check`] describes.
#[derive(Clone, Debug)]
pub struct PendingStatusList {
    check: SignatureCheck,
    verified: VerifiedStatusList,
}

impl PendingStatusList {
    /// Parses a status list JWT and runs every check but the signature: size,
    /// `typ` `statuslist+jwt`, `alg` `ES256` (no `crit`/`jku`/`x5u`/`x5c`/`jwk`), a `kid`
    /// found in `jwks`, `sub` equal to `uri`, `exp` > now − leeway, `iat` ≤ now + leeway,
    /// and a decodable `status_list` ([`UninflatedStatusList::parse`], then
    /// [`UninflatedStatusList::inflate`]).
    ///
    /// # Errors
    ///
    /// The first failing check.
    pub fn parse(
        jwt: &str,
        jwks: &JwkSet,
        uri: &str,
        now: i64,
        leeway: u64,
    ) -> Result<Self, StatusError> {
        UninflatedStatusList::parse(jwt, jwks, uri, now, leeway)?.inflate()
    }

    /// The signature check still to run.
    pub fn signature_check(&self) -> &SignatureCheck {
        &self.check
    }

    /// The list, given the outcome of the signature check.
    ///
    /// # Errors
    ///
    /// [`StatusError::BadSignature`] when `signature_valid` is false.
    pub fn finish(self, signature_valid: bool) -> Result<VerifiedStatusList, StatusError> {
        if signature_valid {
            Ok(self.verified)
        } else {
            Err(StatusError::BadSignature)
        }
    }
}

/// A status list JWT whose checks all passed except the signature and the inflation
/// of its `lst`: what the JavaScript layer in a browser inflates with
/// `DecompressionStream` ([`UninflatedStatusList::zlib`], then
/// [`UninflatedStatusList::inflated`]); [`PendingStatusList::parse`] is this plus
/// [`UninflatedStatusList::inflate`].
#[derive(Clone, Debug)]
pub struct UninflatedStatusList {
    check: SignatureCheck,
    list: CompressedStatusList,
    issued_at: i64,
    expires_at: i64,
    ttl: Option<u64>,
}

impl UninflatedStatusList {
    /// Parses a status list JWT and runs every check but the signature and the
    /// inflation of `lst`: size, `typ` `statuslist+jwt`, `alg` `ES256` (no
    /// `crit`/`jku`/`x5u`/`x5c`/`jwk`), a `kid` found in `jwks`, `sub` equal to `uri`,
    /// `exp` > now − leeway, `iat` ≤ now + leeway, a `status_list` with valid `bits`
    /// and base64url `lst`.
    ///
    /// # Errors
    ///
    /// The first failing check.
    pub fn parse(
        jwt: &str,
        jwks: &JwkSet,
        uri: &str,
        now: i64,
        leeway: u64,
    ) -> Result<Self, StatusError> {
        if jwt.len() > MAX_STATUS_LIST_JWT_BYTES {
            return Err(StatusError::TooLarge);
        }
        let jws = Jws::parse(jwt).map_err(|_| StatusError::Malformed)?;
        let claims = jws.payload_object().map_err(|_| StatusError::Malformed)?;
        let header = jws.header();
        if jws.header_str("alg") != Some("ES256")
            || ["crit", "jku", "x5u", "x5c", "jwk"]
                .iter()
                .any(|h| header.contains_key(h))
        {
            return Err(StatusError::UnsupportedAlgorithm);
        }
        if jws.header_str("typ") != Some("statuslist+jwt") {
            return Err(StatusError::WrongType);
        }
        let key = jws
            .header_str("kid")
            .and_then(|kid| jwks.find(kid))
            .ok_or(StatusError::UnknownKey)?;
        let int = |name: &str| {
            claims
                .get(name)
                .map(|v| v.as_i64().ok_or(StatusError::Malformed))
                .transpose()
        };
        let exp = int("exp")?.ok_or(StatusError::Malformed)?;
        let iat = int("iat")?.ok_or(StatusError::Malformed)?;
        let ttl = match claims.get("ttl") {
            None => None,
            Some(v) => Some(v.as_u64().ok_or(StatusError::Malformed)?),
        };
        let sub = claims
            .get("sub")
            .and_then(Value::as_str)
            .ok_or(StatusError::Malformed)?;
        let list = claims
            .get("status_list")
            .and_then(Value::as_object)
            .ok_or(StatusError::Malformed)?;
        let bits = list
            .get("bits")
            .and_then(Value::as_u64)
            .ok_or(StatusError::Malformed)?;
        let lst = list
            .get("lst")
            .and_then(Value::as_str)
            .ok_or(StatusError::Malformed)?;
        let bits = StatusBits::try_from(bits)?;
        if sub != uri {
            return Err(StatusError::WrongSubject);
        }
        let leeway = i64::try_from(leeway).unwrap_or(i64::MAX);
        if exp <= now.saturating_sub(leeway) {
            return Err(StatusError::Expired);
        }
        if iat > now.saturating_add(leeway) {
            return Err(StatusError::NotYetValid);
        }
        let list = CompressedStatusList::from_encoded(bits, lst)?;
        Ok(Self {
            check: SignatureCheck {
                key: key.clone(),
                signing_input: jws.signing_input().to_owned(),
                signature: jws.signature().to_vec(),
            },
            list,
            issued_at: iat,
            expires_at: exp,
            ttl,
        })
    }

    /// The signature check still to run (it does not depend on the inflation).
    pub fn signature_check(&self) -> &SignatureCheck {
        &self.check
    }

    /// The zlib stream of `lst`, for an inflater outside the core.
    pub fn zlib(&self) -> &[u8] {
        self.list.zlib()
    }

    /// Goes on with what an inflater outside the core made of
    /// [`UninflatedStatusList::zlib`] (see [`CompressedStatusList::inflated`]).
    ///
    /// # Errors
    ///
    /// [`StatusError::Malformed`] for `None`, [`StatusError::TooLarge`] over the cap.
    pub fn inflated(self, bytes: Option<Vec<u8>>) -> Result<PendingStatusList, StatusError> {
        let list = self.list.inflated(bytes)?;
        Ok(PendingStatusList {
            check: self.check,
            verified: VerifiedStatusList {
                list,
                issued_at: self.issued_at,
                expires_at: self.expires_at,
                ttl: self.ttl,
            },
        })
    }

    /// Inflates here (see [`CompressedStatusList::inflate`]).
    ///
    /// # Errors
    ///
    /// As [`CompressedStatusList::inflate`].
    pub fn inflate(self) -> Result<PendingStatusList, StatusError> {
        let list = self.list.inflate()?;
        Ok(PendingStatusList {
            check: self.check,
            verified: VerifiedStatusList {
                list,
                issued_at: self.issued_at,
                expires_at: self.expires_at,
                ttl: self.ttl,
            },
        })
    }
}

/// Verifies a status list JWT completely (see [`PendingStatusList::parse`]).
///
/// # Errors
///
/// The first failing check as a [`StatusError`].
pub fn verify_status_list_jwt(
    jwt: &str,
    jwks: &JwkSet,
    uri: &str,
    now: i64,
    leeway: u64,
) -> Result<VerifiedStatusList, StatusError> {
    let pending = PendingStatusList::parse(jwt, jwks, uri, now, leeway)?;
    let ok = pending.check.try_verify()?;
    pending.finish(ok)
}

/// Most status lists a [`StatusListCache`] holds (a verifier meets a handful of URIs;
/// beyond this the entry that expires first makes room).
pub const STATUS_CACHE_CAPACITY: usize = 64;

/// The status list cache rule of PROTOCOL.md §4, without I/O: a list that passed every
/// check is used for its URI until its `exp`, or sooner when its `ttl` says to refetch
/// (counted from when it was stored). A list that fails, or a failed fetch, drops what
/// was cached for its URI, so a revoked credential is not accepted on stale data.
///
/// The JS `Verifier.verifyOnline` (through the wasm binding) and Rust servers use it
/// the same way: [`StatusListCache::get`] before fetching, [`StatusListCache::insert`]
/// (or [`StatusListCache::remove`]) after, then
/// [`crate::Prepared::use_verified_status_list`].
///
/// ```
/// use mirairo_id_sdk::status::StatusListCache;
/// let mut cache = StatusListCache::new();
/// # let uri = "http://127.0.0.1:8080/status/1";
/// assert!(cache.get(uri, 1_764_200_000).is_none()); // fetch, verify, then insert
/// ```
#[derive(Clone, Debug, Default)]
pub struct StatusListCache {
    /// `(uri, list, usable until)`: a few URIs at most, so a list, not a hash map
    /// (no hashing code in the wasm).
    entries: Vec<(String, Arc<VerifiedStatusList>, i64)>,
}

impl StatusListCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The list cached for `uri`, if it is still usable at `now` (Unix seconds).
    pub fn get(&self, uri: &str, now: i64) -> Option<Arc<VerifiedStatusList>> {
        self.entries
            .iter()
            .find(|(u, _, until)| u == uri && *until > now)
            .map(|(_, list, _)| Arc::clone(list))
    }

    /// Until when a list stored at `now` may be used: its `exp`, or `now + ttl` if sooner.
    pub fn usable_until(list: &VerifiedStatusList, now: i64) -> i64 {
        let ttl = list.ttl.map(|t| i64::try_from(t).unwrap_or(i64::MAX));
        ttl.map_or(list.expires_at, |t| {
            list.expires_at.min(now.saturating_add(t))
        })
    }

    /// Stores `list`, verified for `uri` at `now`, in place of any older one; returns it
    /// shared, for [`crate::Prepared::use_verified_status_list`].
    pub fn insert(
        &mut self,
        uri: &str,
        list: VerifiedStatusList,
        now: i64,
    ) -> Arc<VerifiedStatusList> {
        self.entries
            .retain(|(u, _, until)| u != uri && *until > now);
        if self.entries.len() >= STATUS_CACHE_CAPACITY {
            let soonest = self.entries.iter().enumerate().min_by_key(|(_, e)| e.2);
            if let Some(i) = soonest.map(|(i, _)| i) {
                self.entries.swap_remove(i);
            }
        }
        let until = Self::usable_until(&list, now);
        let list = Arc::new(list);
        self.entries
            .push((uri.to_owned(), Arc::clone(&list), until));
        list
    }

    /// Forgets the list cached for `uri` (its refetch failed or did not verify).
    pub fn remove(&mut self, uri: &str) {
        self.entries.retain(|(u, _, _)| u != uri);
    }

    /// How many lists are held (expired ones included until the next insert).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
#[cfg(feature = "es256")] // the tests sign with Es256SigningKey
mod tests {
    use super::*;
    use crate::jose::{b64url_encode, Es256SigningKey};
    use crate::json::json;

    const URI: &str = "http://127.0.0.1:8080/status/1";
    const NOW: i64 = 1_764_200_000;

    /// `lst` of `values` (with the dev-dependency miniz_oxide, so that the tests build
    /// without the `inflate` feature too).
    fn encoded(bits: StatusBits, values: &[u8]) -> String {
        let list = StatusList::new(bits, values).unwrap();
        b64url_encode(&miniz_oxide::deflate::compress_to_vec_zlib(&list.bytes, 9))
    }

    /// Without the `inflate` feature, the inflater a browser's sync module would install:
    /// miniz_oxide behind [`set_inflater`] (the other tests need one).
    fn with_inflater() {
        #[cfg(not(feature = "inflate"))]
        set_inflater(|zlib, limit| {
            // Up to one byte over the limit, so that the core sees a list too large.
            let more = limit.saturating_add(1);
            match miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(zlib, more) {
                Ok(bytes) => Some(bytes),
                Err(e) if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput => {
                    Some(e.output)
                }
                Err(_) => None,
            }
        });
    }

    #[test]
    fn packing_is_lsb_first_for_every_width() {
        with_inflater();
        // draft-ietf-oauth-status-list §4.1 example: bits 1, statuses → bytes 0xB9 0xA3.
        let one = StatusList::new(
            StatusBits::One,
            &[1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1],
        )
        .unwrap();
        assert_eq!(one.bytes, [0xb9, 0xa3]);
        // §4.1 example for 2 bits: 0xC9 0x44 0xF9.
        let two = StatusList::new(StatusBits::Two, &[1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3]).unwrap();
        assert_eq!(two.bytes, [0xc9, 0x44, 0xf9]);
        for bits in [
            StatusBits::One,
            StatusBits::Two,
            StatusBits::Four,
            StatusBits::Eight,
        ] {
            let values: Vec<u8> = (0..50u8).map(|i| i & bits.mask()).collect();
            let decoded = StatusList::from_encoded(bits, &encoded(bits, &values)).unwrap();
            for (i, v) in values.iter().enumerate() {
                assert_eq!(decoded.get(i as u64), Ok(*v));
            }
            assert_eq!(
                decoded.get(decoded.len()),
                Err(StatusError::IndexOutOfRange)
            );
            assert_eq!(decoded.get(u64::MAX), Err(StatusError::IndexOutOfRange));
        }
        assert_eq!(
            StatusList::new(StatusBits::One, &[2]),
            Err(StatusError::ValueTooLarge)
        );
    }

    /// The size and zlib rules, one row each with its negative case, for both ways a
    /// list is inflated: here ([`CompressedStatusList::inflate`]: miniz_oxide, or the
    /// installed inflater) and outside the core ([`CompressedStatusList::inflated`], what
    /// the JavaScript `DecompressionStream` path hands back). Both give the same answer.
    #[test]
    fn decompression_is_capped() {
        with_inflater();
        let zlib = |n: usize| miniz_oxide::deflate::compress_to_vec_zlib(&vec![0u8; n], 9);
        let mut bad_check = zlib(10);
        if let Some(last) = bad_check.last_mut() {
            *last ^= 1;
        }
        let truncated = zlib(10).get(..8).unwrap().to_vec();
        let raw_deflate = miniz_oxide::deflate::compress_to_vec(&[0u8; 10], 9);
        let rows: [(&str, Vec<u8>, Result<usize, StatusError>); 7] = [
            (
                "at the cap",
                zlib(MAX_STATUS_LIST_BYTES),
                Ok(MAX_STATUS_LIST_BYTES),
            ),
            (
                "one byte over the cap",
                zlib(MAX_STATUS_LIST_BYTES + 1),
                Err(StatusError::TooLarge),
            ),
            ("small", zlib(10), Ok(10)),
            ("empty list", zlib(0), Ok(0)),
            ("bad Adler-32", bad_check, Err(StatusError::Malformed)),
            ("truncated", truncated, Err(StatusError::Malformed)),
            (
                "raw deflate, no zlib header",
                raw_deflate,
                Err(StatusError::Malformed),
            ),
        ];
        for (what, data, expected) in rows {
            let lst = b64url_encode(&data);
            let here = StatusList::from_encoded(StatusBits::Two, &lst).map(|l| l.bytes.len());
            assert_eq!(here, expected, "{what}");
            // Outside the core: what a DecompressionStream reader hands back (it stops
            // one byte over the cap; `None` when the stream errors).
            let outside = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(
                &data,
                MAX_STATUS_LIST_BYTES + 1,
            );
            let outside = match outside {
                Ok(bytes) => Some(bytes),
                Err(e) if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput => {
                    Some(e.output)
                }
                Err(_) => None,
            };
            let compressed = CompressedStatusList::from_encoded(StatusBits::Two, &lst).unwrap();
            assert_eq!(compressed.zlib(), data.as_slice(), "{what}");
            let there = compressed.inflated(outside).map(|l| l.bytes.len());
            assert_eq!(there, expected, "{what}");
        }
        assert_eq!(
            StatusList::from_encoded(StatusBits::Two, "AAAA"),
            Err(StatusError::Malformed)
        );
        assert_eq!(
            StatusList::from_encoded(StatusBits::Two, "A="),
            Err(StatusError::Malformed)
        );
        assert_eq!(
            CompressedStatusList::from_encoded(StatusBits::Two, "A="),
            Err(StatusError::Malformed)
        );
    }

    #[test]
    fn an_uninflated_jwt_checks_everything_but_the_signature_and_the_inflation() {
        with_inflater();
        let key = Es256SigningKey::from_bytes(&[4u8; 32]).unwrap();
        let mut jwk = key.public_jwk();
        jwk.kid = Some("k1".into());
        let jwks = JwkSet::from_keys(vec![jwk]);
        let header = json!({"typ": "statuslist+jwt", "kid": "k1"});
        let claims = |lst: &str| json!({"sub": URI, "iat": NOW, "exp": NOW + 3600, "status_list": {"bits": 2, "lst": lst}});
        let good = jwt(
            &key,
            header.clone(),
            claims(&encoded(StatusBits::Two, &[0, 1, 2])),
        );
        let uninflated = UninflatedStatusList::parse(&good, &jwks, URI, NOW, 60).unwrap();
        assert!(uninflated.signature_check().verify());
        let here = uninflated.clone().inflate().unwrap().finish(true).unwrap();
        let outside = miniz_oxide::inflate::decompress_to_vec_zlib(uninflated.zlib()).ok();
        let there = uninflated.inflated(outside).unwrap().finish(true).unwrap();
        assert_eq!(here, there);
        assert_eq!(there.list.get(1), Ok(STATUS_REVOKED));
        // A corrupt `lst` passes every check before the inflation, then fails it.
        let corrupt = jwt(&key, header, claims(&b64url_encode(b"not zlib")));
        let uninflated = UninflatedStatusList::parse(&corrupt, &jwks, URI, NOW, 60).unwrap();
        assert_eq!(
            uninflated.clone().inflate().err(),
            Some(StatusError::Malformed)
        );
        assert_eq!(
            uninflated.inflated(None).err(),
            Some(StatusError::Malformed)
        );
        assert_eq!(
            PendingStatusList::parse(&corrupt, &jwks, URI, NOW, 60).err(),
            Some(StatusError::Malformed)
        );
    }

    fn jwt(key: &Es256SigningKey, header: Value, claims: Value) -> String {
        key.sign_json(header.as_object().unwrap(), &claims)
    }

    #[test]
    fn status_list_jwt_checks() {
        with_inflater();
        let key = Es256SigningKey::from_bytes(&[4u8; 32]).unwrap();
        let mut jwk = key.public_jwk();
        jwk.kid = Some("k1".into());
        let jwks = JwkSet::from_keys(vec![jwk]);
        let lst = encoded(StatusBits::Two, &[0, 1, 2]);
        let claims = json!({"sub": URI, "iat": NOW, "exp": NOW + 3600, "ttl": 300, "status_list": {"bits": 2, "lst": lst}});
        let header = json!({"typ": "statuslist+jwt", "kid": "k1"});
        let good = verify_status_list_jwt(
            &jwt(&key, header.clone(), claims.clone()),
            &jwks,
            URI,
            NOW,
            60,
        )
        .unwrap();
        assert_eq!(
            (good.list.get(1), good.list.get(2), good.ttl),
            (Ok(1), Ok(2), Some(300))
        );
        let other = Es256SigningKey::from_bytes(&[6u8; 32]).unwrap();
        let with = |k: &str, v: Value| {
            let mut c = claims.clone();
            c.as_object_mut().unwrap().insert(k.into(), v);
            c
        };
        let table = [
            (
                jwt(&key, json!({"typ": "JWT", "kid": "k1"}), claims.clone()),
                StatusError::WrongType,
            ),
            (
                jwt(
                    &key,
                    json!({"typ": "statuslist+jwt", "kid": "k2"}),
                    claims.clone(),
                ),
                StatusError::UnknownKey,
            ),
            (
                jwt(
                    &key,
                    json!({"typ": "statuslist+jwt", "kid": "k1", "crit": ["x"]}),
                    claims.clone(),
                ),
                StatusError::UnsupportedAlgorithm,
            ),
            (
                jwt(&other, header.clone(), claims.clone()),
                StatusError::BadSignature,
            ),
            (
                jwt(
                    &key,
                    header.clone(),
                    with("sub", json!("http://127.0.0.1:8080/status/2")),
                ),
                StatusError::WrongSubject,
            ),
            (
                jwt(&key, header.clone(), with("exp", json!(NOW - 60))),
                StatusError::Expired,
            ),
            (
                jwt(&key, header.clone(), with("iat", json!(NOW + 61))),
                StatusError::NotYetValid,
            ),
            (
                jwt(
                    &key,
                    header.clone(),
                    with("status_list", json!({"bits": 3, "lst": lst})),
                ),
                StatusError::Malformed,
            ),
            (
                jwt(&key, header.clone(), with("exp", json!("soon"))),
                StatusError::Malformed,
            ),
            ("x.y".to_owned(), StatusError::Malformed),
        ];
        for (token, expected) in table {
            assert_eq!(
                verify_status_list_jwt(&token, &jwks, URI, NOW, 60).err(),
                Some(expected)
            );
        }
    }
}
