//! Workloads: the pods of one owner judged together, and a verdict that compares the
//! replicas (issue 23).
//!
//! **Grouping.** A pod belongs to the workload its controller names: `ownerReferences`
//! (`-o json`/`-o yaml`) or describe's `Controlled By:`. A ReplicaSet `NAME-<hash>`, the
//! hash in the alphabet Kubernetes writes pod-template hashes in
//! (`bcdfghjklmnpqrstvwxz2456789`), is Deployment `NAME`; other ReplicaSets stay
//! ReplicaSets; StatefulSet, DaemonSet and Job are taken as they are; a pod controlled by
//! a node (a static pod) is no workload's. Without an owner the name says it:
//! `NAME-<hash>-<5 chars>` is Deployment `NAME`, `NAME-<n>` StatefulSet `NAME`, and
//! `NAME-<5 chars>` is `NAME` of an unknown kind (a DaemonSet's or a Job's pods look
//! alike). Pods are grouped only by the exact `NAME` (and namespace): `api-…` and
//! `api-worker-…` are two workloads, never one guessed from a shared prefix. A pod whose
//! name fits no pattern (`debug-shell`) is in no workload.
//!
//! **The verdict.** For each workload: how many replicas grow (a `memory-growth`
//! finding), how many were OOM-killed or restarted, the growth rates' range (Theil–Sen
//! slope of each replica's memory), and what the growing replicas share that the flat
//! ones do not: node, ReplicaSet (the pod template), image, image digest, containers, QoS
//! class, memory limit, restarted or not, started before or after all the others. A
//! shared trait is stated only when the split is clean: every growing replica has it,
//! no flat one has it (and every flat one's value is known), and the rates are apart: the
//! slowest growing replica grows at least twice as fast as the fastest flat one and
//! faster than that one plus three times the flat ones' spread. Replicas whose growth
//! differs only by noise are not split: the headline says so and names no trait.
//!
//! **Diagnoses.** A workload of two or more replicas with a diagnosis gets a verdict
//! diagnosis, placed before its replicas' own: its findings are theirs (the evidence
//! behind it), its kinds and advice the union of theirs. Replica diagnoses that only
//! repeat growth (`memory-growth`, `memory-near-limit`, `no-memory-limit`) are folded
//! into it; those with more to say (an OOM kill, a leak pattern) stay after it.
//!
//! Example: 40 replicas of Deployment `api`, 6 rising ~144 MiB/h on node ip-10-0-3-17,
//! 34 flat elsewhere: "6 of 40 replicas of api grow 141–146 MiB/h (34 flat); all 6 run on
//! node ip-10-0-3-17, none of the flat ones do".

use std::collections::HashMap;

use jiff::Timestamp;

use crate::detect::{self, oom, rate_per_hour};
use crate::diagnose::rank;
use crate::finding::{Diagnosis, Finding, Kind, Replica, Workload};
use crate::model::{self, Model, Pod};
use crate::stats;

/// The alphabet of Kubernetes' generated name parts (`rand.SafeEncodeString`).
const SAFE: &str = "bcdfghjklmnpqrstvwxz2456789";

fn is_hash(s: &str) -> bool {
    (5..=10).contains(&s.len()) && s.chars().all(|c| SAFE.contains(c))
}

/// A generated pod suffix: five characters of the same alphabet (so `debug-shell` is no
/// DaemonSet's pod).
fn is_suffix(s: &str) -> bool {
    s.len() == 5 && s.chars().all(|c| SAFE.contains(c))
}

/// The workload a pod belongs to: kind and name.
pub fn owner_of(pod: &Pod) -> Option<(Option<&'static str>, String)> {
    if model::is_placeholder_pod(&pod.name) {
        return None;
    }
    if let Some(o) = &pod.owner {
        return match o.kind.as_str() {
            "ReplicaSet" => match o.name.rsplit_once('-') {
                Some((base, hash)) if !base.is_empty() && is_hash(hash) => Some((Some("Deployment"), base.to_string())),
                _ => Some((Some("ReplicaSet"), o.name.clone())),
            },
            "StatefulSet" => Some((Some("StatefulSet"), o.name.clone())),
            "DaemonSet" => Some((Some("DaemonSet"), o.name.clone())),
            "Job" => Some((Some("Job"), o.name.clone())),
            "Node" => None,
            _ => Some((None, o.name.clone())),
        };
    }
    let (rest, last) = pod.name.rsplit_once('-')?;
    if rest.is_empty() {
        return None;
    }
    if is_suffix(last) {
        if let Some((base, hash)) = rest.rsplit_once('-') {
            if !base.is_empty() && is_hash(hash) {
                return Some((Some("Deployment"), base.to_string()));
            }
        }
        return Some((None, rest.to_string()));
    }
    if !last.is_empty() && last.len() <= 5 && last.chars().all(|c| c.is_ascii_digit()) {
        return Some((Some("StatefulSet"), rest.to_string()));
    }
    None
}

