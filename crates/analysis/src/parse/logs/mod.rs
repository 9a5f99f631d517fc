//! `kubectl logs` output, and bare `*.log` files.
//!
//! Each run becomes one [`LogStream`] of the container (`previous` from `-p`/`--previous`),
//! each line one [`LogLine`] with its origin line. Recognises:
//! - `--timestamps`: the RFC 3339 time kubectl puts before each line is stripped into `at`;
//! - `--prefix` (also `--all-pods`, and any section whose first line carries one):
//!   `[pod/NAME/CONTAINER] ` routes each line to that pod and container, so one section can
//!   give several streams; a line without a prefix there goes to the stream of the line
//!   before it;
//! - a time the line gives itself when kubectl gave none (`2026-11-24 10:00:01,123 INFO …`
//!   taken as UTC, ISO 8601, gunicorn's `[2026-11-24 10:00:01 +0000]` and access-log
//!   times, JSON `ts`/`time`/`timestamp`/`@timestamp`, logfmt `ts=`/`time=`), else `None`
//!   (`WARNING:root:…` and uvicorn's `INFO:     …` carry no time);
//! - Python tracebacks (`Traceback (most recent call last):`, indented lines, then the
//!   exception line such as `MemoryError` or `KeyError: 'x'`; chained ones joined by
//!   `During handling of the above exception…` or `The above exception was the direct
//!   cause…`; exception groups) become ONE line whose text joins them with `\n`, with the
//!   origin and time of its first line;
//! - kubectl's own messages, which become warnings and no log line:
//!   `Error from server (BadRequest): previous terminated container "worker" in pod "x" not
//!   found`, `Error from server (NotFound): …`, an `error: …` first line, the kubelet's
//!   `unable to retrieve container logs for …`, the collector's `# kubeleak: stderr:` lines;
//!   `Defaulted container "worker" out of: worker, sidecar` names the container instead;
//! - in bare files, the container runtime's own format (`<time> stdout F <text>`, partial
//!   `P` lines joined) and a kubelet time (9 fraction digits) starting every line.
//!
//! Rules where the output does not say:
//! - **Pod**: the prefix; else the command's `POD` or `pod/POD`; for `deploy/NAME` and other
//!   controllers, the only pod of it the model knows, else a placeholder pod named as typed
//!   (`deploy/worker`); for `-l SEL` without prefixes, a placeholder pod `-l SEL`; for a
//!   bare file, the file name: `POD_CONTAINER.log`, `POD.log`, the kubelet's
//!   `POD_NAMESPACE_CONTAINER-<id>.log` or `…/NAMESPACE_POD_UID/CONTAINER/N.log`, else a pod
//!   named by the whole file name (`My Logs.log`, `logs.txt`). Placeholders come with a
//!   warning.
//! - **Container**: `-c`, the second positional word (`kubectl logs POD CONTAINER`), the
//!   prefix, the file name, or a `Defaulted container` line; else the pod's only container
//!   when the model already knows exactly one (not counting init containers, or counting
//!   them with `--all-containers`), else the placeholder [`DEFAULT_CONTAINER`] (or
//!   [`ALL_CONTAINERS`] with `--all-containers` and no prefix).
//! - **Empty lines** are left out; a run with no output and no error gives an empty
//!   stream when the pod is known (the container printed nothing).
//! - **Size**: a line's stored text is cut at [`MAX_LINE_BYTES`] (64 KiB) with a marker
//!   `… [kubeleak: line cut at 65536 of N bytes]`, and a traceback longer than that keeps
//!   its first and last 32 KiB around a marker; one warning per section says so. JSON lines
//!   longer than the cap get no time. Work is linear in the size of the section.
//!
//! Example:
//! ```text
//! $ kubectl logs -n shop worker-7d9f8b6c5-x2x9k -c worker --previous --timestamps
//! 2026-11-24T10:00:01.123456789Z 2026-11-24 10:00:01,120 INFO app.cache: cache size=1024 entries
//! ```
//! gives container `worker` of pod `worker-7d9f8b6c5-x2x9k` a previous stream with one
//! line at 10:00:01.123456789Z whose text starts `2026-11-24 10:00:01,120 INFO`.

use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};

use jiff::Timestamp;

use super::{origin, SectionContext};
use crate::digest_sink::DigestSink;
use crate::logdigest::Digests;
use crate::model::{LogLine, LogStream, Model, Origin};
use crate::sections::Section;

mod line_time;
mod who;

/// Largest stored text of one log line, in bytes.
pub const MAX_LINE_BYTES: usize = 64 * 1024;
/// Container name used when the output does not say which container printed the log.
pub const DEFAULT_CONTAINER: &str = "(default)";
/// Container name used for `--all-containers` output without prefixes.
pub const ALL_CONTAINERS: &str = "(all containers)";

const TRACEBACK: &str = "Traceback (most recent call last):";
const CHAIN_NOTES: [&str; 2] = [
    "During handling of the above exception, another exception occurred:",
    "The above exception was the direct cause of the following exception:",
];

fn is_group_start(body: &str) -> bool {
    body.starts_with(char::is_whitespace)
        && body.trim_start().starts_with("+ Exception Group Traceback (most recent call last):")
}

/// What is too long in a section, for one warning.
#[derive(Default)]
struct Cuts {
    lines: u32,
    first: Option<Origin>,
    longest: usize,
    tracebacks: u32,
}

impl Cuts {
    fn note(&mut self, at: Origin, len: usize) {
        self.lines += 1;
        self.first.get_or_insert(at);
        self.longest = self.longest.max(len);
    }
}

/// The text of a line, cut at `max` bytes with a marker.
fn capped<'a>(s: Cow<'a, str>, max: usize, at: Origin, cuts: &mut Cuts) -> Cow<'a, str> {
    if s.len() <= max {
        return s;
    }
    cuts.note(at, s.len());
    Cow::Owned(format!("{}… [kubeleak: line cut at {max} of {} bytes]", line_time::head(&s, max), s.len()))
}

#[derive(Clone, Copy, PartialEq)]
enum TbState {
    /// Inside the frames: indented lines continue, the first other line ends it.
    Frames,
    /// After the exception line: a chain note may continue it.
    AfterException,
    /// After a chain note: the next traceback continues it.
    AfterChainNote,
    /// Inside an exception group: indented lines continue.
    Group,
}

/// A traceback being gathered: its first and last lines, bounded in size, with the
/// source lines they came from (for the texts evidence may quote).
struct Traceback {
    at: Option<Timestamp>,
    origin: Origin,
    state: TbState,
    head: Vec<String>,
    head_bytes: usize,
    tail: VecDeque<String>,
    tail_bytes: usize,
    left_out_lines: usize,
    left_out_bytes: usize,
    /// Source lines read into it (number, text), first and last ones as for the text.
    raws: Vec<(u32, String)>,
    raws_tail: VecDeque<(u32, String)>,
}

