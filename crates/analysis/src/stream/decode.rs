//! Bytes to lines, for one input: gzip recognised from the first bytes and inflated a
//! step at a time under [`Limits::max_inflated_bytes`]; binary data refused from its first
//! 8 KiB; support bundles and memray reports told apart to be read whole; invalid UTF-8
//! replaced line by line; lines cut at [`MAX_LINE_BYTES`]; ANSI codes and CRs removed.
//! Each cleaned line goes to the input's splitter ([`super::parsing`]).

use std::io::Write;

use super::parsing::{Env, Reading};
use super::{InputReading, State, MAX_LINE_BYTES};
use crate::input::{self, Limits};
use crate::model::Origin;
use crate::sections;

/// Bytes looked at before deciding what an input is (a tar header is 512 bytes, gzipped
/// a few more; a memray report names itself in its `<title>`).
pub(super) const SNIFF: usize = 16 * 1024;

/// Whether the first bytes of an input are a support bundle or a memray report, which
/// are read whole rather than streamed as a transcript.
pub(super) fn whole_input(head: &[u8]) -> bool {
    if crate::support_bundle::is_tar(head) {
        return true;
    }
    let mut start = [0u8; 4096];
    let mut got = 0;
    if head.starts_with(&input::GZIP_MAGIC) {
        use std::io::Read;
        let mut gz = flate2::read::MultiGzDecoder::new(head);
        while got < start.len() {
            match gz.read(&mut start[got..]) {
                Ok(0) | Err(_) => break,
                Ok(n) => got += n,
            }
        }
    } else {
        got = head.len().min(start.len());
        start[..got].copy_from_slice(&head[..got]);
    }
    memchr::memmem::find(&start[..got], b"<title>memray - ").is_some()
}

/// Bytes of compressed input inflated at a time: at most ~1 MiB of output (deflate
/// inflates at most 1032 times; a bomb of zeros is refused from its first 8 KiB with
/// less than 4 MiB held, `tests/adversarial.rs`), about 8 KiB for a text bundle. 256
/// bytes at a time cost a call, a flush and an allocation per ~2 KiB of text, half the
/// time of an inflate (issue 21); the output buffer is now reused.
const GZ_STEP: usize = 1024;

pub(super) enum Decoder {
    /// The first [`SNIFF`] bytes are not in yet: gzip or not, archive or not, is not known.
    Start(Vec<u8>),
    /// A support bundle (tar, tar.gz) or a memray HTML report: read whole at the end
    /// ([`crate::support_bundle`], [`crate::pyprof::memray_html`]).
    Whole(Vec<u8>),
    Plain,
    Gzip(Box<flate2::write::MultiGzDecoder<Vec<u8>>>),
    /// Refused, or damaged gzip: the rest of the input is ignored.
    Done,
}

/// The first bytes of an input decide gzip or plain text.
pub(super) fn start(src: &mut InputReading, st: &mut State, limits: &Limits, buf: &[u8]) {
    if buf.starts_with(&input::GZIP_MAGIC) {
        // Nothing of this input is in the model yet: a refusal restores this.
        src.snapshot = Some(Box::new(st.clone()));
        src.dec = Decoder::Gzip(Box::new(flate2::write::MultiGzDecoder::new(Vec::new())));
        src.gunzip(buf, st, limits);
    } else {
        src.dec = Decoder::Plain;
        src.text(buf, st, limits);
    }
}

pub(super) fn damaged(name: &str, e: &std::io::Error, inflated: u64) -> String {
    format!("{name}: truncated or damaged gzip ({e}); analyzed the {inflated} bytes inflated before the damage")
}

