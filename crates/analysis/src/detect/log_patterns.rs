//! The runbook's leak patterns, from numbers in the logs: `cache-without-eviction`,
//! `unbounded-collection`, `large-object-retention`, `global-state-accumulation`.
//!
//! Rule: every log stream of a container goes through the template miner
//! ([`crate::logmine`]). A slot's series (sizes and counts; durations and percentages
//! are skipped) is a leak suspect when it grows steadily and does not plateau: at least
//! [`log_min_points`](super::Thresholds::log_min_points) points, Mann–Kendall
//! p ≤ [`log_max_p`](super::Thresholds::log_max_p), a fitted end at least
//! [`log_min_growth_factor`](super::Thresholds::log_min_growth_factor) × the start (or a
//! rise of [`log_min_rise_abs`](super::Thresholds::log_min_rise_abs) from near zero), no
//! sawtooth drop, and a still-rising last third (the same [`shape`] test as memory).
//! The words around the number decide the pattern, in this order:
//! - cache, cached, memo, memoize, lru → `cache-without-eviction`;
//! - global, registry, module, singleton, seen, class → `global-state-accumulation`;
//! - retained, kept, stored, payload, document, frame, response, blob, body, or a size
//!   in bytes (`12.5MB`) → `large-object-retention`;
//! - list, queue, buffer, pending, backlog, history, results, items, entries, size,
//!   len, count… → `unbounded-collection`.
//!
//! A number that counts items as they are processed (`processed upload 42`,
//! `Handling job 98`: a progress verb, no size word) is never a leak on its own, nor
//! are the garbage collector's statistics (`gc: objects in each generation`, read by
//! `detect/gc.rs`). Beside growing memory such a counter gives the memory kept per item;
//! when the lines name large objects and memory rises by
//! [`large_object_min_bytes`](super::Thresholds::large_object_min_bytes) or more per
//! item, that is `large-object-retention` ("memory grows ≈ 3Mi per upload").
//!
//! A series named only by throughput words (processed, handled, served, total,
//! requests, uptime…) or by memory itself (rss, heap) is not a pattern: a growing
//! `processed total: N` is a counter, not a leak. When the container has timed memory
//! samples, the Spearman rank correlation of the series with memory is reported; the
//! finding is critical when it is at least
//! [`log_memory_correlation`](super::Thresholds::log_memory_correlation) and memory
//! itself grows or the container was OOM-killed, or when the series grew in the log of
//! a run that was OOM-killed (`--previous`); else a warning. One finding per
//! container and template (streams and slots merged).
//!
//! Example: `INFO cache size=1200 entries` … `INFO cache size=9600 entries` every 10
//! minutes gives "worker: `cache size=<num> entries` grew steadily from 1200 to 9600 over 1h10m".

use std::collections::HashSet;

use jiff::Timestamp;

use super::growth::{shape, Shape, ShapeRule};
use super::{app_containers, finding_for, sorted_samples, DetectorInput, CONFIRM_IN_POD};
use crate::finding::{Finding, Kind, Severity};
use crate::logmine::{Point, Slot, Template, Unit};
use crate::model::{Container, Origin, Pod, Sample};
use crate::quantity::format_bytes;
use crate::stats;

