//! The one model every parser writes into and every detector reads.
//!
//! Pods are keyed by namespace and name; every fact keeps its [`Origin`] (source and
//! 1-based line) so findings can cite the bundle's own lines. Parsers never overwrite a
//! different value silently: [`set_fact`] keeps the first value and returns a warning.
//!
//! Example: after reading `worker-7d9f8b6c5-x2x9k    215m    344Mi` from a `top pod`
//! section, the model holds pod `worker-7d9f8b6c5-x2x9k` with one [`Sample`] of
//! 360710144 bytes whose origin is that line.

use jiff::Timestamp;

/// Where a fact came from: index into [`Model::sources`] and 1-based line number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize, serde::Deserialize)]
pub struct Origin {
    pub source: usize,
    pub line: u32,
}

/// A value with the line that said it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Fact<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> Fact<T> {
    pub fn new(value: T, origin: Origin) -> Self {
        Fact { value, origin }
    }
}

/// One input file or paste.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Source {
    /// File name as given (`-` for stdin, `paste` for the page's text area).
    pub name: String,
    /// Size in bytes as read (after gunzip).
    pub bytes: u64,
    pub lines: u32,
    /// The text of every line, kept only when the source was at most
    /// [`Limits::keep_text_bytes`](crate::input::Limits::keep_text_bytes) long (else empty).
    #[serde(skip)]
    pub text: Vec<String>,
    /// The text of the lines facts, findings and evidence may quote (always kept):
    /// 1-based line number → text.
    #[serde(skip)]
    pub quoted: std::collections::BTreeMap<u32, String>,
}

impl Source {
    /// The text of a 1-based line, or "" when out of range or not kept.
    pub fn line(&self, line: u32) -> &str {
        line.checked_sub(1)
            .and_then(|i| self.text.get(i as usize))
            .or_else(|| self.quoted.get(&line))
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// What the bundle says about when and where it was captured (collector header, or
/// inferred from the first timestamped command).
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Capture {
    pub format_version: Option<String>,
    pub captured_at: Option<Timestamp>,
    pub context: Option<String>,
    pub namespace: Option<String>,
    pub selector: Option<String>,
}

/// A problem with the input that did not stop the analysis.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Warning {
    pub origin: Origin,
    pub message: String,
}

/// One memory reading: from `kubectl top`, in bytes, at a time when the bundle gives one.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Sample {
    pub at: Option<Timestamp>,
    /// Order of the `top` section in the bundle (0, 1, 2…): keeps samples ordered when
    /// the bundle gives no times.
    pub seq: u32,
    pub bytes: u64,
    pub origin: Origin,
}

/// One `kubectl top node` reading of a node's memory.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct NodeSample {
    pub at: Option<Timestamp>,
    /// Order of the `top node` section in the bundle (0, 1, 2…).
    pub seq: u32,
    pub bytes: u64,
    /// `MEMORY%` (or `MEMORY(%)`) as printed: usage over the node's allocatable memory;
    /// may exceed 100.
    pub percent: Option<u32>,
    pub origin: Origin,
}

/// A node of the cluster, as `kubectl top node` and events about nodes (`node/node-1`:
/// SystemOOM, OOMKilling, NodeHasInsufficientMemory…) show it.
#[derive(Clone, Debug, PartialEq, Default, serde::Serialize)]
pub struct Node {
    pub name: String,
    pub memory_samples: Vec<NodeSample>,
    pub events: Vec<Event>,
    /// First line that mentioned the node.
    pub origin: Origin,
}

/// A container state as `describe` or `-o json` shows it.
#[derive(Clone, Debug, PartialEq, Default, serde::Serialize)]
pub struct ContainerState {
    /// `running`, `waiting` or `terminated`.
    pub state: String,
    pub reason: Option<String>,
    pub exit_code: Option<i32>,
    pub started: Option<Timestamp>,
    pub finished: Option<Timestamp>,
    pub origin: Origin,
}

/// A Kubernetes event about a pod (from `describe` or `get events`).
#[derive(Clone, Debug, PartialEq, Default, serde::Serialize)]
pub struct Event {
    /// `Normal` or `Warning`.
    pub kind: Option<String>,
    pub reason: String,
    pub message: String,
    pub count: u32,
    pub last_seen: Option<Timestamp>,
    /// The age as printed (`5m`, `<unknown>`, `<invalid>`); `last_seen` holds the time
    /// when the bundle gives one to resolve it against.
    pub age: Option<String>,
    pub origin: Origin,
}