impl Traceback {
    const HALF: usize = MAX_LINE_BYTES / 2;

    fn new(at: Option<Timestamp>, origin: Origin, first: &str, raw: &str, state: TbState, cuts: &mut Cuts) -> Self {
        let mut tb = Traceback {
            at,
            origin,
            state,
            head: Vec::new(),
            head_bytes: 0,
            tail: VecDeque::new(),
            tail_bytes: 0,
            left_out_lines: 0,
            left_out_bytes: 0,
            raws: Vec::new(),
            raws_tail: VecDeque::new(),
        };
        tb.add(first, Some(raw), origin, cuts);
        tb
    }

    fn add(&mut self, line: &str, raw: Option<&str>, at: Origin, cuts: &mut Cuts) {
        let line = capped(Cow::Borrowed(line), Self::HALF, at, cuts).into_owned();
        let raw = raw.map(|r| (at.line, line_time::head(r, Self::HALF + 64).to_string()));
        let n = line.len() + 1;
        if self.tail.is_empty() && self.head_bytes + n <= Self::HALF {
            self.head_bytes += n;
            self.head.push(line);
            self.raws.extend(raw);
            return;
        }
        self.tail_bytes += n;
        self.tail.push_back(line);
        self.raws_tail.extend(raw);
        while self.tail_bytes > Self::HALF && self.tail.len() > 1 {
            if let Some(old) = self.tail.pop_front() {
                self.tail_bytes -= old.len() + 1;
                self.left_out_lines += 1;
                self.left_out_bytes += old.len() + 1;
            }
        }
        let first_kept = self.raws_tail.len().saturating_sub(self.tail.len());
        self.raws_tail.drain(..first_kept);
    }

    fn finish(self, cuts: &mut Cuts) -> (LogLine, Vec<(u32, String)>) {
        let mut parts: Vec<String> = self.head;
        if self.left_out_lines > 0 {
            cuts.tracebacks += 1;
            cuts.first.get_or_insert(self.origin);
            parts.push(format!(
                "… [kubeleak: {} lines ({} bytes) of this traceback left out] …",
                self.left_out_lines, self.left_out_bytes
            ));
        }
        parts.extend(self.tail);
        let mut raws = self.raws;
        raws.extend(self.raws_tail);
        (LogLine { at: self.at, text: parts.join("\n"), origin: self.origin }, raws)
    }
}

/// Lines of one pod/container, as they are read: kept (small sources) and digested.
struct Stream {
    pod: String,
    container: Option<String>,
    /// A placeholder pod's warning, given when the stream is kept.
    note: Option<String>,
    /// Keep the stream even when it has no line.
    keep_empty: bool,
    first: Origin,
    /// The text of the first line (the pod's origin may quote it).
    first_raw: String,
    lines: Vec<LogLine>,
    digest: DigestSink,
    traceback: Option<Traceback>,
    /// A container runtime's partial (`P`) line waiting for its end, with its source line.
    partial: Option<(Origin, Option<Timestamp>, String, String)>,
}

impl Stream {
    fn new(pod: String, container: Option<String>, first: Origin, first_raw: &str, threads: usize) -> Self {
        Stream {
            pod,
            container,
            note: None,
            keep_empty: false,
            first,
            first_raw: first_raw.to_string(),
            lines: Vec::new(),
            digest: DigestSink::new(threads),
            traceback: None,
            partial: None,
        }
    }

    fn emit(&mut self, at: Option<Timestamp>, text: &str, origin: Origin, raws: &[(u32, &str)], keep: bool) {
        self.digest.push(at, text, origin, raws);
        if keep {
            self.lines.push(LogLine { at, text: text.to_string(), origin });
        }
    }

    /// Adds one non-empty line (its kubectl time, if any, already split off). `raw`: the
    /// source line.
    fn push(&mut self, at: Origin, time: Option<Timestamp>, body: &str, raw: &str, cuts: &mut Cuts, keep: bool) {
        if let Some(tb) = self.traceback.as_mut() {
            let continues = match tb.state {
                TbState::Frames => !body.starts_with(TRACEBACK),
                TbState::AfterException => CHAIN_NOTES.iter().any(|n| body.starts_with(n)),
                TbState::AfterChainNote => body.starts_with(TRACEBACK) || is_group_start(body),
                TbState::Group => body.starts_with(char::is_whitespace),
            };
            if continues {
                // Python prints a blank line before and after a chain note.
                let blank_before = matches!(tb.state, TbState::AfterException | TbState::AfterChainNote);
                tb.state = match tb.state {
                    TbState::Frames if body.starts_with(char::is_whitespace) => TbState::Frames,
                    TbState::Frames => TbState::AfterException,
                    TbState::AfterException => TbState::AfterChainNote,
                    TbState::AfterChainNote if body.starts_with(TRACEBACK) => TbState::Frames,
                    TbState::AfterChainNote | TbState::Group => TbState::Group,
                };
                if blank_before {
                    tb.add("", None, at, cuts);
                }
                tb.add(body, Some(raw), at, cuts);
                return;
            }
            self.end_traceback(cuts, keep);
        }
        if body.starts_with(TRACEBACK) {
            self.traceback = Some(Traceback::new(time, at, body, raw, TbState::Frames, cuts));
            return;
        }
        if is_group_start(body) {
            self.traceback = Some(Traceback::new(time, at, body, raw, TbState::Group, cuts));
            return;
        }
        let time = time.or_else(|| line_time::time_in_line(body, MAX_LINE_BYTES));
        let text = capped(Cow::Borrowed(body), MAX_LINE_BYTES, at, cuts);
        self.emit(time, &text, at, &[(at.line, raw)], keep);
    }

    /// A container runtime line: `P` parts are joined until the `F` part.
    #[allow(clippy::too_many_arguments)]
    fn push_cri(
        &mut self,
        at: Origin,
        time: Timestamp,
        full: bool,
        text: &str,
        raw: &str,
        cuts: &mut Cuts,
        keep: bool,
    ) {
        match (self.partial.take(), full) {
            (None, true) => {
                if !text.trim().is_empty() {
                    self.push(at, Some(time), text, raw, cuts, keep);
                }
            }
            (None, false) => self.partial = Some((at, Some(time), text.to_string(), raw.to_string())),
            (Some((first, t0, mut acc, raw0)), _) => {
                // Bounded: what is past the cap would be cut anyway.
                if acc.len() <= MAX_LINE_BYTES {
                    acc.push_str(line_time::head(text, MAX_LINE_BYTES + 1));
                }
                if full {
                    if !acc.trim().is_empty() {
                        self.push(first, t0, &acc, &raw0, cuts, keep);
                    }
                } else {
                    self.partial = Some((first, t0, acc, raw0));
                }
            }
        }
    }

