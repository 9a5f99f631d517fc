//! Prometheus HTTP API responses (`/api/v1/query_range`'s matrix, `/api/v1/query`'s
//! vector), as the collector writes them (`$ curl -s '…/api/v1/query_range?…'` or `$
//! kubectl get --raw '…/proxy/api/v1/query_range?…'`, see docs/prometheus.md) or pasted
//! alone, into the model:
//! - `container_memory_working_set_bytes` (else `container_memory_rss`, else
//!   `container_memory_usage_bytes`, per container) → the container's memory samples, at
//!   the exact sample times;
//! - `kube_pod_container_resource_limits{resource="memory"}` / `…_requests` (and the old
//!   `…_limits_memory_bytes` / `…_requests_memory_bytes`) → its memory limit / request;
//! - `kube_pod_container_status_restarts_total` → its restart count (the last value)
//!   and the times the counter rose;
//! - `kube_pod_container_status_last_terminated_reason{reason="OOMKilled"}` = 1 → its
//!   last termination.
//!
//! Series are mapped by the `namespace`, `pod` and `container` labels; `container=""`
//! (the pod's cgroup) and `container="POD"` (the pause container) are not app
//! containers and are skipped. A series' metric is its `__name__` label, else the first
//! metric name of the query in the command's URL (`max by (pod) (container_memory_…)`).
//! `"status":"error"`, `"warnings"`, a failed command (exit code, stderr) and series of
//! metrics kubeleak does not read become warnings.
//!
//! Example: after `$ curl -s 'http://prom:9090/api/v1/query_range?query=container_memory_working_set_bytes…'`
//! the line `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"container":"app","namespace":"shop","pod":"w-1"},"values":[[1764928800,"104857600"]]}]}}`
//! gives container `app` of pod `shop/w-1` a sample of 100 MiB at 2025-12-05T10:00:00Z.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::tree::{json_tree, TreeNode, TreeValue};
use super::{origin, SectionContext};
use crate::model::{self, ContainerState, Fact, Model, Origin, Sample};
use crate::sections::{is_prometheus_url, Section};

/// What a series says, by its metric name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Meaning {
    /// Memory in bytes; the rank orders the metrics by preference (working set first).
    Memory(u8),
    Limit,
    Request,
    Restarts,
    LastTerminated,
}

fn meaning(name: &str, labels: &BTreeMap<String, String>) -> Option<Meaning> {
    let memory_resource = labels.get("resource").is_none_or(|r| r == "memory");
    Some(match name {
        "container_memory_working_set_bytes" => Meaning::Memory(0),
        "container_memory_rss" => Meaning::Memory(1),
        "container_memory_usage_bytes" => Meaning::Memory(2),
        "kube_pod_container_resource_limits" if memory_resource && labels.contains_key("resource") => Meaning::Limit,
        "kube_pod_container_resource_limits_memory_bytes" => Meaning::Limit,
        "kube_pod_container_resource_requests" if memory_resource && labels.contains_key("resource") => {
            Meaning::Request
        }
        "kube_pod_container_resource_requests_memory_bytes" => Meaning::Request,
        "kube_pod_container_status_restarts_total" => Meaning::Restarts,
        "kube_pod_container_status_last_terminated_reason" => Meaning::LastTerminated,
        _ => return None,
    })
}

/// One point of a series: time, value, and the line of the point.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Point {
    pub(crate) at: Timestamp,
    pub(crate) value: f64,
    pub(crate) line: u32,
}

/// One series, as read: labels and points in time order.
#[derive(Debug)]
struct Series {
    name: Option<String>,
    labels: BTreeMap<String, String>,
    points: Vec<Point>,
    line: u32,
}

/// The query of a command's URL (`query=` parameter, percent-decoded), if any.
pub(crate) fn query_of(command: &str) -> Option<String> {
    let words = shlex::split(command).unwrap_or_else(|| command.split_whitespace().map(str::to_string).collect());
    let url = words.iter().find(|w| is_prometheus_url(w))?;
    let params = url.split_once('?')?.1;
    params.split('&').find_map(|kv| kv.strip_prefix("query=")).map(percent_decode)
}

