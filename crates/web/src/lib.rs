//! # kubeleak-web
//!
//! The browser page: paste kubectl output, upload or drop files (gzip too), or try the
//! bundled sample; see findings with their evidence, memory charts, where in the code
//! memory grows, a sortable pod table with drill-down, the source with line numbers, and
//! export a JSON or HTML report. A thin Yew layer over `kubeleak-analysis`; the page
//! makes no network request (see `index.html`'s CSP).
//!
//! One wasm plays two roles. On the page ([`App`]) it renders and draws the charts; in a
//! module Web Worker (`web/worker.js`, which imports the same glue and wasm, so the
//! browser downloads it once) it reads the files in 8 MiB slices, runs the analysis and
//! answers the source view's requests for lines ([`worker`]). The page and the worker
//! talk through [`client`]; the worker sends the results as a [`view::View`] (JSON), so
//! the page stays responsive during a long analysis and never holds the input.
//!
//! Bundle text is untrusted: it reaches the DOM only as Yew text nodes (escaped) or inside
//! SVG that plotters escapes.

use kubeleak_analysis::{self as analysis, chart, report};
use wasm_bindgen::prelude::*;

mod app;
pub mod client;
mod lazy_chart;
mod results;
mod source_view;
pub mod view;
pub mod worker;

pub use app::{chart_svg, html_report, App};
pub use worker::CHUNK;

/// The bundled sample: a leaking Python image worker (OOMKilled, growing cache).
pub const SAMPLE: &str = include_str!("../../../web/sample-bundle.txt");

/// Renders the app into the page; does nothing in a worker (no `window`).
pub fn start() {
    if web_sys::window().is_some() {
        yew::Renderer::<App>::new().render();
    }
}

/// JS binding: analyzes a text and returns the contract's report as a JS object.
#[wasm_bindgen]
pub fn analyze(text: &str) -> Result<JsValue, JsValue> {
    js_sys::JSON::parse(&analyze_json(text))
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