impl InputReading {
    pub(super) fn gunzip(&mut self, chunk: &[u8], st: &mut State, limits: &Limits) {
        for piece in chunk.chunks(GZ_STEP) {
            let Decoder::Gzip(d) = &mut self.dec else { return };
            // `flush` hands over all that inflated (the decoder holds it back otherwise).
            let res = d.write_all(piece).and_then(|()| d.flush());
            let mut out = std::mem::take(d.get_mut());
            self.inflated_text(&out, st, limits);
            // The buffer is used again for the next step (no allocation per step).
            if let Decoder::Gzip(d) = &mut self.dec {
                out.clear();
                *d.get_mut() = out;
            }
            if let Err(e) = res {
                if self.refused.is_none() {
                    self.damaged = Some(damaged(&self.name, &e, self.inflated));
                }
                self.dec = Decoder::Done;
                return;
            }
        }
    }

    /// Inflated bytes, under the cap.
    pub(super) fn inflated_text(&mut self, out: &[u8], st: &mut State, limits: &Limits) {
        if self.refused.is_some() {
            return;
        }
        if self.inflated.saturating_add(out.len() as u64) > limits.max_inflated_bytes {
            let msg = format!(
                "{}: refused: gzip inflates to more than {} (the cap for one input); \
                 this looks like a decompression bomb. Nothing of it was analyzed.",
                self.name,
                input::cap_text(limits.max_inflated_bytes)
            );
            self.refuse(st, msg);
            return;
        }
        self.inflated += out.len() as u64;
        self.text(out, st, limits);
    }

    /// Refuses the input: what was read of it is taken back.
    pub(super) fn refuse(&mut self, st: &mut State, msg: String) {
        if let Some(s) = self.snapshot.take() {
            *st = *s;
        }
        // Streams of this input: forgotten with it.
        self.later.clear();
        self.reading = Reading::new(&self.name);
        self.partial = Vec::new();
        self.sniff = Vec::new();
        self.sniffed = true;
        self.refused = Some(msg);
        self.dec = Decoder::Done;
    }

    /// Decoded bytes: the first 8 KiB are held back to recognise binary data.
    pub(super) fn text(&mut self, bytes: &[u8], st: &mut State, limits: &Limits) {
        if self.refused.is_some() {
            return;
        }
        if !self.sniffed {
            // Only the first 8 KiB are held (all `binary_kind` looks at): a big first
            // step of a gzip bomb is not copied whole before it is refused.
            let need = 8192usize.saturating_sub(self.sniff.len()).min(bytes.len());
            self.sniff.extend_from_slice(bytes.get(..need).unwrap_or(bytes));
            if self.sniff.len() < 8192 {
                return;
            }
            self.sniffed = true;
            let head = std::mem::take(&mut self.sniff);
            if let Some(kind) = input::binary_kind(&head) {
                let msg = input::refused_binary(&self.name, kind);
                self.refuse(st, msg);
                return;
            }
            self.lines(&head, st, limits);
            self.lines(bytes.get(need..).unwrap_or(&[]), st, limits);
            return;
        }
        self.lines(bytes, st, limits);
    }

    /// Cuts bytes into lines; an unfinished line waits for the next bytes.
    pub(super) fn lines(&mut self, bytes: &[u8], st: &mut State, limits: &Limits) {
        let mut rest = bytes;
        // A line begun in earlier bytes ends here (or goes on past them).
        if !self.partial.is_empty() || self.skipped > 0 {
            let Some(i) = memchr::memchr(b'\n', rest) else {
                self.keep_partial(rest);
                return;
            };
            let (piece, after) = rest.split_at(i);
            self.long_line(piece, st, limits);
            rest = after.get(1..).unwrap_or(&[]);
        }
        // The whole lines: one UTF-8 check for all (nearly always valid), one scan for
        // line ends and escape bytes together.
        let complete = memchr::memrchr(b'\n', rest).map_or(0, |i| i + 1);
        let (whole, tail) = rest.split_at(complete);
        // simdutf8: wasm32's SIMD128 (the page) and AVX2 natively; `str::from_utf8` goes
        // 4 bytes at a time on wasm32 (2 % of the page's analysis, docs/performance.md).
        match simdutf8::basic::from_utf8(whole) {
            Ok(text) => {
                let (mut start, mut esc) = (0, false);
                for p in memchr::memchr2_iter(b'\n', 0x1b, whole) {
                    if whole.get(p) == Some(&0x1b) {
                        esc = true;
                        continue;
                    }
                    let piece = text.get(start..p).unwrap_or("");
                    if piece.len() <= MAX_LINE_BYTES {
                        self.text_line(std::borrow::Cow::Borrowed(piece), Some(esc), piece.len(), true, st, limits);
                    } else {
                        self.long_line(piece.as_bytes(), st, limits);
                    }
                    (start, esc) = (p + 1, false);
                }
            }
            Err(_) => {
                let mut r = whole;
                while let Some(i) = memchr::memchr(b'\n', r) {
                    let (piece, after) = r.split_at(i);
                    if piece.len() <= MAX_LINE_BYTES {
                        self.line(piece, true, st, limits);
                    } else {
                        self.long_line(piece, st, limits);
                    }
                    r = after.get(1..).unwrap_or(&[]);
                }
            }
        }
        self.keep_partial(tail);
    }

