//! `circular-references`: the garbage collector reports objects it cannot free, or
//! unclosed resources keep being reported.
//!
//! Rule, over the log lines of a container:
//! - `gc: uncollectable <Type 0x…>` lines (`gc.set_debug(gc.DEBUG_UNCOLLECTABLE)`), or
//!   `gc: done, N unreachable, M uncollectable` with M > 0;
//! - a number logged next to `gc.garbage` that grows (Mann–Kendall, as for memory);
//! - `gc: done, N unreachable …` where N grows (more and more cyclic garbage per run),
//!   or stays at [`gc_min_unreachable`](super::Thresholds::gc_min_unreachable) or more
//!   in three or more collections of a container that was OOM-killed (it makes cyclic
//!   garbage as fast as it works, and something keeps it: `DEBUG_SAVEALL`, `__del__`);
//! - `gc: objects in each generation: a b c` (`gc.DEBUG_STATS`) where c, the oldest
//!   generation, grows: objects survive every collection;
//! - `ResourceWarning: unclosed …` repeated at least
//!   [`resource_warning_repeats`](super::Thresholds::resource_warning_repeats) times.
//!
//! Series are read per log stream (one run each: a `--previous` log is another run).
//! One finding per container, warning. Example: three lines
//! `gc: uncollectable <Node 0x7f3a2c1d0e80>` give "worker: gc reports 3 uncollectable objects (Node ×3)".

use std::collections::BTreeMap;

use regex::Regex;

use super::growth::{shape, Shape, ShapeRule};
use super::{app_containers, finding_for, DetectorInput, CONFIRM_IN_POD};
use crate::finding::{Finding, Kind, Severity};
use crate::model::Origin;
use crate::rules::gc::{done_numbers, oldest_generation, res, Literals};

fn growing(points: &[(f64, f64)], cx: &DetectorInput<'_>) -> bool {
    let x: Vec<f64> = points.iter().map(|p| p.0).collect();
    let y: Vec<f64> = points.iter().map(|p| p.1).collect();
    let rule = ShapeRule {
        min_points: 4,
        max_p: cx.t.growth_max_p,
        min_rise: 1.0,
        min_ratio: 0.0,
        drop_ratio: cx.t.sawtooth_drop_ratio,
        plateau_tail_ratio: cx.t.plateau_tail_ratio,
        flat_ratio: 0.0,
    };
    matches!(shape(&x, &y, &rule), Some(Shape::Growing { .. }))
}

/// The first and last value of the longest run whose series grows.
fn growing_run(runs: &[Vec<(f64, f64)>], cx: &DetectorInput<'_>) -> Option<(f64, f64)> {
    let mut by_len: Vec<&Vec<(f64, f64)>> = runs.iter().collect();
    by_len.sort_by_key(|r| std::cmp::Reverse(r.len()));
    by_len.into_iter().find(|r| growing(r, cx)).map(|r| (r.first().map_or(0.0, |p| p.1), r.last().map_or(0.0, |p| p.1)))
}

/// `gc: done, N unreachable` in at least three collections of one run with a median N
/// of at least [`gc_min_unreachable`](super::Thresholds::gc_min_unreachable): the
/// number of collections and the median.
fn cyclic_garbage(runs: &[Vec<(f64, f64)>], cx: &DetectorInput<'_>) -> Option<(usize, f64)> {
    runs.iter()
        .filter(|r| r.len() >= 3)
        .filter_map(|r| {
            let mut v: Vec<f64> = r.iter().map(|p| p.1).collect();
            v.sort_by(f64::total_cmp);
            let median = v[v.len() / 2];
            (median >= cx.t.gc_min_unreachable).then_some((r.len(), median))
        })
        .max_by_key(|(n, _)| *n)
}

