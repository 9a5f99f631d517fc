//! `kubectl describe pod` (one pod or several, as `describe pod -l app=worker` prints them).
//!
//! Each pod starts at a `Name:` line in column 0. Read at pod level: `Namespace:`,
//! `Node:` (`node-1/10.0.0.5` is node `node-1`), `Status:` and `Reason:` (`Evicted` wins
//! over `Failed` as the status word, as `kubectl get pods` shows it), `QoS Class:`,
//! `Controlled By:` (`ReplicaSet/api-7d9f8b6c5d`), `Start Time:`. In the `Init
//! Containers:` and `Containers:` blocks, per container: `Image:`, `Image ID:`, `State:` and
//! `Last State:` with their `Reason:`, `Exit Code:`, `Started:`, `Finished:`, `Ready:`,
//! `Restart Count:`, and `memory` under `Limits:` / `Requests:`. Times are RFC 1123 with
//! a numeric offset (`Tue, 24 Nov 2026 09:58:12 +0000`); Go's zero time
//! (`Mon, 01 Jan 0001 00:00:00 +0000`) means unknown. The `Events:` table (or
//! `Events:  <none>`) fills the pod's events: `2m (x25 over 12m)` is age `2m`, count 25;
//! ages are resolved against the section's time or the capture time when known; lines
//! that are not rows continue the message above.
//!
//! Status and restart counts: the latest section wins (they change over time). Memory
//! limits and requests keep the first value and warn on a conflict. Other blocks
//! (labels, volumes, conditions, ephemeral containers, pod-level `Resources:`) are not
//! read. Example:
//! ```text
//! Name:         worker-7d9f8b6c5-x2x9k
//! Namespace:    shop
//! Containers:
//!   worker:
//!     Last State:     Terminated
//!       Reason:       OOMKilled
//!       Exit Code:    137
//!     Limits:
//!       memory:  512Mi
//! ```
//! gives container `worker` a last termination `terminated`/`OOMKilled`/137 and a memory
//! limit of 536870912 bytes.

use jiff::Timestamp;

use super::events::{
    add_event, age_and_count, cells_at, columns, continue_message, is_event_type, last_seen, split_cells, Column,
};
use super::{origin, SectionContext};
use crate::model::{self, ContainerState, Event, Fact, Model, Origin, Warning};
use crate::quantity;
use crate::sections::Section;

/// Top-level keys of a pod description (kubectl `describePod`). A column-0 line with
/// another key is the continuation of a multi-line value (a termination message).
const TOP_KEYS: &[&str] = &[
    "Name",
    "Namespace",
    "Priority",
    "Priority Class Name",
    "Runtime Class Name",
    "Service Account",
    "Node",
    "Start Time",
    "Labels",
    "Annotations",
    "Status",
    "Termination Grace Period",
    "Reason",
    "Message",
    "SeccompProfile",
    "LocalhostProfile",
    "IP",
    "IPs",
    "Controlled By",
    "NominatedNodeName",
    "Resources",
    "Init Containers",
    "Containers",
    "Ephemeral Containers",
    "Readiness Gates",
    "Conditions",
    "Volumes",
    "QoS Class",
    "Node-Selectors",
    "Tolerations",
    "Topology Spread Constraints",
    "Events",
];

