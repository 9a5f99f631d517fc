//! `kubectl get events` (also `-A`, `-o wide`, `-w`) and the event table helpers that
//! `describe` shares.
//!
//! Column positions come from the header line, since header names hold single spaces
//! (`LAST SEEN`) and cells can be empty (`SUBOBJECT`). Recognised headers:
//! - default: `LAST SEEN  TYPE  REASON  OBJECT  MESSAGE`, with `-A` a leading `NAMESPACE`;
//! - `-o wide`: `LAST SEEN  TYPE  REASON  OBJECT  SUBOBJECT  SOURCE  MESSAGE  FIRST SEEN
//!   COUNT  NAME`;
//! - old kubectl: `LAST SEEN  FIRST SEEN  COUNT  NAME  KIND  SUBOBJECT  TYPE  REASON
//!   SOURCE  MESSAGE` (object from `KIND` and `NAME`).
//!
//! Events on `pod/NAME` go to that pod (created if new), events on `node/NAME` to that
//! node; events on other objects (replica sets, deployments…) are counted in one warning.
//! A line that is not a row continues the message of the row above (wrapped or
//! multi-line messages). `No resources found in shop namespace.` is read as no events.
//! The same event seen twice (same type, reason and message, e.g. in `describe` and in
//! `get events`) is kept once, as its observation with the highest count.
//!
//! Example:
//! ```text
//! LAST SEEN   TYPE      REASON      OBJECT                       MESSAGE
//! 2m          Warning   BackOff     pod/worker-7d9f8b6c5-x2x9k   Back-off restarting failed container worker in pod worker-7d9f8b6c5-x2x9k_shop(…)
//! ```
//! gives pod `worker-7d9f8b6c5-x2x9k` a `Warning` event `BackOff`, count 1, age `2m`,
//! last seen 2 minutes before the capture time when the bundle gives one.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::{origin, SectionContext};
use crate::model::{Event, Model, Origin};
use crate::sections::Section;
use crate::time;

/// One column of a table header: its name and the char position where it starts.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Column {
    pub name: String,
    pub start: usize,
}

/// Columns of a header line: names separated by runs of 2+ spaces (tabwriter pads with
/// at least 2), positions in chars (tabwriter counts runes).
pub(crate) fn columns(header: &str) -> Vec<Column> {
    let chars: Vec<char> = header.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        // A name ends at a run of 2+ spaces (or a tab) or at the end of the line.
        while i < chars.len() {
            let ws_run = chars[i..].iter().take_while(|c| c.is_whitespace()).count();
            if ws_run >= 2 || chars[i] == '\t' || (ws_run == 1 && i + 1 == chars.len()) {
                break;
            }
            i += ws_run.max(1);
        }
        let name: String = chars[start..i].iter().collect::<String>().trim().to_string();
        out.push(Column { name, start });
    }
    out
}

/// Cells of a row cut at the header's column positions, or `None` when the row does not
/// line up with them (a cell boundary falls inside a word).
pub(crate) fn cells_at<'a>(line: &'a str, cols: &[Column]) -> Option<Vec<&'a str>> {
    // Byte offset of each char position, plus the end.
    let offsets: Vec<usize> = line.char_indices().map(|(b, _)| b).chain(std::iter::once(line.len())).collect();
    let nchars = offsets.len() - 1;
    let byte_at = |pos: usize| offsets.get(pos.min(nchars)).copied().unwrap_or(line.len());
    let first = cols.first()?;
    // Nothing may stand before the first column.
    if !line.get(..byte_at(first.start))?.trim().is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(cols.len());
    for (i, c) in cols.iter().enumerate() {
        let start = c.start;
        if i > 0 && start < nchars {
            // The char before a column start must be a space: the cell on the left ends there.
            let before = line.get(byte_at(start - 1)..byte_at(start))?;
            if !before.chars().all(char::is_whitespace) {
                return None;
            }
        }
        let end = cols.get(i + 1).map_or(nchars, |n| n.start);
        let cell = line.get(byte_at(start)..byte_at(end.max(start)))?;
        out.push(cell.trim());
    }
    Some(out)
}

