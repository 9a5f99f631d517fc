//! Shared checks for the fuzz targets: run the whole analysis the way the CLI and the
//! page do (decode, split, parse, detect, JSON report, HTML report, chart) and check
//! what must hold for any input:
//! - nothing panics, hangs or runs out of memory (libFuzzer's `-timeout`/`-rss_limit_mb`);
//! - the JSON report names its schema;
//! - bundle text never becomes markup: no `<script` in the HTML report or the chart SVG
//!   (the input's own `<script>` must come out escaped).

use kubeleak_analysis::{analyze, chart, html, input::Limits, report, Input};

/// Whole analysis of one input, with every output the user can see.
pub fn whole(name: &str, bytes: &[u8]) {
    let a = analyze(&[Input { name, bytes }], &Limits::default());
    let json = report::to_json(&a);
    assert!(json.contains("kubeleak.analysis/v1"), "report without schema");
    let page = html::report(&a, "fuzz");
    assert!(!has_script(&page), "bundle text became markup in the HTML report");
    let (axis, series) = chart::memory_series(&a.model);
    let svg = chart::memory_svg(axis, &series, 480, 240);
    assert!(!has_script(&svg), "bundle text became markup in the chart");
}

/// Whole analysis of `prompt` followed by the fuzz input, so the input lands in the
/// parser of that prompt's output kind.
pub fn after_prompt(prompt: &str, data: &[u8]) {
    let mut bytes = Vec::with_capacity(prompt.len() + data.len());
    bytes.extend_from_slice(prompt.as_bytes());
    bytes.extend_from_slice(data);
    whole("paste", &bytes);
}

fn has_script(markup: &str) -> bool {
    markup.as_bytes().windows(7).any(|w| w.eq_ignore_ascii_case(b"<script"))
}
