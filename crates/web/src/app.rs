//! The page shell: input (paste area, paste anywhere, file picker, drop on the window,
//! sample), running the analysis, export buttons, and the results below.

use std::rc::Rc;

use gloo_events::{EventListener, EventListenerOptions};
use kubeleak_analysis::{self as analysis, html, model::Origin, quantity::format_bytes, report, Analysis};
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

/// Bytes read per step: a large file is read in slices of this size, so the page shows
/// progress, handles clicks between slices, and can stop reading (Cancel).
pub const CHUNK: u64 = 8 << 20;

/// Where a file read stands, for the progress bar.
#[derive(Clone, PartialEq, Debug)]
pub struct Progress {
    /// Bytes read so far (all files).
    pub done: u64,
    /// Bytes of all files.
    pub total: u64,
    /// What is happening, in words ("Reading big.log…", "Analyzing…").
    pub phase: String,
    /// False once reading is done: the analysis then runs in one go on this thread
    /// (see the crate docs), so Cancel can no longer interrupt it.
    pub cancellable: bool,
}

/// Waits for the browser's next task (a `setTimeout(0)`), so it can paint and handle
/// input. Resolves at once when there is no window.
async fn next_task() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let scheduled = web_sys::window()
            .and_then(|w| w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0).ok());
        if scheduled.is_none() {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Waits until the browser has painted a frame (`requestAnimationFrame`, then a task),
/// so a message such as "Analyzing…" is on screen before a long synchronous step.
async fn next_paint() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let requested = web_sys::window().and_then(|w| w.request_animation_frame(&resolve).ok());
        if requested.is_none() {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
    });
    let _ = JsFuture::from(promise).await;
    next_task().await;
}

/// A handle on the current file read: starting a read or cancelling bumps the number,
/// and a read that sees a newer number stops between two slices.
pub type ReadToken = Rc<std::cell::Cell<u32>>;

/// Reads browser files slice by slice (progress reported through `progress`), then
/// hands them over; stops quietly when `token` moves on (Cancel, Clear, another read).
/// A file the browser cannot read is skipped, as before.
fn read_files(list: web_sys::FileList, token: ReadToken, progress: Callback<Option<Progress>>, done: Callback<Vec<Loaded>>) {
    let files: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
    if files.is_empty() {
        return;
    }
    let me = token.get().wrapping_add(1);
    token.set(me);
    let size = |f: &web_sys::File| f.size().max(0.0) as u64;
    let total: u64 = files.iter().map(size).sum();
    wasm_bindgen_futures::spawn_local(async move {
        let cancelled = || token.get() != me;
        let mut before = 0u64;
        let mut out = Vec::new();
        for f in files {
            let name = f.name();
            let phase = format!("Reading {name}…");
            if cancelled() {
                return;
            }
            progress.emit(Some(Progress { done: before, total, phase: phase.clone(), cancellable: true }));
            let on_chunk = |n: u64| progress.emit(Some(Progress { done: before + n, total, phase: phase.clone(), cancellable: true }));
            match read_blob(&f, on_chunk, cancelled).await {
                Some(bytes) => out.push(Loaded { name, bytes: Rc::new(bytes) }),
                None if cancelled() => return,
                None => {}
            }
            before += size(&f);
        }
        if cancelled() {
            return;
        }
        progress.emit(Some(Progress {
            done: total,
            total,
            phase: "Analyzing… (a large input keeps the page busy for a few seconds)".into(),
            cancellable: false,
        }));
        next_paint().await;
        if cancelled() {
            return;
        }
        done.emit(out);
        progress.emit(None);
    });
}

