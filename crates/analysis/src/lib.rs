//! # kubeleak-analysis
//!
//! The pure core of kubeleak: bytes in, findings and charts out. No I/O, no clock, no
//! threads, so the same code runs in the `kubeleak` CLI and in the browser (wasm32).
//!
//! Data flow: [`input::decode`] (gzip, binary, UTF-8) → [`sections::split`] (prompts,
//! shapes) → [`parse`] (one parser per kubectl output kind) → [`model::Model`] →
//! detectors → [`report`] (the JSON contract) and [`chart`] (SVG via plotters).
//!
//! ```ignore
//! let analysis = kubeleak_analysis::analyze_text("paste", "$ kubectl top pod\nNAME CPU(cores) MEMORY(bytes)\nw 1m 301Mi\n");
//! assert_eq!(analysis.model.pods[0].memory_samples[0].bytes, 301 << 20);
//! ```

pub mod chart;
pub mod detect;
pub mod display;
pub mod finding;
pub mod html;
pub mod input;
pub mod logmine;
pub mod model;
pub mod parse;
pub mod pyprof;
pub mod quantity;
pub mod report;
pub mod sections;
pub mod stats;
pub mod support_bundle;
pub mod time;

use std::collections::HashMap;

pub use finding::{Finding, Severity};
pub use model::Model;

/// One input: a file, or the page's paste.
#[derive(Clone, Copy, Debug)]
pub struct Input<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
}

/// Everything the analysis produced.
#[derive(Debug, Default)]
pub struct Analysis {
    pub model: Model,
    pub findings: Vec<Finding>,
}

/// Analyzes several inputs as one bundle.
pub fn analyze(inputs: &[Input<'_>], limits: &input::Limits) -> Analysis {
    let mut model = Model::default();
    let mut seq: HashMap<model::SectionKind, u32> = HashMap::new();
    for inp in inputs {
        // A Replicated support bundle (tar.gz): each memory-relevant member is its own source.
        if let Some(expanded) = support_bundle::expand(inp.name, inp.bytes, limits) {
            support_bundle::add_to_model(inp.name, expanded, &mut model, &mut seq);
            continue;
        }
        let source = model.sources.len();
        let decoded = input::decode(inp.name, inp.bytes, limits);
        // A memray HTML report is data, not a transcript: its memory records only.
        if pyprof::memray_html::is_report(&decoded.text) {
            pyprof::memray_html::add_to_model(inp.name, &decoded.text, decoded.problems, &mut model);
            continue;
        }
        for p in decoded.problems {
            model.warn(model::Origin { source, line: 0 }, p);
        }
        // Lines borrow the decoded text (which borrows the input when it was plain UTF-8);
        // only the model's copy of the source below owns them. (Collected first: turning
        // this Vec<Cow> into the Vec<String> of the source reuses its allocation, which a
        // second pass over the text would not; measured, peak RSS +45 MB at 200 MB.)
        let lines: Vec<std::borrow::Cow<'_, str>> = sections::lines(&decoded.text).collect();
        {
            let numbered: Vec<(u32, &str)> = lines
                .iter()
                .enumerate()
                .map(|(i, l)| (u32::try_from(i + 1).unwrap_or(u32::MAX), l.as_ref()))
                .collect();
            let split = sections::split(source, inp.name, &numbered);
            merge_capture(&mut model.capture, split.capture);
            for section in &split.sections {
                let counter = seq.entry(section.kind).or_insert(0);
                let ctx = parse::Ctx {
                    default_namespace: model.capture.namespace.clone(),
                    seq: *counter,
                };
                *counter += 1;
                parse::parse_section(section, &ctx, &mut model);
                if section.kind == model::SectionKind::Unknown && section.is_blank() {
                    continue; // blank lines between outputs are not a section
                }
                model.sections.push(model::SectionInfo {
                    kind: section.kind,
                    command: section
                        .command
                        .as_ref()
                        .map(|c| c.raw.clone())
                        .or_else(|| section.other_command.clone()),
                    at: section.at,
                    source,
                    first_line: section.first_line,
                    last_line: section.last_line,
                });
            }
        }
        model.sources.push(model::Source {
            name: inp.name.to_string(),
            bytes: decoded.text.len() as u64,
            lines: u32::try_from(lines.len()).unwrap_or(u32::MAX),
            text: lines.into_iter().map(std::borrow::Cow::into_owned).collect(),
        });
    }
    resolve_default_containers(&mut model);
    // Warnings pushed directly by a parser are bounded too.
    for w in &mut model.warnings {
        model::shorten_message(&mut w.message);
    }
    pyprof::join(&mut model);
    let findings = finding::detect(&model);
    Analysis { model, findings }
}

/// A log read before the pod's containers were known (logs pasted before `describe`)
/// sits under the placeholder container `(default)`; once the pod turns out to have
/// exactly one container, the log belongs to it.
fn resolve_default_containers(model: &mut Model) {
    for pod in &mut model.pods {
        let Some(i) = pod.containers.iter().position(|c| c.name == parse::logs::DEFAULT_CONTAINER) else {
            continue;
        };
        let real: Vec<usize> = (0..pod.containers.len())
            .filter(|&j| j != i && !pod.containers[j].init)
            .collect();
        if let [j] = real[..] {
            let placeholder = pod.containers.remove(i);
            let j = if j > i { j - 1 } else { j };
            let target = &mut pod.containers[j];
            target.logs.extend(placeholder.logs);
            target.memory_samples.extend(placeholder.memory_samples);
        }
    }
}

/// Analyzes one text (a paste).
pub fn analyze_text(name: &str, text: &str) -> Analysis {
    analyze(
        &[Input {
            name,
            bytes: text.as_bytes(),
        }],
        &input::Limits::default(),
    )
}

fn merge_capture(into: &mut model::Capture, from: model::Capture) {
    into.format_version = into.format_version.take().or(from.format_version);
    into.captured_at = into.captured_at.or(from.captured_at);
    into.context = into.context.take().or(from.context);
    into.namespace = into.namespace.take().or(from.namespace);
    into.selector = into.selector.take().or(from.selector);
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
