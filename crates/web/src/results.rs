//! The results: summary bar, findings with evidence, memory charts, "Where in the code"
//! (growing allocation sites and object types from Python memory tools), the sortable
//! pod table with drill-down, input problems, and the source view. Everything comes
//! from the worker's [`View`](crate::view::View); the charts are drawn here.

use std::rc::Rc;

use kubeleak_analysis::quantity::format_bytes;
use yew::prelude::*;

use crate::client::Client;
use crate::fleet_view::FleetSection;
use crate::lazy_chart::{self, later, memory_charts, LazyChart, Which};
use crate::source_view::SourceView;
use crate::view::{Evidence, Loc, Shared, View};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub view: Shared,
    pub client: Client,
    pub selected: Option<Loc>,
    pub on_evidence: Callback<Loc>,
}

/// Findings rendered per task (see `limit` in [`results`]).
const FINDINGS_STEP: usize = 10;
/// Pod table rows rendered per finding of [`FINDINGS_STEP`]: 100 rows per task, so a
/// table of 500 pods (issue 23) does not hold the page's thread in one task.
const ROWS_PER_FINDING: usize = 10;
/// Pod table rows per [`PodRows`] component. Each batch renders only its new chunks:
/// the earlier ones keep their props, so Yew neither renders nor diffs them again
/// (issue 23: re-rendering the whole table per batch made each batch slower than the last).
const ROWS_CHUNK: usize = 50;

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

fn bytes_cell(b: Option<u64>) -> String {
    b.map(format_bytes).unwrap_or_else(|| "—".into())
}

/// `+290 MiB` / `-3 MiB`.
fn signed_bytes(b: i64) -> String {
    let sign = if b < 0 { "-" } else { "+" };
    format!("{sign}{}", format_bytes(b.unsigned_abs()))
}