/// The pod-template hash of a Deployment's pod (from its ReplicaSet, else its name).
fn template(pod: &Pod) -> Option<String> {
    if let Some(o) = pod.owner.as_ref().filter(|o| o.kind == "ReplicaSet") {
        return Some(o.name.clone());
    }
    let (rest, last) = pod.name.rsplit_once('-')?;
    let (_, hash) = rest.rsplit_once('-')?;
    (is_suffix(last) && is_hash(hash)).then(|| rest.to_string())
}

/// The pods grouped into workloads (pods in no workload left out), in the order their
/// first pod appears; each with its replicas measured, no headline yet.
pub fn group(model: &Model, findings: &[Finding]) -> Vec<Workload> {
    let by_pod = FindingsByPod::new(findings);
    let mut out: Vec<Workload> = Vec::new();
    // (namespace, name) → the workloads of that name (kinds apart), so grouping stays
    // linear with thousands of pods.
    let mut index: HashMap<(Option<&str>, String), Vec<usize>> = HashMap::new();
    for (i, pod) in model.pods.iter().enumerate() {
        let Some((kind, name)) = owner_of(pod) else { continue };
        let replica = measure(model, &by_pod, findings, i);
        // Pods named by pattern only join the same name; an owner's kind wins over none.
        let slots = index.entry((pod.namespace.as_deref(), name.clone())).or_default();
        match slots.iter().copied().find(|&w| compatible(out[w].kind, kind)) {
            Some(w) => {
                let w = &mut out[w];
                w.kind = w.kind.or(kind);
                w.replicas.push(replica);
            }
            None => {
                slots.push(out.len());
                out.push(Workload {
                    namespace: pod.namespace.clone(),
                    name,
                    kind,
                    replicas: vec![replica],
                    headline: String::new(),
                });
            }
        }
    }
    out
}

/// The findings of each pod (namespace, name), found once.
struct FindingsByPod(HashMap<(Option<String>, String), Vec<usize>>);

impl FindingsByPod {
    fn new(findings: &[Finding]) -> Self {
        let mut m: HashMap<(Option<String>, String), Vec<usize>> = HashMap::new();
        for (i, f) in findings.iter().enumerate() {
            if let Some(p) = &f.pod {
                m.entry((f.namespace.clone(), p.clone())).or_default().push(i);
            }
        }
        FindingsByPod(m)
    }

    fn of(&self, pod: &Pod) -> &[usize] {
        self.0.get(&(pod.namespace.clone(), pod.name.clone())).map(Vec::as_slice).unwrap_or(&[])
    }
}

fn compatible(a: Option<&str>, b: Option<&str>) -> bool {
    a.is_none() || b.is_none() || a == b
}

/// The memory of one pod at a glance.
fn measure(model: &Model, by_pod: &FindingsByPod, findings: &[Finding], i: usize) -> Replica {
    let pod = &model.pods[i];
    let mine = || by_pod.of(pod).iter().filter_map(|&i| findings.get(i));
    let growing = mine().any(|f| f.kind == Kind::MemoryGrowth);
    let oom_killed = detect::app_containers(pod).any(|c| oom::container_oom_killed(pod, c))
        || mine().any(|f| f.kind == Kind::OomKilled);
    let restarts = pod
        .restarts
        .as_ref()
        .map(|r| r.value)
        .unwrap_or_else(|| detect::app_containers(pod).filter_map(|c| c.restarts.as_ref()).map(|r| r.value).sum());
    let series = series(pod);
    let slope = slope(&series);
    let apps: Vec<_> = detect::app_containers(pod).collect();
    let limit = (!apps.is_empty() && apps.iter().all(|c| c.memory_limit.is_some()))
        .then(|| apps.iter().filter_map(|c| c.memory_limit.as_ref()).fold(0u64, |a, l| a.saturating_add(l.value)));
    Replica { pod: i, growing, oom_killed, restarts, slope, last: series.last().map(|p| p.1), limit }
}