    /// A line that continues an unfinished one, or is longer than [`MAX_LINE_BYTES`]:
    /// through [`InputReading::keep_partial`], which cuts it.
    pub(super) fn long_line(&mut self, piece: &[u8], st: &mut State, limits: &Limits) {
        self.keep_partial(piece);
        let whole = std::mem::take(&mut self.partial);
        self.line(&whole, true, st, limits);
        self.partial = whole;
        self.partial.clear();
    }

    /// Adds to the unfinished line, up to [`MAX_LINE_BYTES`] (cut at a character).
    pub(super) fn keep_partial(&mut self, piece: &[u8]) {
        let room = MAX_LINE_BYTES.saturating_sub(self.partial.len());
        if piece.len() <= room && self.skipped == 0 {
            self.partial.extend_from_slice(piece);
            return;
        }
        let mut take = if self.skipped > 0 { 0 } else { piece.len().min(room) };
        // Not inside a UTF-8 character: back off its continuation bytes (at most 3).
        let mut back = 0;
        while take > 0 && back < 3 && piece.get(take).is_some_and(|b| b & 0xC0 == 0x80) {
            take -= 1;
            back += 1;
        }
        self.partial.extend_from_slice(piece.get(..take).unwrap_or(&[]));
        self.skipped += (piece.len() - take) as u64;
    }

    pub(super) fn line(&mut self, bytes: &[u8], newline: bool, st: &mut State, limits: &Limits) {
        let text = match std::str::from_utf8(bytes) {
            Ok(s) => std::borrow::Cow::Borrowed(s),
            Err(_) => {
                self.lossy = true;
                String::from_utf8_lossy(bytes)
            }
        };
        self.text_line(text, None, bytes.len(), newline, st, limits);
    }

    /// A decoded line (`raw_len`: its bytes before decoding); `esc`: whether it has an
    /// escape byte, when already known.
    pub(super) fn text_line(
        &mut self,
        text: std::borrow::Cow<'_, str>,
        esc: Option<bool>,
        raw_len: usize,
        newline: bool,
        st: &mut State,
        limits: &Limits,
    ) {
        self.text_bytes += text.len() as u64 + u64::from(newline) + self.skipped;
        let clean = match esc {
            Some(e) => sections::clean(&text, e),
            None => sections::clean_line(&text),
        };
        self.line_count = self.line_count.saturating_add(1);
        if self.skipped > 0 {
            let total = raw_len as u64 + self.skipped;
            self.skipped = 0;
            st.model.warn(
                Origin { source: self.index, line: self.line_count },
                format!(
                    "line {} has {total} bytes: only its first {} MiB were read, the rest was skipped",
                    self.line_count,
                    MAX_LINE_BYTES >> 20
                ),
            );
        }
        if self.text_bytes > limits.keep_text_bytes {
            self.full = None;
        }
        if let Some((text, ends)) = self.full.as_mut() {
            text.push_str(&clean);
            ends.push(text.len());
        }
        let mut env =
            Env::new(st, &mut self.quoted, &mut self.later, self.index, &self.name, self.full.is_some(), limits);
        self.reading.push(self.line_count, &clean, &mut env);
    }
}