/// `application/x-www-form-urlencoded` decoding: `%XX` and `+` for a space; a bad
/// escape is kept as written.
pub(crate) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The first metric name of a PromQL expression: an identifier that is not a function
/// (followed by `(`), a keyword, or inside `{…}`, `[…]` or quotes.
pub(crate) fn first_metric(query: &str) -> Option<String> {
    const KEYWORDS: [&str; 28] = [
        "sum",
        "min",
        "max",
        "avg",
        "count",
        "stddev",
        "stdvar",
        "topk",
        "bottomk",
        "quantile",
        "count_values",
        "group",
        "limitk",
        "limit_ratio",
        "by",
        "without",
        "on",
        "ignoring",
        "group_left",
        "group_right",
        "bool",
        "and",
        "or",
        "unless",
        "offset",
        "inf",
        "nan",
        "atan2",
    ];
    let chars: Vec<char> = query.chars().collect();
    let mut i = 0;
    let mut depth_brace = 0usize;
    let mut depth_bracket = 0usize;
    let mut after_grouping = false;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '"' | '\'' | '`' => {
                i += 1;
                while i < chars.len() && chars[i] != c {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            '{' => depth_brace += 1,
            '}' => depth_brace = depth_brace.saturating_sub(1),
            '[' => depth_bracket += 1,
            ']' => depth_bracket = depth_bracket.saturating_sub(1),
            '(' if after_grouping => {
                // `by (pod, container)`: label names, not metrics.
                while i < chars.len() && chars[i] != ')' {
                    i += 1;
                }
                after_grouping = false;
            }
            c if (c.is_ascii_alphabetic() || c == '_' || c == ':') && depth_brace == 0 && depth_bracket == 0 => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == ':') {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                let mut j = i;
                while j < chars.len() && chars[j].is_whitespace() {
                    j += 1;
                }
                let call = chars.get(j) == Some(&'(');
                let lower = word.to_ascii_lowercase();
                if matches!(lower.as_str(), "by" | "without" | "on" | "ignoring" | "group_left" | "group_right") {
                    after_grouping = true;
                } else if !call && !KEYWORDS.contains(&lower.as_str()) {
                    return Some(word);
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn text(node: &TreeNode) -> Option<&str> {
    match &node.v {
        TreeValue::Str(s) => Some(s),
        _ => None,
    }
}

fn number(node: &TreeNode) -> Option<f64> {
    match &node.v {
        TreeValue::Int(i) => Some(*i as f64),
        TreeValue::Float(f) => Some(*f),
        TreeValue::Str(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
}

/// A Unix time in seconds (decimals allowed) as a timestamp.
pub(crate) fn unix_seconds(t: f64) -> Option<Timestamp> {
    if !t.is_finite() || !(0.0..1e11).contains(&t) {
        return None;
    }
    Timestamp::from_millisecond((t * 1000.0).round() as i64).ok()
}

/// `[t, "v"]` as a point; `None` for a malformed pair or a value that is not a finite number.
fn point(pair: &TreeNode) -> Option<Point> {
    let TreeValue::Seq(tv) = &pair.v else { return None };
    let [t, v] = tv.as_slice() else { return None };
    let at = unix_seconds(number(t)?)?;
    let value = number(v).filter(|v| v.is_finite())?;
    Some(Point { at, value, line: v.line })
}

/// The command of the section (prompt text), for the query and for warnings.
fn command_text(section: &Section<'_>) -> Option<String> {
    section.command.as_ref().map(|c| c.raw.clone()).or_else(|| section.other_command.clone())
}

pub fn parse(section: &Section<'_>, ctx: &SectionContext, model: &mut Model) {
    let head = origin(section, section.first_line);
    let cmd = command_text(section);
    if section.exit_code.is_some_and(|c| c != 0) || !section.stderr.is_empty() {
        let why = section.stderr.iter().map(|l| l.trim()).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
        let code = section.exit_code.map_or(String::new(), |c| format!(" (exit code {c})"));
        let what = cmd.as_deref().map_or("the Prometheus query".to_string(), |c| format!("`{c}`"));
        model.warn(head, format!("{what} failed{code}: {why}"));
    }
    let doc = match json_tree(section) {
        Ok(Some(doc)) => doc,
        Ok(None) => return,
        Err((line, why)) => {
            model.warn(origin(section, line), format!("Prometheus response skipped: {why}"));
            return;
        }
    };
    if let Some(TreeValue::Seq(ws)) = doc.get("warnings").map(|w| &w.v) {
        for w in ws {
            let msg = text(w).map(str::to_string).unwrap_or_else(|| w.describe());
            model.warn(origin(section, w.line), format!("Prometheus warned (the data may be partial): {msg}"));
        }
    }
    match doc.get("status").and_then(text) {
        Some("success") => {}
        Some("error") => {
            let kind = doc.get("errorType").and_then(text).unwrap_or("error");
            let msg = doc.get("error").and_then(text).unwrap_or("(no message)");
            model.warn(origin(section, doc.line), format!("Prometheus answered with an error ({kind}): {msg}"));
            return;
        }
        _ => {
            model.warn(
                origin(section, doc.line),
                "Prometheus response skipped: no `\"status\": \"success\"` (is this a Prometheus API response?)",
            );
            return;
        }
    }
    let Some(data) = doc.get("data") else {
        model.warn(origin(section, doc.line), "Prometheus response skipped: no `data`");
        return;
    };
    let result_type = data.get("resultType").and_then(text).unwrap_or("");
    let results: &[TreeNode] = match data.get("result").map(|r| &r.v) {
        Some(TreeValue::Seq(r)) => r,
        _ => &[],
    };
    if !matches!(result_type, "matrix" | "vector") {
        model.warn(
            origin(section, data.line),
            format!("Prometheus result of type {result_type:?} skipped: kubeleak reads a matrix or a vector"),
        );
        return;
    }
    let query_metric = cmd.as_deref().and_then(query_of).as_deref().and_then(first_metric);
    let mut series = Vec::with_capacity(results.len());
    let mut bad_points = 0usize;
    let mut first_bad = None;
    for r in results {
        let mut labels = BTreeMap::new();
        if let Some(TreeValue::Map(entries)) = r.get("metric").map(|m| &m.v) {
            for e in entries {
                if let Some(v) = text(&e.value) {
                    labels.insert(e.key.clone(), v.to_string());
                }
            }
        }
        let mut points = Vec::new();
        let raw: Vec<&TreeNode> = match (r.get("values").map(|v| &v.v), r.get("value")) {
            (Some(TreeValue::Seq(vs)), _) => vs.iter().collect(),
            (_, Some(v)) => vec![v],
            _ => Vec::new(),
        };
        for pair in raw {
            match point(pair) {
                Some(p) => points.push(p),
                None => {
                    // `"NaN"` and `"+Inf"` are valid Prometheus values but not memory.
                    if !matches!(&pair.v, TreeValue::Seq(tv) if tv.get(1).and_then(text).is_some_and(|s| s.parse::<f64>().is_ok()))
                    {
                        bad_points += 1;
                        first_bad.get_or_insert(pair.line);
                    }
                }
            }
        }
        points.sort_by_key(|p| p.at);
        let name = labels.get("__name__").cloned().or_else(|| query_metric.clone());
        series.push(Series { name, labels, points, line: r.line });
    }
    if let Some(line) = first_bad {
        model.warn(
            origin(section, line),
            format!("{bad_points} Prometheus points skipped: not a [time, \"value\"] pair"),
        );
    }
    apply(section, ctx, model, series);
}

/// The pod and container a series is about: `None` for the pod's cgroup, the pause
/// container, or a series without a `pod` label.
fn target(s: &Series) -> Option<(Option<&str>, &str, Option<&str>)> {
    let pod = s.labels.get("pod").or_else(|| s.labels.get("pod_name")).filter(|p| !p.is_empty())?;
    let container = s.labels.get("container").or_else(|| s.labels.get("container_name")).map(String::as_str);
    let ns = s.labels.get("namespace").map(String::as_str);
    Some((ns, pod, container))
}

/// A container of a series: namespace (as labelled), pod, container.
type Who<'s> = (Option<&'s str>, &'s str, &'s str);

fn apply(section: &Section<'_>, ctx: &SectionContext, model: &mut Model, series: Vec<Series>) {
    let default_ns = ctx.namespace(section).map(str::to_string);
    // The best memory metric of each container: working set before RSS before usage.
    // (namespace, pod, container) → rank; a few entries, so a list (smaller in the page).
    let mut best: Vec<(Who<'_>, u8)> = Vec::new();
    let mut unread: Vec<String> = Vec::new();
    let mut no_pod = 0usize;
    let mut no_pod_line = None;
    let classified: Vec<(Option<Meaning>, &Series)> = series
        .iter()
        .map(|s| {
            let m = match s.name.as_deref() {
                Some(n) => meaning(n, &s.labels),
                // No name anywhere: memory when it is a container's and byte-sized.
                None => (s.labels.contains_key("container")
                    && s.points.iter().any(|p| p.value >= f64::from(1u32 << 20)))
                .then_some(Meaning::Memory(3)),
            };
            (m, s)
        })
        .collect();
    for (m, s) in &classified {
        if let (Some(Meaning::Memory(rank)), Some((ns, pod, Some(c)))) = (m, target(s)) {
            let key = (ns, pod, c);
            match best.iter_mut().find(|(k, _)| *k == key) {
                Some((_, r)) => *r = (*r).min(*rank),
                None => best.push((key, *rank)),
            }
        }
    }
    for (m, s) in classified {
        let Some(m) = m else {
            match &s.name {
                Some(n) if !n.is_empty() => unread.push(n.clone()),
                _ => unread.push("(a series with no metric name)".into()),
            }
            continue;
        };
        let Some((ns, pod, container)) = target(s) else {
            no_pod += 1;
            no_pod_line.get_or_insert(s.line);
            continue;
        };
        let container = match container {
            // The pod's cgroup and the pause container: not an app container.
            Some("") | Some("POD") => continue,
            Some(c) => c,
            None if m == Meaning::LastTerminated || m == Meaning::Restarts => continue,
            None => {
                no_pod += 1;
                no_pod_line.get_or_insert(s.line);
                continue;
            }
        };
        let key = (ns, pod, container);
        let ns = ns.map(str::to_string).or_else(|| default_ns.clone());
        let at = origin(section, s.line);
        let Some(last) = s.points.last().copied() else { continue };
        let pi = model.pod_index(ns.as_deref(), pod, at);
        let mut warning = None;
        {
            let c = model.pods[pi].container_mut(container);
            match m {
                Meaning::Memory(rank) => {
                    if best.iter().any(|(k, b)| *k == key && *b < rank) {
                        continue; // a better memory metric of the same container was read
                    }
                    c.memory_samples.reserve(s.points.len());
                    for p in &s.points {
                        if p.value < 0.0 {
                            continue;
                        }
                        c.memory_samples.push(Sample {
                            at: Some(p.at),
                            seq: ctx.seq,
                            bytes: p.value.round() as u64,
                            origin: origin(section, p.line),
                        });
                    }
                }
                Meaning::Limit | Meaning::Request if last.value > 0.0 => {
                    let slot = if m == Meaning::Limit { &mut c.memory_limit } else { &mut c.memory_request };
                    let what = if m == Meaning::Limit { "memory limit" } else { "memory request" };
                    warning = model::set_fact(slot, last.value.round() as u64, origin(section, last.line), what);
                }
                Meaning::Limit | Meaning::Request => {}
                Meaning::Restarts => {
                    let total = last.value.max(0.0).min(f64::from(u32::MAX)) as u32;
                    c.restarts = Some(Fact::new(total, origin(section, last.line)));
                    for w in s.points.windows(2) {
                        // A rise is a restart; a fall is kube-state-metrics restarting (or a new pod).
                        if w[1].value > w[0].value {
                            c.restarted_at.push(Fact::new(w[1].at, origin(section, w[1].line)));
                        }
                    }
                }
                Meaning::LastTerminated => {
                    let reason = s.labels.get("reason").cloned().unwrap_or_default();
                    if last.value >= 1.0 && !reason.is_empty() && c.last_termination.is_none() {
                        c.last_termination = Some(ContainerState {
                            state: "terminated".into(),
                            reason: Some(reason),
                            exit_code: None,
                            started: None,
                            finished: None,
                            origin: origin(section, last.line),
                        });
                    }
                }
            }
        }
        if let Some(w) = warning {
            model.warnings.push(w);
        }
    }
    if no_pod > 0 {
        let o: Origin = origin(section, no_pod_line.unwrap_or(section.first_line));
        model.warn(
            o,
            format!("{no_pod} Prometheus series skipped: no `pod` and `container` labels to tie them to a container"),
        );
    }
    if !unread.is_empty() {
        unread.sort();
        unread.dedup();
        let names: Vec<String> = unread.into_iter().take(5).collect();
        model.warn(
            origin(section, section.first_line),
            format!(
                "Prometheus series of {} not read: kubeleak reads container memory, memory limits and requests, \
restarts and termination reasons (docs/prometheus.md)",
                names.join(", ")
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::analyze_text;
    use crate::model::SectionKind;

    /// Abridged from a real `/api/v1/query_range` answer's shape (Prometheus docs,
    /// "Range queries"), with cAdvisor's labels.
    const RANGE: &str = r#"$ curl -s 'http://127.0.0.1:9090/api/v1/query_range?query=container_memory_working_set_bytes%7Bnamespace%3D%22shop%22%7D&start=1764928800&end=1764929400&step=60'  # at 2025-12-05T10:10:00Z
{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"container":"app","namespace":"shop","pod":"w-1"},"values":[[1764928800,"104857600"],[1764928860,"105906176"],[1764928920.5,"NaN"]]},{"metric":{"container":"","namespace":"shop","pod":"w-1"},"values":[[1764928800,"200000000"]]},{"metric":{"container":"POD","namespace":"shop","pod":"w-1"},"values":[[1764928800,"500000"]]}]}}
"#;

    #[test]
    fn a_range_query_gives_samples_at_exact_times() {
        let a = analyze_text("b", RANGE);
        assert_eq!(a.model.sections[0].kind, SectionKind::Prometheus);
        let pod = a.model.pods.iter().find(|p| p.name == "w-1").unwrap();
        assert_eq!(pod.namespace.as_deref(), Some("shop"));
        let names: Vec<&str> = pod.containers.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["app"], "the pod cgroup and the pause container are not containers");
        let s = &pod.containers[0].memory_samples;
        assert_eq!(s.len(), 2, "NaN is not a sample");
        assert_eq!(s[0].bytes, 104857600);
        assert_eq!(s[0].at.unwrap().to_string(), "2025-12-05T10:00:00Z");
        assert_eq!(s[1].at.unwrap().to_string(), "2025-12-05T10:01:00Z");
        assert_eq!(s[0].origin.line, 2);
    }

    #[test]
    fn the_metric_comes_from_the_query_when_the_series_has_no_name() {
        let text = "$ kubectl get --raw '/api/v1/namespaces/mon/services/prometheus:9090/proxy/api/v1/query?query=max+by+%28namespace%2C+pod%2C+container%29+%28kube_pod_container_resource_limits%7Bresource%3D%22memory%22%7D%29'\n\
{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"container\":\"app\",\"namespace\":\"shop\",\"pod\":\"w-1\",\"resource\":\"memory\"},\"value\":[1764928800,\"1073741824\"]}]}}\n";
        let a = analyze_text("b", text);
        assert_eq!(a.model.sections[0].kind, SectionKind::Prometheus);
        let c = &a.model.pods[0].containers[0];
        assert_eq!(c.memory_limit.as_ref().map(|l| l.value), Some(1 << 30));
        assert!(a.model.warnings.is_empty(), "{:?}", a.model.warnings);
    }

    #[test]
    fn kube_state_metrics_give_limits_requests_restarts_and_the_last_termination() {
        let text = r#"{"status":"success","data":{"resultType":"matrix","result":[
{"metric":{"__name__":"kube_pod_container_resource_requests","container":"app","namespace":"shop","pod":"w-1","resource":"memory","unit":"byte"},"values":[[1764928800,"536870912"]]},
{"metric":{"__name__":"kube_pod_container_resource_requests","container":"app","namespace":"shop","pod":"w-1","resource":"cpu","unit":"core"},"values":[[1764928800,"0.5"]]},
{"metric":{"__name__":"kube_pod_container_status_restarts_total","container":"app","namespace":"shop","pod":"w-1"},"values":[[1764928800,"0"],[1764932400,"1"],[1764936000,"1"],[1764939600,"2"]]},
{"metric":{"__name__":"kube_pod_container_status_last_terminated_reason","container":"app","namespace":"shop","pod":"w-1","reason":"OOMKilled"},"values":[[1764939600,"1"]]}
]}}
"#;
        let a = analyze_text("paste", text);
        assert_eq!(a.model.sections[0].kind, SectionKind::Prometheus);
        let c = &a.model.pods[0].containers[0];
        assert_eq!(c.memory_request.as_ref().map(|l| l.value), Some(512 << 20), "cpu is not memory");
        assert_eq!(c.restarts.as_ref().map(|r| r.value), Some(2));
        let rises: Vec<String> = c.restarted_at.iter().map(|f| f.value.to_string()).collect();
        assert_eq!(rises, ["2025-12-05T11:00:00Z", "2025-12-05T13:00:00Z"]);
        assert_eq!(c.last_termination.as_ref().and_then(|t| t.reason.as_deref()), Some("OOMKilled"));
        assert!(a.findings.iter().any(|f| f.kind == crate::Kind::OomKilled), "{:#?}", a.findings);
    }

    #[test]
    fn errors_warnings_and_failures_are_reported() {
        let text = r#"$ curl -s 'http://127.0.0.1:9090/api/v1/query_range?query=up%7B&start=1&end=2&step=60'  # at 2025-12-05T10:10:00Z
{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:4: parse error: unexpected end of input"}
# kubeleak: exit-code 22
# kubeleak: stderr: HTTP 400 Bad Request
$ curl -s 'http://127.0.0.1:9/api/v1/query_range?query=up&start=1&end=2&step=60'  # at 2025-12-05T10:10:01Z
# kubeleak: exit-code 7
# kubeleak: stderr: connection refused (127.0.0.1:9)
$ curl -s 'http://127.0.0.1:9090/api/v1/query?query=container_memory_rss'  # at 2025-12-05T10:10:02Z
{"status":"success","data":{"resultType":"vector","result":[]},"warnings":["PromQL info: metric might not be a counter"]}
"#;
        let a = analyze_text("b", text);
        let w: Vec<&str> = a.model.warnings.iter().map(|w| w.message.as_str()).collect();
        assert!(w.iter().any(|m| m.contains("bad_data") && m.contains("parse error")), "{w:?}");
        assert!(w.iter().any(|m| m.contains("HTTP 400 Bad Request")), "{w:?}");
        assert!(w.iter().any(|m| m.contains("connection refused") && m.contains("exit code 7")), "{w:?}");
        assert!(w.iter().any(|m| m.contains("might not be a counter")), "{w:?}");
        assert_eq!(a.model.sections.iter().filter(|s| s.kind == SectionKind::Prometheus).count(), 3);
    }

    #[test]
    fn pretty_printed_json_pasted_alone_is_read_with_lines() {
        let text = "{\n  \"status\": \"success\",\n  \"data\": {\n    \"resultType\": \"matrix\",\n    \"result\": [\n      {\n        \"metric\": {\n          \"__name__\": \"container_memory_rss\",\n          \"container\": \"app\",\n          \"pod\": \"w-1\"\n        },\n        \"values\": [\n          [\n            1764928800,\n            \"1000000\"\n          ]\n        ]\n      }\n    ]\n  }\n}\n";
        let a = analyze_text("paste", text);
        assert_eq!(a.model.sections[0].kind, SectionKind::Prometheus);
        let s = &a.model.pods[0].containers[0].memory_samples;
        assert_eq!((s[0].bytes, s[0].origin.line), (1_000_000, 15));
    }

    #[test]
    fn the_working_set_wins_over_rss_and_other_metrics_are_named() {
        let text = r#"{"status":"success","data":{"resultType":"vector","result":[
{"metric":{"__name__":"container_memory_rss","container":"app","pod":"w-1"},"value":[1764928800,"1000"]},
{"metric":{"__name__":"container_memory_working_set_bytes","container":"app","pod":"w-1"},"value":[1764928800,"2000"]},
{"metric":{"__name__":"container_cpu_usage_seconds_total","container":"app","pod":"w-1"},"value":[1764928800,"3"]},
{"metric":{"__name__":"container_memory_working_set_bytes","id":"/"},"value":[1764928800,"3"]}
]}}
"#;
        let a = analyze_text("paste", text);
        let s = &a.model.pods[0].containers[0].memory_samples;
        assert_eq!(s.iter().map(|s| s.bytes).collect::<Vec<_>>(), [2000]);
        let w: Vec<&str> = a.model.warnings.iter().map(|w| w.message.as_str()).collect();
        assert!(w.iter().any(|m| m.contains("container_cpu_usage_seconds_total")), "{w:?}");
        assert!(w.iter().any(|m| m.contains("1 Prometheus series skipped")), "{w:?}");
        // The same under a bundle header's namespace: still one metric per container.
        let a = analyze_text("b", &format!("# kubeleak-bundle: 1\n# namespace: shop\n{text}"));
        let pod = &a.model.pods[0];
        assert_eq!(pod.namespace.as_deref(), Some("shop"));
        assert_eq!(pod.containers[0].memory_samples.iter().map(|s| s.bytes).collect::<Vec<_>>(), [2000]);
    }

    #[test]
    fn queries_and_metric_names() {
        assert_eq!(super::percent_decode("a%7Bb%3D%22c%22%7D+d%2"), "a{b=\"c\"} d%2");
        for (q, m) in [
            ("container_memory_working_set_bytes{pod=~\"w-.*\"}", Some("container_memory_working_set_bytes")),
            (
                "max by (namespace, pod, container) (container_memory_rss{container!=\"\"})",
                Some("container_memory_rss"),
            ),
            ("sum without(instance)(rate(x_total[5m]))", Some("x_total")),
            (
                "max(kube_pod_container_resource_limits{resource=\"memory\"}) by (pod)",
                Some("kube_pod_container_resource_limits"),
            ),
            ("1 + 2", None),
        ] {
            assert_eq!(super::first_metric(q).as_deref(), m, "{q}");
        }
    }

    #[test]
    fn damaged_responses_never_panic() {
        crate::parse::assert_no_panic_on_damage(RANGE);
        for t in [
            "{\"status\":\"success\"}",
            "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"values\":[[1e300,\"1\"],[1,\"x\"],[],7]}]}}",
            "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1,\"2\"]}}",
            "{\"status\": 5}",
        ] {
            let _ = analyze_text("t", t);
        }
    }
}
