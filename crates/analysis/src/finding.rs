//! Findings: what is wrong, how bad, and which lines of the bundle prove it.
//!
//! Detectors (one module each, under [`crate::detect`]) read the [`Model`] and return
//! findings; `kind` values are the stable names of the JSON contract
//! (`docs/analysis-json-v1.md`), e.g. `oom-killed`, `memory-growth`. Example: a container
//! whose describe output shows `Last State: Terminated / Reason: OOMKilled` gives a
//! critical `oom-killed` finding citing that `Reason:` line.

use jiff::SignedDuration;

use crate::model::{Model, Origin};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

/// What a finding says is wrong: the stable names of the JSON contract
/// (`docs/analysis-json-v1.md`), e.g. `oom-killed`. Ordered by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `oom-killed`
    OomKilled,
    /// `crash-loop`
    CrashLoop,
    /// `frequent-restarts`
    FrequentRestarts,
    /// `evicted`
    Evicted,
    /// `memory-near-limit`
    MemoryNearLimit,
    /// `no-memory-limit`
    NoMemoryLimit,
    /// `memory-growth`
    MemoryGrowth,
    /// `memory-at-start`: OOM-killed soon after every start with nothing showing growth.
    MemoryAtStart,
    /// `memory-error`
    MemoryError,
    /// `unbounded-collection`
    UnboundedCollection,
    /// `cache-without-eviction`
    CacheWithoutEviction,
    /// `large-object-retention`
    LargeObjectRetention,
    /// `global-state-accumulation`
    GlobalStateAccumulation,
    /// `circular-references`
    CircularReferences,
}

impl Kind {
    /// Every kind, in the contract's order.
    pub const ALL: [Kind; 14] = [
        Kind::OomKilled,
        Kind::CrashLoop,
        Kind::FrequentRestarts,
        Kind::Evicted,
        Kind::MemoryNearLimit,
        Kind::NoMemoryLimit,
        Kind::MemoryGrowth,
        Kind::MemoryAtStart,
        Kind::MemoryError,
        Kind::UnboundedCollection,
        Kind::CacheWithoutEviction,
        Kind::LargeObjectRetention,
        Kind::GlobalStateAccumulation,
        Kind::CircularReferences,
    ];

    /// The contract's name of the kind.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::OomKilled => "oom-killed",
            Kind::CrashLoop => "crash-loop",
            Kind::FrequentRestarts => "frequent-restarts",
            Kind::Evicted => "evicted",
            Kind::MemoryNearLimit => "memory-near-limit",
            Kind::NoMemoryLimit => "no-memory-limit",
            Kind::MemoryGrowth => "memory-growth",
            Kind::MemoryAtStart => "memory-at-start",
            Kind::MemoryError => "memory-error",
            Kind::UnboundedCollection => "unbounded-collection",
            Kind::CacheWithoutEviction => "cache-without-eviction",
            Kind::LargeObjectRetention => "large-object-retention",
            Kind::GlobalStateAccumulation => "global-state-accumulation",
            Kind::CircularReferences => "circular-references",
        }
    }

    /// A leak pattern read from the logs or the tools (runbook patterns 1–4, and
    /// reference cycles): the object that grows, the root cause of a leak.
    pub fn is_pattern(self) -> bool {
        matches!(
            self,
            Kind::UnboundedCollection
                | Kind::CacheWithoutEviction
                | Kind::LargeObjectRetention
                | Kind::GlobalStateAccumulation
                | Kind::CircularReferences
        )
    }

    /// The kind of a contract name.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

