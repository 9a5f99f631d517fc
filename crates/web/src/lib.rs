//! # kubeleak-web
//!
//! The browser page: paste kubectl output, press Analyze, see memory per pod as a chart
//! and a table. A thin Yew layer over `kubeleak-analysis`; all analysis runs here in
//! wasm and the page makes no network request (see `index.html`'s CSP).
//!
//! Bundle text is untrusted: it reaches the DOM only as Yew text nodes (escaped) or inside
//! the SVG that plotters escapes.

use kubeleak_analysis::{self as analysis, chart, quantity::format_bytes, report};
use wasm_bindgen::prelude::*;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

/// The bundled sample (the walking skeleton's paste).
pub const SAMPLE: &str = include_str!("../../../web/sample-top.txt");

/// JS binding: analyzes a text and returns the contract's report as a JS object.
#[wasm_bindgen]
pub fn analyze(text: &str) -> Result<JsValue, JsValue> {
    let result = analysis::analyze_text("paste", text);
    serde_wasm_bindgen::to_value(&report::build(&result)).map_err(|e| JsValue::from_str(&e.to_string()))
}

/// JS binding: the contract's report as JSON text.
#[wasm_bindgen]
pub fn analyze_json(text: &str) -> String {
    report::to_json(&analysis::analyze_text("paste", text))
}

/// JS binding: the memory chart of a text as an SVG document.
#[wasm_bindgen]
pub fn memory_chart_svg(text: &str) -> String {
    let result = analysis::analyze_text("paste", text);
    let (axis, series) = chart::memory_series(&result.model);
    chart::memory_svg(axis, &series, 900, 420)
}

/// What the page shows after Analyze.
#[derive(Clone, PartialEq)]
struct View {
    report_pods: Vec<PodRow>,
    warnings: Vec<String>,
    svg: Option<String>,
}

#[derive(Clone, PartialEq)]
struct PodRow {
    namespace: String,
    pod: String,
    container: String,
    samples: Vec<String>,
}

fn view_of(text: &str) -> View {
    let result = analysis::analyze_text("paste", text);
    let r = report::build(&result);
    let mut rows = Vec::new();
    for p in &r.pods {
        let ns = p.namespace.clone().unwrap_or_else(|| "—".into());
        if !p.memory_samples.is_empty() || p.containers.is_empty() {
            rows.push(PodRow {
                namespace: ns.clone(),
                pod: p.name.clone(),
                container: "(pod)".into(),
                samples: p.memory_samples.iter().map(|s| format_bytes(s.bytes)).collect(),
            });
        }
        for c in &p.containers {
            rows.push(PodRow {
                namespace: ns.clone(),
                pod: p.name.clone(),
                container: c.name.clone(),
                samples: c.memory_samples.iter().map(|s| format_bytes(s.bytes)).collect(),
            });
        }
    }
    let (axis, series) = chart::memory_series(&result.model);
    View {
        report_pods: rows,
        warnings: r
            .warnings
            .iter()
            .map(|w| match w.line {
                Some(l) => format!("line {l}: {}", w.message),
                None => w.message.clone(),
            })
            .collect(),
        svg: (!series.is_empty()).then(|| chart::memory_svg(axis, &series, 900, 420)),
    }
}

#[function_component(App)]
pub fn app() -> Html {
    let text = use_state(String::new);
    let view = use_state(|| None::<View>);

    let on_input = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            text.set(area.value());
        })
    };
    let on_analyze = {
        let text = text.clone();
        let view = view.clone();
        Callback::from(move |_| view.set(Some(view_of(&text))))
    };
    let on_sample = {
        let text = text.clone();
        let view = view.clone();
        Callback::from(move |_| {
            text.set(SAMPLE.to_string());
            view.set(Some(view_of(SAMPLE)));
        })
    };

    html! {
        <main>
            <header>
                <h1>{ "kubeleak" }</h1>
                <p class="tagline">{ "Why does this Python pod run out of memory? Paste kubectl output; everything stays in this browser." }</p>
            </header>
            <section class="input">
                <label for="input">{ "kubectl output (top, get pods, describe, logs, events)" }</label>
                <textarea id="input" spellcheck="false" value={(*text).clone()} oninput={on_input}
                    placeholder="$ kubectl top pod -n shop -l app=worker" />
                <div class="actions">
                    <button id="analyze" onclick={on_analyze}>{ "Analyze" }</button>
                    <button id="sample" class="secondary" onclick={on_sample}>{ "Try a sample" }</button>
                </div>
            </section>
            { for (*view).as_ref().map(render_view) }
        </main>
    }
}

fn render_view(v: &View) -> Html {
    html! {
        <section id="results">
            if let Some(svg) = &v.svg {
                <div id="chart" class="chart">{ Html::from_html_unchecked(AttrValue::from(svg.clone())) }</div>
            } else {
                <p id="no-chart" class="empty">{ "No memory samples found (kubectl top output makes the chart)." }</p>
            }
            <table id="pods">
                <thead><tr><th>{"Namespace"}</th><th>{"Pod"}</th><th>{"Container"}</th><th>{"Memory samples"}</th></tr></thead>
                <tbody>
                    { for v.report_pods.iter().map(|r| html! {
                        <tr>
                            <td>{ &r.namespace }</td>
                            <td class="pod">{ &r.pod }</td>
                            <td>{ &r.container }</td>
                            <td class="samples">{ r.samples.join(" → ") }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            if !v.warnings.is_empty() {
                <ul id="warnings">
                    { for v.warnings.iter().map(|w| html! { <li>{ w }</li> }) }
                </ul>
            }
        </section>
    }
}