const CACHE: &[&str] = &["cache", "cached", "caches", "caching", "memo", "memoize", "memoized", "memoization", "lru"];
const GLOBAL: &[&str] = &[
    "global",
    "globals",
    "registry",
    "registered",
    "registries",
    "module",
    "singleton",
    "seen",
    "class",
    "classvar",
    "interned",
];
const LARGE: &[&str] = &[
    "retained",
    "retain",
    "retaining",
    "kept",
    "keep",
    "keeping",
    "stored",
    "store",
    "storing",
    "payload",
    "payloads",
    "document",
    "documents",
    "doc",
    "docs",
    "frame",
    "frames",
    "dataframe",
    "dataframes",
    "response",
    "responses",
    "blob",
    "blobs",
    "body",
    "bodies",
    "image",
    "images",
];
const COLLECTION_STRONG: &[&str] = &[
    "list",
    "lists",
    "queue",
    "queued",
    "queues",
    "buffer",
    "buffered",
    "buffers",
    "pending",
    "backlog",
    "history",
    "len",
    "length",
    "size",
    "append",
    "appended",
    "accumulated",
    "dict",
    "set",
    "deque",
];
const COLLECTION_WEAK: &[&str] = &["results", "items", "entries", "elements", "records", "count", "objects", "keys"];
const THROUGHPUT: &[&str] = &[
    "processed",
    "handled",
    "served",
    "completed",
    "sent",
    "received",
    "consumed",
    "total",
    "requests",
    "req",
    "uptime",
    "elapsed",
    "took",
    "latency",
    "duration",
    "rps",
    "qps",
    "throughput",
    "done",
    "finished",
    "iteration",
    "epoch",
    "step",
    "batch",
    "offset",
    "line",
    "attempt",
    "retry",
    "retries",
];
/// Names of counters that only ever grow by design (`hits=`, `evictions=`): never a leak.
const COUNTERS: &[&str] = &[
    "hits",
    "hit",
    "misses",
    "miss",
    "lookups",
    "evictions",
    "evicted",
    "expired",
    "errors",
    "failures",
    "total",
    "processed",
    "handled",
    "served",
    "requests",
    "calls",
    "sent",
    "received",
    "retries",
    "restarts",
    "collections",
];
const MEMORY: &[&str] = &["rss", "heap", "vms", "memory", "mem", "maxrss", "usage"];
/// Verbs of progress: a number right after `processed upload`, `indexed document`,
/// `handling job` is the item's sequence number, a counter that grows by design.
const PROGRESS: &[&str] = &[
    "processed",
    "processing",
    "handled",
    "handling",
    "indexed",
    "indexing",
    "served",
    "serving",
    "completed",
    "finished",
    "done",
    "received",
    "sent",
    "starting",
    "started",
    "running",
    "scored",
    "scoring",
    "rendered",
    "rendering",
    "uploaded",
    "downloaded",
    "fetched",
    "parsed",
    "converted",
    "resized",
];
/// Words of the garbage collector's own statistics (`gc: objects in each generation`,
/// `gc.garbage holds N`): `detect/gc.rs` reads those, they are not a collection of the app.
const GC_WORDS: &[&str] = &["garbage", "generation", "unreachable", "uncollectable", "collecting"];

/// A slot that counts items as they go (`processed upload 42`, `Handling job 98`): the
/// word before the number follows a progress verb.
fn progress_counter(slot: &Slot) -> bool {
    // The noun right before the number, right after the verb: `processed upload 42`.
    let name = slot.name.to_lowercase();
    slot.unit == Unit::Count
        && slot
            .words
            .iter()
            .rposition(|w| *w == name)
            .is_some_and(|i| i > 0 && slot.words.get(i - 1).is_some_and(|v| PROGRESS.contains(&v.as_str())))
}

/// Whether a template is the garbage collector's statistics.
fn gc_statistics(t: &Template) -> bool {
    t.words.iter().any(|w| w == "gc") && has(&t.words, GC_WORDS)
}

fn has(words: &[String], set: &[&str]) -> bool {
    words.iter().any(|w| set.contains(&w.as_str()))
}

/// The pattern a slot's words point to, or `None` (unknown, throughput, memory itself).
pub fn classify(words: &[String], unit: Unit) -> Option<Kind> {
    if has(words, CACHE) {
        return Some(Kind::CacheWithoutEviction);
    }
    if has(words, GLOBAL) {
        return Some(Kind::GlobalStateAccumulation);
    }
    let memory = has(words, MEMORY);
    if has(words, LARGE) {
        return Some(Kind::LargeObjectRetention);
    }
    if has(words, COLLECTION_STRONG) && !memory {
        return Some(Kind::UnboundedCollection);
    }
    if has(words, THROUGHPUT) || memory {
        return None;
    }
    if unit == Unit::Bytes {
        return Some(Kind::LargeObjectRetention);
    }
    has(words, COLLECTION_WEAK).then_some(Kind::UnboundedCollection)
}

fn priority(kind: Kind) -> u8 {
    match kind {
        Kind::CacheWithoutEviction => 4,
        Kind::GlobalStateAccumulation => 3,
        Kind::LargeObjectRetention => 2,
        _ => 1,
    }
}

