//! `crash-loop` and `frequent-restarts`.
//!
//! Rules: `crash-loop` when a container's state is `Waiting` with reason
//! `CrashLoopBackOff`, or the pod status (`get pods`) is `CrashLoopBackOff`; `BackOff`
//! events ("Back-off restarting failed container") join it as evidence. Critical.
//! `frequent-restarts` when a container (or, without per-container counts, the pod) has
//! restarted at least [`Thresholds::frequent_restarts`](super::Thresholds) times, is not
//! in a crash loop, and no OOM kill explains it (then `oom-killed` says it). Warning.
//! A container the kubelet killed because its liveness probe failed
//! ([`oom::outside_kill`]) is `frequent-restarts` from its first restart, with that
//! cause and the probe's advice (never `oom-killed`).
//!
//! Example: `State: Waiting`, `Reason: CrashLoopBackOff`, `Restart Count: 7`, last
//! termination OOMKilled gives "worker is in CrashLoopBackOff (7 restarts; last exit: OOMKilled, code 137)".

use super::{app_containers, finding_for, oom, DetectorInput};
use crate::finding::{Finding, Kind, Severity};
use crate::model::{Container, ContainerState};

fn is_crash_loop(s: &str) -> bool {
    s.eq_ignore_ascii_case("CrashLoopBackOff")
}

fn last_exit(t: Option<&ContainerState>) -> Option<String> {
    let t = t?;
    match (&t.reason, t.exit_code) {
        (Some(r), Some(c)) => Some(format!("{r}, code {c}")),
        (Some(r), None) => Some(r.clone()),
        (None, Some(c)) => Some(format!("code {c}")),
        (None, None) => None,
    }
}

fn restarts_of(c: &Container) -> Option<u32> {
    c.restarts.as_ref().map(|r| r.value)
}

pub fn detect(cx: &DetectorInput<'_>, out: &mut Vec<Finding>) {
    for pod in &cx.model.pods {
        let backoff: Vec<_> = pod
            .events
            .iter()
            .filter(|e| e.reason == "BackOff" && e.message.contains("restarting failed container"))
            .collect();
        let mut any_loop = false;
        for c in app_containers(pod) {
            let Some(st) = c.state.as_ref().filter(|s| s.reason.as_deref().is_some_and(is_crash_loop)) else {
                continue;
            };
            any_loop = true;
            let mut f = finding_for(Kind::CrashLoop, Severity::Critical, pod, Some(c));
            let mut bits = Vec::new();
            if let Some(n) = restarts_of(c) {
                bits.push(format!("{n} restarts"));
            }
            if let Some(e) = last_exit(c.last_termination.as_ref()) {
                bits.push(format!("last exit: {e}"));
            }
            f.title = format!("{} is in CrashLoopBackOff", c.name);
            if !bits.is_empty() {
                f.title.push_str(&format!(" ({})", bits.join("; ")));
            }
            f.detail =
                "The container keeps exiting and the kubelet waits longer before each restart (up to 5 minutes). \
The reason is the last termination: "
                    .to_string();
            f.detail.push_str(
                &last_exit(c.last_termination.as_ref())
                    .map(|e| format!("{e}."))
                    .unwrap_or_else(|| "unknown in this bundle (add `kubectl describe pod`).".into()),
            );
            f.advice = if oom::container_oom_killed(pod, c) {
                "The restarts are OOM kills: see the oom-killed finding. Read the log of the killed run with \
`kubectl logs POD -c CONTAINER --previous` to see what it was doing when memory ran out."
                    .into()
            } else {
                "Read the log of the crashed run with `kubectl logs POD -c CONTAINER --previous`; a traceback at the end \
names the cause. If it ends abruptly without one, look for a SIGKILL (exit 137) or MemoryError."
                    .into()
            };
            f.evidence.push(st.origin);
            f.evidence.extend(c.last_termination.as_ref().map(|t| t.origin));
            f.evidence.extend(c.restarts.as_ref().map(|r| r.origin));
            f.evidence.extend(backoff.iter().filter(|e| e.message.contains(&c.name)).map(|e| e.origin));
            out.push(f);
        }
        if let Some(s) = pod.status.as_ref().filter(|s| is_crash_loop(&s.value)) {
            let mut f = finding_for(Kind::CrashLoop, Severity::Critical, pod, None);
            f.title = format!("pod {} is in CrashLoopBackOff", pod.name);
            if let Some(r) = &pod.restarts {
                f.title.push_str(&format!(" ({} restarts)", r.value));
            }
            f.detail = "A container of the pod keeps exiting and the kubelet waits longer before each restart.".into();
            f.advice = "Run `kubectl describe pod` for the last termination reason and `kubectl logs --previous` \
for the crashed run's log."
                .into();
            f.evidence.push(s.origin);
            f.evidence.extend(pod.restarts.as_ref().map(|r| r.origin));
            if !any_loop {
                f.evidence.extend(backoff.iter().map(|e| e.origin));
            }
            out.push(f);
            any_loop = true;
        }
        if any_loop {
            continue;
        }
        // frequent-restarts
        let mut per_container = false;
        for c in app_containers(pod) {
            let Some(n) = restarts_of(c) else { continue };
            per_container = true;
            if let Some(oom::OutsideKill::Liveness(events)) = oom::outside_kill(pod, c) {
                if n > 0 {
                    out.push(liveness_finding(pod, c, n, &events));
                }
                continue;
            }
            if n < cx.t.frequent_restarts || oom::container_oom_killed(pod, c) {
                continue;
            }
            let mut f = finding_for(Kind::FrequentRestarts, Severity::Warning, pod, Some(c));
            f.title = format!("{} restarted {n} times", c.name);
            if let Some(e) = last_exit(c.last_termination.as_ref()) {
                f.title.push_str(&format!("; last exit: {e}"));
            }
            f.detail = "The restarts are not proven to be OOM kills: the last termination is not OOMKilled / exit 137 \
in this bundle."
                .into();
            f.advice = "Read `kubectl logs POD -c CONTAINER --previous` for the crashed run, and check liveness probe \
failures in the events. If the log ends without a traceback, the process was killed from outside."
                .into();
            f.evidence.extend(c.restarts.as_ref().map(|r| r.origin));
            f.evidence.extend(c.last_termination.as_ref().map(|t| t.origin));
            out.push(f);
        }
        if !per_container {
            if let Some(r) = pod.restarts.as_ref().filter(|r| r.value >= cx.t.frequent_restarts) {
                let oom = app_containers(pod).any(|c| oom::container_oom_killed(pod, c))
                    || pod.status.as_ref().is_some_and(|s| s.value == "OOMKilled")
                    || pod.events.iter().any(oom::oom_event);
                if !oom {
                    let mut f = finding_for(Kind::FrequentRestarts, Severity::Warning, pod, None);
                    f.title = format!("pod {} restarted {} times", pod.name, r.value);
                    f.detail = "The cause is not in this bundle: no OOM kill is shown.".into();
                    f.advice =
                        "Run `kubectl describe pod` for the last termination reason and `kubectl logs --previous`."
                            .into();
                    f.evidence.push(r.origin);
                    out.push(f);
                }
            }
        }
    }
}

