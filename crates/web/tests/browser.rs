//! Runs in headless Chromium (`cargo test --target wasm32-unknown-unknown -p kubeleak-web`):
//! the analysis through the web crate's JS bindings.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const SKELETON: &str = include_str!("../../../tests/fixtures/skeleton-top.txt");

#[wasm_bindgen_test]
fn analyze_json_binding_reads_the_skeleton_paste() {
    let json: serde_json::Value = serde_json::from_str(&kubeleak_web::analyze_json(SKELETON)).unwrap();
    assert_eq!(json["schema"], "kubeleak.analysis/v1");
    let pods = json["pods"].as_array().unwrap();
    assert_eq!(pods.len(), 2);
    assert_eq!(pods[0]["memory_samples"][1]["bytes"], 360_710_144u64);
}

#[wasm_bindgen_test]
fn analyze_binding_returns_a_js_object() {
    let value = kubeleak_web::analyze(SKELETON).unwrap();
    let pods = js_sys_get(&value, "pods");
    assert_eq!(js_sys_len(&pods), 2);
}

#[wasm_bindgen_test]
fn chart_renders_in_the_browser_dom() {
    // plotters measures text through the DOM on wasm: this runs that path for real.
    let svg = kubeleak_web::memory_chart_svg(SKELETON);
    assert!(svg.starts_with("<svg"));
    assert!(svg.contains("worker-7d9f8b6c5-q8r2m"));
}

fn js_sys_get(v: &wasm_bindgen::JsValue, key: &str) -> wasm_bindgen::JsValue {
    web_sys::js_sys::Reflect::get(v, &key.into()).unwrap()
}

fn js_sys_len(v: &wasm_bindgen::JsValue) -> u32 {
    web_sys::js_sys::Array::from(v).length()
}

#[wasm_bindgen_test]
fn gzip_bytes_are_inflated_in_wasm() {
    // flate2's pure-Rust backend in wasm: a gzip of the skeleton paste reads the same.
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(SKELETON.as_bytes()).unwrap();
    let gz = enc.finish().unwrap();
    let json: serde_json::Value = serde_json::from_str(&kubeleak_web::analyze_bytes_json("top.txt.gz", &gz)).unwrap();
    assert_eq!(json["pods"].as_array().unwrap().len(), 2);
    assert_eq!(json["warnings"].as_array().unwrap().len(), 0);
}

#[wasm_bindgen_test]
fn the_views_html_report_gets_the_chart_drawn_on_the_page() {
    // The worker leaves a marker where the chart goes; the page draws it (DOM needed).
    let a = kubeleak_analysis::analyze_text("paste", SKELETON);
    let html =
        kubeleak_analysis::html::report_with_chart(&a, "0", &|_, _| kubeleak_web::CHART_MARKER.to_string(), &|i, _| {
            kubeleak_web::finding_marker(i)
        });
    let v = kubeleak_web::build(&a, String::new(), html);
    let report = kubeleak_web::html_report(&v);
    assert!(!report.contains(kubeleak_web::CHART_MARKER));
    assert!(report.contains("<svg") && report.contains("worker-7d9f8b6c5-q8r2m"));
    assert!(kubeleak_web::chart_svg(&v, 600, 300).starts_with("<svg"));
}

#[wasm_bindgen_test]
fn finding_charts_of_the_report_are_drawn_on_the_page() {
    // The sample's cache finding carries its log-mined series; the worker leaves a marker
    // per finding chart, the page draws each (the worker has no DOM for plotters).
    let a = kubeleak_analysis::analyze_text("sample", kubeleak_web::SAMPLE);
    let html =
        kubeleak_analysis::html::report_with_chart(&a, "0", &|_, _| kubeleak_web::CHART_MARKER.to_string(), &|i, _| {
            kubeleak_web::finding_marker(i)
        });
    let v = kubeleak_web::build(&a, String::new(), html);
    let i = v.findings.iter().position(|f| f.chart.is_some()).expect("a finding with a chart");
    assert!(v.html.contains(&kubeleak_web::finding_marker(i)));
    let report = kubeleak_web::html_report(&v);
    assert!(!report.contains("<!--kubeleak-finding-chart-"), "every marker replaced");
    assert!(report.contains("(from the logs)"));
    let back = kubeleak_web::from_js(kubeleak_web::to_js(&v).unwrap().into()).unwrap();
    assert_eq!(back.findings[i].chart, v.findings[i].chart, "the chart data crosses to the page");
}

#[wasm_bindgen_test]
fn the_view_crosses_from_worker_to_page_with_any_size() {
    let a = kubeleak_analysis::analyze_text("paste", SKELETON);
    let mut v = kubeleak_web::build(&a, "{}".into(), String::new());
    // A limit no JS number holds exactly still arrives.
    v.rows[0].limit = Some(u64::MAX);
    let back = kubeleak_web::from_js(kubeleak_web::to_js(&v).unwrap().into()).unwrap();
    assert_eq!(back, v);
    // Nor is a number JSON has no word for lost (NaN, infinity): they cross bit for bit.
    v.rows[0].percent = Some(f64::NAN);
    v.rows[1].percent = Some(f64::NEG_INFINITY);
    let back = kubeleak_web::from_js(kubeleak_web::to_js(&v).unwrap().into()).unwrap();
    assert!(back.rows[0].percent.is_some_and(f64::is_nan));
    assert_eq!(back.rows[1].percent, Some(f64::NEG_INFINITY));
    // What is not a view is said, not a panic.
    assert!(kubeleak_web::from_js(js_sys::Uint8Array::from(&[7u8, 1, 2][..]).into()).is_err());
    assert!(kubeleak_web::from_js("{}".into()).is_err());
}

#[wasm_bindgen_test]
fn the_page_simd_scan_finds_the_line_rules_words() {
    // The page's wasm finds these words with simd128 code of its own
    // (`rules::keywords::block`): every word at every position of a 16-byte block.
    use kubeleak_analysis::rules::keywords::{find, Keywords};
    let memory = ["MemoryError", "sigkill", "Signal 9", "EXIT", "killed", "child PROCESS", "BrokenProcessPool"];
    let gc = ["gc: ", "gc.garbage", "ResourceWarning: unclosed "];
    for pad in 0..40 {
        let lead = "x".repeat(pad);
        for w in memory {
            let t = format!("{lead}{w} after");
            assert_eq!(find(t.as_bytes()), Keywords { memory_error: true, gc: false }, "{t:?}");
        }
        for w in gc {
            let t = format!("{lead}{w}x");
            assert_eq!(find(t.as_bytes()), Keywords { memory_error: false, gc: true }, "{t:?}");
        }
        let plain = format!("{lead}2026-11-24T10:00:00Z INFO GET /api/products/511 HTTP/1.1 200 OK took 4 ms");
        assert_eq!(find(plain.as_bytes()), Keywords::default(), "{plain:?}");
    }
}
