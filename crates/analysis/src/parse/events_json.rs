//! `kubectl get events -o json` and the `cluster-resources/events/<ns>.json` files of a
//! Replicated support bundle: an `EventList` (or a bare JSON array of events, as older
//! support bundles wrote them, or one `Event`).
//!
//! For each event it reads `involvedObject` (`kind`, `name`, `namespace`), `type`,
//! `reason`, `message`, `count` (or `series.count`) and the last time it was seen
//! (`lastTimestamp`, else `series.lastObservedTime`, else `eventTime`, else
//! `firstTimestamp`). Events on a `Pod` go to that pod, events on a `TreeNode` to that node,
//! like `get events` tables ([`super::events`]); events about other objects are counted in
//! one warning. Every event cites the line of its `reason`. Example:
//! ```text
//! {"kind": "EventList", "items": [{"involvedObject": {"kind": "Pod", "name": "worker-1",
//!   "namespace": "shop"}, "reason": "BackOff", "type": "Warning", "count": 12,
//!   "message": "Back-off restarting failed container worker in pod worker-1_shop(…)",
//!   "lastTimestamp": "2026-11-24T10:05:00Z"}]}
//! ```
//! gives pod `shop/worker-1` a `Warning` event `BackOff`, count 12, last seen 10:05:00Z.

use std::collections::BTreeMap;

use super::events::add_event;
use super::tree::{json_tree, TreeNode, TreeValue};
use super::{origin, SectionContext};
use crate::model::{Event, Model, Origin};
use crate::sections::Section;
use crate::time;

fn text<'n>(node: &'n TreeNode, key: &str) -> Option<&'n str> {
    match node.get(key).map(|n| &n.v) {
        Some(TreeValue::Str(s)) => Some(s.as_str()),
        _ => None,
    }
}

/// Reads an `EventList` (or a bare array, or one `Event`) into the pods' and nodes' events.
pub fn parse(section: &Section<'_>, ctx: &SectionContext, model: &mut Model) {
    let doc = match json_tree(section) {
        Ok(Some(doc)) => doc,
        Ok(None) => return,
        Err((line, why)) => {
            model.warn(origin(section, line), format!("event list skipped: {why}"));
            return;
        }
    };
    let items: &[TreeNode] = match (&doc.v, text(&doc, "kind")) {
        (TreeValue::Seq(items), _) => items,
        (TreeValue::Map(_), Some("Event")) => std::slice::from_ref(&doc),
        (TreeValue::Map(_), _) => match doc.get("items").map(|i| &i.v) {
            Some(TreeValue::Seq(items)) => items,
            None => &[],
            Some(_) => {
                model.warn(origin(section, doc.line), "`items` of the event list is not a list; skipped");
                return;
            }
        },
        _ => {
            model.warn(
                origin(section, doc.line),
                format!("expected a list of events, found {}; skipped", doc.describe()),
            );
            return;
        }
    };
    let mut others: BTreeMap<String, u32> = BTreeMap::new();
    let mut first_other: Option<Origin> = None;
    for item in items {
        read_event(item, section, ctx, model, &mut others, &mut first_other);
    }
    super::events::warn_other_events(model, first_other, &others);
}

