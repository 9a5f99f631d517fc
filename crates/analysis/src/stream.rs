//! The streaming analysis: inputs arrive in chunks of any size, are read line by line,
//! and only what findings need is kept.
//!
//! Per input: gzip is recognised from the first two bytes and inflated incrementally
//! under [`Limits::max_inflated_bytes`]; binary data is refused from its first 8 KiB;
//! invalid UTF-8 is replaced line by line (U+FFFD); a line longer than
//! [`MAX_LINE_BYTES`] keeps its first 64 MiB (with a warning). Lines are cleaned (ANSI codes, CR),
//! then cut into sections by [`crate::split::Splitter`] (prompts, `watch` headers,
//! collector annotations, shapes of bare outputs, with six lines of look-ahead). A log
//! section's lines go straight into the log parser and each stream's digest
//! ([`crate::logdigest`]); any other section (`describe`, `get pods`, `top`, events,
//! JSON, YAML…) is gathered until it ends and then parsed, up to [`MAX_SECTION_BYTES`].
//!
//! The text of every line is kept only while the input is at most
//! [`Limits::keep_text_bytes`]; otherwise a source keeps the text of the lines facts,
//! findings and evidence may quote ([`crate::model::Source::quoted`]).
//!
//! Example:
//! ```ignore
//! let mut a = Analyzer::new(Limits::default());
//! a.begin("bundle.txt.gz");
//! for chunk in file_chunks { a.feed(chunk); }
//! a.end();
//! let analysis = a.finish();
//! ```

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use jiff::Timestamp;

use crate::finding::Analysis;
use crate::input::{self, Limits};
use crate::logdigest::Digests;
use crate::model::{self, Capture, Model, Origin, SectionKind};
use crate::parse::{self, logs::LaterDigest, logs::LogParser, Ctx};
use crate::sections::{self, Command, Section};
use crate::split::{self, Annotation, Head, Splitter};

/// Largest non-log section gathered before it is parsed (64 MiB); beyond, its lines are
/// skipped with a warning.
pub const MAX_SECTION_BYTES: usize = 64 << 20;

/// Longest line read (64 MiB): the rest of a longer line is skipped with a warning, so
/// a file without line ends is never held whole.
pub const MAX_LINE_BYTES: usize = 64 << 20;

/// Bytes looked at before deciding what an input is (a tar header is 512 bytes, gzipped
/// a few more; a memray report names itself in its `<title>`).
const SNIFF: usize = 16 * 1024;

