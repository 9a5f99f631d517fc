//! The stable JSON output, schema `kubeleak.analysis/v1` (see `docs/analysis-json-v1.md`).
//!
//! Field names and meanings are a contract with other tools: add fields, never rename or
//! remove one. Unknown values are `null`, never guessed. Example (abridged):
//! `{"schema":"kubeleak.analysis/v1","pods":[{"name":"worker-1","memory_samples":[{"at":null,"bytes":315621376}]…}]…}`

use serde::Serialize;

use crate::finding::Analysis;
use crate::model::{self, Model};

pub const SCHEMA: &str = "kubeleak.analysis/v1";

#[derive(Serialize, Debug)]
pub struct Report {
    pub schema: &'static str,
    pub pods: Vec<Pod>,
    pub findings: Vec<Finding>,
    pub warnings: Vec<Warning>,
    /// One per container with a problem, most severe first (additive to v1, issue 17).
    pub diagnoses: Vec<Diagnosis>,
    /// How many secrets of each kind were replaced in the quoted texts (additive to v1,
    /// issue 22); absent when redaction was off. Counts and kinds, never values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redactions: Option<std::collections::BTreeMap<&'static str, usize>>,
    /// The pods grouped by owner, each with a verdict (additive to v1, issue 23).
    pub workloads: Vec<Workload>,
}

/// Pods of one owner and the verdict that compares them.
#[derive(Serialize, Debug)]
pub struct Workload {
    pub namespace: Option<String>,
    pub name: String,
    pub kind: Option<&'static str>,
    pub pods: Vec<String>,
    pub growing: Vec<String>,
    pub oom_killed: Vec<String>,
    pub headline: String,
}

/// The verdict on one container: `findings` are indexes into [`Report::findings`].
#[derive(Serialize, Debug)]
pub struct Diagnosis {
    pub pod: Option<String>,
    pub container: Option<String>,
    pub headline: String,
    pub kinds: Vec<&'static str>,
    pub findings: Vec<usize>,
    pub advice: Vec<String>,
    /// The workload of a verdict on several replicas (additive, issue 23); `null` for one
    /// container's diagnosis.
    pub workload: Option<String>,
}

#[derive(Serialize, Debug)]
pub struct Pod {
    pub namespace: Option<String>,
    pub name: String,
    pub status: Option<String>,
    pub restarts: Option<u32>,
    pub memory_samples: Vec<Sample>,
    pub containers: Vec<Container>,
}

#[derive(Serialize, Debug)]
pub struct Container {
    pub name: String,
    pub memory_request_bytes: Option<u64>,
    pub memory_limit_bytes: Option<u64>,
    pub restarts: Option<u32>,
    pub state: Option<String>,
    pub state_reason: Option<String>,
    pub last_termination: Option<Termination>,
    pub memory_samples: Vec<Sample>,
}

