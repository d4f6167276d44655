//! The Mirairo certificate credential verifier (PROTOCOL.md §3, §4) and the ID token
//! check (§2.4).
//!
//! Verification runs in two phases so that a caller can run the ECDSA checks
//! elsewhere (e.g. WebCrypto, asynchronously): [`Verifier::prepare`] parses and runs
//! every check that comes before `bad_signature` in §4 order and lists the signature
//! checks needed; [`Prepared::finish`] takes their outcomes and runs the rest.
//! [`Verifier::verify`] is both phases with the pure-Rust p256 implementation, so the
//! first failing check, and therefore the error code, is the same either way.

mod certificate;
mod id_token;

pub(crate) use certificate::nullable_date;
pub use certificate::{CertificateType, Date, FareClass, Mynaportal, VerifiedCertificate};
pub use id_token::{Audience, IdTokenClaims, IdTokenError, IdTokenOptions, PreparedIdToken};

use crate::error::{err, ErrorCode, VerifyError};
use crate::jose::{EcPublicJwk, JwkSet, Jws, SignatureCheck};
use crate::json::{Map, Value};
use crate::sdjwt::{SdJwt, MAX_INPUT_BYTES};
use crate::status::{
    PendingStatusList, StatusError, VerifiedStatusList, STATUS_REVOKED, STATUS_SUSPENDED,
    STATUS_VALID,
};
use std::sync::Arc;
use ErrorCode::*;

/// The `vct` of the Mirairo disability certificate credential.
pub const DEFAULT_VCT: &str = "urn:mirairo-id:disability-certificate:1";
/// Default clock-skew leeway, in seconds.
pub const DEFAULT_LEEWAY: u64 = 60;
/// Default maximum age of a KB-JWT, in seconds.
pub const DEFAULT_MAX_KEY_BINDING_AGE: u64 = 300;

/// Header members that name or carry a key, or demand extensions: never accepted.
const FORBIDDEN_HEADERS: [&str; 5] = ["crit", "jku", "x5u", "x5c", "jwk"];

/// How a [`Verifier`] is set up.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifierConfig {
    /// The provider's issuer URL (http or https), compared exactly with `iss`.
    pub issuer: String,
    /// The provider's JWK Set (`{"keys": […]}`); unusable keys are skipped.
    pub jwks: Value,
    /// The expected `vct`; [`DEFAULT_VCT`] by default.
    pub vct: String,
    /// Clock-skew leeway in seconds; [`DEFAULT_LEEWAY`] by default.
    pub leeway: u64,
}

impl VerifierConfig {
    /// A configuration with the default `vct` and leeway.
    pub fn new(issuer: impl Into<String>, jwks: Value) -> Self {
        Self {
            issuer: issuer.into(),
            jwks,
            vct: DEFAULT_VCT.to_owned(),
            leeway: DEFAULT_LEEWAY,
        }
    }
}

/// Per-call verification options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyOptions {
    /// The current time, Unix seconds.
    pub now: i64,
    /// Expected KB-JWT `aud`. A KB-JWT is refused (`bad_key_binding`) when this is unset.
    pub audience: Option<String>,
    /// Expected KB-JWT `nonce`. A KB-JWT is refused (`bad_key_binding`) when this is unset.
    pub nonce: Option<String>,
    /// Fail with `key_binding_required` when there is no KB-JWT.
    pub require_key_binding: bool,
    /// Maximum KB-JWT age in seconds; [`DEFAULT_MAX_KEY_BINDING_AGE`] by default.
    pub max_key_binding_age: u64,
    /// Wire names of claims that must have been disclosed.
    pub required_claims: Vec<String>,
    /// A status list JWT the caller already has (from `status.status_list.uri`).
    pub status_list: Option<String>,
    /// Fail with `status_unavailable` unless a verified status list says "valid".
    pub require_status: bool,
}

impl VerifyOptions {
    /// Options at time `now` with every default: no key binding required, no
    /// required claims, no status list.
    pub fn at(now: i64) -> Self {
        Self {
            now,
            audience: None,
            nonce: None,
            require_key_binding: false,
            max_key_binding_age: DEFAULT_MAX_KEY_BINDING_AGE,
            required_claims: Vec::new(),
            status_list: None,
            require_status: false,
        }
    }
}

/// Where the credential's status is published (`status.status_list`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusReference {
    /// The status list URI.
    pub uri: String,
    /// The credential's index in that list.
    pub idx: u64,
}

