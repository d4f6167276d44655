//! The ES256 module of `@mirairo-id/sdk` in browsers (`es256/mirairo_id_es256*`): P-256
//! ECDSA with `p256`, on a message the core has already hashed (SHA-256), so there is no
//! sha2 on the verify path. The browser build of the core has no p256: `ready()` loads
//! this module beside it and installs [`verify`] as the core's hook (`setEs256`), for the
//! synchronous `Verifier.verify` / `verifyIdToken`. The login and `verifyOnline` never
//! load it (WebCrypto); the insecure-context fallbacks (no `crypto.subtle`) load it on
//! demand, including [`SigningKey`] for the holder key of a login.
//!
//! No rule lives here: which key, which input and what a result means are the core's.
#![cfg(target_arch = "wasm32")]

use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use p256::ecdsa::{Signature, VerifyingKey};
use p256::{EncodedPoint, FieldBytes};
use wasm_bindgen::prelude::*;

/// The allocator: talc instead of std's dlmalloc, as in the core's wasm (sdk/wasm/src/lib.rs).
#[cfg(not(target_feature = "atomics"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// Whether `signature` (64-byte `r ‖ s`) is a valid ES256 signature of the SHA-256
/// `digest` under the public key (`x`, `y`: 32-byte big-endian coordinates). False for
/// a point not on the curve, a signature of another length, `r` or `s` outside `1..n`;
/// high-S signatures are valid, as in the core's p256 path.
#[wasm_bindgen]
pub fn verify(x: &[u8], y: &[u8], digest: &[u8], signature: &[u8]) -> bool {
    let (Ok(x), Ok(y)) = (<[u8; 32]>::try_from(x), <[u8; 32]>::try_from(y)) else {
        return false;
    };
    let point =
        EncodedPoint::from_affine_coordinates(&FieldBytes::from(x), &FieldBytes::from(y), false);
    let (Ok(key), Ok(sig)) = (
        VerifyingKey::from_encoded_point(&point),
        Signature::from_slice(signature),
    ) else {
        return false;
    };
    digest.len() == 32 && key.verify_prehash(digest, &sig).is_ok()
}

/// A P-256 private key in wasm memory, for a login's holder key where WebCrypto is
/// missing (an insecure context). Never leaves this module, never persisted.
#[wasm_bindgen]
pub struct SigningKey {
    inner: p256::ecdsa::SigningKey,
}

#[wasm_bindgen]
impl SigningKey {
    /// A fresh key from `crypto.getRandomValues`; `undefined` if there is no random
    /// source.
    pub fn generate() -> Option<SigningKey> {
        // A random 32-byte string is a valid scalar but with probability ~2^-32.
        for _ in 0..8 {
            let mut secret = [0u8; 32];
            getrandom::getrandom(&mut secret).ok()?;
            if let Ok(inner) = p256::ecdsa::SigningKey::from_bytes(&FieldBytes::from(secret)) {
                return Some(SigningKey { inner });
            }
        }
        None
    }

    /// The public key as the 64 bytes `x ‖ y`.
    #[wasm_bindgen(js_name = publicKey)]
    pub fn public_key(&self) -> Vec<u8> {
        let point = self.inner.verifying_key().to_encoded_point(false);
        // Uncompressed SEC1: 0x04 ‖ x ‖ y.
        point
            .as_bytes()
            .get(1..)
            .map(<[u8]>::to_vec)
            .unwrap_or_default()
    }

    /// The 64-byte `r ‖ s` signature (RFC 6979) of the SHA-256 `digest`; empty for a
    /// digest of another length.
    #[wasm_bindgen(js_name = signPrehash)]
    pub fn sign_prehash(&self, digest: &[u8]) -> Vec<u8> {
        if digest.len() != 32 {
            return Vec::new();
        }
        let signed: Result<Signature, _> = self.inner.sign_prehash(digest);
        signed.map(|s| s.to_bytes().to_vec()).unwrap_or_default()
    }
}

/// The zlib stream `zlib` inflated, stopping once the output has more than `limit`
/// bytes (a zlib bomb costs at most `limit + 1` bytes here), or `undefined` when `zlib`
/// is not a valid zlib stream. The browser build of the core has no miniz_oxide (its
/// fetched status lists are inflated by `DecompressionStream`); `ready()` installs this
/// as the core's synchronous inflater (`status::set_inflater`), for `Verifier.verify`
/// with a `statusList`. The size cap and what a result means are the core's.
#[wasm_bindgen]
pub fn inflate(zlib: &[u8], limit: usize) -> Option<Vec<u8>> {
    use miniz_oxide::inflate::{decompress_to_vec_zlib_with_limit, TINFLStatus};
    match decompress_to_vec_zlib_with_limit(zlib, limit.saturating_add(1)) {
        Ok(bytes) => Some(bytes),
        // Over the limit: the `limit + 1` bytes inflated so far, which the core refuses.
        Err(e) if e.status == TINFLStatus::HasMoreOutput => Some(e.output),
        Err(_) => None,
    }
}
