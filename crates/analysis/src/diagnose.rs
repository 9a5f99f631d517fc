//! Diagnoses: one verdict per container with a problem, made from the findings the
//! detectors wrote (issue 17).
//!
//! Rule: the findings are grouped by pod and container (a pod-level finding joins the
//! pod's container when the pod has one app container). A group with at least one
//! finding of warning or above is a diagnosis. Its kinds are ordered root cause first:
//! the leak patterns (the object that grows), then what the memory did
//! (`memory-at-start`, `memory-error`, `memory-growth`), then what Kubernetes did
//! (`frequent-restarts`, `oom-killed`, `evicted`, `crash-loop`), then the sizing
//! (`memory-near-limit`, `no-memory-limit`). The headline names the container, the
//! symptom with its numbers (kills, run time, limit, rate), the cause and the runbook
//! pattern. The advice is one list, each piece once: the pattern's fix, then how to
//! confirm it in the pod, then how to live with it meanwhile. Diagnoses are ordered
//! like their findings: most severe first.
//!
//! Example: `oom-killed` (256Mi, runs of 30 s, 2 restarts) and `unbounded-collection`
//! (`results list has <num> items`) for `worker` give "worker is OOM-killed at its
//! 256Mi limit after running ~30s (2 restarts): `results list has <num> items` grows
//! from 2500 to 225000 (an unbounded collection, runbook pattern 1)".

use crate::detect::{self, gc, growth, log_patterns, CONFIRM_IN_POD};
use crate::finding::{Diagnosis, Finding, Kind, Severity};
use crate::model::{Container, Model, Pod};
use crate::quantity::format_bytes;

/// The diagnoses of an analysis' findings, most severe first.
pub fn diagnose(model: &Model, findings: &[Finding]) -> Vec<Diagnosis> {
    // (namespace, pod, container) → finding indexes, in the findings' order.
    let mut groups: Vec<(Key, Vec<usize>)> = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        let key = key_of(model, f);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(i),
            None => groups.push((key, vec![i])),
        }
    }
    let mut out: Vec<(usize, Diagnosis)> = Vec::new();
    for (key, mut idx) in groups {
        if !idx.iter().any(|&i| findings[i].severity >= Severity::Warning) {
            continue;
        }
        let first = idx[0];
        idx.sort_by_key(|&i| (rank(findings[i].kind), i));
        let mut kinds: Vec<Kind> = Vec::new();
        for &i in &idx {
            if !kinds.contains(&findings[i].kind) {
                kinds.push(findings[i].kind);
            }
        }
        let fs: Vec<&Finding> = idx.iter().map(|&i| &findings[i]).collect();
        let (pod, container) = find(model, &key);
        let d = Diagnosis {
            severity: fs.iter().map(|f| f.severity).max().unwrap_or(Severity::Info),
            namespace: key.0.clone(),
            pod: key.1.clone(),
            container: key.2.clone(),
            headline: headline(&key, pod, container, &fs),
            kinds,
            findings: idx,
            advice: advice(&fs),
            workload: None,
        };
        out.push((first, d));
    }
    out.sort_by(|a, b| b.1.severity.cmp(&a.1.severity).then(a.0.cmp(&b.0)));
    let mut out: Vec<Diagnosis> = out.into_iter().map(|(_, d)| d).collect();
    // Replicas share container names: then the headline says which pod.
    for i in 0..out.len() {
        let twin =
            out.iter().enumerate().any(|(j, d)| j != i && d.container.is_some() && d.container == out[i].container);
        if let (true, Some(c), Some(p)) = (twin, out[i].container.clone(), out[i].pod.clone()) {
            out[i].headline = out[i].headline.replacen(&c, &format!("{c} ({p})"), 1);
        }
    }
    out
}

type Key = (Option<String>, Option<String>, Option<String>);

fn key_of(model: &Model, f: &Finding) -> Key {
    let mut container = f.container.clone();
    if container.is_none() {
        if let Some(p) = model.pods.iter().find(|p| Some(&p.name) == f.pod.as_ref() && p.namespace == f.namespace) {
            let mut app = detect::app_containers(p);
            if let (Some(c), None) = (app.next(), app.next()) {
                container = Some(c.name.clone());
            }
        }
    }
    (f.namespace.clone(), f.pod.clone(), container)
}

