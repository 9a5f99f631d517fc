//! The Web Worker's side: the same wasm as the page, started by `web/worker.js`, which
//! hands every message to [`worker_message`]. The page stays responsive because all the
//! reading and the analysis happen here.
//!
//! Messages from the page (plain JS objects):
//! - `{type: "analyze", paste: string | undefined, files: [File]}`: reads each file in
//!   [`CHUNK`] slices (`Blob.arrayBuffer()`, the next slice asked for before this one is
//!   analyzed), posting `{type: "progress", done, total, phase}` after each;
//!   analyzes, and posts `{type: "done", view: View (see view::to_js), sources, timings}`
//!   (or `{type: "error", message}`); `timings` has the ms of each of [`PHASES`].
//!   `sources` has one `{blob, starts, lines, len}` per input: a plain file is its own
//!   `File` with a sparse line index ([`LineIndex`]:
//!   the byte offset of every [`EVERY`]th line, built while reading); decoded text (gzip,
//!   the paste) becomes a Blob of its lines. So the page can end this worker (and free
//!   its memory, which wasm never gives back) and start a small one for the source view;
//!   1 GB is never held as one string anywhere.
//! - `{type: "load", sources}`: that small worker takes the sources.
//! - `{type: "lines", req, source, from, to}`: it posts `{type: "lines", req, source,
//!   from, lines: [string]}`, lines `from..to` (0-based, end excluded) of that input, read
//!   again from its Blob through the index.
//!
//! Example: a 60 MB log file leaves about 2,000 index entries (16 KB) in the worker.

use std::cell::RefCell;

use kubeleak_analysis::{self as analysis, html, report, sections, Analysis};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::view::{self, CHART_MARKER};

/// Bytes read per step: a large file is read in slices of this size, with a progress
/// message after each.
pub const CHUNK: u64 = 8 << 20;
/// The line index keeps the byte offset of every `EVERY`th line.
pub const EVERY: u64 = 256;
/// Longest line the source view gets (bytes); longer lines are cut with a note.
pub const MAX_SHOWN: usize = 10_000;
/// Most bytes read to answer one request for lines (a pathological single line).
const MAX_READ: usize = 64 << 20;

/// Where lines start in a file, built slice by slice while it is read.
#[derive(Clone, Debug, PartialEq)]
pub struct LineIndex {
    /// Byte offset of line `k * EVERY` (0-based) at `starts[k]`.
    pub starts: Vec<u64>,
    newlines: u64,
    len: u64,
    last: Option<u8>,
}

impl Default for LineIndex {
    fn default() -> Self {
        LineIndex { starts: vec![0], newlines: 0, len: 0, last: None }
    }
}

impl LineIndex {
    /// Takes the next slice of the file.
    pub fn feed(&mut self, chunk: &[u8]) {
        for i in memchr::memchr_iter(b'\n', chunk) {
            self.newlines += 1;
            if self.newlines % EVERY == 0 {
                self.starts.push(self.len + i as u64 + 1);
            }
        }
        self.len += chunk.len() as u64;
        if let Some(&b) = chunk.last() {
            self.last = Some(b);
        }
    }

    /// Lines as the analysis counts them ([`sections::lines`]: a final newline ends the
    /// last line, it does not start another).
    pub fn lines(&self) -> u64 {
        match self.last {
            None => 0,
            Some(b'\n') => self.newlines,
            Some(_) => self.newlines + 1,
        }
    }

    /// An index sent by another worker: its line starts, line count and byte length.
    pub fn restore(starts: Vec<u64>, lines: u64, len: u64) -> LineIndex {
        let starts = if starts.first() == Some(&0) { starts } else { vec![0] };
        LineIndex { starts, newlines: lines, len, last: (lines > 0).then_some(b'\n') }
    }

    /// Bytes of the file.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Byte offset to start reading at for 0-based line `line`, and how many lines to skip there.
    pub fn seek(&self, line: u64) -> (u64, u64) {
        let k = usize::try_from(line / EVERY).unwrap_or(usize::MAX).min(self.starts.len().saturating_sub(1));
        let at = self.starts.get(k).copied().unwrap_or(0);
        (at, line - k as u64 * EVERY)
    }
}

/// Lines `from..to` (0-based) out of `bytes` that start at a line start, cleaned as the
/// analysis cleans them, each cut at [`MAX_SHOWN`] bytes.
pub fn lines_of(bytes: &[u8], skip: u64, count: u64) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    sections::lines(&text)
        .skip(usize::try_from(skip).unwrap_or(usize::MAX))
        .take(usize::try_from(count).unwrap_or(0))
        .map(|l| shown(&l))
        .collect()
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

/// Reads bytes `start..end` of a blob synchronously (workers only).
pub fn read_range(
    reader: &web_sys::FileReaderSync,
    blob: &web_sys::Blob,
    start: u64,
    end: u64,
) -> Result<Vec<u8>, JsValue> {
    let slice = blob.slice_with_f64_and_f64(start as f64, end as f64)?;
    let buf = reader.read_as_array_buffer(&slice)?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}

