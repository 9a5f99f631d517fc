//! What Python memory tools said ([`crate::model::Profiles`]), joined to the findings.
//!
//! Rule, per container (or per pod when the container is not known):
//! - a `tracemalloc` site grows when a `compare_to` line gives it a size growth of at
//!   least [`profile_site_min_growth`](super::Thresholds::profile_site_min_growth), or
//!   when its size rose by that much from its first to its last snapshot;
//! - an `objgraph` type grows when `show_growth` tables after the first one (the first
//!   call reports every object as new) add up to at least
//!   [`profile_type_min_growth`](super::Thresholds::profile_type_min_growth) objects;
//! - each growing site or type localises the leak-pattern finding of the same kind for
//!   that container (a site known only by its size: else its first leak-pattern
//!   finding): its lines join the
//!   evidence, a sentence joins the detail ("tracemalloc: /app/images.py:88 allocated
//!   310 MiB (+290 MiB) between two snapshots") and the title names the place;
//! - without such a finding, it gives one of its own, by its name: a cache module,
//!   function or type (cache, lru, memo) → `cache-without-eviction`; `dict`, `list`,
//!   `set`, `deque`… → `unbounded-collection`; any other site that grew by at least
//!   [`growth_min_bytes`](super::Thresholds::growth_min_bytes) →
//!   `large-object-retention`;
//! - objects the collector could not free (`gc: uncollectable <…>`, `done, … N
//!   uncollectable`) join or make the `circular-references` finding;
//! - `memray stats` (peak, largest allocating location) and `py-spy dump` (where the main
//!   thread was) are added to the detail of the container's leak-pattern findings.
//!
//! Example: `/app/thumbs_cache.py:41: size=310 MiB (+290 MiB), count=71332 (+71000),
//! average=4 KiB` in the log of `worker`, with no log-pattern finding, gives a warning
//! `cache-without-eviction` "worker: tracemalloc: /app/thumbs_cache.py:41 grew by 290 MiB".

use std::collections::BTreeMap;

use super::{app_containers, finding_for, DetectorInput, CONFIRM_IN_POD};
use crate::finding::{Finding, Kind, Severity};
use crate::model::{AllocationSite, Container, Origin, Pod, Profiles};

const LEAK_KINDS: [Kind; 4] =
    [Kind::CacheWithoutEviction, Kind::GlobalStateAccumulation, Kind::LargeObjectRetention, Kind::UnboundedCollection];
const CACHE_WORDS: [&str; 8] = ["cache", "cached", "caches", "caching", "lru", "memo", "memoize", "memoized"];
const COLLECTIONS: [&str; 9] =
    ["dict", "list", "set", "deque", "OrderedDict", "defaultdict", "Counter", "frozenset", "WeakValueDictionary"];

/// A growing site or type.
struct Grower {
    /// `/app/images.py:88` or `dict`.
    place: String,
    /// The kind its name points to, when it may give a finding of its own.
    kind: Option<Kind>,
    /// The kind comes from its name (a cache module, `dict`), not only from its size.
    named: bool,
    sentence: String,
    evidence: Vec<Origin>,
}