fn find<'m>(model: &'m Model, key: &Key) -> (Option<&'m Pod>, Option<&'m Container>) {
    let pod = model.pods.iter().find(|p| Some(&p.name) == key.1.as_ref() && p.namespace == key.0);
    let c = pod.and_then(|p| detect::app_containers(p).find(|c| Some(&c.name) == key.2.as_ref()));
    (pod, c)
}

/// Root cause first.
pub(crate) fn rank(kind: Kind) -> u8 {
    match kind {
        k if k.is_pattern() => 0,
        Kind::MemoryAtStart | Kind::MemoryError => 1,
        Kind::MemoryGrowth => 2,
        Kind::FrequentRestarts | Kind::OomKilled | Kind::Evicted => 3,
        Kind::CrashLoop => 4,
        _ => 5,
    }
}

/// The runbook's number of a pattern.
pub(crate) fn pattern_number(kind: Kind) -> Option<u8> {
    match kind {
        Kind::UnboundedCollection => Some(1),
        Kind::CacheWithoutEviction => Some(2),
        Kind::LargeObjectRetention => Some(3),
        Kind::GlobalStateAccumulation => Some(4),
        _ => None,
    }
}

pub(crate) fn pattern_name(kind: Kind) -> &'static str {
    match kind {
        Kind::UnboundedCollection => "an unbounded collection",
        Kind::CacheWithoutEviction => "a cache without eviction",
        Kind::LargeObjectRetention => "large objects kept referenced",
        Kind::GlobalStateAccumulation => "global state that accumulates",
        Kind::CircularReferences => "reference cycles the garbage collector keeps",
        _ => "a leak",
    }
}

/// What a finding's title says after `container: ` (the leak patterns' form).
fn after_name(f: &Finding) -> &str {
    match &f.container {
        Some(c) => f.title.strip_prefix(c.as_str()).and_then(|t| t.strip_prefix(": ")).unwrap_or(&f.title),
        // Text naming no pod: its container is the placeholder `(default)`.
        None => f
            .title
            .strip_prefix(crate::parse::logs::DEFAULT_CONTAINER)
            .and_then(|t| t.strip_prefix(": "))
            .unwrap_or(&f.title),
    }
}

fn plural(n: u32, one: &str) -> String {
    format!("{n} {one}{}", if n == 1 { "" } else { "s" })
}

