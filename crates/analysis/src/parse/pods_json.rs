//! `kubectl get pods -o json` ([`parse_json`]) and `-o yaml` ([`parse_yaml`]).
//!
//! Recognises a `List` / `PodList` of pods or one `Pod` (several documents in one section
//! too: JSON values one after another, YAML documents split by `---`). For each pod it
//! reads `metadata.namespace`/`name`, the controller of `metadata.ownerReferences`,
//! `spec.nodeName`, `status.qosClass` and `startTime`, the containers
//! and init containers of `spec` (image, `resources.limits.memory` and
//! `requests.memory` in exact bytes), and `status.containerStatuses` /
//! `initContainerStatuses` (`restartCount`, `ready`, `imageID`, `state`, `lastState.terminated`).
//! Example:
//! ```text
//! {"kind": "Pod", "metadata": {"name": "worker-1", "namespace": "shop"},
//!  "spec": {"containers": [{"name": "app", "resources": {"limits": {"memory": "512Mi"}}}]},
//!  "status": {"phase": "Running", "containerStatuses": [{"name": "app", "restartCount": 3,
//!   "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137}}}]}}
//! ```
//! gives pod `shop/worker-1` with container `app`: limit 536870912 bytes, 3 restarts,
//! last termination `OOMKilled` (exit code 137); pod status `Running`, pod restarts 3.
//!
//! **Pod status** is the word `kubectl get pods` prints, with one deliberate difference:
//! 1. a pod being deleted (`metadata.deletionTimestamp`) is `Unknown` when
//!    `status.reason` is `NodeLost`, else `Terminating` unless its phase is final;
//! 2. else `status.reason` when set (`Evicted`, `NodeLost`…) — kubectl lets a container
//!    reason replace it, we keep the pod's reason because it says more about memory;
//! 3. else kubectl's container rule, starting from `status.phase`: the first init
//!    container not done gives `Init:<reason>`, `Init:ExitCode:<n>` or `Init:<i>/<n>`;
//!    otherwise the last container (in order) that is waiting or terminated gives its
//!    reason (`CrashLoopBackOff`, `OOMKilled`, `Completed`, `ExitCode:<n>`…), and
//!    `Completed` with a container still running reads `Running` / `NotReady`.
//!
//! The origin of the status is the line that decided it (`"reason": "CrashLoopBackOff"`).
//! **Pod restarts** are the sum of the `restartCount` of all its containers (init
//! containers included), cited at the `restartCount` line of the container that
//! restarted most. Status, restarts, states and readiness are "latest wins" (a later
//! capture overwrites an earlier one); memory limits and requests go through
//! [`model::set_fact`], so a different value in another section is a warning.
//!
//! **Lines.** Every fact cites the line of its own field, e.g. the `"memory": "512Mi"`
//! line of a limit: JSON and YAML are read into one tree whose values carry their lines
//! (`tree.rs`), and one mapping reads pods from it. Values of the wrong type
//! (`"restartCount": "five"`) are warnings and are skipped; nesting deeper than 128
//! levels is a warning, never a stack overflow.
//!
//! Why saphyr for YAML: it is maintained, YAML 1.2, pure Rust (builds for wasm32 with
//! default features off), limits alias expansion (billion laughs) and flow nesting, and
//! is the one reader that gives every node its line. The serde_yaml forks
//! (serde_norway, serde_yaml_ng) deserialize straight to values with no positions.

use saphyr::{LoadableYamlNode, MarkedYaml};

use super::tree::{from_json, from_yaml, json_nodes, LineMap, TreeNode, TreeValue, MAX_DEPTH, MAX_YAML_INDENT};
use super::{origin, SectionContext};
use crate::model::{self, ContainerState, Fact, Model, Origin, Warning};
use crate::quantity;
use crate::sections::Section;
use crate::time;

/// The section's output lines joined with `\n`, and their bundle line numbers. kubectl's
/// own error lines (`Error from server (NotFound): …`, `error: …`) become warnings and
/// blank lines, so they neither break nor shift the document.
fn joined(section: &Section<'_>, model: &mut Model) -> (String, Vec<u32>) {
    let mut text = String::new();
    let mut numbers = Vec::with_capacity(section.lines.len());
    for (i, &(n, l)) in section.lines.iter().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        if l.starts_with("Error from server") || l.starts_with("error: ") {
            model.warn(origin(section, n), format!("kubectl get pods failed: {}", l.trim()));
        } else {
            text.push_str(l);
        }
        numbers.push(n);
    }
    (text, numbers)
}

/// Reads the output of `kubectl get pods -o json`.
pub fn parse_json(section: &Section<'_>, ctx: &SectionContext, model: &mut Model) {
    let (text, numbers) = joined(section, model);
    if text.trim().is_empty() {
        return;
    }
    let mut docs = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(&text).into_iter::<serde::de::IgnoredAny>();
    let mut start = 0;
    loop {
        match stream.next() {
            None => break,
            Some(Ok(_)) => {
                let end = stream.byte_offset();
                docs.push(start..end);
                start = end;
            }
            Some(Err(e)) => {
                // An early end is cited at the last line that has text, not at trailing blanks.
                let line = if e.is_eof() {
                    section.lines.iter().rev().find(|(_, l)| !l.trim().is_empty()).map_or(0, |&(n, _)| n)
                } else {
                    LineMap { numbers: &numbers, offset: 0 }.at(e.line())
                };
                let at = origin(section, line);
                let what = if e.is_eof() {
                    "the JSON ends early (truncated?)".to_string()
                } else {
                    format!("cannot read the JSON ({e})")
                };
                let msg = if docs.is_empty() {
                    format!("pod list skipped: {what}")
                } else {
                    format!("text after the pod list skipped: {what}")
                };
                model.warn(at, msg);
                break;
            }
        }
    }
    // Lines before a document's text (earlier documents) shift its line numbers; counted
    // once over the whole text, however many documents there are.
    let mut offset = 0;
    let mut counted_to = 0;
    for range in docs {
        let Some(doc) = text.get(range.clone()) else { continue };
        offset += memchr::memchr_iter(b'\n', text.as_bytes().get(counted_to..range.start).unwrap_or(&[])).count();
        counted_to = range.start;
        let lines = LineMap { numbers: &numbers, offset };
        match json_nodes(doc, &lines) {
            Some(node) => read_doc(&node, section, ctx, model),
            None => {
                // Not expected: serde_json accepted this text. Keep the facts, cite the
                // document's first line.
                let first = doc.lines().position(|l| !l.trim().is_empty()).unwrap_or(0);
                let line = lines.at(first + 1);
                match serde_json::from_str::<serde_json::Value>(doc) {
                    Ok(v) => {
                        model.warn(
                            origin(section, line),
                            "pod JSON read without line positions; its facts cite its first line",
                        );
                        read_doc(&from_json(&v, line), section, ctx, model);
                    }
                    Err(e) => {
                        model.warn(origin(section, line), format!("pod list skipped: cannot read the JSON ({e})"))
                    }
                }
            }
        }
    }
}

