//! The bundle reader: gzip (under the cap), binary refusal, lossy UTF-8.
#![no_main]
use kubeleak_analysis::input::{decode, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let d = decode("bundle.txt.gz", data, &Limits::default());
    // A refused or damaged input always says why.
    if d.text.is_empty() {
        assert!(!d.problems.is_empty(), "empty text without a problem");
    }
    // A small cap: what is kept never exceeds it.
    let small = decode("bundle.txt.gz", data, &Limits { max_inflated_bytes: 4096, ..Limits::default() });
    if data.starts_with(&[0x1f, 0x8b]) {
        assert!(small.text.len() <= 4096 * 3, "inflated text above the cap");
    }
});