fn headline(key: &Key, pod: Option<&Pod>, c: Option<&Container>, fs: &[&Finding]) -> String {
    let who = match (&key.2, &key.1) {
        (Some(c), _) => c.clone(),
        (None, Some(p)) => format!("pod {p}"),
        // A placeholder pod (text naming none, a selector's pods): no name to give.
        (None, None) => "a pod not named in the text".to_string(),
    };
    let has = |k: Kind| fs.iter().find(|f| f.kind == k).copied();
    let limit = c.and_then(|c| c.memory_limit.as_ref()).map(|l| format_bytes(l.value));
    let restarts = c.and_then(|c| c.restarts.as_ref()).map(|r| r.value).filter(|&n| n > 0);
    let run = c
        .and_then(|c| c.last_termination.as_ref())
        .and_then(|t| Some(t.finished?.duration_since(t.started?)))
        .filter(|d| !d.is_negative());
    let liveness = pod.zip(c).and_then(|(p, c)| detect::oom::outside_kill(p, c));
    // The symptom, with its numbers.
    let symptom = if has(Kind::OomKilled).is_some() || has(Kind::MemoryAtStart).is_some() {
        let mut s = "is OOM-killed".to_string();
        if let Some(l) = &limit {
            s.push_str(&format!(" at its {l} limit"));
        }
        if let Some(d) = run {
            s.push_str(&format!(" after running {}", detect::approx(d)));
        }
        if let Some(n) = restarts {
            s.push_str(&format!(" ({})", plural(n, "restart")));
        }
        s
    } else if let (Some(_), Some(detect::oom::OutsideKill::Liveness(_))) = (has(Kind::FrequentRestarts), &liveness) {
        let mut s = "is restarted by its liveness probe".to_string();
        if let Some(n) = restarts {
            s.push_str(&format!(" ({})", plural(n, "restart")));
        }
        s
    } else if let Some(f) = has(Kind::CrashLoop) {
        f.title.strip_prefix(&who).map(str::trim).unwrap_or("is in CrashLoopBackOff").to_string()
    } else if let Some(f) = has(Kind::MemoryGrowth) {
        f.title.strip_prefix(&who).map(str::trim).unwrap_or(after_name(f)).to_string()
    } else if let Some(f) = fs.first() {
        f.title.strip_prefix(&who).map(|t| t.trim_start_matches(':').trim()).unwrap_or(after_name(f)).to_string()
    } else {
        String::new()
    };
    // The cause.
    let patterns: Vec<&&Finding> = fs.iter().filter(|f| f.kind.is_pattern()).collect();
    let cause = if !patterns.is_empty() {
        let what: Vec<String> = patterns.iter().take(3).map(|f| after_name(f).to_string()).collect();
        let mut kinds: Vec<Kind> = Vec::new();
        for f in &patterns {
            if !kinds.contains(&f.kind) {
                kinds.push(f.kind);
            }
        }
        let names: Vec<&str> = kinds.iter().map(|&k| pattern_name(k)).collect();
        let numbers: Vec<String> = kinds.iter().filter_map(|&k| pattern_number(k)).map(|n| n.to_string()).collect();
        let runbook = match numbers.len() {
            0 => String::new(),
            1 => format!(", runbook pattern {}", numbers[0]),
            _ => format!(
                ", runbook patterns {} and {}",
                numbers[..numbers.len() - 1].join(", "),
                numbers[numbers.len() - 1]
            ),
        };
        format!("{} ({}{runbook})", what.join("; "), join_and(&names))
    } else if has(Kind::MemoryAtStart).is_some() {
        "nothing shows memory growing during a run, so it needs more than its limit soon after start, or grows very \
fast (take `top` samples during a run to tell)"
            .to_string()
    } else if let (Some(_), Some(detect::oom::OutsideKill::Liveness(_))) = (has(Kind::FrequentRestarts), &liveness) {
        "its health endpoint does not answer within the probe's timeout; memory is not the cause".to_string()
    } else if let Some(f) = has(Kind::MemoryGrowth).filter(|_| has(Kind::OomKilled).is_some()) {
        format!(
            "{} (the object that grows is not named in the logs)",
            f.title.strip_prefix(&who).map(str::trim).unwrap_or(&f.title)
        )
    } else if has(Kind::MemoryGrowth).is_some() {
        "the object that grows is not named in the logs".to_string()
    } else {
        String::new()
    };
    let mut h = format!("{who} {symptom}");
    if !cause.is_empty() {
        h.push_str(": ");
        h.push_str(&cause);
    }
    h
}

fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [a] => a.to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The advice of a diagnosis, each piece once: the fix, how to confirm, how to live
/// with it meanwhile.
fn advice(fs: &[&Finding]) -> Vec<String> {
    let has = |k: Kind| fs.iter().any(|f| f.kind == k);
    let pattern = fs.iter().any(|f| f.kind.is_pattern());
    let at_start = has(Kind::MemoryAtStart);
    let leak = pattern || has(Kind::MemoryGrowth) || has(Kind::MemoryError);
    let mut fix: Vec<String> = Vec::new();
    let push = |v: &mut Vec<String>, s: &str| {
        let s = s.trim();
        if !s.is_empty() && !v.iter().any(|x| x == s) {
            v.push(s.to_string());
        }
    };
    for f in fs {
        let piece: String = match f.kind {
            Kind::CircularReferences => gc::FIX.to_string(),
            k if k.is_pattern() => log_patterns::advice(k).to_string(),
            Kind::MemoryAtStart => growth::AT_START_ADVICE.to_string(),
            Kind::MemoryGrowth if pattern => continue,
            Kind::MemoryGrowth => GROWTH_FIX.to_string(),
            // The cause is known: the OOM kill's general advice would only repeat it.
            Kind::OomKilled | Kind::CrashLoop if pattern || at_start || has(Kind::MemoryGrowth) => continue,
            _ => strip_shared(&f.advice),
        };
        push(&mut fix, &piece);
    }
    if leak || (has(Kind::OomKilled) && !at_start) {
        push(&mut fix, CONFIRM_IN_POD);
    }
    if leak {
        push(&mut fix, growth::RECYCLE);
    }
    fix
}

/// What to do about growth when no pattern names the object.
const GROWTH_FIX: &str = "Find the object that accumulates: log `len()` of the service's long-lived lists, dicts, \
caches and registries periodically, next to the process's RSS; the one that grows with memory is the leak.";

