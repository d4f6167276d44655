//! The wasm's global allocator (talc, `src/lib.rs`) under wasm-bindgen-test: freed memory
//! is reused, so a long-lived partner page that verifies again and again does not grow
//! its wasm memory without bound, and reallocation keeps the bytes.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use wasm_bindgen_test::*;

/// The wasm memory in bytes (64 KiB pages).
fn memory_bytes() -> usize {
    core::arch::wasm32::memory_size::<0>() * 65_536
}

#[wasm_bindgen_test]
fn freed_memory_is_reused() {
    // Links the bindings crate, whose `#[global_allocator]` this test binary then uses.
    assert_eq!(mirairo_id_sdk_wasm::version(), mirairo_id_sdk::VERSION);
    const BIG: usize = 4 * 1024 * 1024; // the status list cap
    let mut keep = Vec::new();
    let start = memory_bytes();
    for round in 0..40u8 {
        // One big buffer (an inflated status list) and many small ones, all freed but
        // one small string per round.
        let big = vec![round; BIG];
        assert_eq!(big.get(BIG - 1), Some(&round));
        let small: Vec<String> = (0..2_000).map(|i| format!("{round}-{i}")).collect();
        keep.push(small.get(7).cloned().unwrap());
    }
    let grown = memory_bytes() - start;
    // Without reuse, 40 rounds would need 160 MiB and more.
    assert!(grown <= 3 * BIG, "wasm memory grew by {grown} bytes");
    assert_eq!(keep.get(39).map(String::as_str), Some("39-7"));
}

#[wasm_bindgen_test]
fn reallocation_keeps_the_bytes() {
    let mut grow: Vec<u32> = Vec::new();
    for i in 0..200_000u32 {
        grow.push(i);
    }
    assert!(grow.iter().enumerate().all(|(i, v)| *v as usize == i));
    grow.truncate(10);
    grow.shrink_to_fit();
    assert_eq!(grow, (0..10).collect::<Vec<_>>());
}
