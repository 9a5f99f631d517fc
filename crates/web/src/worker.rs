//! The analysis worker: the same wasm as the page, started by `web/worker.js`, which
//! hands every message to [`worker_message`]. The page stays responsive because all the
//! reading and the analysis happen here. Each analysis gets a fresh worker, which ends
//! once its results are on the page (wasm memory is never given back); the source view's
//! lines then come from a second, small worker (`lines_worker.rs`), whose messages
//! [`worker_message`] passes on.
//!
//! Messages from the page (plain JS objects):
//! - `{type: "analyze", paste: string | undefined, files: [File], workers}`: reads each file in
//!   [`CHUNK`] slices (`Blob.arrayBuffer()`, the next slice asked for before this one is
//!   analyzed), posting `{type: "progress", done, total, phase}` after each;
//!   analyzes (with `workers` − 1 digest workers beside it, `digest_worker.rs`), and posts
//!   `{type: "done", view: the view's bytes (a `Uint8Array`, its buffer
//!   transferred; see view::to_js), exports, sources,
//!   timings, workers}`; `exports` has the view's JSON and HTML reports as strings (see
//!   [`View::posted_exports`](crate::View::posted_exports)), left out of `view`
//!   (or `{type: "error", message}`); `timings` has the ms of each of [`PHASES`].
//!   `sources` has one `{blob, starts, lines, len}` per input, for the lines worker: a
//!   plain file is its own `File` with a sparse line index ([`LineIndex`], built while
//!   reading); decoded text (gzip, the paste) becomes a Blob of its lines
//!   ([`text_blob`]). So the page can end this worker (and free its memory) and start a
//!   small one for the source view; 1 GB is never held as one string anywhere.
//! - `{type: "load", …}` and `{type: "lines", …}`: for the lines worker
//!   ([`lines_worker`]).
//! - `{type: "digest", bytes}`: for a digest worker ([`digest_worker`]).

use std::cell::RefCell;

use kubeleak_analysis::{self as analysis, html, report, Analysis};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::digest_worker;
use crate::lines_worker::{self, source_object, text_blob, LineIndex};
use crate::message::{get, js_error, object, post, post_transfer};
use crate::view::{self, CHART_MARKER};

/// Bytes read per step: a large file is read in slices of this size, with a progress
/// message after each.
pub const CHUNK: u64 = 8 << 20;

/// One input of an analysis.
pub enum Input {
    /// The page's paste.
    Text {
        name: String,
        text: String,
    },
    File(web_sys::File),
}

impl Input {
    fn name(&self) -> String {
        match self {
            Input::Text { name, .. } => name.clone(),
            Input::File(f) => f.name(),
        }
    }

    fn size(&self) -> u64 {
        match self {
            Input::Text { text, .. } => text.len() as u64,
            Input::File(f) => f.size().max(0.0) as u64,
        }
    }
}

/// What [`analyze_files`] tells its caller as it goes.
pub enum Step<'a> {
    /// Input `i` gave its next slice of bytes.
    Slice(usize, &'a [u8]),
    /// Input `i` could not be read; it is left out.
    Unreadable(usize, String),
    /// Everything is read; the analysis runs.
    Analyzing,
}

/// Inputs up to this size (as text) keep every line in the model, so the source view of a
/// gzip bundle or a paste shows all of it; bigger ones keep only the lines findings quote
/// (a plain file's lines are read back from the file itself).
pub const KEEP_TEXT_BYTES: u64 = 64 << 20;

/// Starts reading bytes `start..end` of a file (`Blob.arrayBuffer()`), before the slice
/// before it is analyzed: part of the read overlaps that analysis (Chromium still copies
/// the bytes in tasks on this worker's thread). At 200 MB the wait for slices fell from
/// 316 ms (`FileReaderSync`) to about 210 ms. A second worker reading with
/// `FileReaderSync` and transferring the buffers waited 55 ms, but the analysis itself
/// got as much slower on two cores (docs/performance.md, "Fifth step").
fn read_later(file: &web_sys::File, start: u64, end: u64) -> Result<wasm_bindgen_futures::JsFuture, JsValue> {
    let slice = file.slice_with_f64_and_f64(start as f64, end as f64)?;
    Ok(wasm_bindgen_futures::JsFuture::from(slice.array_buffer()))
}

