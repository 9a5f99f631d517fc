//! The detectors: one module per rule, all reading the [`Model`] and writing
//! [`Finding`]s. [`run`] calls them in order (later detectors may look at earlier
//! findings, e.g. `frequent-restarts` is only reported when no OOM kill explains the
//! restarts), merges duplicates, caps evidence and sorts.
//!
//! Every threshold lives in [`Thresholds`]. Example: a container with a 512Mi limit
//! whose latest `top` sample is 470Mi (92 %) gives one `memory-near-limit` warning,
//! because 92 % ≥ [`Thresholds::near_limit_ratio`] (90 %).

use jiff::{SignedDuration, Timestamp};

use crate::finding::{Finding, Kind, Severity};
use std::borrow::Cow;

use crate::logdigest::{Digests, LogDigest};
use crate::model::{Container, LogStream, Model, Origin, Pod, Sample};
use crate::quantity::format_bytes;

pub mod evicted;
pub mod gc;
pub mod growth;
pub mod limits;
pub mod log_events;
pub mod log_patterns;
pub mod memory_error;
pub mod oom;
pub mod profiles;
pub mod restarts;
pub mod runs;

/// Every threshold a detector uses, with the value we chose and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Thresholds {
    /// `memory-near-limit` when the latest working set is at least this share of the
    /// limit (0.90: Kubernetes' own dashboards warn at 90 %).
    pub near_limit_ratio: f64,
    /// `frequent-restarts` from this many restarts (3: one restart happens on a node
    /// drain; three without an OOM kill is a pattern).
    pub frequent_restarts: u32,
    /// The request is "far below" observed usage when usage is at least this many times
    /// the request (2.0): the scheduler then packs the node as if the pod were half its
    /// real size, and the node comes under memory pressure.
    pub request_below_usage_ratio: f64,
    /// Fewest timed memory samples for a trend (4). With fewer, the growth rate is
    /// inferred from the OOM cycle instead.
    pub growth_min_samples: usize,
    /// Mann–Kendall one-sided p-value at or below which a rise is a trend (0.05).
    pub growth_max_p: f64,
    /// A trend must add at least this much over the samples (8Mi), so allocator noise
    /// on a flat service is not reported…
    pub growth_min_bytes: u64,
    /// …and at least this share of the first value (0.02: over a short capture a real
    /// leak adds little relative to the baseline; the trend test guards against noise).
    pub growth_min_ratio: f64,
    /// A fall between two consecutive samples of at least this share of the series'
    /// range makes it a sawtooth (0.3): memory was freed (GC, batch end, restart).
    pub sawtooth_drop_ratio: f64,
    /// The last third of a rising series has plateaued when its slope is below this
    /// share of the slope of the first two thirds (0.2): a bounded cache filled up.
    pub plateau_tail_ratio: f64,
    /// An OOM kill after a run this short, with nothing showing growth, is
    /// `memory-at-start` (5 min: a leak that fills a limit within minutes shows in the
    /// log or in `top` samples; without either, the container most likely needs more than
    /// its limit to start).
    pub at_start_max_run: SignedDuration,
    /// `memory-growth` is critical when the limit is reached within this time (2h).
    pub critical_time_to_limit: SignedDuration,
    /// Fewest points of a number mined from logs for a trend (6).
    pub log_min_points: usize,
    /// Mann–Kendall p-value for a log series (0.01: logs have many series, so we are
    /// stricter than for memory).
    pub log_max_p: f64,
    /// A log series must at least grow by this factor from its start to its end (1.2:
    /// the log often covers only the last hour of a long-running process), and by
    /// [`Self::log_min_rise_abs`] when it starts near zero.
    pub log_min_growth_factor: f64,
    /// Smallest absolute rise of a log series (10 units: items, entries, bytes/1000).
    pub log_min_rise_abs: f64,
    /// A log series "moves with memory" when its Spearman correlation with the memory
    /// samples is at least this (0.7); then the finding is critical instead of warning.
    pub log_memory_correlation: f64,
    /// Memory is "flat" when its Theil–Sen rise over the samples is below this share of
    /// its median (0.05); a growing throughput total with flat memory is not a leak.
    pub flat_memory_ratio: f64,
    /// `gc: done, N unreachable` with a median N of at least this (1000) in three or
    /// more collections of an OOM-killed container is cyclic garbage made as fast as the
    /// service works (a few hundred come and go in any Python service).
    pub gc_min_unreachable: f64,
    /// Memory kept per processed item from this much (256Ki) is large-object
    /// retention, and a size logged per item from this much names a large object.
    pub large_object_min_bytes: u64,
    /// `ResourceWarning: unclosed …` must repeat this many times (3).
    pub resource_warning_repeats: usize,
    /// Most evidence lines kept per finding (10): first, last and evenly between.
    pub max_evidence: usize,
    /// A `tracemalloc` site "grows" from this much between snapshots (1Mi: tracemalloc
    /// prints KiB; less than a MiB does not explain a container's growth).
    pub profile_site_min_growth: u64,
    /// An `objgraph` type "grows" from this many more objects over the `show_growth`
    /// calls (1000: a few hundred come and go with normal load).
    pub profile_type_min_growth: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            near_limit_ratio: 0.90,
            frequent_restarts: 3,
            request_below_usage_ratio: 2.0,
            growth_min_samples: 4,
            growth_max_p: 0.05,
            growth_min_bytes: 8 << 20,
            growth_min_ratio: 0.02,
            sawtooth_drop_ratio: 0.3,
            plateau_tail_ratio: 0.2,
            at_start_max_run: SignedDuration::from_mins(5),
            critical_time_to_limit: SignedDuration::from_hours(2),
            log_min_points: 6,
            log_max_p: 0.01,
            log_min_growth_factor: 1.2,
            log_min_rise_abs: 10.0,
            log_memory_correlation: 0.7,
            flat_memory_ratio: 0.05,
            gc_min_unreachable: 1000.0,
            large_object_min_bytes: 256 << 10,
            resource_warning_repeats: 3,
            max_evidence: 10,
            profile_site_min_growth: 1 << 20,
            profile_type_min_growth: 1000,
        }
    }
}