/// Lines `from..to` (0-based, end excluded) of a file, found through its index.
pub fn read_lines(blob: &web_sys::Blob, index: &LineIndex, from: u64, to: u64) -> Result<Vec<String>, JsValue> {
    let to = to.min(index.lines());
    if from >= to {
        return Ok(Vec::new());
    }
    let reader = web_sys::FileReaderSync::new()?;
    let (mut pos, skip) = index.seek(from);
    let need = skip + (to - from);
    let mut buf: Vec<u8> = Vec::new();
    let mut found = 0u64;
    let mut end = None;
    let step: u64 = 256 << 10;
    while pos < index.len() && end.is_none() && buf.len() < MAX_READ {
        let next = (pos + step).min(index.len());
        let chunk = read_range(&reader, blob, pos, next)?;
        for i in memchr::memchr_iter(b'\n', &chunk) {
            found += 1;
            if found == need {
                end = Some(buf.len() + i);
                break;
            }
        }
        buf.extend_from_slice(&chunk);
        pos = next;
    }
    let body = end.and_then(|e| buf.get(..e)).unwrap_or(&buf);
    Ok(lines_of(body, skip, to - from))
}

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
/// Indexed by [`WAIT`], [`COPY`], [`INDEX`], [`ANALYSIS`], [`DETECTORS`], [`REPORTS`], [`VIEW`].
pub const PHASES: [&str; 7] =
    ["waiting for slices", "copying into wasm", "line index, progress", "analysis", "detectors", "reports", "view"];
const WAIT: usize = 0;
const COPY: usize = 1;
const INDEX: usize = 2;
const ANALYSIS: usize = 3;
const DETECTORS: usize = 4;
const REPORTS: usize = 5;
const VIEW: usize = 6;

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
/// is analyzed (one read ahead: at most two slices in memory). Returns the analysis and,
/// per model source, the index of the input it came from (a support bundle gives several).
pub async fn analyze_files(inputs: &[Input], step: &mut dyn FnMut(Step<'_>)) -> (Analysis, Vec<usize>) {
    let limits = analysis::input::Limits { keep_text_bytes: KEEP_TEXT_BYTES, ..Default::default() };
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
                an.end();
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
                        }
                        Err(e) => step(Step::Unreadable(i, js_error(&e))),
                    }
                }
                an.end();
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

fn js_error(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "the browser could not read it".into())
}

thread_local! {
    /// The inputs of the results on screen with their line indexes (in the lines worker).
    static SOURCES: RefCell<Vec<Option<(web_sys::Blob, LineIndex)>>> = const { RefCell::new(Vec::new()) };
}

fn post(msg: &js_sys::Object) {
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    if let Err(e) = scope.post_message(msg) {
        web_sys::console::error_1(&e);
    }
}

fn object(kind: &str, fields: &[(&str, JsValue)]) -> js_sys::Object {
    let o = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&o, &"type".into(), &kind.into());
    for (k, v) in fields {
        let _ = js_sys::Reflect::set(&o, &(*k).into(), v);
    }
    o
}

