//! The fleet view (issue 23): for each workload of several replicas, its verdict and every
//! replica at once: up to 12 replicas one chart (growing ones red, the limit dashed, OOM
//! kills crossed) with a button per replica; above that, a table of sparklines sorted by
//! slope (growing first) with the growth, the last value and the limit. A replica's
//! button opens its detail in the pod table (`on_open` gets its pod key).
//!
//! The SVG comes drawn from the worker (`kubeleak_analysis::fleet`, hand-written, with
//! bundle text escaped), so this renders without measuring text: one `innerHTML` per
//! chart or sparkline. A big table's rows are added [`ROWS_STEP`] per task (as the
//! findings are), so 500 replicas do not hold the page's thread in one task.

use kubeleak_analysis::{fleet::slope_text, quantity::format_bytes};
use yew::prelude::*;

use crate::lazy_chart::later;
use crate::view::Shared;

/// Table rows rendered per task.
const ROWS_STEP: usize = 60;
/// Table rows per [`ReplicaRows`] component: a batch renders its new chunks only, the
/// ones shown keep their props and are neither rendered nor diffed again.
const ROWS_CHUNK: usize = 30;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub view: Shared,
    /// Opens a pod's detail (its key, `namespace/pod`).
    pub on_open: Callback<String>,
}

#[function_component(FleetSection)]
pub fn fleet_section(props: &Props) -> Html {
    let v = &props.view.0;
    // Rows shown per table so far: a new view starts again at one step.
    let current = use_mut_ref(|| props.view.clone());
    *current.borrow_mut() = props.view.clone();
    let shown = use_state(|| (props.view.clone(), ROWS_STEP));
    let limit = if shown.0 == props.view { shown.1 } else { ROWS_STEP };
    {
        let shown = shown.clone();
        let most = v.fleets.iter().map(|f| f.fleet.replicas.len()).max().unwrap_or(0);
        use_effect_with((props.view.clone(), limit), move |(view, limit)| {
            if *limit < most {
                let (view, limit) = (view.clone(), *limit);
                later(Box::new(move || {
                    if *current.borrow() == view {
                        shown.set((view, limit + ROWS_STEP));
                    }
                }));
            }
        });
    }
    if v.fleets.is_empty() {
        return html! {};
    }
    let open = |key: &str, label: &str, growing: bool| replica_button(&props.on_open, key, label, growing);
    html! {
        <section id="fleet" aria-label="Workloads">
            <h2>{ format!("Workloads ({})", v.fleets.len()) }</h2>
            { for v.fleets.iter().enumerate().map(|(fleet, fv)| {
                let f = &fv.fleet;
                html! {
                    <article class="fleet" data-workload={f.name.clone()}>
                        <h3 class="fleet-title">{ &f.title }{ " " }<span class="kind">{ if f.kind.is_empty() { String::new() } else { format!("({})", f.kind) } }</span></h3>
                        <p class="headline">{ &f.headline }</p>
                        if f.is_table() {
                            <div class="table-wrap">
                            <table class="fleet-table">
                                <thead><tr><th>{ "Pod" }</th><th>{ "Memory" }</th><th>{ "Growth" }</th><th>{ "Last" }</th><th>{ "Limit" }</th><th>{ "OOM" }</th></tr></thead>
                                <tbody>
                                { for (0..f.replicas.len().min(limit)).step_by(ROWS_CHUNK).map(|start| html! {
                                    <ReplicaRows key={start} view={props.view.clone()} {fleet} {start}
                                        end={(start + ROWS_CHUNK).min(f.replicas.len())} on_open={props.on_open.clone()} />
                                }) }
                                </tbody>
                            </table>
                            </div>
                        } else {
                            <figure class="chart fleet-chart" aria-label={f.title.clone()}>
                                { Html::from_html_unchecked(AttrValue::from(fv.chart.clone())) }
                            </figure>
                            <ul class="replicas">
                            { for f.replicas.iter().map(|r| html! {
                                <li class={classes!("replica", if r.growing { "growing" } else { "flat" })} data-pod={r.pod.clone()}>
                                    { open(&r.key, &r.pod, r.growing) }{ format!(" {}", slope_text(r.slope)) }
                                    if r.oom_killed { { " OOM-killed" } }
                                </li>
                            }) }
                            </ul>
                        }
                    </article>
                }
            }) }
        </section>
    }
}

/// A replica's name as a button that opens its detail.
fn replica_button(on_open: &Callback<String>, key: &str, label: &str, growing: bool) -> Html {
    let cb = on_open.clone();
    let key = key.to_string();
    html! {
        <button class={classes!("link", "replica-link", growing.then_some("growing"))}
            title={if growing { "growing: open its detail" } else { "open its detail" }}
            onclick={Callback::from(move |_| cb.emit(key.clone()))}>
            if growing { <span class="grow-mark" aria-label="growing">{ "▲ " }</span> }
            { label }
        </button>
    }
}

#[derive(Properties, PartialEq)]
struct RowsProps {
    view: Shared,
    /// Index of the fleet in the view.
    fleet: usize,
    /// This chunk's replicas.
    start: usize,
    end: usize,
    on_open: Callback<String>,
}

/// [`ROWS_CHUNK`] rows of a fleet's table of sparklines.
#[function_component(ReplicaRows)]
fn replica_rows(props: &RowsProps) -> Html {
    let Some(fv) = props.view.0.fleets.get(props.fleet) else { return html! {} };
    let f = &fv.fleet;
    let rows = f.replicas.iter().zip(&fv.sparklines).take(props.end).skip(props.start);
    html! {
        { for rows.map(|(r, svg)| html! {
            <tr class={classes!("replica", if r.growing { "growing" } else { "flat" })} data-pod={r.pod.clone()}>
                <td class="pod">{ replica_button(&props.on_open, &r.key, &r.pod, r.growing) }</td>
                <td class="spark">{ Html::from_html_unchecked(AttrValue::from(svg.clone())) }</td>
                <td>{ slope_text(r.slope) }</td>
                <td>{ r.last.map(format_bytes).unwrap_or_default() }</td>
                <td>{ r.limit.map(format_bytes).unwrap_or_default() }</td>
                <td>{ if r.oom_killed { "OOM-killed" } else { "" } }</td>
            </tr>
        }) }
    }
}
