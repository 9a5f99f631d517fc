//! The results: summary bar, findings with evidence, memory charts, the sortable pod
//! table with drill-down, input problems, and the source view.

use kubeleak_analysis::{chart, model::Origin, quantity::format_bytes, Severity};
use yew::prelude::*;

use crate::app::Shared;
use crate::source_view::SourceView;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub analysis: Shared,
    pub selected: Option<Origin>,
    pub on_evidence: Callback<Origin>,
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "critical",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

/// One row of the pod table: a container (or the pod itself when only pod-level data exists).
#[derive(Clone, PartialEq)]
struct Row {
    key: String,
    pod: String,
    container: String,
    status: String,
    restarts: Option<u32>,
    limit: Option<u64>,
    request: Option<u64>,
    latest: Option<u64>,
    /// First → latest sample, and how many.
    trend: String,
    percent: Option<f64>,
}

fn trend(samples: &[kubeleak_analysis::model::Sample]) -> String {
    let mut v: Vec<_> = samples.iter().collect();
    v.sort_by_key(|s| (s.at, s.seq));
    match (v.first(), v.last()) {
        (Some(a), Some(b)) if v.len() > 1 => format!("{} → {} ({} samples)", format_bytes(a.bytes), format_bytes(b.bytes), v.len()),
        (Some(a), _) => format_bytes(a.bytes),
        _ => "—".into(),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Col {
    Pod,
    Status,
    Restarts,
    Limit,
    Request,
    Latest,
    Percent,
}

fn rows(a: &kubeleak_analysis::Analysis) -> Vec<Row> {
    let mut out = Vec::new();
    for p in &a.model.pods {
        let pod = match &p.namespace {
            Some(ns) => format!("{ns}/{}", p.name),
            None => p.name.clone(),
        };
        let status = p.status.as_ref().map(|s| s.value.clone()).unwrap_or_default();
        let latest = |s: &[kubeleak_analysis::model::Sample]| s.iter().max_by_key(|s| (s.at, s.seq)).map(|s| s.bytes);
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
                trend: trend(&c.memory_samples),
                percent: percent(l, limit),
            });
        }
    }
    out
}

fn percent(latest: Option<u64>, limit: Option<u64>) -> Option<f64> {
    match (latest, limit) {
        (Some(l), Some(lim)) if lim > 0 => Some(l as f64 * 100.0 / lim as f64),
        _ => None,
    }
}

fn bytes_cell(b: Option<u64>) -> String {
    b.map(format_bytes).unwrap_or_else(|| "—".into())
}