/// Reads the output of `kubectl get pods -o yaml`.
pub fn parse_yaml(section: &Section<'_>, ctx: &SectionContext, model: &mut Model) {
    let (text, numbers) = joined(section, model);
    if text.trim().is_empty() {
        return;
    }
    let lines = LineMap { numbers: &numbers, offset: 0 };
    let too_deep = section.lines.iter().find(|(_, l)| {
        l.chars().take(MAX_YAML_INDENT + 1).take_while(|c| matches!(c, ' ' | '-' | '?' | ':' | '\t')).count()
            > MAX_YAML_INDENT
    });
    if let Some(&(n, _)) = too_deep {
        model.warn(
            origin(section, n),
            format!("pod YAML skipped: indented more than {MAX_YAML_INDENT} columns (nested too deeply)"),
        );
        return;
    }
    match MarkedYaml::load_from_str(&text) {
        Ok(nodes) => read_docs(&nodes, &lines, section, ctx, model),
        Err(e) => model.warn(
            origin(section, lines.at(e.marker().line())),
            format!("pod YAML skipped: cannot read it ({} at column {})", e.info(), e.marker().col() + 1),
        ),
    }
}

fn read_docs(
    docs: &[MarkedYaml<'_>],
    lines: &LineMap<'_>,
    section: &Section<'_>,
    ctx: &SectionContext,
    model: &mut Model,
) {
    for d in docs {
        match from_yaml(d, lines, 0) {
            Ok(node) => read_doc(&node, section, ctx, model),
            Err(line) => model
                .warn(origin(section, line), format!("pod document skipped: nested more than {MAX_DEPTH} levels deep")),
        }
    }
}

/// One document: a list of pods or one pod.
fn read_doc(doc: &TreeNode, section: &Section<'_>, ctx: &SectionContext, model: &mut Model) {
    let at = origin(section, doc.line);
    if matches!(doc.v, TreeValue::Null) {
        return; // empty YAML document (`---` at the end)
    }
    if let TreeValue::Seq(items) = &doc.v {
        // A bare JSON array of pods: older Replicated support bundles wrote `pods.Items`.
        for item in items {
            read_doc(item, section, ctx, model);
        }
        return;
    }
    if !matches!(doc.v, TreeValue::Map(_)) {
        model.warn(at, format!("expected a pod or a list of pods, found {}; skipped", doc.describe()));
        return;
    }
    let kind = match doc.get("kind").map(|k| &k.v) {
        Some(TreeValue::Str(k)) => Some(k.as_str()),
        _ => None,
    };
    let is_list = matches!(kind, Some("List" | "PodList")) || (kind.is_none() && doc.get("items").is_some());
    if is_list {
        match doc.get("items").map(|i| &i.v) {
            Some(TreeValue::Seq(items)) => {
                for item in items {
                    let item_kind = match item.get("kind").map(|k| &k.v) {
                        Some(TreeValue::Str(k)) => Some(k.as_str()),
                        _ => None,
                    };
                    match item_kind {
                        Some("Pod") | None => read_pod(item, section, ctx, model),
                        Some(other) => model.warn(
                            origin(section, item.line),
                            format!("a {other} in the pod list is not a pod; skipped"),
                        ),
                    }
                }
            }
            None => {} // `items: null`: an empty list
            Some(_) => {
                let items = doc.get("items").map_or(doc.line, |i| i.line);
                model.warn(origin(section, items), "`items` of the pod list is not a list; skipped");
            }
        }
        return;
    }
    match kind {
        Some("Pod") | None => read_pod(doc, section, ctx, model),
        Some(other) => model.warn(at, format!("a {other} is not a pod; skipped")),
    }
}

/// Typed access to fields, collecting a warning for each value of the wrong type.
struct Reader {
    source: usize,
    warnings: Vec<Warning>,
}

impl Reader {
    fn at(&self, line: u32) -> Origin {
        Origin { source: self.source, line }
    }

    fn warn(&mut self, line: u32, message: String) {
        let origin = self.at(line);
        self.warnings.push(Warning { origin, message });
    }

    fn wrong(&mut self, node: &TreeNode, what: &str, key: &str, expected: &str) {
        let found = node.describe();
        self.warn(node.line, format!("{what}: `{key}` is {found}, not {expected}; ignored"));
    }

    /// Text of `key`; `None` if absent, null or "".
    fn text(&mut self, node: &TreeNode, key: &str, what: &str) -> Option<(String, u32)> {
        let n = node.get(key)?;
        match &n.v {
            TreeValue::Str(s) if s.is_empty() => None,
            TreeValue::Str(s) => Some((s.clone(), n.line)),
            _ => {
                self.wrong(n, what, key, "text");
                None
            }
        }
    }

    /// A name: text, or digits (YAML reads `name: 123` as a number).
    fn name(&mut self, node: &TreeNode, key: &str, what: &str) -> Option<(String, u32)> {
        let n = node.get(key)?;
        match &n.v {
            TreeValue::Str(s) if s.is_empty() => None,
            TreeValue::Str(s) => Some((s.clone(), n.line)),
            TreeValue::Int(i) => Some((i.to_string(), n.line)),
            _ => {
                self.wrong(n, what, key, "text");
                None
            }
        }
    }

    fn int(&mut self, node: &TreeNode, key: &str, what: &str) -> Option<(i64, u32)> {
        let n = node.get(key)?;
        match &n.v {
            TreeValue::Int(i) => Some((*i, n.line)),
            _ => {
                self.wrong(n, what, key, "a whole number");
                None
            }
        }
    }

    fn boolean(&mut self, node: &TreeNode, key: &str, what: &str) -> Option<bool> {
        let n = node.get(key)?;
        match &n.v {
            TreeValue::Bool(b) => Some(*b),
            _ => {
                self.wrong(n, what, key, "true or false");
                None
            }
        }
    }

    fn map<'n>(&mut self, node: &'n TreeNode, key: &str, what: &str) -> Option<&'n TreeNode> {
        let n = node.get(key)?;
        match &n.v {
            TreeValue::Map(_) => Some(n),
            _ => {
                self.wrong(n, what, key, "a mapping");
                None
            }
        }
    }

    fn seq<'n>(&mut self, node: &'n TreeNode, key: &str, what: &str) -> &'n [TreeNode] {
        let Some(n) = node.get(key) else { return &[] };
        match &n.v {
            TreeValue::Seq(items) => items,
            _ => {
                self.wrong(n, what, key, "a list");
                &[]
            }
        }
    }

    /// An RFC 3339 time; a value that is not one is a warning.
    fn time(&mut self, node: &TreeNode, key: &str, what: &str) -> Option<jiff::Timestamp> {
        let (s, line) = self.text(node, key, what)?;
        let t = time::parse_rfc3339(&s);
        if t.is_none() {
            self.warn(line, format!("{what}: `{key}` {s:?} is not an RFC 3339 time; ignored"));
        }
        t
    }

    /// Memory of a `resources.limits` / `requests` mapping, in bytes, with its line.
    fn memory(&mut self, resources: Option<&TreeNode>, key: &str, what: &str) -> Option<(u64, u32)> {
        let part = self.map(resources?, key, what)?;
        let n = part.get("memory")?;
        let text = match &n.v {
            TreeValue::Str(s) => s.clone(),
            TreeValue::Int(i) => i.to_string(),
            _ => {
                self.wrong(n, what, &format!("resources.{key}.memory"), "a quantity");
                return None;
            }
        };
        match quantity::parse_bytes(&text) {
            Some(b) => Some((b, n.line)),
            None => {
                self.warn(n.line, format!("{what}: memory {key} {text:?} is not a Kubernetes quantity; ignored"));
                None
            }
        }
    }

    /// A `state` / `lastState` mapping: `running`, `waiting` or `terminated`, plus the
    /// `signal` of a termination (for the status word).
    fn state(&mut self, node: &TreeNode, what: &str) -> Option<(ContainerState, Option<i64>)> {
        for kind in ["waiting", "terminated", "running"] {
            let Some(entry) = node.entry(kind) else { continue };
            let s = &entry.value;
            match s.v {
                TreeValue::Null => continue,
                TreeValue::Map(_) => {}
                _ => {
                    self.wrong(s, what, kind, "a mapping");
                    continue;
                }
            }
            let reason = self.text(s, "reason", what);
            let exit_code = self.int(s, "exitCode", what).and_then(|(c, line)| {
                let c32 = i32::try_from(c).ok();
                if c32.is_none() {
                    self.warn(line, format!("{what}: exit code {c} is out of range; ignored"));
                }
                c32
            });
            let signal = self.int(s, "signal", what).map(|(x, _)| x);
            let state = ContainerState {
                state: kind.to_string(),
                exit_code,
                started: self.time(s, "startedAt", what),
                finished: self.time(s, "finishedAt", what),
                origin: self.at(reason.as_ref().map_or(entry.line, |r| r.1)),
                reason: reason.map(|r| r.0),
            };
            return Some((state, signal));
        }
        None
    }
}

