//! # kubeleak-web
//!
//! The browser page: paste kubectl output, upload or drop files (gzip too), or try the
//! bundled sample; see findings with their evidence, memory charts, where in the code
//! memory grows, a sortable pod table with drill-down, the source with line numbers, and
//! export a JSON or HTML report. A thin Yew layer over `kubeleak-analysis`; the page
//! makes no network request (see `index.html`'s CSP).
//!
//! One wasm plays three roles. On the page (`app.rs`) it renders and draws the charts; in
//! a module Web Worker (`web/worker.js`, which imports the same glue and wasm, so the
//! browser downloads it once) it reads the files in 8 MiB slices and runs the analysis
//! (`worker.rs`, one fresh worker per analysis); in a second, small worker it answers the
//! source view's requests for lines (`lines_worker.rs`). The page and the workers talk
//! through `client.rs`; the analysis worker sends the results as a `View` (`view.rs`), so
//! the page stays responsive during a long analysis and never holds the input.
//!
//! Bundle text is untrusted: it reaches the DOM only as Yew text nodes (escaped) or inside
//! SVG that plotters escapes.
//!
//! ## Layers
//!
//! The modules form layers, and a module uses (in code or in a doc link) only modules
//! in rows above its own, so there is no import cycle. Rows are in order: a module may
//! use one listed before it, never one after.
//!
//! | layer | module | uses from the crate |
//! |---|---|---|
//! | data | `view.rs`: what the page shows (`View`, `Shared`, `shown`), no DOM | — |
//! | data | `message.rs`: the plain JS objects page and workers exchange | — |
//! | workers | `lines_worker.rs`: line index, lines read again from the inputs' Blobs | view, message |
//! | workers | `worker.rs`: the analysis worker, and `worker_message`, the workers' entry | view, message, lines_worker |
//! | page | `client.rs`: the page's side of the workers | view, message (doc links: the two workers) |
//! | page | `lazy_chart.rs`: charts drawn a few at a time | view |
//! | page | `fleet_view.rs`: the workloads' replicas, one chart or a table of sparklines | view, lazy_chart |
//! | page | `source_view.rs`: the virtualised source | view, client (doc link: lines_worker) |
//! | page | `results.rs`: everything below the input | view, client, lazy_chart, fleet_view, source_view |
//! | page | `app.rs`: the page shell (input, progress, export) | view, client, results |
//! | crate | `lib.rs`: JS bindings, `start`, what `main.rs` and the tests use | all of the above |
//!
//! The modules are private; what `main.rs` and the tests (`tests/*.rs`) use is
//! re-exported below, with `View`, which `html_report` and `chart_svg` take. A
//! `#[wasm_bindgen]` function is exported to JS from wherever it is (`worker_message`
//! from `worker.rs`), under the name `web/worker.js` and the e2e tests know.

use kubeleak_analysis::{self as analysis, chart, report};
use wasm_bindgen::prelude::*;

mod app;
mod client;
mod digest_worker;
mod fleet_view;
mod lazy_chart;
mod lines_worker;
mod message;
mod redaction;
mod results;
mod source_view;
mod view;
mod worker;

use app::App;
pub use app::{chart_svg, html_report, SAMPLE};
pub use lines_worker::{read_lines, text_blob, LineIndex};
pub use view::{build, finding_marker, from_js, to_js, View, CHART_MARKER};
pub use worker::{analyze_files, Input, Step, CHUNK};

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

/// JS binding: the contract's report as JSON text, secrets redacted (as the page's export).
#[wasm_bindgen]
pub fn analyze_json(text: &str) -> String {
    redacted_json(analysis::analyze_text("paste", text))
}

fn redacted_json(mut a: analysis::Analysis) -> String {
    let _ = analysis::redaction::redact(&mut a);
    report::to_json(&a)
}

/// JS binding: analyzes raw bytes (plain or gzip) named `name`; the report as JSON text,
/// secrets redacted.
#[wasm_bindgen]
pub fn analyze_bytes_json(name: &str, bytes: &[u8]) -> String {
    redacted_json(analysis::analyze(&[analysis::Input { name, bytes }], &analysis::input::Limits::default()))
}

/// JS binding: the memory chart of a text as an SVG document.
#[wasm_bindgen]
pub fn memory_chart_svg(text: &str) -> String {
    let result = analysis::analyze_text("paste", text);
    let (axis, series) = chart::memory_series(&result.model);
    chart::memory_svg(axis, &series, 900, 420)
}
