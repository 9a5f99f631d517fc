//! `kubectl top node` (also `--no-headers`, `--sort-by`, `--show-capacity`).
//!
//! Recognises the header `NAME  CPU(cores)  CPU%  MEMORY(bytes)  MEMORY%` (kubectl since
//! 2016) and its newer spelling `NAME  CPU(cores)  CPU(%)  MEMORY(bytes)  MEMORY(%)` (the
//! kubectl 1.32 on our build machine prints only this one); each row becomes one memory
//! sample of that node, with the percentage of the node's allocatable memory (or
//! capacity with `--show-capacity`) as printed, at the section's time. Rows of nodes
//! without metrics (`<unknown>`) and `error: metrics not available yet` are warnings.
//! Example:
//! ```text
//! NAME     CPU(cores)   CPU(%)   MEMORY(bytes)   MEMORY(%)
//! node-1   1250m        62%      6844Mi          91%
//! ```
//! gives node `node-1` a sample of 7176454144 bytes at 91%.

use super::{origin, words, SectionContext};
use crate::model::{Model, NodeSample};
use crate::quantity;
use crate::sections::Section;

/// Column indexes of the fields read.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Layout {
    memory: usize,
    percent: Option<usize>,
}

/// The default columns, for `--no-headers` output.
const DEFAULT: Layout = Layout { memory: 3, percent: Some(4) };

fn layout(header: &[&str]) -> Option<Layout> {
    if header.first() != Some(&"NAME") || !header.iter().any(|w| w.starts_with("CPU")) {
        return None;
    }
    Some(Layout {
        memory: header.iter().position(|w| *w == "MEMORY(bytes)")?,
        percent: header.iter().position(|w| matches!(*w, "MEMORY%" | "MEMORY(%)")),
    })
}

pub fn parse(section: &Section<'_>, ctx: &SectionContext, model: &mut Model) {
    let no_headers = section
        .command
        .as_ref()
        .is_some_and(|c| c.args.iter().any(|a| a == "--no-headers" || a == "--no-headers=true"));
    let mut current: Option<Layout> = no_headers.then_some(DEFAULT);
    for &(n, line) in &section.lines {
        let at = origin(section, n);
        let w = words(line);
        if w.is_empty() {
            continue;
        }
        if let Some(l) = layout(&w) {
            current = Some(l);
            continue;
        }
        let t = line.trim();
        if t.starts_with("error:") || t.starts_with("Error from server") || t.contains("Metrics API not available") {
            model.warn(at, format!("kubectl top node failed: {t}"));
            continue;
        }
        let Some(l) = current else {
            model.warn(at, format!("top node output without a header line, skipped: {t}"));
            continue;
        };
        let (Some(name), Some(mem)) = (w.first(), w.get(l.memory)) else {
            model.warn(at, format!("top node row with too few columns, skipped: {t}"));
            continue;
        };
        if *mem == "<unknown>" {
            model.node_mut(name, at);
            model.warn(at, format!("no metrics for node {name} (<unknown>)"));
            continue;
        }
        let Some(bytes) = quantity::parse_bytes(mem) else {
            model.warn(at, format!("memory value {mem:?} is not a quantity; row skipped"));
            continue;
        };
        let percent = match l.percent.and_then(|i| w.get(i)) {
            Some(p) => match p.strip_suffix('%').and_then(|v| v.parse::<u32>().ok()) {
                Some(v) => Some(v),
                None => {
                    model.warn(at, format!("memory percentage {p:?} is not a percentage; kept the bytes only"));
                    None
                }
            },
            None => None,
        };
        let sample = NodeSample { at: section.at, seq: ctx.seq, bytes, percent, origin: at };
        model.node_mut(name, at).memory_samples.push(sample);
    }
}

#[cfg(test)]
mod tests {
    use crate::analyze_text;

    #[test]
    fn old_and_new_header_spellings() {
        let text = "$ kubectl top node  # at 2026-11-24T10:00:00Z
NAME     CPU(cores)   CPU%   MEMORY(bytes)   MEMORY%   
node-1   1250m        62%    6844Mi          91%       
node-2   310m         15%    2101Mi          28%       
$ kubectl top nodes  # at 2026-11-24T10:05:00Z
NAME     CPU(cores)   CPU(%)   MEMORY(bytes)   MEMORY(%)   
node-1   1302m        65%      7012Mi          93%         
";
        let model = analyze_text("t", text).model;
        assert!(model.warnings.is_empty(), "{:?}", model.warnings);
        assert!(model.pods.is_empty());
        let n1 = model.node("node-1").unwrap();
        let got: Vec<(u64, Option<u32>, u32, u32)> =
            n1.memory_samples.iter().map(|s| (s.bytes, s.percent, s.seq, s.origin.line)).collect();
        assert_eq!(got, vec![(6844 << 20, Some(91), 0, 3), (7012 << 20, Some(93), 1, 7)]);
        assert_eq!(n1.memory_samples[1].at.unwrap().to_string(), "2026-11-24T10:05:00Z");
        assert_eq!(model.node("node-2").unwrap().memory_samples[0].percent, Some(28));
    }

    #[test]
    fn bare_output_unknown_rows_and_errors() {
        let text = "NAME     CPU(cores)   CPU(%)   MEMORY(bytes)   MEMORY(%)
node-1   1250m        62%      6844Mi          91%
node-3   <unknown>    <unknown>   <unknown>    <unknown>
";
        let model = analyze_text("top-node.txt", text).model;
        assert_eq!(model.nodes.len(), 2);
        assert!(model.node("node-3").unwrap().memory_samples.is_empty());
        assert_eq!(model.warnings.len(), 1);
        assert_eq!(model.warnings[0].origin.line, 3);
        let model = analyze_text("t", "$ kubectl top node\nerror: metrics not available yet\n").model;
        assert!(model.nodes.is_empty());
        assert!(model.warnings[0].message.contains("metrics not available yet"));
    }

    #[test]
    fn no_headers_uses_the_default_columns() {
        let text = "$ kubectl top node --no-headers\nnode-1   1250m   62%   6844Mi   91%\n";
        let model = analyze_text("t", text).model;
        assert!(model.warnings.is_empty(), "{:?}", model.warnings);
        assert_eq!(model.node("node-1").unwrap().memory_samples[0].bytes, 6844 << 20);
        let text = "$ kubectl top node\nnode-1   1250m   62%   6844Mi   91%\n";
        let model = analyze_text("t", text).model;
        assert!(model.nodes.is_empty());
        assert!(model.warnings[0].message.contains("without a header"));
    }

    #[test]
    fn bad_values_are_warnings() {
        let text = "$ kubectl top node\nNAME   CPU(cores)   CPU%   MEMORY(bytes)   MEMORY%\nn1   1m   1%   lots   5%\nn2   1m   1%   10Mi   high\nn3   1m\n";
        let model = analyze_text("t", text).model;
        let lines: Vec<u32> = model.warnings.iter().map(|w| w.origin.line).collect();
        assert_eq!(lines, vec![3, 4, 5], "{:?}", model.warnings);
        assert_eq!(model.node("n2").unwrap().memory_samples[0].percent, None);
        assert!(model.node("n1").is_none());
    }
}