/// Bytes for sentences: `310 MiB`, `1.2 GiB`, `900 KiB`, `320 B`.
fn format_bytes(b: u64) -> String {
    let units = [(1u64 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (size, unit) in units {
        if b >= size {
            let v = b as f64 / size as f64;
            return if v >= 10.0 || v.fract() == 0.0 { format!("{v:.0} {unit}") } else { format!("{v:.1} {unit}") };
        }
    }
    format!("{b} B")
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_ascii_lowercase).collect()
}

fn cache_named(s: &str) -> bool {
    words(s).iter().any(|w| CACHE_WORDS.contains(&w.as_str())) || s.to_ascii_lowercase().contains("cache")
}

fn site_label(s: &AllocationSite) -> String {
    match s.line {
        Some(l) => format!("{}:{l}", s.file),
        None => s.file.clone(),
    }
}

fn growing_sites(cx: &DetectorInput<'_>, p: &Profiles) -> Vec<(Grower, u64)> {
    let mut by_site: BTreeMap<(String, Option<u32>), Vec<&AllocationSite>> = BTreeMap::new();
    for s in &p.allocation_sites {
        by_site.entry((s.file.clone(), s.line)).or_default().push(s);
    }
    let min = i64::try_from(cx.t.profile_site_min_growth).unwrap_or(i64::MAX);
    let mut out = Vec::new();
    for list in by_site.values() {
        let Some(&first) = list.iter().min_by_key(|s| (s.snapshot, s.origin)) else {
            continue;
        };
        let Some(&last) = list.iter().max_by_key(|s| (s.snapshot, s.origin)) else {
            continue;
        };
        let place = site_label(last);
        let latest_diff = list.iter().filter(|s| s.size_delta.is_some()).max_by_key(|s| (s.snapshot, s.origin));
        let (delta, sentence, evidence) = if let Some(d) = latest_diff {
            let delta = d.size_delta.unwrap_or(0);
            let ev: Vec<Origin> =
                list.iter().filter(|s| s.size_delta.is_some_and(|x| x > 0)).map(|s| s.origin).collect();
            (
                delta,
                format!(
                    "tracemalloc: {place} allocated {} (+{}) between two snapshots",
                    format_bytes(d.size),
                    format_bytes(delta.unsigned_abs())
                ),
                ev,
            )
        } else if first.snapshot != last.snapshot {
            let delta = i64::try_from(last.size).unwrap_or(i64::MAX) - i64::try_from(first.size).unwrap_or(i64::MAX);
            let n = {
                let mut snaps: Vec<u32> = list.iter().map(|s| s.snapshot).collect();
                snaps.dedup();
                snaps.len()
            };
            (
                delta,
                format!(
                    "tracemalloc: {place} grew from {} to {} over {n} snapshots",
                    format_bytes(first.size),
                    format_bytes(last.size)
                ),
                list.iter().map(|s| s.origin).collect(),
            )
        } else {
            continue;
        };
        if delta < min {
            continue;
        }
        let grown = delta.unsigned_abs();
        let named = cache_named(&last.file);
        let kind = if named {
            Some(Kind::CacheWithoutEviction)
        } else if grown >= cx.t.growth_min_bytes {
            Some(Kind::LargeObjectRetention)
        } else {
            None
        };
        out.push((Grower { place, kind, named, sentence, evidence }, grown));
    }
    // Largest growth first.
    out.sort_by_key(|g| std::cmp::Reverse(g.1));
    out
}

fn growing_types(cx: &DetectorInput<'_>, p: &Profiles) -> Vec<(Grower, u64)> {
    // Tables where every row is `+count` are a first call: everything is "new".
    let mut tables: BTreeMap<u32, bool> = BTreeMap::new();
    for t in &p.type_growth {
        let first_call = u64::try_from(t.delta).ok() == Some(t.count);
        let e = tables.entry(t.snapshot).or_insert(true);
        *e = *e && first_call;
    }
    let mut by_type: BTreeMap<&str, Vec<&crate::model::TypeGrowth>> = BTreeMap::new();
    for t in &p.type_growth {
        if tables.get(&t.snapshot) == Some(&false) && t.delta > 0 {
            by_type.entry(t.type_name.as_str()).or_default().push(t);
        }
    }
    let mut out = Vec::new();
    for (name, rows) in by_type {
        let total: i64 = rows.iter().map(|r| r.delta).sum();
        if total < cx.t.profile_type_min_growth {
            continue;
        }
        let last = rows.iter().map(|r| r.count).next_back().unwrap_or(0);
        let short = name.rsplit('.').next().unwrap_or(name);
        let kind = if cache_named(name) {
            Some(Kind::CacheWithoutEviction)
        } else if COLLECTIONS.contains(&short) {
            Some(Kind::UnboundedCollection)
        } else {
            None
        };
        let calls = rows.len();
        out.push((
            Grower {
                place: format!("`{name}`"),
                kind,
                named: kind.is_some(),
                sentence: format!(
                    "objgraph: {name} objects grew by {total} over {calls} show_growth call{} (to {last})",
                    if calls == 1 { "" } else { "s" }
                ),
                evidence: rows.iter().map(|r| r.origin).collect(),
            },
            total.unsigned_abs(),
        ));
    }
    out.sort_by_key(|g| std::cmp::Reverse(g.1));
    out
}

fn belongs(f: &Finding, pod: &Pod, c: Option<&Container>) -> bool {
    f.pod.as_deref() == Some(pod.name.as_str())
        && f.namespace == pod.namespace
        && c.is_none_or(|c| f.container.as_deref() == Some(c.name.as_str()))
}

fn add_sentence(f: &mut Finding, s: &str) {
    if !f.detail.contains(s) {
        if !f.detail.is_empty() {
            f.detail.push(' ');
        }
        f.detail.push_str(s);
        f.detail.push('.');
    }
}

fn localise(f: &mut Finding, g: &Grower) {
    add_sentence(f, &g.sentence);
    f.evidence.extend(g.evidence.iter().copied());
    if !f.title.contains(" — at ") {
        f.title.push_str(&format!(" — at {}", g.place));
    }
    f.severity = f.severity.max(Severity::Warning);
}

fn own_finding(pod: &Pod, c: Option<&Container>, g: &Grower, kind: Kind) -> Finding {
    let mut f = finding_for(kind, Severity::Warning, pod, c);
    let who = c.map_or(pod.name.as_str(), |c| c.name.as_str());
    f.title = format!("{who}: {}", g.sentence);
    f.detail = format!(
        "{}. The memory tool's own output names the place that keeps memory: {}.",
        g.sentence,
        match kind {
            Kind::CacheWithoutEviction => "a cache that only ever adds entries grows until the container is killed",
            Kind::UnboundedCollection => "a collection that is appended to and never trimmed grows with every request",
            _ => "large objects (payloads, frames, buffers) stay referenced after use",
        }
    );
    f.advice = format!(
        "Open {} and bound what it keeps: `functools.lru_cache(maxsize=…)` or `cachetools.TTLCache` for \
caches, `collections.deque(maxlen=…)` or periodic trimming for collections, and drop references to large \
objects when done (`del`, no module-level lists of results). {CONFIRM_IN_POD}",
        g.place
    );
    f.evidence = g.evidence.clone();
    f
}

fn detect_one(cx: &DetectorInput<'_>, pod: &Pod, c: Option<&Container>, p: &Profiles, out: &mut Vec<Finding>) {
    if p.is_empty() {
        return;
    }
    let mut growers: Vec<(Grower, u64)> = growing_sites(cx, p);
    growers.extend(growing_types(cx, p));
    for (g, _) in &growers {
        let mine = |f: &Finding| belongs(f, pod, c) && LEAK_KINDS.contains(&f.kind);
        let same = g.kind.and_then(|k| out.iter().position(|f| mine(f) && f.kind == k));
        // A place named like its kind (a cache module, `dict`) gives its own finding when
        // no finding of that kind exists; a place known only by its size joins any.
        let any = same.or_else(|| if g.named { None } else { out.iter().position(mine) });
        match (any, g.kind) {
            (Some(i), _) => localise(&mut out[i], g),
            (None, Some(kind)) => out.push(own_finding(pod, c, g, kind)),
            (None, None) => {}
        }
    }
    // Objects the collector could not free.
    let unc: u64 = p.gc_runs.iter().filter_map(|r| r.uncollectable).sum::<u64>()
        + u64::try_from(p.gc_uncollectable.len()).unwrap_or(u64::MAX);
    if unc > 0 {
        let mut ev: Vec<Origin> = p.gc_uncollectable.iter().map(|o| o.origin).collect();
        ev.extend(p.gc_runs.iter().filter(|r| r.uncollectable.unwrap_or(0) > 0).map(|r| r.origin));
        match out.iter().position(|f| belongs(f, pod, c) && f.kind == Kind::CircularReferences) {
            Some(i) => out[i].evidence.extend(ev),
            None => {
                let mut f = finding_for(Kind::CircularReferences, Severity::Warning, pod, c);
                let who = c.map_or(pod.name.as_str(), |c| c.name.as_str());
                let mut types: BTreeMap<&str, usize> = BTreeMap::new();
                for o in &p.gc_uncollectable {
                    *types.entry(o.type_name.as_str()).or_default() += 1;
                }
                let list: Vec<String> = types.iter().take(3).map(|(t, n)| format!("{t} ×{n}")).collect();
                f.title = format!("{who}: gc reports uncollectable objects");
                if !list.is_empty() {
                    f.title.push_str(&format!(" ({})", list.join(", ")));
                }
                f.detail = "The garbage collector's debug output lists objects it found unreachable but could not \
free: they stay in `gc.garbage` for the life of the process."
                    .into();
                f.advice = format!(
                    "Break the cycles (`weakref`, no `__del__` on objects in cycles) and inspect `gc.garbage` with \
`objgraph.show_backrefs(gc.garbage[:3])`. {CONFIRM_IN_POD}"
                );
                f.evidence = ev;
                out.push(f);
            }
        }
    }
    // memray and py-spy: context for the container's leak-pattern findings.
    let mut extra: Vec<(String, Vec<Origin>)> = Vec::new();
    if let Some(m) = p.memray.last() {
        let mut s = String::from("memray:");
        let mut ev = vec![m.origin];
        if let Some(peak) = m.peak {
            s.push_str(&format!(" peak memory {}", format_bytes(peak)));
        }
        if let Some(t) = m.top_by_size.first() {
            let at = t.line.map_or(t.file.clone(), |l| format!("{}:{l}", t.file));
            s.push_str(&format!(
                "{} largest allocating location {} ({at}) with {}",
                if m.peak.is_some() { ";" } else { "" },
                t.function,
                format_bytes(t.bytes)
            ));
            ev.push(t.origin);
        }
        if s != "memray:" {
            extra.push((s, ev));
        }
    }
    let main = p
        .stacks
        .iter()
        .rev()
        .find(|s| s.thread_name.as_deref() == Some("MainThread"))
        .or_else(|| p.stacks.iter().rev().find(|s| s.status.starts_with("active")));
    if let Some(st) = main {
        if let Some(fr) = st.frames.first() {
            let at = fr.line.map_or(fr.file.clone(), |l| format!("{}:{l}", fr.file));
            extra.push((
                format!(
                    "py-spy: when dumped, thread {} was in {} ({at})",
                    st.thread_name.as_deref().unwrap_or(&st.thread),
                    fr.function
                ),
                vec![st.origin, fr.origin],
            ));
        }
    }
    if !extra.is_empty() {
        for f in out.iter_mut().filter(|f| belongs(f, pod, c) && LEAK_KINDS.contains(&f.kind)) {
            for (s, ev) in &extra {
                add_sentence(f, s);
                f.evidence.extend(ev.iter().copied());
            }
        }
    }
}

pub fn detect(cx: &DetectorInput<'_>, out: &mut Vec<Finding>) {
    for pod in &cx.model.pods {
        detect_one(cx, pod, None, &pod.profiles, out);
        for c in app_containers(pod) {
            detect_one(cx, pod, Some(c), &c.profiles, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::super::{run, Thresholds};

    fn run_logs(lines: &[&str]) -> Vec<crate::Finding> {
        let mut c = container("worker", Some(512));
        c.logs.push(log(lines, "2026-11-24T10:00:00Z", 60));
        let mut m = model_with(vec![pod("w-1", vec![c])]);
        let mut digests = crate::logdigest::Digests::default();
        crate::parse::pyprof::join(&mut m, &mut digests);
        super::super::run_with(&m, &digests, &Thresholds::default(), false)
    }

    #[test]
    fn a_cache_site_gives_its_own_finding() {
        let f = run_logs(&[
            "/app/thumbs_cache.py:41: size=310 MiB (+290 MiB), count=71332 (+71000), average=4 KiB",
            "/app/main.py:3: size=12 KiB (+0 B), count=10 (+0), average=1 KiB",
        ]);
        assert_eq!(kinds(&f), vec!["cache-without-eviction"]);
        assert_eq!(
            f[0].title,
            "worker: tracemalloc: /app/thumbs_cache.py:41 allocated 310 MiB (+290 MiB) between two snapshots"
        );
        assert_eq!(f[0].evidence, vec![o(200)]);
    }

    #[test]
    fn growing_dicts_across_show_growth_calls() {
        let f = run_logs(&[
            "dict                  1922     +1922",
            "list                   300      +300",
            "dict                  2900      +978",
            "Node                   300       +10",
            "dict                  3950     +1050",
            "list                   310       +10",
        ]);
        assert_eq!(kinds(&f), vec!["unbounded-collection"], "{f:#?}");
        assert!(
            f[0].title.contains("objgraph: dict objects grew by 2028 over 2 show_growth calls (to 3950)"),
            "{}",
            f[0].title
        );
    }

    #[test]
    fn periodic_tracemalloc_lines_are_not_a_log_pattern() {
        let lines: Vec<String> = (0..8u64)
            .map(|i| {
                let m = 20 + 30 * i;
                format!(
                    "/app/worker/thumbs.py:41: size={m} MiB (+{} MiB), count={} (+{}), average=1 KiB",
                    m - 20,
                    m * 1000,
                    (m - 20) * 1000
                )
            })
            .collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let f = run_logs(&refs);
        assert_eq!(kinds(&f), vec!["large-object-retention"], "{f:#?}");
        assert_eq!(
            f[0].title,
            "worker: tracemalloc: /app/worker/thumbs.py:41 allocated 230 MiB (+210 MiB) between two snapshots"
        );
    }

    #[test]
    fn memray_and_py_spy_join_the_leak_finding() {
        let mut lines: Vec<String> = (0..8).map(|i| format!("INFO cache size={} entries", 1200 + 900 * i)).collect();
        lines.extend(
            [
                "📦 Peak memory usage:",
                "\t412.000MB",
                "🥇 Top 5 largest allocating locations (by size):",
                "\t- render:/app/worker/thumbs.py:41 -> 310.000MB",
                "Thread 0x7F3A2C1D0740 (active): \"MainThread\"",
                "    handle_batch (worker/jobs.py:88)",
            ]
            .map(String::from),
        );
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let f = run_logs(&refs);
        assert_eq!(kinds(&f), vec!["cache-without-eviction"], "{f:#?}");
        let d = &f[0].detail;
        assert!(
            d.contains("memray: peak memory 412 MiB; largest allocating location render (/app/worker/thumbs.py:41) with 310 MiB."),
            "{d}"
        );
        assert!(d.contains("py-spy: when dumped, thread MainThread was in handle_batch (worker/jobs.py:88)."), "{d}");
        assert!(f[0].evidence.contains(&o(211)) && f[0].evidence.contains(&o(213)), "{:?}", f[0].evidence);
    }

    #[test]
    fn small_or_shrinking_sites_are_quiet() {
        let f = run_logs(&[
            "/app/a.py:1: size=900 KiB (+900 KiB), count=10 (+10), average=90 KiB",
            "/app/b.py:2: size=1 MiB (-50 MiB), count=10 (-10), average=100 KiB",
        ]);
        assert!(f.is_empty(), "{f:#?}");
    }

    #[test]
    fn uncollectable_in_a_pasted_profile() {
        let mut c = container("worker", Some(512));
        c.profiles.gc_uncollectable.push(crate::model::GcObject { at: None, type_name: "Node".into(), origin: o(7) });
        let f = run(&model_with(vec![pod("w-1", vec![c])]), &Thresholds::default());
        assert_eq!(kinds(&f), vec!["circular-references"]);
        assert_eq!(f[0].title, "worker: gc reports uncollectable objects (Node ×1)");
    }
}