/// A growing slot.
struct Suspect {
    kind: Kind,
    template: String,
    /// The message of a JSON / logfmt line.
    message: Option<String>,
    name: String,
    unit: Unit,
    first: f64,
    last: f64,
    span: Option<jiff::SignedDuration>,
    lines: usize,
    rho: Option<f64>,
    /// Seen in the log of a run that was killed (`--previous`).
    previous: bool,
    evidence: Vec<Origin>,
    /// The series' points (thinned), for the finding's chart.
    points: Vec<Point>,
}

fn show(v: f64, unit: Unit) -> String {
    match unit {
        Unit::Bytes if v >= 0.0 && v.is_finite() && v < u64::MAX as f64 => format_bytes(v.round() as u64),
        _ if v.fract() == 0.0 && v.abs() < 1e15 => format!("{}", v as i64),
        _ => format!("{v:.1}"),
    }
}

/// A short template for titles: the leading volatile/level tokens dropped, `<num>`
/// compacted, cut at 70 characters.
fn short_template(t: &str) -> String {
    const LEVELS: [&str; 8] = ["INFO", "DEBUG", "WARNING", "WARN", "ERROR", "CRITICAL", "[INFO]", "[DEBUG]"];
    let mut toks: Vec<&str> = t.split(' ').collect();
    while toks.first().is_some_and(|f| f.starts_with("<*>") || f.starts_with("[<*>") || LEVELS.contains(f) || *f == "-")
    {
        toks.remove(0);
    }
    let s = toks.join(" ").replace("= <num>", "=<num>");
    if s.chars().count() > 70 {
        let cut: String = s.chars().take(69).collect();
        format!("{cut}…")
    } else {
        s
    }
}

fn memory_samples<'a>(pod: &'a Pod, c: &'a Container) -> Vec<&'a Sample> {
    let own = sorted_samples(&c.memory_samples);
    let v = if own.is_empty() { sorted_samples(&pod.memory_samples) } else { own };
    v.into_iter().filter(|s| s.at.is_some()).collect()
}

/// Spearman correlation between memory samples and the series' value at each sample time.
fn correlation(points: &[Point], mem: &[&Sample]) -> Option<f64> {
    let mut a = Vec::new();
    let mut b = Vec::new();
    for s in mem {
        let t = s.at?;
        let v = points.iter().rev().find(|p| p.at.is_some_and(|pt| pt <= t))?;
        a.push(v.value);
        b.push(s.bytes as f64);
    }
    if a.len() < 4 {
        return None;
    }
    stats::spearman(&a, &b)
}

fn analyze_slot(cx: &DetectorInput<'_>, slot: &Slot, t: &Template, mem: &[&Sample]) -> Option<Suspect> {
    let (template, tmpl_words) = (&t.text, &t.words);
    if matches!(slot.unit, Unit::Duration | Unit::Percent) {
        return None;
    }
    let name_words = crate::logmine::split_words(&slot.name);
    if name_words.last().is_some_and(|w| COUNTERS.contains(&w.as_str())) {
        return None;
    }
    // A sequence number is never a leak on its own; nor are the gc's own statistics.
    if progress_counter(slot) || gc_statistics(t) {
        return None;
    }
    let mut words = slot.words.clone();
    words.extend(name_words);
    let own = classify(&words, slot.unit);
    // The line's other words name the object when the slot's own words are generic
    // (`cache hits=3 size=120`: `size` is the cache's size).
    let line = classify(tmpl_words, slot.unit);
    let kind = match (own, line) {
        (Some(o), Some(l)) if priority(l) > priority(o) && priority(l) >= 3 => l,
        (Some(o), _) => o,
        (None, l) if slot.words.is_empty() => l?,
        _ => return None,
    };
    // Cheap checks first: the trend statistics are quadratic in the points.
    if slot.series.seen() < cx.t.log_min_points as u64 {
        return None;
    }
    let points = slot.series.points();
    let (first, last) = (points.first()?.value, points.last()?.value);
    if last <= first || last < first * cx.t.log_min_growth_factor {
        return None;
    }
    let timed = points.iter().all(|p| p.at.is_some());
    let t0: Option<Timestamp> = points.first().and_then(|p| p.at);
    let x: Vec<f64> = points
        .iter()
        .map(|p| match (timed, p.at, t0) {
            (true, Some(t), Some(t0)) => t.duration_since(t0).as_secs_f64() / 3600.0,
            _ => p.index as f64,
        })
        .collect();
    let y: Vec<f64> = points.iter().map(|p| p.value).collect();
    let start = y.first().copied().unwrap_or(0.0).abs();
    let min_abs = if slot.unit == Unit::Bytes { cx.t.log_min_rise_abs * 100_000.0 } else { cx.t.log_min_rise_abs };
    let rule = ShapeRule {
        min_points: cx.t.log_min_points,
        max_p: cx.t.log_max_p,
        min_rise: if start < min_abs { min_abs } else { 0.0 },
        min_ratio: cx.t.log_min_growth_factor - 1.0,
        drop_ratio: cx.t.sawtooth_drop_ratio,
        plateau_tail_ratio: cx.t.plateau_tail_ratio,
        flat_ratio: 0.0,
    };
    let Some(Shape::Growing { .. }) = shape(&x, &y, &rule) else {
        return None;
    };
    let span = match (t0, points.last().and_then(|p| p.at)) {
        (Some(a), Some(b)) if timed => Some(b.duration_since(a)),
        _ => None,
    };
    Some(Suspect {
        kind,
        template: template.to_string(),
        message: t.message.clone(),
        name: slot.name.clone(),
        unit: slot.unit,
        first: y.first().copied().unwrap_or(0.0),
        last: y.last().copied().unwrap_or(0.0),
        span,
        lines: points.len(),
        rho: correlation(&points, mem),
        previous: false,
        evidence: points.iter().map(|p| p.origin).collect(),
        points,
    })
}