/// What one container status says, kept for the pod's status word and restarts.
struct Status {
    name: String,
    line: u32,
    restarts: Option<(u32, u32)>,
    ready: Option<bool>,
    started: Option<bool>,
    state: Option<ContainerState>,
    signal: Option<i64>,
}

fn read_pod(p: &TreeNode, section: &Section<'_>, ctx: &SectionContext, model: &mut Model) {
    if !matches!(p.v, TreeValue::Map(_)) {
        model.warn(origin(section, p.line), format!("expected a pod, found {}; skipped", p.describe()));
        return;
    }
    let mut r = Reader { source: section.source, warnings: Vec::new() };
    let meta = r.map(p, "metadata", "pod");
    let Some((name, name_line)) = meta.and_then(|m| r.name(m, "name", "pod metadata")) else {
        r.warn(p.line, "pod without `metadata.name` skipped".into());
        model.warnings.append(&mut r.warnings);
        return;
    };
    let what = format!("pod {name}");
    let ns = meta.and_then(|m| r.name(m, "namespace", &what)).map(|x| x.0);
    let ns = ns.as_deref().or_else(|| ctx.namespace(section));
    let deletion = meta.and_then(|m| m.get("deletionTimestamp")).map(|n| n.line);
    let spec = r.map(p, "spec", &what);
    let status = r.map(p, "status", &what);

    let pod = model.pod_mut(ns, &name, r.at(name_line));
    if let Some(TreeValue::Map(entries)) = meta.and_then(|m| m.get("labels")).map(|l| &l.v) {
        for e in entries {
            if let TreeValue::Str(v) = &e.value.v {
                pod.labels.insert(e.key.clone(), v.clone());
            }
        }
    }

    // The controller (issue 23): the owner reference with `controller: true`, else the only one.
    let owners = meta.map(|m| r.seq(m, "ownerReferences", &what)).unwrap_or(&[]);
    let mut owner = None;
    for o in owners {
        let controller = r.boolean(o, "controller", &what).unwrap_or(false);
        if let (Some((kind, _)), Some((oname, _))) = (r.text(o, "kind", &what), r.text(o, "name", &what)) {
            if controller || owners.len() == 1 {
                owner = Some(model::Owner { kind, name: oname });
            }
        }
    }
    if owner.is_some() {
        pod.owner = owner;
    }

    // spec: node, containers and their memory.
    let mut sidecars: Vec<String> = Vec::new();
    let mut init_count = 0;
    if let Some(spec) = spec {
        if let Some((node, _)) = r.name(spec, "nodeName", &what) {
            pod.node = Some(node);
        }
        for (init, key) in [(false, "containers"), (true, "initContainers")] {
            let list = r.seq(spec, key, &what);
            if init {
                init_count = list.len();
            }
            for c in list {
                let Some((cname, _)) = r.name(c, "name", &what) else {
                    r.warn(c.line, format!("{what}: an entry of `spec.{key}` has no name; skipped"));
                    continue;
                };
                let cw = format!("{what}, container {cname}");
                if init && r.text(c, "restartPolicy", &cw).is_some_and(|x| x.0 == "Always") {
                    sidecars.push(cname.clone());
                }
                let image = r.text(c, "image", &cw).map(|x| x.0);
                let resources = r.map(c, "resources", &cw);
                let limit = r.memory(resources, "limits", &cw);
                let request = r.memory(resources, "requests", &cw);
                let container = pod.container_mut(&cname);
                container.init = init;
                if image.is_some() {
                    container.image = image;
                }
                for (slot, value, label) in [
                    (&mut container.memory_limit, limit, "memory limit"),
                    (&mut container.memory_request, request, "memory request"),
                ] {
                    if let Some((bytes, line)) = value {
                        let at = Origin { source: section.source, line };
                        if let Some(w) = model::set_fact(slot, bytes, at, &format!("{label} of {cw}")) {
                            r.warnings.push(w);
                        }
                    }
                }
            }
        }
    }

    let Some(status) = status else {
        model.warnings.append(&mut r.warnings);
        return;
    };
    if let Some((q, _)) = r.text(status, "qosClass", &what) {
        pod.qos_class = Some(q);
    }
    if let Some(t) = r.time(status, "startTime", &what) {
        pod.start_time = Some(t);
    }

    // Container statuses.
    let mut lists: [Vec<Status>; 2] = [Vec::new(), Vec::new()];
    for (init, key) in [(false, "containerStatuses"), (true, "initContainerStatuses")] {
        for c in r.seq(status, key, &what) {
            let Some((cname, cline)) = r.name(c, "name", &what) else {
                r.warn(c.line, format!("{what}: an entry of `status.{key}` has no name; skipped"));
                continue;
            };
            let cw = format!("{what}, container {cname}");
            let restarts = r.int(c, "restartCount", &cw).and_then(|(n, line)| match u32::try_from(n) {
                Ok(n) => Some((n, line)),
                Err(_) => {
                    r.warn(line, format!("{cw}: restart count {n} is out of range; ignored"));
                    None
                }
            });
            let ready = r.boolean(c, "ready", &cw);
            let image_id = r.text(c, "imageID", &cw).map(|x| x.0).filter(|x| !x.is_empty());
            let started = r.boolean(c, "started", &cw);
            let (state, signal) = match r.map(c, "state", &cw) {
                Some(s) => r.state(s, &cw).map_or((None, None), |(s, sig)| (Some(s), sig)),
                None => (None, None),
            };
            let last = r
                .map(c, "lastState", &cw)
                .and_then(|l| r.state(l, &cw))
                .map(|(s, _)| s)
                .filter(|s| s.state == "terminated");
            let container = pod.container_mut(&cname);
            container.init |= init;
            if let Some((n, line)) = restarts {
                container.restarts = Some(Fact::new(n, r.at(line)));
            }
            if ready.is_some() {
                container.ready = ready;
            }
            if image_id.is_some() {
                container.image_id = image_id;
            }
            if state.is_some() {
                container.state = state.clone();
            }
            if last.is_some() {
                container.last_termination = last;
            }
            lists[usize::from(init)].push(Status { name: cname, line: cline, restarts, ready, started, state, signal });
        }
    }
    let [main, init] = lists;

    // Pod restarts: the sum over all containers, cited where the most restarts are.
    let counted: Vec<(u32, u32)> = init.iter().chain(&main).filter_map(|s| s.restarts).collect();
    if let Some(&(_, line)) = counted.iter().rev().max_by_key(|(n, _)| *n) {
        match counted.iter().try_fold(0u32, |acc, (n, _)| acc.checked_add(*n)) {
            Some(total) => pod.restarts = Some(Fact::new(total, r.at(line))),
            None => r.warn(line, format!("{what}: restart counts too large to add up; pod restarts not set")),
        }
    }

    // Pod status word.
    let phase = r.text(status, "phase", &what);
    let reason = r.text(status, "reason", &what);
    let mut initialized = false;
    let mut pod_ready = false;
    let mut gated = None;
    for c in r.seq(status, "conditions", &what) {
        let t = r.text(c, "type", &what).map(|x| x.0);
        let true_ = r.text(c, "status", &what).is_some_and(|x| x.0 == "True");
        match t.as_deref() {
            Some("Initialized") => initialized = true_,
            Some("Ready") => pod_ready = true_,
            Some("PodScheduled") => {
                if let Some((why, line)) = r.text(c, "reason", &what).filter(|x| x.0 == "SchedulingGated") {
                    gated = Some((why, line));
                }
            }
            _ => {}
        }
    }
    let view = PodView {
        phase,
        reason,
        gated,
        deletion,
        init_count,
        sidecars: &sidecars,
        init: &init,
        main: &main,
        initialized,
        pod_ready,
    };
    if let Some((word, line)) = view.status_word() {
        pod.status = Some(Fact::new(word, r.at(line)));
    }
    model.warnings.append(&mut r.warnings);
}

