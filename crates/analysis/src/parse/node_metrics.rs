//! The kubelet's Summary API (`kubectl get --raw /api/v1/nodes/NODE/proxy/stats/summary`,
//! and the `node-metrics/<node>.json` files of a Replicated support bundle).
//!
//! Reads, with the time the kubelet took each reading (`memory.time`):
//! - `node.memory.workingSetBytes` → one [`NodeSample`] of the node (`percent` unknown:
//!   the summary does not give the node's allocatable memory);
//! - each `pods[].containers[].memory.workingSetBytes` → one [`Sample`] of that container
//!   of pod `pods[].podRef` (`name`, `namespace`), the same number `kubectl top pod
//!   --containers` shows (metrics-server reports the working set);
//! - a pod's own `pods[].memory.workingSetBytes` only when it lists no container;
//! - the node as the pod's node, when not known yet.
//!
//! A reading without `workingSetBytes` is skipped silently (the kubelet leaves it out for
//! containers that just started); a value of the wrong type is a warning. Each sample
//! cites the line of its `workingSetBytes`. Example:
//! ```text
//! {"node": {"nodeName": "node-1", "memory": {"time": "2026-11-24T10:00:00Z", "workingSetBytes": 3221225472}},
//!  "pods": [{"podRef": {"name": "worker-1", "namespace": "shop"},
//!            "containers": [{"name": "worker", "memory": {"time": "2026-11-24T10:00:02Z", "workingSetBytes": 520093696}}]}]}
//! ```
//! gives node `node-1` a sample of 3 GiB and container `worker` of pod `shop/worker-1` a
//! sample of 496 MiB at 10:00:02Z.

use super::tree::{json_tree, TreeNode, TreeValue};
use super::{origin, SectionContext};
use crate::model::{Model, NodeSample, Sample};
use crate::sections::{Command, Section};
use crate::time;

/// Whether a command reads the Summary API: `kubectl get --raw …/proxy/stats/summary`.
pub fn is_summary_command(cmd: &Command) -> bool {
    cmd.positional.first().map(String::as_str) == Some("get")
        && cmd.args.iter().any(|a| a.trim_end_matches('/').ends_with("/proxy/stats/summary"))
}

/// The node a Summary API command names (`/api/v1/nodes/NODE/proxy/…`).
fn node_of(cmd: &Command) -> Option<String> {
    cmd.args.iter().find_map(|a| {
        let rest = a.split("/nodes/").nth(1)?;
        let name = rest.split('/').next()?;
        (!name.is_empty()).then(|| name.to_string())
    })
}

fn text<'n>(node: &'n TreeNode, key: &str) -> Option<&'n str> {
    match node.get(key).map(|n| &n.v) {
        Some(TreeValue::Str(s)) => Some(s.as_str()),
        _ => None,
    }
}

/// One memory reading: bytes, time and the line of `workingSetBytes`.
struct Reading {
    bytes: u64,
    at: Option<jiff::Timestamp>,
    line: u32,
}

fn reading(owner: &TreeNode, what: &str, section: &Section<'_>, model: &mut Model) -> Option<Reading> {
    let memory = owner.get("memory")?;
    let entry = memory.entry("workingSetBytes")?;
    let bytes = match entry.value.v {
        TreeValue::Int(b) if b >= 0 => u64::try_from(b).ok()?,
        TreeValue::Null => return None,
        _ => {
            model.warn(
                origin(section, entry.line),
                format!("workingSetBytes of {what} is {}, not a byte count; skipped", entry.value.describe()),
            );
            return None;
        }
    };
    Some(Reading { bytes, at: text(memory, "time").and_then(time::parse_rfc3339), line: entry.line })
}

