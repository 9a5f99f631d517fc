//! The `pods_yaml` parser: the fuzz input follows a real prompt line for that output kind.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kubeleak_fuzz::after_prompt("$ kubectl get pods -o yaml\n", data);
});
