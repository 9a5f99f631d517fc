//! The page shell: input (paste area, paste anywhere, file picker, drop on the window,
//! sample), the progress of the analysis (which runs in a Web Worker, see
//! [`crate::client`]), export buttons, and the results below.

use std::rc::Rc;

use gloo_events::{EventListener, EventListenerOptions};
use kubeleak_analysis::{chart, quantity::format_bytes};
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::client::{Client, Progress};
use crate::results::Results;
use crate::view::{finding_marker, Loc, Shared, View, CHART_MARKER};

/// The bundled sample: a leaking Python image worker (OOMKilled, growing cache).
pub const SAMPLE: &str = include_str!("../../../web/sample-bundle.txt");

/// The memory chart of a view as SVG (drawn here: plotters measures text in the DOM).
pub fn chart_svg(view: &View, width: u32, height: u32) -> String {
    chart::memory_svg(view.axis, &view.series, width, height)
}

/// The HTML report of a view, with its chart.
pub fn html_report(view: &View) -> String {
    html_report_as(view, true)
}

/// The HTML report, redacted (the default, [`crate::redaction`]) or as the bundle has it.
pub fn html_report_as(view: &View, redacted: bool) -> String {
    let base = crate::redaction::html(view, redacted);
    let mut html = if view.series.is_empty() {
        base
    } else {
        base.replacen(CHART_MARKER, &crate::redaction::svg(chart_svg(view, 1000, 420), redacted), 1)
    };
    for (i, f) in view.findings.iter().enumerate() {
        if let Some(c) = &f.chart {
            let svg = crate::redaction::svg(chart::finding_svg(c, 900, 300), redacted);
            html = html.replacen(&finding_marker(i), &svg, 1);
        }
    }
    html
}

/// Offers `content` as a download named `name`.
fn download(name: &str, mime: &str, content: &str) {
    let result = (|| -> Result<(), wasm_bindgen::JsValue> {
        let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(content));
        let bag = web_sys::BlobPropertyBag::new();
        bag.set_type(mime);
        let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &bag)?;
        let url = web_sys::Url::create_object_url_with_blob(&blob)?;
        let document = gloo_document()?;
        let a: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
        a.set_href(&url);
        a.set_download(name);
        a.click();
        web_sys::Url::revoke_object_url(&url)
    })();
    if let Err(e) = result {
        web_sys::console::error_1(&e);
    }
}

fn gloo_document() -> Result<web_sys::Document, wasm_bindgen::JsValue> {
    web_sys::window().and_then(|w| w.document()).ok_or_else(|| wasm_bindgen::JsValue::from_str("no document"))
}