#[derive(Serialize, Debug)]
pub struct Termination {
    pub reason: Option<String>,
    pub exit_code: Option<i32>,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Sample {
    pub at: Option<String>,
    pub bytes: u64,
}

#[derive(Serialize, Debug)]
pub struct Finding {
    pub kind: &'static str,
    pub severity: crate::finding::Severity,
    pub pod: Option<String>,
    pub container: Option<String>,
    pub title: String,
    pub detail: String,
    pub advice: String,
    pub evidence: Vec<Evidence>,
}

#[derive(Serialize, Debug)]
pub struct Evidence {
    pub source: String,
    pub line: Option<u32>,
    pub text: String,
}

#[derive(Serialize, Debug)]
pub struct Warning {
    pub source: String,
    pub line: Option<u32>,
    pub message: String,
}

impl Report {
    /// The same report with every text from the bundle passed through
    /// [`crate::display::visible`]: for a terminal or any other place that shows text
    /// as-is (the JSON itself keeps the bundle's characters; JSON escapes controls).
    pub fn visible(mut self) -> Report {
        fn v(s: &mut String) {
            if let std::borrow::Cow::Owned(o) = crate::display::visible(s) {
                *s = o;
            }
        }
        fn vo(s: &mut Option<String>) {
            if let Some(s) = s {
                v(s);
            }
        }
        for p in &mut self.pods {
            vo(&mut p.namespace);
            v(&mut p.name);
            vo(&mut p.status);
            for c in &mut p.containers {
                v(&mut c.name);
                vo(&mut c.state);
                vo(&mut c.state_reason);
                if let Some(t) = &mut c.last_termination {
                    vo(&mut t.reason);
                }
            }
        }
        for f in &mut self.findings {
            vo(&mut f.pod);
            vo(&mut f.container);
            v(&mut f.title);
            v(&mut f.detail);
            v(&mut f.advice);
            for e in &mut f.evidence {
                v(&mut e.source);
                v(&mut e.text);
            }
        }
        for w in &mut self.warnings {
            v(&mut w.source);
            v(&mut w.message);
        }
        for d in &mut self.diagnoses {
            vo(&mut d.pod);
            vo(&mut d.container);
            v(&mut d.headline);
            vo(&mut d.workload);
        }
        for w in &mut self.workloads {
            vo(&mut w.namespace);
            v(&mut w.name);
            for p in w.pods.iter_mut().chain(&mut w.growing).chain(&mut w.oom_killed) {
                v(p);
            }
        }
        self
    }
}

fn samples(s: &[model::Sample]) -> Vec<Sample> {
    let mut v: Vec<&model::Sample> = s.iter().collect();
    v.sort_by_key(|s| (s.at, s.seq));
    v.into_iter().map(|s| Sample { at: s.at.map(|t| t.to_string()), bytes: s.bytes }).collect()
}

fn evidence(model: &Model, o: model::Origin) -> Evidence {
    Evidence {
        source: model.source_name(o).to_string(),
        line: (o.line > 0).then_some(o.line),
        text: model.line_text(o).to_string(),
    }
}

/// Builds the contract's report from an analysis.
pub fn build(analysis: &Analysis) -> Report {
    let model = &analysis.model;
    Report {
        schema: SCHEMA,
        pods: model
            .pods
            .iter()
            .filter(|p| !crate::model::is_placeholder_pod(&p.name))
            .map(|p| Pod {
                namespace: p.namespace.clone(),
                name: p.name.clone(),
                status: p.status.as_ref().map(|f| f.value.clone()),
                restarts: p.restarts.as_ref().map(|f| f.value).or_else(|| {
                    // As `kubectl get pods` counts them: the sum over the app containers.
                    let app = p.containers.iter().filter(|c| !c.init);
                    app.clone().next()?;
                    app.map(|c| c.restarts.as_ref().map(|f| f.value)).sum()
                }),
                memory_samples: samples(&p.memory_samples),
                containers: p
                    .containers
                    .iter()
                    .filter(|c| !c.init)
                    .map(|c| Container {
                        name: c.name.clone(),
                        memory_request_bytes: c.memory_request.as_ref().map(|f| f.value),
                        memory_limit_bytes: c.memory_limit.as_ref().map(|f| f.value),
                        restarts: c.restarts.as_ref().map(|f| f.value),
                        state: c.state.as_ref().map(|s| s.state.clone()),
                        state_reason: c.state.as_ref().and_then(|s| s.reason.clone()),
                        last_termination: c
                            .last_termination
                            .as_ref()
                            .map(|t| Termination { reason: t.reason.clone(), exit_code: t.exit_code }),
                        memory_samples: samples(&c.memory_samples),
                    })
                    .collect(),
            })
            .collect(),
        findings: analysis
            .findings
            .iter()
            .map(|f| Finding {
                kind: f.kind.as_str(),
                severity: f.severity,
                pod: f.pod.clone(),
                container: f.container.clone(),
                title: f.title.clone(),
                detail: f.detail.clone(),
                advice: f.advice.clone(),
                evidence: f.evidence.iter().map(|&o| evidence(model, o)).collect(),
            })
            .collect(),
        warnings: model
            .warnings
            .iter()
            .map(|w| Warning {
                source: model.source_name(w.origin).to_string(),
                line: (w.origin.line > 0).then_some(w.origin.line),
                message: w.message.clone(),
            })
            .collect(),
        diagnoses: analysis
            .diagnoses
            .iter()
            .map(|d| Diagnosis {
                pod: d.pod.clone(),
                container: d.container.clone(),
                headline: d.headline.clone(),
                kinds: d.kinds.iter().map(|k| k.as_str()).collect(),
                findings: d.findings.clone(),
                advice: d.advice.clone(),
                workload: d.workload.clone(),
            })
            .collect(),
        workloads: analysis
            .workloads
            .iter()
            .map(|w| {
                let names = |keep: &dyn Fn(&crate::finding::Replica) -> bool| -> Vec<String> {
                    w.pod_names(model, keep).into_iter().map(String::from).collect()
                };
                Workload {
                    namespace: w.namespace.clone(),
                    name: w.name.clone(),
                    kind: w.kind,
                    pods: names(&|_| true),
                    growing: names(&|r| r.growing),
                    oom_killed: names(&|r| r.oom_killed),
                    headline: w.headline.clone(),
                }
            })
            .collect(),
        redactions: analysis.redactions.clone(),
    }
}

/// The report as pretty-printed JSON.
pub fn to_json(analysis: &Analysis) -> String {
    serde_json::to_string_pretty(&build(analysis)).expect("report serializes")
}

/// The whole model as JSON, for tests-as-data (`tests/fixtures/cases/*.expected.json`)
/// and debugging: capture header, pods with every fact and its origin, warnings.
/// Not a contract: it follows the model.
pub fn model_dump(analysis: &Analysis) -> serde_json::Value {
    let m = &analysis.model;
    let mut dump = serde_json::json!({
        "capture": m.capture,
        "pods": m.pods,
        "warnings": m.warnings,
    });
    // Only when there are nodes, so dumps of bundles without nodes stay as they were.
    if !m.nodes.is_empty() {
        if let Some(obj) = dump.as_object_mut() {
            obj.insert("nodes".to_string(), serde_json::json!(m.nodes));
        }
    }
    dump
}
