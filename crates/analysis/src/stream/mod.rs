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
//! The parts: [`decode`] (bytes to cleaned lines, per input), the splitter
//! ([`crate::split`]), and [`parsing`] (its events into parsers and the model); this
//! file drives them and ends the analysis ([`Analyzer::finish`]).
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

use crate::finding::Analysis;
use crate::input::{self, Limits};
use crate::logdigest::Digests;
use crate::model::{self, Capture, Model, Origin, SectionKind};
use crate::parse::{self, logs::DigestToCollect};

/// Largest non-log section gathered before it is parsed (64 MiB); beyond, its lines are
/// skipped with a warning.
pub const MAX_SECTION_BYTES: usize = 64 << 20;

/// Longest line read (64 MiB): the rest of a longer line is skipped with a warning, so
/// a file without line ends is never held whole.
pub const MAX_LINE_BYTES: usize = 64 << 20;

mod decode;
mod parsing;

use decode::{damaged, start, whole_input, Decoder, SNIFF};
use parsing::{Env, Reading};

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
    src: Option<Box<InputReading>>,
    /// An input [`Analyzer::close`]d and not yet [`Analyzer::settle`]d, with its problems.
    closing: Option<(Box<InputReading>, Vec<String>)>,
}

/// One input being read.
struct InputReading {
    index: usize,
    name: String,
    warn_mark: usize,
    raw_len: u64,
    dec: Decoder,
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
    later: Vec<DigestToCollect>,
    reading: Reading,
}

impl Analyzer {
    pub fn new(limits: Limits) -> Self {
        Analyzer { limits, st: State::default(), src: None, closing: None }
    }

