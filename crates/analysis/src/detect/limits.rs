//! `memory-near-limit` and `no-memory-limit`, with requests far below observed usage
//! told in their detail.
//!
//! Rules:
//! - `memory-near-limit`: the latest `top` sample of a container is at least
//!   [`near_limit_ratio`](super::Thresholds::near_limit_ratio) (90 %) of its limit; for
//!   pod-level samples (no container samples), of the sum of the container limits when
//!   every container has one. Warning; critical at 100 % or more.
//! - `no-memory-limit`: the container's spec was read (describe / `-o json`) and it has
//!   no memory limit. Warning when the pod was evicted, OOM-killed or memory grows,
//!   info otherwise (a flat service without a limit is a risk, not a fault).
//! - Requests: when the highest sample is at least
//!   [`request_below_usage_ratio`](super::Thresholds::request_below_usage_ratio) times
//!   the memory request, the detail of the finding above says so. Our call: requests
//!   have no kind of their own in the contract, and they matter exactly when the limit
//!   is near or missing (eviction order and node packing follow the request).
//!
//! Example: latest sample 470Mi with a 512Mi limit gives
//! "worker uses 470Mi of its 512Mi limit (92 %)".

use super::{app_containers, finding_for, sorted_samples, DetectorInput};
use crate::finding::{Finding, Kind, Severity};
use crate::model::{Container, Origin, Pod, Sample};
use crate::quantity::format_bytes;

fn request_note(cx: &DetectorInput<'_>, c: &Container, samples: &[Sample]) -> Option<(String, Vec<Origin>)> {
    let req = c.memory_request.as_ref()?;
    let peak = samples.iter().max_by_key(|s| s.bytes)?;
    if req.value == 0 || (peak.bytes as f64) < cx.t.request_below_usage_ratio * req.value as f64 {
        return None;
    }
    Some((
        format!(
            " Its memory request ({}) is far below the observed usage (up to {}, {:.1}×): the scheduler places the pod \
as if it needed {}, so the node is overcommitted, and under node memory pressure pods using more than their \
request are evicted first. Set the request near the steady usage.",
            format_bytes(req.value),
            format_bytes(peak.bytes),
            peak.bytes as f64 / req.value as f64,
            format_bytes(req.value)
        ),
        vec![req.origin, peak.origin],
    ))
}

pub fn detect(cx: &DetectorInput<'_>, out: &mut Vec<Finding>) {
    let spec_read = spec_read(cx);
    // Pods (and containers; `None` = the whole pod) that earlier detectors found in
    // trouble, collected once so this stays linear in pods and findings.
    type Key = (Option<String>, Option<String>, Option<String>);
    let troubled_set: std::collections::HashSet<Key> = out
        .iter()
        .filter(|f| {
            matches!(f.kind, Kind::Evicted | Kind::OomKilled | Kind::MemoryError)
                || (f.kind == Kind::MemoryGrowth && f.severity > Severity::Info)
        })
        .map(|f| (f.namespace.clone(), f.pod.clone(), f.container.clone()))
        .collect();
    for pod in &cx.model.pods {
        let troubled = |name: Option<&str>| {
            let key = |c: Option<&str>| (pod.namespace.clone(), Some(pod.name.clone()), c.map(str::to_string));
            troubled_set.contains(&key(name)) || troubled_set.contains(&key(None))
        };
        let mut new = Vec::new();
        for c in app_containers(pod) {
            if let Some(limit) = &c.memory_limit {
                if let Some(latest) = sorted_samples(&c.memory_samples).last() {
                    if let Some(mut f) = near(cx, pod, Some(c), latest, limit.value, vec![limit.origin]) {
                        if let Some((d, ev)) = request_note(cx, c, &c.memory_samples) {
                            f.detail.push_str(&d);
                            f.evidence.extend(ev);
                        }
                        new.push(f);
                    }
                }
            } else if spec_read && (c.image.is_some() || c.memory_request.is_some() || c.state.is_some()) {
                let sev = if troubled(Some(&c.name)) { Severity::Warning } else { Severity::Info };
                let mut f = finding_for(Kind::NoMemoryLimit, sev, pod, Some(c));
                let peak = c.memory_samples.iter().max_by_key(|s| s.bytes);
                f.title = format!("{} has no memory limit", c.name);
                if let Some(p) = peak {
                    f.title.push_str(&format!(" (uses up to {})", format_bytes(p.bytes)));
                    f.evidence.push(p.origin);
                }
                f.detail = "Without a limit the container may use all of the node's memory: a leak then shows up as \
node memory pressure, evictions of other pods, or the node's OOM killer picking a process, instead of a clean \
OOMKilled restart of this container."
                    .into();
                if let Some((d, ev)) = request_note(cx, c, &c.memory_samples) {
                    f.detail.push_str(&d);
                    f.evidence.extend(ev);
                }
                f.advice = "Set `resources.limits.memory` to the observed peak plus ~25 % headroom, and \
`resources.requests.memory` near the steady usage. A limit turns a slow leak into a visible, bounded failure."
                    .into();
                // Evidence: the line that names the container in the spec, else its request.
                f.evidence.extend(c.memory_request.as_ref().map(|r| r.origin));
                f.evidence.extend(c.state.as_ref().map(|s| s.origin));
                if f.evidence.is_empty() {
                    f.evidence.push(pod.origin);
                }
                new.push(f);
            }
        }
        let any_container_samples = app_containers(pod).any(|c| !c.memory_samples.is_empty());
        let cs: Vec<&Container> = app_containers(pod).collect();
        if !any_container_samples && !cs.is_empty() && cs.iter().all(|c| c.memory_limit.is_some()) {
            if let Some(latest) = sorted_samples(&pod.memory_samples).last() {
                let sum =
                    cs.iter().filter_map(|c| c.memory_limit.as_ref()).fold(0u64, |a, l| a.saturating_add(l.value));
                let origins = cs.iter().filter_map(|c| c.memory_limit.as_ref().map(|l| l.origin)).collect();
                if let Some(mut f) = near(cx, pod, None, latest, sum, origins) {
                    if let [c] = cs[..] {
                        if let Some((d, ev)) = request_note(cx, c, &pod.memory_samples) {
                            f.detail.push_str(&d);
                            f.evidence.extend(ev);
                        }
                    }
                    new.push(f);
                }
            }
        }
        out.extend(new);
    }
}