#[function_component(Results)]
pub fn results(props: &Props) -> Html {
    let v = &props.view.0;
    let sort = use_state(|| (Col::Percent, false));
    let open_pod = use_state(|| None::<String>);
    // A new view's charts are drawn within a time budget, the rest in later tasks (see
    // crate::lazy_chart); each is drawn once per view, not on every sort or drill-down.
    use_memo(props.view.clone(), |view| lazy_chart::start_first(lazy_chart::count(&view.0)));
    // A big view's findings (with their evidence) are added a batch per task, so the
    // summary shows at once and the page stays responsive; small views show at once.
    let current = use_mut_ref(|| props.view.clone());
    *current.borrow_mut() = props.view.clone();
    let shown = use_state(|| (props.view.clone(), FINDINGS_STEP));
    let limit = if shown.0 == props.view { shown.1 } else { FINDINGS_STEP };
    {
        let shown = shown.clone();
        use_effect_with((props.view.clone(), limit), move |(view, limit)| {
            if *limit < view.0.findings.len() || *limit * ROWS_PER_FINDING < view.0.rows.len() {
                let (view, limit) = (view.clone(), *limit);
                later(Box::new(move || {
                    if *current.borrow() == view {
                        shown.set((view, limit + FINDINGS_STEP));
                    }
                }));
            }
        });
    }
    let charts = memory_charts(v);
    // A replica of the fleet view opens its pod's detail, scrolled into view.
    let open_replica = {
        let open = open_pod.setter();
        use_callback((), move |key: String, _| {
            open.set(Some(key));
            later(Box::new(|| {
                let drill = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.query_selector("tr.drill").ok().flatten());
                if let Some(row) = drill {
                    row.scroll_into_view();
                }
            }));
        })
    };

    let (col, asc) = *sort;
    // The table's order, kept while the view and the sort stay (not redone per batch).
    let order = use_memo((props.view.clone(), col, asc), |(view, col, asc)| {
        let rows = &view.0.rows;
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by(|&a, &b| {
            let (x, y) = (&rows[a], &rows[b]);
            let o = match col {
                Col::Pod => x.pod.cmp(&y.pod).then(x.container.cmp(&y.container)),
                Col::Status => x.status.cmp(&y.status),
                Col::Restarts => x.restarts.cmp(&y.restarts),
                Col::Limit => x.limit.cmp(&y.limit),
                Col::Request => x.request.cmp(&y.request),
                Col::Latest => x.latest.cmp(&y.latest),
                Col::Percent => x.percent.unwrap_or(-1.0).total_cmp(&y.percent.unwrap_or(-1.0)),
            };
            if *asc {
                o
            } else {
                o.reverse()
            }
        });
        order
    });
    let on_toggle = {
        let open = open_pod.setter();
        use_callback((), move |key: Option<String>, _| open.set(key))
    };
    let header = |label: &'static str, c: Col| {
        let sort = sort.clone();
        let mark = if col == c {
            if asc {
                " ▲"
            } else {
                " ▼"
            }
        } else {
            ""
        };
        let aria = if col == c {
            if asc {
                "ascending"
            } else {
                "descending"
            }
        } else {
            "none"
        };
        html! {
            <th aria-sort={aria}>
                <button class="sort" onclick={Callback::from(move |_| sort.set((c, if col == c { !asc } else { c == Col::Pod })))}>
                    { format!("{label}{mark}") }
                </button>
            </th>
        }
    };

    let s = &v.summary;

    html! {
        <section id="results">
            <div id="summary" class="summary">
                <span><b>{ s.pods }</b>{ " pods" }</span>
                <span><b>{ s.containers }</b>{ " containers" }</span>
                <span><b>{ s.oom_kills }</b>{ " OOM-kill findings" }</span>
                <span>{ "worst: " }<b class={classes!("sev", (!s.worst.is_empty()).then(|| s.worst.clone()))}>{ if s.worst.is_empty() { "none" } else { s.worst.as_str() } }</b></span>
                <span>{ &s.span }</span>
            </div>

            if !v.diagnoses.is_empty() {
                <h2>{ format!("Diagnoses ({})", v.diagnoses.len()) }</h2>
                <div id="diagnoses">
                { for v.diagnoses.iter().enumerate().map(|(n, d)| html! {
                    <article class={classes!("finding", "diagnosis", d.severity.clone())} id={format!("diagnosis-{}", n + 1)}>
                        <div class="meta"><span class="sev">{ &d.severity }</span>{" "}<span class="kind">{ d.kinds.join(", ") }</span>{" "}<span class="target">{ &d.target }</span></div>
                        <h3 class="headline">{ &d.headline }</h3>
                        <p class="muted">{ "Findings: " }
                        { for d.findings.iter().map(|&i| html! {
                            <a class="finding-link" href={format!("#finding-{}", i + 1)}>{ format!("{} ", i + 1) }</a>
                        }) }
                        </p>
                        <p><b>{ "What to do:" }</b></p>
                        <ol class="advice">{ for d.advice.iter().map(|a| html! { <li>{ a }</li> }) }</ol>
                    </article>
                }) }
                </div>
            }

            <FleetSection view={props.view.clone()} on_open={open_replica} />

            <h2>{ format!("Findings ({})", v.findings.len()) }</h2>
            if v.findings.is_empty() {
                <p class="muted" id="no-findings">{ "No findings: nothing in this input points at a memory problem." }</p>
            }
            <div id="findings">
            { for (0..v.findings.len().min(limit)).map(|i| html! {
                <FindingCard key={i} view={props.view.clone()} index={i} on_evidence={props.on_evidence.clone()} />
            }) }
            </div>

            <h2>{ "Memory" }</h2>
            if charts.is_empty() && !v.series.is_empty() {
                <p id="in-fleet" class="muted">{ "Every pod's memory is in the workloads' tables above: a replica opens its chart." }</p>
            } else if charts.is_empty() {
                <p id="no-chart" class="muted">{ "No memory samples found (kubectl top output makes the chart)." }</p>
            } else {
                <div id="chart" class={classes!("charts", (charts.len() > 1).then_some("multiples"))}>
                    { for charts.iter().map(|&(i, ref label)| html! {
                        <figure class="chart" aria-label={if label.is_empty() { "memory chart".to_string() } else { label.clone() }}>
                            <LazyChart view={props.view.clone()} which={Which::Memory(i)} />
                        </figure>
                    }) }
                </div>
            }

            if !v.code.sites.is_empty() || !v.code.types.is_empty() {
                { code_section(v, props.on_evidence.clone()) }
            }

            <h2>{ "Pods" }</h2>
            <div class="table-wrap">
            <table id="pods">
                <thead><tr>
                    { header("Pod", Col::Pod) }<th>{ "Container" }</th>{ header("Status", Col::Status) }{ header("Restarts", Col::Restarts) }
                    { header("Limit", Col::Limit) }{ header("Request", Col::Request) }{ header("Memory", Col::Latest) }{ header("% of limit", Col::Percent) }
                </tr></thead>
                <tbody>
                { for (0..order.len().min(limit * ROWS_PER_FINDING)).step_by(ROWS_CHUNK).map(|start| {
                    let end = (start + ROWS_CHUNK).min(order.len());
                    // Only the chunk that holds the opened pod's rows hears of it.
                    let open = open_pod.as_ref().filter(|k| order[start..end].iter().any(|&i| &v.rows[i].key == *k)).cloned();
                    html! {
                        <PodRows key={start} view={props.view.clone()} order={order.clone()} {start} {end} {open}
                            on_toggle={on_toggle.clone()} on_evidence={props.on_evidence.clone()} />
                    }
                }) }
                </tbody>
            </table>
            </div>

            if !v.warnings.is_empty() {
                <h2>{ format!("Input problems ({})", v.warnings.len()) }</h2>
                <ul id="warnings">
                    { for v.warnings.iter().map(|w| html! { <li>{ w }</li> }) }
                </ul>
            }

            <h2>{ "Source" }</h2>
            <SourceView view={props.view.clone()} client={props.client.clone()} selected={props.selected} />
        </section>
    }
}