pub fn detect(cx: &DetectorInput<'_>, out: &mut Vec<Finding>) {
    for pod in &cx.model.pods {
        for c in app_containers(pod) {
            let mem = memory_samples(pod, c);
            let mut suspects: Vec<Suspect> = Vec::new();
            for stream in &c.logs {
                // The digest's miner read every entry that is not a tool's output
                // (detect/profiles.rs reads those).
                let digest = cx.digest(stream);
                for t in digest.miner.templates() {
                    for slot in &t.slots {
                        if let Some(mut s) = analyze_slot(cx, slot, t, &mem) {
                            s.previous = stream.previous;
                            suspects.push(s);
                        }
                    }
                }
            }
            // One finding per template: the strongest pattern, evidence merged.
            let mut merged: Vec<Suspect> = Vec::new();
            for s in suspects {
                match merged.iter_mut().find(|m| m.template == s.template) {
                    Some(m) => {
                        m.evidence.extend(s.evidence.iter().copied());
                        m.previous |= s.previous;
                        let stronger =
                            (s.last - s.first) / s.first.abs().max(1.0) > (m.last - m.first) / m.first.abs().max(1.0);
                        if priority(s.kind) > priority(m.kind) || (priority(s.kind) == priority(m.kind) && stronger) {
                            let (ev, prev) = (std::mem::take(&mut m.evidence), m.previous);
                            *m = s;
                            m.evidence = ev;
                            m.previous |= prev;
                        }
                    }
                    None => merged.push(s),
                }
            }
            let oomed = super::oom::container_oom_killed(pod, c);
            let grows_or_oom = out.iter().any(|f| {
                f.pod.as_deref() == Some(pod.name.as_str())
                    && f.namespace == pod.namespace
                    && (f.container.as_deref() == Some(c.name.as_str()) || f.container.is_none())
                    && ((f.kind == Kind::MemoryGrowth && f.severity > Severity::Info) || f.kind == Kind::OomKilled)
            });
            let grows = out.iter().any(|f| {
                f.pod.as_deref() == Some(pod.name.as_str())
                    && f.namespace == pod.namespace
                    && (f.container.as_deref() == Some(c.name.as_str()) || f.container.is_none())
                    && f.kind == Kind::MemoryGrowth
                    && f.severity > Severity::Info
            });
            let per_item = if grows && !merged.iter().any(|m| m.kind == Kind::LargeObjectRetention) {
                kept_per_item(cx, pod, c, &mem)
            } else {
                None
            };
            let mut seen_titles = HashSet::new();
            for s in merged {
                let f = finding(cx, pod, c, &s, grows_or_oom, oomed, !mem.is_empty());
                if seen_titles.insert(f.title.clone()) {
                    out.push(f);
                }
            }
            out.extend(per_item);
        }
    }
}