/// Whether the first bytes of an input are a support bundle or a memray report, which
/// are read whole rather than streamed as a transcript.
fn whole_input(head: &[u8]) -> bool {
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

/// Bytes of compressed input inflated at a time (at most ~260 KiB of output).
const GZ_STEP: usize = 256;

/// The model and per-kind section counters: what a refused gzip input rolls back.
#[derive(Clone, Default)]
struct State {
    model: Model,
    /// The digests of the model's log streams.
    digests: Digests,
    seq: HashMap<SectionKind, u32>,
}

/// A streaming analysis of one or more inputs (see the module doc).
pub struct Analyzer {
    limits: Limits,
    st: State,
    src: Option<Box<Src>>,
}

enum Dec {
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

/// One input being read.
struct Src {
    index: usize,
    name: String,
    warn_mark: usize,
    raw_len: u64,
    dec: Dec,
    inflated: u64,
    snapshot: Option<Box<State>>,
    damaged: Option<String>,
    refused: Option<String>,
    lossy: bool,
    sniff: Vec<u8>,
    sniffed: bool,
    partial: Vec<u8>,
    /// Bytes of the current line skipped past [`MAX_LINE_BYTES`].
    skipped: u64,
    text_bytes: u64,
    line_count: u32,
    /// Every line's text while the input is small enough to keep it (one string, and
    /// where each line ends).
    full: Option<(String, Vec<usize>)>,
    quoted: BTreeMap<u32, String>,
    /// Log streams whose digests the digest thread is finishing: resolved when the
    /// input ends.
    later: Vec<LaterDigest>,
    reading: Reading,
}

impl Analyzer {
    pub fn new(limits: Limits) -> Self {
        Analyzer { limits, st: State::default(), src: None }
    }

    /// Starts a new input (source); ends the current one first.
    pub fn begin(&mut self, name: &str) {
        self.end();
        self.src = Some(Box::new(Src {
            index: self.st.model.sources.len(),
            name: name.to_string(),
            warn_mark: self.st.model.warnings.len(),
            raw_len: 0,
            dec: Dec::Start(Vec::new()),
            inflated: 0,
            snapshot: None,
            damaged: None,
            refused: None,
            lossy: false,
            sniff: Vec::new(),
            sniffed: false,
            partial: Vec::new(),
            skipped: 0,
            text_bytes: 0,
            line_count: 0,
            full: Some((String::new(), Vec::new())),
            quoted: BTreeMap::new(),
            later: Vec::new(),
            reading: Reading::new(name),
        }));
    }

    /// The next bytes of the current input, cut anywhere (inside a line, inside a UTF-8
    /// character, inside gzip). Starts an input named `-` if none was begun.
    pub fn feed(&mut self, chunk: &[u8]) {
        if self.src.is_none() {
            self.begin("-");
        }
        let Some(src) = self.src.as_mut() else { return };
        src.raw_len += chunk.len() as u64;
        let st = &mut self.st;
        let limits = &self.limits;
        match std::mem::replace(&mut src.dec, Dec::Done) {
            Dec::Start(mut buf) => {
                buf.extend_from_slice(chunk);
                if buf.len() < SNIFF {
                    src.dec = Dec::Start(buf);
                    return;
                }
                if whole_input(&buf) {
                    src.dec = Dec::Whole(buf);
                    return;
                }
                start(src, st, limits, &buf);
            }
            Dec::Whole(mut buf) => {
                buf.extend_from_slice(chunk);
                src.dec = Dec::Whole(buf);
            }
            Dec::Plain => {
                src.dec = Dec::Plain;
                src.text(chunk, st, limits);
            }
            Dec::Gzip(d) => {
                src.dec = Dec::Gzip(d);
                src.gunzip(chunk, st, limits);
            }
            Dec::Done => {}
        }
    }

    /// Ends the current input (nothing happens when none is open).
    pub fn end(&mut self) {
        let Some(mut src) = self.src.take() else { return };
        let st = &mut self.st;
        let limits = &self.limits;
        let whole = match std::mem::replace(&mut src.dec, Dec::Done) {
            Dec::Start(buf) if whole_input(&buf) => Some(buf),
            Dec::Start(buf) => {
                if !buf.is_empty() {
                    start(&mut src, st, limits, &buf);
                }
                None
            }
            Dec::Whole(buf) => Some(buf),
            other => {
                src.dec = other;
                None
            }
        };
        if let Some(bytes) = whole {
            // Read whole; each adds its own sources. Not a support bundle after all (a
            // damaged archive header) or not a memray report: read as text as usual.
            if let Some(expanded) = crate::support_bundle::expand(&src.name, &bytes, limits) {
                crate::support_bundle::add_to_model(&src.name, expanded, &mut st.model, &mut st.digests, &mut st.seq);
                return;
            }
            let decoded = input::decode(&src.name, &bytes, limits);
            if crate::pyprof::memray_html::is_report(&decoded.text) {
                crate::pyprof::memray_html::add_to_model(&src.name, &decoded.text, decoded.problems, &mut st.model);
                return;
            }
            start(&mut src, st, limits, &bytes);
        }
        match std::mem::replace(&mut src.dec, Dec::Done) {
            Dec::Start(_) | Dec::Whole(_) => {}
            Dec::Gzip(mut d) => {
                let res = d.try_finish();
                let out = std::mem::take(d.get_mut());
                src.inflated_text(&out, st, limits);
                if let Err(e) = res {
                    if src.damaged.is_none() && src.refused.is_none() {
                        src.damaged = Some(damaged(&src.name, &e, src.inflated));
                    }
                }
            }
            Dec::Plain | Dec::Done => {}
        }
        if src.refused.is_none() && !src.sniffed {
            src.sniffed = true;
            let head = std::mem::take(&mut src.sniff);
            match input::binary_kind(&head) {
                Some(kind) => src.refuse(st, input::refused_binary(&src.name, kind)),
                None => src.lines(&head, st, limits),
            }
        }
        let mut problems = Vec::new();
        if src.raw_len == 0 {
            problems.push(format!("{}: the input is empty", src.name));
        } else if src.snapshot.is_some() && src.inflated == 0 && src.damaged.is_none() && src.refused.is_none() {
            // A gzip (the snapshot is taken when one is recognised) of nothing.
            problems.push(input::empty_gzip(&src.name));
        }
        problems.extend(src.damaged.take());
        if let Some(r) = src.refused.take() {
            problems.push(r);
            src.text_bytes = 0;
            src.line_count = 0;
            src.full = Some((String::new(), Vec::new()));
            src.quoted.clear();
        } else {
            if !src.partial.is_empty() {
                let last = std::mem::take(&mut src.partial);
                src.line(&last, false, st, limits);
            }
            src.reading.end(&mut Env::new(
                st,
                &mut src.quoted,
                &mut src.later,
                src.index,
                &src.name,
                src.full.is_some(),
                limits,
            ));
            LaterDigest::resolve(std::mem::take(&mut src.later), &mut st.digests, &mut src.quoted);
            if src.lossy {
                problems.push(input::lossy(&src.name));
            }
        }
        let model = &mut st.model;
        let mark = src.warn_mark.min(model.warnings.len());
        let tail = model.warnings.split_off(mark);
        for p in problems {
            model.warn(Origin { source: src.index, line: 0 }, p);
        }
        model.warnings.extend(tail);
        if src.full.is_none() {
            // Too big to keep: the log entries of this source go too.
            for pod in &mut model.pods {
                for c in &mut pod.containers {
                    for l in &mut c.logs {
                        if l.lines.first().is_some_and(|x| x.origin.source == src.index) {
                            l.lines = Vec::new();
                        }
                    }
                }
            }
        }
        model.sources.push(model::Source {
            name: src.name.clone(),
            bytes: src.text_bytes,
            lines: src.line_count,
            text: src
                .full
                .take()
                .map(|(text, ends)| {
                    let mut start = 0;
                    ends.iter()
                        .map(|&e| {
                            let l = text.get(start..e).unwrap_or("").to_string();
                            start = e;
                            l
                        })
                        .collect()
                })
                .unwrap_or_default(),
            quoted: std::mem::take(&mut src.quoted),
        });
    }

    /// How many sources the model has so far (an ended input adds one; a support bundle
    /// one per member read, plus its listing).
    pub fn source_count(&self) -> usize {
        self.st.model.sources.len()
    }

    /// Ends the current input and runs the detectors.
    pub fn finish(self) -> Analysis {
        self.finish_with_digests().0
    }

    /// [`Analyzer::finish`], and the digests of the model's log streams.
    pub(crate) fn finish_with_digests(mut self) -> (Analysis, Digests) {
        self.end();
        let mut model = self.st.model;
        let mut digests = self.st.digests;
        resolve_default_containers(&mut model);
        // Warnings pushed directly by a parser are bounded too.
        for w in &mut model.warnings {
            model::shorten_message(&mut w.message);
        }
        crate::parse::pyprof::join(&mut model, &mut digests);
        let findings = crate::detect::run_default_with(&model, &digests, self.limits.digest_threads);
        (Analysis { model, findings }, digests)
    }
}

/// The first bytes of an input decide gzip or plain text.
fn start(src: &mut Src, st: &mut State, limits: &Limits, buf: &[u8]) {
    if buf.starts_with(&input::GZIP_MAGIC) {
        // Nothing of this input is in the model yet: a refusal restores this.
        src.snapshot = Some(Box::new(st.clone()));
        src.dec = Dec::Gzip(Box::new(flate2::write::MultiGzDecoder::new(Vec::new())));
        src.gunzip(buf, st, limits);
    } else {
        src.dec = Dec::Plain;
        src.text(buf, st, limits);
    }
}

fn damaged(name: &str, e: &std::io::Error, inflated: u64) -> String {
    format!("{name}: truncated or damaged gzip ({e}); analyzed the {inflated} bytes inflated before the damage")
}

impl Src {
    fn gunzip(&mut self, chunk: &[u8], st: &mut State, limits: &Limits) {
        for piece in chunk.chunks(GZ_STEP) {
            let Dec::Gzip(d) = &mut self.dec else { return };
            // `flush` hands over all that inflated (the decoder holds it back otherwise).
            let res = d.write_all(piece).and_then(|()| d.flush());
            let out = std::mem::take(d.get_mut());
            self.inflated_text(&out, st, limits);
            if let Err(e) = res {
                if self.refused.is_none() {
                    self.damaged = Some(damaged(&self.name, &e, self.inflated));
                }
                self.dec = Dec::Done;
                return;
            }
        }
    }

    /// Inflated bytes, under the cap.
    fn inflated_text(&mut self, out: &[u8], st: &mut State, limits: &Limits) {
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
    fn refuse(&mut self, st: &mut State, msg: String) {
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
        self.dec = Dec::Done;
    }

    /// Decoded bytes: the first 8 KiB are held back to recognise binary data.
    fn text(&mut self, bytes: &[u8], st: &mut State, limits: &Limits) {
        if self.refused.is_some() {
            return;
        }
        if !self.sniffed {
            self.sniff.extend_from_slice(bytes);
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
            return;
        }
        self.lines(bytes, st, limits);
    }

    /// Cuts bytes into lines; an unfinished line waits for the next bytes.
    fn lines(&mut self, bytes: &[u8], st: &mut State, limits: &Limits) {
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
        match std::str::from_utf8(whole) {
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
    /// through [`Src::keep_partial`], which cuts it.
    fn long_line(&mut self, piece: &[u8], st: &mut State, limits: &Limits) {
        self.keep_partial(piece);
        let whole = std::mem::take(&mut self.partial);
        self.line(&whole, true, st, limits);
        self.partial = whole;
        self.partial.clear();
    }

    /// Adds to the unfinished line, up to [`MAX_LINE_BYTES`] (cut at a character).
    fn keep_partial(&mut self, piece: &[u8]) {
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

    fn line(&mut self, bytes: &[u8], newline: bool, st: &mut State, limits: &Limits) {
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
    fn text_line(
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

/// What a section being read needs from around it.
struct Env<'e> {
    st: &'e mut State,
    quoted: &'e mut BTreeMap<u32, String>,
    later: &'e mut Vec<LaterDigest>,
    source: usize,
    name: &'e str,
    keep: bool,
    threads: bool,
}

impl<'e> Env<'e> {
    fn new(
        st: &'e mut State,
        quoted: &'e mut BTreeMap<u32, String>,
        later: &'e mut Vec<LaterDigest>,
        source: usize,
        name: &'e str,
        keep: bool,
        limits: &Limits,
    ) -> Self {
        Env { st, quoted, later, source, name, keep, threads: limits.digest_threads }
    }
}

/// The splitter of one input and the section it is reading.
struct Reading {
    splitter: Splitter,
    cur: Option<Cur>,
}

impl Reading {
    fn new(name: &str) -> Reading {
        Reading { splitter: Splitter::new(name), cur: None }
    }

    fn push(&mut self, n: u32, line: &str, env: &mut Env<'_>) {
        self.splitter.push(n, line, &mut Sections { cur: &mut self.cur, env });
    }

    fn end(&mut self, env: &mut Env<'_>) {
        self.splitter.end(&mut Sections { cur: &mut self.cur, env });
    }
}

/// The splitter's events turned into parsed sections: a log section's lines go to its
/// log parser as they arrive; any other section's lines are gathered, and parsed when
/// it ends.
struct Sections<'r, 'e> {
    cur: &'r mut Option<Cur>,
    env: &'r mut Env<'e>,
}

impl split::Sink for Sections<'_, '_> {
    fn capture(&mut self, capture: Capture) {
        merge_capture(&mut self.env.st.model.capture, capture);
    }

    fn begin(&mut self, head: Head) {
        let mut cur = Cur::new(head.first_line);
        cur.kind = head.kind;
        cur.at = head.at;
        cur.command = head.command;
        cur.other_command = head.other_command;
        cur.prompt = head.prompt;
        if cur.kind == SectionKind::Logs {
            cur.body = Body::Log(cur.log_parser(self.env));
        }
        *self.cur = Some(cur);
    }

    fn kind(&mut self, kind: SectionKind) {
        if let Some(c) = self.cur.as_mut() {
            c.kind = kind;
        }
    }

    fn log_by_name(&mut self) {
        let env = &mut *self.env;
        let Some(cur) = self.cur.as_mut() else { return };
        cur.kind = SectionKind::Logs;
        let mut p = cur.log_parser(env);
        if let Body::Lines(lines, _) = std::mem::replace(&mut cur.body, Body::Skip) {
            for (m, l) in lines.iter() {
                p.line(m, l, &mut env.st.model, env.keep);
            }
        }
        cur.body = Body::Log(p);
    }

    fn line(&mut self, n: u32, text: &str) {
        if let Some(cur) = self.cur.as_mut() {
            cur.add(n, text, self.env);
        }
    }

    fn annotation(&mut self, n: u32, annotation: Annotation<'_>) {
        let Some(s) = self.cur.as_mut() else { return };
        match annotation {
            Annotation::ExitCode(code) => s.exit_code = code,
            Annotation::Stderr(err) => s.stderr.push(err.to_string()),
            Annotation::Other => {}
        }
        s.last_line = n;
    }

    fn end(&mut self) {
        if let Some(cur) = self.cur.take() {
            finish_section(cur, self.env);
        }
    }
}

/// A section being read.
struct Cur {
    kind: SectionKind,
    command: Option<Command>,
    other_command: Option<String>,
    at: Option<Timestamp>,
    exit_code: Option<i32>,
    stderr: Vec<String>,
    first_line: u32,
    last_line: u32,
    nonblank: bool,
    /// The prompt line's text, when the section starts with one.
    prompt: Option<String>,
    body: Body,
}

/// Lines of a section gathered in one string: (number, start, end) of each.
#[derive(Default)]
struct Gathered {
    text: String,
    lines: Vec<(u32, u32, u32)>,
}

impl Gathered {
    fn push(&mut self, n: u32, line: &str) {
        // Offsets fit: a gathered section is at most MAX_SECTION_BYTES.
        let start = u32::try_from(self.text.len()).unwrap_or(u32::MAX);
        self.text.push_str(line);
        self.lines.push((n, start, u32::try_from(self.text.len()).unwrap_or(u32::MAX)));
    }

    fn iter(&self) -> impl Iterator<Item = (u32, &str)> + '_ {
        self.lines.iter().map(|&(n, a, b)| (n, self.text.get(a as usize..b as usize).unwrap_or("")))
    }
}

enum Body {
    /// Lines gathered until the section ends (first line left out, when too big).
    Lines(Gathered, Option<u32>),
    /// A log section, read as it streams.
    Log(Box<LogParser>),
    /// An unrecognized bare output: only its extent is kept.
    Skip,
}

impl Cur {
    fn new(n: u32) -> Cur {
        Cur {
            kind: SectionKind::Unknown,
            command: None,
            other_command: None,
            at: None,
            exit_code: None,
            stderr: Vec::new(),
            first_line: n,
            last_line: n,
            nonblank: false,
            prompt: None,
            body: Body::Lines(Gathered::default(), None),
        }
    }

    /// The section's head (no lines) for the parsers.
    fn section<'a>(&self, source: usize, name: &'a str) -> Section<'a> {
        let mut s = Section::new(source, name, self.first_line);
        s.kind = self.kind;
        s.command = self.command.clone();
        s.other_command = self.other_command.clone();
        s.at = self.at;
        s.exit_code = self.exit_code;
        s.stderr = self.stderr.clone();
        s.last_line = self.last_line;
        s
    }

    fn log_parser(&self, env: &Env<'_>) -> Box<LogParser> {
        let ctx = Ctx { default_namespace: env.st.model.capture.namespace.clone(), seq: 0 };
        Box::new(LogParser::new(&self.section(env.source, env.name), &ctx, &env.st.model).with_threads(env.threads))
    }

    fn add(&mut self, n: u32, line: &str, env: &mut Env<'_>) {
        self.last_line = n;
        let blank = crate::text::is_blank(line);
        if let Body::Lines(lines, cut) = &mut self.body {
            if self.kind == SectionKind::Unknown && self.command.is_none() && self.other_command.is_none() && !blank {
                // A bare output of no known shape: skipped (a log by its file name was
                // told apart before this line, see `split::Sink::log_by_name`).
                self.body = Body::Skip;
            } else if lines.text.len() + line.len() <= MAX_SECTION_BYTES && cut.is_none() {
                lines.push(n, line);
            } else if cut.is_none() {
                *cut = Some(n);
            }
        }
        if let Body::Log(p) = &mut self.body {
            p.line(n, line, &mut env.st.model, env.keep);
        }
        self.nonblank |= !blank;
    }
}

/// Parses a section that ended (see [`Sections`]).
fn finish_section(mut cur: Cur, env: &mut Env<'_>) {
    let body = std::mem::replace(&mut cur.body, Body::Skip);
    let mut section = cur.section(env.source, env.name);
    let (lines, cut, parser, gathered) = match body {
        Body::Lines(l, cut) => (l, cut, None, true),
        Body::Log(p) => (Gathered::default(), None, Some(p), false),
        Body::Skip => (Gathered::default(), None, None, false),
    };
    section.lines = lines.iter().collect();
    let model = &mut env.st.model;
    let digests = &mut env.st.digests;
    let counter = env.st.seq.entry(cur.kind).or_insert(0);
    let ctx = Ctx { default_namespace: model.capture.namespace.clone(), seq: *counter };
    *counter += 1;
    let origin = Origin { source: env.source, line: cur.first_line };
    match (gathered, parser) {
        (true, _) => {
            if cur.kind == SectionKind::Logs {
                let mut p = LogParser::new(&section, &ctx, model).with_threads(env.threads);
                for &(n, l) in &section.lines {
                    p.line(n, l, model, env.keep);
                }
                p.finish(&section, model, digests, env.quoted, env.keep);
            } else {
                parse::parse_section(&section, &ctx, model, digests);
            }
            if let Some(from) = cut {
                model.warn(
                    Origin { source: env.source, line: from },
                    format!(
                        "lines {}-{}: the output is larger than {} MiB; only its first {} MiB were read, lines {from}-{} were skipped",
                        cur.first_line,
                        cur.last_line,
                        MAX_SECTION_BYTES >> 20,
                        MAX_SECTION_BYTES >> 20,
                        cur.last_line
                    ),
                );
            }
            for &(n, l) in &section.lines {
                env.quoted.entry(n).or_insert_with(|| l.to_string());
            }
        }
        // With the digest thread, the stream's digest is collected when the input
        // ends, so this thread goes on reading meanwhile.
        (false, Some(p)) => {
            let later = env.threads.then_some(&mut *env.later);
            p.finish_later(&section, model, digests, env.quoted, env.keep, later);
        }
        (false, None) => {
            model.warn(origin, format!("unrecognized section skipped (lines {}-{})", cur.first_line, cur.last_line))
        }
    }
    if let Some(p) = cur.prompt.take() {
        env.quoted.entry(cur.first_line).or_insert(p);
    }
    if cur.kind == SectionKind::Unknown && !cur.nonblank {
        return; // blank lines between outputs are not a section
    }
    model.sections.push(model::SectionInfo {
        kind: cur.kind,
        command: cur.command.as_ref().map(|c| c.raw.clone()).or_else(|| cur.other_command.clone()),
        at: cur.at,
        source: env.source,
        first_line: cur.first_line,
        last_line: cur.last_line,
    });
}

pub(crate) fn merge_capture(into: &mut Capture, from: Capture) {
    into.format_version = into.format_version.take().or(from.format_version);
    into.captured_at = into.captured_at.or(from.captured_at);
    into.context = into.context.take().or(from.context);
    into.namespace = into.namespace.take().or(from.namespace);
    into.selector = into.selector.take().or(from.selector);
}

/// A log read before the pod's containers were known (logs pasted before `describe`)
/// sits under the placeholder container `(default)`; once the pod turns out to have
/// exactly one container, the log belongs to it.
fn resolve_default_containers(model: &mut Model) {
    for pod in &mut model.pods {
        let Some(i) = pod.containers.iter().position(|c| c.name == parse::logs::DEFAULT_CONTAINER) else {
            continue;
        };
        let real: Vec<usize> = (0..pod.containers.len()).filter(|&j| j != i && !pod.containers[j].init).collect();
        if let [j] = real[..] {
            let placeholder = pod.containers.remove(i);
            let j = if j > i { j - 1 } else { j };
            let target = &mut pod.containers[j];
            target.logs.extend(placeholder.logs);
            target.memory_samples.extend(placeholder.memory_samples);
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::Analyzer;
    use crate::input::Limits;
    use crate::report;

    fn whole(name: &str, bytes: &[u8], limits: Limits) -> String {
        let mut a = Analyzer::new(limits);
        a.begin(name);
        a.feed(bytes);
        a.end();
        report::to_json(&a.finish())
    }

    fn chunked(name: &str, bytes: &[u8], size: usize, limits: Limits) -> String {
        let mut a = Analyzer::new(limits);
        a.begin(name);
        for c in bytes.chunks(size) {
            a.feed(c);
        }
        a.end();
        report::to_json(&a.finish())
    }

    fn keep_none() -> Limits {
        Limits { keep_text_bytes: 0, ..Limits::default() }
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    /// Every fixture: the same report whatever the chunks (even one byte, cutting UTF-8
    /// characters and lines), gzipped or not, with or without the full text kept (the
    /// evidence texts then come from the quoted lines).
    #[test]
    fn fixtures_give_the_same_report_however_they_stream() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/cases");
        let mut n = 0;
        for kind in std::fs::read_dir(&root).unwrap() {
            for f in std::fs::read_dir(kind.unwrap().path()).unwrap() {
                let path = f.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().to_string();
                if name.ends_with(".expected.json") {
                    continue;
                }
                let bytes = std::fs::read(&path).unwrap();
                let base = whole(&name, &bytes, Limits::default());
                assert_eq!(whole(&name, &bytes, keep_none()), base, "{name}: without the full text");
                for size in [1, 7, 4096] {
                    assert_eq!(chunked(&name, &bytes, size, keep_none()), base, "{name}: chunks of {size}");
                }
                assert_eq!(chunked(&name, &bytes, 4096, threads()), base, "{name}: on the digest thread");
                if !name.ends_with(".gz") {
                    let gz = gzip(&bytes);
                    assert_eq!(
                        chunked(&format!("{name}.gz"), &gz, 13, keep_none()).replace(".gz\"", "\""),
                        base,
                        "{name}: gzip"
                    );
                }
                n += 1;
            }
        }
        assert!(n > 30, "{n} fixtures");
    }

    /// A generated bundle (every log kind of the bench) gives the same report streamed in
    /// chunks without its text as read whole with it.
    #[test]
    fn a_generated_bundle_streams_to_the_same_report() {
        let text = xtask::gen::generate_string(&xtask::gen::Options { size: 3_000_000, seed: 7 });
        let keep_all = Limits { keep_text_bytes: u64::MAX, ..Limits::default() };
        let base = whole("bundle.txt", text.as_bytes(), keep_all);
        assert!(base.contains("\"evidence\""), "the bundle has findings");
        assert_eq!(chunked("bundle.txt", text.as_bytes(), 65_536 + 3, keep_none()), base);
        // On the digest thread, whose digests come back when the input ends.
        assert_eq!(chunked("bundle.txt", text.as_bytes(), 65_536 + 3, threads()), base);
    }

    /// Three inputs: plain; a gzip refused at the inflate cap after some of its log
    /// streams had ended (what was read of it is taken back); a damaged gzip (what was
    /// read stays). The same report on the digest thread, whose digests come back when
    /// each input ends, as on this one.
    #[test]
    fn digests_of_each_input_come_back_before_it_ends() {
        let text = xtask::gen::generate_string(&xtask::gen::Options { size: 400_000, seed: 3 });
        let big = gzip(text.as_bytes());
        let mut damaged = big.clone();
        damaged.truncate(big.len() / 2);
        damaged.extend_from_slice(&[0xFF; 64]);
        let run = |limits: Limits| {
            let limits = Limits { max_inflated_bytes: 300_000, ..limits };
            let mut a = Analyzer::new(limits);
            for (name, bytes) in
                [("one.txt", text.as_bytes()), ("two.txt.gz", &big[..]), ("three.txt.gz", &damaged[..])]
            {
                a.begin(name);
                for c in bytes.chunks(8192) {
                    a.feed(c);
                }
                a.end();
            }
            report::to_json(&a.finish())
        };
        let base = run(keep_none());
        assert!(base.contains("two.txt.gz: refused: gzip inflates to more than"), "the second input is refused");
        assert!(base.contains("three.txt.gz"), "the third input is reported");
        assert_eq!(run(threads()), base);
    }

    fn threads() -> Limits {
        Limits { digest_threads: true, ..keep_none() }
    }

    #[test]
    fn big_sources_keep_only_quoted_lines() {
        let mut text = String::from("$ kubectl logs w -c app --timestamps\n");
        for i in 0..2000 {
            text.push_str(&format!(
                "2026-11-24T10:{:02}:{:02}.000000000Z INFO handled request {i}\n",
                i / 60 % 60,
                i % 60
            ));
        }
        text.push_str("2026-11-24T11:00:00.000000000Z MemoryError\n");
        let mut a = Analyzer::new(keep_none());
        a.feed(text.as_bytes());
        let r = a.finish();
        let src = &r.model.sources[0];
        assert!(src.text.is_empty());
        assert_eq!(src.lines, 2002);
        assert!(src.quoted.len() < 400, "{} lines kept", src.quoted.len());
        assert_eq!(
            r.model.line_text(crate::model::Origin { source: 0, line: 2002 }),
            "2026-11-24T11:00:00.000000000Z MemoryError"
        );
        assert!(r.model.pods[0].containers[0].logs[0].lines.is_empty());
    }

    #[test]
    fn empty_and_one_byte_inputs() {
        let mut a = Analyzer::new(Limits::default());
        a.begin("e.txt");
        a.end();
        a.begin("one.txt");
        a.feed(b"\x1f");
        a.end();
        let r = a.finish();
        assert_eq!(r.model.warnings[0].message, "e.txt: the input is empty");
        assert_eq!(r.model.sources[1].lines, 1);
    }

    /// A whole gzip of nothing (the `decode` fuzz target's find) says so, here and in
    /// `input::decode`.
    #[test]
    fn a_gzip_of_nothing_says_so() {
        let empty = [0x1f, 0x8b, 8, 1, 0x76, 0xbe, 0x1f, 2, 0x76, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        let want = "capture.txt.gz: the gzip holds no text (it inflates to 0 bytes)";
        let d = crate::input::decode("capture.txt.gz", &empty, &Limits::default());
        assert_eq!((d.text.as_ref(), d.problems), ("", vec![want.to_string()]));
        for size in [1, 3, empty.len()] {
            let mut a = Analyzer::new(Limits::default());
            a.begin("capture.txt.gz");
            for c in empty.chunks(size) {
                a.feed(c);
            }
            a.end();
            let r = a.finish();
            let warnings: Vec<&str> = r.model.warnings.iter().map(|w| w.message.as_str()).collect();
            assert_eq!(warnings, vec![want], "chunks of {size}");
        }
        // A gzip of one line is no such case.
        let mut a = Analyzer::new(Limits::default());
        a.begin("one.txt.gz");
        a.feed(&gzip(b"NAME READY\n"));
        a.end();
        assert!(a.finish().model.warnings.iter().all(|w| !w.message.contains("holds no text")));
    }

    /// Beyond the kept entries (4096 per stream), counts and times still cover every match.
    #[test]
    fn memory_error_counts_are_exact_past_the_kept_entries() {
        let mut text = String::from("$ kubectl logs w -c app --timestamps\n");
        for i in 0..10_000 {
            text.push_str(&format!("2026-11-24T10:{:02}:{:02}.000000000Z MemoryError\n", i / 60 % 60, i % 60));
        }
        let mut a = Analyzer::new(keep_none());
        a.feed(text.as_bytes());
        let (r, digests) = a.finish_with_digests();
        let f = r.findings.iter().find(|f| f.kind == "memory-error").expect("a finding");
        assert!(f.title.starts_with("app: 10000 MemoryErrors, "), "{}", f.title);
        let d = digests.of(&r.model.pods[0].containers[0].logs[0]);
        assert!(r.model.pods[0].containers[0].logs[0].digest.is_some());
        assert!(d.matched.len() <= crate::logdigest::MAX_MATCHED);
    }

    #[test]
    fn a_line_past_the_cap_is_cut_with_a_warning() {
        let mut text = "é".repeat(super::MAX_LINE_BYTES / 2 + 10);
        text.push_str("\nNAME   CPU(cores)   MEMORY(bytes)\nw-1    1m   10Mi\n");
        let mut a = Analyzer::new(keep_none());
        a.begin("t.txt");
        for c in text.as_bytes().chunks(1 << 20) {
            a.feed(c);
        }
        a.end();
        let r = a.finish();
        assert_eq!(r.model.sources[0].bytes, text.len() as u64);
        let first = 2 * (super::MAX_LINE_BYTES / 2 + 10);
        let want = format!("line 1 has {first} bytes: only its first 64 MiB");
        assert!(r.model.warnings.iter().any(|w| w.message.starts_with(&want)), "{:?}", r.model.warnings);
        assert!(r.model.warnings.iter().all(|w| !w.message.contains("UTF-8")), "cut at a character");
        assert_eq!(r.model.pods[0].memory_samples[0].bytes, 10 << 20);
    }
}