#[function_component(Results)]
pub fn results(props: &Props) -> Html {
    let a = &props.analysis.0;
    let model = &a.model;
    let sort = use_state(|| (Col::Percent, false));
    let open_pod = use_state(|| None::<String>);

    // Summary.
    let containers: usize = model.pods.iter().map(|p| p.containers.iter().filter(|c| !c.init).count()).sum();
    let oom_kills = a.findings.iter().filter(|f| f.kind == "oom-killed").count();
    let worst = a.findings.iter().map(|f| f.severity).max();
    let times: Vec<_> = model.sections.iter().filter_map(|s| s.at).collect();
    let span = match (times.iter().min(), times.iter().max()) {
        (Some(a), Some(b)) if a != b => format!("{} → {}", a.strftime("%Y-%m-%d %H:%M"), b.strftime("%H:%M UTC")),
        (Some(a), _) => a.strftime("%Y-%m-%d %H:%M UTC").to_string(),
        _ => "no times in the bundle".into(),
    };

    // Charts: one chart for a few series; small multiples (one per pod) for many.
    let (axis, series) = chart::memory_series(model);
    let charts: Vec<(String, String)> = if series.len() <= 6 {
        if series.is_empty() {
            Vec::new()
        } else {
            vec![(String::new(), chart::memory_svg(axis, &series, 900, 400))]
        }
    } else {
        series
            .iter()
            .map(|s| (s.label.clone(), chart::memory_svg(axis, std::slice::from_ref(s), 440, 240)))
            .collect()
    };

    // Pod table.
    let mut table = rows(a);
    let (col, asc) = *sort;
    table.sort_by(|x, y| {
        let o = match col {
            Col::Pod => x.pod.cmp(&y.pod).then(x.container.cmp(&y.container)),
            Col::Status => x.status.cmp(&y.status),
            Col::Restarts => x.restarts.cmp(&y.restarts),
            Col::Limit => x.limit.cmp(&y.limit),
            Col::Request => x.request.cmp(&y.request),
            Col::Latest => x.latest.cmp(&y.latest),
            Col::Percent => x.percent.unwrap_or(-1.0).total_cmp(&y.percent.unwrap_or(-1.0)),
        };
        if asc { o } else { o.reverse() }
    });
    let header = |label: &'static str, c: Col| {
        let sort = sort.clone();
        let mark = if col == c { if asc { " ▲" } else { " ▼" } } else { "" };
        let aria = if col == c { if asc { "ascending" } else { "descending" } } else { "none" };
        html! {
            <th aria-sort={aria}>
                <button class="sort" onclick={Callback::from(move |_| sort.set((c, if col == c { !asc } else { c == Col::Pod })))}>
                    { format!("{label}{mark}") }
                </button>
            </th>
        }
    };

    let evidence_button = |o: Origin| {
        let cb = props.on_evidence.clone();
        html! {
            <li>
                <button class="evidence" onclick={Callback::from(move |_| cb.emit(o))}>
                    <span class="loc">{ format!("{}:{}", model.source_name(o), o.line) }</span>
                    <code>{ model.line_text(o).to_string() }</code>
                </button>
            </li>
        }
    };

    html! {
        <section id="results">
            <div id="summary" class="summary">
                <span><b>{ model.pods.len() }</b>{ " pods" }</span>
                <span><b>{ containers }</b>{ " containers" }</span>
                <span><b>{ oom_kills }</b>{ " OOM-kill findings" }</span>
                <span>{ "worst: " }<b class={classes!("sev", worst.map(severity_word))}>{ worst.map(severity_word).unwrap_or("none") }</b></span>
                <span>{ span }</span>
            </div>

            <h2>{ format!("Findings ({})", a.findings.len()) }</h2>
            if a.findings.is_empty() {
                <p class="muted" id="no-findings">{ "No findings: nothing in this input points at a memory problem." }</p>
            }
            <div id="findings">
            { for a.findings.iter().map(|f| {
                let target = match (&f.pod, &f.container) {
                    (Some(p), Some(c)) => format!("{p}/{c}"),
                    (Some(p), None) => p.clone(),
                    _ => String::new(),
                };
                html! {
                    <article class={classes!("finding", severity_word(f.severity))} data-kind={f.kind}>
                        <div class="meta"><span class="sev">{ severity_word(f.severity) }</span>{" "}<span class="kind">{ f.kind }</span>{" "}<span class="target">{ target }</span></div>
                        <h3>{ &f.title }</h3>
                        <p>{ &f.detail }</p>
                        <p class="advice"><b>{ "What to do: " }</b>{ &f.advice }</p>
                        <ul class="evidence-list">{ for f.evidence.iter().map(|o| evidence_button(*o)) }</ul>
                    </article>
                }
            }) }
            </div>

            <h2>{ "Memory" }</h2>
            if charts.is_empty() {
                <p id="no-chart" class="muted">{ "No memory samples found (kubectl top output makes the chart)." }</p>
            } else {
                <div id="chart" class={classes!("charts", (charts.len() > 1).then_some("multiples"))}>
                    { for charts.into_iter().map(|(label, svg)| html! {
                        <figure class="chart" aria-label={if label.is_empty() { "memory chart".to_string() } else { label }}>
                            { Html::from_html_unchecked(AttrValue::from(svg)) }
                        </figure>
                    }) }
                </div>
            }

            <h2>{ "Pods" }</h2>
            <div class="table-wrap">
            <table id="pods">
                <thead><tr>
                    { header("Pod", Col::Pod) }<th>{ "Container" }</th>{ header("Status", Col::Status) }{ header("Restarts", Col::Restarts) }
                    { header("Limit", Col::Limit) }{ header("Request", Col::Request) }{ header("Memory", Col::Latest) }{ header("% of limit", Col::Percent) }
                </tr></thead>
                <tbody>
                { for table.iter().enumerate().map(|(i, r)| {
                    // The drill-down follows the last row of the opened pod.
                    let last_of_pod = table.get(i + 1).is_none_or(|n| n.key != r.key);
                    let key = r.key.clone();
                    let open = open_pod.clone();
                    let is_open = open_pod.as_deref() == Some(r.key.as_str());
                    let toggle = Callback::from(move |_| open.set(if is_open { None } else { Some(key.clone()) }));
                    html! {
                        <>
                        <tr class={classes!("pod-row", is_open.then_some("open"))}>
                            <td class="pod"><button class="link" aria-expanded={is_open.to_string()} onclick={toggle}>{ &r.pod }</button></td>
                            <td>{ &r.container }</td>
                            <td>{ &r.status }</td>
                            <td>{ r.restarts.map(|n| n.to_string()).unwrap_or_default() }</td>
                            <td>{ bytes_cell(r.limit) }</td>
                            <td>{ bytes_cell(r.request) }</td>
                            <td class="samples">{ &r.trend }</td>
                            <td>{ r.percent.map(|p| format!("{p:.0}%")).unwrap_or_else(|| "—".into()) }</td>
                        </tr>
                        if is_open && last_of_pod {
                            <tr class="drill"><td colspan="8">{ drill_down(a, &r.key, &evidence_button) }</td></tr>
                        }
                        </>
                    }
                }) }
                </tbody>
            </table>
            </div>

            if !model.warnings.is_empty() {
                <h2>{ format!("Input problems ({})", model.warnings.len()) }</h2>
                <ul id="warnings">
                    { for model.warnings.iter().map(|w| html! {
                        <li>{ if w.origin.line > 0 { format!("{}:{}: {}", model.source_name(w.origin), w.origin.line, w.message) } else { format!("{}: {}", model.source_name(w.origin), w.message) } }</li>
                    }) }
                </ul>
            }

            <h2>{ "Source" }</h2>
            <SourceView analysis={props.analysis.clone()} selected={props.selected} />
        </section>
    }
}

