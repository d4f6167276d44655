//! A partner's server in Rust: it hands out single-use nonces and verifies the
//! presentations that `MirairoId.present()` makes in the browser, with the native
//! `mirairo-id-sdk` crate (the same checks as the JS `Verifier`).
//!
//! - `POST /nonce` → `{"nonce", "audience"}`
//! - `POST /verify` `{"presentation"}` → `{"verified": VerifiedCertificate}` or
//!   `{"error": <PROTOCOL.md §4 code>, "error_description"}` with status 403.
//!
//! Every protocol rule is the SDK core's, as in the JS `Verifier.verifyOnline`: the
//! metadata's `issuer` must be the configured issuer exactly (`oidc::verifier_jwks_uri`);
//! the keys come from its `jwks_uri`, refetched when a credential names a `kid` the
//! cached set lacks, at most once per 60 s (`oidc::JwksRefetchPolicy`); the status list
//! comes from the credential's own `status.status_list.uri`, fetched only from the
//! issuer's origin and only once the issuer signature has verified, and is kept until
//! its `exp` / `ttl` (`status::StatusListCache`).
//!
//! Nonces are stateless: `<expiry ms>.<16 random bytes>.<HMAC-SHA256 of both>`, under a
//! secret drawn at start, so handing one out stores nothing and a flood of `POST /nonce`
//! costs no memory (nor makes anyone's nonce unusable). Only the nonces of presentations
//! being or already verified are remembered, until they expire: taken before verifying
//! (two concurrent presentations cannot both use one), given back when verification
//! fails (forged presentations leave nothing behind), kept when it passes (a replay is
//! refused).

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use hmac::{Hmac, Mac};
use mirairo_id_sdk::jose::{b64url_decode, b64url_encode};
use mirairo_id_sdk::oidc::{discovery_url, origin, verifier_jwks_uri, JwksRefetchPolicy};
use mirairo_id_sdk::sdjwt::SdJwt;
use mirairo_id_sdk::status::{verify_status_list_jwt, StatusListCache, VerifiedStatusList};
use mirairo_id_sdk::{
    ErrorCode, VerifiedCertificate, Verifier, VerifierConfig, VerifyError, VerifyOptions,
};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// How long a nonce stays usable, unless [`Config::nonce_ttl`] says otherwise.
pub const NONCE_TTL: Duration = Duration::from_secs(300);
/// The claims this partner needs disclosed.
pub const REQUIRED_CLAIMS: [&str; 1] = ["fare_class"];

/// What the server is told at start.
#[derive(Debug, Clone)]
pub struct Config {
    /// The provider, e.g. `http://127.0.0.1:8080`.
    pub issuer: String,
    /// This partner's identifier, expected as the KB-JWT `aud`.
    pub audience: String,
    /// How long a nonce stays usable after `POST /nonce` ([`NONCE_TTL`] by default).
    pub nonce_ttl: Duration,
}

impl Config {
    /// A configuration for `issuer` and `audience`, with nonces usable for [`NONCE_TTL`].
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        Config {
            issuer: issuer.into(),
            audience: audience.into(),
            nonce_ttl: NONCE_TTL,
        }
    }
}

/// Why the server could not start or a provider request failed.
#[derive(Debug)]
pub struct SetupError(pub String);

impl std::fmt::Display for SetupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SetupError {}

struct Partner {
    config: Config,
    http: reqwest::Client,
    jwks_uri: String,
    verifier: RwLock<Verifier>,
    /// When the JWK Set was last refetched (the core's rule decides if it may be again).
    refetch: Mutex<JwksRefetchPolicy>,
    /// Verified status lists by URI, until their `exp` / `ttl` (the core's cache).
    status_cache: Mutex<StatusListCache>,
    nonces: Nonces,
}

/// Unix time in seconds (for the verifier).
fn now() -> i64 {
    now_ms() / 1000
}

/// Unix time in milliseconds (for nonces).
fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

fn random_b64url(len: usize) -> String {
    let mut bytes = vec![0u8; len];
    OsRng.fill_bytes(&mut bytes);
    b64url_encode(&bytes)
}

type HmacSha256 = Hmac<Sha256>;

