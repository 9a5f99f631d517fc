//! `kubectl get pods` as a table: the default columns `NAME READY STATUS RESTARTS AGE`,
//! `-o wide` (`IP NODE NOMINATED NODE READINESS GATES`), `-A` (a leading `NAMESPACE`),
//! `--show-labels` (`LABELS`), `-L` label columns, and `--no-headers` (layout from the
//! command's flags).
//!
//! Columns are found from the header line: kubectl left-aligns every cell at its
//! header's column and pads with at least 3 spaces, while headers (`NOMINATED NODE`) and
//! cells (`5 (2m ago)`) hold single spaces. A row that does not line up with the header
//! (a `--watch` line, a paste whose spaces were squeezed) is split on runs of 2+ spaces,
//! then on single spaces with `(… ago)` kept whole. Example:
//! ```text
//! NAME                     READY   STATUS             RESTARTS      AGE   IP           NODE     NOMINATED NODE   READINESS GATES
//! worker-7d9f8b6c5-x2x9k   0/1     CrashLoopBackOff   5 (2m ago)    3h    10.1.2.3     node-a   <none>           <none>
//! ```
//! gives pod `worker-7d9f8b6c5-x2x9k`: status `CrashLoopBackOff`, 5 restarts, node
//! `node-a`, each citing that row. The time of the last restart (`2m ago`) is not kept:
//! the model has no field for it.
//!
//! Status and restarts are "latest wins": a later capture overwrites an earlier one
//! (they legitimately change), without a warning. The namespace is the `NAMESPACE`
//! column, else the command's `-n`, else the bundle's. `No resources found …` is not a
//! warning; `error: …` lines and rows that fit no column layout are.

use super::{origin, SectionContext};
use crate::model::{Fact, Model};
use crate::sections::Section;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Col {
    Namespace,
    Name,
    Ready,
    Status,
    Restarts,
    Age,
    Ip,
    Node,
    NominatedNode,
    ReadinessGates,
    Labels,
    /// A `-L key` label column or a column we do not read.
    Other,
}

fn col(name: &str) -> Col {
    match name {
        "NAMESPACE" => Col::Namespace,
        "NAME" => Col::Name,
        "READY" => Col::Ready,
        "STATUS" => Col::Status,
        "RESTARTS" => Col::Restarts,
        "AGE" => Col::Age,
        "IP" => Col::Ip,
        "NODE" => Col::Node,
        "NOMINATED NODE" => Col::NominatedNode,
        "READINESS GATES" => Col::ReadinessGates,
        "LABELS" => Col::Labels,
        _ => Col::Other,
    }
}

/// Columns of a table: kind and start (in characters) on the header line.
#[derive(Clone, Debug)]
struct Layout {
    cols: Vec<(Col, usize)>,
    /// False for `--no-headers`: there are no positions to cut at.
    positioned: bool,
}

/// Cells of a line: runs of non-blank text separated by 2+ spaces (or a tab), with
/// their start in characters.
fn spaced_cells(line: &str) -> Vec<(usize, String)> {
    let mut cells: Vec<(usize, String)> = Vec::new();
    let mut current: Option<(usize, String)> = None;
    let mut blanks = 0;
    let mut tab = false;
    for (i, c) in line.chars().enumerate() {
        if c == ' ' || c == '\t' {
            blanks += 1;
            tab |= c == '\t';
            continue;
        }
        if blanks >= 2 || tab {
            cells.extend(current.take());
        }
        match current.as_mut() {
            Some((_, text)) => {
                for _ in 0..blanks {
                    text.push(' ');
                }
                text.push(c);
            }
            None => current = Some((i, c.to_string())),
        }
        blanks = 0;
        tab = false;
    }
    cells.extend(current);
    cells
}

/// The layout of a header line, if it is one. A header whose spaces were squeezed to
/// one gives names only (`NOMINATED NODE`, `READINESS GATES` rejoined).
fn header(line: &str) -> Option<Layout> {
    let is_header = |names: &[&str]| {
        let starts = |p: &[&str]| names.len() >= p.len() && names.iter().zip(p).all(|(a, b)| a == b);
        starts(&["NAME", "READY", "STATUS", "RESTARTS"])
            || starts(&["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS"])
    };
    let cells = spaced_cells(line);
    let names: Vec<&str> = cells.iter().map(|(_, n)| n.as_str()).collect();
    if is_header(&names) {
        return Some(Layout { cols: cells.iter().map(|(at, n)| (col(n), *at)).collect(), positioned: true });
    }
    let words: Vec<&str> = line.split_whitespace().collect();
    if !is_header(&words) {
        return None;
    }
    let mut cols = Vec::new();
    let mut i = 0;
    while let Some(w) = words.get(i) {
        let pair = words.get(i + 1).map(|next| format!("{w} {next}"));
        match pair.as_deref() {
            Some(p @ ("NOMINATED NODE" | "READINESS GATES")) => {
                cols.push((col(p), 0));
                i += 2;
            }
            _ => {
                cols.push((col(w), 0));
                i += 1;
            }
        }
    }
    Some(Layout { cols, positioned: false })
}

