//! `oom-killed`: a container was killed for exceeding its memory limit.
//!
//! Rule: a container's current state or last termination is `Terminated` with reason
//! `OOMKilled` or exit code 137 (128 + SIGKILL); a pod status `OOMKilled` (`get pods`);
//! an event with reason `OOMKilling`, `SystemOOM` or `OOMKilled`, or whose message says
//! `OOMKilled` / `Memory cgroup out of memory`. Reason `OOMKilled` or an OOM event is
//! critical; exit 137 with no reason shown is a warning, and with reason `Error` not an
//! OOM kill (the runtime reports `OOMKilled` when the OOM killer ended the container's
//! main process; `Error` with 137 is a SIGKILL from outside). Before exit 137 without reason OOMKilled is
//! called memory, the events are read ([`outside_kill`]): a liveness-probe kill
//! (`Killing … failed liveness probe`, `Unhealthy … Liveness probe failed`) or a stop
//! (`Killing … Stopping container`, deletion or preemption) also exits 137, and then it
//! is not an OOM kill (`restarts.rs` reports the liveness kills). No thresholds. The title says how many times (event counts), at which limit and when.
//!
//! Example: `Last State: Terminated`, `Reason: OOMKilled`, `Exit Code: 137`,
//! `Finished: Tue, 24 Nov 2026 09:29:50 +0000`, limit 512Mi, 5 restarts gives
//! "worker was OOMKilled (exit 137) at its 512Mi limit, last at 2026-11-24 09:29 UTC; 5 restarts".

use super::{app_containers, finding_for, when, DetectorInput, CONFIRM_IN_POD};
use crate::finding::{Finding, Kind, Severity};
use crate::model::{Container, ContainerState, Event, Pod};
use crate::quantity::format_bytes;

/// Whether a terminated state is an OOM kill: `Some(true)` for reason OOMKilled,
/// `Some(false)` for a bare exit 137, `None` otherwise.
pub fn oom_state(s: &ContainerState) -> Option<bool> {
    if s.state != "terminated" && s.reason.is_none() && s.exit_code.is_none() {
        return None;
    }
    if s.reason.as_deref().is_some_and(|r| r.eq_ignore_ascii_case("OOMKilled")) {
        Some(true)
    } else if s.exit_code == Some(137) && s.reason.is_none() {
        // A bare 137 (no reason shown): likely the OOM killer. With a reason other than
        // OOMKilled the runtime says it was not: `Error` (a SIGKILL from outside: a
        // liveness probe, a stop past its grace period), `ContainerStatusUnknown`,
        // `Evicted`.
        Some(false)
    } else {
        None
    }
}

/// Whether an event reports an OOM kill.
pub fn oom_event(e: &Event) -> bool {
    matches!(e.reason.as_str(), "OOMKilling" | "SystemOOM" | "OOMKilled")
        || e.message.contains("OOMKilled")
        || e.message.contains("Memory cgroup out of memory")
}

/// Whether this container was OOM-killed (for other detectors): reason OOMKilled, or
/// exit 137 that the events do not explain otherwise ([`outside_kill`]).
pub fn container_oom_killed(pod: &Pod, c: &Container) -> bool {
    let states = [c.last_termination.as_ref(), c.state.as_ref()];
    let sure = states.iter().flatten().any(|s| oom_state(s) == Some(true));
    sure || (states.iter().flatten().any(|s| oom_state(s) == Some(false)) && outside_kill(pod, c).is_none())
}