/// A pod's memory over time: its own samples, else its app containers' summed per
/// `top` run; ordered, with times when the bundle gives them.
pub fn series(pod: &Pod) -> Vec<(Option<Timestamp>, u64)> {
    if !pod.memory_samples.is_empty() {
        return detect::sorted_samples(&pod.memory_samples).into_iter().map(|s| (s.at, s.bytes)).collect();
    }
    let mut runs: std::collections::BTreeMap<(u32, Option<Timestamp>), u64> = std::collections::BTreeMap::new();
    for c in detect::app_containers(pod) {
        for s in &c.memory_samples {
            let e = runs.entry((s.seq, s.at)).or_default();
            *e = e.saturating_add(s.bytes);
        }
    }
    let mut v: Vec<(Option<Timestamp>, u32, u64)> = runs.into_iter().map(|((seq, at), b)| (at, seq, b)).collect();
    v.sort_by_key(|&(at, seq, _)| (at, seq));
    v.into_iter().map(|(at, _, b)| (at, b)).collect()
}

/// Bytes per hour, from three or more timed points.
fn slope(series: &[(Option<Timestamp>, u64)]) -> Option<f64> {
    let timed: Vec<(Timestamp, u64)> = series.iter().filter_map(|&(t, b)| Some((t?, b))).collect();
    let t0 = timed.first()?.0;
    if timed.len() < 3 {
        return None;
    }
    let x: Vec<f64> = timed.iter().map(|(t, _)| t.duration_since(t0).as_secs_f64() / 3600.0).collect();
    let y: Vec<f64> = timed.iter().map(|&(_, b)| b as f64).collect();
    stats::theil_sen(&x, &y).map(|l| l.slope).filter(|s| s.is_finite())
}

/// Groups the pods, writes each workload's headline, and puts a verdict diagnosis
/// before the replicas' own for every workload of two or more replicas with one.
pub fn judge(model: &Model, findings: &[Finding], diagnoses: &mut Vec<Diagnosis>) -> Vec<Workload> {
    let mut workloads = group(model, findings);
    let by_pod = FindingsByPod::new(findings);
    for w in &mut workloads {
        w.headline = headline(model, w);
        w.headline.push_str(&cause(model, &by_pod, findings, w));
    }
    // The workload (of two or more replicas) of each replica diagnosis.
    let mut of_pod: HashMap<(Option<&str>, &str), usize> = HashMap::new();
    for (n, w) in workloads.iter().enumerate().filter(|(_, w)| w.replicas.len() >= 2) {
        for r in &w.replicas {
            if let Some(p) = model.pods.get(r.pod) {
                of_pod.insert((p.namespace.as_deref(), p.name.as_str()), n);
            }
        }
    }
    let workload_of = |d: &Diagnosis| -> Option<usize> {
        if d.workload.is_some() {
            return None;
        }
        of_pod.get(&(d.namespace.as_deref(), d.pod.as_deref()?)).copied()
    };
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); workloads.len()];
    for (i, d) in diagnoses.iter().enumerate() {
        if let Some(w) = workload_of(d) {
            members[w].push(i);
        }
    }
    // Replica diagnoses that only repeat growth are folded into the verdict.
    let repeats = |d: &Diagnosis| {
        d.kinds.iter().all(|k| matches!(k, Kind::MemoryGrowth | Kind::MemoryNearLimit | Kind::NoMemoryLimit))
    };
    let mut out: Vec<Diagnosis> = Vec::with_capacity(diagnoses.len());
    for (i, d) in diagnoses.iter().enumerate() {
        let w = workload_of(d);
        // The verdict comes where its first replica's diagnosis was.
        if let Some(w) = w.filter(|&w| members[w].first() == Some(&i)) {
            out.push(verdict(&workloads[w], &members[w], diagnoses, findings));
        }
        if w.is_none() || !repeats(d) {
            out.push(d.clone());
        }
    }
    *diagnoses = out;
    workloads
}