    fn end_traceback(&mut self, cuts: &mut Cuts, keep: bool) {
        if let Some(tb) = self.traceback.take() {
            let (entry, raws) = tb.finish(cuts);
            let raws: Vec<(u32, &str)> = raws.iter().map(|(n, t)| (*n, t.as_str())).collect();
            self.emit(entry.at, &entry.text, entry.origin, &raws, keep);
        }
    }

    fn finish(&mut self, cuts: &mut Cuts, keep: bool) {
        if let Some((first, t0, acc, raw0)) = self.partial.take() {
            if !acc.trim().is_empty() {
                self.push(first, t0, &acc, &raw0, cuts, keep);
            }
        }
        self.end_traceback(cuts, keep);
    }
}

/// `[pod/NAME/CONTAINER] ` at the start of a line: (key `NAME/CONTAINER`, pod, container,
/// rest of the line).
fn split_prefix(line: &str) -> Option<(&str, &str, &str, &str)> {
    let inner_and_rest = line.strip_prefix("[pod/")?;
    let h = line_time::head(inner_and_rest, 400);
    let close = h.find(']')?;
    let key = inner_and_rest.get(..close)?;
    let rest = inner_and_rest.get(close + 1..)?;
    let rest = match rest.strip_prefix(' ') {
        Some(r) => r,
        None if rest.is_empty() => rest,
        None => return None,
    };
    let (pod, container) = key.split_once('/')?;
    if pod.is_empty() || key.contains(char::is_whitespace) || container.contains('/') {
        return None;
    }
    Some((key, pod, container, rest))
}

/// A message of kubectl or the kubelet (not of the container), as the whole line.
/// `first_error_line`: an `error: …` line counts too (the first line of a pasted command's
/// output, where kubectl's stderr shows up; a collector bundle keeps stderr apart).
fn kubectl_message(line: &str, first_error_line: bool) -> bool {
    let l = line.trim_start();
    // Every message below starts with `e`, `E`, `u` or `f`.
    if !matches!(l.as_bytes().first(), Some(b'e' | b'E' | b'u' | b'f')) {
        return false;
    }
    let starts_ci = |p: &str| l.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p));
    starts_ci("error from server (")
        || starts_ci("error: error from server (")
        || l.starts_with("unable to retrieve container logs for ")
        || l.starts_with("failed to try resolving symlinks in path \"/var/log/pods/")
        || (first_error_line && l.starts_with("error: "))
}

/// `Defaulted container "worker" out of: worker, sidecar (init)` → `worker`.
fn defaulted_container(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("Defaulted container \"")?;
    let (name, tail) = rest.split_once('"')?;
    tail.starts_with(" out of: ").then_some(name)
}

/// A container runtime (CRI) log line: `<time> stdout|stderr F|P <text>`.
fn split_cri(line: &str) -> Option<(Timestamp, bool, &str)> {
    let (time, rest) = line_time::split_kubelet_time(line)?;
    let rest = rest.strip_prefix("stdout ").or_else(|| rest.strip_prefix("stderr "))?;
    let (tag, text) = match rest.split_once(' ') {
        Some((tag, text)) => (tag, text),
        None => (rest, ""),
    };
    match tag {
        "F" => Some((time, true, text)),
        "P" => Some((time, false, text)),
        _ => None,
    }
}

/// True when a bare line starts with a kubelet `--timestamps` time (9 fraction digits).
fn looks_kubelet_timed(line: &str) -> bool {
    let token = line.split(' ').next().unwrap_or("");
    token.len() >= 30
        && token.split_once('.').is_some_and(|(_, f)| f.len() >= 10 && f.bytes().take(9).all(|b| b.is_ascii_digit()))
        && line_time::split_kubelet_time(line).is_some()
}

/// The container a stream's lines go to when the output did not name one.
fn resolve_container(model: &Model, ns: Option<&str>, pod: &str, all: bool) -> String {
    let known: Vec<&str> = model
        .pod(ns, pod)
        .map(|p| p.containers.iter().filter(|c| all || !c.init).map(|c| c.name.as_str()).collect())
        .unwrap_or_default();
    match known.as_slice() {
        [only] => only.to_string(),
        _ if all => ALL_CONTAINERS.to_string(),
        _ => DEFAULT_CONTAINER.to_string(),
    }
}

/// Reads a whole section (the streaming [`LogParser`] over its lines).
pub fn parse(section: &Section<'_>, ctx: &SectionContext, model: &mut Model, digests: &mut Digests) {
    let mut p = LogParser::new(section, ctx, model);
    for &(n, raw) in &section.lines {
        p.line(n, raw, model, true);
    }
    let mut texts = std::collections::BTreeMap::new();
    p.finish(section, model, digests, &mut texts, true);
}

/// How the lines of a section are read, decided by its first line of content.
#[derive(Clone, Copy)]
struct Modes {
    prefix: bool,
    cri: bool,
    timestamps: bool,
}

/// A log stream put in the model before its digest is finished (see
/// [`LogParser::finish_later`]): the slot of its digest in [`Digests`], and the digest.
pub struct DigestToCollect {
    pub slot: usize,
    pub pending: crate::digest_sink::DigestFuture,
}

impl DigestToCollect {
    /// Waits for each digest, in the order the streams ended, and puts it and its
    /// texts where [`LogParser::finish`] would have.
    pub fn resolve(
        later: Vec<DigestToCollect>,
        digests: &mut Digests,
        quoted: &mut std::collections::BTreeMap<u32, String>,
    ) {
        for l in later {
            let (digest, texts) = l.pending.wait();
            for (n, t) in texts {
                quoted.entry(n).or_insert(t);
            }
            digests.fill(l.slot, digest);
        }
    }
}

/// Reads a section of no known shape (or a command's output kubeleak has no parser for)
/// as the log of `pod`, else of the unnamed pod (see [`LogParser::anonymous`]).
pub fn parse_text(
    section: &Section<'_>,
    ctx: &SectionContext,
    model: &mut Model,
    digests: &mut Digests,
    pod: Option<&str>,
) {
    let mut p = LogParser::anonymous(section, ctx, model, pod);
    for &(n, raw) in &section.lines {
        p.line(n, raw, model, true);
    }
    let mut texts = std::collections::BTreeMap::new();
    p.finish(section, model, digests, &mut texts, true);
}