fn get(msg: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(msg, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// The worker's message handler (called by `web/worker.js`).
#[wasm_bindgen]
pub fn worker_message(msg: JsValue) {
    match get(&msg, "type").as_string().as_deref() {
        Some("analyze") => wasm_bindgen_futures::spawn_local(analyze_message(msg)),
        Some("load") => load_message(&msg),
        Some("lines") => lines_message(&msg),
        other => web_sys::console::warn_1(&format!("kubeleak worker: unknown message {other:?}").into()),
    }
}

/// Decoded lines (a gzip input, the paste) as a Blob of `\n`-ended lines with its index:
/// the Blob lives outside wasm memory, so the worker that made it can end.
pub fn text_blob(lines: &[String]) -> Result<(web_sys::Blob, LineIndex), JsValue> {
    let parts = js_sys::Array::new();
    let mut index = LineIndex::default();
    let mut buf: Vec<u8> = Vec::new();
    let flush = |buf: &mut Vec<u8>, index: &mut LineIndex| {
        index.feed(buf);
        parts.push(&js_sys::Uint8Array::from(buf.as_slice()));
        buf.clear();
    };
    for l in lines {
        buf.extend_from_slice(l.as_bytes());
        buf.push(b'\n');
        if buf.len() as u64 >= CHUNK {
            flush(&mut buf, &mut index);
        }
    }
    if !buf.is_empty() {
        flush(&mut buf, &mut index);
    }
    Ok((web_sys::Blob::new_with_u8_array_sequence(&parts)?, index))
}

/// `{blob, starts, lines, len}`: what the lines worker needs for one input.
fn source_object(blob: &web_sys::Blob, index: &LineIndex) -> js_sys::Object {
    let starts: js_sys::Array = index.starts.iter().map(|&b| JsValue::from_f64(b as f64)).collect();
    let o = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&o, &"blob".into(), blob);
    let _ = js_sys::Reflect::set(&o, &"starts".into(), &starts);
    let _ = js_sys::Reflect::set(&o, &"lines".into(), &(index.lines() as f64).into());
    let _ = js_sys::Reflect::set(&o, &"len".into(), &(index.len() as f64).into());
    o
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
    let mut done = 0u64;
    let mut indexes: Vec<LineIndex> = inputs.iter().map(|_| LineIndex::default()).collect();
    let mut gzip: Vec<bool> = inputs.iter().map(|_| false).collect();
    let mut unreadable = Vec::new();
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
    progress(total, "Preparing the results…");
    let mut since = js_sys::Date::now();
    let json = report::to_json(&a);
    let html = html::report_with_chart(&a, env!("CARGO_PKG_VERSION"), &|_, _| CHART_MARKER.to_string(), &|i, _| {
        view::finding_marker(i)
    });
    lap(REPORTS, &mut since);
    let mut v = view::build(&a, json, html);
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
    let view = view::to_js(&v);
    lap(VIEW, &mut since);
    let timings = js_sys::Object::new();
    TIMES.with(|t| {
        for (name, ms) in PHASES.iter().zip(t.borrow().iter()) {
            let _ = js_sys::Reflect::set(&timings, &(*name).into(), &ms.round().into());
        }
    });
    match view {
        Ok(json) => post(&object("done", &[("view", json), ("sources", sources.into()), ("timings", timings.into())])),
        Err(e) => post(&object("error", &[("message", e.to_string().into())])),
    }
}

/// `{type: "load", sources: [{blob, starts, lines, len} | null]}`: the inputs whose lines
/// this worker serves from now on.
fn load_message(msg: &JsValue) {
    let num = |v: &JsValue, k: &str| get(v, k).as_f64().unwrap_or(0.0).max(0.0) as u64;
    let list: Vec<Option<(web_sys::Blob, LineIndex)>> = js_sys::Array::from(&get(msg, "sources"))
        .iter()
        .map(|s| {
            let blob = get(&s, "blob").dyn_into::<web_sys::Blob>().ok()?;
            let starts: Vec<u64> = js_sys::Array::from(&get(&s, "starts"))
                .iter()
                .map(|b| b.as_f64().unwrap_or(0.0).max(0.0) as u64)
                .collect();
            Some((blob, LineIndex::restore(starts, num(&s, "lines"), num(&s, "len"))))
        })
        .collect();
    SOURCES.with(|s| *s.borrow_mut() = list);
}

fn lines_message(msg: &JsValue) {
    let num = |k: &str| get(msg, k).as_f64().unwrap_or(0.0).max(0.0) as u64;
    let (source, from, to) = (num("source"), num("from"), num("to"));
    let lines: Vec<String> = SOURCES.with(|s| {
        let s = s.borrow();
        match s.get(usize::try_from(source).unwrap_or(usize::MAX)) {
            Some(Some((blob, index))) => read_lines(blob, index, from, to)
                .unwrap_or_else(|e| vec![format!("(the browser could not read this input again: {})", js_error(&e))]),
            _ => Vec::new(),
        }
    });
    let array: js_sys::Array = lines.iter().map(|l| JsValue::from_str(l)).collect();
    post(&object(
        "lines",
        &[
            ("req", get(msg, "req")),
            ("source", (source as f64).into()),
            ("from", (from as f64).into()),
            ("lines", array.into()),
        ],
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index_of(text: &[u8], slice: usize) -> LineIndex {
        let mut ix = LineIndex::default();
        for c in text.chunks(slice.max(1)) {
            ix.feed(c);
        }
        ix
    }

    #[test]
    fn the_index_counts_lines_like_the_analysis() {
        for text in ["", "a", "a\n", "a\n\n", "a\nb", "\n", "\n\n x \n"] {
            let ix = index_of(text.as_bytes(), 2);
            assert_eq!(ix.lines(), sections::lines(text).count() as u64, "{text:?}");
        }
    }

    #[test]
    fn seeking_finds_every_line_whatever_the_slices() {
        let text: String = (0..1000).map(|i| format!("line {i} \x1b[1mbold\x1b[0m\r\n")).collect();
        let all: Vec<String> = sections::lines(&text).map(|l| l.into_owned()).collect();
        for slice in [1, 7, 4096, 1 << 20] {
            let ix = index_of(text.as_bytes(), slice);
            assert_eq!(ix.starts.len(), 1 + 1000 / EVERY as usize);
            for from in [0u64, 1, 255, 256, 257, 700, 999] {
                let (at, skip) = ix.seek(from);
                let got = lines_of(&text.as_bytes()[at as usize..], skip, 3);
                let want: Vec<String> = all.iter().skip(from as usize).take(3).cloned().collect();
                assert_eq!(got, want, "slice {slice} from {from}");
            }
        }
        assert_eq!(all[5], "line 5 bold");
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