/// The phases of an analysis that the worker times (ms), posted with the results as
/// `timings` (the page logs them with `console.debug`; `page-bench.mjs` prints them).
/// Indexed by [`WAIT`], [`COPY`], [`INDEX`], [`ANALYSIS`], [`DIGESTS`], [`DETECTORS`], [`REPORTS`],
/// [`VIEW`]; "waiting for digests" is the time the analysis worker waited for its digest
/// workers (`digest_worker.rs`).
pub const PHASES: [&str; 8] = [
    "waiting for slices",
    "copying into wasm",
    "line index, progress",
    "analysis",
    "waiting for digests",
    "detectors",
    "reports",
    "view",
];
const WAIT: usize = 0;
const COPY: usize = 1;
const INDEX: usize = 2;
const ANALYSIS: usize = 3;
const DIGESTS: usize = 4;
const DETECTORS: usize = 5;
const REPORTS: usize = 6;
const VIEW: usize = 7;

thread_local! {
    static TIMES: RefCell<[f64; PHASES.len()]> = const { RefCell::new([0.0; PHASES.len()]) };
}

/// Adds the time since `since` to phase `phase` of [`PHASES`]; `since` becomes now.
fn lap(phase: usize, since: &mut f64) {
    let now = js_sys::Date::now();
    TIMES.with(|t| {
        if let Some(t) = t.borrow_mut().get_mut(phase) {
            *t += now - *since;
        }
    });
    *since = now;
}

