//! Fragments of kubectl output found in text of no known shape (or in a `describe`
//! whose `Name:` was cut off): a container block of `describe pod` (`State:`,
//! `Last State:`, `Reason:`, `Exit Code:`, `Restart Count:`, `memory` under `Limits:`)
//! at any indentation, its YAML form (`lastState:` / `terminated:` / `reason:`), and
//! `get pods` rows without their header, told by their shape (name, `READY n/m`, a
//! status word kubectl prints, restarts with an optional `(5m ago)`, an age), and the
//! kubelet's eviction messages (`The node was low on resource: memory. …`).
//!
//! A block belongs to the pod a command near it names, else to the unnamed pod
//! ([`UNNAMED_POD`]); its container is the one its `name:` line names, else unknown. A
//! row names its own pod. Nothing is read from a line that is not `Key: value` with a
//! key of these blocks, so prose is left to the text reader.
//!
//! Example: the three lines `Last State: Terminated`, `Reason: OOMKilled`,
//! `Exit Code: 137` pasted alone give the unnamed pod a container whose last
//! termination is `OOMKilled` with exit code 137.

use std::sync::OnceLock;

use regex::Regex;

use super::{origin, SectionContext};
use crate::model::{self, ContainerState, Fact, Model, Origin, UNNAMED_POD};
use crate::quantity;
use crate::sections::Section;

/// The container a block without a `name:` line belongs to (as a log's).
const UNKNOWN_CONTAINER: &str = super::logs::DEFAULT_CONTAINER;

/// A line without the decorations pastes carry: quote marks, diff and markdown marks,
/// k9s bars.
fn undecorated(line: &str) -> &str {
    let t = line.trim_end().trim_end_matches("**");
    let mut s = t;
    loop {
        let next = s.trim_start_matches([' ', '\t']);
        let next = next
            .strip_prefix("> ")
            .or_else(|| next.strip_prefix("+ "))
            .or_else(|| next.strip_prefix("│"))
            .or_else(|| next.strip_prefix("**"))
            .unwrap_or(next);
        if next.len() == s.len() {
            return s;
        }
        s = next;
    }
}

fn indent(line: &str) -> usize {
    let t = line.trim_start_matches([' ', '\t', '>', '+', '│', '*']);
    line.len() - t.len()
}

/// `Key:  value` of a line, key and value trimmed.
fn key_value(line: &str) -> Option<(&str, &str)> {
    let (k, v) = undecorated(line).trim_start_matches("- ").split_once(':')?;
    Some((k.trim(), v.trim()))
}

/// Keys that may follow a container's `name:` line in describe.
const CONTAINER_KEYS: [&str; 7] = ["Container ID", "Image", "State", "Last State", "Port", "Host Port", "Command"];

#[derive(Clone, Copy, PartialEq)]
enum Slot {
    None,
    State,
    Last,
}

#[derive(Clone, Copy, PartialEq)]
enum Sub {
    None,
    Limits,
    Requests,
}

