//! Generated Prometheus history for tests and benches (issue 18): memory series of pods
//! over hours, as the Prometheus HTTP API returns them (`/api/v1/query_range`'s matrix)
//! and as a Grafana panel's CSV export. Pure std and deterministic (a hash, not a
//! random generator), so `tests/` can include this file by path without depending on
//! xtask, and a fixture can be compared with what the generator makes.
//!
//! Shapes: a leak that is OOM-killed at its limit and restarts ([`Shape::Leak`]), flat,
//! a garbage collector's sawtooth, a warm-up that plateaus, and a daily cycle: the last
//! four are not leaks.
//!
//! Example: `series(Shape::Flat, &Spec::new(START, 1.0, 60))` is 61 points, one a
//! minute, around 300 MiB.

use std::fmt::Write;

const MI: f64 = 1048576.0;

/// The memory limit of every generated container (1Gi).
pub const LIMIT: u64 = 1 << 30;
/// The memory request of every generated container (512Mi).
pub const REQUEST: u64 = 512 << 20;

/// The time range and step.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    /// Unix seconds of the first point.
    pub start: i64,
    pub hours: f64,
    pub step_secs: i64,
}

impl Spec {
    pub fn new(start: i64, hours: f64, step_secs: i64) -> Spec {
        Spec { start, hours, step_secs: step_secs.max(1) }
    }

    fn times(&self) -> impl Iterator<Item = i64> + '_ {
        let n = (self.hours * 3600.0 / self.step_secs as f64).floor() as i64;
        (0..=n).map(move |k| self.start + k * self.step_secs)
    }
}

/// What a series does.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Shape {
    /// Grows `mib_per_hour` from `base_mib`; at the limit it is OOM-killed and starts
    /// again at the base. `phase_hours`: how long the run had lasted at the first point.
    Leak { base_mib: f64, mib_per_hour: f64, phase_hours: f64 },
    /// About 300 MiB.
    Flat,
    /// 500 MiB rising 40 MiB over 10 minutes, then collected back.
    GcSawtooth,
    /// From 200 MiB to 600 MiB over the first hour (a cache filling), then flat.
    WarmUp,
    /// 400 MiB ± 150 MiB over a day (traffic).
    Daily,
}

/// The leak of the tests: 64 MiB/h from 384 MiB, so each run lasts 10 h before the 1Gi
/// limit; 2 h into a run at the first point, so 24 h hold kills at 8 h and 18 h.
pub const LEAK: Shape = Shape::Leak { base_mib: 384.0, mib_per_hour: 64.0, phase_hours: 2.0 };

/// A small deterministic noise in −1..1 from a number.
fn noise(k: i64) -> f64 {
    let mut h = (k as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    h ^= h >> 29;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^= h >> 32;
    (h % 20001) as f64 / 10000.0 - 1.0
}

/// The points of a shape: (unix seconds, bytes).
pub fn series(shape: Shape, spec: &Spec) -> Vec<(i64, u64)> {
    spec.times()
        .map(|t| {
            let h = (t - spec.start) as f64 / 3600.0;
            let mib = match shape {
                Shape::Leak { base_mib, mib_per_hour, phase_hours } => {
                    let run = (LIMIT as f64 / MI - base_mib) / mib_per_hour;
                    let inside = (h + phase_hours) % run;
                    base_mib + mib_per_hour * inside + 2.0 * noise(t)
                }
                Shape::Flat => 300.0 + 3.0 * noise(t),
                Shape::GcSawtooth => 500.0 + 40.0 * ((h * 6.0) % 1.0) + 2.0 * noise(t),
                Shape::WarmUp => 200.0 + 400.0 * h.min(1.0) + 3.0 * noise(t),
                Shape::Daily => 400.0 + 150.0 * (h / 24.0 * std::f64::consts::TAU).sin() + 3.0 * noise(t),
            };
            (t, (mib * MI).round() as u64)
        })
        .collect()
}

/// The times a leak was OOM-killed (its restarts), unix seconds: the first point after
/// each fall.
pub fn kills(points: &[(i64, u64)]) -> Vec<i64> {
    points.windows(2).filter(|w| w[1].1 < w[0].1 / 2).map(|w| w[1].0).collect()
}

/// A pod of the generated namespace: its name and what its app container does.
pub struct Pod {
    pub name: &'static str,
    pub shape: Shape,
}

/// The three pods of the test: one leaking with two OOM kills, one flat, one GC
/// sawtooth.
pub fn three_pods() -> Vec<Pod> {
    vec![
        Pod { name: "worker-leak-7d9f8b6c5-x2x9k", shape: LEAK },
        Pod { name: "worker-flat-7d9f8b6c5-b4m2q", shape: Shape::Flat },
        Pod { name: "worker-gc-7d9f8b6c5-z8h5n", shape: Shape::GcSawtooth },
    ]
}

fn labels(out: &mut String, metric: &str, pod: &str, container: &str, extra: &[(&str, &str)]) {
    let _ = write!(
        out,
        "{{\"__name__\":\"{metric}\",\"container\":\"{container}\",\"namespace\":\"shop\",\"pod\":\"{pod}\""
    );
    for (k, v) in extra {
        let _ = write!(out, ",\"{k}\":\"{v}\"");
    }
    out.push('}');
}

fn matrix(results: &[String]) -> String {
    format!("{{\"status\":\"success\",\"data\":{{\"resultType\":\"matrix\",\"result\":[{}]}}}}", results.join(","))
}

fn result(metric: &str, pod: &str, container: &str, extra: &[(&str, &str)], points: &[(i64, u64)]) -> String {
    let mut s = String::with_capacity(points.len() * 26 + 160);
    s.push_str("{\"metric\":");
    labels(&mut s, metric, pod, container, extra);
    s.push_str(",\"values\":[");
    for (i, (t, v)) in points.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(s, "[{t},\"{v}\"]");
    }
    s.push_str("]}");
    s
}