/// Runs every detector over the model with the default [`Thresholds`]; natively with `threads`, the `circular-references` detector (the slowest:
/// it reads every gc statistics line kept) runs on a second thread meanwhile, with the
/// same findings (see [`run_with`]).
pub fn run_default_with(model: &Model, digests: &Digests, threads: bool) -> Vec<Finding> {
    run_with(model, digests, &Thresholds::default(), threads)
}

/// What every detector reads.
pub struct DetectorInput<'a> {
    pub model: &'a Model,
    /// The summaries of the model's log streams.
    pub digests: &'a Digests,
    pub t: &'a Thresholds,
}

impl DetectorInput<'_> {
    /// The digest of a log stream: the one read with the log, else one made from its
    /// lines (streams built by hand).
    pub fn digest<'s>(&'s self, stream: &'s LogStream) -> Cow<'s, LogDigest> {
        self.digests.of(stream)
    }
}

/// Runs every detector, merges duplicates (one finding per cause, evidence merged),
/// caps evidence and sorts: severity (worst first), then time to the limit (soonest
/// first), then pod, container and kind. The log streams' digests are made from their
/// lines (a model built by hand).
#[cfg(test)]
pub fn run(model: &Model, t: &Thresholds) -> Vec<Finding> {
    run_with(model, &Digests::default(), t, false)
}

