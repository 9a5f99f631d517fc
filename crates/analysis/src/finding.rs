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

#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// Stable kind from the contract, e.g. `oom-killed`.
    pub kind: &'static str,
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
    pub fn new(kind: &'static str, severity: Severity) -> Finding {
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

/// Everything the analysis produced.
#[derive(Debug, Default)]
pub struct Analysis {
    pub model: Model,
    pub findings: Vec<Finding>,
}