fn spec_read(cx: &DetectorInput<'_>) -> bool {
    use crate::model::SectionKind::*;
    cx.model.sections.is_empty()
        || cx.model.sections.iter().any(|s| matches!(s.kind, DescribePod | GetPodsJson | GetPodsYaml))
}

fn near(
    cx: &DetectorInput<'_>,
    pod: &Pod,
    c: Option<&Container>,
    latest: &Sample,
    limit: u64,
    limit_origins: Vec<Origin>,
) -> Option<Finding> {
    if limit == 0 {
        return None;
    }
    let ratio = latest.bytes as f64 / limit as f64;
    if ratio < cx.t.near_limit_ratio {
        return None;
    }
    let sev = if ratio >= 1.0 { Severity::Critical } else { Severity::Warning };
    let mut f = finding_for(Kind::MemoryNearLimit, sev, pod, c);
    let who = match c {
        Some(c) => c.name.clone(),
        None => format!("pod {}", pod.name),
    };
    let of = if c.is_some() { "its" } else { "its containers' summed" };
    f.title = format!(
        "{who} uses {} of {of} {} limit ({:.0} %)",
        format_bytes(latest.bytes),
        format_bytes(limit),
        ratio * 100.0
    );
    f.detail = format!(
        "The latest sample{} is {:.0} % of the limit: {} of headroom. `kubectl top` shows the working set, which is \
what the OOM killer compares with the limit; one large request or batch can cross it.",
        latest.at.map(|t| format!(" ({})", super::when(t))).unwrap_or_default(),
        ratio * 100.0,
        format_bytes(limit.saturating_sub(latest.bytes))
    );
    f.advice = "If memory is flat at this level, raise the limit to the peak plus ~25 % headroom. If it grows (see \
memory-growth), raising the limit only delays the OOM kill: find what accumulates."
        .into();
    f.evidence.push(latest.origin);
    f.evidence.extend(limit_origins);
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::super::{run, Thresholds};
    use crate::finding::Severity;
    use crate::model::Fact;

    #[test]
    fn near_limit_with_request_note() {
        let mut c = container("worker", Some(512));
        c.memory_request = Some(Fact::new(128 << 20, o(3)));
        c.memory_samples = samples(&[470, 471, 470, 469, 470], 10);
        let f = run(&model_with(vec![pod("w-1", vec![c])]), &Thresholds::default());
        assert_eq!(kinds(&f), vec!["memory-near-limit"]);
        assert_eq!(f[0].title, "worker uses 470Mi of its 512Mi limit (92 %)");
        assert!(f[0].detail.contains("request (128Mi) is far below"), "{}", f[0].detail);
    }

    #[test]
    fn below_ninety_percent_is_fine() {
        let mut c = container("worker", Some(512));
        c.memory_samples = samples(&[400], 10);
        assert!(run(&model_with(vec![pod("w-1", vec![c])]), &Thresholds::default()).is_empty());
    }

    #[test]
    fn no_limit_info_or_warning() {
        let mut c = container("worker", None);
        c.memory_samples = samples(&[300, 301, 300, 302, 301], 10);
        let f = run(&model_with(vec![pod("w-1", vec![c.clone()])]), &Thresholds::default());
        let nl: Vec<_> = f.iter().filter(|f| f.kind == "no-memory-limit").collect();
        assert_eq!(nl.len(), 1);
        assert_eq!(nl[0].severity, Severity::Info);
        assert_eq!(nl[0].title, "worker has no memory limit (uses up to 302Mi)");
        c.memory_samples = samples(&[300, 330, 360, 390, 420], 30);
        let f = run(&model_with(vec![pod("w-1", vec![c])]), &Thresholds::default());
        let nl: Vec<_> = f.iter().filter(|f| f.kind == "no-memory-limit").collect();
        assert_eq!(nl[0].severity, Severity::Warning);
    }

    #[test]
    fn unknown_spec_is_not_no_limit() {
        let mut c = container("worker", None);
        c.image = None;
        c.memory_samples = samples(&[300], 10);
        let f = run(&model_with(vec![pod("w-1", vec![c])]), &Thresholds::default());
        assert!(f.is_empty(), "{f:#?}");
    }

    #[test]
    fn pod_samples_vs_summed_limits() {
        let mut p = pod("w-1", vec![container("a", Some(256)), container("b", Some(256))]);
        p.memory_samples = samples(&[500], 10);
        let f = run(&model_with(vec![p]), &Thresholds::default());
        assert_eq!(f[0].title, "pod w-1 uses 500Mi of its containers' summed 512Mi limit (98 %)");
    }
}