/// Reads container blocks into the model; true when one gave a fact.
pub fn container_blocks(section: &Section<'_>, ctx: &SectionContext, model: &mut Model, pod: Option<&str>) -> bool {
    let lines = &section.lines;
    let pod_name = pod.unwrap_or(UNNAMED_POD);
    let namespace = ctx.namespace(section).map(str::to_string);
    let mut container: Option<String> = None;
    let mut slot = Slot::None;
    let mut sub = Sub::None;
    let mut sub_indent = 0;
    let mut status_line: Option<Origin> = None;
    let mut evicted: Option<Origin> = None;
    let mut message: Option<(Origin, String)> = None;
    let mut read = false;
    for (i, &(n, line)) in lines.iter().enumerate() {
        let at = origin(section, n);
        let Some((key, value)) = key_value(line) else {
            continue;
        };
        let ind = indent(line);
        if sub != Sub::None && ind <= sub_indent && key != "memory" {
            sub = Sub::None;
        }
        // `  worker:` followed by `Container ID:`/`Image:`/`State:` names the container.
        if value.is_empty() && is_name(key) && !is_key(key) {
            let next = lines.iter().skip(i + 1).map(|(_, l)| *l).find(|l| !l.trim().is_empty());
            if next.is_some_and(|l| indent(l) > ind && key_value(l).is_some_and(|(k, _)| CONTAINER_KEYS.contains(&k))) {
                container = Some(key.to_string());
                slot = Slot::None;
                continue;
            }
        }
        let cname = container.clone().unwrap_or_else(|| UNKNOWN_CONTAINER.to_string());
        match key {
            "State" | "state" | "Last State" | "Last Termination State" | "lastState" => {
                let last = !matches!(key, "State" | "state");
                let p = model.pod_mut(namespace.as_deref(), pod_name, at);
                let c = p.container_mut(&cname);
                let st = ContainerState { state: value.to_ascii_lowercase(), origin: at, ..ContainerState::default() };
                if last {
                    c.last_termination = Some(st);
                    slot = Slot::Last;
                } else {
                    c.state = Some(st);
                    slot = Slot::State;
                }
                read = true;
            }
            "terminated" | "waiting" | "running" if value.is_empty() && slot != Slot::None => {
                if let Some(st) = state_slot(model, namespace.as_deref(), pod_name, &cname, slot, at) {
                    st.state = key.to_string();
                    st.origin = at;
                }
            }
            "Reason" | "reason" => {
                if slot != Slot::None {
                    if let Some(st) = state_slot(model, namespace.as_deref(), pod_name, &cname, slot, at) {
                        st.reason = Some(value.to_string());
                        if st.state.is_empty() {
                            st.origin = at;
                        }
                    }
                } else if value == "Evicted" {
                    // A pod's `Status: Failed` / `Reason: Evicted` (describe's top lines,
                    // or `.status` as YAML): its message says which resource ran low.
                    let p = model.pod_mut(namespace.as_deref(), pod_name, at);
                    p.status = Some(Fact::new("Evicted".to_string(), status_line.unwrap_or(at)));
                    evicted = Some(at);
                    read = true;
                }
            }
            "Exit Code" | "exitCode" => {
                if let (Some(st), Ok(code)) =
                    (state_slot(model, namespace.as_deref(), pod_name, &cname, slot, at), value.parse::<i32>())
                {
                    st.exit_code = Some(code);
                }
            }
            "Restart Count" | "restartCount" => {
                if let Ok(v) = value.parse::<u32>() {
                    let p = model.pod_mut(namespace.as_deref(), pod_name, at);
                    p.container_mut(&cname).restarts = Some(Fact::new(v, at));
                    read = true;
                }
                slot = Slot::None;
            }
            "Ready" | "ready" => slot = Slot::None,
            "Limits" | "Requests" | "limits" | "requests" if value.is_empty() => {
                sub = if key.eq_ignore_ascii_case("limits") { Sub::Limits } else { Sub::Requests };
                sub_indent = ind;
                slot = Slot::None;
            }
            "memory" if sub != Sub::None => {
                if let Some(bytes) = quantity::parse_bytes(value.trim_matches('"')) {
                    let p = model.pod_mut(namespace.as_deref(), pod_name, at);
                    let c = p.container_mut(&cname);
                    let what = if sub == Sub::Limits { "memory limit" } else { "memory request" };
                    let slot = if sub == Sub::Limits { &mut c.memory_limit } else { &mut c.memory_request };
                    if let Some(w) = model::set_fact(slot, bytes, at, what) {
                        model.warnings.push(w);
                    }
                    read = true;
                }
            }
            "Status" | "Pod status" | "status" if is_status(value) => {
                // `Pod status: CrashLoopBackOff` (a status word alone is the pod's).
                let p = model.pod_mut(namespace.as_deref(), pod_name, at);
                p.status = Some(Fact::new(value.to_string(), at));
                status_line = Some(at);
                read = true;
            }
            "Status" if pod.is_some() => status_line = Some(at),
            "Message" | "message" if slot == Slot::None && !value.is_empty() => {
                message = Some((at, value.trim_matches('"').to_string()));
            }
            _ => {}
        }
    }
    // The eviction's message, as an event of the pod (what `evicted.rs` quotes, and how
    // it tells a disk eviction from a memory one).
    if let (Some(at), Some((mat, msg))) = (evicted, message) {
        let p = model.pod_mut(namespace.as_deref(), pod_name, at);
        p.events.push(model::Event {
            reason: "Evicted".to_string(),
            message: msg,
            count: 1,
            origin: mat,
            ..model::Event::default()
        });
    }
    read
}