/// Why a container got SIGKILL from outside, when the events say so.
#[derive(Clone, Debug, PartialEq)]
pub enum OutsideKill<'a> {
    /// The kubelet restarted it because its liveness probe failed: the `Killing` and
    /// `Unhealthy` events.
    Liveness(Vec<&'a Event>),
    /// It was stopped (pod deleted, preempted, node drained): the `Killing … Stopping
    /// container` events.
    Stopped(Vec<&'a Event>),
}

/// Whether an event is about container `c` of `pod` (named, or the pod has one app
/// container).
fn about(pod: &Pod, e: &Event, c: &str) -> bool {
    event_names(e, c) || app_containers(pod).count() == 1
}

/// Whether a liveness probe failure says so (`Unhealthy`, `Liveness probe failed: …`).
pub fn liveness_failure(e: &Event) -> bool {
    e.reason == "Unhealthy" && e.message.starts_with("Liveness probe failed")
}

/// A kill from outside that explains an exit 137 without reason OOMKilled: the
/// kubelet's `Killing` event for a failed liveness probe (or `Unhealthy` liveness
/// failures), or `Stopping container`. `None` when the container was OOMKilled (the
/// reason says so) or the events say nothing.
pub fn outside_kill<'a>(pod: &'a Pod, c: &Container) -> Option<OutsideKill<'a>> {
    let states = [c.last_termination.as_ref(), c.state.as_ref()];
    if states.iter().flatten().any(|s| oom_state(s) == Some(true)) {
        return None;
    }
    let mine = |e: &&Event| about(pod, e, &c.name);
    let killing: Vec<&Event> = pod
        .events
        .iter()
        .filter(mine)
        .filter(|e| e.reason == "Killing" && e.message.contains("failed liveness probe"))
        .collect();
    let unhealthy: Vec<&Event> = pod.events.iter().filter(mine).filter(|e| liveness_failure(e)).collect();
    if !killing.is_empty() || !unhealthy.is_empty() {
        return Some(OutsideKill::Liveness(killing.into_iter().chain(unhealthy).collect()));
    }
    let stopped: Vec<&Event> = pod
        .events
        .iter()
        .filter(mine)
        .filter(|e| e.reason == "Killing" && e.message.starts_with("Stopping container"))
        .collect();
    (!stopped.is_empty()).then_some(OutsideKill::Stopped(stopped))
}

/// The event names a container (`container worker`, `Container worker`, `(worker)`).
fn event_names(e: &Event, c: &str) -> bool {
    let m = e.message.as_str();
    m.contains(&format!("ontainer {c} "))
        || m.contains(&format!("ontainer {c},"))
        || m.contains(&format!("ontainer \"{c}\""))
}

pub fn detect(cx: &DetectorInput<'_>, out: &mut Vec<Finding>) {
    for pod in &cx.model.pods {
        let events: Vec<&Event> = pod.events.iter().filter(|e| oom_event(e)).collect();
        let mut used_events = vec![false; events.len()];
        for c in app_containers(pod) {
            // An exit 137 the events explain (liveness probe, stop) is not an OOM kill.
            let outside = outside_kill(pod, c).is_some();
            let states: Vec<(&ContainerState, bool)> = [c.state.as_ref(), c.last_termination.as_ref()]
                .into_iter()
                .flatten()
                .filter_map(|s| oom_state(s).map(|sure| (s, sure)))
                .filter(|(_, sure)| *sure || !outside)
                .collect();
            let mine: Vec<usize> = (0..events.len())
                .filter(|&i| event_names(events[i], &c.name) || (app_containers(pod).count() == 1))
                .collect();
            if states.is_empty() && mine.is_empty() {
                continue;
            }
            for &i in &mine {
                used_events[i] = true;
            }
            let evs: Vec<&Event> = mine.iter().map(|&i| events[i]).collect();
            out.push(container_finding(pod, c, &states, &evs));
        }
        // Pod-level: status OOMKilled, events not tied to a container.
        let status = pod.status.as_ref().filter(|s| s.value.eq_ignore_ascii_case("OOMKilled"));
        let loose: Vec<&Event> = (0..events.len()).filter(|&i| !used_events[i]).map(|i| events[i]).collect();
        if status.is_some() || !loose.is_empty() {
            let mut f = finding_for(Kind::OomKilled, Severity::Critical, pod, None);
            let times: u32 = loose.iter().map(|e| e.count.max(1)).sum();
            f.title = if times > 1 {
                format!("pod {} was OOMKilled {times} times", pod.name)
            } else {
                format!("pod {} was OOMKilled", pod.name)
            };
            if let Some(r) = pod.restarts.as_ref().filter(|r| r.value > 0) {
                f.title.push_str(&format!("; {} restart{}", r.value, if r.value == 1 { "" } else { "s" }));
                f.evidence.push(r.origin);
            }
            f.detail = format!(
                "{} A container of the pod went over its memory limit and the kernel's OOM killer ended it with SIGKILL.",
                status.map(|s| format!("`kubectl get pods` shows status {}.", s.value)).unwrap_or_default()
            )
            .trim()
            .to_string();
            for e in &loose {
                f.detail.push_str(&format!(" Event {}: {}", e.reason, e.message));
            }
            f.advice = ADVICE.to_string();
            f.evidence.extend(status.map(|s| s.origin));
            f.evidence.extend(loose.iter().map(|e| e.origin));
            out.push(f);
        }
    }
    node_events(cx, out);
}

