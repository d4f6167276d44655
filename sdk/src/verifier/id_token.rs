//! The OpenID Connect ID token check of PROTOCOL.md §2.4.

use super::{Verifier, FORBIDDEN_HEADERS};
use crate::jose::{Jws, SignatureCheck};
use crate::json::{self, Fields, Map, ShapeError, Value};
use crate::sdjwt::MAX_INPUT_BYTES;

/// Per-call ID token options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdTokenOptions {
    /// The partner's `client_id`: `aud` must be or contain it.
    pub audience: String,
    /// The nonce stored for this login attempt; checked when set.
    pub nonce: Option<String>,
    /// The current time, Unix seconds.
    pub now: i64,
}

/// `aud`: one audience or several.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Audience {
    /// A single audience string.
    One(String),
    /// An array of audiences.
    Many(Vec<String>),
}

impl Audience {
    /// A string, or an array of strings.
    pub fn from_json(value: &Value) -> Option<Self> {
        match value {
            Value::String(one) => Some(Self::One(one.clone())),
            _ => json::strings(value).map(Self::Many),
        }
    }

    /// A string, or an array of strings.
    pub fn to_json(&self) -> Value {
        match self {
            Self::One(a) => a.as_str().into(),
            Self::Many(all) => Value::Array(all.iter().map(|a| a.as_str().into()).collect()),
        }
    }

    fn contains(&self, client_id: &str) -> bool {
        match self {
            Self::One(a) => a == client_id,
            Self::Many(all) => all.iter().any(|a| a == client_id),
        }
    }
}

/// The claims of a verified ID token (wire names, as in the token).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdTokenClaims {
    /// Issuer.
    pub iss: String,
    /// Pairwise subject.
    pub sub: String,
    /// Audience.
    pub aud: Audience,
    /// Expiry, Unix seconds.
    pub exp: i64,
    /// Issue time, Unix seconds.
    pub iat: i64,
    /// Authentication time, Unix seconds.
    pub auth_time: Option<i64>,
    /// The login nonce.
    pub nonce: Option<String>,
    /// Authorized party.
    pub azp: Option<String>,
    /// Name (with the `profile` scope).
    pub name: Option<String>,
    /// Name in kana (with the `profile` scope).
    pub name_kana: Option<String>,
}

impl IdTokenClaims {
    /// The claims as a JSON object (wire names; absent options left out).
    pub fn to_json(&self) -> Value {
        let mut m = Map::from_pairs([
            ("iss", self.iss.as_str().into()),
            ("sub", self.sub.as_str().into()),
            ("aud", self.aud.to_json()),
            ("exp", self.exp.into()),
            ("iat", self.iat.into()),
        ]);
        json::put(&mut m, "auth_time", self.auth_time);
        json::put(&mut m, "nonce", self.nonce.as_deref());
        json::put(&mut m, "azp", self.azp.as_deref());
        json::put(&mut m, "name", self.name.as_deref());
        json::put(&mut m, "name_kana", self.name_kana.as_deref());
        Value::Object(m)
    }

    /// Reads the object [`IdTokenClaims::to_json`] writes (other members ignored).
    ///
    /// # Errors
    ///
    /// A [`ShapeError`] naming the first missing or ill-typed member.
    pub fn from_json(value: &Value) -> Result<Self, ShapeError> {
        let f = Fields::of(value)?;
        let text = json::string;
        Ok(Self {
            iss: f.required("iss", text)?,
            sub: f.required("sub", text)?,
            aud: f.required("aud", Audience::from_json)?,
            exp: f.required("exp", Value::as_i64)?,
            iat: f.required("iat", Value::as_i64)?,
            auth_time: f.optional("auth_time", Value::as_i64)?,
            nonce: f.optional("nonce", text)?,
            azp: f.optional("azp", text)?,
            name: f.optional("name", text)?,
            name_kana: f.optional("name_kana", text)?,
        })
    }
}