/// The state being read of a container block, made when missing.
fn state_slot<'m>(
    model: &'m mut Model,
    namespace: Option<&str>,
    pod: &str,
    container: &str,
    slot: Slot,
    at: Origin,
) -> Option<&'m mut ContainerState> {
    if slot == Slot::None {
        return None;
    }
    let c = model.pod_mut(namespace, pod, at).container_mut(container);
    let s = if slot == Slot::State { &mut c.state } else { &mut c.last_termination };
    Some(s.get_or_insert_with(|| ContainerState { origin: at, ..ContainerState::default() }))
}

/// The kubelet's message of an eviction, where a line holds one: `The node was low on
/// resource: memory. …`, `The node had condition: [MemoryPressure].` (also `… [DiskPressure]`
/// and `ephemeral-storage`, which `evicted.rs` tells apart).
fn eviction_message(line: &str) -> Option<&str> {
    let lower = line.to_ascii_lowercase();
    let i = lower.find("the node was low on resource").or_else(|| lower.find("the node had condition: ["))?;
    Some(line.get(i..).unwrap_or(line).trim().trim_end_matches("**").trim_end_matches('"'))
}

/// Reads eviction messages into eviction events of `pod` (the pod a command names, else
/// the unnamed pod); true when one was read.
pub fn eviction_messages(section: &Section<'_>, ctx: &SectionContext, model: &mut Model, pod: Option<&str>) -> bool {
    let namespace = ctx.namespace(section).map(str::to_string);
    let mut read = false;
    for &(n, line) in &section.lines {
        let Some(message) = eviction_message(line) else { continue };
        let at = origin(section, n);
        let p = model.pod_mut(namespace.as_deref(), pod.unwrap_or(UNNAMED_POD), at);
        if p.events.iter().any(|e| e.reason == "Evicted" && e.message == message) {
            continue;
        }
        p.events.push(model::Event {
            reason: "Evicted".to_string(),
            message: message.to_string(),
            count: 1,
            origin: at,
            ..model::Event::default()
        });
        read = true;
    }
    read
}

/// Whether a line may be part of a fragment (a `Key: value` of a container block, a
/// container's `name:` line, a `get pods` row): text keeps only these for the fragment
/// readers.
pub fn candidate(line: &str) -> bool {
    if let Some((key, value)) = key_value(line) {
        if is_key(key) || BLOCK_KEYS.contains(&key) || (value.is_empty() && is_name(key)) {
            return true;
        }
    }
    (line.contains('/') && row_re().is_match(undecorated(line))) || eviction_message(line).is_some()
}

/// The keys [`container_blocks`] reads besides [`is_key`]'s.
const BLOCK_KEYS: [&str; 20] = [
    "Message",
    "message",
    "Pod status",
    "status",
    "Last Termination State",
    "Reason",
    "reason",
    "Exit Code",
    "exitCode",
    "Restart Count",
    "restartCount",
    "Ready",
    "ready",
    "memory",
    "Status",
    "Container ID",
    "Image",
    "Port",
    "Host Port",
    "Command",
];

/// Keys of a container block (never a container's name).
fn is_key(k: &str) -> bool {
    matches!(
        k,
        "State"
            | "state"
            | "Last State"
            | "lastState"
            | "Limits"
            | "Requests"
            | "limits"
            | "requests"
            | "terminated"
            | "waiting"
            | "running"
            | "Containers"
            | "Init Containers"
            | "Events"
            | "Conditions"
            | "Volumes"
            | "Labels"
            | "Annotations"
            | "Mounts"
            | "Environment"
    )
}

fn is_name(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 63
        && k.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && k.as_bytes()[0].is_ascii_alphanumeric()
}

/// A `get pods` row: `[NAMESPACE] [po/]NAME READY STATUS RESTARTS [(AGO)] AGE …`, also
/// behind a glog prefix (`I0131 05:56:40.964] `, a test log's).
fn row_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(
            r"^(?:[A-Z]\d{4} [\d:.]+\]\s+)?\s*(?:(?P<ns>[a-z0-9][-a-z0-9]{0,62})\s+)?(?:pods?/|po/)?(?P<name>[a-z0-9][-a-z0-9.]{0,252})\s+(?P<ready>\d+/\d+)\s+(?P<status>[A-Za-z][A-Za-z:0-9]*)\s+(?P<restarts>\d+)(?:\s+\([^)]*\bago\))?\s+(?P<age>(?:\d+[smhdy])+|<unknown>)(?:\s|$)",
        )
        .expect("static regex")
    })
}