/// A `kubectl logs` section read line by line: each line goes to its stream's digest
/// (and is kept only for small sources); [`LogParser::finish`] puts the streams into the
/// model.
pub struct LogParser {
    target: who::Target,
    source: usize,
    start: Origin,
    /// kubectl's stderr is inline in a paste, apart in a collector bundle.
    inline_stderr: bool,
    /// Where the section's warnings start: the stderr ones (known only at its end) go first.
    warn_mark: usize,
    modes: Option<Modes>,
    streams: Vec<Stream>,
    by_key: HashMap<String, usize>,
    default_stream: Option<usize>,
    last: Option<usize>,
    default_container: Option<String>,
    cuts: Cuts,
    seen_content: bool,
    failed: bool,
    /// Lines are being kept in the streams.
    keeping: bool,
    /// The digest threads the streams are dealt to (0: digested here; see [`DigestSink`]).
    threads: usize,
}

impl LogParser {
    /// Starts a section (its command or file name is known; its lines are not).
    pub fn new(section: &Section<'_>, ctx: &SectionContext, model: &Model) -> LogParser {
        let target = who::target(section, ctx, model);
        LogParser {
            default_container: target.container.clone(),
            target,
            source: section.source,
            start: origin(section, section.first_line),
            inline_stderr: section.command.is_some() && model.capture.format_version.is_none(),
            warn_mark: model.warnings.len(),
            modes: None,
            streams: Vec::new(),
            by_key: HashMap::new(),
            default_stream: None,
            last: None,
            cuts: Cuts::default(),
            seen_content: false,
            failed: false,
            keeping: true,
            threads: 0,
        }
    }

    /// A parser for text of no known shape (see [`SectionKind::Text`](crate::model::SectionKind)):
    /// its lines are the log of `pod` (a pod a nearby command names), else of
    /// [`UNNAMED_POD`](crate::model::UNNAMED_POD), in the container the text does not name.
    pub fn anonymous(section: &Section<'_>, ctx: &SectionContext, model: &Model, pod: Option<&str>) -> LogParser {
        let mut p = LogParser::new(section, ctx, model);
        p.target = who::Target {
            namespace: ctx.namespace(section).map(str::to_string),
            pod: pod.unwrap_or(crate::model::UNNAMED_POD).to_string(),
            pod_known: pod.is_some(),
            bare: true,
            ..who::Target::default()
        };
        p.default_container = None;
        p.inline_stderr = false;
        p
    }