/// The verdict diagnosis of a workload whose replicas have the diagnoses `members`.
fn verdict(w: &Workload, members: &[usize], diagnoses: &[Diagnosis], findings: &[Finding]) -> Diagnosis {
    let mut idx: Vec<usize> = members.iter().flat_map(|&i| diagnoses[i].findings.iter().copied()).collect();
    idx.sort_by_key(|&i| (findings.get(i).map(|f| rank(f.kind)).unwrap_or(u8::MAX), i));
    idx.dedup();
    let mut kinds: Vec<Kind> = Vec::new();
    for &i in &idx {
        if let Some(f) = findings.get(i) {
            if !kinds.contains(&f.kind) {
                kinds.push(f.kind);
            }
        }
    }
    let mut advice: Vec<String> = Vec::new();
    for &i in members {
        for a in &diagnoses[i].advice {
            if !advice.contains(a) {
                advice.push(a.clone());
            }
        }
    }
    let container = members.first().and_then(|&i| diagnoses[i].container.clone());
    let same = members.iter().all(|&i| diagnoses[i].container == container);
    Diagnosis {
        severity: members.iter().map(|&i| diagnoses[i].severity).max().unwrap_or(crate::finding::Severity::Info),
        namespace: w.namespace.clone(),
        pod: None,
        container: if same { container } else { None },
        headline: w.headline.clone(),
        kinds,
        findings: idx,
        advice,
        workload: Some(w.name.clone()),
    }
}

/// The leak patterns the replicas' logs or tools show, and in how many replicas:
/// `; the logs show a cache without eviction (runbook pattern 2) in 2 of them`.
fn cause(model: &Model, by_pod: &FindingsByPod, findings: &[Finding], w: &Workload) -> String {
    let mut kinds: Vec<(Kind, usize)> = Vec::new();
    for r in &w.replicas {
        let Some(pod) = model.pods.get(r.pod) else { continue };
        let mut seen: Vec<Kind> = Vec::new();
        for f in by_pod.of(pod).iter().filter_map(|&i| findings.get(i)).filter(|f| f.kind.is_pattern()) {
            if !seen.contains(&f.kind) {
                seen.push(f.kind);
            }
        }
        for k in seen {
            match kinds.iter_mut().find(|(x, _)| *x == k) {
                Some((_, n)) => *n += 1,
                None => kinds.push((k, 1)),
            }
        }
    }
    if kinds.is_empty() {
        return String::new();
    }
    let n = w.replicas.len();
    let parts: Vec<String> = kinds
        .iter()
        .map(|&(k, count)| {
            let number =
                crate::diagnose::pattern_number(k).map(|p| format!(" (runbook pattern {p})")).unwrap_or_default();
            let r#where = match (count, n) {
                (1, 1) => String::new(),
                (c, n) if c == n && n == 2 => " in both".to_string(),
                (c, n) if c == n => format!(" in all {n}"),
                (c, n) => format!(" in {c} of {n}"),
            };
            format!("{}{number}{where}", crate::diagnose::pattern_name(k))
        })
        .collect();
    format!("; the logs show {}", parts.join(", "))
}