/// Node events (`OOMKilling` from the kernel monitor, `SystemOOM` from the kubelet):
/// joined to the OOM finding of a pod on that node, else a finding of their own.
fn node_events(cx: &DetectorInput<'_>, out: &mut Vec<Finding>) {
    for node in &cx.model.nodes {
        let events: Vec<&Event> = node.events.iter().filter(|e| oom_event(e)).collect();
        if events.is_empty() {
            continue;
        }
        let on_node: Vec<&Pod> =
            cx.model.pods.iter().filter(|p| p.node.as_deref() == Some(node.name.as_str())).collect();
        let known = out.iter_mut().find(|f| {
            f.kind == Kind::OomKilled
                && on_node.iter().any(|p| f.pod.as_deref() == Some(p.name.as_str()) && f.namespace == p.namespace)
        });
        if let Some(f) = known {
            f.evidence.extend(events.iter().map(|e| e.origin));
            for e in &events {
                f.detail.push_str(&format!(" Node {} event {}: {}", node.name, e.reason, e.message));
            }
            continue;
        }
        let times: u32 = events.iter().map(|e| e.count.max(1)).sum();
        let mut f = Finding::new(Kind::OomKilled, Severity::Critical);
        if let [p] = on_node[..] {
            f.namespace = p.namespace.clone();
            f.pod = Some(p.name.clone());
        }
        let victim = events.iter().find_map(|e| victim(&e.message));
        f.title = format!(
            "node {}: the kernel OOM killer killed {}{}",
            node.name,
            victim.clone().unwrap_or_else(|| "a process".into()),
            if times > 1 { format!(" ({times} events)") } else { String::new() }
        );
        f.detail = format!(
            "The node reported an out-of-memory kill. {}",
            match on_node.len() {
                0 => "No pod of this bundle is known to run on that node.".to_string(),
                1 => format!("Pod {} of this bundle runs there.", on_node[0].name),
                n => format!("{n} pods of this bundle run there; the event does not say which container."),
            }
        );
        for e in &events {
            f.detail.push_str(&format!(" Event {}: {}", e.reason, e.message));
        }
        f.advice = ADVICE.to_string();
        f.evidence.extend(events.iter().map(|e| e.origin));
        out.push(f);
    }
}

/// `Killed process 28114 (python)` → `process 28114 (python)`.
fn victim(message: &str) -> Option<String> {
    let i = message.find("Killed process ")?;
    let rest = &message[i + "Killed ".len()..];
    let end = rest.find(')').map(|e| e + 1).unwrap_or(rest.len().min(40));
    rest.get(..end).map(str::to_string)
}

const ADVICE: &str = "An OOM kill gives Python no chance to raise MemoryError: the process just disappears. \
Find what grows before the kill (see the memory-growth and log-pattern findings). Raising the limit only buys time \
unless usage is flat and simply above the limit; then set the limit to the peak plus ~25 % headroom and the request \
close to normal usage. For worker pools (gunicorn, celery, multiprocessing), recycle workers while you look for the \
leak: gunicorn `--max-requests 1000 --max-requests-jitter 100`, celery `--max-tasks-per-child` / \
`--max-memory-per-child`.";

