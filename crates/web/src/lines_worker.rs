//! The lines worker: a small worker (the same wasm, see `worker.rs` for the analysis
//! worker) that serves the source view's requests for lines, read again from the inputs'
//! Blobs through a sparse line index, so no input is ever held as one string. The
//! analysis worker builds the index ([`LineIndex`]: the byte offset of every [`EVERY`]th
//! line, fed slice by slice while it reads a file) and turns decoded text (gzip, the
//! paste) into a Blob of its lines ([`text_blob`]); it posts each input as a
//! [`source_object`] and ends, and the page hands them to this worker.
//!
//! Messages from the page (plain JS objects, passed on by `worker_message`):
//! - `{type: "load", sources: [{blob, starts, lines, len} | null]}`: the inputs whose
//!   lines this worker serves from now on.
//! - `{type: "lines", req, source, from, to}`: it posts `{type: "lines", req, source,
//!   from, lines: [string]}`, lines `from..to` (0-based, end excluded) of that input, read
//!   again from its Blob through the index.
//!
//! Example: a 60 MB log file leaves about 2,000 index entries (16 KB) in the worker.

use std::cell::RefCell;

use kubeleak_analysis::sections;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::message::{get, js_error, object, post, set};
use crate::view::shown;

/// The line index keeps the byte offset of every `EVERY`th line.
pub const EVERY: u64 = 256;
/// Most bytes read to answer one request for lines (a pathological single line).
const MAX_READ: usize = 64 << 20;
/// Bytes per part of a [`text_blob`] (the analysis worker's slice size, 8 MiB).
const PART: u64 = 8 << 20;

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
/// analysis cleans them, each cut as the page shows it ([`shown`]).
pub fn lines_of(bytes: &[u8], skip: u64, count: u64) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    sections::lines(&text)
        .skip(usize::try_from(skip).unwrap_or(usize::MAX))
        .take(usize::try_from(count).unwrap_or(0))
        .map(|l| shown(&l))
        .collect()
}

/// Reads bytes `start..end` of a blob synchronously (workers only).
fn read_range(
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
        if buf.len() as u64 >= PART {
            flush(&mut buf, &mut index);
        }
    }
    if !buf.is_empty() {
        flush(&mut buf, &mut index);
    }
    Ok((web_sys::Blob::new_with_u8_array_sequence(&parts)?, index))
}

/// `{blob, starts, lines, len}`: what this worker needs for one input (see [`load_message`]).
pub fn source_object(blob: &web_sys::Blob, index: &LineIndex) -> js_sys::Object {
    let starts: js_sys::Array = index.starts.iter().map(|&b| JsValue::from_f64(b as f64)).collect();
    let o = js_sys::Object::new();
    set(&o, "blob", blob);
    set(&o, "starts", &starts);
    set(&o, "lines", &(index.lines() as f64).into());
    set(&o, "len", &(index.len() as f64).into());
    o
}

thread_local! {
    /// The inputs of the results on screen with their line indexes.
    static SOURCES: RefCell<Vec<Option<(web_sys::Blob, LineIndex)>>> = const { RefCell::new(Vec::new()) };
}

/// `{type: "load", sources: [{blob, starts, lines, len} | null]}`: the inputs whose lines
/// this worker serves from now on.
pub fn load_message(msg: &JsValue) {
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

/// `{type: "lines", req, source, from, to}`: posts those lines of that input.
pub fn lines_message(msg: &JsValue) {
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
}