/// The layout `--no-headers` output has, from the command's flags.
fn layout_from_command(section: &Section<'_>) -> Option<Layout> {
    let cmd = section.command.as_ref()?;
    if !cmd.args.iter().any(|a| a == "--no-headers" || a == "--no-headers=true") {
        return None;
    }
    let mut cols = Vec::new();
    if cmd.all_namespaces {
        cols.push(Col::Namespace);
    }
    cols.extend([Col::Name, Col::Ready, Col::Status, Col::Restarts, Col::Age]);
    if cmd.output.as_deref() == Some("wide") {
        cols.extend([Col::Ip, Col::Node, Col::NominatedNode, Col::ReadinessGates]);
    }
    if cmd.args.iter().any(|a| a == "--show-labels" || a == "--show-labels=true") {
        cols.push(Col::Labels);
    }
    Some(Layout { cols: cols.into_iter().map(|c| (c, 0)).collect(), positioned: false })
}

/// Cuts a row at the header's column starts; `None` if it does not line up (a cell
/// missing, running into the next column, or holding two cells). Only `-L` label
/// columns may be empty (a pod without that label).
fn cut(chars: &[char], layout: &Layout) -> Option<Vec<String>> {
    let blank = |i: usize| chars.get(i).is_none_or(|c| c.is_whitespace());
    let mut cells = Vec::with_capacity(layout.cols.len());
    for (k, &(kind, start)) in layout.cols.iter().enumerate() {
        let end = layout.cols.get(k + 1).map_or(chars.len(), |c| c.1).min(chars.len());
        let cell: String = chars.get(start.min(end)..end)?.iter().collect();
        let cell = cell.trim();
        if cell.is_empty() && kind == Col::Other {
            cells.push(String::new());
            continue;
        }
        // A cell starts exactly at its column, after a blank; kubectl cells hold single
        // spaces at most, so two mean the cut fell mid-row.
        if blank(start) || (start > 0 && !blank(start - 1)) || cell.contains("  ") || cell.contains('\t') {
            return None;
        }
        cells.push(cell.to_string());
    }
    Some(cells)
}

/// Splits on single spaces, keeping a `(2m ago)` with the count before it.
fn word_cells(line: &str) -> Vec<String> {
    let mut cells: Vec<String> = Vec::new();
    let mut in_paren = false;
    for w in line.split_whitespace() {
        match cells.last_mut() {
            Some(last) if in_paren || w.starts_with('(') => {
                last.push(' ');
                last.push_str(w);
            }
            _ => cells.push(w.to_string()),
        }
        in_paren = (in_paren || w.starts_with('(')) && !w.ends_with(')');
    }
    cells
}

fn cells(line: &str, layout: &Layout) -> Option<Vec<String>> {
    let n = layout.cols.len();
    if layout.positioned {
        let chars: Vec<char> = line.chars().collect();
        if let Some(c) = cut(&chars, layout) {
            return Some(c);
        }
    }
    let spaced: Vec<String> = spaced_cells(line).into_iter().map(|c| c.1).collect();
    if spaced.len() == n {
        return Some(spaced);
    }
    let words = word_cells(line);
    (words.len() == n).then_some(words)
}

/// `5`, or `5 (2m ago)`: the restart count.
fn restarts(cell: &str) -> Option<u32> {
    let (count, rest) = match cell.split_once(' ') {
        Some((c, r)) => (c, Some(r.trim())),
        None => (cell, None),
    };
    if let Some(r) = rest {
        let ago = r.strip_prefix('(')?.strip_suffix(')')?;
        ago.strip_suffix(" ago")?;
    }
    count.parse().ok()
}