/// Splits `line` into at most `n` cells on runs of 2+ spaces; the last cell keeps the rest.
pub(crate) fn split_cells(line: &str, n: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = line.trim();
    while out.len() + 1 < n {
        match rest.find("  ") {
            Some(p) => {
                out.push(rest[..p].trim());
                rest = rest[p..].trim_start();
            }
            None => break,
        }
    }
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

/// True for `Normal` and `Warning`, the event types the API accepts.
pub(crate) fn is_event_type(s: &str) -> bool {
    matches!(s, "Normal" | "Warning")
}

/// True for an age as kubectl prints it (`5m`, `3h2m`, `<unknown>`, `<invalid>`).
pub(crate) fn is_age(s: &str) -> bool {
    matches!(s, "<unknown>" | "<invalid>") || time::parse_age(s).is_some()
}

/// The age cell of `describe`: `2m (x25 over 12m)` is age `2m`, count 25; `5m` is age
/// `5m`, count 1. `None` if the cell is not an age.
pub(crate) fn age_and_count(cell: &str) -> Option<(String, u32)> {
    let cell = cell.trim();
    match cell.split_once(" (x") {
        Some((age, rest)) => {
            let age = age.trim();
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            let after = rest.get(digits.len()..).unwrap_or("");
            let count: u32 = digits.parse().ok()?;
            if !is_age(age) || !after.starts_with(" over ") || !after.ends_with(')') {
                return None;
            }
            Some((age.to_string(), count))
        }
        None => is_age(cell).then(|| (cell.to_string(), 1)),
    }
}

/// The time an age refers to, when the bundle gives a time to count back from.
pub(crate) fn last_seen(now: Option<Timestamp>, age: &str) -> Option<Timestamp> {
    now.and_then(|t| time::resolve_age(t, age))
}

/// Adds an event, keeping one entry per (type, reason, message): a second observation of
/// the same event replaces the first when its count is at least as high.
pub(crate) fn add_event(events: &mut Vec<Event>, e: Event) {
    match events.iter_mut().find(|x| x.kind == e.kind && x.reason == e.reason && x.message == e.message) {
        Some(old) if e.count >= old.count => *old = e,
        Some(_) => {}
        None => events.push(e),
    }
}

/// True if a line has a cell `Normal` or `Warning`: a row, not a message going on.
pub(crate) fn looks_like_row(line: &str) -> bool {
    split_cells(line, usize::MAX).iter().any(|c| is_event_type(c))
}

/// Appends a continuation line to an event's message.
pub(crate) fn continue_message(e: &mut Event, line: &str) {
    let more = line.trim();
    if more.is_empty() {
        return;
    }
    if !e.message.is_empty() {
        e.message.push(' ');
    }
    e.message.push_str(more);
}

/// What an event is about.
#[derive(Clone, Debug, PartialEq)]
enum Target {
    Pod { namespace: Option<String>, name: String },
    Node(String),
    Other(String),
}

/// Where each field of a `get events` row is, by column index.
#[derive(Clone, Debug)]
struct Layout {
    cols: Vec<Column>,
    namespace: Option<usize>,
    last_seen: Option<usize>,
    kind: usize,
    reason: usize,
    object: Option<usize>,
    /// Old layout: `KIND` and `NAME` of the object.
    old_kind: Option<usize>,
    old_name: Option<usize>,
    message: usize,
    count: Option<usize>,
}

impl Layout {
    fn from_header(line: &str) -> Option<Layout> {
        let cols = columns(line);
        let find = |name: &str| cols.iter().position(|c| c.name == name);
        let object = find("OBJECT");
        let (old_kind, old_name) = if object.is_none() { (find("KIND"), find("NAME")) } else { (None, None) };
        if object.is_none() && (old_kind.is_none() || old_name.is_none()) {
            return None;
        }
        Some(Layout {
            namespace: find("NAMESPACE"),
            last_seen: find("LAST SEEN").or_else(|| find("LASTSEEN")),
            kind: find("TYPE")?,
            reason: find("REASON")?,
            object,
            old_kind,
            old_name,
            message: find("MESSAGE")?,
            count: find("COUNT"),
            cols,
        })
    }

    /// The cells of a row: at the header's positions, or split on 2+ spaces when the
    /// row does not line up but no column can be empty (no `SUBOBJECT`).
    fn cells<'a>(&self, line: &'a str) -> Option<Vec<&'a str>> {
        if let Some(c) = cells_at(line, &self.cols).filter(|c| self.plausible(c)) {
            return Some(c);
        }
        if self.cols.iter().any(|c| c.name == "SUBOBJECT") || self.message + 1 != self.cols.len() {
            return None;
        }
        Some(split_cells(line, self.cols.len())).filter(|c| c.len() == self.cols.len() && self.plausible(c))
    }

    fn plausible(&self, c: &[&str]) -> bool {
        let get = |i: usize| c.get(i).copied().unwrap_or("");
        is_event_type(get(self.kind))
            && !get(self.reason).is_empty()
            && self.last_seen.is_none_or(|i| is_age(get(i)))
            && self.object.is_none_or(|i| !get(i).is_empty())
    }

    fn target(&self, c: &[&str], default_ns: Option<&str>) -> Target {
        let get = |i: usize| c.get(i).copied().unwrap_or("");
        let (kind, name) = match self.object {
            Some(i) => {
                let o = get(i);
                match o.split_once('/') {
                    Some((k, n)) => (k.to_ascii_lowercase(), n.to_string()),
                    None => (o.to_ascii_lowercase(), String::new()),
                }
            }
            None => (
                self.old_kind.map(get).unwrap_or("").to_ascii_lowercase(),
                self.old_name.map(get).unwrap_or("").to_string(),
            ),
        };
        let namespace = self.namespace.map(get).filter(|s| !s.is_empty()).or(default_ns).map(str::to_string);
        match kind.as_str() {
            "pod" if !name.is_empty() => Target::Pod { namespace, name },
            "node" if !name.is_empty() => Target::Node(name),
            _ => Target::Other(if kind.is_empty() { "unknown".to_string() } else { kind }),
        }
    }
}