/// Single-use nonces that cost nothing to hand out (see the module documentation).
/// Times are Unix milliseconds, passed in so that tests can move them.
struct Nonces {
    /// HMAC-SHA256 keyed with this process's random secret. With several server
    /// processes, share the secret (and `used`, e.g. in Redis with the expiry as TTL).
    key: HmacSha256,
    ttl_ms: i64,
    /// Nonces taken by a presentation being or already verified, and when each
    /// expires (pruned then).
    used: Mutex<HashMap<String, i64>>,
}

impl Nonces {
    fn new(ttl: Duration) -> Self {
        // A whole HMAC-SHA256 block of randomness, used as the key as is.
        let mut secret = hmac::digest::Key::<HmacSha256>::default();
        OsRng.fill_bytes(&mut secret);
        Nonces {
            key: HmacSha256::new(&secret),
            ttl_ms: i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX),
            used: Mutex::new(HashMap::new()),
        }
    }

    /// The HMAC of a nonce's `<expiry>.<random>`.
    fn mac(&self, expires: &str, random: &str) -> HmacSha256 {
        let mut mac = self.key.clone();
        mac.update(expires.as_bytes());
        mac.update(b".");
        mac.update(random.as_bytes());
        mac
    }

    /// A nonce usable until `now_ms + ttl`: `<expiry>.<random>.<HMAC>`. Stores nothing.
    fn issue(&self, now_ms: i64) -> String {
        let expires = now_ms.saturating_add(self.ttl_ms).to_string();
        let random = random_b64url(16);
        let tag = self.mac(&expires, &random).finalize().into_bytes();
        format!("{expires}.{random}.{}", b64url_encode(&tag))
    }

    /// The expiry of `nonce` if this process issued it (its HMAC checks, compared in
    /// constant time); `None` for anything else.
    fn expiry(&self, nonce: &str) -> Option<i64> {
        let mut parts = nonce.split('.');
        let (Some(expires), Some(random), Some(tag), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        // Strict base64url: one spelling per tag, so a nonce cannot be reused under
        // another spelling of its HMAC.
        let tag = b64url_decode(tag).ok()?;
        self.mac(expires, random).verify_slice(&tag).ok()?;
        expires.parse().ok()
    }

    /// Takes `nonce` for one presentation: true when this process issued it, it has
    /// not expired at `now_ms`, and no other presentation has taken it. It is then
    /// refused until it expires, unless [`Nonces::release`] gives it back.
    fn take(&self, nonce: &str, now_ms: i64) -> bool {
        let Some(until) = self.expiry(nonce).filter(|until| *until > now_ms) else {
            return false;
        };
        let mut used = lock(&self.used);
        used.retain(|_, u| *u > now_ms);
        match used.entry(nonce.to_owned()) {
            Entry::Occupied(_) => false,
            Entry::Vacant(slot) => {
                slot.insert(until);
                true
            }
        }
    }

    /// Gives back a nonce whose presentation was refused: usable again until it expires.
    fn release(&self, nonce: &str) {
        lock(&self.used).remove(nonce);
    }
}

/// A nonce taken for one presentation. Dropping it gives the nonce back (verification
/// failed, or the request was dropped half-way); [`Taken::keep`] uses it up.
struct Taken<'a> {
    nonces: &'a Nonces,
    nonce: String,
    kept: bool,
}

impl Taken<'_> {
    fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for Taken<'_> {
    fn drop(&mut self) {
        if !self.kept {
            self.nonces.release(&self.nonce);
        }
    }
}

async fn get_text(http: &reqwest::Client, url: &str) -> Result<String, SetupError> {
    let res = http
        .get(url)
        .send()
        .await
        .map_err(|e| SetupError(format!("GET {url}: {e}")))?;
    if !res.status().is_success() {
        return Err(SetupError(format!("GET {url}: HTTP {}", res.status())));
    }
    res.text()
        .await
        .map_err(|e| SetupError(format!("GET {url}: {e}")))
}

/// A JWK Set, read by the SDK's own strict JSON parser (duplicate names refused).
async fn get_jwks(
    http: &reqwest::Client,
    url: &str,
) -> Result<mirairo_id_sdk::json::Value, SetupError> {
    let text = get_text(http, url).await?;
    mirairo_id_sdk::json::parse(&text).map_err(|e| SetupError(format!("GET {url}: {e}")))
}