/// [`run`]; with `threads` (natively; ignored on wasm32), `gc` runs on a scoped thread
/// while the detectors before it run here. It reads no other detector's findings, and
/// its findings go in at its own place in the order, so the result is the same.
pub fn run_with(model: &Model, digests: &Digests, t: &Thresholds, threads: bool) -> Vec<Finding> {
    let cx = DetectorInput { model, digests, t };
    let before = |out: &mut Vec<Finding>| {
        oom::detect(&cx, out);
        restarts::detect(&cx, out);
        evicted::detect(&cx, out);
        memory_error::detect(&cx, out);
        log_events::detect(&cx, out);
        growth::detect(&cx, out);
        limits::detect(&cx, out);
    };
    let mut out = Vec::new();
    if threads && cfg!(not(target_arch = "wasm32")) {
        let found = std::thread::scope(|s| {
            let h = s.spawn(|| {
                let mut g = Vec::new();
                gc::detect(&cx, &mut g);
                g
            });
            before(&mut out);
            h.join()
        });
        match found {
            Ok(g) => out.extend(g),
            // A panic in `gc` goes on here, as if it had run on this thread.
            Err(p) => std::panic::resume_unwind(p),
        }
    } else {
        before(&mut out);
        gc::detect(&cx, &mut out);
    }
    log_patterns::detect(&cx, &mut out);
    profiles::detect(&cx, &mut out);
    // Reads the findings above: an OOM cycle is growth only with growth in a run.
    growth::detect_cycles(&cx, &mut out);
    let mut out = merge(out);
    out.retain(|f| !f.evidence.is_empty());
    for f in &mut out {
        f.evidence = cap_evidence(std::mem::take(&mut f.evidence), t.max_evidence);
    }
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| match (a.time_to_limit, b.time_to_limit) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            })
            .then_with(|| a.namespace.cmp(&b.namespace))
            .then_with(|| a.pod.cmp(&b.pod))
            .then_with(|| a.container.cmp(&b.container))
            .then_with(|| a.kind.cmp(&b.kind))
    });
    out
}

/// Kinds that may appear several times for one container (one per log template).
fn per_template(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::UnboundedCollection
            | Kind::CacheWithoutEviction
            | Kind::LargeObjectRetention
            | Kind::GlobalStateAccumulation
    )
}

/// One finding per (kind, pod, container) — per log template (series) for the leak
/// patterns, two findings of one series being one;
/// a pod-level finding joins the container-level finding of the same kind when there
/// is exactly one. The first finding's texts stay; the worst severity and the soonest
/// time to the limit win; evidence is united.
fn merge(findings: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for f in findings {
        let same = out.iter().position(|g| {
            g.kind == f.kind
                && g.namespace == f.namespace
                && g.pod == f.pod
                && g.container == f.container
                && (!per_template(f.kind) || g.title == f.title || same_series(g, &f))
        });
        match same {
            Some(i) => absorb(&mut out[i], f),
            None => out.push(f),
        }
    }
    // Pod-level findings into the single container-level finding of their kind.
    let mut i = 0;
    while i < out.len() {
        if out[i].container.is_none() && out[i].pod.is_some() && !per_template(out[i].kind) {
            let matches: Vec<usize> = (0..out.len())
                .filter(|&j| {
                    j != i
                        && out[j].kind == out[i].kind
                        && out[j].pod == out[i].pod
                        && out[j].namespace == out[i].namespace
                        && out[j].container.is_some()
                })
                .collect();
            if let [j] = matches[..] {
                let f = out.remove(i);
                let j = if j > i { j - 1 } else { j };
                absorb(&mut out[j], f);
                continue;
            }
        }
        i += 1;
    }
    for f in &mut out {
        f.evidence.sort();
        f.evidence.dedup();
        f.evidence.retain(|o| o.line > 0);
    }
    out
}

/// Two findings read the same numbers from the logs (one series, e.g. seen in two
/// streams with other first and last values): one fact.
fn same_series(a: &Finding, b: &Finding) -> bool {
    matches!((&a.series, &b.series), (Some(x), Some(y)) if x.label == y.label)
}

fn absorb(into: &mut Finding, f: Finding) {
    into.severity = into.severity.max(f.severity);
    into.time_to_limit = match (into.time_to_limit, f.time_to_limit) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    into.evidence.extend(f.evidence);
}

/// Keeps at most `max` evidence lines: the first, the last, and evenly between.
pub fn cap_evidence(mut ev: Vec<Origin>, max: usize) -> Vec<Origin> {
    ev.sort();
    ev.dedup();
    if ev.len() <= max {
        return ev;
    }
    if max < 2 {
        ev.truncate(max);
        return ev;
    }
    let n = ev.len();
    (0..max).map(|k| ev[k * (n - 1) / (max - 1)]).collect()
}