#[derive(Clone, Copy, PartialEq, Debug)]
enum Block {
    /// Pod-level keys; indented lines belong to multi-line values (labels…) and are skipped.
    Top,
    Containers {
        init: bool,
    },
    /// A block not read (ephemeral containers).
    Skip,
    Events,
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Sub {
    None,
    State,
    LastState,
    Limits,
    Requests,
}

/// Splits `Key:  value` into key and trimmed value. `None` without a colon.
fn key_value(line: &str) -> Option<(&str, &str)> {
    let (k, v) = line.trim().split_once(':')?;
    Some((k.trim(), v.trim()))
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// A describe time (`Tue, 24 Nov 2026 09:58:12 +0000`, Go's RFC1123Z). Go's zero time
/// (year 1) stands for "not set" and gives `None`.
pub(crate) fn parse_rfc1123z(s: &str) -> Option<Timestamp> {
    static PARSER: jiff::fmt::rfc2822::DateTimeParser = jiff::fmt::rfc2822::DateTimeParser::new().relaxed_weekday(true);
    /// 0002-01-01T00:00:00Z: anything before is Go's zero time (year 1).
    const YEAR_2: i64 = -62_104_060_800;
    let t = PARSER.parse_timestamp(s.trim()).ok()?;
    (t.as_second() >= YEAR_2).then_some(t)
}

pub fn parse(section: &Section<'_>, ctx: &SectionContext, model: &mut Model) {
    let lines = &section.lines;
    let starts: Vec<usize> =
        lines.iter().enumerate().filter(|(_, (_, l))| l.starts_with("Name:")).map(|(i, _)| i).collect();
    let first = starts.first().copied().unwrap_or(lines.len());
    // A fragment (`...` where the top was cut): container blocks of the pod the command
    // names.
    if starts.is_empty() {
        let pod = section.command.as_ref().and_then(|c| c.pod_name());
        let blocks = super::fragment::container_blocks(section, ctx, model, pod);
        let evictions = super::fragment::eviction_messages(section, ctx, model, pod);
        if super::fragment::pod_rows(section, ctx, model) || blocks || evictions {
            return;
        }
    }
    for &(n, line) in &lines[..first] {
        let t = line.trim();
        if !t.is_empty() {
            let what = if t.starts_with("Error from server") || t.starts_with("error:") {
                "kubectl describe failed"
            } else {
                "line before the first pod of a describe output, skipped"
            };
            model.warn(origin(section, n), format!("{what}: {t}"));
        }
    }
    for (k, &s) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(lines.len());
        if let Some(block) = lines.get(s..end) {
            parse_pod(section, ctx, model, block);
        }
    }
}

/// Reads one pod: `block` starts at its `Name:` line.
fn parse_pod(section: &Section<'_>, ctx: &SectionContext, model: &mut Model, block: &[(u32, &str)]) {
    let Some(&(name_line, first)) = block.first() else { return };
    let name = key_value(first).map(|(_, v)| v).unwrap_or("");
    if name.is_empty() {
        model.warn(origin(section, name_line), "describe output with an empty Name:, pod skipped");
        return;
    }
    let namespace = block
        .iter()
        .filter(|(_, l)| indent(l) == 0)
        .find_map(|(_, l)| key_value(l).filter(|(k, _)| *k == "Namespace").map(|(_, v)| v))
        .filter(|v| !v.is_empty())
        .or_else(|| ctx.namespace(section))
        .map(str::to_string);
    let now = section.at.or(model.capture.captured_at);
    let mut warnings: Vec<Warning> = Vec::new();
    let pod = model.pod_mut(namespace.as_deref(), name, origin(section, name_line));

    let mut blk = Block::Top;
    let mut container: Option<String> = None;
    let mut sub = Sub::None;
    let mut status: Option<Fact<String>> = None;
    let mut reason: Option<Fact<String>> = None;
    let mut event_cols: Option<Vec<Column>> = None;
    let mut pending: Option<Event> = None;

    for &(n, line) in block.iter().skip(1) {
        let at = origin(section, n);
        let t = line.trim();
        let ind = indent(line);
        if blk == Block::Events {
            if t.is_empty() {
                if let Some(e) = pending.take() {
                    add_event(&mut pod.events, e);
                }
                blk = Block::Top;
                continue;
            }
            if t.starts_with("Type") && t.contains("Reason") && t.contains("Message") {
                event_cols = Some(columns(line));
                continue;
            }
            if t.chars().all(|c| c == '-' || c.is_whitespace()) {
                continue; // the `----  ------` rule
            }
            match event_row(line, event_cols.as_deref(), now, at) {
                Some(e) => {
                    if let Some(prev) = pending.replace(e) {
                        add_event(&mut pod.events, prev);
                    }
                }
                None => match pending.as_mut() {
                    Some(e) if !super::events::looks_like_row(line) => continue_message(e, line),
                    _ => warnings.push(Warning {
                        origin: at,
                        message: format!("describe event row not understood, skipped: {t}"),
                    }),
                },
            }
            continue;
        }
        if t.is_empty() {
            continue;
        }
        if ind == 0 {
            let Some((key, value)) = key_value(line) else { continue };
            if !TOP_KEYS.contains(&key) {
                continue; // a multi-line value going on
            }
            container = None;
            sub = Sub::None;
            blk = Block::Top;
            match key {
                "Node" => {
                    let node = value.split('/').next().unwrap_or("").trim();
                    if !node.is_empty() && node != "<none>" {
                        match &pod.node {
                            Some(old) if old != node => warnings.push(Warning {
                                origin: at,
                                message: format!("conflicting node: {node:?} here, {old:?} before (kept the first)"),
                            }),
                            Some(_) => {}
                            None => pod.node = Some(node.to_string()),
                        }
                    }
                }
                "Status" => {
                    // `Terminating (lasts 5m)` is `Terminating`.
                    if let Some(word) = value.split_whitespace().next() {
                        status = Some(Fact::new(word.to_string(), at));
                    }
                }
                "Reason" if !value.is_empty() => reason = Some(Fact::new(value.to_string(), at)),
                "QoS Class" if !value.is_empty() => pod.qos_class = Some(value.to_string()),
                "Controlled By" => {
                    if let Some((kind, name)) = value.split_once('/').filter(|(k, n)| !k.is_empty() && !n.is_empty()) {
                        pod.owner = Some(model::Owner { kind: kind.trim().to_string(), name: name.trim().to_string() });
                    }
                }
                "Start Time" => {
                    if let Some(t) = parse_rfc1123z(value) {
                        pod.start_time = Some(t);
                    }
                }
                "Init Containers" => blk = Block::Containers { init: true },
                "Containers" => blk = Block::Containers { init: false },
                "Ephemeral Containers" => blk = Block::Skip,
                "Events" if value != "<none>" => {
                    blk = Block::Events;
                    event_cols = None;
                }
                _ => {}
            }
            continue;
        }
        let Block::Containers { init } = blk else { continue };
        match ind {
            2 => {
                // `  worker:` opens a container.
                let cname = t.strip_suffix(':').filter(|c| !c.is_empty() && !c.contains([':', ' ']));
                if let Some(cname) = cname {
                    pod.container_mut(cname).init = init;
                    container = Some(cname.to_string());
                    sub = Sub::None;
                }
            }
            4 => {
                let Some(cname) = container.as_deref() else { continue };
                let Some((key, value)) = key_value(line) else {
                    sub = Sub::None;
                    continue;
                };
                let c = pod.container_mut(cname);
                sub = Sub::None;
                match key {
                    "Image" if !value.is_empty() => c.image = Some(value.to_string()),
                    "Image ID" if !value.is_empty() => c.image_id = Some(value.to_string()),
                    "State" | "Last State" => {
                        let state = ContainerState {
                            state: value.to_ascii_lowercase(),
                            origin: at,
                            ..ContainerState::default()
                        };
                        if key == "State" {
                            c.state = Some(state);
                            sub = Sub::State;
                        } else {
                            c.last_termination = Some(state);
                            sub = Sub::LastState;
                        }
                    }
                    "Ready" => match value {
                        "True" => c.ready = Some(true),
                        "False" => c.ready = Some(false),
                        _ => warnings
                            .push(Warning { origin: at, message: format!("Ready: {value:?} is not True or False") }),
                    },
                    "Restart Count" => match value.parse::<u32>() {
                        Ok(v) => c.restarts = Some(Fact::new(v, at)),
                        Err(_) => warnings
                            .push(Warning { origin: at, message: format!("Restart Count: {value:?} is not a number") }),
                    },
                    "Limits" => sub = Sub::Limits,
                    "Requests" => sub = Sub::Requests,
                    _ => {}
                }
            }
            _ if ind > 4 => {
                let Some(cname) = container.as_deref() else { continue };
                let Some((key, value)) = key_value(line) else { continue };
                let c = pod.container_mut(cname);
                match sub {
                    Sub::State | Sub::LastState => {
                        let slot = if sub == Sub::State { &mut c.state } else { &mut c.last_termination };
                        let Some(st) = slot.as_mut() else { continue };
                        match key {
                            "Reason" if !value.is_empty() => st.reason = Some(value.to_string()),
                            "Exit Code" => match value.parse::<i32>() {
                                Ok(v) => st.exit_code = Some(v),
                                Err(_) => warnings.push(Warning {
                                    origin: at,
                                    message: format!("Exit Code: {value:?} is not a number"),
                                }),
                            },
                            "Started" | "Finished" => {
                                let time = parse_rfc1123z(value);
                                if time.is_none() && !value.starts_with("Mon, 01 Jan 0001") {
                                    warnings.push(Warning {
                                        origin: at,
                                        message: format!("{key}: {value:?} is not a time kubectl prints"),
                                    });
                                }
                                if key == "Started" {
                                    st.started = time;
                                } else {
                                    st.finished = time;
                                }
                            }
                            _ => {}
                        }
                    }
                    Sub::Limits | Sub::Requests if key == "memory" => {
                        let Some(bytes) = quantity::parse_bytes(value) else {
                            warnings.push(Warning {
                                origin: at,
                                message: format!("memory {value:?} is not a quantity; skipped"),
                            });
                            continue;
                        };
                        let (slot, what) = if sub == Sub::Limits {
                            (&mut c.memory_limit, "memory limit")
                        } else {
                            (&mut c.memory_request, "memory request")
                        };
                        let what = format!("{what} of container {cname}");
                        warnings.extend(model::set_fact(slot, bytes, at, &what));
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    if let Some(e) = pending.take() {
        add_event(&mut pod.events, e);
    }
    // `kubectl get pods` shows the pod's reason (Evicted) instead of its phase (Failed),
    // and, for a running pod, a container's waiting or terminated reason
    // (CrashLoopBackOff, OOMKilled) instead of the phase: show the same word here.
    let container_reason = || {
        pod.containers.iter().filter(|c| !c.init).find_map(|c| {
            let st = c.state.as_ref()?;
            match st.state.as_str() {
                "waiting" | "terminated" => st.reason.clone().map(|r| Fact::new(r, st.origin)),
                _ => None,
            }
        })
    };
    let word = reason.or_else(|| match status.as_ref().map(|s| s.value.as_str()) {
        Some("Running" | "Pending") => container_reason().or(status.clone()),
        _ => status.clone(),
    });
    if let Some(s) = word {
        pod.status = Some(s);
    }
    model.warnings.extend(warnings);
}

/// One row of a describe `Events:` table, at the header's columns when it lines up, else
/// split on runs of 2+ spaces.
fn event_row(line: &str, cols: Option<&[Column]>, now: Option<Timestamp>, at: Origin) -> Option<Event> {
    let from_cols = cols.and_then(|c| cells_at(line, c)).filter(|c| c.len() == 5);
    let cells =
        from_cols.filter(|c| row_ok(c)).or_else(|| Some(split_cells(line, 5)).filter(|c| c.len() >= 4 && row_ok(c)))?;
    let get = |i: usize| cells.get(i).copied().unwrap_or("");
    let (age, count) = age_and_count(get(2))?;
    Some(Event {
        kind: Some(get(0).to_string()),
        reason: get(1).to_string(),
        message: get(4).to_string(),
        count,
        last_seen: last_seen(now, &age),
        age: Some(age),
        origin: at,
    })
}

fn row_ok(c: &[&str]) -> bool {
    c.len() >= 3 && is_event_type(c[0]) && !c[1].is_empty() && age_and_count(c[2]).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze_text;

    #[test]
    fn rfc1123z_times_honour_the_offset() {
        assert_eq!(parse_rfc1123z("Tue, 24 Nov 2026 09:58:12 +0000").unwrap().to_string(), "2026-11-24T09:58:12Z");
        assert_eq!(parse_rfc1123z("Tue, 24 Nov 2026 10:58:12 +0100").unwrap().to_string(), "2026-11-24T09:58:12Z");
        assert_eq!(parse_rfc1123z("Mon, 22 Dec 2025 17:02:01 -0500").unwrap().to_string(), "2025-12-22T22:02:01Z");
        assert_eq!(parse_rfc1123z("Mon, 01 Jan 0001 00:00:00 +0000"), None);
        assert_eq!(parse_rfc1123z("yesterday"), None);
    }

    const OOM: &str = "$ kubectl describe pod worker-1 -n shop  # at 2026-11-24T10:00:00Z
Name:             worker-1
Namespace:        shop
Node:             node-1/10.0.0.5
Status:           Running
Containers:
  worker:
    Image:          registry.example.com/shop/worker:1.4.2
    State:          Waiting
      Reason:       CrashLoopBackOff
    Last State:     Terminated
      Reason:       OOMKilled
      Exit Code:    137
      Started:      Tue, 24 Nov 2026 09:50:02 +0000
      Finished:     Tue, 24 Nov 2026 09:58:12 +0000
    Ready:          False
    Restart Count:  5
    Limits:
      cpu:     500m
      memory:  512Mi
    Requests:
      cpu:        250m
      memory:     256Mi
    Environment:
      memory:  1Gi
QoS Class:        Burstable
Events:
  Type     Reason     Age                  From     Message
  ----     ------     ----                 ----     -------
  Warning  BackOff    2m (x25 over 12m)    kubelet  Back-off restarting failed container worker in pod worker-1_shop(3f1c)
  Normal   Killing    <invalid>            kubelet  Stopping container worker
  Normal   Pulled     <unknown>            kubelet  Container image \"registry.example.com/shop/worker:1.4.2\"
    already present on machine
";

    #[test]
    fn oom_killed_container_with_limits_and_events() {
        let model = analyze_text("paste", OOM).model;
        assert!(model.warnings.is_empty(), "{:?}", model.warnings);
        let p = model.pod(Some("shop"), "worker-1").unwrap();
        assert_eq!(p.node.as_deref(), Some("node-1"));
        assert_eq!(p.status.as_ref().unwrap().value, "CrashLoopBackOff", "as `kubectl get pods` shows it");
        assert_eq!(p.qos_class.as_deref(), Some("Burstable"));
        let c = p.container("worker").unwrap();
        assert!(!c.init);
        assert_eq!(c.image.as_deref(), Some("registry.example.com/shop/worker:1.4.2"));
        let st = c.state.as_ref().unwrap();
        assert_eq!((st.state.as_str(), st.reason.as_deref()), ("waiting", Some("CrashLoopBackOff")));
        assert_eq!(st.origin.line, 9);
        let last = c.last_termination.as_ref().unwrap();
        assert_eq!(last.state, "terminated");
        assert_eq!(last.reason.as_deref(), Some("OOMKilled"));
        assert_eq!(last.exit_code, Some(137));
        assert_eq!(last.started.unwrap().to_string(), "2026-11-24T09:50:02Z");
        assert_eq!(last.finished.unwrap().to_string(), "2026-11-24T09:58:12Z");
        assert_eq!(c.ready, Some(false));
        assert_eq!(c.restarts.as_ref().unwrap().value, 5);
        // The env var named `memory` under Environment is not a limit.
        assert_eq!(c.memory_limit.as_ref().unwrap().value, 512 << 20);
        assert_eq!(c.memory_limit.as_ref().unwrap().origin.line, 20);
        assert_eq!(c.memory_request.as_ref().unwrap().value, 256 << 20);
        assert_eq!(p.events.len(), 3);
        let e = &p.events[0];
        assert_eq!((e.kind.as_deref(), e.reason.as_str(), e.count), (Some("Warning"), "BackOff", 25));
        assert_eq!(e.age.as_deref(), Some("2m"));
        assert_eq!(e.last_seen.unwrap().to_string(), "2026-11-24T09:58:00Z");
        assert_eq!(e.message, "Back-off restarting failed container worker in pod worker-1_shop(3f1c)");
        assert_eq!(
            (p.events[1].age.as_deref(), p.events[1].last_seen, p.events[1].count),
            (Some("<invalid>"), None, 1)
        );
        assert_eq!(p.events[2].age.as_deref(), Some("<unknown>"));
        assert_eq!(
            p.events[2].message,
            "Container image \"registry.example.com/shop/worker:1.4.2\" already present on machine"
        );
    }

    #[test]
    fn evicted_reason_wins_and_zero_times_are_unknown() {
        let text = "Name:         worker-2
Namespace:    shop
Node:         node-1/
Status:       Failed
Reason:       Evicted
Message:      The node was low on resource: memory. Threshold quantity: 100Mi, available: 91560Ki. Container worker was using 1.2Gi, request is 256Mi, has larger consumption of memory.
Containers:
  worker:
    State:          Terminated
      Reason:       ContainerStatusUnknown
      Message:      The container could not be located when the pod was terminated
      Exit Code:    137
      Started:      Mon, 01 Jan 0001 00:00:00 +0000
      Finished:     Mon, 01 Jan 0001 00:00:00 +0000
    Ready:          False
    Restart Count:  0
Events:
  Type     Reason   Age   From     Message
  ----     ------   ----  ----     -------
  Warning  Evicted  5m    kubelet  The node was low on resource: memory. Threshold quantity: 100Mi, available: 91560Ki. Container worker was using 1.2Gi, request is 256Mi, has larger consumption of memory.
  Normal   Killing  5m    kubelet  Stopping container worker
";
        let model = analyze_text("describe.txt", text).model;
        assert!(model.warnings.is_empty(), "{:?}", model.warnings);
        let p = model.pod(Some("shop"), "worker-2").unwrap();
        assert_eq!(p.status.as_ref().unwrap().value, "Evicted");
        assert_eq!(p.status.as_ref().unwrap().origin.line, 5);
        assert_eq!(p.node.as_deref(), Some("node-1"));
        let st = p.container("worker").unwrap().state.as_ref().unwrap();
        assert_eq!((st.exit_code, st.started, st.finished), (Some(137), None, None));
        assert_eq!(p.events[0].reason, "Evicted");
        assert_eq!(p.events[0].last_seen, None, "no time in the bundle");
    }

    #[test]
    fn several_pods_init_containers_and_no_events() {
        let text = "$ kubectl describe pods -n shop
Name:         a
Namespace:    shop
Node:         <none>
Status:       Pending
Init Containers:
  migrate:
    Image:          worker:1
    State:          Running
      Started:      Tue, 24 Nov 2026 09:58:12 +0000
    Limits:
      memory:  128Mi
Containers:
  worker:
    Image:          worker:1
    State:          Waiting
      Reason:       PodInitializing
Events:           <none>


Name:         b
Namespace:    shop
Status:       Terminating (lasts 12s)
Containers:
  worker:
    State:          Running
Events:           <none>
";
        let model = analyze_text("t", text).model;
        assert!(model.warnings.is_empty(), "{:?}", model.warnings);
        let a = model.pod(Some("shop"), "a").unwrap();
        assert_eq!(a.node, None);
        let m = a.container("migrate").unwrap();
        assert!(m.init);
        assert_eq!(m.state.as_ref().unwrap().started.unwrap().to_string(), "2026-11-24T09:58:12Z");
        assert_eq!(m.memory_limit.as_ref().unwrap().value, 128 << 20);
        assert!(!a.container("worker").unwrap().init);
        assert!(a.events.is_empty());
        let b = model.pod(Some("shop"), "b").unwrap();
        assert_eq!(b.status.as_ref().unwrap().value, "Terminating");
        assert_eq!(b.origin.line, 21);
    }

    #[test]
    fn latest_status_and_restarts_win_but_limits_conflict() {
        let one = |status: &str, restarts: u32, limit: &str| {
            format!(
                "$ kubectl describe pod w -n shop\nName:  w\nNamespace:  shop\nStatus:  {status}\nContainers:\n  app:\n    Restart Count:  {restarts}\n    Limits:\n      memory:  {limit}\n"
            )
        };
        let text = one("Pending", 0, "512Mi") + &one("Running", 3, "1Gi");
        let model = analyze_text("t", &text).model;
        let p = model.pod(Some("shop"), "w").unwrap();
        assert_eq!(p.status.as_ref().unwrap().value, "Running");
        let c = p.container("app").unwrap();
        assert_eq!(c.restarts.as_ref().unwrap().value, 3);
        assert_eq!(c.memory_limit.as_ref().unwrap().value, 512 << 20);
        assert_eq!(model.warnings.len(), 1, "{:?}", model.warnings);
        assert!(model.warnings[0].message.contains("memory limit of container app"));
        assert_eq!(model.warnings[0].origin.line, 18);
    }

    #[test]
    fn multi_line_termination_message_and_bad_values() {
        let text = "Name:         w
Namespace:    shop
Containers:
  app:
    Last State:     Terminated
      Reason:       Error
      Message:      Traceback (most recent call last):
  File \"/app/main.py\", line 3, in <module>
MemoryError

      Exit Code:    one
      Started:      someday
    Restart Count:  x
    Ready:          maybe
    Limits:
      memory:  lots
";
        let model = analyze_text("t", text).model;
        let c = model.pod(Some("shop"), "w").unwrap().container("app").unwrap();
        let last = c.last_termination.as_ref().unwrap();
        assert_eq!(last.reason.as_deref(), Some("Error"));
        assert_eq!(last.exit_code, None);
        assert_eq!(c.memory_limit, None);
        let lines: Vec<u32> = model.warnings.iter().map(|w| w.origin.line).collect();
        assert_eq!(lines, vec![11, 12, 13, 14, 16], "{:?}", model.warnings);
    }

    #[test]
    fn errors_before_a_pod_are_warnings() {
        let text = "$ kubectl describe pod nope -n shop\nError from server (NotFound): pods \"nope\" not found\n";
        let model = analyze_text("t", text).model;
        assert!(model.pods.is_empty());
        assert_eq!(model.warnings.len(), 1);
        assert!(model.warnings[0].message.starts_with("kubectl describe failed"));
    }

    #[test]
    fn event_rows_without_header_and_wrapped_at_column_zero() {
        let text = "Name:         w
Namespace:    shop
Events:
  Warning  OOMKilling  3m  kernel-monitor  Memory cgroup out of memory: Killed process 4242 (python) total-vm:20
93124kB, anon-rss:1048576kB
";
        let model = analyze_text("t", text).model;
        let e = &model.pod(Some("shop"), "w").unwrap().events[0];
        assert_eq!(e.reason, "OOMKilling");
        assert!(e.message.ends_with("total-vm:20 93124kB, anon-rss:1048576kB"));
        assert!(model.warnings.is_empty(), "{:?}", model.warnings);
    }

    #[test]
    fn no_panic_on_cut_or_damaged_input() {
        crate::parse::assert_no_panic_on_damage(OOM);
    }
}