/// Verifies Mirairo certificate credentials and ID tokens against one issuer.
///
/// Limits, checked before any expensive work: input ≤ [`MAX_INPUT_BYTES`] (256 KiB),
/// ≤ [`crate::sdjwt::MAX_DISCLOSURES`] (256) disclosures, JSON nesting depth ≤
/// [`crate::MAX_JSON_DEPTH`] (32, checked while parsing, before going deeper); beyond
/// them the result is `malformed`. Any input yields a result or an error code, never
/// a panic.
///
/// ```
/// use mirairo_id_sdk::jose::Es256SigningKey;
/// use mirairo_id_sdk::sdjwt::{issue_sd_jwt, key_binding_jwt};
/// use mirairo_id_sdk::{FareClass, Verifier, VerifierConfig, VerifyOptions};
/// use mirairo_id_sdk::json::{Map, Value};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let issuer_key = Es256SigningKey::from_bytes(&[1; 32])?;
/// # let holder_key = Es256SigningKey::from_bytes(&[2; 32])?;
/// # let mut jwk = issuer_key.public_jwk();
/// # jwk.kid = Some("k1".into());
/// # let jwks = Value::from(Map::from_pairs([("keys", vec![jwk.to_json()].into())]));
/// # let now: i64 = 1_764_200_000;
/// # let header = Map::from_pairs([("typ", "dc+sd-jwt".into()), ("kid", "k1".into())]);
/// # let cnf = Map::from_pairs([("jwk", holder_key.public_jwk().to_json())]);
/// # let payload = Map::from_pairs([("iss", "https://id.example".into()), ("iat", now.into()),
/// #     ("exp", (now + 3600).into()), ("vct", "urn:mirairo-id:disability-certificate:1".into()),
/// #     ("cnf", cnf.into())]);
/// # let sd_jwt = issue_sd_jwt(&issuer_key, header, payload,
/// #     vec![("fare_class".into(), 1.into()), ("valid_until".into(), "2030-03-31".into())], 2)?;
/// # let kb = key_binding_jwt(&holder_key, &sd_jwt, "https://rail.example", "n-0S6_WzA2Mj", now);
/// # let presentation = format!("{sd_jwt}{kb}");
/// // At start-up: the provider's issuer and JWK Set (from its jwks_uri).
/// let verifier = Verifier::new(VerifierConfig::new("https://id.example", jwks))?;
///
/// // Per request: the presentation the browser posted, checked against the nonce
/// // this server issued for it.
/// let options = VerifyOptions {
///     audience: Some("https://rail.example".into()),
///     nonce: Some("n-0S6_WzA2Mj".into()),
///     require_key_binding: true,
///     required_claims: vec!["fare_class".into()],
///     ..VerifyOptions::at(now)
/// };
/// let certificate = verifier.verify(&presentation, &options)?;
/// assert!(certificate.key_bound);
/// assert_eq!(certificate.fare_class, Some(FareClass::Class1));
///
/// // A tampered presentation fails with a stable code.
/// let error = verifier.verify(&presentation.replace('~', "~~"), &options).unwrap_err();
/// assert_eq!(error.code().as_str(), "malformed");
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Verifier {
    issuer: String,
    jwks: JwkSet,
    vct: String,
    leeway: u64,
}

fn is_http_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let Some(rest) = rest else {
        return false;
    };
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    host_end > 0 && !url.chars().any(|c| c.is_whitespace() || c.is_control()) && !url.contains('#')
}

fn config_error(detail: &'static str) -> VerifyError {
    err(InvalidConfig, detail)
}

impl Verifier {
    /// A verifier for `config`.
    ///
    /// # Errors
    ///
    /// `invalid_config` when `issuer` is not an http(s) URL, `jwks` is not a JWK Set
    /// (an object with a `keys` array), or `vct` is empty.
    pub fn new(config: VerifierConfig) -> Result<Self, VerifyError> {
        if !is_http_url(&config.issuer) {
            return Err(config_error("issuer is not an http(s) URL"));
        }
        if config.vct.is_empty() {
            return Err(config_error("vct is empty"));
        }
        let jwks =
            JwkSet::from_json(&config.jwks).map_err(|_| config_error("jwks is not a JWK Set"))?;
        Ok(Self {
            issuer: config.issuer,
            jwks,
            vct: config.vct,
            leeway: config.leeway,
        })
    }

    /// The configured issuer.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The usable keys of the configured JWK Set.
    pub fn jwks(&self) -> &JwkSet {
        &self.jwks
    }