/// A finding about a pod (and a container of it).
pub fn finding_for(kind: Kind, severity: Severity, pod: &Pod, container: Option<&Container>) -> Finding {
    let mut f = Finding::new(kind, severity);
    f.namespace = pod.namespace.clone();
    // Text that names no pod names no container either.
    if !crate::model::is_placeholder_pod(&pod.name) {
        f.pod = Some(pod.name.clone());
        f.container = container.map(|c| c.name.clone());
    }
    f
}

/// The non-init containers of a pod.
pub fn app_containers(pod: &Pod) -> impl Iterator<Item = &Container> {
    pod.containers.iter().filter(|c| !c.init)
}

/// Samples in time order (then bundle order).
pub fn sorted_samples(samples: &[Sample]) -> Vec<&Sample> {
    let mut v: Vec<&Sample> = samples.iter().collect();
    v.sort_by_key(|s| (s.at, s.seq, s.origin));
    v
}

/// When the bundle was captured: the collector header, else the latest time any
/// section, sample or log line carries. `None` when the bundle gives no time.
pub fn capture_time(model: &Model) -> Option<Timestamp> {
    if let Some(t) = model.capture.captured_at {
        // The header says when collection *started*; later samples are later.
        let latest = latest_time(model);
        return Some(latest.map_or(t, |l| l.max(t)));
    }
    latest_time(model)
}

fn latest_time(model: &Model) -> Option<Timestamp> {
    let sections = model.sections.iter().filter_map(|s| s.at);
    let samples = model.pods.iter().flat_map(|p| {
        p.memory_samples.iter().chain(p.containers.iter().flat_map(|c| c.memory_samples.iter())).filter_map(|s| s.at)
    });
    sections.chain(samples).max()
}

/// A byte rate per hour for people: `41 MiB/h`, `1.2 GiB/h`, `300 KiB/h`.
pub fn rate_per_hour(bytes_per_hour: f64) -> String {
    let b = bytes_per_hour.abs();
    let (v, unit) = if b >= (1u64 << 30) as f64 {
        (b / (1u64 << 30) as f64, "GiB")
    } else if b >= (1u64 << 20) as f64 {
        (b / (1u64 << 20) as f64, "MiB")
    } else {
        (b / 1024.0, "KiB")
    };
    if v >= 10.0 {
        format!("{v:.0} {unit}/h")
    } else {
        format!("{v:.1} {unit}/h")
    }
}

/// `format_bytes` for an f64 that may be negative or fractional.
pub fn bytes_f(v: f64) -> String {
    if v.is_finite() && v >= 0.0 && v < u64::MAX as f64 {
        format_bytes(v.round() as u64)
    } else {
        "?".to_string()
    }
}

/// Formats a time as `2026-11-24 10:00 UTC`.
pub fn when(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M UTC").to_string()
}

/// A duration for titles: `~2h10m`.
pub fn approx(d: SignedDuration) -> String {
    format!("~{}", crate::time::format_duration(d))
}

/// Shared advice: how to confirm a leak inside the pod.
pub const CONFIRM_IN_POD: &str = "To confirm inside the pod: take two `tracemalloc` snapshots some minutes apart \
(`tracemalloc.start(25)`, then `snap2.compare_to(snap1, \"traceback\")[:10]`) and look at the lines that grew; \
or run the worker under `memray run` / attach with `memray attach PID`; or log `objgraph.show_growth(limit=10)` \
periodically to see which types multiply.";

#[cfg(test)]
pub(crate) mod testutil {
    //! Builders for unit tests: models made directly from the public structs.
    use jiff::Timestamp;

    use crate::model::*;

    pub fn o(line: u32) -> Origin {
        Origin { source: 0, line }
    }

    pub fn ts(s: &str) -> Timestamp {
        s.parse().expect("test timestamp")
    }