/// An evidence line: a button that opens it in the source view.
fn evidence_button(on_evidence: &Callback<Loc>, e: &Evidence) -> Html {
    let cb = on_evidence.clone();
    let at = e.at;
    html! {
        <li>
            <button class="evidence" onclick={Callback::from(move |_| cb.emit(at))}>
                <span class="loc">{ &e.loc }</span>
                <code>{ &e.text }</code>
            </button>
        </li>
    }
}

#[derive(Properties, PartialEq)]
struct FindingProps {
    view: Shared,
    index: usize,
    on_evidence: Callback<Loc>,
}

/// One finding with its evidence (its own component: a later batch of findings leaves
/// the ones shown alone).
#[function_component(FindingCard)]
fn finding_card(props: &FindingProps) -> Html {
    let v = &props.view.0;
    let i = props.index;
    let Some(f) = v.findings.get(i) else { return html! {} };
    html! {
        <article class={classes!("finding", f.severity.clone())} data-kind={f.kind.clone()} id={format!("finding-{}", i + 1)}>
            <div class="meta"><span class="sev">{ &f.severity }</span>{" "}<span class="kind">{ &f.kind }</span>{" "}<span class="target">{ &f.target }</span></div>
            <h3>{ &f.title }</h3>
            <p>{ &f.detail }</p>
            if let Some(n) = f.diagnosis {
                // Its advice is the diagnosis', said once there.
                <p class="advice"><b>{ "What to do: " }</b>{ "see " }<a class="diagnosis-link" href={format!("#diagnosis-{}", n + 1)}>{ format!("diagnosis {}", n + 1) }</a></p>
            } else {
                <p class="advice"><b>{ "What to do: " }</b>{ &f.advice }</p>
            }
            if let Some(c) = &f.chart {
                <figure class="chart finding-chart" aria-label={c.title.clone()}>
                    <LazyChart view={props.view.clone()} which={Which::Finding(i)} />
                </figure>
            }
            if !f.sites.is_empty() || !f.types.is_empty() {
                <p class="code-links">{ "Where in the code: " }
                { for f.sites.iter().filter_map(|&i| v.code.sites.get(i).map(|s| (i, s))).map(|(i, s)| html! {
                    <a class="site-link" href={format!("#site-{i}")}>{ &s.place }</a>
                }) }
                { for f.types.iter().filter_map(|&i| v.code.types.get(i).map(|t| (i, t))).map(|(i, t)| html! {
                    <a class="site-link" href={format!("#type-{i}")}>{ &t.name }</a>
                }) }
                </p>
            }
            <ul class="evidence-list">{ for f.evidence.iter().map(|e| evidence_button(&props.on_evidence, e)) }</ul>
        </article>
    }
}

#[derive(Properties, PartialEq)]
struct PodRowsProps {
    view: Shared,
    /// The table's order (indexes into the view's rows).
    order: Rc<Vec<usize>>,
    /// This chunk's part of `order`.
    start: usize,
    end: usize,
    /// The opened pod, when its rows are in this chunk.
    open: Option<String>,
    /// Opens a pod's detail (`Some(key)`) or closes it (`None`).
    on_toggle: Callback<Option<String>>,
    on_evidence: Callback<Loc>,
}

/// A chunk of [`ROWS_CHUNK`] rows of the pod table, with the opened pod's detail.
#[function_component(PodRows)]
fn pod_rows(props: &PodRowsProps) -> Html {
    let v = &props.view.0;
    let order = &props.order;
    let evidence = |e: &Evidence| evidence_button(&props.on_evidence, e);
    html! {
        { for (props.start..props.end).filter_map(|n| order.get(n).and_then(|&i| v.rows.get(i)).map(|r| (n, r))).map(|(n, r)| {
            // The drill-down follows the last row of the opened pod.
            let last_of_pod = order.get(n + 1).and_then(|&i| v.rows.get(i)).is_none_or(|next| next.key != r.key);
            let is_open = props.open.as_deref() == Some(r.key.as_str());
            let toggle = {
                let (cb, key) = (props.on_toggle.clone(), r.key.clone());
                Callback::from(move |_| cb.emit(if is_open { None } else { Some(key.clone()) }))
            };
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
                    <tr class="drill"><td colspan="8">{ drill_down(v, &r.key, &evidence) }{ pod_charts(&props.view, &r.key) }</td></tr>
                }
                </>
            }
        }) }
    }
}