    /// Lets the streams be digested on the digest thread (see [`DigestSink`]).
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = threads;
        self
    }

    fn decide(&mut self, first_content: Option<&str>) -> Modes {
        let t = &self.target;
        let prefix = t.prefix || first_content.is_some_and(|l| split_prefix(l).is_some());
        let cri = t.bare && first_content.is_some_and(|l| split_cri(l).is_some());
        let timestamps = t.timestamps || (t.bare && !cri && first_content.is_some_and(looks_kubelet_timed));
        let m = Modes { prefix, cri, timestamps };
        self.modes = Some(m);
        m
    }

    fn new_default(&mut self, at: Origin, raw: &str) -> usize {
        let mut s = Stream::new(self.target.pod.clone(), self.default_container.clone(), at, raw, self.threads);
        s.note = self.target.note.clone();
        self.streams.push(s);
        self.streams.len() - 1
    }

    /// One line of the section (1-based number `n`, cleaned text). `keep`: keep the
    /// entries in the model (false once the source is too big to keep its text; the
    /// entries kept so far are then dropped).
    pub fn line(&mut self, n: u32, raw: &str, model: &mut Model, keep: bool) {
        if !keep && self.keeping {
            self.keeping = false;
            for s in &mut self.streams {
                s.lines = Vec::new();
            }
        }
        let keep = self.keeping;
        let at = Origin { source: self.source, line: n };
        // Modes are decided by the first line of content.
        if self.modes.is_none()
            && !crate::text::is_blank(raw)
            && defaulted_container(raw).is_none()
            && !kubectl_message(raw, false)
        {
            self.decide(Some(raw));
        }
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let trimmed = crate::text::trim(line);
        if trimmed.is_empty() || trimmed == "^C" {
            return;
        }
        let first = !self.seen_content;
        self.seen_content = true;
        if let Some(c) = defaulted_container(line) {
            if self.target.container.is_none() {
                self.default_container = Some(c.to_string());
                if let Some(i) = self.default_stream {
                    self.streams[i].container = self.default_container.clone();
                }
            }
            return;
        }
        if kubectl_message(line, first && self.inline_stderr) {
            self.failed = true;
            model.warn(at, format!("kubectl logs: {} (no log lines from it)", line.trim()));
            return;
        }
        let modes = match self.modes {
            Some(m) => m,
            None => self.decide(None),
        };
        // Route the line.
        let (idx, rest) = match modes.prefix.then(|| split_prefix(line)).flatten() {
            Some((key, pod, container, rest)) => {
                let i = match self.by_key.get(key) {
                    Some(&i) => i,
                    None => {
                        let c = (!container.is_empty()).then(|| container.to_string());
                        self.streams.push(Stream::new(pod.to_string(), c, at, raw, self.threads));
                        self.by_key.insert(key.to_string(), self.streams.len() - 1);
                        self.streams.len() - 1
                    }
                };
                (i, rest)
            }
            None => {
                let i = match (modes.prefix, self.last, self.default_stream) {
                    (true, Some(i), _) => i,
                    (_, _, Some(i)) => i,
                    _ => {
                        let i = self.new_default(at, raw);
                        self.default_stream = Some(i);
                        i
                    }
                };
                (i, line)
            }
        };
        self.last = Some(idx);
        if kubectl_message(rest, false) {
            self.failed = true;
            model.warn(at, format!("kubectl logs: {} (no log lines from it)", rest.trim()));
            return;
        }
        let cuts = &mut self.cuts;
        let Some(stream) = self.streams.get_mut(idx) else { return };
        if modes.cri {
            match split_cri(rest) {
                Some((time, full, text)) => stream.push_cri(at, time, full, text, raw, cuts, keep),
                None => stream.push(at, None, rest, raw, cuts, keep),
            }
            return;
        }
        let (time, body) = match modes.timestamps.then(|| line_time::split_kubelet_time(rest)).flatten() {
            Some((t, body)) => (Some(t), body),
            None => (None, rest),
        };
        if crate::text::is_blank(body) {
            return;
        }
        stream.push(at, time, body, raw, cuts, keep);
    }

    /// The end of the section (`section`: its head, now with its stderr and exit code):
    /// puts the streams into the model and the texts evidence may quote into `quoted`.
    pub fn finish(
        self,
        section: &Section<'_>,
        model: &mut Model,
        digests: &mut Digests,
        quoted: &mut std::collections::BTreeMap<u32, String>,
        keep: bool,
    ) {
        self.finish_later(section, model, digests, quoted, keep, None);
    }

    /// [`LogParser::finish`]; with `later`, a stream whose digest is still being
    /// finished on the digest thread goes in with no digest yet, and its digest (and the
    /// texts it quotes) is left in `later` for [`DigestToCollect::resolve`] (before the input
    /// ends: the indices hold while it is read).
    pub fn finish_later(
        mut self,
        section: &Section<'_>,
        model: &mut Model,
        digests: &mut Digests,
        quoted: &mut std::collections::BTreeMap<u32, String>,
        keep: bool,
        mut later: Option<&mut Vec<DigestToCollect>>,
    ) {
        let start = self.start;
        // kubectl's errors first, as the section printed them (known only now).
        let mut head_warnings = Vec::new();
        for e in &section.stderr {
            if defaulted_container(e).is_none() && !e.trim().is_empty() {
                self.failed = true;
                head_warnings.push(format!("kubectl logs: {}", e.trim()));
            }
        }
        if let Some(code) = section.exit_code.filter(|c| *c != 0) {
            self.failed = true;
            if section.stderr.is_empty() {
                head_warnings.push(format!("kubectl logs exited with code {code}; its output (if any) is kept"));
            }
        }
        if !head_warnings.is_empty() {
            let mark = self.warn_mark.min(model.warnings.len());
            let tail = model.warnings.split_off(mark);
            for w in head_warnings {
                model.warn(start, w);
            }
            model.warnings.extend(tail);
        }
        let modes = match self.modes {
            Some(m) => m,
            None => self.decide(None),
        };
        let keep = keep && self.keeping;
        // A run that printed nothing: an empty stream of a known pod.
        if self.streams.is_empty() && !self.failed && self.target.pod_known && !modes.prefix {
            let i = self.new_default(start, "");
            self.streams[i].keep_empty = true;
        }

        let namespace = self.target.namespace.clone();
        let namespace = namespace.as_deref();
        let mut cuts = std::mem::take(&mut self.cuts);
        for mut s in std::mem::take(&mut self.streams) {
            s.finish(&mut cuts, keep);
            if s.digest.entries() == 0 && !s.keep_empty {
                continue;
            }
            if let Some(note) = &s.note {
                model.warn(s.first, note.clone());
            }
            let container = match s.container.take() {
                Some(c) => c,
                None => resolve_container(model, namespace, &s.pod, self.target.all_containers && !modes.prefix),
            };
            if !s.first_raw.is_empty() {
                quoted.entry(s.first.line).or_insert(s.first_raw);
            }
            let pod = model.pod_index(namespace, &s.pod, s.first);
            let container = model.pods[pod].container_index(&container);
            let logs = &mut model.pods[pod].containers[container].logs;
            let slot = digests.slot();
            logs.push(LogStream {
                previous: self.target.previous,
                lines: if keep { s.lines } else { Vec::new() },
                digest: Some(slot),
            });
            let d = DigestToCollect { slot, pending: s.digest.finish_later() };
            match later.as_deref_mut() {
                Some(later) => later.push(d),
                None => DigestToCollect::resolve(vec![d], digests, quoted),
            }
        }
        if cuts.lines > 0 || cuts.tracebacks > 0 {
            let mut msg = Vec::new();
            if cuts.lines > 0 {
                msg.push(format!(
                    "{} log line(s) were cut to their first {} KiB ({} KiB inside a traceback); the longest had {} bytes",
                    cuts.lines,
                    MAX_LINE_BYTES / 1024,
                    MAX_LINE_BYTES / 2048,
                    cuts.longest
                ));
            }
            if cuts.tracebacks > 0 {
                msg.push(format!(
                    "{} traceback(s) longer than {} KiB keep only their first and last lines",
                    cuts.tracebacks,
                    MAX_LINE_BYTES / 1024
                ));
            }
            model.warn(cuts.first.unwrap_or(start), msg.join("; "));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{ALL_CONTAINERS, DEFAULT_CONTAINER, MAX_LINE_BYTES};
    use crate::analyze_text;
    use crate::model::{LogStream, Model};

    /// A big paste analyzed with its log lines kept (the default keeps them up to 8 MiB).
    fn keeping_lines(text: &str) -> crate::Analysis {
        let limits = crate::input::Limits { keep_text_bytes: u64::MAX, ..Default::default() };
        crate::analyze(&[crate::Input { name: "paste", bytes: text.as_bytes() }], &limits)
    }

    fn stream<'m>(model: &'m Model, pod: &str, container: &str) -> &'m LogStream {
        let p = model.pods.iter().find(|p| p.name == pod).unwrap_or_else(|| panic!("no pod {pod}: {:#?}", model.pods));
        let c = p.container(container).unwrap_or_else(|| panic!("no container {container} in {:#?}", p.containers));
        assert_eq!(c.logs.len(), 1, "{:#?}", c.logs);
        &c.logs[0]
    }

    fn texts(s: &LogStream) -> Vec<&str> {
        s.lines.iter().map(|l| l.text.as_str()).collect()
    }

    fn times(s: &LogStream) -> Vec<Option<String>> {
        s.lines.iter().map(|l| l.at.map(|t| t.to_string())).collect()
    }

    #[test]
    fn plain_log_with_container_flag() {
        let text = "$ kubectl logs -n shop worker-1 -c worker\nWARNING:root:cache is large\n\nINFO:     Started server process [1]\n2026-11-24 10:00:01,123 INFO app.cache: cache size=1024 entries\n";
        let m = analyze_text("paste", text).model;
        let s = stream(&m, "worker-1", "worker");
        assert!(!s.previous);
        assert_eq!(
            texts(s),
            vec![
                "WARNING:root:cache is large",
                "INFO:     Started server process [1]",
                "2026-11-24 10:00:01,123 INFO app.cache: cache size=1024 entries"
            ]
        );
        assert_eq!(times(s), vec![None, None, Some("2026-11-24T10:00:01.123Z".into())]);
        assert_eq!(s.lines.iter().map(|l| l.origin.line).collect::<Vec<_>>(), vec![2, 4, 5]);
        assert_eq!(m.pods[0].namespace.as_deref(), Some("shop"));
        assert!(m.warnings.is_empty(), "{:?}", m.warnings);
    }

    #[test]
    fn timestamps_are_stripped_and_previous_kept() {
        let text = "$ kubectl logs -n shop worker-1 -c worker --previous --timestamps\n2026-11-24T10:00:01.123456789Z 2026-11-24 09:59:59,000 INFO start\n2026-11-24T10:00:02.000000001Z MemoryError\n2026-11-24T10:00:03.5Z\n";
        let m = analyze_text("paste", text).model;
        let s = stream(&m, "worker-1", "worker");
        assert!(s.previous);
        assert_eq!(texts(s), vec!["2026-11-24 09:59:59,000 INFO start", "MemoryError"]);
        assert_eq!(
            times(s),
            vec![Some("2026-11-24T10:00:01.123456789Z".into()), Some("2026-11-24T10:00:02.000000001Z".into())]
        );
    }

    #[test]
    fn prefix_over_two_pods() {
        let text = "$ kubectl logs -n shop -l app=worker --prefix --all-containers --timestamps\n\
[pod/worker-1/worker] 2026-11-24T10:00:01.000000000Z one\n\
[pod/worker-2/worker] 2026-11-24T10:00:01.500000000Z two\n\
[pod/worker-1/sidecar] 2026-11-24T10:00:02.000000000Z three\n\
[pod/worker-1/worker] 2026-11-24T10:00:03.000000000Z four\n";
        let m = analyze_text("paste", text).model;
        assert_eq!(texts(stream(&m, "worker-1", "worker")), vec!["one", "four"]);
        assert_eq!(texts(stream(&m, "worker-2", "worker")), vec!["two"]);
        assert_eq!(texts(stream(&m, "worker-1", "sidecar")), vec!["three"]);
        assert_eq!(times(stream(&m, "worker-2", "worker")), vec![Some("2026-11-24T10:00:01.5Z".into())]);
        assert!(m.pods.iter().all(|p| p.name != "-l app=worker"));
        assert!(m.warnings.is_empty(), "{:?}", m.warnings);
    }

    #[test]
    fn selector_with_prefixed_lines_but_no_flag() {
        let text = "$ kubectl logs -l app=worker\n[pod/worker-1/worker] a\n[pod/worker-2/worker] b\n";
        let m = analyze_text("paste", text).model;
        assert_eq!(texts(stream(&m, "worker-1", "worker")), vec!["a"]);
        assert_eq!(texts(stream(&m, "worker-2", "worker")), vec!["b"]);
    }

    #[test]
    fn selector_without_prefix_is_a_placeholder_pod() {
        let m = analyze_text("paste", "$ kubectl logs -l app=worker\nhello\n").model;
        assert_eq!(texts(stream(&m, "pods matching app=worker", DEFAULT_CONTAINER)), vec!["hello"]);
        assert!(m.pods.iter().all(|p| p.name != "-l app=worker"), "never a pod named after the selector");
        assert_eq!(m.warnings.len(), 1);
        assert!(m.warnings[0].message.contains("without --prefix"), "{:?}", m.warnings);
    }

    #[test]
    fn selector_logs_belong_to_the_one_pod_with_those_labels() {
        let text = "$ kubectl get pods -n shop --show-labels\n\
NAME                     READY   STATUS    RESTARTS   AGE   LABELS\n\
api-6d4cf56db6-9xk2p     1/1     Running   0          5m    app=api,pod-template-hash=6d4cf56db6\n\
worker-7d9f8b6c5-x2x9k   1/1     Running   0          5m    app=worker,pod-template-hash=7d9f8b6c5\n\
$ kubectl logs -n shop -l app=api\n\
Traceback (most recent call last):\n  File \"app.py\", line 3, in <module>\nMemoryError\n";
        let a = analyze_text("paste", text);
        let s = stream(&a.model, "api-6d4cf56db6-9xk2p", DEFAULT_CONTAINER);
        assert_eq!(s.lines.len(), 1);
        let f: Vec<_> = a.findings.iter().map(|f| (f.kind.as_str(), f.pod.as_deref())).collect();
        assert_eq!(f, [("memory-error", Some("api-6d4cf56db6-9xk2p"))]);
        // Negative control: two pods match, so neither gets the lines; the finding has no pod.
        let two = text.replace("app=worker,", "app=api,");
        let a = analyze_text("paste", &two);
        assert!(a.model.pods.iter().any(|p| p.name == "pods matching app=api"));
        let f: Vec<_> = a.findings.iter().map(|f| (f.kind.as_str(), f.pod.as_deref())).collect();
        assert_eq!(f, [("memory-error", None)]);
    }

    #[test]
    fn json_lines_and_logfmt() {
        let text = concat!(
            "$ kubectl logs worker-1\n",
            r#"{"ts": "2026-11-24T10:00:01.250Z", "level": "info", "msg": "cache", "cache_size": 123}"#,
            "\n",
            r#"{"time": 1795514402, "level": "info", "msg": "x"}"#,
            "\n",
            r#"ts=2026-11-24T10:00:03Z level=info msg="queue grew" queue_len=42"#,
            "\n",
            "level=warn msg=\"no time\" queue_len=43\n",
        );
        let m = analyze_text("paste", text).model;
        let s = stream(&m, "worker-1", DEFAULT_CONTAINER);
        assert_eq!(
            times(s),
            vec![
                Some("2026-11-24T10:00:01.25Z".into()),
                Some("2026-11-24T10:00:02Z".into()),
                Some("2026-11-24T10:00:03Z".into()),
                None
            ]
        );
        assert!(s.lines[0].text.starts_with(r#"{"ts": "#));
    }

    const TRACEBACK: &str = "Traceback (most recent call last):\n  File \"/app/worker.py\", line 42, in <module>\n    main()\n  File \"/app/worker.py\", line 30, in main\n    cache.append(blob)\nMemoryError\n";

    #[test]
    fn traceback_is_one_line() {
        let text = format!("$ kubectl logs worker-1 -c worker\n2026-11-24 10:00:01,123 ERROR app: failed\n{TRACEBACK}2026-11-24 10:00:02,000 INFO app: restarted\n");
        let m = analyze_text("paste", &text).model;
        let s = stream(&m, "worker-1", "worker");
        assert_eq!(s.lines.len(), 3, "{:#?}", s.lines);
        assert_eq!(s.lines[1].text, TRACEBACK.trim_end());
        assert_eq!(s.lines[1].origin.line, 3);
        assert_eq!(s.lines[1].at, None);
        assert_eq!(s.lines[2].origin.line, 9);
    }

    #[test]
    fn traceback_with_timestamps() {
        let mut text = String::from("$ kubectl logs worker-1 -c worker --timestamps\n");
        for (i, l) in TRACEBACK.lines().enumerate() {
            text.push_str(&format!("2026-11-24T10:00:0{i}.000000000Z {l}\n"));
        }
        text.push_str("2026-11-24T10:00:09.000000000Z KeyError: 'x'\n");
        let m = analyze_text("paste", &text).model;
        let s = stream(&m, "worker-1", "worker");
        assert_eq!(texts(s), vec![TRACEBACK.trim_end(), "KeyError: 'x'"]);
        assert_eq!(times(s)[0].as_deref(), Some("2026-11-24T10:00:00Z"));
    }

    #[test]
    fn chained_traceback_and_exception_group() {
        let text = "$ kubectl logs worker-1 -c w\nTraceback (most recent call last):\n  File \"a.py\", line 1, in f\nKeyError: 'x'\n\nDuring handling of the above exception, another exception occurred:\n\nTraceback (most recent call last):\n  File \"a.py\", line 3, in f\nMemoryError\nnext\n  + Exception Group Traceback (most recent call last):\n  |   File \"b.py\", line 1, in <module>\n  | ExceptionGroup: two (2 sub-exceptions)\n  +-+---------------- 1 ----------------\n    | MemoryError\n    +------------------------------------\nafter\n";
        let m = analyze_text("paste", text).model;
        let s = stream(&m, "worker-1", "w");
        assert_eq!(s.lines.len(), 4, "{:#?}", s.lines);
        assert!(
            s.lines[0].text.ends_with("MemoryError")
                && s.lines[0].text.contains(
                    "KeyError: 'x'\n\nDuring handling of the above exception, another exception occurred:\n\nTraceback"
                )
        );
        assert_eq!(s.lines[1].text, "next");
        assert!(
            s.lines[2].text.starts_with("  + Exception Group")
                && s.lines[2].text.ends_with("+------------------------------------")
        );
        assert_eq!(s.lines[3].text, "after");
    }

    #[test]
    fn crlf_lines() {
        let text = "$ kubectl logs worker-1 -c worker --timestamps\r\n2026-11-24T10:00:01.000000000Z hello\r\n\r\n2026-11-24T10:00:02.000000000Z Traceback (most recent call last):\r\n2026-11-24T10:00:02.000000000Z   File \"x.py\", line 1, in f\r\n2026-11-24T10:00:02.000000000Z MemoryError\r\n";
        let m = analyze_text("paste", text).model;
        let s = stream(&m, "worker-1", "worker");
        assert_eq!(
            texts(s),
            vec!["hello", "Traceback (most recent call last):\n  File \"x.py\", line 1, in f\nMemoryError"]
        );
    }

    #[test]
    fn bare_log_files() {
        let m = analyze_text("worker-1_worker.log", "hello\nworld\n").model;
        assert_eq!(texts(stream(&m, "worker-1", "worker")), vec!["hello", "world"]);
        let m = analyze_text("worker-1.log", "2026-11-24T10:00:01.123456789Z hello\n").model;
        let s = stream(&m, "worker-1", DEFAULT_CONTAINER);
        assert_eq!(texts(s), vec!["hello"]);
        assert_eq!(times(s), vec![Some("2026-11-24T10:00:01.123456789Z".into())]);
        let m = analyze_text("My Logs.log", "hello\n").model;
        assert_eq!(texts(stream(&m, "My Logs.log", DEFAULT_CONTAINER)), vec!["hello"]);
        assert!(m.warnings[0].message.contains("does not name a pod"), "{:?}", m.warnings);
    }

    #[test]
    fn container_runtime_file() {
        let id = "ab".repeat(32);
        let name = format!("/var/log/containers/worker-1_shop_worker-{id}.log");
        let text = "2026-11-24T10:00:01.000000001Z stdout F hello\n2026-11-24T10:00:02.000000000Z stderr P part one \n2026-11-24T10:00:02.100000000Z stderr F and two\n";
        let m = analyze_text(&name, text).model;
        let s = stream(&m, "worker-1", "worker");
        assert_eq!(texts(s), vec!["hello", "part one and two"]);
        assert_eq!(times(s)[1].as_deref(), Some("2026-11-24T10:00:02Z"));
        assert_eq!(m.pods[0].namespace.as_deref(), Some("shop"));
    }

    #[test]
    fn kubectl_errors_are_warnings() {
        let text = "$ kubectl logs -n shop x -c worker --previous\nError from server (BadRequest): previous terminated container \"worker\" in pod \"x\" not found\n$ kubectl logs -n shop y\nError from server (NotFound): pods \"y\" not found\n$ kubectl logs z\nerror: container app is not valid for pod z\n";
        let m = analyze_text("paste", text).model;
        assert!(m.pods.is_empty(), "{:#?}", m.pods);
        assert_eq!(m.warnings.len(), 3, "{:?}", m.warnings);
        assert!(m.warnings[0].message.contains("previous terminated container"));
        assert_eq!(m.warnings[0].origin.line, 2);
        assert_eq!(m.warnings[1].origin.line, 4);
    }

    #[test]
    fn error_lines_of_the_app_stay_log_lines() {
        // In a collector bundle kubectl's stderr is apart, so `error: …` is the app's.
        let text = "# kubeleak-bundle: 1\n$ kubectl logs -n shop x -c worker  # at 2026-11-24T10:00:05Z\nerror: cache full\nError from server (NotFound): pods \"x\" not found\n";
        let m = analyze_text("b", text).model;
        assert_eq!(texts(stream(&m, "x", "worker")), vec!["error: cache full"]);
        assert_eq!(m.warnings.len(), 1, "{:?}", m.warnings);
        // In a paste, only as the first line.
        let m = analyze_text("p", "$ kubectl logs x -c worker\nstarted\nerror: cache full\n").model;
        assert_eq!(texts(stream(&m, "x", "worker")), vec!["started", "error: cache full"]);
        let m = analyze_text("logs.txt", "hello\n").model;
        assert_eq!(texts(stream(&m, "logs.txt", DEFAULT_CONTAINER)), vec!["hello"]);
    }

    #[test]
    fn collector_stderr_is_a_warning() {
        let text = "$ kubectl logs -n shop x -c worker --previous --timestamps --tail=-1  # at 2026-11-24T10:00:05Z\n# kubeleak: exit-code 1\n# kubeleak: stderr: Error from server (BadRequest): previous terminated container \"worker\" in pod \"x\" not found\n";
        let m = analyze_text("paste", text).model;
        assert!(m.pods.is_empty(), "{:#?}", m.pods);
        assert!(m.warnings.iter().any(|w| w.message.contains("previous terminated container")), "{:?}", m.warnings);
    }

    #[test]
    fn empty_output_gives_an_empty_stream() {
        let m =
            analyze_text("paste", "$ kubectl logs -n shop x -c worker\n$ kubectl logs -n shop x -c worker -p\nbye\n")
                .model;
        let c = m.pods[0].container("worker").unwrap();
        assert_eq!(c.logs.len(), 2);
        assert!(c.logs[0].lines.is_empty() && !c.logs[0].previous);
        assert!(c.logs[1].previous);
    }

    #[test]
    fn container_from_the_model_or_defaulted_line() {
        let text = "$ kubectl top pod -n shop --containers\nPOD        NAME     CPU(cores)   MEMORY(bytes)\nworker-1   worker   1m           10Mi\nworker-2   app      1m           10Mi\nworker-2   proxy    1m           10Mi\n$ kubectl logs -n shop worker-1\none\n$ kubectl logs -n shop worker-2\ntwo\n$ kubectl logs -n shop pod/worker-2\nDefaulted container \"app\" out of: app, proxy, init (init)\nthree\n$ kubectl logs -n shop worker-1 --all-containers\nfour\n";
        let m = analyze_text("paste", text).model;
        let w1 = m.pod(Some("shop"), "worker-1").unwrap().container("worker").unwrap();
        assert_eq!(w1.logs.len(), 2, "--all-containers and one known container");
        assert_eq!(texts(&w1.logs[0]), vec!["one"]);
        assert_eq!(texts(&w1.logs[1]), vec!["four"]);
        assert_eq!(texts(stream(&m, "worker-2", DEFAULT_CONTAINER)), vec!["two"]);
        assert_eq!(texts(stream(&m, "worker-2", "app")), vec!["three"]);
        let m = analyze_text("p", "$ kubectl logs x --all-containers\nhi\n").model;
        assert_eq!(texts(stream(&m, "x", ALL_CONTAINERS)), vec!["hi"]);
    }

    #[test]
    fn deployment_resolves_to_its_only_known_pod() {
        let text = "$ kubectl top pod -n shop\nNAME                     CPU(cores)   MEMORY(bytes)\nworker-7d9f8b6c5-x2x9k   1m   10Mi\nworker-api-5b6c7d8f9-abcde   1m   10Mi\n$ kubectl logs -n shop deploy/worker -c worker\nhi\n$ kubectl logs -n shop deploy/api\nho\n";
        let m = analyze_text("paste", text).model;
        assert_eq!(texts(stream(&m, "worker-7d9f8b6c5-x2x9k", "worker")), vec!["hi"]);
        assert_eq!(texts(stream(&m, "deploy/api", DEFAULT_CONTAINER)), vec!["ho"]);
        assert_eq!(m.warnings.len(), 1, "{:?}", m.warnings);
    }

    #[test]
    fn huge_line_is_cut_with_a_note() {
        let big = "x".repeat(50 << 20);
        let line = format!("{{\"ts\": \"2026-11-24T10:00:01Z\", \"blob\": \"{big}\"}}");
        let text = format!("$ kubectl logs w -c c\n{line}\nsmall\n");
        let m = keeping_lines(&text).model;
        let s = stream(&m, "w", "c");
        assert_eq!(s.lines.len(), 2);
        assert!(s.lines[0].text.len() < MAX_LINE_BYTES + 100);
        assert!(s.lines[0]
            .text
            .ends_with(&format!("[kubeleak: line cut at {MAX_LINE_BYTES} of {} bytes]", line.len())));
        assert_eq!(s.lines[0].at, None, "JSON longer than the cap is not decoded");
        assert_eq!(m.warnings.len(), 1);
        assert_eq!(m.warnings[0].origin.line, 2);
    }

    #[test]
    fn runaway_traceback_keeps_head_and_tail() {
        let mut text = String::from("$ kubectl logs w -c c\nTraceback (most recent call last):\n");
        for i in 0..20_000 {
            text.push_str(&format!("  File \"f.py\", line {i}, in g\n"));
        }
        text.push_str("RecursionError: maximum recursion depth exceeded\n");
        let m = analyze_text("paste", &text).model;
        let s = stream(&m, "w", "c");
        assert_eq!(s.lines.len(), 1);
        let t = &s.lines[0].text;
        assert!(t.len() <= MAX_LINE_BYTES + 200, "{}", t.len());
        assert!(t.starts_with("Traceback") && t.ends_with("RecursionError: maximum recursion depth exceeded"));
        assert!(t.contains("of this traceback left out"));
        assert_eq!(m.warnings.len(), 1);
    }

    #[test]
    fn odd_lines_do_not_panic() {
        let odd = [
            "[pod/",
            "[pod/a/",
            "[pod//] x",
            "[pod/a/b]",
            "[pod/a/b/c] x",
            "[pod/é/ü] ö",
            "2026-",
            "2026-11-24T",
            "9999-99-99T99:99:99.9999999999Z x",
            "2026-11-24 10:00:01,1234567891 x",
            "2026-11-24 10:00:01 +9999] x",
            "{\"ts\": 1e400}",
            "{\"ts\": [1]}",
            "{\"ts\": \"x\", \"ts\": 1}",
            "ts=\"",
            "ts=",
            "time=\"2026-11-24",
            " =x",
            "\u{feff}hello",
            "[24/Nov/2026:99:00:00 +9999]",
            "[24/Xyz/2026:10:00:00 +0000]",
            "Traceback (most recent call last):",
            "  + Exception Group Traceback (most recent call last):",
            "Defaulted container \"",
            "Defaulted container \"a\"",
            "2026-11-24T10:00:01.000000000Z stdout P",
            "2026-11-24T10:00:01.000000000Z stderr X y",
            "^C",
            "\t",
            "é",
        ];
        let body = odd.join("\n");
        for flags in
            ["", " --timestamps", " --prefix", " --prefix --timestamps -p", " -l a=b", " deploy/x", " --all-containers"]
        {
            let text = format!("$ kubectl logs w{flags}\n{body}\n{body}\n");
            let _ = analyze_text("paste", &text);
        }
        let _ = analyze_text("x_y.log", &body);
        let _ =
            analyze_text("/var/log/pods/a_b_c/d/0.log", &format!("2026-11-24T10:00:01.000000000Z stdout P a\n{body}"));
    }

    #[test]
    fn a_million_lines() {
        let mut text = String::with_capacity(40 << 20);
        // Without --timestamps, so every line's own time is read too.
        text.push_str("$ kubectl logs w -c c\n");
        for i in 0..1_000_000u32 {
            text.push_str("2026-11-24 10:00:01,123 INFO app.cache: line ");
            text.push_str(&i.to_string());
            text.push('\n');
        }
        let m = keeping_lines(&text).model;
        let s = stream(&m, "w", "c");
        assert_eq!(s.lines.len(), 1_000_000);
        assert_eq!(s.lines[999_999].text, "2026-11-24 10:00:01,123 INFO app.cache: line 999999");
        assert_eq!(s.lines[999_999].at.map(|t| t.to_string()).as_deref(), Some("2026-11-24T10:00:01.123Z"));
    }
}