pub fn detect(cx: &DetectorInput<'_>, out: &mut Vec<Finding>) {
    let r = res();
    for pod in &cx.model.pods {
        for c in app_containers(pod) {
            let mut types: BTreeMap<String, usize> = BTreeMap::new();
            let mut unc_ev: Vec<Origin> = Vec::new();
            let mut unc_total = 0u64;
            // Series per log stream (one run each): a `--previous` log beside the current
            // one is another run, and a series does not go on across a restart.
            let runs = c.logs.len();
            let mut garbage: Vec<Vec<(f64, f64)>> = vec![Vec::new(); runs];
            let mut garbage_ev = Vec::new();
            let mut unreachable: Vec<Vec<(f64, f64)>> = vec![Vec::new(); runs];
            let mut unreach_ev = Vec::new();
            let mut oldest: Vec<Vec<(f64, f64)>> = vec![Vec::new(); runs];
            let mut oldest_ev = Vec::new();
            let mut resources: BTreeMap<String, usize> = BTreeMap::new();
            let mut res_ev = Vec::new();
            let mut offset = 0u64;
            let digests: Vec<_> = c.logs.iter().map(|s| cx.digest(s)).collect();
            let entries = digests.iter().enumerate().flat_map(|(run, d)| {
                let base = offset;
                offset += d.entries;
                d.matched.iter().map(move |(k, l)| (run, base + k + 1, l))
            });
            for (run, i, l) in entries {
                let x = l.at.map_or(i as f64, |t| t.as_second() as f64);
                for t in l.text.lines() {
                    // Only the regexes whose literal the line has (the same captures).
                    let lit = Literals::of(t);
                    let cap = |on: bool, re: &Regex| if on { re.captures(t) } else { None };
                    if let Some(m) = cap(lit.uncollectable, &r.uncollectable) {
                        *types.entry(m[1].to_string()).or_default() += 1;
                        unc_total += 1;
                        unc_ev.push(l.origin);
                    } else if let Some((n, u)) = lit.done.then(|| done_numbers(t)).flatten() {
                        let (n, u) = (n.parse::<f64>().unwrap_or(0.0), u.parse::<u64>().unwrap_or(0));
                        if u > 0 {
                            unc_total += u;
                            unc_ev.push(l.origin);
                        }
                        unreachable[run].push((x, n));
                        unreach_ev.push(l.origin);
                    } else if let Some(oldest_gen) = lit.generations.then(|| oldest_generation(t)).flatten() {
                        if let Ok(v) = oldest_gen.parse::<f64>() {
                            oldest[run].push((x, v));
                            oldest_ev.push(l.origin);
                        }
                    } else if let Some(m) = cap(lit.garbage, &r.garbage) {
                        if let Ok(v) = m[1].parse::<f64>() {
                            garbage[run].push((x, v));
                            garbage_ev.push(l.origin);
                        }
                    }
                    if let Some(m) = cap(lit.resource, &r.resource) {
                        *resources.entry(m[1].trim_start_matches('<').to_string()).or_default() += 1;
                        res_ev.push(l.origin);
                    }
                }
            }
            let mut parts = Vec::new();
            let mut f = finding_for(Kind::CircularReferences, Severity::Warning, pod, Some(c));
            if unc_total > 0 {
                let mut ts: Vec<(&String, &usize)> = types.iter().collect();
                ts.sort_by(|a, b| b.1.cmp(a.1));
                let list: Vec<String> = ts.iter().take(3).map(|(t, n)| format!("{t} ×{n}")).collect();
                let mut p =
                    format!("gc reports {unc_total} uncollectable object{}", if unc_total == 1 { "" } else { "s" });
                if !list.is_empty() {
                    p.push_str(&format!(" ({})", list.join(", ")));
                }
                parts.push(p);
                f.evidence.extend(unc_ev);
            }
            if let Some((a, b)) = growing_run(&garbage, cx) {
                parts.push(format!("gc.garbage grew from {a} to {b}"));
                f.evidence.extend(garbage_ev);
            }
            if let Some((a, b)) = growing_run(&unreachable, cx) {
                parts.push(format!("unreachable objects per collection grew from {a} to {b}"));
                f.evidence.extend(unreach_ev.iter().copied());
            } else if let Some((n, median)) = cyclic_garbage(&unreachable, cx) {
                // Many unreachable objects in every collection of a container that was
                // OOM-killed: it makes cyclic garbage as fast as it works.
                if super::oom::container_oom_killed(pod, c) {
                    parts.push(format!(
                        "the cyclic garbage collector found about {median} unreachable objects in each of {n} collections"
                    ));
                    f.evidence.extend(unreach_ev.iter().copied());
                }
            }
            if let Some((a, b)) = growing_run(&oldest, cx) {
                parts.push(format!("objects in the oldest gc generation grew from {a} to {b}"));
                f.evidence.extend(oldest_ev);
            }
            let res_total: usize = resources.values().sum();
            if res_total >= cx.t.resource_warning_repeats {
                let list: Vec<String> = resources.iter().map(|(t, n)| format!("{t} ×{n}")).collect();
                parts.push(format!("{res_total} ResourceWarnings about unclosed objects ({})", list.join(", ")));
                f.evidence.extend(res_ev);
            }
            if parts.is_empty() {
                continue;
            }
            f.title = format!("{}: {}", c.name, parts.join("; "));
            f.detail = "Objects that reference each other (parent ↔ child links, callbacks holding `self`, \
exceptions kept with their traceback frames) are freed only by the cyclic garbage collector, late and in bulk; \
cycles through objects the collector cannot handle end in `gc.garbage` and are never freed. Unclosed files and \
sockets reported by ResourceWarning hold buffers and descriptors until their object happens to be collected."
                .into();
            f.advice = format!("{FIX} {CONFIRM_IN_POD}");
            out.push(f);
        }
    }
}

