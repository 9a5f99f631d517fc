//! # kubeleak-analysis
//!
//! The pure core of kubeleak: bytes in, findings and charts out. No I/O, no clock, no
//! threads, so the same code runs in the `kubeleak` CLI and in the browser (wasm32).
//!
//! Data flow (ARCHITECTURE.md walks one bundle through it): an [`Analyzer`] takes chunks
//! of any size (gzip and binary checks as it reads), cuts lines, splits sections as they
//! arrive, parses each (one parser per kubectl output kind; logs line by line into
//! digests) into the [`Model`], runs the detectors into [`Finding`]s, and hands the
//! [`Analysis`] to the outputs: [`report`] (the JSON contract), [`html`] (the shared
//! report) and [`chart`] (SVG). [`analyze`] and [`analyze_text`] feed whole inputs to an
//! [`Analyzer`].
//!
//! ```ignore
//! let analysis = kubeleak_analysis::analyze_text("paste", "$ kubectl top pod\nNAME CPU(cores) MEMORY(bytes)\nw 1m 301Mi\n");
//! assert_eq!(analysis.model.pods[0].memory_samples[0].bytes, 301 << 20);
//! ```

// The API, by layer (ARCHITECTURE.md): what the page, the CLI and the tests use.
pub mod display;
pub mod input;
pub mod quantity;
pub mod redact;
pub mod time;

pub mod model;

pub mod chart;
pub mod fleet;
pub mod html;
pub mod redaction;
pub mod report;

/// The page's digest workers: where an [`Analyzer`]'s log streams go when a port is set.
pub use digest_sink::remote as digest_workers;
pub use finding::{Analysis, Finding, Kind, LogPoint, LogSeries, Replica, Severity, Workload};
pub use input::{Input, Limits};
pub use model::Model;
pub use stream::Analyzer;

// Inner parts, public only for the benches, the fuzz targets and the page's test of the
// keyword scan (native and wasm must agree); not an API.
#[doc(hidden)]
pub mod logmine;
#[doc(hidden)]
pub mod parse;
#[doc(hidden)]
pub mod rules;
#[doc(hidden)]
pub mod sections;
#[doc(hidden)]
pub mod split;

mod detect;
mod diagnose;
mod digest_sink;
mod downsample;
mod finding;
mod logdigest;
mod pyprof;
mod stats;
mod stream;
mod support_bundle;
mod text;
mod workload;

/// Analyzes several inputs as one bundle (the streaming [`Analyzer`], fed each input whole).
pub fn analyze(inputs: &[Input<'_>], limits: &input::Limits) -> Analysis {
    let mut a = Analyzer::new(*limits);
    for inp in inputs {
        a.begin(inp.name);
        a.feed(inp.bytes);
        a.end();
    }
    a.finish()
}

/// Analyzes one text (a paste).
pub fn analyze_text(name: &str, text: &str) -> Analysis {
    analyze(&[Input { name, bytes: text.as_bytes() }], &input::Limits::default())
}

#[cfg(test)]
mod tests {
    #[test]
    fn source_keeps_every_cleaned_line_in_order() {
        let text = "\x1b[32m$ kubectl top pod\x1b[0m\r\nNAME   CPU(cores)   MEMORY(bytes)\r\n\x1b[1mw-1\x1b[0m    1m   10Mi\r\n\r\nplain\n";
        let a = super::analyze_text("paste", text);
        let src = &a.model.sources[0];
        assert_eq!(
            src.text,
            vec!["$ kubectl top pod", "NAME   CPU(cores)   MEMORY(bytes)", "w-1    1m   10Mi", "", "plain"]
        );
        assert_eq!(src.lines, 5);
        assert_eq!(a.model.pods[0].memory_samples[0].bytes, 10 << 20);
        assert_eq!(a.model.line_text(a.model.pods[0].memory_samples[0].origin), "w-1    1m   10Mi");
    }
}
