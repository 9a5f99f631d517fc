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

/// A blob of `len` bytes where byte i is `i % 251`.
fn patterned_blob(len: usize) -> (web_sys::Blob, Vec<u8>) {
    let bytes: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
    let array = js_sys::Uint8Array::from(bytes.as_slice());
    let blob = web_sys::Blob::new_with_u8_array_sequence(&js_sys::Array::of1(&array)).unwrap();
    (blob, bytes)
}

#[wasm_bindgen_test]
async fn a_blob_is_read_in_slices_with_progress() {
    let chunk = kubeleak_web::CHUNK as usize;
    let (blob, bytes) = patterned_blob(2 * chunk + 5);
    let seen = std::cell::RefCell::new(Vec::new());
    let read = kubeleak_web::read_blob(&blob, |n| seen.borrow_mut().push(n), || false).await.unwrap();
    assert_eq!(read.len(), bytes.len());
    assert!(read == bytes, "the slices join to the original bytes");
    let c = kubeleak_web::CHUNK;
    assert_eq!(*seen.borrow(), vec![c, 2 * c, 2 * c + 5]);
}

#[wasm_bindgen_test]
async fn cancelling_stops_between_slices() {
    let (blob, _) = patterned_blob(3 * kubeleak_web::CHUNK as usize);
    let slices = std::cell::Cell::new(0);
    let read = kubeleak_web::read_blob(&blob, |_| slices.set(slices.get() + 1), || slices.get() >= 1).await;
    assert!(read.is_none());
    assert_eq!(slices.get(), 1, "no slice is read after Cancel");
}

#[wasm_bindgen_test]
async fn an_empty_blob_reads_as_no_bytes() {
    let (blob, _) = patterned_blob(0);
    assert_eq!(kubeleak_web::read_blob(&blob, |_| {}, || false).await, Some(Vec::new()));
}