    /// Replaces the JWK Set, e.g. after a refetch for an unknown `kid`.
    ///
    /// # Errors
    ///
    /// `invalid_config` when `jwks` is not a JWK Set; the old set is kept.
    pub fn set_jwks(&mut self, jwks: &Value) -> Result<(), VerifyError> {
        self.jwks = JwkSet::from_json(jwks).map_err(|_| config_error("jwks is not a JWK Set"))?;
        Ok(())
    }

    /// The expected `vct`.
    pub fn vct(&self) -> &str {
        &self.vct
    }

    /// The clock-skew leeway in seconds.
    pub fn leeway(&self) -> u64 {
        self.leeway
    }

    fn leeway_i64(&self) -> i64 {
        i64::try_from(self.leeway).unwrap_or(i64::MAX)
    }

    /// Verifies a credential or presentation (`<jwt>~<disclosure>~…~[<kb-jwt>]`) with
    /// every check of PROTOCOL.md §4, in order.
    ///
    /// # Errors
    ///
    /// The first failing check's [`ErrorCode`] (never `invalid_config`).
    pub fn verify(
        &self,
        credential: &str,
        options: &VerifyOptions,
    ) -> Result<VerifiedCertificate, VerifyError> {
        let prepared = self.prepare(credential, options)?;
        let results = crate::jose::run_checks(&prepared.checks)?;
        prepared.finish(&results)
    }

    /// Phase one of [`Verifier::verify`]: parses the input and runs the checks that
    /// precede `bad_signature` (`malformed`, `unsupported_algorithm`, `wrong_type`,
    /// `unknown_key`). The returned [`Prepared`] lists the ECDSA checks to run.
    ///
    /// # Errors
    ///
    /// `malformed`, `unsupported_algorithm`, `wrong_type` or `unknown_key`.
    pub fn prepare(
        &self,
        credential: &str,
        options: &VerifyOptions,
    ) -> Result<Prepared, VerifyError> {
        if credential.len() > MAX_INPUT_BYTES {
            return Err(err(Malformed, "input larger than the limit"));
        }
        let sd = SdJwt::parse(credential)?;
        let jwt = sd.issuer_jwt();
        let payload = jwt
            .payload_object()
            .map_err(|_| err(Malformed, "issuer JWT payload is not a JSON object"))?;
        let claims = IssuerClaims::read(&payload)?;
        let kb_claims = match sd.key_binding() {
            Some(kb) => Some(
                kb.payload_object()
                    .map_err(|_| err(Malformed, "KB-JWT payload is not a JSON object"))?,
            ),
            None => None,
        };

        check_algorithm(jwt)?;
        if let Some(kb) = sd.key_binding() {
            check_algorithm(kb)?;
        }
        if jwt.header_str("typ") != Some("dc+sd-jwt") {
            return Err(err(WrongType, "issuer JWT typ is not dc+sd-jwt"));
        }
        if let Some(kb) = sd.key_binding() {
            if kb.header_str("typ") != Some("kb+jwt") {
                return Err(err(WrongType, "KB-JWT typ is not kb+jwt"));
            }
        }
        let issuer_key = jwt
            .header_str("kid")
            .and_then(|kid| self.jwks.find(kid))
            .ok_or(err(UnknownKey, "no issuer key with this kid"))?;

        let mut checks = Vec::new();
        let issuer_sig = push_check(&mut checks, issuer_key, jwt);
        let kb_sig = sd
            .key_binding()
            .and_then(|kb| push_check(&mut checks, &claims.holder, kb));
        let mut status = None;
        let mut status_sig = None;
        if let (Some(list), Some(reference)) = (&options.status_list, &claims.status) {
            let parsed = PendingStatusList::parse(
                list,
                &self.jwks,
                &reference.uri,
                options.now,
                self.leeway,
            );
            if parsed.as_ref().err() == Some(&StatusError::NoInflater) {
                // A build without `inflate` and no inflater: the caller's list cannot be
                // read here, and ignoring it would accept a revoked credential.
                return Err(err(InvalidConfig, crate::status::INFLATER_UNAVAILABLE));
            }
            if let Ok(pending) = parsed {
                let check = pending.signature_check().clone();
                if check.signature.len() == 64 {
                    status_sig = Some(checks.len());
                    checks.push(check);
                    status = Some(pending);
                }
            }
        }
        Ok(Prepared {
            checks,
            issuer_sig,
            kb_sig,
            status_sig,
            sd,
            payload,
            claims,
            kb_claims,
            status,
            issuer: self.issuer.clone(),
            vct: self.vct.clone(),
            leeway: self.leeway_i64(),
            options: options.clone(),
            expected_holder: None,
            cached_status: None,
            only_claims: None,
        })
    }

