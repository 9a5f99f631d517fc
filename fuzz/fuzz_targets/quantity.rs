//! Kubernetes quantities (`512Mi`, `0.5Gi`, `129e6`, `100m`, `99999999999999999999Ei`).
#![no_main]
use kubeleak_analysis::quantity;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    if let Ok(q) = quantity::parse(&s) {
        let _ = q.to_millis();
        assert_eq!(q.cmp_exact(&q), Some(std::cmp::Ordering::Equal));
        if let Some(b) = q.to_bytes() {
            let shown = quantity::format_bytes(b);
            // A value shown without a decimal point is exact (`17B` is shown for people;
            // the quantity is `17`).
            if !shown.contains('.') {
                let q = shown.strip_suffix('B').unwrap_or(&shown);
                assert_eq!(quantity::parse_bytes(q), Some(b), "{s:?} shown as {shown}");
            }
        }
    }
    let _ = quantity::parse_bytes(&s);
});