/// A rate range: `140–150 MiB/h`, or one rate when both print alike.
fn rate_range(lo: f64, hi: f64) -> String {
    let (a, b) = (rate_per_hour(lo), rate_per_hour(hi));
    if a == b {
        return a;
    }
    match (a.rsplit_once(' '), b.rsplit_once(' ')) {
        (Some((x, ua)), Some((y, ub))) if ua == ub => format!("{x}–{y} {ub}"),
        _ => format!("{a} to {b}"),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A trait of each replica, by one of the comparisons.
fn traits(model: &Model, w: &Workload) -> Vec<(&'static str, Vec<Option<String>>)> {
    let pod = |r: &Replica| &model.pods[r.pod];
    let apps = |p: &Pod| detect::app_containers(p).map(|c| c.name.clone()).collect::<Vec<_>>();
    let joined = |v: Vec<Option<String>>| -> Option<String> {
        if v.is_empty() || v.iter().any(Option::is_none) {
            None
        } else {
            Some(v.into_iter().flatten().collect::<Vec<_>>().join(", "))
        }
    };
    let each = |f: &dyn Fn(&Pod) -> Option<String>| w.replicas.iter().map(|r| f(pod(r))).collect::<Vec<_>>();
    vec![
        ("run on node", each(&|p| p.node.clone())),
        ("belong to ReplicaSet", each(&|p| template(p))),
        ("run image", each(&|p| joined(detect::app_containers(p).map(|c| c.image.clone()).collect()))),
        ("run image digest", each(&|p| joined(detect::app_containers(p).map(|c| c.image_id.clone()).collect()))),
        ("have containers", each(&|p| (!p.containers.is_empty()).then(|| apps(p).join(", ")))),
        ("have QoS class", each(&|p| p.qos_class.clone())),
        (
            "have a memory limit of",
            each(&|p| {
                joined(
                    detect::app_containers(p)
                        .map(|c| c.memory_limit.as_ref().map(|l| crate::quantity::format_bytes(l.value)))
                        .collect(),
                )
            }),
        ),
    ]
}

/// What every growing replica shares and no flat one has, when the split is clean.
/// Each as it follows "all 6 …": `run on node ip-10-0-3-17`.
fn shared(model: &Model, w: &Workload) -> Vec<String> {
    let mut out = Vec::new();
    for (phrase, values) in traits(model, w) {
        let grow: Vec<&Option<String>> =
            w.replicas.iter().zip(&values).filter(|(r, _)| r.growing).map(|x| x.1).collect();
        let flat: Vec<&Option<String>> =
            w.replicas.iter().zip(&values).filter(|(r, _)| !r.growing).map(|x| x.1).collect();
        let Some(Some(v)) = grow.first() else { continue };
        if grow.iter().all(|g| g.as_ref() == Some(v)) && flat.iter().all(|f| f.as_ref().is_some_and(|f| f != v)) {
            out.push(format!("{phrase} {v}"));
        }
    }
    // Restarted or not.
    let grow_restarted: Vec<bool> = w.replicas.iter().filter(|r| r.growing).map(|r| r.restarts > 0).collect();
    let flat_restarted: Vec<bool> = w.replicas.iter().filter(|r| !r.growing).map(|r| r.restarts > 0).collect();
    if grow_restarted.iter().all(|&b| b) && flat_restarted.iter().all(|&b| !b) {
        out.push("restarted".into());
    } else if grow_restarted.iter().all(|&b| !b) && flat_restarted.iter().all(|&b| b) {
        out.push("never restarted".into());
    }
    // Started before or after every flat replica.
    let start = |r: &Replica| model.pods[r.pod].start_time;
    let gs: Option<Vec<Timestamp>> = w.replicas.iter().filter(|r| r.growing).map(start).collect();
    let fs: Option<Vec<Timestamp>> = w.replicas.iter().filter(|r| !r.growing).map(start).collect();
    if let (Some(gs), Some(fs)) = (gs, fs) {
        let (gmin, gmax, fmin, fmax) = (gs.iter().min(), gs.iter().max(), fs.iter().min(), fs.iter().max());
        if let (Some(&gmin), Some(&gmax), Some(&fmin), Some(&fmax)) = (gmin, gmax, fmin, fmax) {
            if gmin > fmax {
                out.push(format!("started after {}", detect::when(fmax)));
            } else if gmax < fmin {
                out.push(format!("started before {}", detect::when(fmin)));
            }
        }
    }
    out
}

/// Whether the growing replicas' rates stand apart from the flat ones' (module docs).
fn clean_split(w: &Workload) -> bool {
    let grow: Vec<f64> = w.replicas.iter().filter(|r| r.growing).filter_map(|r| r.slope).collect();
    let flat: Vec<f64> = w.replicas.iter().filter(|r| !r.growing).filter_map(|r| r.slope).collect();
    if grow.is_empty() || flat.is_empty() {
        return false;
    }
    let gmin = grow.iter().copied().fold(f64::INFINITY, f64::min);
    let fmax = flat.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let fmin = flat.iter().copied().fold(f64::INFINITY, f64::min);
    gmin >= 2.0 * fmax.max(0.0) && gmin > fmax + 3.0 * (fmax - fmin)
}

/// The verdict in one sentence.
pub fn headline(model: &Model, w: &Workload) -> String {
    let name = &w.name;
    let n = w.replicas.len();
    let g = w.replicas.iter().filter(|r| r.growing).count();
    let rates: Vec<f64> = w.replicas.iter().filter(|r| r.growing).filter_map(|r| r.slope).collect();
    let range = || -> String {
        let lo = rates.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = rates.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if rates.is_empty() {
            String::new()
        } else {
            format!(" {}", rate_range(lo, hi))
        }
    };
    let of = if n == 1 { format!("the one replica of {name}") } else { format!("the {n} replicas of {name}") };
    let mut h = if g == 0 {
        if n == 1 {
            format!("{of} does not grow")
        } else {
            format!("none of {of} grows")
        }
    } else if g == n {
        if n == 1 {
            format!("{of} grows{}", range())
        } else {
            let all = if n == 2 { "both".to_string() } else { format!("all {n}") };
            format!("{all} replicas of {name} grow{}: a path every replica runs leaks", range())
        }
    } else {
        let flat = n - g;
        let mut h = format!("{g} of {n} replicas of {name} grow{} ({flat} flat)", range());
        if clean_split(w) {
            let t = shared(model, w);
            if t.is_empty() {
                h.push_str(
                    "; they share no node, ReplicaSet, image, limit or start time the flat ones lack: compare the \
traffic they get",
                );
            } else {
                let phrases = t;
                let all = if g == 1 { "it".to_string() } else { format!("all {g}") };
                let none = if flat == 1 { "the flat one does not" } else { "none of the flat ones do" };
                h.push_str(&format!("; {all} {}, {none}", phrases.join(" and ")));
            }
        } else {
            let fmax = w.replicas.iter().filter(|r| !r.growing).filter_map(|r| r.slope).fold(f64::NAN, f64::max);
            if fmax.is_finite() && fmax > 0.0 {
                h.push_str(&format!(
                    "; the others grow up to {}: the difference is noise, not a split",
                    rate_per_hour(fmax)
                ));
            }
        }
        h
    };
    let oom = w.replicas.iter().filter(|r| r.oom_killed).count();
    let restarted = w.replicas.iter().filter(|r| r.restarts > 0).count();
    if oom > 0 {
        h.push_str(&format!("; {} OOM-killed", plural(oom, "was", "were")));
    } else if restarted > 0 {
        h.push_str(&format!("; {} restarted", plural(restarted, "was", "were")));
    }
    // Capitalise nothing: headlines start with a number or a word, as diagnoses' do.
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::testutil::*;
    use crate::finding::Severity;
    use crate::model::{Fact, Owner};

    fn replica(name: &str, node: &str, mib: &[u64]) -> Pod {
        let mut c = container("api", Some(1024));
        c.memory_samples = samples(mib, 5);
        let mut p = pod(name, vec![c]);
        p.node = Some(node.into());
        p
    }

    fn growth(name: &str) -> Finding {
        let mut f = Finding::new(Kind::MemoryGrowth, Severity::Warning);
        f.namespace = Some("shop".into());
        f.pod = Some(name.into());
        f.container = Some("api".into());
        f.title = "api grew".into();
        f.evidence.push(o(100));
        f
    }

    fn names(model: &Model, w: &Workload) -> Vec<String> {
        w.pod_names(model, |_| true).into_iter().map(String::from).collect()
    }

    #[test]
    fn owners_from_references_and_names() {
        let p = |name: &str| pod(name, vec![]);
        assert_eq!(owner_of(&p("api-7d9f8b6c5d-x2x9k")), Some((Some("Deployment"), "api".into())));
        assert_eq!(owner_of(&p("api-worker-5c8d7f9b4-bcdfg")), Some((Some("Deployment"), "api-worker".into())));
        assert_eq!(owner_of(&p("db-0")), Some((Some("StatefulSet"), "db".into())));
        assert_eq!(owner_of(&p("fluentd-x2x9k")), Some((None, "fluentd".into())));
        // Negative controls: names of no pattern; `server` is no template hash (vowels).
        assert_eq!(owner_of(&p("debug-shell")), None);
        assert_eq!(owner_of(&p("standalone")), None);
        assert_eq!(owner_of(&p("api-server-bcdfg")), Some((None, "api-server".into())));
        assert_eq!(owner_of(&p("web-shell")), None, "`shell` is no generated suffix");
        assert_eq!(owner_of(&p(model::UNNAMED_POD)), None);
        let mut q = p("anything");
        q.owner = Some(Owner { kind: "ReplicaSet".into(), name: "api-7d9f8b6c5d".into() });
        assert_eq!(owner_of(&q), Some((Some("Deployment"), "api".into())));
        q.owner = Some(Owner { kind: "ReplicaSet".into(), name: "legacy".into() });
        assert_eq!(owner_of(&q), Some((Some("ReplicaSet"), "legacy".into())));
        q.owner = Some(Owner { kind: "Job".into(), name: "migrate-28461".into() });
        assert_eq!(owner_of(&q), Some((Some("Job"), "migrate-28461".into())));
        q.owner = Some(Owner { kind: "Node".into(), name: "ip-10-0-3-17".into() });
        assert_eq!(owner_of(&q), None, "a static pod");
    }

    #[test]
    fn similar_prefixes_are_two_workloads_and_a_pod_without_owner_none() {
        let m = model_with(vec![
            pod("api-7d9f8b6c5d-x2x9k", vec![]),
            pod("api-worker-5c8d7f9b4-bcdfg", vec![]),
            pod("api-7d9f8b6c5d-q4w8z", vec![]),
            pod("api-worker-5c8d7f9b4-zzzzz", vec![]),
            pod("db-0", vec![]),
            pod("db-1", vec![]),
            pod("debug-shell", vec![]),
        ]);
        let ws = group(&m, &[]);
        let got: Vec<(String, Option<&str>, Vec<String>)> =
            ws.iter().map(|w| (w.name.clone(), w.kind, names(&m, w))).collect();
        assert_eq!(
            got,
            vec![
                ("api".into(), Some("Deployment"), vec!["api-7d9f8b6c5d-x2x9k".into(), "api-7d9f8b6c5d-q4w8z".into()]),
                (
                    "api-worker".into(),
                    Some("Deployment"),
                    vec!["api-worker-5c8d7f9b4-bcdfg".into(), "api-worker-5c8d7f9b4-zzzzz".into()]
                ),
                ("db".into(), Some("StatefulSet"), vec!["db-0".into(), "db-1".into()]),
            ]
        );
    }

    fn fleet(growing: &[(&str, f64)], flat: &[(&str, f64)]) -> (Model, Vec<Finding>) {
        // `rate` MiB per 5 min step, 8 samples from 400 MiB.
        let series = |rate: f64| -> Vec<u64> { (0..8).map(|i| 400 + (rate * i as f64).round() as u64).collect() };
        let mut pods = Vec::new();
        let mut fs = Vec::new();
        for &(node, rate) in growing {
            let name =
                format!("api-7d9f8b6c5d-g{:04}", pods.len()).replace('0', "b").replace('1', "c").replace('3', "d");
            pods.push(replica(&name, node, &series(rate)));
            fs.push(growth(&name));
        }
        for &(node, rate) in flat {
            let name =
                format!("api-7d9f8b6c5d-f{:04}", pods.len()).replace('0', "b").replace('1', "c").replace('3', "d");
            pods.push(replica(&name, node, &series(rate)));
        }
        (model_with(pods), fs)
    }

    #[test]
    fn some_replicas_grow_on_one_node() {
        // 6 grow ~12 MiB per 5 min (144 MiB/h) on one node, 34 flat spread over others.
        let grow: Vec<(&str, f64)> = (0..6).map(|i| ("ip-10-0-3-17", 11.7 + 0.1 * i as f64)).collect();
        let nodes = ["ip-10-0-1-5", "ip-10-0-2-9"];
        let flat: Vec<(&str, f64)> = (0..34).map(|i| (nodes[i % 2], if i % 3 == 0 { 0.0 } else { 0.1 })).collect();
        let (m, fs) = fleet(&grow, &flat);
        let mut diagnoses = crate::diagnose::diagnose(&m, &fs);
        assert_eq!(diagnoses.len(), 6, "six replica diagnoses before");
        let ws = judge(&m, &fs, &mut diagnoses);
        assert_eq!(ws.len(), 1);
        assert_eq!(
            ws[0].headline,
            "6 of 40 replicas of api grow 141–146 MiB/h (34 flat); all 6 run on node ip-10-0-3-17, none of the flat \
ones do"
        );
        assert_eq!(ws[0].pod_names(&m, |r| r.growing).len(), 6);
        // One verdict; the six growth-only diagnoses are folded into it.
        assert_eq!(diagnoses.len(), 1);
        assert_eq!(diagnoses[0].workload.as_deref(), Some("api"));
        assert_eq!(diagnoses[0].findings.len(), 6);
        assert_eq!(diagnoses[0].kinds, vec![Kind::MemoryGrowth]);
        assert_eq!(diagnoses[0].container.as_deref(), Some("api"));
    }

    #[test]
    fn every_replica_grows() {
        let grow: Vec<(&str, f64)> = (0..4).map(|i| (["a", "b"][i % 2], 10.0 + i as f64 * 0.2)).collect();
        let (m, fs) = fleet(&grow, &[]);
        let ws = group(&m, &fs);
        let h = headline(&m, &ws[0]);
        assert_eq!(h, "all 4 replicas of api grow 120–127 MiB/h: a path every replica runs leaks");
    }

    #[test]
    fn noise_is_not_split() {
        // Negative control: rates 0–10 MiB/h where the detector happened to flag the two
        // fastest, both on one node: no trait is stated.
        let grow = [("n1", 0.8), ("n1", 0.75)];
        let flat: Vec<(&str, f64)> = (0..8).map(|i| ("n2", 0.1 * i as f64)).collect();
        let (m, fs) = fleet(&grow, &flat);
        let ws = group(&m, &fs);
        let h = headline(&m, &ws[0]);
        assert!(h.contains("the difference is noise, not a split"), "{h}");
        assert!(!h.contains("node"), "{h}");
    }

    #[test]
    fn a_clean_split_without_a_shared_trait_says_so_and_oom_kills_are_counted() {
        let grow = [("n1", 10.0), ("n2", 10.5)];
        let flat = [("n1", 0.0), ("n2", 0.1)];
        let (mut m, fs) = fleet(&grow, &flat);
        m.pods[0].restarts = Some(Fact::new(2, o(5)));
        let mut c = m.pods[0].containers[0].clone();
        c.last_termination = Some(model::ContainerState {
            state: "terminated".into(),
            reason: Some("OOMKilled".into()),
            exit_code: Some(137),
            ..model::ContainerState::default()
        });
        m.pods[0].containers[0] = c;
        let ws = group(&m, &fs);
        let h = headline(&m, &ws[0]);
        assert!(h.contains("they share no node"), "{h}");
        assert!(h.ends_with("; 1 was OOM-killed"), "{h}");
    }

    #[test]
    fn growing_replicas_of_a_newer_template_and_later_start() {
        let grow = [("n1", 10.0), ("n2", 10.5)];
        let flat = [("n1", 0.0), ("n2", 0.1)];
        let (mut m, fs) = fleet(&grow, &flat);
        for (i, p) in m.pods.iter_mut().enumerate() {
            p.owner = Some(Owner {
                kind: "ReplicaSet".into(),
                name: if i < 2 { "api-5c8d7f9b4".into() } else { "api-7d9f8b6c5d".into() },
            });
            p.start_time = Some(ts(if i < 2 { "2026-11-24T09:00:00Z" } else { "2026-11-23T09:00:00Z" }));
        }
        let ws = group(&m, &fs);
        assert_eq!(ws.len(), 1, "two ReplicaSets of one Deployment");
        let h = headline(&m, &ws[0]);
        assert!(
            h.contains("all 2 belong to ReplicaSet api-5c8d7f9b4 and started after 2026-11-23 09:00 UTC, none"),
            "{h}"
        );
    }

    #[test]
    fn a_replica_with_more_to_say_keeps_its_diagnosis_after_the_verdict() {
        let grow = [("n1", 10.0), ("n2", 10.5)];
        let (m, mut fs) = fleet(&grow, &[]);
        let mut oom = Finding::new(Kind::OomKilled, Severity::Critical);
        oom.namespace = Some("shop".into());
        oom.pod = m.pods.get(1).map(|p| p.name.clone());
        oom.container = Some("api".into());
        oom.title = "api was OOMKilled".into();
        oom.evidence.push(o(3));
        fs.insert(0, oom);
        let mut diagnoses = crate::diagnose::diagnose(&m, &fs);
        judge(&m, &fs, &mut diagnoses);
        assert_eq!(diagnoses.len(), 2);
        assert_eq!(diagnoses[0].workload.as_deref(), Some("api"));
        assert_eq!(diagnoses[0].severity, Severity::Critical);
        assert_eq!(diagnoses[0].kinds, vec![Kind::MemoryGrowth, Kind::OomKilled]);
        assert_eq!(diagnoses[1].pod, m.pods.get(1).map(|p| p.name.clone()));
    }

    #[test]
    fn patterns_in_the_replicas_are_the_cause() {
        let grow = [("n1", 10.0), ("n2", 10.5)];
        let (m, mut fs) = fleet(&grow, &[("n1", 0.0)]);
        for p in m.pods.iter().take(2) {
            let mut f = Finding::new(Kind::CacheWithoutEviction, Severity::Warning);
            f.namespace = Some("shop".into());
            f.pod = Some(p.name.clone());
            f.title = "api: `cache size` grew".into();
            f.evidence.push(o(7));
            fs.push(f);
        }
        let mut diagnoses = crate::diagnose::diagnose(&m, &fs);
        let ws = judge(&m, &fs, &mut diagnoses);
        assert!(
            ws[0].headline.ends_with("; the logs show a cache without eviction (runbook pattern 2) in 2 of 3"),
            "{}",
            ws[0].headline
        );
        assert_eq!(diagnoses[0].headline, ws[0].headline);
    }
}
