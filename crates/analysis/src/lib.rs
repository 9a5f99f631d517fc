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
        let source = model.sources.len();
        let decoded = input::decode(inp.name, inp.bytes, limits);
        for p in decoded.problems {
            model.warn(model::Origin { source, line: 0 }, p);
        }
        let text: Vec<String> = if decoded.text.is_empty() {
            Vec::new()
        } else {
            let t = decoded.text.strip_suffix('\n').unwrap_or(&decoded.text);
            t.split('\n').map(|l| sections::clean_line(l).into_owned()).collect()
        };
        {
            let numbered: Vec<(u32, &str)> =
                text.iter().enumerate().map(|(i, l)| (i as u32 + 1, l.as_str())).collect();
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
            lines: text.len() as u32,
            text,
        });
    }
    resolve_default_containers(&mut model);
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
