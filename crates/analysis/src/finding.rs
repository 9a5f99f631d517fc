//! Findings: what is wrong, how bad, and which lines of the bundle prove it.
//!
//! Detectors (one module each, added under `detect/`) read the [`Model`] and return
//! findings; `kind` values are the stable names of the JSON contract
//! (`docs/analysis-json-v1.md`), e.g. `oom-killed`, `memory-growth`.

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
    pub evidence: Vec<Origin>,
}

/// Runs every detector over the model. Findings come sorted by severity (worst first).
pub fn detect(_model: &Model) -> Vec<Finding> {
    Vec::new()
}