    /// Verifies the credential of a token response at login (PROTOCOL.md §2.4): every
    /// issuer-side check of §4 at time `now`, and `cnf.jwk` must be the client's own
    /// DPoP key, whose RFC 7638 thumbprint is `dpop_jkt` (`bad_key_binding`
    /// otherwise, in that code's place in §4 order). No status list is needed.
    ///
    /// # Errors
    ///
    /// The first failing check's [`ErrorCode`].
    pub fn verify_for_login(
        &self,
        credential: &str,
        now: i64,
        dpop_jkt: &str,
    ) -> Result<VerifiedCertificate, VerifyError> {
        let prepared = self.prepare_for_login(credential, now, dpop_jkt)?;
        let results = crate::jose::run_checks(&prepared.checks)?;
        prepared.finish(&results)
    }

    /// Phase one of [`Verifier::verify_for_login`] (see [`Verifier::prepare`]).
    ///
    /// # Errors
    ///
    /// `malformed`, `unsupported_algorithm`, `wrong_type` or `unknown_key`.
    pub fn prepare_for_login(
        &self,
        credential: &str,
        now: i64,
        dpop_jkt: &str,
    ) -> Result<Prepared, VerifyError> {
        let mut prepared = self.prepare(credential, &VerifyOptions::at(now))?;
        prepared.expected_holder = Some(dpop_jkt.to_owned());
        Ok(prepared)
    }
}

fn check_algorithm(jws: &Jws) -> Result<(), VerifyError> {
    if jws.header_str("alg") != Some("ES256") {
        return Err(err(UnsupportedAlgorithm, "alg is not ES256"));
    }
    if FORBIDDEN_HEADERS
        .iter()
        .any(|h| jws.header().contains_key(h))
    {
        return Err(err(
            UnsupportedAlgorithm,
            "header has crit, jku, x5u, x5c or jwk",
        ));
    }
    Ok(())
}

/// Adds the check unless the signature cannot be ES256 (not 64 bytes): such a check
/// has no index and counts as failed.
fn push_check(checks: &mut Vec<SignatureCheck>, key: &EcPublicJwk, jws: &Jws) -> Option<usize> {
    if jws.signature().len() != 64 {
        return None;
    }
    checks.push(SignatureCheck {
        key: key.clone(),
        signing_input: jws.signing_input().to_owned(),
        signature: jws.signature().to_vec(),
    });
    Some(checks.len() - 1)
}

/// The required and optional registered claims of the issuer JWT, type-checked.
#[derive(Clone, Debug)]
struct IssuerClaims {
    iss: String,
    iat: i64,
    exp: i64,
    nbf: Option<i64>,
    vct: String,
    holder: EcPublicJwk,
    status: Option<StatusReference>,
}

impl IssuerClaims {
    fn read(payload: &Map) -> Result<Self, VerifyError> {
        let bad = |detail| err(Malformed, detail);
        let string = |name: &str| payload.get(name).and_then(Value::as_str).map(str::to_owned);
        let int = |name: &str| payload.get(name).and_then(Value::as_i64);
        let iss = string("iss").ok_or(bad("iss missing or not a string"))?;
        let iat = int("iat").ok_or(bad("iat missing or not an integer"))?;
        let exp = int("exp").ok_or(bad("exp missing or not an integer"))?;
        let nbf = match payload.get("nbf") {
            None => None,
            Some(v) => Some(v.as_i64().ok_or(bad("nbf not an integer"))?),
        };
        let vct = string("vct").ok_or(bad("vct missing or not a string"))?;
        let holder = payload
            .get("cnf")
            .and_then(|c| c.get("jwk"))
            .and_then(|j| EcPublicJwk::from_json(j).ok())
            .ok_or(bad("cnf.jwk missing or not an EC P-256 public key"))?;
        let status = match payload.get("status") {
            None => None,
            Some(s) => {
                let list = s
                    .get("status_list")
                    .ok_or(bad("status without status_list"))?;
                let idx = list.get("idx").and_then(Value::as_u64);
                let uri = list.get("uri").and_then(Value::as_str);
                match (idx, uri) {
                    (Some(idx), Some(uri)) => Some(StatusReference {
                        uri: uri.to_owned(),
                        idx,
                    }),
                    _ => return Err(bad("status_list idx/uri ill-typed")),
                }
            }
        };
        Ok(Self {
            iss,
            iat,
            exp,
            nbf,
            vct,
            holder,
            status,
        })
    }
}

