//! `kubectl top pod` (also `--containers`, `-A`, `--sum`) and its error messages.
//!
//! Recognises the header forms
//! `NAME CPU(cores) MEMORY(bytes)`, `NAMESPACE NAME …`, `POD NAME …` (`--containers`) and
//! `NAMESPACE POD NAME …`; each row becomes one memory [`Sample`] of the pod (or of the
//! container with `--containers`) at the section's time. Example:
//! ```text
//! NAME                      CPU(cores)   MEMORY(bytes)
//! worker-7d9f8b6c5-x2x9k    212m         301Mi
//! ```
//! gives pod `worker-7d9f8b6c5-x2x9k` a sample of 315621376 bytes.

use super::{origin, words, SectionContext};
use crate::model::{Model, Sample};
use crate::quantity;
use crate::sections::Section;

#[derive(Clone, Copy, PartialEq)]
enum Layout {
    Pod,
    PodAllNs,
    Containers,
    ContainersAllNs,
}

fn layout(header: &[&str]) -> Option<Layout> {
    match header {
        ["NAME", "CPU(cores)", "MEMORY(bytes)", ..] => Some(Layout::Pod),
        ["NAMESPACE", "NAME", "CPU(cores)", "MEMORY(bytes)", ..] => Some(Layout::PodAllNs),
        ["POD", "NAME", "CPU(cores)", "MEMORY(bytes)", ..] => Some(Layout::Containers),
        ["NAMESPACE", "POD", "NAME", "CPU(cores)", "MEMORY(bytes)", ..] => Some(Layout::ContainersAllNs),
        _ => None,
    }
}

pub fn parse(section: &Section<'_>, ctx: &SectionContext, model: &mut Model) {
    let mut current: Option<Layout> = None;
    let mut after_sum_rule = false;
    for &(n, line) in &section.lines {
        let at = origin(section, n);
        let w = words(line);
        if w.is_empty() {
            continue;
        }
        if let Some(l) = layout(&w) {
            current = Some(l);
            after_sum_rule = false;
            continue;
        }
        if line.trim_start().starts_with("error:") || line.contains("Metrics API not available") {
            model.warn(at, format!("kubectl top failed: {}", line.trim()));
            continue;
        }
        if w.iter().all(|x| x.chars().all(|c| c == '_')) {
            after_sum_rule = true; // `--sum`: the totals row follows
            continue;
        }
        if after_sum_rule {
            continue;
        }
        let Some(layout) = current else {
            model.warn(at, format!("top output without a header line, skipped: {}", line.trim()));
            continue;
        };
        let (ns, pod, container, mem) = match (layout, w.as_slice()) {
            (Layout::Pod, [name, _cpu, mem, ..]) => (None, *name, None, *mem),
            (Layout::PodAllNs, [ns, name, _cpu, mem, ..]) => (Some(*ns), *name, None, *mem),
            (Layout::Containers, [pod, name, _cpu, mem, ..]) => (None, *pod, Some(*name), *mem),
            (Layout::ContainersAllNs, [ns, pod, name, _cpu, mem, ..]) => (Some(*ns), *pod, Some(*name), *mem),
            _ => {
                model.warn(at, format!("top row with too few columns, skipped: {}", line.trim()));
                continue;
            }
        };
        let Some(bytes) = quantity::parse_bytes(mem) else {
            model.warn(at, format!("memory value {mem:?} is not a quantity; row skipped"));
            continue;
        };
        let ns = ns.or_else(|| ctx.namespace(section));
        let sample = Sample { at: section.at, seq: ctx.seq, bytes, origin: at };
        let p = model.pod_mut(ns, pod, at);
        match container {
            Some(c) => p.container_mut(c).memory_samples.push(sample),
            None => p.memory_samples.push(sample),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analyze_text;

    const TWO_SAMPLES: &str = "$ kubectl top pod -n shop -l app=worker
NAME                      CPU(cores)   MEMORY(bytes)
worker-7d9f8b6c5-x2x9k    212m         301Mi
worker-7d9f8b6c5-q8r2m    198m         288Mi
$ kubectl top pod -n shop -l app=worker
NAME                      CPU(cores)   MEMORY(bytes)
worker-7d9f8b6c5-x2x9k    215m         344Mi
worker-7d9f8b6c5-q8r2m    201m         339Mi
";

    #[test]
    fn two_samples_per_pod_in_order() {
        let model = analyze_text("paste", TWO_SAMPLES).model;
        assert_eq!(model.pods.len(), 2);
        let x = model.pod(Some("shop"), "worker-7d9f8b6c5-x2x9k").unwrap();
        let bytes: Vec<u64> = x.memory_samples.iter().map(|s| s.bytes).collect();
        assert_eq!(bytes, vec![301 << 20, 344 << 20]);
        assert_eq!(x.memory_samples.iter().map(|s| s.seq).collect::<Vec<_>>(), vec![0, 1]);
        assert_eq!(x.memory_samples[1].origin.line, 7);
        let q = model.pod(Some("shop"), "worker-7d9f8b6c5-q8r2m").unwrap();
        assert_eq!(q.memory_samples[0].bytes, 288 << 20);
        assert!(model.warnings.is_empty(), "{:?}", model.warnings);
    }

    #[test]
    fn units_ki_mi_gi_and_plain_bytes() {
        let text = "NAME   CPU(cores)   MEMORY(bytes)\na   1m   900Ki\nb   1m   1Gi\nc   1m   2Mi\nd   1m   123456789\ne   1m   1500M\n";
        let model = analyze_text("top.txt", text).model;
        let mem = |n: &str| model.pod(None, n).unwrap().memory_samples[0].bytes;
        assert_eq!(mem("a"), 921_600);
        assert_eq!(mem("b"), 1_073_741_824);
        assert_eq!(mem("c"), 2_097_152);
        assert_eq!(mem("d"), 123_456_789);
        assert_eq!(mem("e"), 1_500_000_000);
    }

    #[test]
    fn containers_all_namespaces_and_sum() {
        let text = "$ kubectl top pod -A --containers --sum
NAMESPACE   POD        NAME     CPU(cores)   MEMORY(bytes)
shop        worker-1   app      100m         400Mi
shop        worker-1   sidecar  5m           20Mi
                                ________     ________
                                105m         420Mi
";
        let model = analyze_text("t", text).model;
        let p = model.pod(Some("shop"), "worker-1").unwrap();
        assert_eq!(p.container("app").unwrap().memory_samples[0].bytes, 400 << 20);
        assert_eq!(p.container("sidecar").unwrap().memory_samples[0].bytes, 20 << 20);
        assert_eq!(model.pods.len(), 1);
        assert!(model.warnings.is_empty(), "{:?}", model.warnings);
    }

    #[test]
    fn metrics_api_missing_is_a_warning() {
        let model = analyze_text("t", "$ kubectl top pod -n shop\nerror: Metrics API not available\n").model;
        assert!(model.pods.is_empty());
        assert!(model.warnings[0].message.contains("Metrics API not available"));
        assert_eq!(model.warnings[0].origin.line, 2);
    }
}