/// `container_memory_working_set_bytes` of the pods' `app` containers as a
/// `query_range` response, with the pod cgroup (`container=""`) and pause container
/// (`container="POD"`) series cAdvisor also exports.
pub fn working_set_json(pods: &[Pod], spec: &Spec) -> String {
    let mut results = Vec::new();
    for p in pods {
        let pts = series(p.shape, spec);
        let cgroup: Vec<(i64, u64)> = pts.iter().map(|(t, v)| (*t, v + (12 << 20))).collect();
        let pause: Vec<(i64, u64)> = pts.iter().map(|(t, _)| (*t, 450_560)).collect();
        results.push(result("container_memory_working_set_bytes", p.name, "app", &[], &pts));
        results.push(result("container_memory_working_set_bytes", p.name, "", &[], &cgroup));
        results.push(result("container_memory_working_set_bytes", p.name, "POD", &[], &pause));
    }
    matrix(&results)
}

/// kube-state-metrics over the same range: memory limits and requests, restart
/// counters (rising at each kill), and the last termination reason (`OOMKilled` for
/// the leak once it was killed).
pub fn kube_state_json(pods: &[Pod], spec: &Spec) -> String {
    let mut results = Vec::new();
    for p in pods {
        let pts = series(p.shape, spec);
        let constant = |v: u64| -> Vec<(i64, u64)> { pts.iter().map(|(t, _)| (*t, v)).collect() };
        results.push(result(
            "kube_pod_container_resource_limits",
            p.name,
            "app",
            &[("resource", "memory"), ("unit", "byte")],
            &constant(LIMIT),
        ));
        results.push(result(
            "kube_pod_container_resource_requests",
            p.name,
            "app",
            &[("resource", "memory"), ("unit", "byte")],
            &constant(REQUEST),
        ));
        let killed = kills(&pts);
        let restarts: Vec<(i64, u64)> =
            pts.iter().map(|(t, _)| (*t, killed.iter().filter(|k| **k <= *t).count() as u64)).collect();
        results.push(result("kube_pod_container_status_restarts_total", p.name, "app", &[], &restarts));
        if let Some(first) = killed.first() {
            let reason: Vec<(i64, u64)> = pts.iter().filter(|(t, _)| t >= first).map(|(t, _)| (*t, 1)).collect();
            results.push(result(
                "kube_pod_container_status_last_terminated_reason",
                p.name,
                "app",
                &[("reason", "OOMKilled")],
                &reason,
            ));
        }
    }
    matrix(&results)
}

/// The pods' `app` memory as Grafana's "Download CSV" writes a time series panel with
/// the default legend: `"Time"` then one quoted label set per series, times in Unix
/// milliseconds, CRLF line ends.
pub fn grafana_csv(pods: &[Pod], spec: &Spec) -> String {
    let cols: Vec<Vec<(i64, u64)>> = pods.iter().map(|p| series(p.shape, spec)).collect();
    let mut out = String::from("\"Time\"");
    for p in pods {
        let _ = write!(
            out,
            ",\"container_memory_working_set_bytes{{container=\"\"app\"\", namespace=\"\"shop\"\", pod=\"\"{}\"\"}}\"",
            p.name
        );
    }
    out.push_str("\r\n");
    let n = cols.first().map_or(0, Vec::len);
    for i in 0..n {
        let _ = write!(out, "{}", cols[0][i].0 * 1000);
        for c in &cols {
            let _ = write!(out, ",{}", c[i].1);
        }
        out.push_str("\r\n");
    }
    out
}
