//! `evicted`: the kubelet evicted the pod, usually because the node ran low on memory.
//!
//! Rule: pod status `Evicted` (`get pods`, `describe`), a container state reason
//! `Evicted`, or an event with reason `Evicted`. The node's message ("The node was low
//! on resource: memory. … Container worker was using 1.5Gi, request is 256Mi …") is
//! quoted from the event, or from the `Message:` line that `describe` prints right after
//! `Status:`/`Reason:`. Critical. No thresholds.
//!
//! A message that names another resource (`ephemeral-storage`, `DiskPressure`) is a disk
//! or pid eviction, not a memory problem: no finding.
//!
//! Example: status `Evicted` and event `Evicted  The node was low on resource: memory.`
//! gives "pod worker-1 was evicted: The node was low on resource: memory."

use super::{app_containers, finding_for, DetectorInput};
use crate::finding::{Finding, Kind, Severity};
use crate::model::Origin;

/// The `Message:` line describe prints a few lines after `Status:` for an evicted pod.
fn describe_message(cx: &DetectorInput<'_>, status: Origin) -> Option<(Origin, String)> {
    (1..=4).find_map(|d| {
        let o = Origin { source: status.source, line: status.line.checked_add(d)? };
        let text = cx.model.line_text(o).trim();
        let msg = text.strip_prefix("Message:")?.trim();
        (!msg.is_empty()).then(|| (o, msg.to_string()))
    })
}

/// describe prints `Status: Failed` then `Reason: Evicted` for an evicted pod.
fn describe_reason_evicted(cx: &DetectorInput<'_>, status: Origin) -> bool {
    (1..=2).any(|d| {
        let Some(line) = status.line.checked_add(d) else {
            return false;
        };
        let text = cx.model.line_text(Origin { source: status.source, line });
        text.trim().strip_prefix("Reason:").is_some_and(|r| r.trim() == "Evicted")
    })
}

/// The kubelet's message names a resource other than memory (`ephemeral-storage`,
/// `DiskPressure`, `imagefs`, `nodefs`, `pid`).
fn other_resource(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    ["ephemeral-storage", "diskpressure", "imagefs", "nodefs", "low on resource: pid", "pidpressure"]
        .iter()
        .any(|w| m.contains(w))
}

pub fn detect(cx: &DetectorInput<'_>, out: &mut Vec<Finding>) {
    for pod in &cx.model.pods {
        let status = pod.status.as_ref().filter(|s| {
            s.value.eq_ignore_ascii_case("Evicted") || (s.value == "Failed" && describe_reason_evicted(cx, s.origin))
        });
        let events: Vec<_> = pod.events.iter().filter(|e| e.reason == "Evicted").collect();
        let states: Vec<_> = app_containers(pod)
            .filter_map(|c| c.state.as_ref().or(c.last_termination.as_ref()))
            .filter(|s| s.reason.as_deref() == Some("Evicted"))
            .collect();
        if status.is_none() && events.is_empty() && states.is_empty() {
            continue;
        }
        let mut f = finding_for(Kind::Evicted, Severity::Critical, pod, None);
        let mut message = events.iter().map(|e| (e.origin, e.message.clone())).next();
        if message.is_none() {
            message = status.and_then(|s| describe_message(cx, s.origin));
        }
        f.title = format!("pod {} was evicted", pod.name);
        if let Some((_, m)) = &message {
            let first = m.split(". ").next().unwrap_or(m).trim_end_matches('.');
            f.title.push_str(&format!(": {first}"));
        }
        let memory = message.as_ref().is_some_and(|(_, m)| m.contains("memory") || m.contains("MemoryPressure"));
        // A disk (or pid) eviction is not a memory problem: no finding of this kind.
        if !memory && message.as_ref().is_some_and(|(_, m)| other_resource(m)) {
            continue;
        }
        f.detail = if memory {
            "The node came under memory pressure and the kubelet evicted pods to free memory. Pods using more than \
their memory request are evicted first (BestEffort, then Burstable over their request)."
                .to_string()
        } else {
            "The kubelet evicted the pod to reclaim a node resource.".to_string()
        };
        if let Some((_, m)) = &message {
            f.detail.push_str(&format!(" The node said: \"{m}\""));
        }
        if let Some(q) = &pod.qos_class {
            f.detail.push_str(&format!(" QoS class: {q}."));
        }
        f.advice = "Set the memory request to the real steady usage and a memory limit above the peak, so the pod is \
OOM-killed alone instead of pressuring the node, and is scheduled where its memory fits. If usage keeps \
growing, that growth is the cause: see the memory-growth and log-pattern findings."
            .into();
        f.evidence.extend(status.map(|s| s.origin));
        f.evidence.extend(events.iter().map(|e| e.origin));
        f.evidence.extend(message.map(|(o, _)| o));
        f.evidence.extend(states.iter().map(|s| s.origin));
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::super::{run, Thresholds};
    use crate::model::{Event, Fact};

    #[test]
    fn evicted_quotes_node_message() {
        let mut p = pod("w-1", vec![container("app", Some(512))]);
        p.status = Some(Fact::new("Evicted".into(), o(3)));
        p.events.push(Event {
            reason: "Evicted".into(),
            message: "The node was low on resource: memory. Threshold quantity: 100Mi, available: 52Mi. Container app was using 1.5Gi, request is 256Mi.".into(),
            count: 1,
            origin: o(50),
            ..Event::default()
        });
        let f = run(&model_with(vec![p]), &Thresholds::default());
        assert_eq!(kinds(&f), vec!["evicted"]);
        assert_eq!(f[0].title, "pod w-1 was evicted: The node was low on resource: memory");
        assert!(f[0].detail.contains("Container app was using 1.5Gi"));
        assert_eq!(f[0].evidence, vec![o(3), o(50)]);
    }

    #[test]
    fn message_line_after_status_in_describe() {
        let mut m = model_with(vec![pod("w-1", vec![container("app", Some(512))])]);
        m.pods[0].status = Some(Fact::new("Failed".into(), o(3)));
        assert!(run(&m, &Thresholds::default()).is_empty());
        m.sources[0].text[3] = "Reason:       Evicted".into();
        m.sources[0].text[4] = "Message:      The node was low on resource: memory. Threshold quantity: 100Mi.".into();
        let f = run(&m, &Thresholds::default());
        assert_eq!(f[0].title, "pod w-1 was evicted: The node was low on resource: memory");
        assert_eq!(f[0].evidence, vec![o(3), o(5)]);
    }
}