fn is_header(line: &str) -> bool {
    let t = line.trim_start();
    (t.starts_with("LAST SEEN") || t.starts_with("NAMESPACE") || t.starts_with("LASTSEEN"))
        && t.contains("REASON")
        && t.contains("MESSAGE")
}

/// One warning for the events about other objects (ReplicaSets, Deployments…), counted
/// by kind, at the first of them.
pub(crate) fn warn_other_events(model: &mut Model, first_other: Option<Origin>, others: &BTreeMap<String, u32>) {
    if let Some(at) = first_other {
        let total: u32 = others.values().sum();
        let kinds: Vec<String> = others.iter().map(|(k, n)| format!("{k} ×{n}")).collect();
        model.warn(
            at,
            format!(
                "{total} {} about objects other than pods and nodes not read ({})",
                if total == 1 { "event" } else { "events" },
                kinds.join(", ")
            ),
        );
    }
}

fn flush(pending: &mut Option<(Target, Event)>, others: &mut BTreeMap<String, u32>, model: &mut Model) {
    let Some((target, event)) = pending.take() else { return };
    match target {
        Target::Pod { namespace, name } => {
            let pod = model.pod_mut(namespace.as_deref(), &name, event.origin);
            add_event(&mut pod.events, event);
        }
        Target::Node(name) => {
            let node = model.node_mut(&name, event.origin);
            add_event(&mut node.events, event);
        }
        Target::Other(kind) => *others.entry(kind).or_insert(0) += 1,
    }
}