impl PartialOrd for Kind {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Kind {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for Kind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for Kind {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl serde::Serialize for Kind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// What is wrong, e.g. [`Kind::OomKilled`].
    pub kind: Kind,
    pub severity: Severity,
    pub namespace: Option<String>,
    pub pod: Option<String>,
    pub container: Option<String>,
    pub title: String,
    pub detail: String,
    pub advice: String,
    /// Lines of the bundle that prove the finding (sorted, no duplicates).
    pub evidence: Vec<Origin>,
    /// How long until the memory limit is reached at the observed rate, when the
    /// finding projects one (memory growth). Findings of one severity are sorted by it,
    /// soonest first. Not part of the JSON contract.
    pub time_to_limit: Option<SignedDuration>,
    /// The numbers mined from the logs that drive the finding (leak patterns), for a
    /// chart beside the container's memory ([`crate::chart::finding_svg`]). Not part of
    /// the JSON contract.
    pub series: Option<LogSeries>,
}

/// A numeric series read from log lines: what the number is called, and its values.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LogSeries {
    /// What the number is, in the log's words (`cache size=<num> entries`).
    pub label: String,
    /// True when the values are bytes (sizes), else plain counts.
    pub bytes: bool,
    pub points: Vec<LogPoint>,
}

/// One value of a [`LogSeries`].
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LogPoint {
    /// Unix seconds of the line, when it has a time.
    pub at: Option<f64>,
    /// Order of the line among the stream's lines (0-based).
    pub index: u64,
    pub value: f64,
}

impl Finding {
    /// A finding with empty texts and no evidence yet.
    pub fn new(kind: Kind, severity: Severity) -> Finding {
        Finding {
            kind,
            severity,
            namespace: None,
            pod: None,
            container: None,
            title: String::new(),
            detail: String::new(),
            advice: String::new(),
            evidence: Vec::new(),
            time_to_limit: None,
            series: None,
        }
    }
}

/// The verdict on one container with a problem (`crate::diagnose` makes them): what
/// is wrong in one sentence, the findings that make it up (root cause first) and what
/// to do, each piece of advice once.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnosis {
    pub severity: Severity,
    pub namespace: Option<String>,
    pub pod: Option<String>,
    pub container: Option<String>,
    /// One sentence: the container, the symptom with its numbers, the cause, the
    /// runbook pattern.
    pub headline: String,
    /// The kinds of its findings, root cause first, each once.
    pub kinds: Vec<Kind>,
    /// Indexes into [`Analysis::findings`], in the order of `kinds`.
    pub findings: Vec<usize>,
    /// What to do, most specific first: the pattern's fix, how to confirm it, how to
    /// live with it meanwhile. Each piece once.
    pub advice: Vec<String>,
    /// The workload whose replicas it judges together (its name), for the verdict on a
    /// workload of several replicas (`crate::workload`); `None` for one container's.
    pub workload: Option<String>,
}

/// Everything the analysis produced.
#[derive(Debug, Default)]
pub struct Analysis {
    pub model: Model,
    pub findings: Vec<Finding>,
    /// One per container with a problem, most severe first; a workload's verdict comes
    /// before the diagnoses of its replicas.
    pub diagnoses: Vec<Diagnosis>,
    /// What [`crate::redaction::redact`] replaced in the texts the outputs quote, by
    /// kind; `None` when the analysis was not redacted (`--no-redact`).
    pub redactions: Option<crate::redact::Counts>,
    /// The pods grouped by their owner, with a verdict each (issue 23).
    pub workloads: Vec<Workload>,
}

/// Pods of one owner (a Deployment's replicas, a StatefulSet's pods…), judged together
/// (`crate::workload` groups them and writes the verdict).
#[derive(Clone, Debug, PartialEq)]
pub struct Workload {
    pub namespace: Option<String>,
    pub name: String,
    /// `Deployment`, `StatefulSet`, `DaemonSet`, `Job`, `ReplicaSet`, or `None` when the
    /// bundle does not say and the name fits several (`NAME-<5 chars>`).
    pub kind: Option<&'static str>,
    /// One per pod, in the model's order.
    pub replicas: Vec<Replica>,
    /// The verdict in one sentence: how many replicas grow, at what rates, what the
    /// growing ones share that the flat ones do not.
    pub headline: String,
}

/// One replica of a [`Workload`]: its memory at a glance.
#[derive(Clone, Debug, PartialEq)]
pub struct Replica {
    /// Index into [`Model::pods`](crate::model::Model::pods).
    pub pod: usize,
    /// Has a `memory-growth` finding.
    pub growing: bool,
    pub oom_killed: bool,
    pub restarts: u32,
    /// Theil–Sen slope of its memory (the pod's, or its app containers' summed) in bytes
    /// per hour, from three or more timed samples.
    pub slope: Option<f64>,
    /// Its last memory sample, in bytes.
    pub last: Option<u64>,
    /// The memory limit its series is measured against (the app containers' summed
    /// limits, when every one has a limit).
    pub limit: Option<u64>,
}

impl Workload {
    /// The names of its pods whose replica passes `keep`.
    pub fn pod_names<'m>(&self, model: &'m crate::model::Model, keep: impl Fn(&Replica) -> bool) -> Vec<&'m str> {
        self.replicas
            .iter()
            .filter(|r| keep(r))
            .filter_map(|r| model.pods.get(r.pod))
            .map(|p| p.name.as_str())
            .collect()
    }
}
