//! The page shell: input (paste area, paste anywhere, file picker, drop on the window,
//! sample), running the analysis, export buttons, and the results below.

use std::rc::Rc;

use gloo_events::{EventListener, EventListenerOptions};
use kubeleak_analysis::{self as analysis, html, model::Origin, report, Analysis};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::results::Results;

/// One input the user gave: the paste, or a file.
#[derive(Clone, PartialEq)]
pub struct Loaded {
    pub name: String,
    pub bytes: Rc<Vec<u8>>,
}

/// An analysis shared with child components (compared by identity).
#[derive(Clone)]
pub struct Shared(pub Rc<Analysis>);

impl PartialEq for Shared {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

fn run(text: &str, files: &[Loaded]) -> Shared {
    let mut inputs: Vec<analysis::Input<'_>> = Vec::new();
    if !text.trim().is_empty() {
        inputs.push(analysis::Input { name: "paste", bytes: text.as_bytes() });
    }
    for f in files {
        inputs.push(analysis::Input { name: &f.name, bytes: &f.bytes });
    }
    Shared(Rc::new(analysis::analyze(&inputs, &analysis::input::Limits::default())))
}

/// Reads browser files into memory, then hands them over.
fn read_files(list: web_sys::FileList, done: Callback<Vec<Loaded>>) {
    let files: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
    if files.is_empty() {
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        let mut out = Vec::new();
        for f in files {
            if let Ok(buf) = JsFuture::from(f.array_buffer()).await {
                out.push(Loaded {
                    name: f.name(),
                    bytes: Rc::new(js_sys::Uint8Array::new(&buf).to_vec()),
                });
            }
        }
        done.emit(out);
    });
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
    web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| wasm_bindgen::JsValue::from_str("no document"))
}

#[function_component(App)]
pub fn app() -> Html {
    let text = use_state(String::new);
    let files = use_state(Vec::<Loaded>::new);
    let result = use_state(|| None::<Shared>);
    let selected = use_state(|| None::<Origin>);
    let dragging = use_state(|| false);

    // Files picked or dropped replace earlier files and are analyzed with the paste.
    let on_files_loaded = {
        let (files, result, text, selected) = (files.clone(), result.clone(), text.clone(), selected.clone());
        Callback::from(move |loaded: Vec<Loaded>| {
            result.set(Some(run(&text, &loaded)));
            selected.set(None);
            files.set(loaded);
        })
    };

    // Paste anywhere on the page (outside the text area) fills it and analyzes.
    // Drag and drop onto the whole window reads the files.
    {
        let (text, files, result, dragging, loaded_cb) =
            (text.clone(), files.clone(), result.clone(), dragging.clone(), on_files_loaded.clone());
        use_effect_with((), move |_| {
            let mut listeners = Vec::new();
            if let Some(window) = web_sys::window() {
                let document = window.document();
                if let Some(document) = document {
                    let (text, files, result) = (text.clone(), files.clone(), result.clone());
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
                            result.set(Some(run(&pasted, &files)));
                            text.set(pasted);
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
                    if let Some(list) = e
                        .dyn_ref::<web_sys::DragEvent>()
                        .and_then(|d| d.data_transfer())
                        .and_then(|t| t.files())
                    {
                        read_files(list, loaded_cb.clone());
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
        let (text, files, result, selected) = (text.clone(), files.clone(), result.clone(), selected.clone());
        Callback::from(move |_| {
            result.set(Some(run(&text, &files)));
            selected.set(None);
        })
    };
    let on_sample = {
        let (text, files, result, selected) = (text.clone(), files.clone(), result.clone(), selected.clone());
        Callback::from(move |_| {
            files.set(Vec::new());
            text.set(crate::SAMPLE.to_string());
            result.set(Some(run(crate::SAMPLE, &[])));
            selected.set(None);
        })
    };
    let on_pick = {
        let cb = on_files_loaded.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(list) = input.files() {
                read_files(list, cb.clone());
            }
        })
    };
    let on_clear = {
        let (text, files, result, selected) = (text.clone(), files.clone(), result.clone(), selected.clone());
        Callback::from(move |_| {
            text.set(String::new());
            files.set(Vec::new());
            result.set(None);
            selected.set(None);
        })
    };
    let on_evidence = {
        let selected = selected.clone();
        Callback::from(move |o: Origin| selected.set(Some(o)))
    };
    let export_json = {
        let result = result.clone();
        Callback::from(move |_| {
            if let Some(r) = result.as_ref() {
                download("kubeleak-report.json", "application/json", &report::to_json(&r.0));
            }
        })
    };
    let export_html = {
        let result = result.clone();
        Callback::from(move |_| {
            if let Some(r) = result.as_ref() {
                download("kubeleak-report.html", "text/html", &html::report(&r.0, env!("CARGO_PKG_VERSION")));
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
                    }
                </div>
                if !files.is_empty() {
                    <p id="loaded" class="muted">
                        { format!("Files: {}", files.iter().map(|f| format!("{} ({} bytes)", f.name, f.bytes.len())).collect::<Vec<_>>().join(", ")) }
                    </p>
                }
            </section>
            if let Some(r) = (*result).clone() {
                <Results analysis={r} selected={*selected} on_evidence={on_evidence} />
            }
        </main>
    }
}