/// Why an ID token was refused: the login fails with `bad_id_token` and this
/// [`IdTokenError::reason`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum IdTokenError {
    /// `malformed`: not a compact JWS with a JSON object payload, or an ill-typed claim.
    #[error("bad_id_token: malformed")]
    Malformed,
    /// `unsupported_algorithm`: `alg` is not ES256, or `crit`/`jku`/`x5u`/`x5c`/`jwk`.
    #[error("bad_id_token: unsupported_algorithm")]
    UnsupportedAlgorithm,
    /// `wrong_type`: a `typ` other than `JWT`.
    #[error("bad_id_token: wrong_type")]
    WrongType,
    /// `unknown_key`: no key with this `kid` (or no `kid` and not exactly one key).
    #[error("bad_id_token: unknown_key")]
    UnknownKey,
    /// `bad_signature`.
    #[error("bad_id_token: bad_signature")]
    BadSignature,
    /// `missing_claim`: `iss`, `sub`, `aud`, `exp` or `iat` is absent.
    #[error("bad_id_token: missing_claim")]
    MissingClaim,
    /// `wrong_issuer`.
    #[error("bad_id_token: wrong_issuer")]
    WrongIssuer,
    /// `wrong_audience`: `aud` lacks the client, or `azp` is not it.
    #[error("bad_id_token: wrong_audience")]
    WrongAudience,
    /// `expired`: `exp` ≤ now − leeway.
    #[error("bad_id_token: expired")]
    Expired,
    /// `not_yet_valid`: `iat` (or `nbf`) > now + leeway.
    #[error("bad_id_token: not_yet_valid")]
    NotYetValid,
    /// `nonce_mismatch`.
    #[error("bad_id_token: nonce_mismatch")]
    NonceMismatch,
    /// Not a verdict on the token: the core has no synchronous ES256 (built without its
    /// `es256` feature, no verifier installed; in browsers, `await ready()` first). Its
    /// code is `invalid_config`.
    #[error("invalid_config: ES256 is not loaded, await ready() first")]
    Es256Unavailable,
}

impl IdTokenError {
    /// `"bad_id_token"`, but `"invalid_config"` for [`IdTokenError::Es256Unavailable`].
    pub const fn code(self) -> &'static str {
        match self {
            Self::Es256Unavailable => "invalid_config",
            _ => "bad_id_token",
        }
    }

    /// The failed check, e.g. `"wrong_audience"`.
    pub const fn reason(self) -> &'static str {
        match self {
            Self::Malformed => "malformed",
            Self::UnsupportedAlgorithm => "unsupported_algorithm",
            Self::WrongType => "wrong_type",
            Self::UnknownKey => "unknown_key",
            Self::BadSignature => "bad_signature",
            Self::MissingClaim => "missing_claim",
            Self::WrongIssuer => "wrong_issuer",
            Self::WrongAudience => "wrong_audience",
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::NonceMismatch => "nonce_mismatch",
            Self::Es256Unavailable => "es256_unavailable",
        }
    }
}

/// An ID token waiting for its signature check.
#[derive(Clone, Debug)]
pub struct PreparedIdToken {
    check: Option<SignatureCheck>,
    claims: Map,
    issuer: String,
    leeway: i64,
    options: IdTokenOptions,
}

fn optional<T>(
    claims: &Map,
    name: &str,
    read: impl Fn(&Value) -> Option<T>,
) -> Result<Option<T>, IdTokenError> {
    claims
        .get(name)
        .map(|v| read(v).ok_or(IdTokenError::Malformed))
        .transpose()
}

impl Verifier {
    /// Verifies an ID token (PROTOCOL.md §2.4) with the configured issuer, JWK Set and
    /// leeway.
    ///
    /// # Errors
    ///
    /// The first failing check as an [`IdTokenError`] (code `bad_id_token`).
    pub fn verify_id_token(
        &self,
        token: &str,
        options: &IdTokenOptions,
    ) -> Result<IdTokenClaims, IdTokenError> {
        let prepared = self.prepare_id_token(token, options)?;
        let ok = match prepared.signature_check() {
            Some(check) => check.try_verify()?,
            None => false,
        };
        prepared.finish(ok)
    }