fn read_event(
    item: &TreeNode,
    section: &Section<'_>,
    ctx: &SectionContext,
    model: &mut Model,
    others: &mut BTreeMap<String, u32>,
    first_other: &mut Option<Origin>,
) {
    let at = origin(section, item.line);
    if !matches!(item.v, TreeValue::Map(_)) {
        model.warn(at, format!("an event should be a mapping, found {}; skipped", item.describe()));
        return;
    }
    let line = item.entry("reason").map_or(item.line, |e| e.line);
    let at = origin(section, line);
    let Some(object) = item.get("involvedObject") else {
        model.warn(at, "event without `involvedObject` skipped");
        return;
    };
    let (Some(kind), Some(name)) = (text(object, "kind"), text(object, "name")) else {
        model.warn(at, "event whose `involvedObject` has no kind or name skipped");
        return;
    };
    let series = item.get("series");
    let count = match item.get("count").or_else(|| series.and_then(|s| s.get("count"))).map(|n| &n.v) {
        Some(TreeValue::Int(c)) => u32::try_from(*c).unwrap_or(if *c < 0 { 0 } else { u32::MAX }),
        None => 1,
        Some(_) => {
            model.warn(at, "event `count` is not a number; taken as 1");
            1
        }
    };
    let when = ["lastTimestamp"]
        .iter()
        .filter_map(|k| text(item, k))
        .chain(series.and_then(|s| text(s, "lastObservedTime")))
        .chain(text(item, "eventTime"))
        .chain(text(item, "firstTimestamp"))
        .find_map(time::parse_rfc3339);
    let event = Event {
        kind: text(item, "type").map(str::to_string),
        reason: text(item, "reason").unwrap_or("").to_string(),
        message: text(item, "message").unwrap_or("").trim_end().to_string(),
        count,
        last_seen: when,
        age: None,
        origin: at,
    };
    match kind {
        "Pod" => {
            let ns = text(object, "namespace")
                .or_else(|| text(item.get("metadata").unwrap_or(item), "namespace"))
                .or_else(|| ctx.namespace(section));
            let pod = model.pod_mut(ns, name, at);
            add_event(&mut pod.events, event);
        }
        "TreeNode" => {
            let node = model.node_mut(name, at);
            add_event(&mut node.events, event);
        }
        other => {
            *others.entry(other.to_string()).or_insert(0) += 1;
            first_other.get_or_insert(at);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analyze_text;

    /// The shape `kubectl get events -o json` prints (fields as the API returns them).
    const LIST: &str = r#"$ kubectl get events -n shop -o json
{
    "apiVersion": "v1",
    "items": [
        {
            "apiVersion": "v1",
            "count": 4,
            "firstTimestamp": "2026-11-24T09:40:00Z",
            "involvedObject": {
                "apiVersion": "v1",
                "fieldPath": "spec.containers{worker}",
                "kind": "Pod",
                "name": "worker-7d9f8b6c5-x2x9k",
                "namespace": "shop",
                "resourceVersion": "4410",
                "uid": "0b6c3f0e-8a55-4e43-9d6b-0f2a43c1e7a2"
            },
            "kind": "Event",
            "lastTimestamp": "2026-11-24T10:05:00Z",
            "message": "Back-off restarting failed container worker in pod worker-7d9f8b6c5-x2x9k_shop(0b6c3f0e-8a55-4e43-9d6b-0f2a43c1e7a2)",
            "metadata": {
                "name": "worker-7d9f8b6c5-x2x9k.187a9f0b2c1d3e4f",
                "namespace": "shop"
            },
            "reason": "BackOff",
            "reportingComponent": "kubelet",
            "source": {"component": "kubelet", "host": "node-1"},
            "type": "Warning"
        },
        {
            "involvedObject": {"kind": "TreeNode", "name": "node-1"},
            "kind": "Event",
            "eventTime": "2026-11-24T10:01:00.000000Z",
            "message": "System OOM encountered, victim process: python, pid: 4242",
            "reason": "SystemOOM",
            "type": "Warning"
        },
        {
            "involvedObject": {"kind": "ReplicaSet", "name": "worker-7d9f8b6c5", "namespace": "shop"},
            "kind": "Event",
            "message": "Created pod: worker-7d9f8b6c5-x2x9k",
            "reason": "SuccessfulCreate",
            "type": "Normal"
        }
    ],
    "kind": "List",
    "metadata": {"resourceVersion": ""}
}
"#;

    #[test]
    fn event_list_to_pods_and_nodes() {
        let m = analyze_text("t", LIST).model;
        let pod = m.pod(Some("shop"), "worker-7d9f8b6c5-x2x9k").unwrap();
        assert_eq!(pod.events.len(), 1);
        let e = &pod.events[0];
        assert_eq!((e.kind.as_deref(), e.reason.as_str(), e.count), (Some("Warning"), "BackOff", 4));
        assert_eq!(e.last_seen.unwrap().to_string(), "2026-11-24T10:05:00Z");
        assert_eq!(m.line_text(e.origin).trim(), r#""reason": "BackOff","#);
        let node = m.node("node-1").unwrap();
        assert_eq!(node.events[0].reason, "SystemOOM");
        assert_eq!(node.events[0].count, 1);
        assert_eq!(node.events[0].last_seen.unwrap().to_string(), "2026-11-24T10:01:00Z");
        assert_eq!(m.warnings.len(), 1, "{:?}", m.warnings);
        assert!(m.warnings[0].message.contains("ReplicaSet ×1"));
    }

    #[test]
    fn bare_array_and_damage() {
        let text = "$ kubectl get events -n shop -o json\n[{\"involvedObject\": {\"kind\": \"Pod\", \"name\": \"w\"}, \"reason\": \"OOMKilling\", \"count\": \"x\"}]\n";
        let m = analyze_text("t", text).model;
        let pod = m.pod(Some("shop"), "w").unwrap();
        assert_eq!(pod.events[0].count, 1);
        assert!(m.warnings[0].message.contains("not a number"));
        let cut = &LIST[..LIST.len() / 2];
        let m = analyze_text("t", cut).model;
        assert!(m.warnings.iter().any(|w| w.message.contains("ends early")), "{:?}", m.warnings);
        crate::parse::assert_no_panic_on_damage(&LIST[..600]);
    }
}