/// Reads `blob` slice by slice (`Blob.slice`, [`CHUNK`] bytes each) into one buffer in
/// wasm memory (never one JS string), reporting the bytes read so far after each slice. Returns `None` when
/// `cancelled()` turns true between slices, or the browser fails to read a slice.
pub async fn read_blob(
    blob: &web_sys::Blob,
    on_chunk: impl Fn(u64),
    cancelled: impl Fn() -> bool,
) -> Option<Vec<u8>> {
    let size = blob.size().max(0.0);
    // A Blob's size fits in f64 exactly up to 2^53; `as` saturates beyond, which is harmless here.
    let total = size as u64;
    let mut out = Vec::with_capacity(usize::try_from(total).unwrap_or(0).min(1 << 30));
    let mut at = 0u64;
    while at < total {
        if cancelled() {
            return None;
        }
        let end = (at + CHUNK).min(total);
        let slice = blob.slice_with_f64_and_f64(at as f64, end as f64).ok()?;
        let buf = JsFuture::from(slice.array_buffer()).await.ok()?;
        if cancelled() {
            return None; // cancelled while this slice was read
        }
        let bytes = js_sys::Uint8Array::new(&buf);
        let start = out.len();
        out.resize(start + bytes.length() as usize, 0);
        bytes.copy_to(&mut out[start..]);
        at = end;
        on_chunk(at);
        // Let the page paint the progress and handle clicks before the next slice.
        next_task().await;
    }
    if cancelled() {
        return None;
    }
    Some(out)
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
    let progress = use_state(|| None::<Progress>);
    let note = use_state(|| None::<String>);
    let token: ReadToken = (*use_mut_ref(ReadToken::default).borrow()).clone();
    let set_progress = {
        let progress = progress.clone();
        Callback::from(move |p: Option<Progress>| progress.set(p))
    };

    // The current paste and files, for listeners registered once at start-up (a state
    // handle captured then would keep showing the values of that first render).
    let latest = use_mut_ref(|| (String::new(), Vec::<Loaded>::new()));
    {
        let mut l = latest.borrow_mut();
        if l.0 != *text {
            l.0 = (*text).clone();
        }
        if l.1 != *files {
            l.1 = (*files).clone();
        }
    }

    // Files picked or dropped replace earlier files and are analyzed with the paste.
    let on_files_loaded = {
        let (files, result, latest, selected, note) =
            (files.clone(), result.clone(), latest.clone(), selected.clone(), note.clone());
        Callback::from(move |loaded: Vec<Loaded>| {
            note.set(None);
            let text = latest.borrow().0.clone();
            result.set(Some(run(&text, &loaded)));
            selected.set(None);
            files.set(loaded);
        })
    };

    // Paste anywhere on the page (outside the text area) fills it and analyzes.
    // Drag and drop onto the whole window reads the files.
    {
        let (text, latest, result, dragging, loaded_cb) =
            (text.clone(), latest.clone(), result.clone(), dragging.clone(), on_files_loaded.clone());
        let (token, set_progress) = (token.clone(), set_progress.clone());
        use_effect_with((), move |_| {
            let mut listeners = Vec::new();
            if let Some(window) = web_sys::window() {
                let document = window.document();
                if let Some(document) = document {
                    let (text, latest, result) = (text.clone(), latest.clone(), result.clone());
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
                        read_files(list, token.clone(), set_progress.clone(), loaded_cb.clone());
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
    // Cancel stops a running file read (between two slices) and keeps the page as it was.
    let stop_reading = {
        let (token, progress) = (token.clone(), progress.clone());
        move || {
            let was_reading = progress.is_some();
            token.set(token.get().wrapping_add(1));
            progress.set(None);
            was_reading
        }
    };
    let on_cancel = {
        let (stop, note) = (stop_reading.clone(), note.clone());
        Callback::from(move |_| {
            if stop() {
                note.set(Some("Cancelled: the files were not read; nothing changed.".into()));
            }
        })
    };
    let on_sample = {
        let (text, files, result, selected) = (text.clone(), files.clone(), result.clone(), selected.clone());
        let stop = stop_reading.clone();
        Callback::from(move |_| {
            stop();
            files.set(Vec::new());
            text.set(crate::SAMPLE.to_string());
            result.set(Some(run(crate::SAMPLE, &[])));
            selected.set(None);
        })
    };
    let on_pick = {
        let (cb, token, set_progress, note) = (on_files_loaded.clone(), token.clone(), set_progress.clone(), note.clone());
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(list) = input.files() {
                note.set(None);
                read_files(list, token.clone(), set_progress.clone(), cb.clone());
            }
            // Picking the same file again must fire `change` again.
            input.set_value("");
        })
    };
    let on_clear = {
        let (text, files, result, selected, note) =
            (text.clone(), files.clone(), result.clone(), selected.clone(), note.clone());
        let stop = stop_reading.clone();
        Callback::from(move |_| {
            stop();
            note.set(None);
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
                if let Some(p) = (*progress).clone() {
                    <div id="reading" class="reading" role="status">
                        <progress id="progress" max={p.total.max(1).to_string()} value={p.done.to_string()} />
                        <span id="progress-text">{ if p.cancellable { format!("{} {} of {}", p.phase, format_bytes(p.done), format_bytes(p.total)) } else { p.phase.clone() } }</span>
                        <button id="cancel" class="secondary" onclick={on_cancel} disabled={!p.cancellable}>{ "Cancel" }</button>
                    </div>
                }
                if let Some(n) = (*note).clone() {
                    <p id="note" class="muted" role="status">{ n }</p>
                }
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