/// What to do about reference cycles and uncollectable objects.
pub const FIX: &str = "Break the cycles: hold back-references with `weakref.ref` / `weakref.WeakValueDictionary`, \
clear callbacks and `__del__`-free cleanup explicitly, and `del` caught exceptions (`except E as e:` keeps frames \
alive). Close resources with `with` blocks. Never leave `gc.set_debug(gc.DEBUG_SAVEALL)` on in production: it keeps \
every collected object in `gc.garbage`. To find the cycles: `gc.set_debug(gc.DEBUG_SAVEALL)` for one \
`gc.collect()`, then inspect `gc.garbage` with `objgraph.show_backrefs(gc.garbage[:3])` and clear it; run with \
`python -X dev` (or `-W always::ResourceWarning`) to see where unclosed objects were created.";

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::super::{run, Thresholds};

    fn run_logs(lines: &[&str]) -> Vec<crate::Finding> {
        let mut c = container("worker", Some(512));
        c.logs.push(log(lines, "2026-11-24T10:00:00Z", 60));
        run(&model_with(vec![pod("w-1", vec![c])]), &Thresholds::default())
    }

    #[test]
    fn uncollectable_lines() {
        let f = run_logs(&[
            "gc: uncollectable <Node 0x7f3a2c1d0e80>",
            "gc: uncollectable <Node 0x7f3a2c1d0f10>",
            "gc: uncollectable <dict 0x7f3a2c1d0f80>",
        ]);
        assert_eq!(kinds(&f), vec!["circular-references"]);
        assert_eq!(f[0].title, "worker: gc reports 3 uncollectable objects (Node ×2, dict ×1)");
    }

    #[test]
    fn growing_garbage_and_resource_warnings() {
        let f = run_logs(&[
            "INFO len(gc.garbage)=10",
            "/app/client.py:40: ResourceWarning: unclosed <socket.socket fd=7, family=2>",
            "INFO len(gc.garbage)=25",
            "INFO len(gc.garbage)=40",
            "/app/client.py:40: ResourceWarning: unclosed <socket.socket fd=8, family=2>",
            "INFO len(gc.garbage)=61",
            "INFO len(gc.garbage)=80",
            "/app/client.py:40: ResourceWarning: unclosed <socket.socket fd=9, family=2>",
        ]);
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].title,
            "worker: gc.garbage grew from 10 to 80; 3 ResourceWarnings about unclosed objects (socket.socket ×3)"
        );
    }

    #[test]
    fn oldest_generation_growing() {
        let lines: Vec<String> = (0..8)
            .map(|i| format!("gc: objects in each generation: {} 0 {}", 300 + i % 3, 10_000 + 4_000 * i))
            .collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let f = run_logs(&refs);
        assert_eq!(f[0].title, "worker: objects in the oldest gc generation grew from 10000 to 38000");
    }

    fn oom_killed_with(lines: &[String]) -> Vec<crate::Finding> {
        use crate::model::ContainerState;
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let mut c = container("worker", Some(192));
        c.logs.push(log(&refs, "2026-11-24T10:00:00Z", 2));
        c.last_termination = Some(ContainerState {
            state: "terminated".into(),
            reason: Some("OOMKilled".into()),
            exit_code: Some(137),
            origin: o(20),
            ..ContainerState::default()
        });
        run(&model_with(vec![pod("w-1", vec![c])]), &Thresholds::default())
    }

    #[test]
    fn many_unreachable_per_collection_before_an_oom_kill() {
        let lines: Vec<String> =
            (0..5).map(|_| "gc: done, 58296 unreachable, 0 uncollectable, 0.0090s elapsed".to_string()).collect();
        let f = oom_killed_with(&lines);
        let g: Vec<_> = f.iter().filter(|f| f.kind == "circular-references").collect();
        assert_eq!(g.len(), 1, "{f:#?}");
        assert_eq!(
            g[0].title,
            "worker: the cyclic garbage collector found about 58296 unreachable objects in each of 5 collections"
        );
        // Negative control: the same lines without an OOM kill are a busy collector, not a leak.
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        assert!(run_logs(&refs).is_empty());
        // Nor a few unreachable objects per collection before an OOM kill.
        let few: Vec<String> =
            (0..5).map(|_| "gc: done, 120 unreachable, 0 uncollectable, 0.0010s elapsed".to_string()).collect();
        assert!(!kinds(&oom_killed_with(&few)).contains(&"circular-references"));
    }

    #[test]
    fn garbage_series_is_read_per_run() {
        use crate::model::LogStream;
        // Two runs, each growing: concatenated they would look like a sawtooth.
        let run_lines = |start: &str| -> LogStream {
            let lines: Vec<String> = (0..6).map(|i| format!("INFO gc.garbage holds {} objects", 58296 * i)).collect();
            let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
            log(&refs, start, 1)
        };
        let mut c = container("worker", Some(192));
        c.logs.push(run_lines("2026-11-24T10:01:00Z"));
        let mut prev = run_lines("2026-11-24T10:00:00Z");
        prev.previous = true;
        c.logs.push(prev);
        let f = run(&model_with(vec![pod("w-1", vec![c])]), &Thresholds::default());
        assert_eq!(kinds(&f), vec!["circular-references"], "{f:#?}");
        assert_eq!(f[0].title, "worker: gc.garbage grew from 0 to 291480");
        // Negative control: a flat gc.garbage in each run is no finding.
        let flat = |start: &str| -> LogStream { log(&["gc.garbage holds 7 objects"; 6], start, 1) };
        let mut c = container("worker", Some(192));
        c.logs.push(flat("2026-11-24T10:01:00Z"));
        c.logs.push(flat("2026-11-24T10:00:00Z"));
        assert!(run(&model_with(vec![pod("w-1", vec![c])]), &Thresholds::default()).is_empty());
    }

    #[test]
    fn steady_gc_stats_are_fine() {
        let f = run_logs(&[
            "gc: done, 120 unreachable, 0 uncollectable, 0.0012s elapsed",
            "gc: done, 118 unreachable, 0 uncollectable, 0.0011s elapsed",
            "gc: done, 121 unreachable, 0 uncollectable, 0.0012s elapsed",
            "gc: done, 119 unreachable, 0 uncollectable, 0.0012s elapsed",
            "gc: done, 120 unreachable, 0 uncollectable, 0.0012s elapsed",
        ]);
        assert!(f.is_empty(), "{f:#?}");
    }
}