fn container_finding(pod: &Pod, c: &Container, states: &[(&ContainerState, bool)], events: &[&Event]) -> Finding {
    let sure = states.iter().any(|(_, s)| *s) || !events.is_empty();
    let severity = if sure { Severity::Critical } else { Severity::Warning };
    let mut f = finding_for(Kind::OomKilled, severity, pod, Some(c));
    let event_times: u32 = events.iter().map(|e| e.count.max(1)).sum();
    let times = event_times.max(u32::try_from(states.len()).unwrap_or(1));
    let limit = c.memory_limit.as_ref().map(|l| l.value);
    let last = states.iter().filter_map(|(s, _)| s.finished).max();
    let restarts = c.restarts.as_ref().map(|r| r.value).unwrap_or(0);
    let mut title = if sure {
        format!("{} was OOMKilled", c.name)
    } else {
        format!("{} was killed with exit code 137 (SIGKILL), likely out of memory", c.name)
    };
    if times > 1 {
        title.push_str(&format!(" {times} times"));
    }
    if sure && states.iter().any(|(s, _)| s.exit_code == Some(137)) {
        title.push_str(" (exit 137)");
    }
    if let Some(l) = limit {
        title.push_str(&format!(" at its {} limit", format_bytes(l)));
    }
    if let Some(t) = last {
        title.push_str(&format!(", last at {}", when(t)));
    }
    if restarts > 0 {
        title.push_str(&format!("; {restarts} restart{}", if restarts == 1 { "" } else { "s" }));
    }
    f.title = title;
    let mut d = String::new();
    if sure {
        d.push_str(&format!(
            "The container's memory (working set of its cgroup) reached {} and the kernel's OOM killer ended it with SIGKILL.",
            limit.map(|l| format!("its {} limit", format_bytes(l))).unwrap_or_else(|| "the available memory".into())
        ));
    } else {
        d.push_str(
            "Exit code 137 is 128 + 9: the process got SIGKILL. Without reason OOMKilled this is most often the OOM \
killer still, but a failed liveness probe or a manual kill also exit 137: check the events.",
        );
    }
    for (s, _) in states {
        if let (Some(a), Some(b)) = (s.started, s.finished) {
            if let Ok(run) = b.since(a).and_then(|sp| sp.to_duration(jiff::SpanRelativeTo::days_are_24_hours())) {
                d.push_str(&format!(
                    " It ran {} ({} → {}) before it was killed.",
                    crate::time::format_duration(run),
                    when(a),
                    when(b)
                ));
            }
        }
    }
    if restarts > 0 {
        d.push_str(&format!(" Restart count: {restarts}."));
    }
    for e in events {
        let n = if e.count > 1 { format!(" (×{})", e.count) } else { String::new() };
        d.push_str(&format!(" Event {}{n}: {}", e.reason, e.message));
    }
    if limit.is_none() && c.image.is_some() {
        d.push_str(" The container has no memory limit, so this was the node running out of memory.");
    }
    f.detail = d;
    f.advice = format!("{ADVICE} {CONFIRM_IN_POD}");
    f.evidence.extend(states.iter().map(|(s, _)| s.origin));
    f.evidence.extend(events.iter().map(|e| e.origin));
    if let Some(l) = &c.memory_limit {
        f.evidence.push(l.origin);
    }
    f
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::super::{run, Thresholds};
    use super::*;
    use crate::model::{Fact, Model};

    fn oom_model(reason: Option<&str>) -> Model {
        let mut c = container("worker", Some(512));
        c.restarts = Some(Fact::new(5, o(30)));
        c.last_termination = Some(ContainerState {
            state: "terminated".into(),
            reason: reason.map(str::to_string),
            exit_code: Some(137),
            started: Some(ts("2026-11-24T08:00:00Z")),
            finished: Some(ts("2026-11-24T09:29:50Z")),
            origin: o(20),
        });
        model_with(vec![pod("worker-1", vec![c])])
    }

    #[test]
    fn last_state_oomkilled() {
        let f = run(&oom_model(Some("OOMKilled")), &Thresholds::default());
        let f: Vec<_> = f.iter().filter(|f| f.kind == "oom-killed").collect();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Critical);
        assert_eq!(
            f[0].title,
            "worker was OOMKilled (exit 137) at its 512Mi limit, last at 2026-11-24 09:29 UTC; 5 restarts"
        );
        assert!(f[0].detail.contains("It ran 1h29m"), "{}", f[0].detail);
        assert!(f[0].evidence.contains(&o(20)));
        assert_eq!(f[0].container.as_deref(), Some("worker"));
    }

    #[test]
    fn bare_137_is_a_warning() {
        let f = run(&oom_model(None), &Thresholds::default());
        let f: Vec<_> = f.iter().filter(|f| f.kind == "oom-killed").collect();
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(f[0].title.contains("exit code 137"));
    }

    #[test]
    fn status_and_event_merge_into_one() {
        let mut m = oom_model(Some("OOMKilled"));
        m.pods[0].status = Some(Fact::new("OOMKilled".into(), o(3)));
        m.pods[0].events.push(Event {
            kind: Some("Warning".into()),
            reason: "OOMKilling".into(),
            message: "Memory cgroup out of memory: Killed process 4242 (python)".into(),
            count: 3,
            origin: o(40),
            ..Event::default()
        });
        let f = run(&m, &Thresholds::default());
        let f: Vec<_> = f.iter().filter(|f| f.kind == "oom-killed").collect();
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(f[0].title.contains("3 times"), "{}", f[0].title);
        assert_eq!(f[0].evidence, vec![o(2), o(3), o(20), o(40)]);
    }

    #[test]
    fn node_event_joins_pod_finding_or_stands_alone() {
        use crate::model::Node;
        let ev = Event {
            reason: "OOMKilling".into(),
            message: "Memory cgroup out of memory: Killed process 28114 (python) total-vm:912340kB".into(),
            count: 1,
            origin: o(60),
            ..Event::default()
        };
        let mut m = oom_model(Some("OOMKilled"));
        m.pods[0].node = Some("node-1".into());
        m.nodes.push(Node { name: "node-1".into(), events: vec![ev.clone()], ..Node::default() });
        let f = run(&m, &Thresholds::default());
        let f: Vec<_> = f.iter().filter(|f| f.kind == "oom-killed").collect();
        assert_eq!(f.len(), 1);
        assert!(f[0].evidence.contains(&o(60)));
        let mut m = oom_model(None);
        m.pods[0].containers[0].last_termination = None;
        m.pods[0].node = Some("node-1".into());
        m.nodes.push(Node { name: "node-1".into(), events: vec![ev], ..Node::default() });
        let f = run(&m, &Thresholds::default());
        assert_eq!(f[0].title, "node node-1: the kernel OOM killer killed process 28114 (python)");
        assert_eq!(f[0].pod.as_deref(), Some("worker-1"));
    }

    fn event(reason: &str, message: &str, count: u32, line: u32) -> Event {
        Event { reason: reason.into(), message: message.into(), count, origin: o(line), ..Event::default() }
    }

    #[test]
    fn liveness_kill_is_not_an_oom_kill() {
        let mut m = oom_model(Some("Error"));
        m.pods[0].events.push(event(
            "Unhealthy",
            "Liveness probe failed: Get \"http://10.0.0.1:8080/healthz\": context deadline exceeded",
            6,
            40,
        ));
        m.pods[0].events.push(event("Killing", "Container worker failed liveness probe, will be restarted", 2, 41));
        let f = run(&m, &Thresholds::default());
        assert!(!kinds(&f).contains(&"oom-killed"), "{f:#?}");
        assert!(
            matches!(outside_kill(&m.pods[0], &m.pods[0].containers[0]), Some(OutsideKill::Liveness(e)) if e.len() == 2)
        );
        assert!(!container_oom_killed(&m.pods[0], &m.pods[0].containers[0]));
    }

    #[test]
    fn liveness_events_do_not_hide_a_real_oom_kill() {
        // Negative control: reason OOMKilled stays an OOM kill whatever the probes said.
        let mut m = oom_model(Some("OOMKilled"));
        m.pods[0].events.push(event("Killing", "Container worker failed liveness probe, will be restarted", 1, 41));
        let f = run(&m, &Thresholds::default());
        assert!(kinds(&f).contains(&"oom-killed"));
        assert!(outside_kill(&m.pods[0], &m.pods[0].containers[0]).is_none());
        // And a bare 137 (no reason) without such events is still a likely OOM kill…
        let m = oom_model(None);
        assert!(container_oom_killed(&m.pods[0], &m.pods[0].containers[0]));
        // …but not one whose reason says `Error`: the runtime saw no OOM kill.
        let m = oom_model(Some("Error"));
        assert!(!container_oom_killed(&m.pods[0], &m.pods[0].containers[0]));
    }

    #[test]
    fn stopped_container_is_not_an_oom_kill() {
        let mut m = oom_model(Some("Error"));
        m.pods[0].events.push(event("Killing", "Stopping container worker", 1, 41));
        let f = run(&m, &Thresholds::default());
        assert!(!kinds(&f).contains(&"oom-killed"), "{f:#?}");
    }

    #[test]
    fn running_container_no_finding() {
        let mut m = oom_model(None);
        m.pods[0].containers[0].last_termination = None;
        let f = run(&m, &Thresholds::default());
        assert!(!kinds(&f).contains(&"oom-killed"));
    }
}