    /// A model with one source of 1000 lines (so evidence quotes something).
    pub fn model_with(pods: Vec<Pod>) -> Model {
        let mut m = Model::default();
        m.sources = vec![Source {
            name: "t".into(),
            bytes: 0,
            lines: 1000,
            text: (1..=1000).map(|i| format!("line {i}")).collect(),
            ..Source::default()
        }];
        m.pods = pods;
        m
    }

    pub fn pod(name: &str, containers: Vec<Container>) -> Pod {
        Pod { namespace: Some("shop".into()), name: name.into(), containers, origin: o(1), ..Pod::default() }
    }

    pub fn container(name: &str, limit_mi: Option<u64>) -> Container {
        Container {
            name: name.into(),
            image: Some("python:3.12".into()),
            memory_limit: limit_mi.map(|m| Fact::new(m << 20, o(2))),
            ..Container::default()
        }
    }

    /// Samples every `minutes` starting at 10:00, MiB values, lines from 100.
    pub fn samples(mib: &[u64], minutes: i64) -> Vec<Sample> {
        let start = ts("2026-11-24T10:00:00Z");
        mib.iter()
            .enumerate()
            .map(|(i, &m)| Sample {
                at: Some(start + jiff::SignedDuration::from_mins(minutes * i as i64)),
                seq: i as u32,
                bytes: m << 20,
                origin: o(100 + i as u32),
            })
            .collect()
    }

    pub fn log(lines: &[&str], start: &str, every_secs: i64) -> LogStream {
        let t0 = ts(start);
        LogStream {
            previous: false,
            digest: None,
            lines: lines
                .iter()
                .enumerate()
                .map(|(i, l)| LogLine {
                    at: Some(t0 + jiff::SignedDuration::from_secs(every_secs * i as i64)),
                    text: l.to_string(),
                    origin: o(200 + i as u32),
                })
                .collect(),
        }
    }

    pub fn kinds(f: &[crate::Finding]) -> Vec<&'static str> {
        f.iter().map(|f| f.kind.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::*;
    use super::*;

    #[test]
    fn cap_keeps_first_and_last() {
        let ev: Vec<Origin> = (1..=100).map(o).collect();
        let c = cap_evidence(ev, 5);
        assert_eq!(c.len(), 5);
        assert_eq!(c[0].line, 1);
        assert_eq!(c[4].line, 100);
    }

    #[test]
    fn pod_level_joins_container_level() {
        let p = pod("w", vec![container("app", Some(512))]);
        let mut a = finding_for(crate::finding::Kind::OomKilled, Severity::Critical, &p, p.containers.first());
        a.evidence.push(o(5));
        let mut b = finding_for(crate::finding::Kind::OomKilled, Severity::Warning, &p, None);
        b.evidence.push(o(3));
        let m = merge(vec![a, b]);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].evidence, vec![o(3), o(5)]);
        assert_eq!(m[0].severity, Severity::Critical);
    }

    #[test]
    fn one_series_is_one_finding() {
        let p = pod("w", vec![container("app", Some(512))]);
        let with = |title: &str, label: &str, line: u32| {
            let mut f = finding_for(Kind::LargeObjectRetention, Severity::Warning, &p, p.containers.first());
            f.title = title.into();
            f.series = Some(crate::finding::LogSeries { label: label.into(), bytes: false, points: Vec::new() });
            f.evidence.push(o(line));
            f
        };
        let m = merge(vec![
            with("app: `kept` grew from 1 to 9", "kept", 5),
            with("app: `kept` grew from 2 to 7", "kept", 6),
        ]);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].evidence, vec![o(5), o(6)]);
        // Negative control: two series of one container stay two findings.
        let m = merge(vec![with("app: `kept` grew", "kept", 5), with("app: `frames` grew", "frames", 6)]);
        assert_eq!(m.len(), 2);
    }

    #[test]
    fn rates_read_well() {
        assert_eq!(rate_per_hour(41.0 * 1048576.0), "41 MiB/h");
        assert_eq!(rate_per_hour(1.5 * 1073741824.0), "1.5 GiB/h");
        assert_eq!(rate_per_hour(300.0 * 1024.0), "300 KiB/h");
    }
}