/// One line (or multi-line event, e.g. a traceback) of a container's log.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LogLine {
    pub at: Option<Timestamp>,
    pub text: String,
    pub origin: Origin,
}

/// The log of one container (one `kubectl logs` run).
#[derive(Clone, Debug, PartialEq, Default, serde::Serialize)]
pub struct LogStream {
    pub previous: bool,
    /// The log's entries, kept only when the source was at most
    /// [`Limits::keep_text_bytes`](crate::input::Limits::keep_text_bytes) long (else
    /// empty: the detectors read the stream's digest, [`LogStream::digest`]).
    pub lines: Vec<LogLine>,
    /// Where the summary the detectors read, gathered while the log was read, is kept
    /// beside the model: an index into `logdigest::Digests`. `None` for a stream built by
    /// hand from `lines` (its summary is made from them when needed).
    #[serde(skip)]
    pub digest: Option<usize>,
}

#[derive(Clone, Debug, PartialEq, Default, serde::Serialize)]
pub struct Container {
    pub name: String,
    pub init: bool,
    pub image: Option<String>,
    /// The image's digest as the node pulled it (`imageID`, describe's `Image ID:`), to
    /// tell replicas on different builds of one tag apart (issue 23). Not in the dumps.
    #[serde(skip)]
    pub image_id: Option<String>,
    pub memory_request: Option<Fact<u64>>,
    pub memory_limit: Option<Fact<u64>>,
    pub ready: Option<bool>,
    pub restarts: Option<Fact<u32>>,
    pub state: Option<ContainerState>,
    pub last_termination: Option<ContainerState>,
    pub memory_samples: Vec<Sample>,
    /// When a restart counter rose (Prometheus' `kube_pod_container_status_restarts_total`):
    /// the sample at which the counter was higher than the one before.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub restarted_at: Vec<Fact<Timestamp>>,
    pub logs: Vec<LogStream>,
    /// What Python memory tools printed for this container (pasted or in its logs).
    #[serde(skip_serializing_if = "Profiles::is_empty")]
    pub profiles: Profiles,
}

#[derive(Clone, Debug, PartialEq, Default, serde::Serialize)]
pub struct Pod {
    pub namespace: Option<String>,
    pub name: String,
    pub status: Option<Fact<String>>,
    pub restarts: Option<Fact<u32>>,
    pub node: Option<String>,
    pub qos_class: Option<String>,
    pub containers: Vec<Container>,
    /// Pod-level memory (plain `kubectl top pod`).
    pub memory_samples: Vec<Sample>,
    pub events: Vec<Event>,
    /// First line that mentioned the pod.
    pub origin: Origin,
    /// Python memory tools' output for the pod when the container is not known.
    #[serde(skip_serializing_if = "Profiles::is_empty")]
    pub profiles: Profiles,
    /// The pod's labels (`get pods --show-labels`, `-o json`/`-o yaml`), to tell which
    /// pods a selector (`kubectl logs -l app=api`) means.
    #[serde(skip)]
    pub labels: std::collections::BTreeMap<String, String>,
    /// The pod's controller (`metadata.ownerReferences` with `controller: true`,
    /// describe's `Controlled By:  ReplicaSet/api-7d9f8b6c5d`), to group replicas into
    /// workloads (`crate::workload`, issue 23). Not in the dumps.
    #[serde(skip)]
    pub owner: Option<Owner>,
    /// When the pod started (`status.startTime`, describe's `Start Time:`). Not in the dumps.
    #[serde(skip)]
    pub start_time: Option<Timestamp>,
}

/// A pod's controller: `kind` as Kubernetes names it (`ReplicaSet`, `StatefulSet`,
/// `DaemonSet`, `Job`…) and its name.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Owner {
    pub kind: String,
    pub name: String,
}

impl Pod {
    /// Whether the pod's labels match an equality selector (`app=api,tier!=web`); `None`
    /// when the selector is not of that form or the pod's labels are not known.
    pub fn matches_selector(&self, selector: &str) -> Option<bool> {
        if self.labels.is_empty() {
            return None;
        }
        let mut all = true;
        for term in selector.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            let ok = if let Some((k, v)) = term.split_once("!=") {
                self.labels.get(k.trim()).map(String::as_str) != Some(v.trim())
            } else if let Some((k, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
                self.labels.get(k.trim()).map(String::as_str) == Some(v.trim())
            } else if term.contains([' ', '(']) {
                return None; // set-based (`app in (a,b)`): not read
            } else if let Some(k) = term.strip_prefix('!') {
                !self.labels.contains_key(k)
            } else {
                self.labels.contains_key(term)
            };
            all &= ok;
        }
        Some(all)
    }

