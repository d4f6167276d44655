//! Server-provided DPoP nonces (RFC 9449 §8, §9), off by default, switched on by
//! `POST /_sandbox/dpop-nonce {"required": true, "lifetime_secs": 300}`. While on,
//! every proof at the token and userinfo endpoints must carry a nonce the sandbox
//! handed out: the current one, or the one it replaced (so a client that fetched a
//! nonce just before a rotation is not refused twice). A nonce is current for
//! `lifetime_secs`, then a new one replaces it; one older than two lifetimes is
//! never accepted. Every answer of those endpoints carries the current nonce in
//! `DPoP-Nonce`. The check itself is the SDK core's ([`DpopProof::check_nonce`]).

use axum::http::{HeaderMap, HeaderValue};
use mirairo_id_sdk::dpop::{DpopError, DpopProof};

use crate::util::random_token;

/// Default time a nonce stays current.
pub const DEFAULT_LIFETIME_SECS: i64 = 300;
/// Bounds for `lifetime_secs`.
pub const LIFETIME_RANGE: std::ops::RangeInclusive<i64> = 1..=86_400;

/// The nonce policy and the nonces in use.
#[derive(Debug, Default)]
pub struct Nonces {
    required: bool,
    lifetime: i64,
    /// The current nonce and when it was made.
    current: Option<(String, i64)>,
    /// The nonce the current one replaced.
    previous: Option<String>,
}

impl Nonces {
    /// Switches the demand on or off (a fresh nonce either way).
    pub fn configure(&mut self, required: bool, lifetime: i64) {
        *self = Nonces {
            required,
            lifetime,
            current: None,
            previous: None,
        };
    }

    /// True while proofs must carry a nonce.
    pub fn required(&self) -> bool {
        self.required
    }

    /// The current nonce at `now` (rotated when its lifetime is over); `None` when
    /// nonces are off.
    pub fn current(&mut self, now: i64) -> Option<String> {
        if !self.required {
            return None;
        }
        match &self.current {
            Some((_, made)) if now.saturating_sub(*made) < self.lifetime => {}
            Some((n, made)) => {
                // Rotate; the replaced nonce stays acceptable for one more lifetime only
                // if it is not already older than that.
                let keep = now.saturating_sub(*made) < self.lifetime.saturating_mul(2);
                self.previous = keep.then(|| n.clone());
                self.current = Some((random_token(24), now));
            }
            None => self.current = Some((random_token(24), now)),
        }
        self.current.as_ref().map(|(n, _)| n.clone())
    }

    /// Checks a verified proof against the policy at `now`.
    ///
    /// # Errors
    /// [`DpopError::UseNonce`] when a nonce is required and the proof lacks an accepted one.
    pub fn check(&mut self, proof: &DpopProof, now: i64) -> Result<(), DpopError> {
        let Some(current) = self.current(now) else {
            return Ok(());
        };
        let mut accepted = vec![current.as_str()];
        if let Some(p) = self.previous.as_deref() {
            accepted.push(p);
        }
        proof.check_nonce(&accepted)
    }

    /// `DPoP-Nonce: <current>` while nonces are required (nothing otherwise), for every
    /// answer of the token and userinfo endpoints.
    pub fn headers(&mut self, now: i64) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(v) = self
            .current(now)
            .and_then(|n| HeaderValue::from_str(&n).ok())
        {
            h.insert("dpop-nonce", v);
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mirairo_id_sdk::dpop::{dpop_proof_with_nonce, verify_dpop_proof};
    use mirairo_id_sdk::jose::Es256SigningKey;

    const URL: &str = "http://127.0.0.1/token";

    fn proof(nonce: Option<&str>, now: i64) -> DpopProof {
        let key = Es256SigningKey::generate().unwrap();
        let p = dpop_proof_with_nonce(&key, "POST", URL, now, "j", None, nonce);
        verify_dpop_proof(&p, "POST", URL, now, 60, None).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn off_by_default_then_rotating() {
        let mut n = Nonces::default();
        assert_eq!(n.current(0), None);
        assert_eq!(n.check(&proof(None, 0), 0), Ok(()));
        n.configure(true, 100);
        let n1 = n.current(1000).unwrap_or_default();
        assert_eq!(
            n.current(1099).as_deref(),
            Some(n1.as_str()),
            "still current"
        );
        assert_eq!(n.check(&proof(None, 1000), 1000), Err(DpopError::UseNonce));
        assert_eq!(
            n.check(&proof(Some("other"), 1000), 1000),
            Err(DpopError::UseNonce)
        );
        assert_eq!(n.check(&proof(Some(&n1), 1000), 1000), Ok(()));
        // Rotated: the new one and the replaced one are accepted.
        let n2 = n.current(1100).unwrap_or_default();
        assert_ne!(n1, n2);
        assert_eq!(n.check(&proof(Some(&n1), 1100), 1100), Ok(()));
        assert_eq!(n.check(&proof(Some(&n2), 1100), 1100), Ok(()));
        // Two rotations later n1 is gone.
        let n3 = n.current(1200).unwrap_or_default();
        assert_eq!(
            n.check(&proof(Some(&n1), 1200), 1200),
            Err(DpopError::UseNonce)
        );
        assert_eq!(n.check(&proof(Some(&n2), 1200), 1200), Ok(()));
        // After a long pause nothing old is accepted.
        let n4 = n.current(5000).unwrap_or_default();
        assert_eq!(
            n.check(&proof(Some(&n3), 5000), 5000),
            Err(DpopError::UseNonce)
        );
        assert_eq!(n.check(&proof(Some(&n4), 5000), 5000), Ok(()));
        n.configure(false, 100);
        assert_eq!(n.check(&proof(None, 5000), 5000), Ok(()));
    }
}