/// "Where in the code": the growing allocation sites and object types, each with a
/// button that opens the line that printed it.
fn code_section(v: &View, on_evidence: Callback<Loc>) -> Html {
    let open = |at: Loc, label: String| {
        let cb = on_evidence.clone();
        html! { <button class="link" onclick={Callback::from(move |_| cb.emit(at))}>{ label }</button> }
    };
    let line_of = |at: Loc| {
        let name = v.sources.get(at.source).map(|s| s.name.as_str()).unwrap_or("-");
        format!("{name}:{}", at.line)
    };
    html! {
        <section id="code" aria-label="Where in the code">
            <h2>{ "Where in the code" }</h2>
            <p class="muted">{ "What the Python memory tools in this input (tracemalloc, memray, objgraph) say grows, biggest first." }</p>
            if !v.code.sites.is_empty() {
                <div class="table-wrap">
                <table id="code-sites">
                    <thead><tr><th>{ "Allocation site" }</th><th>{ "Growth" }</th><th>{ "Size" }</th><th>{ "Blocks" }</th><th>{ "Where" }</th><th>{ "Printed at" }</th></tr></thead>
                    <tbody>
                    { for v.code.sites.iter().enumerate().map(|(i, s)| html! {
                        <tr id={format!("site-{i}")} class="site">
                            <td class="place">{ &s.place }</td>
                            <td>{ s.growth.map(signed_bytes).unwrap_or_else(|| "—".into()) }</td>
                            <td>{ format_bytes(s.size) }</td>
                            <td>{ s.count.map(|c| c.to_string()).unwrap_or_default() }</td>
                            <td>{ &s.who }{ " " }<span class="muted">{ format!("({})", s.tool) }</span></td>
                            <td>{ open(s.at, line_of(s.at)) }</td>
                        </tr>
                    }) }
                    </tbody>
                </table>
                </div>
                if v.code.more_sites > 0 {
                    <p class="muted">{ format!("… and {} more sites.", v.code.more_sites) }</p>
                }
            }
            if !v.code.types.is_empty() {
                <div class="table-wrap">
                <table id="code-types">
                    <thead><tr><th>{ "Object type" }</th><th>{ "More objects" }</th><th>{ "Objects" }</th><th>{ "Where" }</th><th>{ "Printed at" }</th></tr></thead>
                    <tbody>
                    { for v.code.types.iter().enumerate().map(|(i, t)| html! {
                        <tr id={format!("type-{i}")} class="type">
                            <td class="place">{ &t.name }</td>
                            <td>{ format!("{:+}", t.growth) }</td>
                            <td>{ t.count }</td>
                            <td>{ &t.who }</td>
                            <td>{ open(t.at, line_of(t.at)) }</td>
                        </tr>
                    }) }
                    </tbody>
                </table>
                </div>
                if v.code.more_types > 0 {
                    <p class="muted">{ format!("… and {} more types.", v.code.more_types) }</p>
                }
            }
        </section>
    }
}

/// Containers, events and findings of one pod.
fn drill_down(v: &View, key: &str, evidence: &dyn Fn(&Evidence) -> Html) -> Html {
    let Some(p) = v.pods.iter().find(|p| p.key == key) else {
        return html! {};
    };
    let findings: Vec<_> = p.findings.iter().filter_map(|&i| v.findings.get(i)).collect();
    html! {
        <div class="drill-body">
            <h4>{ "Containers" }</h4>
            <ul>{ for p.containers.iter().map(|c| html! { <li>{ c }</li> }) }</ul>
            <h4>{ format!("Events ({})", p.events.len()) }</h4>
            <ul class="events">{ for p.events.iter().map(|e| html! { <li>{ e }</li> }) }</ul>
            <h4>{ format!("Findings ({})", findings.len()) }</h4>
            <ul>
            { for findings.iter().map(|f| html! {
                <li><b>{ &f.title }</b><ul class="evidence-list">{ for f.evidence.iter().map(evidence) }</ul></li>
            }) }
            </ul>
        </div>
    }
}

/// The memory charts of one pod (its series), titled with its name, in its detail.
fn pod_charts(view: &Shared, key: &str) -> Html {
    let v = &view.0;
    let name = key.rsplit('/').next().unwrap_or(key);
    let name = kubeleak_analysis::display::visible(name);
    let mine: Vec<usize> = (0..v.series.len())
        .filter(|&i| {
            let l = &v.series[i].label;
            l == name.as_ref() || l.strip_prefix(name.as_ref()).is_some_and(|r| r.starts_with('/'))
        })
        .collect();
    html! {
        { for mine.into_iter().map(|i| html! {
            <figure class="chart pod-chart" aria-label={v.series[i].label.clone()}>
                <LazyChart view={view.clone()} which={Which::Series(i)} />
            </figure>
        }) }
    }
}