    pub fn container(&self, name: &str) -> Option<&Container> {
        self.containers.iter().find(|c| c.name == name)
    }

    /// The container of that name, created if new.
    pub fn container_mut(&mut self, name: &str) -> &mut Container {
        let i = self.container_index(name);
        &mut self.containers[i]
    }

    /// [`Pod::container_mut`], as an index into [`Pod::containers`].
    pub fn container_index(&mut self, name: &str) -> usize {
        match self.containers.iter().position(|c| c.name == name) {
            Some(i) => i,
            None => {
                self.containers.push(Container { name: name.to_string(), ..Container::default() });
                self.containers.len() - 1
            }
        }
    }
}

/// What Python memory tools printed: [`crate::pyprof`] fills it from pasted blocks and
/// from container logs. Every item keeps its line and, when known, its time.
#[derive(Clone, Debug, PartialEq, Default, serde::Serialize)]
pub struct Profiles {
    /// `tracemalloc` statistics (`statistics()`, `compare_to()`, the traceback form).
    pub allocation_sites: Vec<AllocationSite>,
    /// `objgraph.show_growth()` rows.
    pub type_growth: Vec<TypeGrowth>,
    /// `gc.DEBUG_STATS` collections.
    pub gc_runs: Vec<GcRun>,
    /// `gc.DEBUG_UNCOLLECTABLE` objects (`gc: uncollectable <Node 0x7f…>`).
    pub gc_uncollectable: Vec<GcObject>,
    /// `memray stats` summaries.
    pub memray: Vec<MemraySummary>,
    /// `py-spy dump` thread stacks.
    pub stacks: Vec<PyStack>,
    /// RSS and heap over time, from memray HTML reports' embedded memory records.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub memory_records: Vec<MemoryRecord>,
}

impl Profiles {
    pub fn is_empty(&self) -> bool {
        self.allocation_sites.is_empty()
            && self.type_growth.is_empty()
            && self.gc_runs.is_empty()
            && self.gc_uncollectable.is_empty()
            && self.memray.is_empty()
            && self.stacks.is_empty()
            && self.memory_records.is_empty()
    }

    /// Moves everything of `other` into `self`, renumbering its snapshots after ours.
    pub fn append(&mut self, mut other: Profiles) {
        let next = self.next_snapshot();
        for s in &mut other.allocation_sites {
            s.snapshot += next;
        }
        for t in &mut other.type_growth {
            t.snapshot += next;
        }
        self.allocation_sites.append(&mut other.allocation_sites);
        self.type_growth.append(&mut other.type_growth);
        self.gc_runs.append(&mut other.gc_runs);
        self.gc_uncollectable.append(&mut other.gc_uncollectable);
        self.memray.append(&mut other.memray);
        self.stacks.append(&mut other.stacks);
        self.memory_records.append(&mut other.memory_records);
    }

    /// The number after the last snapshot number used.
    pub fn next_snapshot(&self) -> u32 {
        let a = self.allocation_sites.iter().map(|s| s.snapshot + 1).max().unwrap_or(0);
        let t = self.type_growth.iter().map(|s| s.snapshot + 1).max().unwrap_or(0);
        a.max(t)
    }
}

/// One `tracemalloc` line: where memory was allocated and how much.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AllocationSite {
    pub at: Option<Timestamp>,
    /// Which printed block (snapshot or diff) it belongs to: 0, 1, 2… per container.
    pub snapshot: u32,
    pub file: String,
    pub line: Option<u32>,
    /// Size as printed (tracemalloc rounds it: `8173 KiB`).
    pub size: u64,
    /// `compare_to` growth since the older snapshot (`+8173 KiB`), may be negative.
    pub size_delta: Option<i64>,
    pub count: Option<u64>,
    pub count_delta: Option<i64>,
    pub origin: Origin,
}

/// One `objgraph.show_growth()` row: a type and how many more objects it has than at
/// the previous call.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TypeGrowth {
    pub at: Option<Timestamp>,
    /// Which printed table it belongs to: 0, 1, 2… per container.
    pub snapshot: u32,
    pub type_name: String,
    pub count: u64,
    pub delta: i64,
    pub origin: Origin,
}