/// What to do about a container its liveness probe kills.
pub const LIVENESS_ADVICE: &str = "The liveness probe, not memory, restarts the container: its health endpoint did \
not answer within the probe's timeout. Keep `/healthz` cheap and answered even while the service works: move \
CPU-bound or blocking work off the thread (or process) that serves the probe (a worker thread or process, \
`asyncio.to_thread`, more gunicorn workers), and do not let long GC pauses or blocking I/O sit in front of it. \
Then give the probe room: `timeoutSeconds` above the slowest healthy answer, `failureThreshold` × `periodSeconds` \
longer than the longest pause, and a `startupProbe` for slow starts; a liveness probe should only fail when a \
restart would help.";

/// `frequent-restarts` caused by liveness probe kills.
fn liveness_finding(pod: &crate::model::Pod, c: &Container, n: u32, events: &[&crate::model::Event]) -> Finding {
    let mut f = finding_for(Kind::FrequentRestarts, Severity::Warning, pod, Some(c));
    let kills: u32 = events.iter().filter(|e| e.reason == "Killing").map(|e| e.count.max(1)).sum();
    let failures: u32 = events.iter().filter(|e| oom::liveness_failure(e)).map(|e| e.count.max(1)).sum();
    f.title = format!("{} is restarted by its liveness probe: {n} restart{}", c.name, if n == 1 { "" } else { "s" });
    if kills > 0 {
        f.title.push_str(&format!(", {kills} liveness kill{}", if kills == 1 { "" } else { "s" }));
    }
    if let Some(e) = last_exit(c.last_termination.as_ref()) {
        f.title.push_str(&format!("; last exit: {e}"));
    }
    f.detail = format!(
        "The kubelet killed the container because its liveness probe failed{}: it sends SIGTERM, then SIGKILL after \
the grace period, so the exit code is 137 with reason Error, not OOMKilled. This is not an out-of-memory kill.",
        if failures > 0 { format!(" ({failures} probe failures)") } else { String::new() }
    );
    if let Some(e) = events.iter().find(|e| oom::liveness_failure(e)) {
        f.detail.push_str(&format!(" Event {}: {}", e.reason, e.message));
    }
    f.advice = LIVENESS_ADVICE.to_string();
    f.evidence.extend(c.restarts.as_ref().map(|r| r.origin));
    f.evidence.extend(c.last_termination.as_ref().map(|t| t.origin));
    f.evidence.extend(events.iter().map(|e| e.origin));
    f
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::super::{run, Thresholds};
    use crate::model::{ContainerState, Event, Fact};

    fn killed_137(reason: &str, restarts: u32) -> crate::model::Container {
        let mut c = container("api", Some(256));
        c.restarts = Some(Fact::new(restarts, o(31)));
        c.last_termination = Some(ContainerState {
            state: "terminated".into(),
            reason: Some(reason.into()),
            exit_code: Some(137),
            origin: o(12),
            ..ContainerState::default()
        });
        c
    }

    fn ev(reason: &str, message: &str, count: u32, line: u32) -> Event {
        Event { reason: reason.into(), message: message.into(), count, origin: o(line), ..Event::default() }
    }

    #[test]
    fn liveness_kills_are_frequent_restarts_with_that_cause() {
        let mut p = pod("api-1", vec![killed_137("Error", 2)]);
        p.events.push(ev(
            "Unhealthy",
            "Liveness probe failed: Get \"http://10.0.0.1:8080/healthz\": context deadline exceeded",
            6,
            40,
        ));
        p.events.push(ev("Killing", "Container api failed liveness probe, will be restarted", 2, 41));
        let f = run(&model_with(vec![p]), &Thresholds::default());
        assert_eq!(kinds(&f), vec!["frequent-restarts"], "{f:#?}");
        assert_eq!(
            f[0].title,
            "api is restarted by its liveness probe: 2 restarts, 2 liveness kills; last exit: Error, code 137"
        );
        assert!(f[0].advice.contains("timeoutSeconds"));
        assert!(f[0].evidence.contains(&o(41)));
    }

    #[test]
    fn probe_failures_of_another_container_do_not_count() {
        // Negative control: two containers; the probe events name `sidecar`, not `api`.
        let mut api = killed_137("Error", 2);
        api.last_termination.as_mut().unwrap().reason = None; // a bare 137: likely OOM
        let mut p = pod("api-1", vec![api, container("sidecar", Some(64))]);
        p.events.push(ev("Killing", "Container sidecar failed liveness probe, will be restarted", 2, 41));
        let f = run(&model_with(vec![p]), &Thresholds::default());
        assert_eq!(kinds(&f), vec!["oom-killed"], "{f:#?}");
    }

    #[test]
    fn crash_loop_with_oom_reason() {
        let mut c = container("worker", Some(512));
        c.restarts = Some(Fact::new(7, o(31)));
        c.state = Some(ContainerState {
            state: "waiting".into(),
            reason: Some("CrashLoopBackOff".into()),
            origin: o(10),
            ..ContainerState::default()
        });
        c.last_termination = Some(ContainerState {
            state: "terminated".into(),
            reason: Some("OOMKilled".into()),
            exit_code: Some(137),
            origin: o(12),
            ..ContainerState::default()
        });
        let mut p = pod("w-1", vec![c]);
        p.status = Some(Fact::new("CrashLoopBackOff".into(), o(2)));
        let f = run(&model_with(vec![p]), &Thresholds::default());
        assert_eq!(kinds(&f), vec!["crash-loop", "oom-killed"]);
        assert_eq!(f[0].title, "worker is in CrashLoopBackOff (7 restarts; last exit: OOMKilled, code 137)");
        assert!(f[0].evidence.contains(&o(2)), "pod status merged in");
    }

    #[test]
    fn frequent_restarts_only_without_oom() {
        let mut c = container("worker", Some(512));
        c.restarts = Some(Fact::new(4, o(31)));
        c.last_termination = Some(ContainerState {
            state: "terminated".into(),
            reason: Some("Error".into()),
            exit_code: Some(1),
            origin: o(12),
            ..ContainerState::default()
        });
        let f = run(&model_with(vec![pod("w-1", vec![c.clone()])]), &Thresholds::default());
        assert_eq!(kinds(&f), vec!["frequent-restarts"]);
        assert_eq!(f[0].title, "worker restarted 4 times; last exit: Error, code 1");
        c.restarts = Some(Fact::new(2, o(31)));
        let f = run(&model_with(vec![pod("w-1", vec![c])]), &Thresholds::default());
        assert!(f.is_empty());
    }
}
