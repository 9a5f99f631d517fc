//! Times: kubectl ages, `date`/`watch` output, RFC 3339.
#![no_main]
use kubeleak_analysis::time;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    if let Some(d) = time::parse_age(&s) {
        let _ = time::format_duration(d);
    }
    let _ = time::parse_ctime(&s);
    if let Some(t) = time::parse_rfc3339(&s) {
        let _ = time::resolve_age(t, "5m");
        let _ = time::resolve_age(t, &s);
    }
    // A fixed capture time (the analysis has no clock).
    let now = time::parse_rfc3339("2026-11-24T10:00:00Z").expect("valid");
    let _ = time::resolve_age(now, &s);
});