/// One collection as `gc.set_debug(gc.DEBUG_STATS)` prints it.
#[derive(Clone, Debug, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct GcRun {
    pub at: Option<Timestamp>,
    /// The generation collected (`gc: collecting generation 2...`).
    pub generation: Option<u8>,
    /// Objects in each generation before the collection, youngest first.
    pub objects: Vec<u64>,
    pub unreachable: Option<u64>,
    pub uncollectable: Option<u64>,
    pub origin: Origin,
}

/// An object the garbage collector could not free.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GcObject {
    pub at: Option<Timestamp>,
    pub type_name: String,
    pub origin: Origin,
}

/// `memray stats` output.
#[derive(Clone, Debug, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct MemraySummary {
    pub at: Option<Timestamp>,
    pub total_allocations: Option<u64>,
    pub total_allocated: Option<u64>,
    pub peak: Option<u64>,
    /// "Top N largest allocating locations (by size)", largest first.
    pub top_by_size: Vec<MemrayLocation>,
    pub origin: Origin,
}

/// One allocating location of `memray stats` (`handle:/app/images.py:88 -> 310.000MB`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MemrayLocation {
    pub function: String,
    pub file: String,
    pub line: Option<u32>,
    pub bytes: u64,
    pub origin: Origin,
}

/// One of memray's memory records (`memray flamegraph`/`table` HTML reports embed them
/// as `const memory_records = [[time_ms, rss, heap], …]`): the process's resident size
/// and the heap memray tracked, at one time.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MemoryRecord {
    pub at: Option<Timestamp>,
    pub rss: u64,
    pub heap: u64,
    pub origin: Origin,
}

/// One thread of a `py-spy dump`.
#[derive(Clone, Debug, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct PyStack {
    pub at: Option<Timestamp>,
    /// Thread id as printed (`0x7F3A2C1D0740`).
    pub thread: String,
    pub thread_name: Option<String>,
    /// `active`, `idle`, `active+gil`…
    pub status: String,
    /// Innermost frame first, as py-spy prints them.
    pub frames: Vec<StackFrame>,
    pub origin: Origin,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StackFrame {
    pub function: String,
    pub file: String,
    pub line: Option<u32>,
    pub origin: Origin,
}

/// What kind of `kubectl` output a section holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SectionKind {
    GetPods,
    GetPodsJson,
    GetPodsYaml,
    DescribePod,
    TopPod,
    TopNode,
    GetEvents,
    Logs,
    /// Text output of a Python memory tool (tracemalloc, objgraph, gc debug, memray stats,
    /// py-spy dump), pasted as its own block.
    PyProfile,
    /// A Prometheus HTTP API response (`/api/v1/query_range`, `/api/v1/query`): the
    /// collector's `curl`/`kubectl get --raw` section, or the JSON pasted alone.
    Prometheus,
    /// A Grafana panel's "Inspect → Data → Download CSV" export: `Time` and one column
    /// per series.
    GrafanaCsv,
    /// A non-kubectl command (`date`, `grep`) or a kubectl command we do not read.
    Other,
    /// Text of no known shape (a bare program output, a fragment, prose), read line by
    /// line as the log of the pod a nearby command names, else of [`UNNAMED_POD`].
    Text,
    Unknown,
}

impl SectionKind {
    /// How a section of this kind was read, in words (`kubeleak analyze --explain`).
    pub fn reading(self) -> &'static str {
        match self {
            SectionKind::GetPods => "a `kubectl get pods` table",
            SectionKind::GetPodsJson => "pods as JSON (`get pods -o json`)",
            SectionKind::GetPodsYaml => "pods as YAML (`get pods -o yaml`)",
            SectionKind::DescribePod => "`kubectl describe pod` (or a fragment of it)",
            SectionKind::TopPod => "`kubectl top pod` samples",
            SectionKind::TopNode => "`kubectl top node` samples",
            SectionKind::GetEvents => "events (`kubectl get events`)",
            SectionKind::Logs => "a container's log (`kubectl logs`)",
            SectionKind::PyProfile => "a Python memory tool's output",
            SectionKind::Prometheus => "a Prometheus query's response (memory history, limits, restarts)",
            SectionKind::GrafanaCsv => "a Grafana panel's CSV export (memory history)",
            SectionKind::Other => "a command kubeleak has no parser for: its output read as text",
            SectionKind::Text => {
                "text of no known shape: kubectl fragments in it (container blocks, get pods rows), then every line \
as a log of the pod a command names, else of a pod not named in the text"
            }
            SectionKind::Unknown => "blank or skipped",
        }
    }
}