/// What decides a pod's status word (see the module doc).
struct PodView<'a> {
    phase: Option<(String, u32)>,
    reason: Option<(String, u32)>,
    gated: Option<(String, u32)>,
    deletion: Option<u32>,
    init_count: usize,
    sidecars: &'a [String],
    init: &'a [Status],
    main: &'a [Status],
    initialized: bool,
    pod_ready: bool,
}

impl PodView<'_> {
    fn status_word(&self) -> Option<(String, u32)> {
        let final_phase = self.phase.as_ref().is_some_and(|(p, _)| p == "Succeeded" || p == "Failed");
        if let Some(line) = self.deletion {
            if let Some((_, line)) = self.reason.as_ref().filter(|(r, _)| r == "NodeLost") {
                return Some(("Unknown".into(), *line));
            }
            if !final_phase {
                return Some(("Terminating".into(), line));
            }
        }
        if let Some(r) = &self.reason {
            return Some(r.clone());
        }
        let mut word = self.gated.clone().or_else(|| self.phase.clone());
        let mut initializing = false;
        for (i, c) in self.init.iter().enumerate() {
            let state = c.state.as_ref();
            let kind = state.map(|s| s.state.as_str());
            let why = state.and_then(|s| s.reason.clone());
            let line = state.map_or(c.line, |s| s.origin.line);
            if kind == Some("terminated") && state.and_then(|s| s.exit_code).unwrap_or(0) == 0 {
                continue;
            }
            if c.started == Some(true) && self.sidecars.contains(&c.name) {
                continue;
            }
            word = Some(match (kind, why) {
                (Some("terminated"), Some(why)) => (format!("Init:{why}"), line),
                (Some("terminated"), None) => match self.exit_word("Init:", c) {
                    Some(w) => (w, line),
                    None => (format!("Init:{i}/{}", self.init_count), line),
                },
                (Some("waiting"), Some(why)) if why != "PodInitializing" => (format!("Init:{why}"), line),
                _ => (format!("Init:{i}/{}", self.init_count), line),
            });
            initializing = true;
            break;
        }
        if !initializing || self.initialized {
            let mut running = false;
            for c in self.main.iter().rev() {
                let Some(s) = &c.state else { continue };
                match (s.state.as_str(), &s.reason) {
                    ("waiting", Some(why)) | ("terminated", Some(why)) => word = Some((why.clone(), s.origin.line)),
                    ("terminated", None) => {
                        if let Some(w) = self.exit_word("", c) {
                            word = Some((w, s.origin.line));
                        }
                    }
                    ("running", _) if c.ready == Some(true) => running = true,
                    _ => {}
                }
            }
            if running {
                if let Some((w, _)) = word.as_mut().filter(|(w, _)| w == "Completed") {
                    *w = if self.pod_ready { "Running" } else { "NotReady" }.into();
                }
            }
        }
        word
    }

    /// `Signal:<n>` or `ExitCode:<n>` for a termination without a reason; `None` when
    /// the exit code could not be read.
    fn exit_word(&self, prefix: &str, c: &Status) -> Option<String> {
        match c.signal.filter(|s| *s != 0) {
            Some(sig) => Some(format!("{prefix}Signal:{sig}")),
            None => {
                let code = c.state.as_ref().and_then(|s| s.exit_code)?;
                Some(format!("{prefix}ExitCode:{code}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analyze_text;
    use crate::model::Model;

    fn line_of(model: &Model, origin: crate::model::Origin) -> String {
        model.line_text(origin).trim().to_string()
    }

    const POD_LIST: &str = r#"$ kubectl get pods -n shop -o json
{
    "apiVersion": "v1",
    "items": [
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": "worker-7d9f8b6c5-x2x9k",
                "namespace": "shop"
            },
            "spec": {
                "containers": [
                    {
                        "image": "python:3.12",
                        "name": "app",
                        "resources": {
                            "limits": {
                                "memory": "512Mi"
                            },
                            "requests": {
                                "memory": "256Mi"
                            }
                        }
                    }
                ],
                "nodeName": "node-a"
            },
            "status": {
                "containerStatuses": [
                    {
                        "lastState": {
                            "terminated": {
                                "exitCode": 137,
                                "finishedAt": "2026-11-24T09:58:00Z",
                                "reason": "OOMKilled",
                                "startedAt": "2026-11-24T09:00:00Z"
                            }
                        },
                        "name": "app",
                        "ready": false,
                        "restartCount": 5,
                        "state": {
                            "waiting": {
                                "message": "back-off 2m40s restarting failed container",
                                "reason": "CrashLoopBackOff"
                            }
                        }
                    }
                ],
                "phase": "Running",
                "qosClass": "Burstable"
            }
        }
    ],
    "kind": "List",
    "metadata": {
        "resourceVersion": ""
    }
}
"#;

    #[test]
    fn pod_list_with_oom_killed_container() {
        let model = analyze_text("paste", POD_LIST).model;
        assert!(model.warnings.is_empty(), "{:?}", model.warnings);
        let p = model.pod(Some("shop"), "worker-7d9f8b6c5-x2x9k").unwrap();
        assert_eq!(line_of(&model, p.origin), r#""name": "worker-7d9f8b6c5-x2x9k","#);
        assert_eq!(p.node.as_deref(), Some("node-a"));
        assert_eq!(p.qos_class.as_deref(), Some("Burstable"));
        let status = p.status.as_ref().unwrap();
        assert_eq!(status.value, "CrashLoopBackOff");
        assert_eq!(line_of(&model, status.origin), r#""reason": "CrashLoopBackOff""#);
        let restarts = p.restarts.as_ref().unwrap();
        assert_eq!(restarts.value, 5);
        assert_eq!(line_of(&model, restarts.origin), r#""restartCount": 5,"#);
        let c = p.container("app").unwrap();
        assert!(!c.init);
        assert_eq!(c.image.as_deref(), Some("python:3.12"));
        let limit = c.memory_limit.as_ref().unwrap();
        assert_eq!(limit.value, 512 << 20);
        assert_eq!(limit.origin.line, 19);
        assert_eq!(line_of(&model, limit.origin), r#""memory": "512Mi""#);
        let request = c.memory_request.as_ref().unwrap();
        assert_eq!(request.value, 256 << 20);
        assert_eq!(request.origin.line, 22);
        assert_eq!(c.ready, Some(false));
        assert_eq!(c.restarts.as_ref().unwrap().value, 5);
        let last = c.last_termination.as_ref().unwrap();
        assert_eq!(last.state, "terminated");
        assert_eq!(last.reason.as_deref(), Some("OOMKilled"));
        assert_eq!(last.exit_code, Some(137));
        assert_eq!(last.finished.unwrap().to_string(), "2026-11-24T09:58:00Z");
        assert_eq!(last.started.unwrap().to_string(), "2026-11-24T09:00:00Z");
        assert_eq!(line_of(&model, last.origin), r#""reason": "OOMKilled","#);
        let state = c.state.as_ref().unwrap();
        assert_eq!(state.state, "waiting");
        assert_eq!(state.reason.as_deref(), Some("CrashLoopBackOff"));
    }

    const POD_YAML: &str = "$ kubectl get pod worker-1 -n shop -o yaml
apiVersion: v1
kind: Pod
metadata:
  name: worker-1
  namespace: shop
spec:
  containers:
  - image: python:3.12
    name: app
    resources:
      limits:
        memory: 1Gi
  initContainers:
  - image: busybox
    name: migrate
  nodeName: node-b
status:
  containerStatuses:
  - name: app
    ready: true
    restartCount: 0
    started: true
    state:
      running:
        startedAt: \"2026-11-24T08:00:00Z\"
  initContainerStatuses:
  - name: migrate
    ready: true
    restartCount: 0
    state:
      terminated:
        exitCode: 0
        reason: Completed
  phase: Running
  qosClass: Burstable
";

    #[test]
    fn single_pod_yaml() {
        let model = analyze_text("paste", POD_YAML).model;
        assert!(model.warnings.is_empty(), "{:?}", model.warnings);
        let p = model.pod(Some("shop"), "worker-1").unwrap();
        assert_eq!(p.origin.line, 5);
        assert_eq!(p.status.as_ref().unwrap().value, "Running");
        assert_eq!(line_of(&model, p.status.as_ref().unwrap().origin), "phase: Running");
        assert_eq!(p.restarts.as_ref().unwrap().value, 0);
        let app = p.container("app").unwrap();
        assert_eq!(app.memory_limit.as_ref().unwrap().value, 1 << 30);
        assert_eq!(line_of(&model, app.memory_limit.as_ref().unwrap().origin), "memory: 1Gi");
        let running = app.state.as_ref().unwrap();
        assert_eq!(running.state, "running");
        assert_eq!(line_of(&model, running.origin), "running:");
        assert_eq!(running.started.unwrap().to_string(), "2026-11-24T08:00:00Z");
        let init = p.container("migrate").unwrap();
        assert!(init.init);
        assert_eq!(init.state.as_ref().unwrap().reason.as_deref(), Some("Completed"));
        assert_eq!(p.node.as_deref(), Some("node-b"));
    }

    #[test]
    fn truncated_json_is_a_warning() {
        let cut = &POD_LIST[..POD_LIST.find("\"status\"").unwrap()];
        let model = analyze_text("paste", cut).model;
        assert!(model.pods.is_empty());
        assert_eq!(model.warnings.len(), 1, "{:?}", model.warnings);
        assert!(model.warnings[0].message.contains("truncated"), "{:?}", model.warnings);
        assert_eq!(model.line_text(model.warnings[0].origin).trim(), "},");
        assert_eq!(model.warnings[0].origin.line, 28);
    }

    #[test]
    fn wrong_types_are_warnings() {
        let text = r#"$ kubectl get pod w -o json
{
    "kind": "Pod",
    "metadata": {"name": "w"},
    "spec": {"containers": [{"name": "app", "resources": {"limits": {"memory": "lots"}}}]},
    "status": {
        "phase": 7,
        "containerStatuses": [
            {"name": "app", "restartCount": "five", "ready": "yes", "state": {"terminated": {"exitCode": 99999999999}}}
        ]
    }
}
"#;
        let model = analyze_text("paste", text).model;
        let p = model.pod(None, "w").unwrap();
        let msgs: Vec<_> = model.warnings.iter().map(|w| (w.origin.line, w.message.as_str())).collect();
        assert!(msgs.iter().any(|(l, m)| *l == 5 && m.contains("\"lots\"")), "{msgs:?}");
        assert!(msgs.iter().any(|(l, m)| *l == 9 && m.contains("`restartCount` is \"five\"")), "{msgs:?}");
        assert!(msgs.iter().any(|(_, m)| m.contains("`ready` is \"yes\"")), "{msgs:?}");
        assert!(msgs.iter().any(|(_, m)| m.contains("exit code 99999999999")), "{msgs:?}");
        assert!(msgs.iter().any(|(l, m)| *l == 7 && m.contains("`phase` is the number 7")), "{msgs:?}");
        let c = p.container("app").unwrap();
        assert_eq!(c.restarts, None);
        assert_eq!(c.memory_limit, None);
        assert_eq!(p.restarts, None);
        assert_eq!(p.status, None, "neither the phase nor the exit code could be read");
    }

    #[test]
    fn deep_nesting_is_a_warning_not_a_crash() {
        let deep_json = format!("$ kubectl get pods -o json\n{}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        let model = analyze_text("paste", &deep_json).model;
        assert_eq!(model.warnings.len(), 1, "{:?}", model.warnings);
        let deep_flow = format!("$ kubectl get pods -o yaml\nitems: {}\n", "[".repeat(100_000));
        let model = analyze_text("paste", &deep_flow).model;
        assert_eq!(model.warnings.len(), 1, "{:?}", model.warnings);
        let deep_block = format!("$ kubectl get pods -o yaml\nitems:\n{}x\n", "- ".repeat(100_000));
        let model = analyze_text("paste", &deep_block).model;
        assert_eq!(model.warnings.len(), 1, "{:?}", model.warnings);
        let deep_indent: String = (0..2000).map(|i| format!("{}k{i}:\n", " ".repeat(i))).collect();
        let model = analyze_text("paste", &format!("$ kubectl get pods -o yaml\n{deep_indent}")).model;
        assert_eq!(model.warnings.len(), 1, "{:?}", model.warnings);
    }

    fn status_of(status: &str) -> String {
        let text = format!(
            "$ kubectl get pod w -o json\n{{\"kind\": \"Pod\", \"metadata\": {{\"name\": \"w\"}}, \"status\": {status}}}\n"
        );
        let model = analyze_text("paste", &text).model;
        assert!(model.warnings.is_empty(), "{:?}", model.warnings);
        model.pods[0].status.as_ref().map(|s| s.value.clone()).unwrap_or_default()
    }

    #[test]
    fn status_words_follow_kubectl() {
        assert_eq!(status_of(r#"{"phase": "Pending"}"#), "Pending");
        assert_eq!(status_of(r#"{"phase": "Failed", "reason": "Evicted"}"#), "Evicted");
        // The pod's reason beats a container's.
        assert_eq!(
            status_of(
                r#"{"phase": "Failed", "reason": "Evicted", "containerStatuses": [{"name": "a", "state": {"terminated": {"exitCode": 137, "reason": "Error"}}}]}"#
            ),
            "Evicted"
        );
        assert_eq!(
            status_of(
                r#"{"phase": "Running", "containerStatuses": [{"name": "a", "ready": false, "state": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}}]}"#
            ),
            "OOMKilled"
        );
        assert_eq!(
            status_of(
                r#"{"phase": "Pending", "containerStatuses": [{"name": "a", "state": {"waiting": {"reason": "ContainerCreating"}}}]}"#
            ),
            "ContainerCreating"
        );
        assert_eq!(
            status_of(
                r#"{"phase": "Failed", "containerStatuses": [{"name": "a", "state": {"terminated": {"exitCode": 1, "reason": "Error"}}}]}"#
            ),
            "Error"
        );
        assert_eq!(
            status_of(
                r#"{"phase": "Succeeded", "containerStatuses": [{"name": "a", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]}"#
            ),
            "Completed"
        );
        assert_eq!(
            status_of(
                r#"{"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}], "containerStatuses": [{"name": "a", "ready": true, "state": {"running": {}}}, {"name": "b", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]}"#
            ),
            "Running"
        );
        assert_eq!(
            status_of(
                r#"{"phase": "Pending", "initContainerStatuses": [{"name": "i", "state": {"waiting": {"reason": "PodInitializing"}}}], "containerStatuses": [{"name": "a", "state": {"waiting": {"reason": "PodInitializing"}}}]}"#
            ),
            "Init:0/0"
        );
        assert_eq!(
            status_of(
                r#"{"phase": "Pending", "initContainerStatuses": [{"name": "i", "restartCount": 3, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}"#
            ),
            "Init:CrashLoopBackOff"
        );
        assert_eq!(
            status_of(
                r#"{"phase": "Running", "containerStatuses": [{"name": "a", "state": {"terminated": {"exitCode": 2}}}]}"#
            ),
            "ExitCode:2"
        );
        assert_eq!(status_of(r#"{"phase": "Unknown"}"#), "Unknown");
    }

    #[test]
    fn init_count_and_deletion() {
        let text = r#"$ kubectl get pods -o json
{"kind": "List", "items": [
 {"kind": "Pod", "metadata": {"name": "a", "namespace": "shop"},
  "spec": {"initContainers": [{"name": "i"}], "containers": [{"name": "c"}]},
  "status": {"phase": "Pending", "initContainerStatuses": [{"name": "i", "state": {"running": {}}}]}},
 {"kind": "Pod", "metadata": {"name": "b", "namespace": "shop", "deletionTimestamp": "2026-11-24T10:00:00Z"},
  "status": {"phase": "Running"}},
 {"kind": "Pod", "metadata": {"name": "c", "namespace": "shop", "deletionTimestamp": "2026-11-24T10:00:00Z"},
  "status": {"phase": "Running", "reason": "NodeLost"}},
 {"kind": "Service", "metadata": {"name": "svc"}}
]}
"#;
        let model = analyze_text("paste", text).model;
        let status = |n: &str| model.pod(Some("shop"), n).unwrap().status.clone().unwrap();
        assert_eq!(status("a").value, "Init:0/1");
        assert_eq!(status("a").origin.line, 5);
        assert_eq!(status("b").value, "Terminating");
        assert_eq!(status("b").origin.line, 6);
        assert_eq!(status("c").value, "Unknown");
        assert_eq!(model.warnings.len(), 1, "{:?}", model.warnings);
        assert!(model.warnings[0].message.contains("Service"));
        assert_eq!(model.warnings[0].origin.line, 10);
    }

    #[test]
    fn list_yaml_with_two_pods_and_conflicting_limit() {
        let text = "$ kubectl get pods -n shop -o yaml
apiVersion: v1
items:
- apiVersion: v1
  kind: Pod
  metadata:
    name: a
  spec:
    containers:
    - name: app
      resources:
        limits: {memory: 256Mi}
  status:
    phase: Running
- apiVersion: v1
  kind: Pod
  metadata:
    name: b
  status:
    phase: Pending
kind: List
metadata:
  resourceVersion: \"\"
$ kubectl get pod a -n shop -o json
{\"kind\": \"Pod\", \"metadata\": {\"name\": \"a\"}, \"spec\": {\"containers\": [{\"name\": \"app\",
  \"resources\": {\"limits\": {\"memory\": \"512Mi\"}}}]}}
";
        let model = analyze_text("paste", text).model;
        assert_eq!(model.pods.len(), 2);
        let a = model.pod(Some("shop"), "a").unwrap();
        let limit = a.container("app").unwrap().memory_limit.as_ref().unwrap();
        assert_eq!(limit.value, 256 << 20);
        assert_eq!(limit.origin.line, 12);
        assert_eq!(model.pod(Some("shop"), "b").unwrap().status.as_ref().unwrap().value, "Pending");
        assert_eq!(model.warnings.len(), 1, "{:?}", model.warnings);
        assert_eq!(model.warnings[0].origin.line, 26);
        assert!(model.warnings[0].message.contains("conflicting memory limit"), "{:?}", model.warnings);
    }

    #[test]
    fn several_json_documents_and_trailing_text() {
        let text = "$ kubectl get pod a -o json; kubectl get pod b -o json
{\"kind\": \"Pod\", \"metadata\": {\"name\": \"a\"}}
{
  \"kind\": \"Pod\",
  \"metadata\": {\"name\": \"b\"}
}
Error from server (NotFound): pods \"c\" not found
";
        let model = analyze_text("paste", text).model;
        assert_eq!(model.pods.len(), 2);
        assert_eq!(model.pod(None, "b").unwrap().origin.line, 5);
        assert_eq!(model.warnings.len(), 1, "{:?}", model.warnings);
        assert_eq!(model.warnings[0].origin.line, 7);
        assert!(model.warnings[0].message.starts_with("kubectl get pods failed: Error from server (NotFound)"));
    }

    #[test]
    fn many_json_documents_keep_their_lines() {
        let docs: String = (0..2000)
            .map(|i| format!("{{\n  \"kind\": \"Pod\",\n  \"metadata\": {{\"name\": \"p{i}\"}}\n}}\n"))
            .collect();
        let model = analyze_text("paste", &format!("$ kubectl get pods -o json\n{docs}")).model;
        assert!(model.warnings.is_empty(), "{:?}", &model.warnings[..1]);
        assert_eq!(model.pods.len(), 2000);
        assert_eq!(model.pod(None, "p1999").unwrap().origin.line, 2 + 4 * 1999 + 2);
    }

    #[test]
    fn mangled_inputs_never_panic() {
        // Cheap mutation fuzzing (150 000 runs passed while writing this parser).
        let alphabet = [
            "-", " ", "\n", ":", "[", "]", "{", "}", "&a", "*a", "!!str", "? ", "\t", "\"", "#", "|", "---", "\u{e9}",
            ",", "\\u", "0",
        ];
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            usize::try_from(state % 1_000_003).unwrap()
        };
        for k in 0..400 {
            let seed = if k % 2 == 0 { POD_LIST } else { POD_YAML };
            let (prompt, body) = seed.split_once('\n').unwrap();
            let mut s: Vec<char> = body.chars().collect();
            for _ in 0..1 + next() % 6 {
                let pos = next() % (s.len() + 1);
                match next() % 3 {
                    0 => {
                        let ins = alphabet[next() % alphabet.len()];
                        s.splice(pos..pos, ins.chars());
                    }
                    1 => {
                        let end = (pos + next() % 8).min(s.len());
                        s.drain(pos..end);
                    }
                    _ => s.truncate(pos),
                }
            }
            let text = format!("{prompt}\n{}", s.into_iter().collect::<String>());
            let _ = analyze_text("paste", &text);
        }
    }

    #[test]
    fn kubectl_errors_in_yaml_and_json() {
        for out in ["yaml", "json"] {
            let text =
                format!("$ kubectl get pod x -n shop -o {out}\nError from server (NotFound): pods \"x\" not found\n");
            let model = analyze_text("paste", &text).model;
            assert!(model.pods.is_empty());
            assert_eq!(model.warnings.len(), 1, "{:?}", model.warnings);
            assert_eq!(model.warnings[0].origin.line, 2);
            assert!(model.warnings[0].message.contains("NotFound"));
        }
    }

    #[test]
    fn json_scanner_agrees_with_saphyr() {
        // JSON is YAML 1.2: saphyr's positions check the hand-written scanner's.
        use saphyr::{LoadableYamlNode, MarkedYaml};
        let doc = POD_LIST.split_once('\n').unwrap().1;
        let numbers: Vec<u32> = (1..=200).collect();
        let lines = super::LineMap { numbers: &numbers, offset: 0 };
        let ours = super::json_nodes(doc, &lines).unwrap();
        let theirs = super::from_yaml(&MarkedYaml::load_from_str(doc).unwrap()[0], &lines, 0).unwrap();
        assert_eq!(format!("{ours:?}"), format!("{theirs:?}"));
        let api = include_str!("../../../../tests/fixtures/cases/get-pods/podlist-oomkilled.json");
        let ours = super::json_nodes(api, &lines).unwrap();
        let theirs = super::from_yaml(&MarkedYaml::load_from_str(api).unwrap()[0], &lines, 0).unwrap();
        assert_eq!(format!("{ours:?}"), format!("{theirs:?}"));
        let escaped = "{\"a\": \"x\\\"y\\u00e9\", \"b\": [1, -2.5e3, true, null, {}], \"c\": \"\u{e9}t\u{e9}\"}";
        let ours = super::json_nodes(escaped, &lines).unwrap();
        let theirs = super::from_yaml(&MarkedYaml::load_from_str(escaped).unwrap()[0], &lines, 0).unwrap();
        assert_eq!(format!("{ours:?}"), format!("{theirs:?}"));
        assert!(format!("{ours:?}").contains(r#"Str("x\"yé")"#), "{ours:?}");
        assert!(super::json_nodes("{\"a\": tru}", &lines).is_none());
        assert!(super::json_nodes("[1] 2", &lines).is_none());
    }

    #[test]
    fn duplicate_json_keys_take_the_last() {
        let text = "$ kubectl get pod w -n shop -o json
{\"kind\": \"Pod\", \"metadata\": {\"name\": \"old\", \"name\": \"w\"}}
";
        let model = analyze_text("paste", text).model;
        assert!(model.warnings.is_empty(), "{:?}", model.warnings);
        assert_eq!(model.pods[0].name, "w");
    }

    #[test]
    fn a_big_list_reads_in_linear_time() {
        let pod = |i: usize| {
            format!(
                r#"{{"kind": "Pod", "metadata": {{"name": "w-{i}", "namespace": "shop"}},
 "spec": {{"containers": [{{"name": "app", "resources": {{"limits": {{"memory": "512Mi"}}}}}}]}},
 "status": {{"phase": "Running", "containerStatuses": [{{"name": "app", "restartCount": {i}, "ready": true, "state": {{"running": {{}}}}}}]}}}}"#
            )
        };
        let n = 3000;
        let items: Vec<String> = (0..n).map(pod).collect();
        let text =
            format!("$ kubectl get pods -o json\n{{\"kind\": \"List\", \"items\": [\n{}\n]}}\n", items.join(",\n"));
        let model = analyze_text("paste", &text).model;
        assert!(model.warnings.is_empty(), "{:?}", &model.warnings[..1]);
        assert_eq!(model.pods.len(), n);
        let last = model.pod(Some("shop"), &format!("w-{}", n - 1)).unwrap();
        assert_eq!(last.restarts.as_ref().unwrap().value, u32::try_from(n - 1).unwrap());
        assert_eq!(last.restarts.as_ref().unwrap().origin.line, u32::try_from(3 + 3 * (n - 1) + 2).unwrap());
    }

    #[test]
    fn bad_yaml_is_a_warning_with_its_line() {
        let text = "$ kubectl get pods -o yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n";
        let model = analyze_text("paste", text).model;
        assert!(model.pods.is_empty());
        assert_eq!(model.warnings.len(), 1, "{:?}", model.warnings);
        assert!(model.warnings[0].message.starts_with("pod YAML skipped"));
    }
}
