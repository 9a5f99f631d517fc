//! The whole analysis on arbitrary bytes. The file name matters (`*.log` is read as a
//! log, `*.gz` is only a name: gzip is recognised by its bytes), so the first byte picks
//! one of a few names; the bytes are analyzed whole, so fixture seeds stay real.
#![no_main]
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 5] = ["paste", "bundle.txt.gz", "worker-1.log", "logs-worker.txt", "C:\\captures\\top.txt"];

fuzz_target!(|data: &[u8]| {
    let name = NAMES[usize::from(data.first().copied().unwrap_or(0)) % NAMES.len()];
    kubeleak_fuzz::whole(name, data);
});