impl Partner {
    async fn start(config: Config) -> Result<Self, SetupError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| SetupError(format!("HTTP client: {e}")))?;
        let metadata = get_text(&http, &discovery_url(&config.issuer)).await?;
        // PROTOCOL §1: its `issuer` is exactly the configured one; then its `jwks_uri`.
        let jwks_uri = verifier_jwks_uri(&metadata, &config.issuer)
            .map_err(|e| SetupError(format!("provider metadata: {}", e.message())))?;
        let jwks = get_jwks(&http, &jwks_uri).await?;
        let verifier = Verifier::new(VerifierConfig::new(config.issuer.clone(), jwks))
            .map_err(|e| SetupError(format!("verifier: {e}")))?;
        Ok(Partner {
            http,
            jwks_uri,
            verifier: RwLock::new(verifier),
            refetch: Mutex::new(JwksRefetchPolicy::default()),
            status_cache: Mutex::new(StatusListCache::new()),
            nonces: Nonces::new(config.nonce_ttl),
            config,
        })
    }

    fn verifier(&self) -> Verifier {
        match self.verifier.read() {
            Ok(v) => v.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    /// One JWK Set refetch, if the core's rule allows one now (PROTOCOL §1).
    async fn refetch_jwks(&self) -> Result<(), SetupError> {
        {
            let mut policy = lock(&self.refetch);
            if !policy.may_refetch(now()) {
                return Err(SetupError("JWKS refetched less than 60 s ago".into()));
            }
            policy.record_refetch(now());
        }
        let jwks = get_jwks(&self.http, &self.jwks_uri).await?;
        let mut verifier = match self.verifier.write() {
            Ok(v) => v,
            Err(p) => p.into_inner(),
        };
        verifier
            .set_jwks(&jwks)
            .map_err(|e| SetupError(format!("JWKS: {e}")))
    }

    /// Every check of PROTOCOL.md §4 with key binding, this audience, an unexpired
    /// nonce this server issued and no accepted presentation has used, and the current
    /// status.
    async fn verify(&self, presentation: &str) -> Result<VerifiedCertificate, (ErrorCode, String)> {
        // The nonce in the KB-JWT only selects which issued nonce to demand.
        let claimed = SdJwt::parse(presentation)
            .ok()
            .and_then(|sd| sd.key_binding()?.payload_object().ok())
            .and_then(|kb| kb.get("nonce")?.as_str().map(str::to_owned));
        let taken = claimed
            .filter(|n| self.nonces.take(n, now_ms()))
            .map(|nonce| Taken {
                nonces: &self.nonces,
                nonce,
                kept: false,
            });
        // An unknown, expired, replayed or forged nonce becomes a random value no
        // KB-JWT carries, so the verifier answers `bad_key_binding` in §4 order.
        let expected = taken
            .as_ref()
            .map_or_else(|| random_b64url(24), |t| t.nonce.clone());
        let verified = self.verify_with_nonce(presentation, expected).await;
        if let (Ok(_), Some(taken)) = (&verified, taken) {
            taken.keep();
        }
        verified
    }

    /// The checks of [`Partner::verify`], demanding `expected` as the KB-JWT nonce.
    async fn verify_with_nonce(
        &self,
        presentation: &str,
        expected: String,
    ) -> Result<VerifiedCertificate, (ErrorCode, String)> {
        let options = VerifyOptions {
            audience: Some(self.config.audience.clone()),
            nonce: Some(expected),
            require_key_binding: true,
            required_claims: REQUIRED_CLAIMS.iter().map(|c| (*c).to_owned()).collect(),
            require_status: true,
            ..VerifyOptions::at(now())
        };
        let fail = |e: VerifyError| (e.code(), e.detail().to_owned());

        // Phase one finds the key and the status list reference.
        let mut prepared = self.verifier().prepare(presentation, &options);
        if matches!(&prepared, Err(e) if e.code() == ErrorCode::UnknownKey) {
            // A key rotation: refetch the JWKS (if allowed now) and try again.
            if self.refetch_jwks().await.is_ok() {
                prepared = self.verifier().prepare(presentation, &options);
            }
        }
        let mut prepared = prepared.map_err(fail)?;
        let results: Vec<bool> = prepared
            .signature_checks()
            .iter()
            .map(|c| c.verify())
            .collect();
        // The status list: only once the issuer signature verified (the URI is the
        // credential's), and only ever from the provider.
        let reference = prepared.status_reference().cloned();
        if let Some(reference) = reference.filter(|_| prepared.issuer_signature_passed(&results)) {
            if let Some(list) = self.status_list(&reference.uri).await {
                prepared.use_verified_status_list(&reference.uri, list);
            }
        }
        prepared.finish(&results).map_err(fail)
    }

    /// The verified status list at `uri`: cached while fresh, else fetched from the
    /// provider and verified; `None` when it cannot be had (then `status_unavailable`).
    async fn status_list(&self, uri: &str) -> Option<Arc<VerifiedStatusList>> {
        if let Some(list) = lock(&self.status_cache).get(uri, now()) {
            return Some(list);
        }
        if origin(uri).is_none() || origin(uri) != origin(&self.config.issuer) {
            return None;
        }
        let fetched = get_text(&self.http, uri).await.ok();
        let verifier = self.verifier();
        let at = now();
        let verified = fetched.and_then(|jwt| {
            verify_status_list_jwt(&jwt, verifier.jwks(), uri, at, verifier.leeway()).ok()
        });
        let mut cache = lock(&self.status_cache);
        match verified {
            Some(list) => Some(cache.insert(uri, list, at)),
            None => {
                cache.remove(uri);
                None
            }
        }
    }
}

/// `POST /nonce` answer.
#[derive(Serialize)]
struct NonceResponse<'a> {
    nonce: String,
    audience: &'a str,
}

