//! Size baseline for `cargo xtask bench`: one exported function that verifies an ES256
//! signature (SHA-256 + ECDSA P-256 with the `p256` crate, as the SDK does). Its wasm is
//! built and optimised exactly like `@mirairo-id/sdk`'s, so the size report can show what
//! the SDK costs beyond the cryptography no Rust verifier can avoid. Not shipped.

use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::EncodedPoint;
use wasm_bindgen::prelude::wasm_bindgen;

/// As in the SDK (`sdk/wasm/src/lib.rs`): talc, not std's dlmalloc.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// True when `signature` (r‖s, 64 bytes) is a valid ES256 signature of `data` by the
/// public key with affine coordinates `x` and `y` (32 bytes each).
#[wasm_bindgen]
pub fn verify(x: &[u8], y: &[u8], data: &[u8], signature: &[u8]) -> bool {
    let (Ok(x), Ok(y)) = (<[u8; 32]>::try_from(x), <[u8; 32]>::try_from(y)) else {
        return false;
    };
    let point = EncodedPoint::from_affine_coordinates(&x.into(), &y.into(), false);
    let Ok(key) = VerifyingKey::from_encoded_point(&point) else {
        return false;
    };
    let Ok(signature) = Signature::from_slice(signature) else {
        return false;
    };
    key.verify(data, &signature).is_ok()
}

#[cfg(test)]
mod tests {
    use super::verify;
    use p256::ecdsa::signature::Signer;
    use p256::ecdsa::{Signature, SigningKey};

    #[test]
    fn accepts_its_own_signature_and_refuses_a_flipped_bit() {
        let key = SigningKey::from_slice(&[7; 32]).expect("a valid scalar");
        let point = key.verifying_key().to_encoded_point(false);
        let (x, y) = (point.x().expect("x"), point.y().expect("y"));
        let signature: Signature = key.sign(b"payload");
        let mut bytes = signature.to_bytes().to_vec();
        assert!(verify(x, y, b"payload", &bytes));
        bytes[10] ^= 1;
        assert!(!verify(x, y, b"payload", &bytes));
        assert!(!verify(&x[1..], y, b"payload", &bytes));
    }
}