/// Reads every input in [`CHUNK`] slices and feeds each slice to the streaming
/// [`analysis::Analyzer`] as it arrives, so no input is ever held whole (a 1 GB file
/// fits); the one place that calls the analysis. The next slice is being read while one
/// is analyzed (one read ahead: at most two slices in memory). With digest workers
/// running (`digest_worker::start`), the log streams are digested there, and each input
/// ends once its digests are back. Returns the analysis and, per model source, the index
/// of the input it came from (a support bundle gives several).
pub async fn analyze_files(inputs: &[Input], step: &mut dyn FnMut(Step<'_>)) -> (Analysis, Vec<usize>) {
    let limits = analysis::input::Limits {
        keep_text_bytes: KEEP_TEXT_BYTES,
        digest_threads: digest_worker::active(),
        ..Default::default()
    };
    let mut an = analysis::Analyzer::new(limits);
    let mut origin = Vec::new();
    let mut buf: Vec<u8> = Vec::new();
    TIMES.with(|t| *t.borrow_mut() = Default::default());
    let mut since = js_sys::Date::now();
    for (i, input) in inputs.iter().enumerate() {
        match input {
            Input::Text { name, text } => {
                step(Step::Slice(i, text.as_bytes()));
                lap(INDEX, &mut since);
                an.begin(name);
                an.feed(text.as_bytes());
                an.close();
                lap(ANALYSIS, &mut since);
                digest_worker::until_digests_arrived().await;
                lap(DIGESTS, &mut since);
                an.settle();
                lap(ANALYSIS, &mut since);
            }
            Input::File(file) => {
                let total = input.size();
                an.begin(&file.name());
                let mut at = 0u64;
                let mut next = (total > 0).then(|| read_later(file, 0, CHUNK.min(total)));
                while let Some(reading) = next.take() {
                    let got = match reading {
                        Ok(future) => future.await,
                        Err(e) => Err(e),
                    };
                    lap(WAIT, &mut since);
                    at = (at + CHUNK).min(total);
                    match got {
                        Ok(array) => {
                            if at < total {
                                next = Some(read_later(file, at, (at + CHUNK).min(total)));
                            }
                            // Copied once into a reused buffer, then analyzed.
                            let array = js_sys::Uint8Array::new(&array);
                            buf.resize(array.length() as usize, 0);
                            array.copy_to(&mut buf);
                            lap(COPY, &mut since);
                            step(Step::Slice(i, &buf));
                            lap(INDEX, &mut since);
                            an.feed(&buf);
                            lap(ANALYSIS, &mut since);
                            digest_worker::until_few_in_flight().await;
                            lap(DIGESTS, &mut since);
                        }
                        Err(e) => step(Step::Unreadable(i, js_error(&e))),
                    }
                }
                an.close();
                lap(ANALYSIS, &mut since);
                digest_worker::until_digests_arrived().await;
                lap(DIGESTS, &mut since);
                an.settle();
                lap(ANALYSIS, &mut since);
            }
        }
        origin.resize(an.source_count(), i);
    }
    drop(buf);
    step(Step::Analyzing);
    let a = an.finish();
    lap(DETECTORS, &mut since);
    (a, origin)
}

/// The workers' message handler (called by `web/worker.js`): an analysis here, the
/// lines worker's messages in [`lines_worker`].
#[wasm_bindgen]
pub fn worker_message(msg: JsValue) {
    match get(&msg, "type").as_string().as_deref() {
        Some("analyze") => wasm_bindgen_futures::spawn_local(analyze_message(msg)),
        Some("digest") => digest_worker::digest_message(&msg),
        Some("load") => lines_worker::load_message(&msg),
        Some("lines") => lines_worker::lines_message(&msg),
        other => web_sys::console::warn_1(&format!("kubeleak worker: unknown message {other:?}").into()),
    }
}

async fn analyze_message(msg: JsValue) {
    let msg = &msg;
    let mut inputs = Vec::new();
    if let Some(text) = get(msg, "paste").as_string().filter(|t| !t.trim().is_empty()) {
        inputs.push(Input::Text { name: "paste".into(), text });
    }
    for f in js_sys::Array::from(&get(msg, "files")).iter() {
        if let Ok(f) = f.dyn_into::<web_sys::File>() {
            inputs.push(Input::File(f));
        }
    }
    let total: u64 = inputs.iter().map(Input::size).sum();
    // `workers` (the page's choice): this worker and `workers − 1` digest workers.
    let workers = get(msg, "workers").as_f64().unwrap_or(1.0).clamp(1.0, digest_worker::MAX_WORKERS as f64) as usize;
    let mut unreadable = Vec::new();
    let mut used = 1;
    if workers > 1 {
        match digest_worker::start(workers - 1) {
            Ok(()) => used = workers,
            Err(e) => {
                unreadable.push(format!("the digest workers could not start ({}); one worker analyzed", js_error(&e)))
            }
        }
    }
    let mut done = 0u64;
    let mut indexes: Vec<LineIndex> = inputs.iter().map(|_| LineIndex::default()).collect();
    let mut gzip: Vec<bool> = inputs.iter().map(|_| false).collect();
    let progress = |done: u64, phase: &str| {
        post(&object(
            "progress",
            &[("done", (done as f64).into()), ("total", (total as f64).into()), ("phase", phase.into())],
        ))
    };
    let (mut a, origin) = analyze_files(&inputs, &mut |step| match step {
        Step::Slice(i, bytes) => {
            if let Some(ix) = indexes.get_mut(i) {
                if ix.is_empty() {
                    gzip[i] = bytes.starts_with(&[0x1f, 0x8b]);
                }
                ix.feed(bytes);
            }
            done += bytes.len() as u64;
            let name = inputs.get(i).map(Input::name).unwrap_or_default();
            progress(done, &format!("Analyzing {name}…"));
        }
        Step::Unreadable(i, why) => {
            let name = inputs.get(i).map(Input::name).unwrap_or_default();
            unreadable.push(format!(
                "{name}: the browser could not read all of it ({why}); what was read before is analyzed"
            ));
        }
        Step::Analyzing => progress(total, "Finding problems…"),
    })
    .await;
    unreadable.extend(digest_worker::stop());
    progress(total, "Preparing the results…");
    let mut since = js_sys::Date::now();
    // The exports are redacted (the page's switch can export the bundle's own text); the
    // page itself shows the bundle as it is.
    let exports = |a: &Analysis| {
        let json = report::to_json(a);
        let html = html::report_with_chart(a, env!("CARGO_PKG_VERSION"), &|_, _| CHART_MARKER.to_string(), &|i, _| {
            view::finding_marker(i)
        });
        (json, html)
    };
    let originals = analysis::redaction::redact(&mut a);
    let (json, html) = exports(&a);
    let redactions: Vec<(String, usize)> =
        a.redactions.iter().flatten().map(|(k, n)| (k.to_string(), *n)).filter(|(_, n)| *n > 0).collect();
    analysis::redaction::restore(&mut a, originals);
    let unredacted = (!redactions.is_empty()).then(|| exports(&a));
    lap(REPORTS, &mut since);
    let mut v = view::build(&a, json, html);
    v.redactions = redactions;
    v.unredacted = unredacted;
    v.warnings.extend(unreadable);
    // What the source view needs, outside this worker's memory: a plain file is read
    // again through its index; other text (gzip, the paste) becomes a Blob of its lines.
    let sources = js_sys::Array::new();
    for (s, source) in a.model.sources.iter_mut().enumerate() {
        let i = origin.get(s).copied().unwrap_or(usize::MAX);
        let mut text = std::mem::take(&mut source.text);
        // One input, one source (not a support bundle's member): the file is the text.
        let alone = origin.iter().filter(|&&x| x == i).count() == 1;
        match (inputs.get(i), indexes.get(i)) {
            (Some(Input::File(f)), Some(ix)) if alone && !gzip[i] && ix.lines() == u64::from(source.lines) => {
                sources.push(&source_object(f, ix));
            }
            _ => {
                // A big decoded input keeps only the lines findings quote: show those,
                // in place (up to a few million lines; beyond, no source view).
                if text.is_empty() && !source.quoted.is_empty() && source.lines <= 4_000_000 {
                    text = vec![String::new(); source.lines as usize];
                    for (n, t) in std::mem::take(&mut source.quoted) {
                        if let Some(slot) = (n as usize).checked_sub(1).and_then(|k| text.get_mut(k)) {
                            *slot = t;
                        }
                    }
                }
                match text_blob(&text) {
                    Ok((blob, ix)) => sources.push(&source_object(&blob, &ix)),
                    Err(_) => sources.push(&JsValue::NULL),
                };
            }
        }
    }
    // The page ends this worker once the results arrive: freeing the model first would
    // only delay them (tens of ms for a big one).
    std::mem::forget(a);
    // The exports go beside the view as plain strings: the page reads them into wasm
    // only when the user exports (issue 23).
    let exports = js_sys::Object::new();
    let (uj, uh) = v.unredacted.take().unzip();
    for (k, text) in [
        ("json", Some(std::mem::take(&mut v.json))),
        ("html", Some(std::mem::take(&mut v.html))),
        ("unredacted_json", uj),
        ("unredacted_html", uh),
    ] {
        if let Some(text) = text {
            let _ = js_sys::Reflect::set(&exports, &k.into(), &JsValue::from_str(&text));
        }
    }
    let view = view::to_js(&v);
    lap(VIEW, &mut since);
    let timings = js_sys::Object::new();
    TIMES.with(|t| {
        for (name, ms) in PHASES.iter().zip(t.borrow().iter()) {
            let _ = js_sys::Reflect::set(&timings, &(*name).into(), &ms.round().into());
        }
    });
    match view {
        Ok(bytes) => {
            let buffer = bytes.buffer().into();
            post_transfer(
                &object(
                    "done",
                    &[
                        ("view", bytes.into()),
                        ("exports", exports.into()),
                        ("sources", sources.into()),
                        ("timings", timings.into()),
                        ("workers", (used as f64).into()),
                    ],
                ),
                &[buffer],
            )
        }
        Err(e) => post(&object("error", &[("message", e.to_string().into())])),
    }
}