/// `POST /verify` request.
#[derive(Deserialize)]
struct VerifyRequest {
    presentation: String,
}

/// `POST /verify` answers.
#[derive(Serialize)]
#[serde(untagged)]
enum VerifyResponse<'a> {
    Verified {
        verified: &'a VerifiedCertificate,
    },
    Refused {
        error: &'a str,
        error_description: &'a str,
    },
}

fn json_response(status: StatusCode, body: impl Serialize) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

async fn nonce(State(partner): State<Arc<Partner>>) -> Response {
    let body = NonceResponse {
        nonce: partner.nonces.issue(now_ms()),
        audience: &partner.config.audience,
    };
    json_response(StatusCode::OK, body)
}

async fn verify(State(partner): State<Arc<Partner>>, body: Bytes) -> Response {
    let Ok(VerifyRequest { presentation }) = serde_json::from_slice(&body) else {
        let body = VerifyResponse::Refused {
            error: "invalid_request",
            error_description: "expected {\"presentation\": \"…\"}",
        };
        return json_response(StatusCode::BAD_REQUEST, body);
    };
    match partner.verify(&presentation).await {
        Ok(certificate) => json_response(
            StatusCode::OK,
            VerifyResponse::Verified {
                verified: &certificate,
            },
        ),
        Err((code, detail)) => json_response(
            StatusCode::FORBIDDEN,
            VerifyResponse::Refused {
                error: code.as_str(),
                error_description: &detail,
            },
        ),
    }
}