/// A parsed credential waiting for its signature checks (phase two of
/// [`Verifier::verify`]).
#[derive(Clone, Debug)]
pub struct Prepared {
    checks: Vec<SignatureCheck>,
    issuer_sig: Option<usize>,
    kb_sig: Option<usize>,
    status_sig: Option<usize>,
    sd: SdJwt,
    payload: Map,
    claims: IssuerClaims,
    kb_claims: Option<Map>,
    status: Option<PendingStatusList>,
    issuer: String,
    vct: String,
    leeway: i64,
    options: VerifyOptions,
    /// At login: the thumbprint `cnf.jwk` must have (the client's DPoP key).
    expected_holder: Option<String>,
    /// A status list verified earlier (a caller's cache), see
    /// [`Prepared::use_verified_status_list`].
    cached_status: Option<Arc<VerifiedStatusList>>,
    /// For a counter presentation: the claims the request asked for; any other
    /// disclosed claim is left out of the result.
    only_claims: Option<Vec<String>>,
}

impl Prepared {
    /// Keeps only these claims in the result of [`Prepared::finish`].
    pub(crate) fn retain_only(&mut self, claims: Vec<String>) {
        self.only_claims = Some(claims);
    }

    /// The ES256 checks to run (issuer JWT, then KB-JWT, then status list, each when
    /// applicable), every one with a 64-byte `r ‖ s` signature.
    pub fn signature_checks(&self) -> &[SignatureCheck] {
        &self.checks
    }

    /// The credential's status list reference, if it has one (to fetch the list).
    pub fn status_reference(&self) -> Option<&StatusReference> {
        self.claims.status.as_ref()
    }

    /// Where the issuer signature's check stands in [`Prepared::signature_checks`], or
    /// `None` when its signature cannot be ES256 at all (then it has failed already).
    /// Callers that do more work after the checks (fetching a status list) must look
    /// at this check's result, never at a position: without an issuer check, index 0 is
    /// the KB-JWT's, which the presenter signs themselves.
    pub fn issuer_check_index(&self) -> Option<usize> {
        self.issuer_sig
    }

    /// Whether the issuer signature passed, given the results of the checks in order.
    pub fn issuer_signature_passed(&self, results: &[bool]) -> bool {
        self.issuer_sig
            .and_then(|i| results.get(i))
            .copied()
            .unwrap_or(false)
    }

    /// The `kid` of the issuer JWT.
    pub fn kid(&self) -> Option<&str> {
        self.sd.issuer_jwt().header_str("kid")
    }

    /// Supplies a status list that passed every check earlier (for example one a caller
    /// fetched, verified with [`crate::status::PendingStatusList`] for this `uri` and
    /// cached), so that it need not be parsed and its signature checked again. It is
    /// used only when `uri` is the credential's `status.status_list.uri` and the list's
    /// `exp` has not passed at the options' `now` (with leeway); returns whether it will
    /// be. A list given in [`VerifyOptions::status_list`] takes precedence.
    pub fn use_verified_status_list(&mut self, uri: &str, list: Arc<VerifiedStatusList>) -> bool {
        let fresh = list.expires_at > self.options.now.saturating_sub(self.leeway);
        let same_uri = self.claims.status.as_ref().is_some_and(|r| r.uri == uri);
        self.cached_status = (fresh && same_uri).then_some(list);
        self.cached_status.is_some()
    }