/// Memory per item: a progress counter (`processed upload <num>`) in lines that name
/// large objects (payload words, or a size of at least
/// [`large_object_min_bytes`](super::Thresholds::large_object_min_bytes) per line),
/// against the memory samples taken while that log ran. When memory rises by at least
/// that much per item (Theil–Sen slope of memory over the counter) and moves with it
/// (Spearman ρ ≥ [`log_memory_correlation`](super::Thresholds::log_memory_correlation)),
/// each item is kept: `large-object-retention`. The caller only asks when memory grows.
fn kept_per_item(cx: &DetectorInput<'_>, pod: &Pod, c: &Container, mem: &[&Sample]) -> Option<Finding> {
    let min = cx.t.large_object_min_bytes as f64;
    let mut best: Option<(f64, f64, String, String, Vec<Origin>)> = None;
    for stream in &c.logs {
        let digest = cx.digest(stream);
        for t in digest.miner.templates() {
            let large_words = has(&t.words, LARGE);
            let large_sizes = t.slots.iter().any(|s| {
                s.unit == Unit::Bytes && {
                    let mut v: Vec<f64> = s.series.points().iter().map(|p| p.value).collect();
                    v.sort_by(f64::total_cmp);
                    v.get(v.len() / 2).is_some_and(|&m| m >= min)
                }
            });
            if !(large_words || large_sizes) {
                continue;
            }
            for slot in t.slots.iter().filter(|s| progress_counter(s)) {
                let points = slot.series.points();
                let (Some(t0), Some(t1)) = (points.first().and_then(|p| p.at), points.last().and_then(|p| p.at)) else {
                    continue;
                };
                let mut x = Vec::new();
                let mut y = Vec::new();
                let mut ev = Vec::new();
                for s in mem.iter().filter(|s| s.at.is_some_and(|at| at >= t0 && at <= t1)) {
                    let Some(p) = points.iter().rev().find(|p| p.at.is_some_and(|a| Some(a) <= s.at)) else {
                        continue;
                    };
                    x.push(p.value);
                    y.push(s.bytes as f64);
                    ev.push(p.origin);
                    ev.push(s.origin);
                }
                if x.len() < 4 {
                    continue;
                }
                let (Some(line), Some(rho)) = (stats::theil_sen(&x, &y), stats::spearman(&x, &y)) else {
                    continue;
                };
                if line.slope < min || rho < cx.t.log_memory_correlation {
                    continue;
                }
                if best.as_ref().is_none_or(|b| x.len() as f64 > b.1) {
                    let name = if slot.name.is_empty() { "item".to_string() } else { slot.name.clone() };
                    best = Some((line.slope, x.len() as f64, name, short_template(&t.text), ev));
                }
            }
        }
    }
    let (per, n, name, template, ev) = best?;
    let mut f = finding_for(Kind::LargeObjectRetention, Severity::Critical, pod, Some(c));
    f.title = format!("{}: memory grows ≈ {} per {name} (`{template}`)", c.name, format_bytes(per.round() as u64));
    f.detail = format!(
        "The {name} number in these lines counts items as they are processed (it grows by design, so alone it is not \
a leak). Against the {n} memory samples taken while it was logged, memory rises ≈ {} with every {name} and moves \
with it: the lines name large objects (payloads, images, documents, or sizes of {} or more each), so each one \
stays referenced after it is processed.",
        format_bytes(per.round() as u64),
        format_bytes(cx.t.large_object_min_bytes)
    );
    f.advice = format!("{} {CONFIRM_IN_POD}", advice(Kind::LargeObjectRetention));
    f.evidence = ev;
    Some(f)
}