/// The pod of text that names none (a bare `MemoryError` traceback, a dmesg line): its
/// findings have no pod (`pod: null` in the JSON), and it is not listed among the pods.
pub const UNNAMED_POD: &str = "(pod not named in the text)";

/// The start of the name of the placeholder for the pods a selector matches, when the
/// bundle does not tell which of them printed a log (`pods matching app=api`). Like
/// [`UNNAMED_POD`], it is not a pod: findings have no pod, and it is not listed.
pub const SELECTOR_PODS: &str = "pods matching ";

/// Whether a pod of the model is a placeholder ([`UNNAMED_POD`], [`SELECTOR_PODS`]), not
/// a pod the bundle names.
pub fn is_placeholder_pod(name: &str) -> bool {
    name == UNNAMED_POD || name.starts_with(SELECTOR_PODS)
}

/// A recognised block of the bundle, for the source view and for reports.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SectionInfo {
    pub kind: SectionKind,
    pub command: Option<String>,
    pub at: Option<Timestamp>,
    pub source: usize,
    /// 1-based first and last line (inclusive) of the block, prompt included.
    pub first_line: u32,
    pub last_line: u32,
}

#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Model {
    pub sources: Vec<Source>,
    pub capture: Capture,
    pub pods: Vec<Pod>,
    pub sections: Vec<SectionInfo>,
    pub warnings: Vec<Warning>,
    /// Nodes seen in `kubectl top node` or in events about nodes.
    pub nodes: Vec<Node>,
    /// Python memory tools' output that could not be tied to a pod (a bare block in a
    /// bundle of several pods).
    #[serde(skip_serializing_if = "Profiles::is_empty")]
    pub profiles: Profiles,
    /// Pod positions by name, for the first `indexed` pods (pods are only appended), so
    /// finding a pod stays O(1) with thousands of pods. Rebuilt when stale.
    #[serde(skip)]
    pod_index: std::collections::HashMap<String, Vec<usize>>,
    #[serde(skip)]
    indexed: usize,
}

/// Longest warning message kept, in bytes: a warning that quotes a 50 MB junk line must
/// not become a 50 MB warning (the line itself is in the source view).
pub const MAX_WARNING_BYTES: usize = 1024;

/// Cuts a message to [`MAX_WARNING_BYTES`] at a character boundary, saying how long it was.
pub fn shorten_message(message: &mut String) {
    if message.len() <= MAX_WARNING_BYTES {
        return;
    }
    let total = message.len();
    let mut cut = MAX_WARNING_BYTES;
    while !message.is_char_boundary(cut) {
        cut -= 1;
    }
    message.truncate(cut);
    message.push_str(&format!("… [cut: {total} bytes]"));
}

impl Model {
    pub fn warn(&mut self, origin: Origin, message: impl Into<String>) {
        let mut message = message.into();
        shorten_message(&mut message);
        self.warnings.push(Warning { origin, message });
    }

    pub fn pod(&self, namespace: Option<&str>, name: &str) -> Option<&Pod> {
        self.find_pod(namespace, name).map(|i| &self.pods[i])
    }

    /// Positions of the pods with this name (index when fresh, else a scan: a test may
    /// have pushed pods directly).
    fn named(&self, name: &str) -> Vec<usize> {
        if self.indexed == self.pods.len() {
            self.pod_index.get(name).cloned().unwrap_or_default()
        } else {
            (0..self.pods.len()).filter(|&i| self.pods[i].name == name).collect()
        }
    }

    fn sync_index(&mut self) {
        if self.indexed > self.pods.len() {
            self.pod_index.clear();
            self.indexed = 0;
        }
        for i in self.indexed..self.pods.len() {
            self.pod_index.entry(self.pods[i].name.clone()).or_default().push(i);
        }
        self.indexed = self.pods.len();
    }