    /// Phase two: `results[i]` is the outcome of `signature_checks()[i]`. A missing
    /// result counts as a failed check. Runs every remaining check of §4, in order.
    ///
    /// # Errors
    ///
    /// The first failing check's [`ErrorCode`], from `bad_signature` on.
    pub fn finish(self, results: &[bool]) -> Result<VerifiedCertificate, VerifyError> {
        let passed =
            |index: Option<usize>| index.and_then(|i| results.get(i)).copied() == Some(true);
        let opts = &self.options;
        let now = opts.now;
        let claims = &self.claims;
        if !passed(self.issuer_sig) {
            return Err(err(BadSignature, "issuer signature does not verify"));
        }
        if claims.iss != self.issuer {
            return Err(err(WrongIssuer, "iss is not the configured issuer"));
        }
        if claims.vct != self.vct {
            return Err(err(WrongCredentialType, "vct is not the expected one"));
        }
        if claims.exp <= now.saturating_sub(self.leeway) {
            return Err(err(Expired, "exp has passed"));
        }
        let future = now.saturating_add(self.leeway);
        if claims.iat > future || claims.nbf.is_some_and(|nbf| nbf > future) {
            return Err(err(NotYetValid, "iat or nbf is in the future"));
        }

        let rebuilt = self.sd.reconstruct(&self.payload)?;
        let mut cert = VerifiedCertificate::new(
            claims.iss.clone(),
            claims.iat,
            claims.exp,
            claims.holder.thumbprint(),
        );
        for name in &rebuilt.disclosed {
            let value = rebuilt.claims.get(name).unwrap_or(&Value::Null);
            cert.apply(name, value)
                .map_err(|()| err(BadDisclosure, "disclosed claim has the wrong type"))?;
        }

        match &self.kb_claims {
            None if opts.require_key_binding => {
                return Err(err(
                    KeyBindingRequired,
                    "key binding required but no KB-JWT",
                ));
            }
            None => {}
            Some(kb) => {
                check_key_binding(kb, &self.sd, opts, self.leeway, passed(self.kb_sig))?;
                cert.key_bound = true;
            }
        }
        if let Some(expected) = &self.expected_holder {
            if cert.holder_key_thumbprint != *expected {
                return Err(err(BadKeyBinding, "cnf.jwk is not the client's DPoP key"));
            }
        }

        if opts.required_claims.iter().any(|c| !cert.is_disclosed(c)) {
            return Err(err(MissingClaim, "a required claim was not disclosed"));
        }

        let mut status_valid = false;
        let from_options = self
            .status
            .and_then(|pending| pending.finish(passed(self.status_sig)).ok());
        let list = match (&from_options, &self.options.status_list) {
            (Some(list), _) => Some(list),
            // A list the caller passed but that did not verify is not replaced.
            (None, Some(_)) => None,
            (None, None) => self.cached_status.as_deref(),
        };
        if let (Some(list), Some(reference)) = (list, &claims.status) {
            match list.list.get(reference.idx) {
                Ok(STATUS_REVOKED) => return Err(err(Revoked, "status list says revoked")),
                Ok(STATUS_SUSPENDED) => return Err(err(Suspended, "status list says suspended")),
                Ok(STATUS_VALID) => status_valid = true,
                _ => {}
            }
        }
        if opts.require_status && !status_valid {
            return Err(err(StatusUnavailable, "no verified status list says valid"));
        }

        if let Some(Some(until)) = cert.valid_until {
            if until.is_before_today_in_japan(now) {
                return Err(err(
                    CertificateExpired,
                    "valid_until is before today in Japan",
                ));
            }
        }
        if let Some(names) = &self.only_claims {
            cert.retain_claims(names);
            // The holder key is checked above; its thumbprint is a persistent
            // identifier of the holder (the same DPoP key with every partner) that a
            // counter never asked for, so it is not handed on either.
            cert.holder_key_thumbprint.clear();
        }
        Ok(cert)
    }
}

fn check_key_binding(
    kb: &Map,
    sd: &SdJwt,
    opts: &VerifyOptions,
    leeway: i64,
    signature_ok: bool,
) -> Result<(), VerifyError> {
    let bad = |detail| err(BadKeyBinding, detail);
    if !signature_ok {
        return Err(bad("KB-JWT signature by cnf.jwk does not verify"));
    }
    let text = |name: &str| kb.get(name).and_then(Value::as_str);
    let iat = kb
        .get("iat")
        .and_then(Value::as_i64)
        .ok_or(bad("KB-JWT iat missing"))?;
    match (text("aud"), opts.audience.as_deref()) {
        (Some(aud), Some(expected)) if aud == expected => {}
        _ => return Err(bad("KB-JWT aud differs (or no audience expected)")),
    }
    match (text("nonce"), opts.nonce.as_deref()) {
        (Some(nonce), Some(expected)) if nonce == expected => {}
        _ => return Err(bad("KB-JWT nonce differs (or no nonce expected)")),
    }
    if text("sd_hash") != Some(sd.sd_hash().as_str()) {
        return Err(bad("KB-JWT sd_hash differs"));
    }
    let max_age = i64::try_from(opts.max_key_binding_age).unwrap_or(i64::MAX);
    if iat < opts.now.saturating_sub(max_age) {
        return Err(bad("KB-JWT older than the maximum age"));
    }
    if iat > opts.now.saturating_add(leeway) {
        return Err(bad("KB-JWT iat in the future"));
    }
    Ok(())
}