fn finding(
    cx: &DetectorInput<'_>,
    pod: &Pod,
    c: &Container,
    s: &Suspect,
    grows_or_oom: bool,
    oomed: bool,
    have_memory: bool,
) -> Finding {
    let correlated = s.rho.is_some_and(|r| r >= cx.t.log_memory_correlation);
    // Growing right up to an OOM kill (the killed run's log) is as strong as a correlation.
    let killed_run = s.previous && oomed;
    let sev = if (correlated && grows_or_oom) || killed_run { Severity::Critical } else { Severity::Warning };
    let mut f = finding_for(s.kind, sev, pod, Some(c));
    let name = if s.name.is_empty() { "value".to_string() } else { s.name.clone() };
    // `memo_entries` in "memo table grew" for structured lines; the line's template otherwise.
    let label = match &s.message {
        Some(m) if !m.is_empty() => format!("`{name}` in \"{}\"", short_template(m)),
        Some(_) => format!("`{name}`"),
        None => format!("`{}`", short_template(&s.template)),
    };
    f.title = format!("{}: {label} grew steadily from {} to {}", c.name, show(s.first, s.unit), show(s.last, s.unit));
    match s.span {
        Some(d) => f.title.push_str(&format!(" over {}", crate::time::format_duration(d))),
        None => f.title.push_str(&format!(" over {} lines", s.lines)),
    }
    let what = match s.kind {
        Kind::CacheWithoutEviction => "a cache that only grows: entries are added and never evicted",
        Kind::GlobalStateAccumulation => {
            "module-level or class-level state that accumulates for the life of the process"
        }
        Kind::LargeObjectRetention => {
            "large objects (payloads, documents, frames, responses) kept referenced after use"
        }
        _ => "a collection (list, dict, queue, buffer) that only grows",
    };
    let example = match &s.message {
        Some(m) => format!("as `{name}` in lines with message \"{}\"", short_template(m)),
        None => format!("in lines like {label}"),
    };
    f.detail = format!(
        "The number logged {example} rises steadily ({} → {}, Mann–Kendall trend, no plateau): {what}.",
        show(s.first, s.unit),
        show(s.last, s.unit)
    );
    match s.rho {
        Some(r) => f.detail.push_str(&format!(
            " It moves with the container's memory: Spearman ρ = {r:.2} against the memory samples{}.",
            if r >= cx.t.log_memory_correlation { "" } else { " (weak)" }
        )),
        None if have_memory => {
            f.detail.push_str(" (Too few memory samples overlap these log lines to correlate them.)")
        }
        None => {}
    }
    if killed_run {
        f.detail.push_str(" It kept growing in the log of the run that was OOM-killed (`--previous`).");
    }
    f.advice = format!("{} {CONFIRM_IN_POD}", advice(s.kind));
    f.evidence = s.evidence.clone();
    f.series = Some(crate::finding::LogSeries {
        label: match &s.message {
            Some(m) if !m.is_empty() => format!("{name} ({})", short_template(m)),
            _ => short_template(&s.template),
        },
        bytes: s.unit == Unit::Bytes,
        points: s
            .points
            .iter()
            .map(|p| crate::finding::LogPoint {
                at: p.at.map(|t| t.as_millisecond() as f64 / 1000.0),
                index: p.index,
                value: p.value,
            })
            .collect(),
    });
    f
}