    fn find_pod(&self, namespace: Option<&str>, name: &str) -> Option<usize> {
        let named = self.named(name);
        if let Some(&i) = named.iter().find(|&&i| self.pods[i].namespace.as_deref() == namespace) {
            return Some(i);
        }
        // A pod seen without a namespace (bare output) is the same pod as one seen
        // with a namespace, when the name is unambiguous.
        let mut same_name = named.iter().filter(|&&i| namespace.is_none() || self.pods[i].namespace.is_none());
        match (same_name.next(), same_name.next()) {
            (Some(&i), None) => Some(i),
            _ => None,
        }
    }

    /// The pod with this namespace and name, created if new. A namespace learnt later
    /// fills in an unknown one.
    pub fn pod_mut(&mut self, namespace: Option<&str>, name: &str, origin: Origin) -> &mut Pod {
        let i = self.pod_index(namespace, name, origin);
        &mut self.pods[i]
    }

    /// [`Model::pod_mut`], as an index into [`Model::pods`].
    pub fn pod_index(&mut self, namespace: Option<&str>, name: &str, origin: Origin) -> usize {
        self.sync_index();
        let i = match self.find_pod(namespace, name) {
            Some(i) => i,
            None => {
                self.pods.push(Pod {
                    namespace: namespace.map(str::to_string),
                    name: name.to_string(),
                    origin,
                    ..Pod::default()
                });
                self.sync_index();
                self.pods.len() - 1
            }
        };
        let pod = &mut self.pods[i];
        if pod.namespace.is_none() {
            pod.namespace = namespace.map(str::to_string);
        }
        i
    }

    pub fn node(&self, name: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.name == name)
    }

    /// The node of that name, created if new.
    pub fn node_mut(&mut self, name: &str, origin: Origin) -> &mut Node {
        let i = match self.nodes.iter().position(|n| n.name == name) {
            Some(i) => i,
            None => {
                self.nodes.push(Node { name: name.to_string(), origin, ..Node::default() });
                self.nodes.len() - 1
            }
        };
        &mut self.nodes[i]
    }

    /// The text of the line an origin points at.
    pub fn line_text(&self, origin: Origin) -> &str {
        self.sources.get(origin.source).map(|s| s.line(origin.line)).unwrap_or("")
    }

    /// Source name of an origin.
    pub fn source_name(&self, origin: Origin) -> &str {
        self.sources.get(origin.source).map(|s| s.name.as_str()).unwrap_or("-")
    }
}

/// Sets `slot` to `value` unless it already holds a different value; then the first
/// value stays and a conflict warning (naming both lines) is returned.
pub fn set_fact<T: PartialEq + std::fmt::Debug + Clone>(
    slot: &mut Option<Fact<T>>,
    value: T,
    origin: Origin,
    what: &str,
) -> Option<Warning> {
    match slot {
        None => {
            *slot = Some(Fact::new(value, origin));
            None
        }
        Some(old) if old.value == value => None,
        Some(old) => Some(Warning {
            origin,
            message: format!(
                "conflicting {what}: {:?} here, {:?} at line {} (kept the first)",
                value, old.value, old.origin.line
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_messages_are_cut_at_a_char_boundary() {
        let mut m = "é".repeat(MAX_WARNING_BYTES);
        shorten_message(&mut m);
        assert!(m.len() < MAX_WARNING_BYTES + 40);
        assert!(m.ends_with(&format!("[cut: {} bytes]", 2 * MAX_WARNING_BYTES)));
        let mut short = String::from("fine");
        shorten_message(&mut short);
        assert_eq!(short, "fine");
    }

    #[test]
    fn pods_merge_by_namespace_and_name() {
        let mut m = Model::default();
        let o = Origin::default();
        m.pod_mut(None, "w-1", o);
        m.pod_mut(Some("shop"), "w-1", o); // the bare pod learns its namespace
        assert_eq!(m.pods.len(), 1);
        assert_eq!(m.pods[0].namespace.as_deref(), Some("shop"));
        m.pod_mut(Some("other"), "w-1", o); // a different pod of the same name
        assert_eq!(m.pods.len(), 2);
        assert!(m.pod(None, "w-1").is_none(), "ambiguous without a namespace");
        assert_eq!(m.pod(Some("other"), "w-1").unwrap().namespace.as_deref(), Some("other"));
        // Pods pushed directly (as detector tests do) are still found.
        m.pods.push(Pod { name: "direct".into(), ..Pod::default() });
        assert!(m.pod(None, "direct").is_some());
        m.pod_mut(None, "direct", o);
        assert_eq!(m.pods.len(), 3);
    }
}
