//! # kubeleak-web
//!
//! The browser page: paste kubectl output, upload or drop files (gzip too), or try the
//! bundled sample; see findings with their evidence, memory charts, a sortable pod table
//! with drill-down, the source with line numbers, and export a JSON or HTML report.
//! A thin Yew layer over `kubeleak-analysis`; all analysis runs here in wasm and the page
//! makes no network request (see `index.html`'s CSP).
//!
//! Files are read in 8 MiB slices (`Blob.slice`, [`read_blob`]) into wasm memory, with a
//! progress bar and a Cancel button; the page handles events between slices. The analysis
//! itself still runs in one go on the page's thread once every file is read (about 12 s
//! for 60 MB of logs in headless Chromium). A Web Worker would need the whole `Analysis`
//! (model, findings, source lines) to cross a message boundary, which its types do not
//! support yet (`Deserialize`, `Finding::kind: &'static str`), and a second wasm module.
//!
//! Bundle text is untrusted: it reaches the DOM only as Yew text nodes (escaped) or inside
//! SVG that plotters escapes.

use kubeleak_analysis::{self as analysis, chart, report};
use wasm_bindgen::prelude::*;

mod app;
mod results;
mod source_view;

pub use app::{read_blob, App, Progress, CHUNK};

/// The bundled sample: a leaking Python image worker (OOMKilled, growing cache).
pub const SAMPLE: &str = include_str!("../../../web/sample-bundle.txt");

/// JS binding: analyzes a text and returns the contract's report as a JS object.
#[wasm_bindgen]
pub fn analyze(text: &str) -> Result<JsValue, JsValue> {
    let result = analysis::analyze_text("paste", text);
    serde_wasm_bindgen::to_value(&report::build(&result)).map_err(|e| JsValue::from_str(&e.to_string()))
}

/// JS binding: the contract's report as JSON text.
#[wasm_bindgen]
pub fn analyze_json(text: &str) -> String {
    report::to_json(&analysis::analyze_text("paste", text))
}

/// JS binding: analyzes raw bytes (plain or gzip) named `name`; the report as JSON text.
#[wasm_bindgen]
pub fn analyze_bytes_json(name: &str, bytes: &[u8]) -> String {
    let result = analysis::analyze(&[analysis::Input { name, bytes }], &analysis::input::Limits::default());
    report::to_json(&result)
}

/// JS binding: the memory chart of a text as an SVG document.
#[wasm_bindgen]
pub fn memory_chart_svg(text: &str) -> String {
    let result = analysis::analyze_text("paste", text);
    let (axis, series) = chart::memory_series(&result.model);
    chart::memory_svg(axis, &series, 900, 420)
}