pub fn parse(section: &Section<'_>, ctx: &SectionContext, model: &mut Model) {
    let now = section.at.or(model.capture.captured_at);
    let mut layout: Option<Layout> = None;
    let mut pending: Option<(Target, Event)> = None;
    let mut others: BTreeMap<String, u32> = BTreeMap::new();
    let mut first_other: Option<Origin> = None;
    for &(n, line) in &section.lines {
        let at = origin(section, n);
        let t = line.trim();
        if t.is_empty() {
            flush(&mut pending, &mut others, model);
            continue;
        }
        if t.starts_with("No resources found") {
            flush(&mut pending, &mut others, model);
            continue;
        }
        if is_header(line) {
            flush(&mut pending, &mut others, model);
            layout = Layout::from_header(line);
            if layout.is_none() {
                model.warn(
                    at,
                    format!("events header without TYPE, REASON, OBJECT and MESSAGE columns; rows below skipped: {t}"),
                );
            }
            continue;
        }
        if t.starts_with("error:") || t.starts_with("Error from server") || t.starts_with("error from server") {
            flush(&mut pending, &mut others, model);
            model.warn(at, format!("kubectl get events failed: {t}"));
            continue;
        }
        let Some(l) = &layout else {
            model.warn(at, format!("events output without a header line, skipped: {t}"));
            continue;
        };
        match l.cells(line) {
            Some(c) => {
                flush(&mut pending, &mut others, model);
                let get = |i: usize| c.get(i).copied().unwrap_or("");
                let age = l.last_seen.map(get).filter(|s| !s.is_empty()).map(str::to_string);
                let count = match l.count.map(get) {
                    Some(s) => match s.parse::<u32>() {
                        Ok(v) => v,
                        Err(_) => {
                            model.warn(at, format!("event count {s:?} is not a number; taken as 1"));
                            1
                        }
                    },
                    None => 1,
                };
                let event = Event {
                    kind: Some(get(l.kind).to_string()),
                    reason: get(l.reason).to_string(),
                    message: get(l.message).to_string(),
                    count,
                    last_seen: age.as_deref().and_then(|a| last_seen(now, a)),
                    age,
                    origin: at,
                };
                let target = l.target(&c, ctx.namespace(section));
                if matches!(target, Target::Other(_)) && first_other.is_none() {
                    first_other = Some(at);
                }
                pending = Some((target, event));
            }
            None => match pending.as_mut() {
                Some((_, e)) if !looks_like_row(line) => continue_message(e, line),
                _ => {
                    flush(&mut pending, &mut others, model);
                    model.warn(at, format!("events row that does not line up with its header, skipped: {t}"));
                }
            },
        }
    }
    flush(&mut pending, &mut others, model);
    warn_other_events(model, first_other, &others);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze_text;

    #[test]
    fn columns_from_a_header_with_spaces_in_names() {
        let cols = columns("LAST SEEN   TYPE      REASON    OBJECT   MESSAGE");
        let names: Vec<_> = cols.iter().map(|c| (c.name.as_str(), c.start)).collect();
        assert_eq!(names, vec![("LAST SEEN", 0), ("TYPE", 12), ("REASON", 22), ("OBJECT", 32), ("MESSAGE", 41)]);
        let d = columns("  Type     Reason   Age   From     Message");
        assert_eq!(d[0].start, 2);
        assert_eq!(d[4].name, "Message");
    }

    #[test]
    fn age_cells() {
        assert_eq!(age_and_count("2m (x25 over 12m)"), Some(("2m".into(), 25)));
        assert_eq!(age_and_count("<unknown>"), Some(("<unknown>".into(), 1)));
        assert_eq!(age_and_count("<invalid> (x3 over 10m)"), Some(("<invalid>".into(), 3)));
        assert_eq!(age_and_count("3h2m"), Some(("3h2m".into(), 1)));
        assert_eq!(age_and_count("kubelet"), None);
        assert_eq!(age_and_count("2m (x over 3m)"), None);
    }

    #[test]
    fn cells_need_boundaries_on_spaces() {
        let cols = columns("A     B     C");
        assert_eq!(cells_at("x     y     z z", &cols), Some(vec!["x", "y", "z z"]));
        assert_eq!(cells_at("x           z", &cols), Some(vec!["x", "", "z"]));
        assert_eq!(cells_at("xxxxxxxx  y  z", &cols), None);
        assert_eq!(cells_at("x", &cols), Some(vec!["x", "", ""]));
        // Multi-byte text before a boundary is counted in chars.
        let cols = columns("MESSAGE   COUNT");
        assert_eq!(cells_at("é café    3", &cols), Some(vec!["é café", "3"]));
    }

    const DEFAULT: &str = "$ kubectl get events -n shop  # at 2026-11-24T10:00:00Z
LAST SEEN   TYPE      REASON                      OBJECT                           MESSAGE
12m         Normal    Scheduled                   pod/worker-7d9f8b6c5-x2x9k       Successfully assigned shop/worker-7d9f8b6c5-x2x9k to node-1
5m          Warning   OOMKilling                  node/node-1                      Memory cgroup out of memory: Killed process 4242 (python) total-vm:2093124kB, anon-rss:1048576kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:2412kB oom_score_adj:985
2m          Warning   BackOff                     pod/worker-7d9f8b6c5-x2x9k       Back-off restarting failed container worker in pod worker-7d9f8b6c5-x2x9k_shop(3f1c2a9e-1b2c-4d5e-8f90-123456789abc)
60s         Normal    SuccessfulCreate            replicaset/worker-7d9f8b6c5      Created pod: worker-7d9f8b6c5-q8r2m
";

    #[test]
    fn default_columns_pods_nodes_and_others() {
        let model = analyze_text("paste", DEFAULT).model;
        let pod = model.pod(Some("shop"), "worker-7d9f8b6c5-x2x9k").unwrap();
        assert_eq!(pod.events.len(), 2);
        let back = &pod.events[1];
        assert_eq!(back.kind.as_deref(), Some("Warning"));
        assert_eq!(back.reason, "BackOff");
        assert_eq!(back.count, 1);
        assert_eq!(back.age.as_deref(), Some("2m"));
        assert_eq!(back.last_seen.unwrap().to_string(), "2026-11-24T09:58:00Z");
        assert!(back.message.ends_with("123456789abc)"));
        assert_eq!(back.origin.line, 5);
        let node = model.node("node-1").unwrap();
        assert_eq!(node.events[0].reason, "OOMKilling");
        assert!(node.events[0].message.contains("Killed process 4242 (python)"));
        assert_eq!(model.pods.len(), 1, "the replica set event makes no pod");
        assert_eq!(model.warnings.len(), 1, "{:?}", model.warnings);
        assert!(model.warnings[0].message.contains("replicaset ×1"));
        assert_eq!(model.warnings[0].origin.line, 6);
    }

    #[test]
    fn all_namespaces_and_wide() {
        let text = "$ kubectl get events -A -o wide
NAMESPACE   LAST SEEN   TYPE      REASON      OBJECT                       SUBOBJECT                 SOURCE            MESSAGE                                                     FIRST SEEN   COUNT   NAME
shop        2m          Warning   BackOff     pod/worker-7d9f8b6c5-x2x9k   spec.containers{worker}   kubelet, node-1   Back-off restarting failed container worker in pod x        12m          25      worker-7d9f8b6c5-x2x9k.17f2a
default     3m          Warning   SystemOOM   node/node-1                                            kubelet, node-1   System OOM encountered, victim process: python, pid: 4242   3m           1       node-1.17f2b
shop   1m   Warning   BackOff   pod/worker-7d9f8b6c5-x2x9k   kubelet, node-1   Back-off again   12m   26   worker-7d9f8b6c5-x2x9k.17f2a
";
        let model = analyze_text("t", text).model;
        let pod = model.pod(Some("shop"), "worker-7d9f8b6c5-x2x9k").unwrap();
        assert_eq!(pod.events.len(), 1);
        assert_eq!(pod.events[0].count, 25);
        assert_eq!(pod.events[0].message, "Back-off restarting failed container worker in pod x");
        assert_eq!(pod.events[0].last_seen, None, "no capture time");
        let node = model.node("node-1").unwrap();
        assert_eq!(node.events[0].message, "System OOM encountered, victim process: python, pid: 4242");
        // The last row does not line up, and wide rows (with a possibly empty SUBOBJECT)
        // cannot be split safely: it is skipped with a warning, not glued to a message.
        assert_eq!(model.warnings.len(), 1, "{:?}", model.warnings);
        assert_eq!(model.warnings[0].origin.line, 5);
        assert!(model.warnings[0].message.contains("does not line up"));
    }

    #[test]
    fn wide_with_empty_subobject() {
        let text = "$ kubectl get events -o wide
LAST SEEN   TYPE      REASON      OBJECT        SUBOBJECT   SOURCE            MESSAGE                                                                   FIRST SEEN   COUNT   NAME
3m          Warning   SystemOOM   node/node-1               kubelet, node-1   System OOM encountered, victim process: python, pid: 4242                 3m           2       node-1.17f2b
";
        let model = analyze_text("t", text).model;
        let e = &model.node("node-1").unwrap().events[0];
        assert_eq!(e.reason, "SystemOOM");
        assert_eq!(e.count, 2);
        assert_eq!(e.message, "System OOM encountered, victim process: python, pid: 4242");
        assert!(model.warnings.is_empty(), "{:?}", model.warnings);
    }

    #[test]
    fn no_resources_and_continuation_lines() {
        let text = "$ kubectl get events -n shop
No resources found in shop namespace.
$ kubectl get events -n shop
LAST SEEN   TYPE      REASON    OBJECT              MESSAGE
1m          Warning   Evicted   pod/worker-1        The node was low on resource: memory. Threshold quantity: 100Mi, available: 91560Ki.
    Container worker was using 1.2Gi, request is 256Mi, has larger consumption of memory.
";
        let model = analyze_text("t", text).model;
        let e = &model.pod(Some("shop"), "worker-1").unwrap().events[0];
        assert_eq!(
            e.message,
            "The node was low on resource: memory. Threshold quantity: 100Mi, available: 91560Ki. Container worker was using 1.2Gi, request is 256Mi, has larger consumption of memory."
        );
        assert!(model.warnings.is_empty(), "{:?}", model.warnings);
    }

    #[test]
    fn same_event_twice_is_kept_once_with_the_highest_count() {
        let text = "$ kubectl get events -n shop -o wide
LAST SEEN   TYPE      REASON    OBJECT         SUBOBJECT   SOURCE    MESSAGE      FIRST SEEN   COUNT   NAME
5m          Warning   BackOff   pod/worker-1               kubelet   Back-off x   12m          3       a
$ kubectl get events -n shop -o wide
LAST SEEN   TYPE      REASON    OBJECT         SUBOBJECT   SOURCE    MESSAGE      FIRST SEEN   COUNT   NAME
1m          Warning   BackOff   pod/worker-1               kubelet   Back-off x   16m          7       a
";
        let model = analyze_text("t", text).model;
        let p = model.pod(Some("shop"), "worker-1").unwrap();
        assert_eq!(p.events.len(), 1);
        assert_eq!(p.events[0].count, 7);
        assert_eq!(p.events[0].origin.line, 6);
    }

    #[test]
    fn misaligned_default_rows_fall_back_to_splitting() {
        let text = "$ kubectl get events -n shop
LAST SEEN   TYPE      REASON    OBJECT         MESSAGE
5m  Warning  Killing  pod/worker-1  Container worker failed liveness probe, will be restarted
garbage before any row is fine once a row exists
";
        let model = analyze_text("t", text).model;
        let e = &model.pod(Some("shop"), "worker-1").unwrap().events[0];
        assert_eq!(e.reason, "Killing");
        assert!(e.message.ends_with("will be restarted garbage before any row is fine once a row exists"));
    }

    #[test]
    fn rows_without_header_or_errors_are_warnings() {
        let text = "$ kubectl get events -n shop\nerror: the server doesn't have a resource type \"event\"\n";
        let model = analyze_text("t", text).model;
        assert_eq!(model.warnings.len(), 1);
        assert!(model.warnings[0].message.contains("failed"));
    }

    #[test]
    fn no_panic_on_cut_or_damaged_input() {
        crate::parse::assert_no_panic_on_damage(DEFAULT);
    }
}
