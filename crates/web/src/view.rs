//! What the page shows, as data: the Web Worker builds a [`View`] from the analysis and
//! posts it to the page as JSON; the page renders it (and draws the charts, which need the
//! DOM). Everything here is plain data, so the page never holds the model or the input.
//!
//! The bottom layer of the crate (see the table in `lib.rs`): it imports no other module
//! of the crate, and both sides use it, the workers to build and send a view, the page to
//! render it. [`Shared`], the page's handle on the view on screen, lives here rather than
//! in a file of its own: it is a few lines around an `Rc<View>`, with no DOM and no Yew,
//! and every component that takes it already imports this module for `View`. [`shown`]
//! is here too, since it is what every line the page gets looks like (the first lines
//! that come with the view, and the lines the lines worker reads again).
//!
//! Example: the two-sample `kubectl top` paste gives a view with two pod rows
//! (`301Mi → 344Mi (2 samples)`), one chart series per pod and no findings.

use std::collections::{BTreeMap, HashSet};
use std::rc::Rc;

use kubeleak_analysis::{
    chart,
    model::{Model, Origin, Profiles, Sample},
    quantity::format_bytes,
    Analysis, Severity,
};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;

/// Longest quoted line (bytes) in the view; the source view shows the whole line.
pub const MAX_QUOTE: usize = 2000;
/// How many lines of the first input come with the view.
pub const FIRST_LINES: usize = 200;
/// How many growing sites and types the "Where in the code" section lists.
pub const MAX_CODE_ROWS: usize = 20;
/// Longest line the source view gets (bytes); longer lines are cut with a note.
pub const MAX_SHOWN: usize = 10_000;

/// The view as bytes (postcard), to post from the worker to the page. Issue 23: with 500
/// pods × 100 samples, structured-cloning the view as JS objects and reading them back
/// with `serde_wasm_bindgen` was one ~200 ms task on the page; bytes are transferred
/// without a copy and read in wasm at once. Binary rather than JSON text: JSON has no
/// NaN or infinity (serde_json writes `null`, which no `f64` reads back), postcard keeps
/// every `f64` bit for bit.
pub fn to_bytes(view: &View) -> Result<Vec<u8>, String> {
    postcard::to_allocvec(view).map_err(|e| e.to_string())
}

/// The view from [`to_bytes`].
pub fn from_bytes(bytes: &[u8]) -> Result<View, String> {
    postcard::from_bytes(bytes).map_err(|e| e.to_string())
}

/// [`to_bytes`] as a `Uint8Array`, to post (its buffer transferred).
pub fn to_js(view: &View) -> Result<js_sys::Uint8Array, String> {
    to_bytes(view).map(|b| js_sys::Uint8Array::from(b.as_slice()))
}

/// The view the worker posted ([`to_js`]).
pub fn from_js(value: wasm_bindgen::JsValue) -> Result<View, String> {
    let bytes: js_sys::Uint8Array = value.dyn_into().map_err(|_| "the view is not bytes".to_string())?;
    from_bytes(&bytes.to_vec())
}

/// A line of an input: index into [`View::sources`] and 1-based line number.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Loc {
    pub source: usize,
    pub line: u32,
}

impl From<Origin> for Loc {
    fn from(o: Origin) -> Self {
        Loc { source: o.source, line: o.line }
    }
}