    /// Starts a new input (source); ends the current one first.
    pub fn begin(&mut self, name: &str) {
        self.end();
        self.src = Some(Box::new(InputReading {
            index: self.st.model.sources.len(),
            name: name.to_string(),
            warn_mark: self.st.model.warnings.len(),
            raw_len: 0,
            dec: Decoder::Start(Vec::new()),
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
        match std::mem::replace(&mut src.dec, Decoder::Done) {
            Decoder::Start(mut buf) => {
                buf.extend_from_slice(chunk);
                if buf.len() < SNIFF {
                    src.dec = Decoder::Start(buf);
                    return;
                }
                if whole_input(&buf) {
                    src.dec = Decoder::Whole(buf);
                    return;
                }
                start(src, st, limits, &buf);
            }
            Decoder::Whole(mut buf) => {
                buf.extend_from_slice(chunk);
                src.dec = Decoder::Whole(buf);
            }
            Decoder::Plain => {
                src.dec = Decoder::Plain;
                src.text(chunk, st, limits);
            }
            Decoder::Gzip(d) => {
                src.dec = Decoder::Gzip(d);
                src.gunzip(chunk, st, limits);
            }
            Decoder::Done => {}
        }
    }

    /// Ends the current input (nothing happens when none is open): [`Analyzer::close`],
    /// then [`Analyzer::settle`].
    pub fn end(&mut self) {
        self.close();
        self.settle();
    }

    /// The first half of [`Analyzer::end`]: reads the input's last lines and ends its
    /// sections. Its log streams' digests may still be out (in the page's digest
    /// workers: [`crate::digest_workers::awaited`]); [`Analyzer::settle`] collects them.
    pub fn close(&mut self) {
        self.settle();
        let Some(mut src) = self.src.take() else { return };
        let st = &mut self.st;
        let limits = &self.limits;
        let whole = match std::mem::replace(&mut src.dec, Decoder::Done) {
            Decoder::Start(buf) if whole_input(&buf) => Some(buf),
            Decoder::Start(buf) => {
                if !buf.is_empty() {
                    start(&mut src, st, limits, &buf);
                }
                None
            }
            Decoder::Whole(buf) => Some(buf),
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
        match std::mem::replace(&mut src.dec, Decoder::Done) {
            Decoder::Start(_) | Decoder::Whole(_) => {}
            Decoder::Gzip(mut d) => {
                let res = d.try_finish();
                let out = std::mem::take(d.get_mut());
                src.inflated_text(&out, st, limits);
                if let Err(e) = res {
                    if src.damaged.is_none() && src.refused.is_none() {
                        src.damaged = Some(damaged(&src.name, &e, src.inflated));
                    }
                }
            }
            Decoder::Plain | Decoder::Done => {}
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
            // Streams of the rolled-back text: their digests are not collected.
            src.later.clear();
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
            if src.lossy {
                problems.push(input::lossy(&src.name));
            }
        }
        self.closing = Some((src, problems));
    }

    /// The second half of [`Analyzer::end`]: collects the closed input's digests (on
    /// the digest threads natively it waits for them; with digest workers they must have
    /// arrived) and puts the input in the model as a source.
    pub fn settle(&mut self) {
        let Some((mut src, problems)) = self.closing.take() else { return };
        let st = &mut self.st;
        DigestToCollect::resolve(std::mem::take(&mut src.later), &mut st.digests, &mut src.quoted);
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
        let mut diagnoses = crate::diagnose::diagnose(&model, &findings);
        let workloads = crate::workload::judge(&model, &findings, &mut diagnoses);
        (Analysis { model, findings, diagnoses, workloads, redactions: None }, digests)
    }
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
    use std::io::Write;

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

    /// [`chunked`] with the log streams digested by `n` digest workers (the page's), whose
    /// messages are handled only between chunks and after the input is closed (as a
    /// worker's, when the reading worker awaits).
    fn on_workers(name: &str, bytes: &[u8], size: usize, n: usize) -> String {
        let port = crate::digest_sink::remote::Loopback::set(n);
        let mut a = Analyzer::new(Limits { digest_threads: true, threads: n + 1, ..keep_none() });
        a.begin(name);
        for c in bytes.chunks(size) {
            a.feed(c);
            port.pump();
        }
        a.close();
        port.pump();
        assert_eq!(crate::digest_workers::awaited(), 0, "{name}: every digest arrived");
        a.settle();
        let r = report::to_json(&a.finish());
        assert_eq!(crate::digest_workers::lost(), 0, "{name}: no digest lost");
        crate::digest_workers::set_port(None);
        r
    }

    fn keep_none() -> Limits {
        Limits { keep_text_bytes: 0, ..Limits::default() }
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
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
                assert_eq!(chunked(&name, &bytes, 4096, on(4)), base, "{name}: on 4 threads");
                for n in [1, 3] {
                    assert_eq!(on_workers(&name, &bytes, 4096, n), base, "{name}: on {n} digest worker(s)");
                }
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
        // Its log streams dealt to 3 and to 8 digest threads (`--threads 4`, `--threads 9`).
        for n in [4, 9] {
            assert_eq!(chunked("bundle.txt", text.as_bytes(), 65_536 + 3, on(n)), base, "{n} threads");
        }
        // Its log streams posted to 1 and 3 digest workers (the page's), gzipped too.
        for n in [1, 3] {
            assert_eq!(on_workers("bundle.txt", text.as_bytes(), 65_536 + 3, n), base, "{n} digest workers");
        }
        let gz = on_workers("bundle.txt.gz", &gzip(text.as_bytes()), 8192, 2);
        assert_eq!(gz.replace("bundle.txt.gz", "bundle.txt"), base, "gzipped, 2 digest workers");
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
        assert_eq!(run(on(4)), base, "4 threads");
        // On 2 digest workers, answering between chunks and after each input is closed.
        let port = crate::digest_sink::remote::Loopback::set(2);
        let mut a = Analyzer::new(Limits { max_inflated_bytes: 300_000, ..on(3) });
        for (name, bytes) in [("one.txt", text.as_bytes()), ("two.txt.gz", &big[..]), ("three.txt.gz", &damaged[..])] {
            a.begin(name);
            for c in bytes.chunks(8192) {
                a.feed(c);
                port.pump();
            }
            a.close();
            port.pump();
            a.settle();
        }
        assert_eq!(report::to_json(&a.finish()), base, "2 digest workers");
        assert_eq!(crate::digest_workers::lost(), 0);
        crate::digest_workers::set_port(None);
    }

    fn threads() -> Limits {
        Limits { digest_threads: true, ..keep_none() }
    }

    /// `n` threads in all: the reading thread and `n − 1` digest threads.
    fn on(n: usize) -> Limits {
        Limits { digest_threads: true, threads: n, ..keep_none() }
    }

    /// A gzip of several members (`cat a.gz b.gz`, or a collector that appends) streams
    /// to the same report as its text, in any chunks, whichever inflater is built in.
    #[test]
    fn a_gzip_of_several_members_streams_whole() {
        let text = xtask::gen::generate_string(&xtask::gen::Options { size: 600_000, seed: 5 });
        let bytes = text.as_bytes();
        let base = whole("b.txt", bytes, keep_none());
        let cuts = [0, 17, bytes.len() / 3, bytes.len() / 3 + 1, bytes.len()];
        let mut gz = Vec::new();
        for w in cuts.windows(2) {
            gz.extend_from_slice(&gzip(&bytes[w[0]..w[1]]));
        }
        for size in [1 << 20, 8192, 13] {
            assert_eq!(chunked("b.txt.gz", &gz, size, keep_none()).replace(".gz\"", "\""), base, "chunks of {size}");
        }
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
        let w1 = r.model.pods.iter().find(|p| p.name == "w-1").expect("the top sample's pod");
        assert_eq!(w1.memory_samples[0].bytes, 10 << 20);
    }
}
