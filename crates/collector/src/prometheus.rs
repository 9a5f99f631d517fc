//! `--prometheus URL` and `--prometheus-service NS/SERVICE:PORT`: the memory history of the
//! selected pods from Prometheus, one section per query (`docs/prometheus.md`, the
//! contract with the analysis; `docs/collector.md`, the options).
//!
//! Five range queries over `--since` (24 h by default) at `--step` (60 s by default, raised
//! so that no series has more than Prometheus' 11,000 points): cAdvisor's
//! `container_memory_working_set_bytes` and kube-state-metrics' memory limits, requests,
//! restarts and last termination reasons, each only for the pods `get pods -o json`
//! listed (`namespace="NS",pod=~"A|B"`, one selector per namespace joined by `or`; a long
//! pod list is cut into several queries so that no URL grows past [`MAX_SELECTOR`]).
//!
//! Two ways to reach Prometheus:
//! - **direct** (`--prometheus http://127.0.0.1:9090`, e.g. after `kubectl port-forward`):
//!   plain HTTP with `ureq` (no TLS stack in the binary: an `https://` URL is refused at
//!   the command line, pointing to `--prometheus-service` or a port-forward). The section's
//!   prompt is the `curl` that would fetch the same response:
//!   `$ curl -s 'http://…/api/v1/query_range?query=…&start=…&end=…&step=60'  # at …`.
//!   A failure is written as curl would report it: exit code 7 (connection failed), 28
//!   (timed out), 22 (an HTTP status of 400 or more, with the body as received) and a
//!   `# kubeleak: stderr:` line saying why.
//! - **through the API server** (`--prometheus-service monitoring/prometheus-k8s:9090`): the
//!   user's own kubectl, `kubectl get --raw '/api/v1/namespaces/NS/services/SVC:PORT/proxy/
//!   api/v1/query_range?…'`, recorded like every other kubectl command (needs `get` on
//!   `services/proxy`).
//!
//! Either way the body is kept as received (the analysis reads `"status":"error"` and
//! `"warnings"` from it); the collector adds a `# kubeleak: prometheus: …` note for an
//! error or warnings in the body, so a reader of the bundle sees them at once.

use std::time::{Duration, Instant};

use jiff::{Timestamp, Unit};

use crate::bundle::Entry;
use crate::pods::PodInfo;

/// Prometheus refuses a range query whose series would have more points than this.
pub const MAX_POINTS: u64 = 11_000;

/// Longest label selector in one query (before percent-encoding); more pods are split
/// over several queries, so URLs stay well under the 8 KiB that proxies commonly allow.
pub const MAX_SELECTOR: usize = 2_000;

/// Most bytes kept from one response.
pub const MAX_BODY: u64 = 256 << 20;

/// The default window (`--since` not given).
pub const DEFAULT_SINCE: Duration = Duration::from_secs(24 * 3600);

/// `--prometheus`: an `http://` URL (a path prefix is kept, a trailing `/` dropped).
pub fn parse_url(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s.starts_with("https://") {
        return Err(
            "https is not supported (kubeleak speaks plain HTTP only): use --prometheus-service NS/SERVICE:PORT, or `kubectl port-forward` and --prometheus http://127.0.0.1:PORT"
                .into(),
        );
    }
    let Some(rest) = s.strip_prefix("http://") else {
        return Err(format!("`{s}` is not an http:// URL (e.g. http://127.0.0.1:9090)"));
    };
    if rest.is_empty() || rest.starts_with('/') {
        return Err(format!("`{s}` has no host"));
    }
    if s.chars().any(|c| c.is_whitespace() || c.is_control() || c == '\'' || c == '?' || c == '#') {
        return Err(format!("`{s}`: give the base URL only (no query, no quotes)"));
    }
    Ok(s.trim_end_matches('/').to_string())
}

/// `--prometheus-service`: `NAMESPACE/SERVICE:PORT` (the port by number or name).
pub fn parse_service(s: &str) -> Result<(String, String), String> {
    let bad = || format!("`{s}` is not NAMESPACE/SERVICE:PORT (e.g. monitoring/prometheus-k8s:9090)");
    let (ns, svc) = s.trim().split_once('/').ok_or_else(bad)?;
    let (name, port) = svc.split_once(':').ok_or_else(bad)?;
    let word = |w: &str| {
        !w.is_empty() && w.len() <= 253 && w.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    };
    if !word(ns) || !word(name) || !word(port) {
        return Err(bad());
    }
    Ok((ns.to_string(), format!("{name}:{port}")))
}