/// A finding's advice without the pieces every leak finding shares (said once in the
/// diagnosis).
fn strip_shared(advice: &str) -> String {
    advice.replace(CONFIRM_IN_POD, "").replace(growth::RECYCLE, "").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::testutil::*;
    use crate::model::{ContainerState, Fact};

    fn finding(kind: Kind, sev: Severity, c: &str, title: &str, advice: &str) -> Finding {
        let mut f = Finding::new(kind, sev);
        f.namespace = Some("shop".into());
        f.pod = Some("w-1".into());
        f.container = Some(c.into());
        f.title = title.into();
        f.advice = advice.into();
        f.evidence.push(o(1));
        f
    }

    fn model() -> Model {
        let mut c = container("worker", Some(256));
        c.restarts = Some(Fact::new(2, o(3)));
        c.last_termination = Some(ContainerState {
            state: "terminated".into(),
            reason: Some("OOMKilled".into()),
            exit_code: Some(137),
            started: Some(ts("2026-11-24T10:00:00Z")),
            finished: Some(ts("2026-11-24T10:00:30Z")),
            origin: o(4),
        });
        model_with(vec![pod("w-1", vec![c, container("side", Some(64))])])
    }

    #[test]
    fn one_diagnosis_per_container_root_cause_first_advice_once() {
        let shared = format!("x {CONFIRM_IN_POD}");
        let fs = vec![
            finding(Kind::OomKilled, Severity::Critical, "worker", "worker was OOMKilled", &shared),
            finding(Kind::MemoryGrowth, Severity::Critical, "worker", "worker grew 29 GiB/h", &shared),
            finding(
                Kind::UnboundedCollection,
                Severity::Critical,
                "worker",
                "worker: `results list has <num> items` grew steadily from 2500 to 225000 over 29s",
                &shared,
            ),
            finding(Kind::LargeObjectRetention, Severity::Warning, "worker", "worker: `images kept` grew", &shared),
        ];
        let d = diagnose(&model(), &fs);
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].kinds,
            vec![Kind::UnboundedCollection, Kind::LargeObjectRetention, Kind::MemoryGrowth, Kind::OomKilled]
        );
        assert_eq!(d[0].findings, vec![2, 3, 1, 0]);
        assert_eq!(
            d[0].headline,
            "worker is OOM-killed at its 256Mi limit after running ~30s (2 restarts): `results list has <num> items` \
grew steadily from 2500 to 225000 over 29s; `images kept` grew (an unbounded collection and large objects kept \
referenced, runbook patterns 1 and 3)"
        );
        assert_eq!(d[0].advice.iter().filter(|a| a.as_str() == CONFIRM_IN_POD).count(), 1);
        assert_eq!(d[0].advice[0], log_patterns::advice(Kind::UnboundedCollection));
        assert_eq!(d[0].advice.last().map(String::as_str), Some(growth::RECYCLE));
    }

    #[test]
    fn info_alone_is_no_diagnosis_and_containers_stay_apart() {
        // Negative control: an info finding is not a problem; two containers, two diagnoses.
        let fs = vec![finding(Kind::NoMemoryLimit, Severity::Info, "side", "side has no memory limit", "set one")];
        assert!(diagnose(&model(), &fs).is_empty());
        let fs = vec![
            finding(Kind::OomKilled, Severity::Critical, "worker", "worker was OOMKilled", "a"),
            finding(Kind::MemoryNearLimit, Severity::Warning, "side", "side uses 60Mi of its 64Mi limit", "b"),
        ];
        let d = diagnose(&model(), &fs);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].container.as_deref(), Some("worker"));
        assert_eq!(d[1].headline, "side uses 60Mi of its 64Mi limit");
    }

    #[test]
    fn memory_at_start_headline_and_advice() {
        let fs = vec![
            finding(
                Kind::OomKilled,
                Severity::Critical,
                "worker",
                "worker was OOMKilled",
                &format!("a {CONFIRM_IN_POD}"),
            ),
            finding(Kind::MemoryAtStart, Severity::Critical, "worker", "worker is OOM-killed soon after start", "z"),
        ];
        let d = diagnose(&model(), &fs);
        assert_eq!(d[0].kinds, vec![Kind::MemoryAtStart, Kind::OomKilled]);
        assert!(d[0].headline.contains("needs more than its limit soon after start"), "{}", d[0].headline);
        assert_eq!(d[0].advice, vec![growth::AT_START_ADVICE.to_string()]);
    }
}