pub fn parse(section: &Section<'_>, ctx: &SectionContext, model: &mut Model) {
    let mut layout = layout_from_command(section);
    for &(n, line) in &section.lines {
        let at = origin(section, n);
        let text = line.trim();
        if text.is_empty() || text.starts_with("No resources found") {
            continue;
        }
        if let Some(l) = header(line) {
            layout = Some(l);
            continue;
        }
        if text.starts_with("error:") || text.starts_with("Error from server") {
            model.warn(at, format!("kubectl get pods failed: {text}"));
            continue;
        }
        let Some(layout) = layout.as_ref() else {
            model.warn(at, format!("pod row before any `NAME READY STATUS` header, skipped: {text}"));
            continue;
        };
        let Some(cells) = cells(line, layout) else {
            model.warn(at, format!("pod row does not fit the {} header columns, skipped: {text}", layout.cols.len()));
            continue;
        };
        let cell = |c: Col| {
            layout
                .cols
                .iter()
                .position(|(k, _)| *k == c)
                .and_then(|i| cells.get(i))
                .map(String::as_str)
                .filter(|s| !s.is_empty())
        };
        let Some(name) = cell(Col::Name) else {
            model.warn(at, format!("pod row without a name, skipped: {text}"));
            continue;
        };
        let ns = cell(Col::Namespace).or_else(|| ctx.namespace(section));
        let status = cell(Col::Status);
        let restarts_cell = cell(Col::Restarts);
        let count = restarts_cell.and_then(restarts);
        if let (Some(r), None) = (restarts_cell, count) {
            model.warn(at, format!("restarts {r:?} of pod {name} is not a count; ignored"));
        }
        let node = cell(Col::Node).filter(|n| *n != "<none>");
        let pod = model.pod_mut(ns, name, at);
        if let Some(s) = status {
            pod.status = Some(Fact::new(s.to_string(), at));
        }
        if let Some(c) = count {
            pod.restarts = Some(Fact::new(c, at));
        }
        if let Some(node) = node {
            pod.node = Some(node.to_string());
        }
        if let Some(labels) = cell(Col::Labels).filter(|l| *l != "<none>") {
            for kv in labels.split(',') {
                if let Some((k, v)) = kv.split_once('=') {
                    pod.labels.insert(k.to_string(), v.to_string());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::restarts;
    use crate::analyze_text;
    use crate::model::Model;

    fn status(model: &Model, ns: Option<&str>, name: &str) -> (String, u32, u32) {
        let p = model.pod(ns, name).unwrap_or_else(|| panic!("no pod {name}"));
        let s = p.status.as_ref().unwrap();
        (s.value.clone(), p.restarts.as_ref().map_or(u32::MAX, |r| r.value), s.origin.line)
    }

    #[test]
    fn restart_cells() {
        assert_eq!(restarts("0"), Some(0));
        assert_eq!(restarts("5 (2m ago)"), Some(5));
        assert_eq!(restarts("12 (3h2m ago)"), Some(12));
        assert_eq!(restarts("five"), None);
        assert_eq!(restarts("5 (later)"), None);
        assert_eq!(restarts("-1"), None);
    }

    #[test]
    fn default_columns_with_namespace_from_command() {
        let text = "$ kubectl get pods -n shop
NAME                      READY   STATUS             RESTARTS      AGE
worker-7d9f8b6c5-x2x9k    0/1     CrashLoopBackOff   5 (2m ago)    3h
worker-7d9f8b6c5-q8r2m    1/1     Running            0             3h
";
        let model = analyze_text("paste", text).model;
        assert!(model.warnings.is_empty(), "{:?}", model.warnings);
        assert_eq!(status(&model, Some("shop"), "worker-7d9f8b6c5-x2x9k"), ("CrashLoopBackOff".into(), 5, 3));
        assert_eq!(status(&model, Some("shop"), "worker-7d9f8b6c5-q8r2m"), ("Running".into(), 0, 4));
        assert_eq!(model.pods[0].node, None);
    }

    #[test]
    fn wide_all_namespaces_and_labels() {
        let text = "$ kubectl get pods -A -o wide --show-labels
NAMESPACE     NAME                       READY   STATUS      RESTARTS      AGE   IP         NODE     NOMINATED NODE   READINESS GATES   LABELS
shop          worker-7d9f8b6c5-x2x9k     1/1     Running     3 (14m ago)   2d    10.1.2.3   node-a   <none>           <none>            app=worker,pod-template-hash=7d9f8b6c5
kube-system   coredns-5d78c9869d-abcde   1/1     Running     0             9d    10.1.0.2   node-b   <none>           <none>            k8s-app=kube-dns,pod-template-hash=5d78c9869d
shop          report-29123400-zz9hq      0/1     Completed   0             5m    10.1.2.9   node-a   <none>           <none>            batch.kubernetes.io/job-name=report-29123400,job-name=report-29123400
";
        let model = analyze_text("paste", text).model;
        assert!(model.warnings.is_empty(), "{:?}", model.warnings);
        let w = model.pod(Some("shop"), "worker-7d9f8b6c5-x2x9k").unwrap();
        assert_eq!(w.node.as_deref(), Some("node-a"));
        assert_eq!(w.restarts.as_ref().unwrap().value, 3);
        let c = model.pod(Some("kube-system"), "coredns-5d78c9869d-abcde").unwrap();
        assert_eq!(c.node.as_deref(), Some("node-b"));
        assert_eq!(status(&model, Some("shop"), "report-29123400-zz9hq"), ("Completed".into(), 0, 5));
    }

    #[test]
    fn label_columns_may_be_empty() {
        let text = "$ kubectl get pods -n shop -L app -L tier
NAME       READY   STATUS    RESTARTS   AGE   APP      TIER
worker-1   1/1     Running   0          1h    worker   backend
debug      1/1     Running   0          5m
redis-0    1/1     Running   1          9d             cache
";
        let model = analyze_text("paste", text).model;
        assert!(model.warnings.is_empty(), "{:?}", model.warnings);
        assert_eq!(model.pods.len(), 3);
        assert_eq!(status(&model, Some("shop"), "redis-0"), ("Running".into(), 1, 5));
    }

    #[test]
    fn watch_rows_that_do_not_line_up() {
        // `kubectl get pods -w` prints later rows with their own widths.
        let text = "$ kubectl get pods -n shop -w
NAME       READY   STATUS    RESTARTS   AGE
worker-1   1/1     Running   0          1h
worker-1   0/1     OOMKilled   0     1h
worker-1   0/1   CrashLoopBackOff   1 (2s ago)   1h
";
        let model = analyze_text("paste", text).model;
        assert!(model.warnings.is_empty(), "{:?}", model.warnings);
        assert_eq!(status(&model, Some("shop"), "worker-1"), ("CrashLoopBackOff".into(), 1, 5));
    }

    #[test]
    fn latest_capture_wins_without_warning() {
        let text = "$ kubectl get pods -n shop
NAME       READY   STATUS    RESTARTS   AGE
worker-1   1/1     Running   0          1h
$ kubectl get pods -n shop
NAME       READY   STATUS      RESTARTS     AGE
worker-1   0/1     OOMKilled   1 (5s ago)   1h
";
        let model = analyze_text("paste", text).model;
        assert!(model.warnings.is_empty(), "{:?}", model.warnings);
        assert_eq!(status(&model, Some("shop"), "worker-1"), ("OOMKilled".into(), 1, 6));
        assert_eq!(model.pods[0].origin.line, 3);
    }

    #[test]
    fn no_resources_is_quiet_and_bad_rows_warn() {
        let text = "$ kubectl get pods -n shop
No resources found in shop namespace.
$ kubectl get pods -n shop
NAME       READY   STATUS    RESTARTS   AGE
worker-1   1/1     Running   lots       1h
garbage
error: You must be logged in to the server (Unauthorized)
";
        let model = analyze_text("paste", text).model;
        let msgs: Vec<_> = model.warnings.iter().map(|w| (w.origin.line, w.message.as_str())).collect();
        assert_eq!(msgs.len(), 3, "{msgs:?}");
        assert_eq!(msgs[0].0, 5);
        assert!(msgs[0].1.contains("\"lots\""));
        assert_eq!(msgs[1].0, 6);
        assert!(msgs[1].1.contains("does not fit"));
        assert_eq!(msgs[2].0, 7);
        let p = model.pod(Some("shop"), "worker-1").unwrap();
        assert_eq!(p.status.as_ref().unwrap().value, "Running");
        assert_eq!(p.restarts, None);
    }

    #[test]
    fn no_headers_uses_the_command_flags() {
        let text = "$ kubectl get pods -A -o wide --no-headers
shop   worker-1   1/1   Running   2 (1h ago)   3d   10.1.2.3   node-a   <none>   <none>
";
        let model = analyze_text("paste", text).model;
        assert!(model.warnings.is_empty(), "{:?}", model.warnings);
        let p = model.pod(Some("shop"), "worker-1").unwrap();
        assert_eq!(p.restarts.as_ref().unwrap().value, 2);
        assert_eq!(p.node.as_deref(), Some("node-a"));
    }

    #[test]
    fn squeezed_spaces_and_bare_output() {
        let text = "NAME READY STATUS RESTARTS AGE\nworker-1 0/1 Init:CrashLoopBackOff 4 (30s ago) 10m\n";
        let model = analyze_text("paste", text).model;
        assert!(model.warnings.is_empty(), "{:?}", model.warnings);
        assert_eq!(status(&model, None, "worker-1"), ("Init:CrashLoopBackOff".into(), 4, 2));
    }
}