/// The server's routes, after fetching the provider's metadata and keys.
///
/// # Errors
/// [`SetupError`] when the provider cannot be reached or its metadata is wrong.
pub async fn app(config: Config) -> Result<Router, SetupError> {
    let partner = Arc::new(Partner::start(config).await?);
    Ok(Router::new()
        .route("/nonce", post(nonce))
        .route("/verify", post(verify))
        .with_state(partner))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`NONCE_TTL`] in milliseconds.
    const TTL_MS: i64 = 300_000;

    fn nonces() -> Nonces {
        Nonces::new(NONCE_TTL)
    }

    /// `nonce` with its `index`th `.`-separated part changed by `f`.
    fn with_part(nonce: &str, index: usize, f: impl Fn(&str) -> String) -> String {
        let parts: Vec<String> = nonce
            .split('.')
            .enumerate()
            .map(|(i, p)| if i == index { f(p) } else { p.to_owned() })
            .collect();
        parts.join(".")
    }

    /// `part` with its first character swapped for another base64url character.
    fn first_char_changed(part: &str) -> String {
        let other = if part.starts_with('A') { 'B' } else { 'A' };
        format!("{other}{}", &part[1..])
    }

    /// `tag` with an unused low bit of its last character set: the same bytes to a
    /// lenient base64 decoder, another spelling of the same nonce to a strict one.
    fn unused_bit_set(tag: &str) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let (head, last) = tag.split_at(tag.len() - 1);
        let i = ALPHABET
            .iter()
            .position(|&c| c == last.as_bytes()[0])
            .unwrap();
        format!("{head}{}", char::from(ALPHABET[i ^ 1]))
    }

    #[test]
    fn which_nonces_a_presentation_can_take() {
        let here = nonces();
        let elsewhere = nonces();
        let t = 1_700_000_000_000;
        let moved = |n: &str| {
            with_part(n, 0, |e| {
                (e.parse::<i64>().unwrap() + 3_600_000).to_string()
            })
        };
        // (what, nonce, taken at, taken?)
        let rows: Vec<(&str, String, i64, bool)> = vec![
            ("issued here, fresh", here.issue(t), t, true),
            (
                "issued here, its last usable millisecond",
                here.issue(t),
                t + TTL_MS - 1,
                true,
            ),
            ("issued here, expired", here.issue(t), t + TTL_MS, false),
            ("never issued", "never-issued-0123456789".into(), t, false),
            (
                "issued by another process (another secret)",
                elsewhere.issue(t),
                t,
                false,
            ),
            (
                "expiry moved (HMAC mismatch), within the old expiry",
                moved(&here.issue(t)),
                t,
                false,
            ),
            (
                "expiry moved (HMAC mismatch), after the old expiry",
                moved(&here.issue(t)),
                t + TTL_MS,
                false,
            ),
            (
                "another random part",
                with_part(&here.issue(t), 1, first_char_changed),
                t,
                false,
            ),
            (
                "another HMAC",
                with_part(&here.issue(t), 2, first_char_changed),
                t,
                false,
            ),
            (
                "the HMAC spelled another way (an unused bit set)",
                with_part(&here.issue(t), 2, unused_bit_set),
                t,
                false,
            ),
            (
                "the HMAC spelled with padding",
                format!("{}=", here.issue(t)),
                t,
                false,
            ),
            ("a fourth part", format!("{}.x", here.issue(t)), t, false),
            ("empty", String::new(), t, false),
        ];
        for (what, nonce, at, expected) in rows {
            assert_eq!(here.take(&nonce, at), expected, "{what}: {nonce}");
        }
    }

    #[test]
    fn a_taken_nonce_is_refused_until_given_back() {
        let n = nonces();
        let nonce = n.issue(1_000);
        assert!(n.take(&nonce, 1_001), "first presentation");
        assert!(
            !n.take(&nonce, 1_002),
            "replayed, or a concurrent second presentation"
        );
        n.release(&nonce);
        assert!(
            lock(&n.used).is_empty(),
            "a refused presentation leaves nothing behind"
        );
        assert!(n.take(&nonce, 1_003), "after a refused presentation");
        assert!(!n.take(&nonce, 1_004), "after an accepted presentation");
    }

    #[test]
    fn a_taken_guard_gives_the_nonce_back_unless_kept() {
        let n = nonces();
        let nonce = n.issue(1_000);
        // (kept?, usable again afterwards?)
        for (kept, usable_again) in [(false, true), (true, false)] {
            assert!(n.take(&nonce, 1_001));
            let taken = Taken {
                nonces: &n,
                nonce: nonce.clone(),
                kept: false,
            };
            if kept {
                taken.keep();
            } else {
                drop(taken);
            }
            assert_eq!(n.take(&nonce, 1_002), usable_again, "kept: {kept}");
            n.release(&nonce);
        }
    }

    #[test]
    fn used_nonces_are_forgotten_once_expired() {
        let n = nonces();
        let t = 1_000;
        let first = n.issue(t);
        assert!(n.take(&first, t));
        let second = n.issue(t + 1);
        assert!(n.take(&second, t + TTL_MS - 1));
        assert_eq!(
            lock(&n.used).len(),
            2,
            "still remembered at its last usable ms"
        );
        let third = n.issue(t + TTL_MS);
        assert!(n.take(&third, t + TTL_MS));
        assert_eq!(lock(&n.used).len(), 2, "the first one pruned");
        assert!(!n.take(&first, t + TTL_MS), "and still refused: expired");
    }

    #[test]
    fn issuing_stores_nothing() {
        let n = nonces();
        let issued: Vec<String> = (0..20_000).map(|_| n.issue(10_000)).collect();
        let distinct: std::collections::HashSet<&String> = issued.iter().collect();
        assert_eq!(distinct.len(), issued.len());
        assert!(lock(&n.used).is_empty());
        // The first and the last ones issued are all usable: a flood spoils no nonce.
        for nonce in issued.iter().take(50).chain(issued.iter().rev().take(50)) {
            assert!(n.take(nonce, 10_001), "{nonce}");
        }
    }
}