pub fn parse(section: &Section<'_>, ctx: &SectionContext, model: &mut Model) {
    let doc = match json_tree(section) {
        Ok(Some(doc)) => doc,
        Ok(None) => return,
        Err((line, why)) => {
            model.warn(origin(section, line), format!("node metrics skipped: {why}"));
            return;
        }
    };
    if !matches!(doc.v, TreeValue::Map(_)) || (doc.get("node").is_none() && doc.get("pods").is_none()) {
        model.warn(
            origin(section, doc.line),
            "node metrics skipped: this is not the kubelet's stats summary (no `node` or `pods`)",
        );
        return;
    }
    let node_name = doc
        .get("node")
        .and_then(|n| text(n, "nodeName"))
        .map(str::to_string)
        .or_else(|| section.command.as_ref().and_then(node_of));
    if let Some(node) = doc.get("node") {
        if let Some(name) = node_name.clone() {
            if let Some(r) = reading(node, &format!("node {name}"), section, model) {
                let at = origin(section, r.line);
                model.node_mut(&name, at).memory_samples.push(NodeSample {
                    at: r.at,
                    seq: ctx.seq,
                    bytes: r.bytes,
                    percent: None,
                    origin: at,
                });
            }
        }
    }
    let pods: &[TreeNode] = match doc.get("pods").map(|p| &p.v) {
        Some(TreeValue::Seq(p)) => p,
        _ => &[],
    };
    for p in pods {
        let Some(pod_ref) = p.get("podRef") else { continue };
        let Some(name) = text(pod_ref, "name") else { continue };
        let ns = text(pod_ref, "namespace");
        let containers: &[TreeNode] = match p.get("containers").map(|c| &c.v) {
            Some(TreeValue::Seq(c)) => c,
            _ => &[],
        };
        let mut readings = Vec::new();
        for c in containers {
            let Some(cname) = text(c, "name") else { continue };
            if let Some(r) = reading(c, &format!("container {cname} of pod {name}"), section, model) {
                readings.push((Some(cname), r));
            }
        }
        if containers.is_empty() {
            if let Some(r) = reading(p, &format!("pod {name}"), section, model) {
                readings.push((None, r));
            }
        }
        for (container, r) in readings {
            let at = origin(section, r.line);
            let sample = Sample { at: r.at, seq: ctx.seq, bytes: r.bytes, origin: at };
            let pod = model.pod_mut(ns, name, at);
            if pod.node.is_none() {
                pod.node.clone_from(&node_name); // the summary is the node's own
            }
            match container {
                Some(c) => pod.container_mut(c).memory_samples.push(sample),
                None => pod.memory_samples.push(sample),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analyze_text;

    /// Abridged from the kubelet's `/stats/summary` (stats/v1alpha1 field names).
    pub(crate) const SUMMARY: &str = r#"$ kubectl get --raw /api/v1/nodes/node-1/proxy/stats/summary
{
 "node": {
  "nodeName": "node-1",
  "startTime": "2026-11-20T08:00:00Z",
  "memory": {
   "time": "2026-11-24T10:00:00Z",
   "availableBytes": 4294967296,
   "usageBytes": 4026531840,
   "workingSetBytes": 3221225472,
   "rssBytes": 2147483648,
   "pageFaults": 0,
   "majorPageFaults": 0
  }
 },
 "pods": [
  {
   "podRef": {
    "name": "worker-7d9f8b6c5-x2x9k",
    "namespace": "shop",
    "uid": "0b6c3f0e-8a55-4e43-9d6b-0f2a43c1e7a2"
   },
   "startTime": "2026-11-24T09:00:00Z",
   "containers": [
    {
     "name": "worker",
     "startTime": "2026-11-24T09:41:00Z",
     "memory": {
      "time": "2026-11-24T10:00:02Z",
      "availableBytes": 16777216,
      "usageBytes": 530579456,
      "workingSetBytes": 520093696,
      "rssBytes": 503316480,
      "pageFaults": 120394,
      "majorPageFaults": 12
     }
    }
   ],
   "memory": {
    "time": "2026-11-24T10:00:02Z",
    "usageBytes": 531628032,
    "workingSetBytes": 521142272
   }
  }
 ]
}
"#;

    #[test]
    fn node_and_container_working_set() {
        let m = analyze_text("t", SUMMARY).model;
        assert!(m.warnings.is_empty(), "{:?}", m.warnings);
        let node = m.node("node-1").unwrap();
        assert_eq!(node.memory_samples[0].bytes, 3 << 30);
        assert_eq!(node.memory_samples[0].at.unwrap().to_string(), "2026-11-24T10:00:00Z");
        let pod = m.pod(Some("shop"), "worker-7d9f8b6c5-x2x9k").unwrap();
        assert!(pod.memory_samples.is_empty(), "pod-level reading only without containers");
        assert_eq!(pod.node.as_deref(), Some("node-1"));
        let s = &pod.container("worker").unwrap().memory_samples[0];
        assert_eq!(s.bytes, 496 << 20);
        assert_eq!(s.at.unwrap().to_string(), "2026-11-24T10:00:02Z");
        assert_eq!(m.line_text(s.origin).trim(), r#""workingSetBytes": 520093696,"#);
    }

    #[test]
    fn wrong_types_and_damage() {
        let text = "$ kubectl get --raw /api/v1/nodes/n/proxy/stats/summary\n{\"pods\": [{\"podRef\": {\"name\": \"p\"}, \"containers\": [{\"name\": \"c\", \"memory\": {\"workingSetBytes\": \"lots\"}}]}]}\n";
        let m = analyze_text("t", text).model;
        assert!(m.warnings[0].message.contains("not a byte count"), "{:?}", m.warnings);
        let m = analyze_text("t", "$ kubectl get --raw /api/v1/nodes/n/proxy/stats/summary\n{\"kind\": \"x\"}\n").model;
        assert!(m.warnings[0].message.contains("not the kubelet's stats summary"));
        crate::parse::assert_no_panic_on_damage(&SUMMARY[..500]);
    }
}
