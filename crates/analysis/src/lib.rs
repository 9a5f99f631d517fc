//! # kubeleak-analysis
//!
//! The pure core of kubeleak: bytes in, findings and charts out. No I/O, no clock, no
//! threads, so the same code runs in the `kubeleak` CLI and in the browser (wasm32).
//!
//! Data flow: [`Analyzer`] ([`stream`]: chunks of any size, gzip and binary checks as
//! it reads, lines, sections as they arrive) → [`parse`] (one parser per kubectl output
//! kind; logs line by line into [`logdigest`]s) → [`model::Model`] → detectors →
//! [`report`] (the JSON contract) and [`chart`] (SVG via plotters). [`analyze`] and
//! [`analyze_text`] feed whole inputs to an [`Analyzer`].
//!
//! ```ignore
//! let analysis = kubeleak_analysis::analyze_text("paste", "$ kubectl top pod\nNAME CPU(cores) MEMORY(bytes)\nw 1m 301Mi\n");
//! assert_eq!(analysis.model.pods[0].memory_samples[0].bytes, 301 << 20);
//! ```

pub mod chart;
pub mod detect;
pub mod digest_sink;
pub mod display;
pub mod finding;
pub mod html;
pub mod input;
pub mod logdigest;
pub mod logmine;
pub mod model;
pub mod parse;
pub mod pyprof;
pub mod quantity;
pub mod report;
pub mod rules;
pub mod sections;
pub mod split;
pub mod stats;
pub mod stream;
pub mod support_bundle;
pub mod text;
pub mod time;

pub use finding::{Analysis, Finding, Severity};
pub use input::Input;
pub use model::Model;
pub use stream::Analyzer;

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