    /// Phase one of [`Verifier::verify_id_token`]: parsing, `alg`, `typ` and key
    /// selection.
    ///
    /// # Errors
    ///
    /// `malformed`, `unsupported_algorithm`, `wrong_type` or `unknown_key`.
    pub fn prepare_id_token(
        &self,
        token: &str,
        options: &IdTokenOptions,
    ) -> Result<PreparedIdToken, IdTokenError> {
        if token.len() > MAX_INPUT_BYTES {
            return Err(IdTokenError::Malformed);
        }
        let jws = Jws::parse(token).map_err(|_| IdTokenError::Malformed)?;
        let claims = jws.payload_object().map_err(|_| IdTokenError::Malformed)?;
        // Well-typed when present.
        for name in ["iss", "sub", "nonce", "azp", "name", "name_kana"] {
            optional(&claims, name, json::string)?;
        }
        for name in ["exp", "iat", "nbf", "auth_time"] {
            optional(&claims, name, Value::as_i64)?;
        }
        optional(&claims, "aud", Audience::from_json)?;

        if jws.header_str("alg") != Some("ES256")
            || FORBIDDEN_HEADERS
                .iter()
                .any(|h| jws.header().contains_key(h))
        {
            return Err(IdTokenError::UnsupportedAlgorithm);
        }
        match jws.header().get("typ") {
            None => {}
            Some(Value::String(t)) if t.eq_ignore_ascii_case("JWT") => {}
            Some(_) => return Err(IdTokenError::WrongType),
        }
        let kid = match jws.header().get("kid") {
            None => None,
            Some(Value::String(kid)) => Some(kid.as_str()),
            Some(_) => return Err(IdTokenError::UnknownKey),
        };
        let key = self.jwks.select(kid).ok_or(IdTokenError::UnknownKey)?;
        let check = (jws.signature().len() == 64).then(|| SignatureCheck {
            key: key.clone(),
            signing_input: jws.signing_input().to_owned(),
            signature: jws.signature().to_vec(),
        });
        Ok(PreparedIdToken {
            check,
            claims,
            issuer: self.issuer.clone(),
            leeway: self.leeway_i64(),
            options: options.clone(),
        })
    }
}

impl PreparedIdToken {
    /// The ES256 check to run; `None` when the signature cannot be ES256 (then pass
    /// `false` to [`PreparedIdToken::finish`]).
    pub fn signature_check(&self) -> Option<&SignatureCheck> {
        self.check.as_ref()
    }

    /// Phase two, given the signature check's outcome.
    ///
    /// # Errors
    ///
    /// The first failing check from `bad_signature` on.
    pub fn finish(self, signature_valid: bool) -> Result<IdTokenClaims, IdTokenError> {
        if !signature_valid || self.check.is_none() {
            return Err(IdTokenError::BadSignature);
        }
        let c = &self.claims;
        let text = |name: &str| c.get(name).and_then(Value::as_str).map(str::to_owned);
        let int = |name: &str| c.get(name).and_then(Value::as_i64);
        let aud = c.get("aud").and_then(Audience::from_json);
        let (Some(iss), Some(sub), Some(aud), Some(exp), Some(iat)) =
            (text("iss"), text("sub"), aud, int("exp"), int("iat"))
        else {
            return Err(IdTokenError::MissingClaim);
        };
        if iss != self.issuer {
            return Err(IdTokenError::WrongIssuer);
        }
        let client = self.options.audience.as_str();
        let azp = text("azp");
        let several = matches!(&aud, Audience::Many(all) if all.len() > 1);
        // With several audiences `azp` must name us; a present `azp` that names another
        // party is refused in every case (OIDC Core §3.1.3.7, step 5).
        let azp_mismatch = azp.as_deref().is_some_and(|a| a != client);
        if !aud.contains(client) || (several && azp.is_none()) || azp_mismatch {
            return Err(IdTokenError::WrongAudience);
        }
        let now = self.options.now;
        if exp <= now.saturating_sub(self.leeway) {
            return Err(IdTokenError::Expired);
        }
        let future = now.saturating_add(self.leeway);
        if iat > future || int("nbf").is_some_and(|nbf| nbf > future) {
            return Err(IdTokenError::NotYetValid);
        }
        let nonce = text("nonce");
        if let Some(expected) = &self.options.nonce {
            if nonce.as_deref() != Some(expected.as_str()) {
                return Err(IdTokenError::NonceMismatch);
            }
        }
        Ok(IdTokenClaims {
            iss,
            sub,
            aud,
            exp,
            iat,
            auth_time: int("auth_time"),
            nonce,
            azp,
            name: text("name"),
            name_kana: text("name_kana"),
        })
    }
}