/// A line as the source view shows it: cut at [`MAX_SHOWN`] bytes, saying how long it was.
pub fn shown(line: &str) -> String {
    if line.len() <= MAX_SHOWN {
        return line.to_string();
    }
    let mut cut = MAX_SHOWN;
    while !line.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}… [line cut: {} bytes]", line.get(..cut).unwrap_or(""), line.len())
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct View {
    pub summary: Summary,
    /// One verdict per container with a problem, most severe first (shown first).
    pub diagnoses: Vec<DiagnosisView>,
    pub findings: Vec<FindingView>,
    /// The memory chart's data (drawn by the page: plotters needs the DOM).
    pub axis: chart::XAxis,
    pub series: Vec<chart::Series>,
    /// The pod table, one row per container (or per pod for pod-level samples).
    pub rows: Vec<Row>,
    /// Drill-down per pod, keyed like [`Row::key`].
    pub pods: Vec<PodView>,
    /// "source:line: message" of what could not be read.
    pub warnings: Vec<String>,
    pub sources: Vec<SourceInfo>,
    /// The first [`FIRST_LINES`] lines of the first input, so the source view shows them
    /// at once (the rest are asked of the worker as the view scrolls).
    pub first_lines: Vec<String>,
    /// Where each recognised block starts, for the source view's badges.
    pub sections: Vec<SectionMark>,
    pub code: Code,
    /// The JSON contract (`docs/analysis-json-v1.md`), for export.
    pub json: String,
    /// The self-contained HTML report, with [`CHART_MARKER`] where the page puts the chart.
    pub html: String,
    /// The exports (`json`, `html`) are redacted (issue 22); these are the secrets they
    /// replaced, by kind (counts, never values), and the exports as the bundle has them,
    /// for the page's switch (`None` when redaction replaced nothing).
    #[serde(default)]
    pub redactions: Vec<(String, usize)>,
    #[serde(default)]
    pub unredacted: Option<(String, String)>,
    /// Workloads of several replicas, each with its chart or its sparklines (issue 23).
    pub fleets: Vec<FleetView>,
    /// On the page: the exports as the worker posted them beside the view (`{json, html,
    /// unredacted_json, unredacted_html}`, JS strings), read into wasm only when the user
    /// exports (issue 23: megabytes the first render does not need); `None` where
    /// the view has them in [`View::json`], [`View::html`] and [`View::unredacted`].
    #[serde(skip)]
    pub posted_exports: Option<wasm_bindgen::JsValue>,
}

/// A workload's replicas: drawn by the worker (hand-written SVG, no text to measure).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct FleetView {
    pub fleet: kubeleak_analysis::fleet::Fleet,
    /// The chart of every replica (when it is no table), else empty.
    pub chart: String,
    /// One sparkline per replica, in the fleet's order (when it is a table).
    pub sparklines: Vec<String>,
}

/// The fleet views of an analysis.
pub fn fleets(a: &Analysis) -> Vec<FleetView> {
    use kubeleak_analysis::fleet;
    fleet::fleets(a)
        .into_iter()
        .map(|f| {
            let (chart, sparklines) = if f.is_table() {
                (String::new(), f.replicas.iter().map(|r| fleet::sparkline_svg(&f, r, 160, 28)).collect())
            } else {
                (fleet::fleet_svg(&f, 900, 320), Vec::new())
            };
            // Drawn: the page needs the replicas' numbers, not their points again.
            let mut f = f;
            for r in &mut f.replicas {
                r.points = Vec::new();
                r.kills = Vec::new();
            }
            FleetView { fleet: f, chart, sparklines }
        })
        .collect()
}

/// The results on screen, shared with the page's components (compared by identity, so a
/// component re-renders for a new view, not for an equal copy of the same one).
#[derive(Clone)]
pub struct Shared(pub Rc<View>);