#[function_component(App)]
pub fn app() -> Html {
    let text = use_state(String::new);
    let files = use_state(Vec::<web_sys::File>::new);
    let result = use_state(|| None::<Shared>);
    let selected = use_state(|| None::<Loc>);
    let dragging = use_state(|| false);
    let progress = use_state(|| None::<Progress>);
    let note = use_state(|| None::<String>);
    // Exports are redacted unless this switch is off (issue 22).
    let redact_exports = use_state(|| true);
    let client = (*use_state(Client::default)).clone();
    {
        // The first analysis's worker starts loading once the page has shown.
        let client = client.clone();
        use_effect_with((), move |_| client.warm());
    }

    // The current paste and files, for listeners registered once at start-up (a state
    // handle captured then would keep showing the values of that first render).
    let latest = use_mut_ref(|| (String::new(), Vec::<web_sys::File>::new()));
    {
        let mut l = latest.borrow_mut();
        if l.0 != *text {
            l.0 = (*text).clone();
        }
        if l.1 != *files {
            l.1 = (*files).clone();
        }
    }

    // Analyzes a paste and files in the worker; the files show as loaded once done.
    let start = {
        let (client, files, result, selected, progress, note) =
            (client.clone(), files.clone(), result.clone(), selected.clone(), progress.clone(), note.clone());
        Callback::from(move |(paste, list): (String, Vec<web_sys::File>)| {
            note.set(None);
            let total: f64 = list.iter().map(|f| f.size()).sum::<f64>() + paste.len() as f64;
            progress.set(Some(Progress { done: 0, total: total.max(0.0) as u64, phase: "Starting…".into() }));
            let on_progress = {
                let progress = progress.clone();
                Callback::from(move |p: Progress| progress.set(Some(p)))
            };
            let on_done = {
                let (files, result, selected, progress, note) =
                    (files.clone(), result.clone(), selected.clone(), progress.clone(), note.clone());
                let list = list.clone();
                Callback::from(move |r: Result<Rc<View>, String>| {
                    progress.set(None);
                    match r {
                        Ok(v) => {
                            result.set(Some(Shared(v)));
                            selected.set(None);
                            files.set(list.clone());
                        }
                        Err(e) => note.set(Some(format!("Not analyzed: {e}."))),
                    }
                })
            };
            client.analyze(&paste, &list, on_progress, on_done);
        })
    };
    let start_files = {
        let (start, latest) = (start.clone(), latest.clone());
        Callback::from(move |list: web_sys::FileList| {
            let picked: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
            if !picked.is_empty() {
                let paste = latest.borrow().0.clone();
                start.emit((paste, picked));
            }
        })
    };

    // Paste anywhere on the page (outside the text area) fills it and analyzes.
    // Drag and drop onto the whole window reads the files.
    {
        let (text, latest, dragging, start, start_files) =
            (text.clone(), latest.clone(), dragging.clone(), start.clone(), start_files.clone());
        use_effect_with((), move |_| {
            let mut listeners = Vec::new();
            if let Some(window) = web_sys::window() {
                if let Some(document) = window.document() {
                    listeners.push(EventListener::new(&document, "paste", move |e| {
                        let target_is_field = e
                            .target()
                            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                            .is_some_and(|el| matches!(el.tag_name().as_str(), "TEXTAREA" | "INPUT"));
                        if target_is_field {
                            return;
                        }
                        let pasted = e
                            .dyn_ref::<web_sys::ClipboardEvent>()
                            .and_then(|c| c.clipboard_data())
                            .and_then(|d| d.get_data("text").ok())
                            .unwrap_or_default();
                        if !pasted.is_empty() {
                            let files = latest.borrow().1.clone();
                            text.set(pasted.clone());
                            start.emit((pasted, files));
                        }
                    }));
                }
                let opts = EventListenerOptions::enable_prevent_default();
                let d = dragging.clone();
                listeners.push(EventListener::new_with_options(&window, "dragover", opts, move |e| {
                    e.prevent_default();
                    d.set(true);
                }));
                let d = dragging.clone();
                listeners.push(EventListener::new(&window, "dragleave", move |_| d.set(false)));
                let d = dragging.clone();
                listeners.push(EventListener::new_with_options(&window, "drop", opts, move |e| {
                    e.prevent_default();
                    d.set(false);
                    if let Some(list) =
                        e.dyn_ref::<web_sys::DragEvent>().and_then(|d| d.data_transfer()).and_then(|t| t.files())
                    {
                        start_files.emit(list);
                    }
                }));
            }
            move || drop(listeners)
        });
    }

    let on_input = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            text.set(area.value());
        })
    };
    let on_analyze = {
        let (text, files, start) = (text.clone(), files.clone(), start.clone());
        Callback::from(move |_| start.emit(((*text).clone(), (*files).clone())))
    };
    // Cancel stops the worker (it is thrown away) and keeps the page as it was.
    let on_cancel = {
        let (client, progress, note) = (client.clone(), progress.clone(), note.clone());
        Callback::from(move |_| {
            if client.cancel() {
                note.set(Some("Cancelled: the analysis was stopped; nothing changed.".into()));
            }
            progress.set(None);
        })
    };
    let on_sample = {
        let (text, files, start) = (text.clone(), files.clone(), start.clone());
        Callback::from(move |_| {
            files.set(Vec::new());
            text.set(SAMPLE.to_string());
            start.emit((SAMPLE.to_string(), Vec::new()));
        })
    };
    let on_pick = {
        let start_files = start_files.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(list) = input.files() {
                start_files.emit(list);
            }
            // Picking the same file again must fire `change` again.
            input.set_value("");
        })
    };
    let on_clear = {
        let (text, files, result, selected, note, progress, client) = (
            text.clone(),
            files.clone(),
            result.clone(),
            selected.clone(),
            note.clone(),
            progress.clone(),
            client.clone(),
        );
        Callback::from(move |_| {
            client.clear();
            progress.set(None);
            note.set(None);
            text.set(String::new());
            files.set(Vec::new());
            result.set(None);
            selected.set(None);
        })
    };
    let on_evidence = {
        let selected = selected.clone();
        Callback::from(move |o: Loc| selected.set(Some(o)))
    };
    let export_json = {
        let result = result.clone();
        let redact_exports = redact_exports.clone();
        Callback::from(move |_| {
            if let Some(r) = result.as_ref() {
                download("kubeleak-report.json", "application/json", &crate::redaction::json(&r.0, *redact_exports));
            }
        })
    };
    let export_html = {
        let result = result.clone();
        let redact_exports = redact_exports.clone();
        Callback::from(move |_| {
            if let Some(r) = result.as_ref() {
                download("kubeleak-report.html", "text/html", &html_report_as(&r.0, *redact_exports));
            }
        })
    };

    html! {
        <main class={classes!(dragging.then_some("dragging"))}>
            <header>
                <h1>{ "kubeleak" }</h1>
                <p class="tagline">{ "Why does this Python pod run out of memory? Paste kubectl output, or drop a bundle anywhere. Everything stays in this browser." }</p>
            </header>
            <section class="input" aria-label="Input">
                <label for="input">{ "kubectl output (top, get pods, describe, logs, events) or a kubeleak bundle" }</label>
                <textarea id="input" spellcheck="false" value={(*text).clone()} oninput={on_input}
                    placeholder="$ kubectl top pod -n shop -l app=worker" />
                <div class="actions">
                    <button id="analyze" onclick={on_analyze}>{ "Analyze" }</button>
                    <button id="sample" class="secondary" onclick={on_sample}>{ "Try a sample" }</button>
                    <label class="file secondary" for="files">{ "Open files…" }</label>
                    <input id="files" type="file" multiple=true onchange={on_pick} />
                    <button id="clear" class="secondary" onclick={on_clear}>{ "Clear" }</button>
                    if result.is_some() {
                        <span class="spacer" />
                        <button id="export-json" class="secondary" onclick={export_json}>{ "Export JSON" }</button>
                        <button id="export-html" class="secondary" onclick={export_html}>{ "Export HTML report" }</button>
                        { crate::redaction::switch(result.as_ref().map(|r| &*r.0), &redact_exports) }
                    }
                </div>
                if let Some(p) = (*progress).clone() {
                    <div id="reading" class="reading" role="status">
                        <progress id="progress" max={p.total.max(1).to_string()} value={p.done.to_string()} />
                        <span id="progress-text">{ if p.done < p.total { format!("{} {} of {}", p.phase, format_bytes(p.done), format_bytes(p.total)) } else { p.phase.clone() } }</span>
                        <button id="cancel" class="secondary" onclick={on_cancel}>{ "Cancel" }</button>
                    </div>
                }
                if let Some(n) = (*note).clone() {
                    <p id="note" class="muted" role="status">{ n }</p>
                }
                if !files.is_empty() {
                    <p id="loaded" class="muted">
                        { format!("Files: {}", files.iter().map(|f| format!("{} ({} bytes)", f.name(), f.size().max(0.0) as u64)).collect::<Vec<_>>().join(", ")) }
                    </p>
                }
            </section>
            if let Some(r) = (*result).clone() {
                <Results view={r} client={client.clone()} selected={*selected} on_evidence={on_evidence} />
            }
        </main>
    }
}