/// The range of the queries, in Unix seconds, and the step in seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    pub start: i64,
    pub end: i64,
    pub step: u64,
    /// The step asked for, when it had to be raised to stay under [`MAX_POINTS`].
    pub raised_from: Option<u64>,
}

/// `since` back from `now`, the end on a multiple of the step (so a query repeated
/// later evaluates at the same instants). The step is whole seconds, at least 1, and at
/// least what keeps every series at [`MAX_POINTS`] points or fewer.
pub fn range(now: i64, since: Duration, step: Duration) -> Range {
    let span = since.as_secs().max(1);
    let asked = step.as_secs().max(1);
    // points = span / step + 1 <= MAX_POINTS
    let least = span.div_ceil(MAX_POINTS - 1);
    let step = asked.max(least);
    let end = now - now.rem_euclid(step as i64);
    Range { start: end - span as i64, end, step, raised_from: (step != asked).then_some(asked) }
}

/// One query: what it asks, in PromQL.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    pub promql: String,
}

/// The metrics asked for, with the matchers each adds to the pod selector.
pub const METRICS: &[(&str, &str)] = &[
    ("container_memory_working_set_bytes", r#"container!="",container!="POD""#),
    ("kube_pod_container_resource_limits", r#"resource="memory""#),
    ("kube_pod_container_resource_requests", r#"resource="memory""#),
    ("kube_pod_container_status_restarts_total", ""),
    ("kube_pod_container_status_last_terminated_reason", ""),
];

/// A regex matching exactly this text (RE2 syntax, as Prometheus uses), written for the
/// inside of a PromQL double-quoted string (where a backslash is doubled).
fn regex_literal(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '.' | '+' | '*' | '?' | '(' | ')' | '|' | '[' | ']' | '{' | '}' | '^' | '$' | '\\' => {
                out.push_str("\\\\");
                out.push(c);
            }
            '"' => out.push_str("\\\""),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A PromQL string literal's inside (a label value matched exactly).
fn string_literal(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control())
        .flat_map(|c| match c {
            '"' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect()
}

/// The label selectors of the pods, by namespace, each at most [`MAX_SELECTOR`] long:
/// `namespace="shop",pod=~"a|b"`. Pods without a namespace are in `default_ns`.
pub fn pod_selectors(pods: &[PodInfo], default_ns: &str) -> Vec<Vec<String>> {
    // (namespace, pods) in the order the pods came.
    let mut by_ns: Vec<(String, Vec<&str>)> = Vec::new();
    for p in pods {
        let ns = p.namespace.as_deref().unwrap_or(default_ns);
        match by_ns.iter_mut().find(|(n, _)| n == ns) {
            Some((_, v)) => v.push(&p.name),
            None => by_ns.push((ns.to_string(), vec![&p.name])),
        }
    }
    // Selectors, packed into groups of total length <= MAX_SELECTOR (one query each).
    let mut groups: Vec<Vec<String>> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let mut len = 0;
    let mut flush = |current: &mut Vec<String>, len: &mut usize| {
        if !current.is_empty() {
            groups.push(std::mem::take(current));
        }
        *len = 0;
    };
    for (ns, names) in by_ns {
        let head = format!("namespace=\"{}\",pod=~\"", string_literal(&ns));
        let mut alts: Vec<String> = Vec::new();
        let mut alts_len = 0;
        for name in names {
            let lit = regex_literal(name);
            if !alts.is_empty() && len + head.len() + alts_len + lit.len() + 2 > MAX_SELECTOR {
                current.push(format!("{head}{}\"", alts.join("|")));
                flush(&mut current, &mut len);
                alts.clear();
                alts_len = 0;
            }
            alts_len += lit.len() + 1;
            alts.push(lit);
        }
        if !alts.is_empty() {
            let sel = format!("{head}{}\"", alts.join("|"));
            len += sel.len() + 4;
            current.push(sel);
            if len > MAX_SELECTOR {
                flush(&mut current, &mut len);
            }
        }
    }
    flush(&mut current, &mut len);
    groups
}

/// Every query: each metric for each group of pod selectors.
pub fn queries(pods: &[PodInfo], default_ns: &str) -> Vec<Query> {
    let groups = pod_selectors(pods, default_ns);
    let mut out = Vec::new();
    for (metric, extra) in METRICS {
        for group in &groups {
            let parts: Vec<String> =
                group
                    .iter()
                    .map(|sel| {
                        if extra.is_empty() {
                            format!("{metric}{{{sel}}}")
                        } else {
                            format!("{metric}{{{sel},{extra}}}")
                        }
                    })
                    .collect();
            out.push(Query { promql: parts.join(" or ") });
        }
    }
    out
}

/// `application/x-www-form-urlencoded` as Prometheus reads it: unreserved characters as
/// they are, everything else `%XX` (a space too, so a quoted URL stays one word).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `api/v1/query_range?query=…&start=…&end=…&step=…` (no leading `/`).
pub fn query_path(q: &Query, r: &Range) -> String {
    format!("api/v1/query_range?query={}&start={}&end={}&step={}", encode(&q.promql), r.start, r.end, r.step)
}

/// The base URL as shown in the bundle: without `user:password@`.
pub fn shown_base(base: &str) -> String {
    match base.strip_prefix("http://").and_then(|rest| {
        let host_end = rest.find('/').unwrap_or(rest.len());
        rest[..host_end].rfind('@').map(|at| format!("http://{}", &rest[at + 1..]))
    }) {
        Some(s) => s,
        None => base.to_string(),
    }
}

/// The `kubectl get --raw` path through the service proxy.
pub fn service_path(namespace: &str, service: &str, q: &Query, r: &Range) -> String {
    format!("/api/v1/namespaces/{namespace}/services/{service}/proxy/{}", query_path(q, r))
}

/// What one direct query gave.
#[derive(Debug)]
pub struct Answer {
    pub url: String,
    pub at: Timestamp,
    pub body: String,
    /// The HTTP status, when an answer came.
    pub http_status: Option<u16>,
    /// curl's exit code for the failure, and why (`None`: a 2xx answer).
    pub failure: Option<(i32, String)>,
    pub truncated: bool,
    pub took: Duration,
}

/// The client for direct queries: one request at most `timeout`, no redirects followed
/// silently (a redirect to a login page is a failure to see), statuses kept as answers.
pub fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(concat!("kubeleak/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// One query straight to Prometheus.
pub fn fetch(agent: &ureq::Agent, base: &str, q: &Query, r: &Range, timeout: Duration) -> Answer {
    let url = format!("{base}/{}", query_path(q, r));
    let shown = format!("{}/{}", shown_base(base), query_path(q, r));
    let at = Timestamp::now().round(Unit::Second).unwrap_or_else(|_| Timestamp::now());
    let start = Instant::now();
    let mut a = Answer {
        url: shown,
        at,
        body: String::new(),
        http_status: None,
        failure: None,
        truncated: false,
        took: Duration::ZERO,
    };
    match agent.get(&url).header("Accept", "application/json").call() {
        Ok(mut resp) => {
            let code = resp.status().as_u16();
            a.http_status = Some(code);
            match resp.body_mut().with_config().limit(MAX_BODY).read_to_vec() {
                Ok(bytes) => a.body = String::from_utf8_lossy(&bytes).into_owned(),
                Err(ureq::Error::BodyExceedsLimit(_)) => {
                    a.truncated = true;
                    a.failure = Some((23, format!("response larger than {MAX_BODY} bytes: not kept")));
                }
                Err(e) => a.failure = Some(failure(&e, timeout)),
            }
            if a.failure.is_none() && code >= 400 {
                let reason = resp.status().canonical_reason().unwrap_or("");
                a.failure = Some((22, format!("HTTP {code} {reason}").trim_end().to_string()));
            } else if a.failure.is_none() && code >= 300 {
                let to = resp.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or("?").to_string();
                a.failure = Some((47, format!("HTTP {code}: redirected to {to} (not followed)")));
            }
        }
        Err(e) => a.failure = Some(failure(&e, timeout)),
    }
    a.took = start.elapsed();
    a
}

/// curl's exit code and a line for a request that got no answer.
fn failure(e: &ureq::Error, timeout: Duration) -> (i32, String) {
    match e {
        ureq::Error::Timeout(_) => (28, format!("timed out after {}s", timeout.as_secs_f64())),
        ureq::Error::HostNotFound => (6, "could not resolve the host".into()),
        ureq::Error::ConnectionFailed => (7, "could not connect (connection failed)".into()),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            (7, format!("could not connect: {io}"))
        }
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
            (28, format!("timed out after {}s", timeout.as_secs_f64()))
        }
        ureq::Error::Io(io) => (56, format!("network error: {io}")),
        other => (56, other.to_string()),
    }
}

/// A direct answer as a bundle entry (curl's prompt; the body as received).
pub fn answer_entry(a: &Answer) -> Entry {
    let mut notes = notes(&a.body);
    if a.truncated {
        notes.push(format!("truncated: response cut at {MAX_BODY} bytes"));
    }
    let (exit_code, stderr) = match &a.failure {
        Some((code, why)) => (Some(*code), format!("{why}\n")),
        None => (None, String::new()),
    };
    Entry { command: format!("curl -s '{}'", a.url), at: Some(a.at), stdout: a.body.clone(), exit_code, stderr, notes }
}

/// What the body says beyond its data: a Prometheus error, warnings, and how many series
/// came back (`# kubeleak: prometheus: …` notes; the body itself is kept as it is).
pub fn notes(body: &str) -> Vec<String> {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(body) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if v.get("status").and_then(|s| s.as_str()) == Some("error") {
        let kind = v.get("errorType").and_then(|s| s.as_str()).unwrap_or("error");
        let why = v.get("error").and_then(|s| s.as_str()).unwrap_or("");
        out.push(format!("prometheus: error {kind}: {why}"));
    }
    for key in ["warnings", "infos"] {
        for w in v.get(key).and_then(|w| w.as_array()).into_iter().flatten() {
            let what = if key == "warnings" { "warning" } else { "info" };
            out.push(format!("prometheus: {what}: {}", w.as_str().unwrap_or(&w.to_string())));
        }
    }
    if let Some(result) = v.pointer("/data/result").and_then(|r| r.as_array()) {
        if result.is_empty() {
            out.push("prometheus: no series matched".into());
        }
    }
    out
}

/// Whether an answer's body is a successful Prometheus response.
pub fn succeeded(body: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .is_some_and(|v| v.get("status").and_then(|s| s.as_str()) == Some("success"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str, ns: Option<&str>) -> PodInfo {
        PodInfo { name: name.into(), namespace: ns.map(str::to_string), containers: vec![], app_containers: vec![] }
    }

    #[test]
    fn urls_and_services() {
        assert_eq!(parse_url("http://127.0.0.1:9090/").as_deref(), Ok("http://127.0.0.1:9090"));
        assert_eq!(parse_url("http://h/prometheus").as_deref(), Ok("http://h/prometheus"));
        assert!(parse_url("https://prom.example.com").unwrap_err().contains("--prometheus-service"));
        assert!(parse_url("127.0.0.1:9090").is_err());
        assert!(parse_url("http://").is_err());
        assert!(parse_url("http://h/api?x=1").is_err());
        assert!(parse_url("http://h/'x").is_err());
        assert_eq!(
            parse_service("monitoring/prometheus-k8s:9090"),
            Ok(("monitoring".into(), "prometheus-k8s:9090".into()))
        );
        assert_eq!(parse_service("monitoring/prometheus:web"), Ok(("monitoring".into(), "prometheus:web".into())));
        for bad in ["prometheus:9090", "monitoring/prometheus", "a/b:c/d", "/p:1", "m/:1", "m/p:", "m/p q:1"] {
            assert!(parse_service(bad).is_err(), "{bad}");
        }
        assert_eq!(shown_base("http://u:p@h:9090/x"), "http://h:9090/x");
        assert_eq!(shown_base("http://h:9090/a@b"), "http://h:9090/a@b");
    }

    #[test]
    fn step_stays_under_the_point_limit() {
        let now = 1_764_928_831;
        let r = range(now, Duration::from_secs(86_400), Duration::from_secs(60));
        assert_eq!((r.end % 60, r.end - r.start, r.step, r.raised_from), (0, 86_400, 60, None));
        assert!(r.end <= now && now - r.end < 60);
        // 24 h at 15 s: 5,761 points, allowed.
        let r = range(now, Duration::from_secs(86_400), Duration::from_secs(15));
        assert_eq!((r.step, r.raised_from), (15, None));
        // 24 h at 1 s would be 86,401 points: raised to 8 s (10,801 points).
        let r = range(now, Duration::from_secs(86_400), Duration::from_secs(1));
        assert_eq!((r.step, r.raised_from), (8, Some(1)));
        assert!((r.end - r.start) as u64 / r.step < MAX_POINTS);
        // 30 days at 60 s: 43,201 points; raised to 236 s.
        let r = range(now, Duration::from_secs(30 * 86_400), Duration::from_secs(60));
        assert!((r.end - r.start) as u64 / r.step < MAX_POINTS, "{r:?}");
        assert_eq!(r.raised_from, Some(60));
        // Sub-second steps are whole seconds.
        assert_eq!(range(now, Duration::from_secs(60), Duration::from_millis(500)).step, 1);
    }

    #[test]
    fn selectors_name_exactly_the_pods() {
        let pods = [pod("worker-1.a", Some("shop")), pod("worker-2", Some("shop")), pod("etl-0", Some("batch"))];
        let q = queries(&pods, "unused");
        assert_eq!(q.len(), METRICS.len());
        assert_eq!(
            q[0].promql,
            r#"container_memory_working_set_bytes{namespace="shop",pod=~"worker-1\\.a|worker-2",container!="",container!="POD"} or container_memory_working_set_bytes{namespace="batch",pod=~"etl-0",container!="",container!="POD"}"#
        );
        assert_eq!(
            q[1].promql,
            r#"kube_pod_container_resource_limits{namespace="shop",pod=~"worker-1\\.a|worker-2",resource="memory"} or kube_pod_container_resource_limits{namespace="batch",pod=~"etl-0",resource="memory"}"#
        );
        assert_eq!(
            q[3].promql,
            r#"kube_pod_container_status_restarts_total{namespace="shop",pod=~"worker-1\\.a|worker-2"} or kube_pod_container_status_restarts_total{namespace="batch",pod=~"etl-0"}"#
        );
        // Pods without a namespace are in the default one.
        assert!(queries(&[pod("p", None)], "shop")[4].promql.contains(r#"{namespace="shop",pod=~"p"}"#));
        assert!(queries(&[], "shop").is_empty());
    }

    #[test]
    fn many_pods_are_split_over_queries() {
        let pods: Vec<PodInfo> = (0..300).map(|i| pod(&format!("worker-7d9f8b6c5-{i:05}"), Some("shop"))).collect();
        let groups = pod_selectors(&pods, "shop");
        assert!(groups.len() > 1, "{}", groups.len());
        let mut seen = 0;
        for g in &groups {
            let len: usize = g.iter().map(String::len).sum();
            assert!(len <= MAX_SELECTOR + 100, "{len}");
            seen += g.iter().map(|s| s.matches("worker-").count()).sum::<usize>();
        }
        assert_eq!(seen, 300, "every pod once");
        assert_eq!(queries(&pods, "shop").len(), groups.len() * METRICS.len());
    }

    #[test]
    fn encoding_keeps_one_shell_word() {
        let q = Query { promql: r#"m{namespace="a b",pod=~"x\\.y|z"}"#.into() };
        let r = Range { start: 100, end: 200, step: 60, raised_from: None };
        let p = query_path(&q, &r);
        assert_eq!(
            p,
            "api/v1/query_range?query=m%7Bnamespace%3D%22a%20b%22%2Cpod%3D~%22x%5C%5C.y%7Cz%22%7D&start=100&end=200&step=60"
        );
        assert!(!p.contains(['\'', ' ', '"']));
        assert_eq!(
            service_path("monitoring", "prometheus-k8s:9090", &q, &r),
            format!("/api/v1/namespaces/monitoring/services/prometheus-k8s:9090/proxy/{p}")
        );
    }

    #[test]
    fn notes_say_errors_warnings_and_empty_results() {
        assert_eq!(
            notes(r#"{"status":"error","errorType":"bad_data","error":"1:5: parse error"}"#),
            ["prometheus: error bad_data: 1:5: parse error"]
        );
        assert_eq!(
            notes(
                r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[]}]},"warnings":["partial response: store down"]}"#
            ),
            ["prometheus: warning: partial response: store down"]
        );
        assert_eq!(
            notes(r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#),
            ["prometheus: no series matched"]
        );
        assert!(notes("<html>login</html>").is_empty());
        assert!(succeeded(r#"{"status":"success","data":{}}"#) && !succeeded("{}") && !succeeded("nope"));
    }

    #[test]
    fn failed_answers_are_written_as_curl_would() {
        let a = Answer {
            url: "http://127.0.0.1:9/api/v1/query_range?query=m".into(),
            at: "2026-12-05T10:00:00Z".parse().unwrap(),
            body: String::new(),
            http_status: None,
            failure: Some((7, "could not connect: Connection refused".into())),
            truncated: false,
            took: Duration::ZERO,
        };
        let e = answer_entry(&a);
        let text = crate::bundle::render(&crate::bundle::Header::default(), &[e]);
        assert!(
            text.ends_with(
                "$ curl -s 'http://127.0.0.1:9/api/v1/query_range?query=m'  # at 2026-12-05T10:00:00Z\n# kubeleak: exit-code 7\n# kubeleak: stderr: could not connect: Connection refused\n"
            ),
            "{text}"
        );
    }
}