impl PartialEq for Shared {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// Where the HTML report's memory chart goes; the page draws it (plotters needs the DOM).
pub const CHART_MARKER: &str = "<!--kubeleak-chart-->";

/// Where the HTML report's chart of finding `i` goes (drawn by the page, like the memory chart).
pub fn finding_marker(i: usize) -> String {
    format!("<!--kubeleak-finding-chart-{i}-->")
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Summary {
    pub pods: usize,
    pub containers: usize,
    pub oom_kills: usize,
    /// `critical`, `warning`, `info`, or empty when there is no finding.
    pub worst: String,
    pub span: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct DiagnosisView {
    pub severity: String,
    /// `pod/container`, `pod` or empty.
    pub target: String,
    pub headline: String,
    pub kinds: Vec<String>,
    /// Indexes into [`View::findings`].
    pub findings: Vec<usize>,
    /// What to do, each piece once.
    pub advice: Vec<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct FindingView {
    pub kind: String,
    pub severity: String,
    /// `pod/container`, `pod` or empty.
    pub target: String,
    pub pod: Option<String>,
    pub title: String,
    pub detail: String,
    pub advice: String,
    /// The diagnosis it belongs to (index into [`View::diagnoses`]): its advice is said
    /// there, once.
    pub diagnosis: Option<usize>,
    pub evidence: Vec<Evidence>,
    /// Indexes into [`Code::sites`] this finding is about.
    pub sites: Vec<usize>,
    /// Indexes into [`Code::types`] this finding is about.
    pub types: Vec<usize>,
    /// A leak-pattern finding's log-mined numbers beside memory (drawn by the page).
    pub chart: Option<chart::FindingChart>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Evidence {
    pub at: Loc,
    /// `source:line`.
    pub loc: String,
    /// The line as quoted (cut at [`MAX_QUOTE`] bytes).
    pub text: String,
}

/// One row of the pod table: a container (or the pod itself when only pod-level data exists).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Row {
    pub key: String,
    pub pod: String,
    pub container: String,
    pub status: String,
    pub restarts: Option<u32>,
    pub limit: Option<u64>,
    pub request: Option<u64>,
    pub latest: Option<u64>,
    /// First → latest sample, and how many.
    pub trend: String,
    pub percent: Option<f64>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct PodView {
    pub key: String,
    /// One sentence per container.
    pub containers: Vec<String>,
    pub events: Vec<String>,
    /// Indexes into [`View::findings`].
    pub findings: Vec<usize>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct SourceInfo {
    pub name: String,
    pub bytes: u64,
    pub lines: u32,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct SectionMark {
    pub at: Loc,
    pub kind: String,
}

/// "Where in the code": what Python memory tools say grows, biggest first.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Code {
    pub sites: Vec<Site>,
    pub types: Vec<TypeRow>,
    /// More growing sites/types than listed.
    pub more_sites: usize,
    pub more_types: usize,
}

/// An allocation site (tracemalloc, memray) and how much it grew.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Site {
    /// `/app/images.py:88`.
    pub place: String,
    /// `pod/container` (or `pod`, or empty when not tied to a pod).
    pub who: String,
    /// Growth in bytes between the first and last snapshot (or as `compare_to` printed it).
    pub growth: Option<i64>,
    /// Latest size in bytes.
    pub size: u64,
    pub count: Option<u64>,
    /// `tracemalloc` or `memray`.
    pub tool: String,
    /// The line that printed the latest size.
    pub at: Loc,
    #[serde(skip)]
    origins: Vec<Origin>,
}

/// An object type (objgraph) and how many more objects it has.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct TypeRow {
    pub name: String,
    pub who: String,
    /// Objects added over the `show_growth` tables after the first one.
    pub growth: i64,
    pub count: u64,
    pub at: Loc,
    #[serde(skip)]
    origins: Vec<Origin>,
}

pub fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "critical",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

fn pod_key(namespace: Option<&str>, name: &str) -> String {
    match namespace {
        Some(ns) => format!("{ns}/{name}"),
        None => name.to_string(),
    }
}

/// The view of an analysis. `html` is the report with [`CHART_MARKER`] for its chart.
pub fn build(a: &Analysis, json: String, html: String) -> View {
    let model = &a.model;
    let code = code(model);
    let memory = chart::memory_series(model);
    let findings: Vec<FindingView> = a
        .findings
        .iter()
        .map(|f| {
            let ev: HashSet<Origin> = f.evidence.iter().copied().collect();
            let mentions = |place: &str, origins: &[Origin]| {
                origins.iter().any(|o| ev.contains(o)) || f.title.contains(place) || f.detail.contains(place)
            };
            FindingView {
                kind: f.kind.to_string(),
                severity: severity_word(f.severity).into(),
                target: match (&f.pod, &f.container) {
                    (Some(p), Some(c)) => format!("{p}/{c}"),
                    (Some(p), None) => p.clone(),
                    _ => String::new(),
                },
                pod: f.pod.clone(),
                title: f.title.clone(),
                detail: f.detail.clone(),
                advice: f.advice.clone(),
                diagnosis: None,
                evidence: f.evidence.iter().map(|o| evidence(model, *o)).collect(),
                sites: (0..code.sites.len())
                    .filter(|&i| mentions(&code.sites[i].place, &code.sites[i].origins))
                    .collect(),
                types: (0..code.types.len())
                    .filter(|&i| mentions(&format!("`{}`", code.types[i].name), &code.types[i].origins))
                    .collect(),
                chart: chart::finding_chart(&memory, f),
            }
        })
        .collect();

    let mut findings = findings;
    let diagnoses: Vec<DiagnosisView> = a
        .diagnoses
        .iter()
        .enumerate()
        .map(|(n, d)| {
            for &i in &d.findings {
                if let Some(f) = findings.get_mut(i) {
                    f.diagnosis = Some(n);
                }
            }
            DiagnosisView {
                severity: severity_word(d.severity).into(),
                target: match (&d.pod, &d.container, &d.workload) {
                    (Some(p), Some(c), _) => format!("{p}/{c}"),
                    (Some(p), None, _) => p.clone(),
                    (None, _, Some(w)) => format!("workload {w}"),
                    _ => String::new(),
                },
                headline: d.headline.clone(),
                kinds: d.kinds.iter().map(|k| k.to_string()).collect(),
                findings: d.findings.clone(),
                advice: d.advice.clone(),
            }
        })
        .collect();

    let times: Vec<_> = model.sections.iter().filter_map(|s| s.at).collect();
    let summary = Summary {
        pods: model.pods.len(),
        containers: model.pods.iter().map(|p| p.containers.iter().filter(|c| !c.init).count()).sum(),
        oom_kills: a.findings.iter().filter(|f| f.kind == "oom-killed").count(),
        worst: a.findings.iter().map(|f| f.severity).max().map(severity_word).unwrap_or_default().into(),
        span: match (times.iter().min(), times.iter().max()) {
            (Some(a), Some(b)) if a != b => format!("{} → {}", a.strftime("%Y-%m-%d %H:%M"), b.strftime("%H:%M UTC")),
            (Some(a), _) => a.strftime("%Y-%m-%d %H:%M UTC").to_string(),
            _ => "no times in the bundle".into(),
        },
    };

    let (axis, series) = memory;
    let pods = model
        .pods
        .iter()
        .map(|p| PodView {
            key: pod_key(p.namespace.as_deref(), &p.name),
            containers: p
                .containers
                .iter()
                .map(|c| {
                    let state = c
                        .state
                        .as_ref()
                        .map(|s| {
                            format!("{}{}", s.state, s.reason.as_ref().map(|r| format!(" ({r})")).unwrap_or_default())
                        })
                        .unwrap_or_else(|| "state unknown".into());
                    let last = c
                        .last_termination
                        .as_ref()
                        .map(|t| {
                            format!(
                                "; last terminated: {}{}",
                                t.reason.clone().unwrap_or_default(),
                                t.exit_code.map(|e| format!(", exit code {e}")).unwrap_or_default()
                            )
                        })
                        .unwrap_or_default();
                    format!(
                        "{}{}: {state}{last}; {} samples",
                        c.name,
                        if c.init { " (init)" } else { "" },
                        c.memory_samples.len()
                    )
                })
                .collect(),
            events: p
                .events
                .iter()
                .map(|e| {
                    format!(
                        "{} {} {}{}: {}",
                        e.kind.clone().unwrap_or_default(),
                        e.reason,
                        e.age.clone().unwrap_or_default(),
                        if e.count > 1 { format!(" (x{})", e.count) } else { String::new() },
                        e.message
                    )
                })
                .collect(),
            findings: (0..a.findings.len())
                .filter(|&i| a.findings[i].pod.as_deref() == Some(p.name.as_str()))
                .collect(),
        })
        .collect();

    View {
        summary,
        diagnoses,
        findings,
        axis,
        series,
        rows: rows(model),
        pods,
        warnings: model
            .warnings
            .iter()
            .map(|w| {
                if w.origin.line > 0 {
                    format!("{}:{}: {}", model.source_name(w.origin), w.origin.line, w.message)
                } else {
                    format!("{}: {}", model.source_name(w.origin), w.message)
                }
            })
            .collect(),
        sources: model
            .sources
            .iter()
            .map(|s| SourceInfo { name: s.name.clone(), bytes: s.bytes, lines: s.lines })
            .collect(),
        first_lines: model
            .sources
            .first()
            .map(|s| s.text.iter().take(FIRST_LINES).map(|l| shown(l)).collect())
            .unwrap_or_default(),
        sections: model
            .sections
            .iter()
            .map(|s| SectionMark { at: Loc { source: s.source, line: s.first_line }, kind: format!("{:?}", s.kind) })
            .collect(),
        code,
        json,
        html,
        redactions: Vec::new(),
        unredacted: None,
        fleets: fleets(a),
        posted_exports: None,
    }
}

fn evidence(model: &Model, o: Origin) -> Evidence {
    let mut text = model.line_text(o);
    if text.len() > MAX_QUOTE {
        let mut cut = MAX_QUOTE;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text = text.get(..cut).unwrap_or("");
    }
    Evidence { at: o.into(), loc: format!("{}:{}", model.source_name(o), o.line), text: text.to_string() }
}

fn trend(samples: &[Sample]) -> String {
    let mut v: Vec<_> = samples.iter().collect();
    v.sort_by_key(|s| (s.at, s.seq));
    match (v.first(), v.last()) {
        (Some(a), Some(b)) if v.len() > 1 => {
            format!("{} → {} ({} samples)", format_bytes(a.bytes), format_bytes(b.bytes), v.len())
        }
        (Some(a), _) => format_bytes(a.bytes),
        _ => "—".into(),
    }
}

/// A container's runs between restarts, for the table (issue 18): `; 3 runs: 8h0m to
/// 1.0Gi, 10h0m to 1.0Gi, 6h0m so far at 768Mi`; empty when it did not restart.
fn runs_text(c: &kubeleak_analysis::model::Container) -> String {
    use kubeleak_analysis::chart::{runs, RunEnd};
    let runs = runs(c);
    if runs.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = runs
        .iter()
        .map(|r| {
            let d = kubeleak_analysis::time::format_duration(r.to.duration_since(r.from));
            match r.end {
                RunEnd::Open => format!("{d} so far, peak {}", format_bytes(r.peak)),
                RunEnd::Gap => format!("{d} to {} (then a gap)", format_bytes(r.peak)),
                RunEnd::Drop | RunEnd::Restart => format!("{d} to {}", format_bytes(r.peak)),
            }
        })
        .collect();
    format!("; {} runs: {}", runs.len(), parts.join(", "))
}

fn percent(latest: Option<u64>, limit: Option<u64>) -> Option<f64> {
    match (latest, limit) {
        (Some(l), Some(lim)) if lim > 0 => Some(l as f64 * 100.0 / lim as f64),
        _ => None,
    }
}

fn rows(model: &Model) -> Vec<Row> {
    let mut out = Vec::new();
    let latest = |s: &[Sample]| s.iter().max_by_key(|s| (s.at, s.seq)).map(|s| s.bytes);
    for p in &model.pods {
        let pod = pod_key(p.namespace.as_deref(), &p.name);
        let status = p.status.as_ref().map(|s| s.value.clone()).unwrap_or_default();
        if p.containers.is_empty() || !p.memory_samples.is_empty() {
            let limits: Option<u64> = if p.containers.is_empty() {
                None
            } else {
                p.containers.iter().filter(|c| !c.init).map(|c| c.memory_limit.as_ref().map(|f| f.value)).sum()
            };
            let l = latest(&p.memory_samples);
            out.push(Row {
                key: pod.clone(),
                pod: pod.clone(),
                container: "(pod)".into(),
                status: status.clone(),
                restarts: p.restarts.as_ref().map(|r| r.value),
                limit: limits,
                request: None,
                latest: l,
                trend: trend(&p.memory_samples),
                percent: percent(l, limits),
            });
        }
        for c in p.containers.iter().filter(|c| !c.init) {
            let l = latest(&c.memory_samples);
            let limit = c.memory_limit.as_ref().map(|f| f.value);
            out.push(Row {
                key: pod.clone(),
                pod: pod.clone(),
                container: c.name.clone(),
                status: c
                    .state
                    .as_ref()
                    .and_then(|s| s.reason.clone().or_else(|| Some(s.state.clone())))
                    .unwrap_or_else(|| status.clone()),
                restarts: c.restarts.as_ref().map(|r| r.value),
                limit,
                request: c.memory_request.as_ref().map(|f| f.value),
                latest: l,
                trend: trend(&c.memory_samples) + &runs_text(c),
                percent: percent(l, limit),
            });
        }
    }
    out
}

/// Every [`Profiles`] of the model with who it belongs to.
fn all_profiles(model: &Model) -> Vec<(String, &Profiles)> {
    let mut out = vec![(String::new(), &model.profiles)];
    for p in &model.pods {
        let key = pod_key(p.namespace.as_deref(), &p.name);
        out.push((key.clone(), &p.profiles));
        for c in &p.containers {
            out.push((format!("{key}/{}", c.name), &c.profiles));
        }
    }
    out.retain(|(_, p)| !p.is_empty());
    out
}

/// The growing allocation sites and object types, biggest growth first (sites without a
/// growth, such as memray's largest locations, after them by size).
fn code(model: &Model) -> Code {
    let mut sites = Vec::new();
    let mut types = Vec::new();
    for (who, prof) in all_profiles(model) {
        // tracemalloc: per file:line, the snapshots in order.
        let mut by_place: BTreeMap<String, Vec<&kubeleak_analysis::model::AllocationSite>> = BTreeMap::new();
        for s in &prof.allocation_sites {
            let place = match s.line {
                Some(l) => format!("{}:{l}", s.file),
                None => s.file.clone(),
            };
            by_place.entry(place).or_default().push(s);
        }
        for (place, mut v) in by_place {
            v.sort_by_key(|s| (s.snapshot, s.origin));
            let (Some(first), Some(last)) = (v.first(), v.last()) else { continue };
            let printed: Option<i64> = v.iter().filter_map(|s| s.size_delta).max();
            let rise = i64::try_from(last.size).ok().zip(i64::try_from(first.size).ok()).map(|(b, a)| b - a);
            let growth = match (printed, v.len() > 1) {
                (Some(d), _) => Some(d.max(rise.unwrap_or(d))),
                (None, true) => rise,
                (None, false) => None,
            };
            sites.push(Site {
                place,
                who: who.clone(),
                growth,
                size: last.size,
                count: last.count,
                tool: "tracemalloc".into(),
                at: last.origin.into(),
                origins: v.iter().map(|s| s.origin).collect(),
            });
        }
        for m in &prof.memray {
            for l in m.top_by_size.iter().take(5) {
                let place = match l.line {
                    Some(n) => format!("{}:{n}", l.file),
                    None => l.file.clone(),
                };
                sites.push(Site {
                    place: format!("{place} ({})", l.function),
                    who: who.clone(),
                    growth: None,
                    size: l.bytes,
                    count: None,
                    tool: "memray".into(),
                    at: l.origin.into(),
                    origins: vec![l.origin],
                });
            }
        }
        // objgraph: the first table counts every object as new, so growth adds up the later ones.
        let first_table = prof.type_growth.iter().map(|t| t.snapshot).min();
        let mut by_type: BTreeMap<&str, Vec<&kubeleak_analysis::model::TypeGrowth>> = BTreeMap::new();
        for t in &prof.type_growth {
            by_type.entry(t.type_name.as_str()).or_default().push(t);
        }
        for (name, mut v) in by_type {
            v.sort_by_key(|t| (t.snapshot, t.origin));
            let Some(last) = v.last() else { continue };
            let later = v.iter().filter(|t| Some(t.snapshot) != first_table);
            let growth = if v.len() > 1 || Some(last.snapshot) != first_table {
                later.map(|t| t.delta).fold(0i64, i64::saturating_add)
            } else {
                last.delta
            };
            types.push(TypeRow {
                name: name.to_string(),
                who: who.clone(),
                growth,
                count: last.count,
                at: last.origin.into(),
                origins: v.iter().map(|t| t.origin).collect(),
            });
        }
    }
    sites.sort_by(|a, b| {
        b.growth
            .is_some()
            .cmp(&a.growth.is_some())
            .then(b.growth.cmp(&a.growth))
            .then(b.size.cmp(&a.size))
            .then(a.place.cmp(&b.place))
    });
    types.sort_by(|a, b| b.growth.cmp(&a.growth).then(a.name.cmp(&b.name)));
    let more_sites = sites.len().saturating_sub(MAX_CODE_ROWS);
    let more_types = types.len().saturating_sub(MAX_CODE_ROWS);
    sites.truncate(MAX_CODE_ROWS);
    types.truncate(MAX_CODE_ROWS);
    Code { sites, types, more_sites, more_types }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeleak_analysis::analyze_text;

    const SKELETON: &str = include_str!("../../../tests/fixtures/skeleton-top.txt");

    fn view(text: &str) -> View {
        build(&analyze_text("paste", text), String::new(), String::new())
    }

    #[test]
    fn skeleton_rows_and_series() {
        let v = view(SKELETON);
        assert_eq!(v.rows.len(), 2);
        assert_eq!(v.rows[0].trend, "301Mi → 344Mi (2 samples)");
        assert_eq!(v.series.len(), 2);
        assert_eq!(v.sources[0].lines, SKELETON.lines().count() as u32);
        assert_eq!(from_bytes(&to_bytes(&v).unwrap()).unwrap(), v);
    }

    /// Every fixture's view crosses from the worker to the page whole (postcard both ways:
    /// a field skipped on one side only would shift every byte after it).
    #[test]
    fn every_fixtures_view_crosses_as_bytes() {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "txt" || x == "log" || x == "json") {
                    out.push(p);
                }
            }
        }
        let mut files = Vec::new();
        walk(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures"), &mut files);
        assert!(files.len() > 100, "{} fixtures", files.len());
        let mut with_fleets = 0;
        for f in files {
            let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
            let v = build(&analyze_text("paste", &text), "{}".into(), "<html>".into());
            with_fleets += usize::from(!v.fleets.is_empty());
            let bytes = to_bytes(&v).unwrap();
            let back = from_bytes(&bytes).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            // (Compared as bytes: the worker-only fields, `origins`, stay behind.)
            assert!(to_bytes(&back).unwrap() == bytes, "{}", f.display());
            assert_eq!((back.rows, back.series, back.fleets), (v.rows, v.series, v.fleets), "{}", f.display());
        }
        assert!(with_fleets > 0, "a fleet view among them");
        assert!(from_bytes(b"\x07\x01").is_err(), "what is not a view is an error, not a panic");
    }

    #[test]
    fn tracemalloc_sites_grow_and_findings_link_to_them() {
        let text = "$ kubectl logs -n shop worker-1\n\
2026-11-24 10:00:00 INFO tracemalloc top 3\n\
/app/thumbs_cache.py:41: size=20 MiB, count=1000, average=20 KiB\n\
/app/handlers.py:12: size=2 MiB, count=100, average=20 KiB\n\
2026-11-24 10:30:00 INFO tracemalloc top 3\n\
/app/thumbs_cache.py:41: size=310 MiB, count=71332, average=4 KiB\n\
/app/handlers.py:12: size=2 MiB, count=101, average=20 KiB\n";
        let a = analyze_text("paste", text);
        let v = build(&a, String::new(), String::new());
        assert!(!v.code.sites.is_empty(), "{:?}", a.model.pods);
        let top = &v.code.sites[0];
        assert_eq!(top.place, "/app/thumbs_cache.py:41");
        assert_eq!(top.growth, Some((310 - 20) << 20));
        assert_eq!(top.size, 310 << 20);
        assert!(v.findings.iter().any(|f| f.sites.contains(&0)), "{:#?}", v.findings);
    }

    #[test]
    fn long_lines_are_cut_for_display() {
        let long = "é".repeat(MAX_SHOWN);
        let s = shown(&long);
        assert!(
            s.len() < MAX_SHOWN + 40 && s.ends_with(&format!("[line cut: {} bytes]", 2 * MAX_SHOWN)),
            "{}",
            &s[s.len() - 40..]
        );
    }
}