/// Concrete Python advice per pattern.
pub fn advice(kind: Kind) -> &'static str {
    match kind {
        Kind::CacheWithoutEviction => {
            "Bound the cache: `functools.lru_cache(maxsize=1024)` instead of `@cache` / `lru_cache(maxsize=None)` or a \
plain dict; for hand-made caches `cachetools.LRUCache(maxsize=…)` or `cachetools.TTLCache(maxsize=10_000, ttl=600)`. \
Never key a cache by unbounded values (request ids, timestamps, whole payloads). `lru_cache` on a method keeps every \
`self` alive: cache a module-level function of hashable arguments, or use `cachetools.cachedmethod`. \
`func.cache_info().currsize` shows the size."
        }
        Kind::GlobalStateAccumulation => {
            "Module-level dicts, lists and sets, class attributes (`class Handler: seen = set()`) and singletons live \
as long as the process. Move the state into an object with a lifecycle (created per request, job or batch and \
dropped after), or bound it (`cachetools.TTLCache`, `collections.deque(maxlen=…)`); keep \"seen\" ids with a TTL \
or in an external store with expiry (Redis `SET key 1 EX 3600`); hold registries of live objects in \
`weakref.WeakValueDictionary` / `weakref.WeakSet`."
        }
        Kind::LargeObjectRetention => {
            "Process and discard: do not keep whole payloads, documents, DataFrames or responses in lists or on \
long-lived objects; keep only what you need (ids, sums). Stream instead of loading: generators (`yield`), \
`requests.get(url, stream=True).iter_content()`, `ijson` for big JSON, pandas `read_csv(chunksize=…)`, database \
cursors with `fetchmany`. `del` large locals before long waits, and do not keep exceptions (`except E as e` holds \
the traceback's frames and their locals)."
        }
        _ => {
            "Cap the collection: `collections.deque(maxlen=1000)` for recent items or history; `queue.Queue(maxsize=…)` \
so producers block instead of piling up work; trim explicitly (`del items[:-1000]`); clear buffers after each flush; \
`pop` per-job entries from dicts when the job ends. Log `len()` of the collection periodically to watch the fix."
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::super::{run, Thresholds};
    use super::*;

    fn run_logs(lines: &[String], mem: Option<&[u64]>) -> Vec<Finding> {
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let mut c = container("worker", Some(2048));
        c.logs.push(log(&refs, "2026-11-24T10:00:00Z", 600));
        if let Some(m) = mem {
            c.memory_samples = samples(m, 10);
        }
        run(&model_with(vec![pod("w-1", vec![c])]), &Thresholds::default())
    }

    fn lines(f: impl Fn(usize) -> String, n: usize) -> Vec<String> {
        (0..n).map(f).collect()
    }

    #[test]
    fn classify_words() {
        let w = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
        assert_eq!(classify(&w("cache size"), Unit::Count), Some(crate::finding::Kind::CacheWithoutEviction));
        assert_eq!(classify(&w("seen ids"), Unit::Count), Some(crate::finding::Kind::GlobalStateAccumulation));
        assert_eq!(classify(&w("retained payloads"), Unit::Count), Some(crate::finding::Kind::LargeObjectRetention));
        assert_eq!(classify(&w("pending jobs"), Unit::Count), Some(crate::finding::Kind::UnboundedCollection));
        assert_eq!(classify(&w("processed total"), Unit::Count), None);
        assert_eq!(classify(&w("items processed total"), Unit::Count), None);
        assert_eq!(classify(&w("rss"), Unit::Bytes), None);
        assert_eq!(classify(&w("held"), Unit::Bytes), Some(crate::finding::Kind::LargeObjectRetention));
    }

    #[test]
    fn growing_cache_in_stdlib_logging() {
        let l = lines(|i| format!("2026-11-24 10:{:02}:00,000 INFO app: cache size={} entries", i, 1200 * (i + 1)), 8);
        let f = run_logs(&l, None);
        assert_eq!(kinds(&f), vec!["cache-without-eviction"], "{f:#?}");
        assert_eq!(f[0].title, "worker: `app: cache size=<num> entries` grew steadily from 1200 to 9600 over 1h10m");
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(f[0].advice.contains("lru_cache(maxsize="));
    }

    #[test]
    fn cache_counters_are_not_leaks_but_its_size_is() {
        let l =
            lines(|i| format!("cache stats hits={} misses={} evictions={} size=4096", 900 * i, 100 * i, 80 * i), 10);
        assert!(run_logs(&l, None).is_empty());
        let l = lines(|i| format!("cache stats hits={} misses={} size={}", 900 * i, 100 * i, 200 * (i + 1)), 10);
        let f = run_logs(&l, None);
        assert_eq!(kinds(&f), vec!["cache-without-eviction"]);
        assert_eq!(f[0].title, "worker: `size` in \"cache stats\" grew steadily from 200 to 2000 over 1h30m");
    }

    #[test]
    fn bounded_cache_plateau_is_not_a_finding() {
        let v = [100, 300, 600, 900, 1000, 1000, 1000, 1000, 1000, 1000];
        let l = lines(|i| format!("INFO cache size={} entries", v[i]), v.len());
        assert!(run_logs(&l, None).is_empty());
    }

    #[test]
    fn processed_total_with_flat_memory_is_not_a_leak() {
        let l = lines(|i| format!("INFO processed total: {}", 1000 * (i + 1)), 10);
        let f = run_logs(&l, Some(&[300, 301, 300, 302, 301, 300, 301, 300, 301, 300]));
        assert!(f.is_empty(), "{f:#?}");
    }

    #[test]
    fn json_queue_with_memory_correlation_is_critical() {
        let l = lines(
            |i| {
                format!(
                    r#"{{"time": "x", "level": "info", "msg": "job queue", "pending": {}}}"#,
                    50 * (i + 1) * (i + 1)
                )
            },
            12,
        );
        let mem: Vec<u64> = (0..12).map(|i| 500 + 60 * i).collect();
        let f = run_logs(&l, Some(&mem));
        let p: Vec<_> = f.iter().filter(|f| f.kind == "unbounded-collection").collect();
        assert_eq!(p.len(), 1, "{f:#?}");
        assert_eq!(p[0].severity, Severity::Critical);
        assert!(p[0].detail.contains("Spearman ρ = 1.00"), "{}", p[0].detail);
    }

    #[test]
    fn sequence_numbers_are_not_leaks() {
        // `indexed document 20`, `Handling job 98`: counters that grow by design.
        let l = lines(|i| format!("INFO indexer: indexed document {} (10000 words)", 20 * (i + 1)), 10);
        assert!(run_logs(&l, None).is_empty(), "{:#?}", run_logs(&l, None));
        let l = lines(|i| format!("INFO Handling job {}", 98 + i), 10);
        assert!(run_logs(&l, None).is_empty());
        // Negative control: the size of a named collection still is one.
        let l = lines(|i| format!("INFO indexer: pending documents queue has {} items", 20 * (i + 1)), 10);
        assert_eq!(kinds(&run_logs(&l, None)), vec!["large-object-retention"]);
    }

    #[test]
    fn gc_statistics_are_not_a_collection() {
        let l = lines(|i| format!("gc: objects in each generation: 600 {} 10934", 530 + 60000 * i), 10);
        assert!(!kinds(&run_logs(&l, None)).contains(&"unbounded-collection"));
    }

    /// A counter logged every 10 minutes from 10:00 beside memory samples every 10 minutes.
    fn per_item(line: impl Fn(usize) -> String, mem: &[u64]) -> Vec<Finding> {
        let l = lines(line, mem.len());
        let refs: Vec<&str> = l.iter().map(String::as_str).collect();
        let mut c = container("worker", Some(2048));
        c.logs.push(log(&refs, "2026-11-24T10:00:00Z", 600));
        c.memory_samples = samples(mem, 10);
        run(&model_with(vec![pod("w-1", vec![c])]), &Thresholds::default())
    }

    #[test]
    fn memory_per_processed_upload_is_large_object_retention() {
        let mem: Vec<u64> = (0..8).map(|i| 100 + 30 * i).collect();
        let f = per_item(
            |i| format!("INFO processed upload {} image/jpeg 3.1 MiB -> thumbnail 54 KiB", 10 * (i + 1)),
            &mem,
        );
        let g: Vec<_> = f.iter().filter(|f| f.kind == "large-object-retention").collect();
        assert_eq!(g.len(), 1, "{f:#?}");
        assert!(g[0].title.starts_with("worker: memory grows ≈ 3Mi per upload"), "{}", g[0].title);
        // Negative control: the same counter in lines that name no large object (a job
        // that appends small rows) is not large-object retention.
        let f = per_item(|i| format!("INFO processed job {} in 3 ms", 10 * (i + 1)), &mem);
        assert!(!kinds(&f).contains(&"large-object-retention"), "{f:#?}");
        // Nor with flat memory.
        let f = per_item(|i| format!("INFO processed upload {} image/jpeg 3.1 MiB", 10 * (i + 1)), &[300; 8]);
        assert!(!kinds(&f).contains(&"large-object-retention"), "{f:#?}");
    }

    #[test]
    fn logfmt_retained_bytes() {
        let l = lines(|i| format!("level=info msg=\"batch done\" retained={}MB docs={}", 10 * (i + 1), i), 8);
        let f = run_logs(&l, None);
        assert_eq!(kinds(&f), vec!["large-object-retention"], "{f:#?}");
        assert_eq!(f[0].title, "worker: `retained` in \"batch done\" grew steadily from 10Mi to 80Mi over 1h10m");
    }
}