/// Containers, events and findings of one pod.
fn drill_down(a: &kubeleak_analysis::Analysis, key: &str, evidence: &dyn Fn(Origin) -> Html) -> Html {
    let Some(p) = a.model.pods.iter().find(|p| match &p.namespace {
        Some(ns) => format!("{ns}/{}", p.name) == key,
        None => p.name == key,
    }) else {
        return html! {};
    };
    let findings: Vec<_> = a.findings.iter().filter(|f| f.pod.as_deref() == Some(p.name.as_str())).collect();
    html! {
        <div class="drill-body">
            <h4>{ "Containers" }</h4>
            <ul>
            { for p.containers.iter().map(|c| {
                let state = c.state.as_ref().map(|s| format!("{}{}", s.state, s.reason.as_ref().map(|r| format!(" ({r})")).unwrap_or_default())).unwrap_or_else(|| "state unknown".into());
                let last = c.last_termination.as_ref().map(|t| format!("; last terminated: {}{}", t.reason.clone().unwrap_or_default(), t.exit_code.map(|e| format!(", exit code {e}")).unwrap_or_default())).unwrap_or_default();
                html! { <li>{ format!("{}{}: {state}{last}; {} samples", c.name, if c.init { " (init)" } else { "" }, c.memory_samples.len()) }</li> }
            }) }
            </ul>
            <h4>{ format!("Events ({})", p.events.len()) }</h4>
            <ul class="events">
            { for p.events.iter().map(|e| html! {
                <li>{ format!("{} {} {}{}: {}", e.kind.clone().unwrap_or_default(), e.reason, e.age.clone().unwrap_or_default(), if e.count > 1 { format!(" (x{})", e.count) } else { String::new() }, e.message) }</li>
            }) }
            </ul>
            <h4>{ format!("Findings ({})", findings.len()) }</h4>
            <ul>
            { for findings.iter().map(|f| html! {
                <li><b>{ &f.title }</b><ul class="evidence-list">{ for f.evidence.iter().map(|o| evidence(*o)) }</ul></li>
            }) }
            </ul>
        </div>
    }
}