/// Status words `kubectl get pods` prints.
fn is_status(s: &str) -> bool {
    matches!(
        s,
        "Running"
            | "Pending"
            | "Succeeded"
            | "Failed"
            | "Unknown"
            | "Completed"
            | "CrashLoopBackOff"
            | "OOMKilled"
            | "Error"
            | "Evicted"
            | "Terminating"
            | "ContainerCreating"
            | "ContainerStatusUnknown"
            | "ImagePullBackOff"
            | "ErrImagePull"
            | "CreateContainerConfigError"
            | "CreateContainerError"
            | "RunContainerError"
            | "NotReady"
            | "NodeLost"
            | "PodInitializing"
            | "OutOfmemory"
            | "OutOfcpu"
    ) || s.starts_with("Init:")
        || s.starts_with("ExitCode:")
        || s.starts_with("Signal:")
}

/// Reads `get pods` rows without their header; true when one was read. Status and
/// restarts are "latest wins", as in `get_pods.rs`.
pub fn pod_rows(section: &Section<'_>, ctx: &SectionContext, model: &mut Model) -> bool {
    let mut read = false;
    for &(n, line) in &section.lines {
        let l = undecorated(line);
        if !l.as_bytes().contains(&b'/') {
            continue;
        }
        let Some(c) = row_re().captures(l) else { continue };
        let status = &c["status"];
        if !is_status(status) {
            continue;
        }
        let at = origin(section, n);
        let ns = c.name("ns").map(|m| m.as_str().to_string()).or_else(|| ctx.namespace(section).map(str::to_string));
        let Ok(restarts) = c["restarts"].parse::<u32>() else { continue };
        let pod = model.pod_mut(ns.as_deref(), &c["name"], at);
        pod.status = Some(Fact::new(status.to_string(), at));
        pod.restarts = Some(Fact::new(restarts, at));
        read = true;
    }
    read
}

#[cfg(test)]
mod tests {
    use crate::analyze_text;
    use crate::model::UNNAMED_POD;

    #[test]
    fn a_container_block_alone() {
        let a = analyze_text("paste", "    Last State:     Terminated\n      Reason:       OOMKilled\n      Exit Code:    137\n    Restart Count:  3\n");
        let pod = a.model.pods.iter().find(|p| p.name == UNNAMED_POD).expect("the unnamed pod");
        let c = &pod.containers[0];
        let last = c.last_termination.as_ref().unwrap();
        assert_eq!((last.reason.as_deref(), last.exit_code), (Some("OOMKilled"), Some(137)));
        assert_eq!(c.restarts.as_ref().map(|f| f.value), Some(3));
        let f: Vec<_> = a.findings.iter().map(|f| (f.kind.as_str(), f.pod.clone())).collect();
        assert!(f.contains(&("oom-killed", None)), "{f:?}");
    }

    #[test]
    fn a_row_without_header() {
        let a = analyze_text("paste", "api-6d4cf56db6-9xk2p   1/2   CrashLoopBackOff   3 (2m ago)   12m\n");
        let pod = a.model.pods.iter().find(|p| p.name == "api-6d4cf56db6-9xk2p").expect("the row's pod");
        assert_eq!(pod.status.as_ref().map(|f| f.value.as_str()), Some("CrashLoopBackOff"));
        assert_eq!(pod.restarts.as_ref().map(|f| f.value), Some(3));
    }

    #[test]
    fn a_row_behind_a_test_log_prefix() {
        let a = analyze_text(
            "paste",
            "I0131 05:56:40.964] po/istio-mixer-1482973336-g9pnq     2/3       CrashLoopBackOff   2          31s       10.64.8.30\n",
        );
        let pod = a.model.pods.iter().find(|p| p.name == "istio-mixer-1482973336-g9pnq").expect("the row's pod");
        assert_eq!(pod.status.as_ref().map(|f| f.value.as_str()), Some("CrashLoopBackOff"));
        // Negative control: numbers in a sentence are not a row.
        let a = analyze_text("paste", "I0131 05:56:40.964] tried 2/3 times, Running took 2 31s\n");
        assert!(a.model.pods.iter().all(|p| p.status.is_none()), "{:?}", a.model.pods);
    }

    #[test]
    fn prose_gives_no_fragment() {
        let a = analyze_text(
            "paste",
            "The reason was that the state of the pod changed: it restarted 3 times.\nWe set limits: memory to 1Gi later.\n",
        );
        assert!(a.findings.is_empty(), "{:?}", a.findings);
        assert!(a.model.pods.iter().all(|p| p.containers.iter().all(|c| c.last_termination.is_none())));
    }
}
