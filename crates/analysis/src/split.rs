//! The section splitter: cleaned lines in, one after another, and the sections they
//! make out, as events. It is the only splitter: the streaming analysis
//! ([`crate::stream`]) hands its events to the parsers as the lines arrive, and
//! [`crate::sections::split`] gathers them into [`Section`](crate::sections::Section)s
//! (tests, benches, the `sections` fuzz target).
//!
//! Line by line, in this order:
//! - the collector header at the top (`# kubeleak-bundle: 1`, then `# key: value`);
//! - collector annotations after a command (`# kubeleak: exit-code N`,
//!   `# kubeleak: stderr: …`);
//! - `watch` headers (`Every 30.0s: kubectl top pod …   host: Tue Nov 24 10:00:00 2026`)
//!   and prompt lines (`$ kubectl …`, `user@host:~$ kubectl …`, other shell commands) start
//!   a section; a `date` command's output times the next kubectl command that has none;
//! - any other line is output: of the current section, or it starts a bare section, whose
//!   kind comes from the shape of its first lines ([`crate::sections::detect_header`], with
//!   [`AHEAD`] lines of look-ahead), else from the file name (`*.log` is a log), else
//!   unknown.
//!
//! Example: the lines `$ kubectl top pod -n shop      # at 2026-11-24T10:00:05Z`,
//! `NAME  CPU(cores)  MEMORY(bytes)`, `w-1  1m  10Mi` give `begin` (kind `TopPod`, at
//! 10:00:05Z), two `line`s, and `end` when the input ends.

use std::collections::VecDeque;

use jiff::Timestamp;

use crate::model::{Capture, SectionKind};
use crate::sections::{self, Command, Section};
use crate::text::is_blank;
use crate::time;

/// Lines of look-ahead the section detection needs (`describe`, JSON headers).
pub const AHEAD: usize = 6;

/// How a section starts: its first line, what it is, and the command that printed it.
#[derive(Clone, Debug)]
pub struct Head {
    pub first_line: u32,
    pub kind: SectionKind,
    pub command: Option<Command>,
    /// A shell command that is not kubectl (`date`, `grep …`).
    pub other_command: Option<String>,
    /// When the command ran (collector annotation, `watch` header, a preceding `date`).
    pub at: Option<Timestamp>,
    /// The prompt or `watch` line's text, when the section starts with one.
    pub prompt: Option<String>,
}

impl Head {
    /// A section that starts with output, not a command.
    fn bare(n: u32) -> Head {
        Head { first_line: n, kind: SectionKind::Unknown, command: None, other_command: None, at: None, prompt: None }
    }

    /// True when no command printed the section.
    pub fn is_bare(&self) -> bool {
        self.command.is_none() && self.other_command.is_none()
    }
}

/// A collector annotation of the current section.
#[derive(Clone, Copy, Debug)]
pub enum Annotation<'l> {
    ExitCode(Option<i32>),
    Stderr(&'l str),
    /// A `# kubeleak: ` line of no known kind (it still belongs to the section).
    Other,
}

impl Annotation<'_> {
    /// Puts the annotation on a section's exit code or stderr (what every sink does).
    pub fn apply(self, exit_code: &mut Option<i32>, stderr: &mut Vec<String>) {
        match self {
            Annotation::ExitCode(code) => *exit_code = code,
            Annotation::Stderr(err) => stderr.push(err.to_string()),
            Annotation::Other => {}
        }
    }
}

/// What the splitter tells, in order. Between `begin` and `end`, `line`s, annotations
/// and kind changes belong to that section; every `begin` is followed by an `end`.
pub trait Sink {
    /// The collector header ended (`Capture::default()` when there was none).
    fn capture(&mut self, capture: Capture);
    fn begin(&mut self, head: Head);
    /// A bare section's kind became known: from the shape of its first lines, or, at
    /// the end of a section with only blank lines, from the file name.
    fn kind(&mut self, kind: SectionKind);
    /// A bare section's time: the `date` line just before it (a `while … date; kubectl
    /// top pod; sleep …` loop's output).
    fn at(&mut self, at: Timestamp);
    /// A bare section of no known shape turned out to be a log by the file name, at its
    /// first non-blank line (given next).
    fn log_by_name(&mut self);
    fn line(&mut self, n: u32, text: &str);
    fn annotation(&mut self, n: u32, annotation: Annotation<'_>);
    fn end(&mut self);
}

/// What the splitter knows of the section being read.
struct Current {
    kind: SectionKind,
    bare: bool,
    nonblank: bool,
    /// A `date` command's section: the time its output printed, once read.
    date: Option<Option<Timestamp>>,
}

/// Lines with look-ahead, into sections (see the module doc).
pub struct Splitter {
    /// The file name, for the kind of bare output (`*.log`).
    name_kind: Option<SectionKind>,
    window: VecDeque<(u32, String)>,
    spare: Vec<String>,
    prev_blank: Option<bool>,
    in_header: bool,
    /// The collector header read so far.
    capture: Option<Capture>,
    cur: Option<Current>,
    /// The time a `date` command printed, for the next kubectl command.
    pending_date: Option<Timestamp>,
    /// A `date` line just read among output (a loop's), for the next section of a kind.
    loop_date: Option<Timestamp>,
}

impl Splitter {
    /// A splitter for one input named `name`.
    pub fn new(name: &str) -> Splitter {
        Splitter {
            name_kind: sections::kind_from_name(name),
            window: VecDeque::with_capacity(AHEAD + 2),
            spare: Vec::new(),
            prev_blank: None,
            in_header: true,
            capture: Some(Capture::default()),
            cur: None,
            pending_date: None,
            loop_date: None,
        }
    }

    /// The next cleaned line, numbered from 1.
    pub fn push(&mut self, n: u32, line: &str, sink: &mut impl Sink) {
        let mut buf = self.spare.pop().unwrap_or_default();
        buf.clear();
        buf.push_str(line);
        self.window.push_back((n, buf));
        if self.window.len() > AHEAD {
            self.step(sink);
        }
    }

    /// The input ended: the lines still looked ahead at, then the last section's end.
    pub fn end(&mut self, sink: &mut impl Sink) {
        while !self.window.is_empty() {
            self.step(sink);
        }
        self.end_header(sink);
        self.finish(sink);
    }

    fn step(&mut self, sink: &mut impl Sink) {
        let Some((n, text)) = self.window.pop_front() else { return };
        self.process(n, &text, sink);
        self.prev_blank = Some(is_blank(&text));
        if self.spare.len() < AHEAD + 2 {
            self.spare.push(text);
        }
    }

    fn end_header(&mut self, sink: &mut impl Sink) {
        self.in_header = false;
        if let Some(c) = self.capture.take() {
            sink.capture(c);
        }
    }

    /// Ends the current section.
    fn finish(&mut self, sink: &mut impl Sink) {
        let Some(cur) = self.cur.take() else { return };
        if cur.kind == SectionKind::Unknown && cur.bare {
            if let Some(k) = self.name_kind {
                sink.kind(k);
            }
        }
        if let Some(date) = cur.date {
            self.pending_date = date;
        }
        sink.end();
    }

    /// A section that starts with a prompt or `watch` header at line `n`.
    fn begin(&mut self, n: u32, line: &str, at: Option<Timestamp>, cmd: &str, sink: &mut impl Sink) {
        self.finish(sink);
        let mut s = Section::new(0, "", n);
        s.at = at;
        sections::set_command(&mut s, cmd);
        let mut head = Head {
            first_line: n,
            kind: s.kind,
            command: s.command,
            other_command: s.other_command,
            at: s.at,
            prompt: Some(line.to_string()),
        };
        if head.command.is_some() {
            if head.at.is_none() {
                head.at = self.pending_date;
            }
            self.pending_date = None;
        }
        let is_date = head.other_command.as_deref().is_some_and(|c| c.split_whitespace().next() == Some("date"));
        self.cur =
            Some(Current { kind: head.kind, bare: head.is_bare(), nonblank: false, date: is_date.then_some(None) });
        sink.begin(head);
    }

    fn begin_bare(&mut self, n: u32, sink: &mut impl Sink) {
        self.cur = Some(Current { kind: SectionKind::Unknown, bare: true, nonblank: false, date: None });
        sink.begin(Head::bare(n));
    }

    fn process(&mut self, n: u32, line: &str, sink: &mut impl Sink) {
        // Collector header at the top of the file: `# kubeleak-bundle: 1`, then `# key: value`.
        if self.in_header {
            let kv = line.strip_prefix("# ").and_then(|r| r.split_once(':'));
            let started = self.capture.as_ref().is_some_and(|c| c.format_version.is_some());
            match kv {
                Some((k, v)) if k == "kubeleak-bundle" || started => {
                    if let Some(c) = self.capture.as_mut() {
                        let v = v.trim().to_string();
                        match k.trim() {
                            "kubeleak-bundle" => c.format_version = Some(v),
                            "captured-at" => c.captured_at = v.parse().ok(),
                            "context" => c.context = Some(v),
                            "namespace" => c.namespace = Some(v),
                            "selector" => c.selector = Some(v),
                            _ => {} // documented extra keys (redacted counts, tool version)
                        }
                    }
                    return;
                }
                _ => self.end_header(sink),
            }
        }
        // Collector annotations after a command's output.
        if let Some(rest) =
            (line.as_bytes().first() == Some(&b'#')).then(|| line.strip_prefix("# kubeleak: ")).flatten()
        {
            if self.cur.is_some() {
                if let Some(code) = rest.strip_prefix("exit-code ") {
                    sink.annotation(n, Annotation::ExitCode(code.trim().parse().ok()));
                } else if let Some(err) = rest.strip_prefix("stderr: ") {
                    sink.annotation(n, Annotation::Stderr(err));
                } else {
                    sink.annotation(n, Annotation::Other);
                }
            }
            return;
        }
        if let Some(c) = (line.as_bytes().first() == Some(&b'E') && line.starts_with("Every"))
            .then(|| sections::watch_re().captures(line))
            .flatten()
        {
            let at = time::parse_ctime(&c["date"]);
            let cmd = c["cmd"].trim().to_string();
            self.begin(n, line, at, &cmd, sink);
            return;
        }
        if let Some(c) = sections::may_be_prompt(line).then(|| sections::prompt_re().captures(line)).flatten() {
            let mut cmd = c.name("cmd").or_else(|| c.name("bare")).map_or("", |m| m.as_str()).trim().to_string();
            let mut at = None;
            if let Some(a) = sections::at_re().captures(&cmd) {
                at = a["at"].parse::<Timestamp>().ok();
                let cut = a.get(0).map(|m| m.start()).unwrap_or(cmd.len());
                cmd.truncate(cut);
            }
            self.begin(n, line, at, &cmd, sink);
            return;
        }
        // Output line.
        if self.cur.is_none() {
            self.begin_bare(n, sink);
        }
        let mut date_line = false;
        if self.cur.as_ref().is_some_and(|c| c.bare)
            && line.len() < 48
            && line.as_bytes().first().is_some_and(u8::is_ascii_uppercase)
        {
            if let Some(t) = time::parse_ctime(line) {
                self.loop_date = Some(t);
                date_line = true;
            }
        }
        let cur = self.cur.as_ref().expect("set above");
        let is_bare = cur.bare;
        let kind_ok = !matches!(cur.kind, SectionKind::Logs | SectionKind::Other);
        if is_bare || kind_ok {
            // The line before this one (blank or not), this one, and the look-ahead.
            let mut around: Vec<(u32, &str)> = Vec::with_capacity(AHEAD + 2);
            if let Some(b) = self.prev_blank {
                around.push((0, if b { "" } else { "-" }));
            }
            let i = around.len();
            around.push((n, line));
            around.extend(self.window.iter().map(|(m, t)| (*m, t.as_str())));
            if is_bare || crate::pyprof::is_header(&around, i) {
                if let Some(kind) = sections::detect_header(&around, i) {
                    // Bare outputs get no time of their own: a guessed one would fake a trend.
                    if cur.kind != SectionKind::Unknown || cur.nonblank {
                        self.finish(sink);
                        self.begin_bare(n, sink);
                    }
                    if let Some(c) = self.cur.as_mut() {
                        c.kind = kind;
                    }
                    sink.kind(kind);
                    if let Some(t) = self.loop_date.take() {
                        sink.at(t);
                    }
                }
            }
        }
        let blank = is_blank(line);
        if !blank && !date_line {
            // A loop's date times only the section right after it.
            self.loop_date = None;
        }
        let name_kind = self.name_kind;
        let cur = self.cur.as_mut().expect("set above");
        if !blank
            && !cur.nonblank
            && cur.bare
            && cur.kind == SectionKind::Unknown
            && name_kind == Some(SectionKind::Logs)
        {
            cur.kind = SectionKind::Logs;
            sink.log_by_name();
        }
        if let Some(d @ None) = cur.date.as_mut() {
            *d = time::parse_ctime(line);
        }
        cur.nonblank |= !blank;
        sink.line(n, line);
    }
}

/// One source's sections, gathered: what [`split`] returns.
#[derive(Debug, Default)]
pub struct Split<'a> {
    pub sections: Vec<Section<'a>>,
    /// Header values of a collector bundle, if it had one.
    pub capture: Capture,
}

/// Splits one source's cleaned lines (1-based number, text) into sections: the
/// [`Splitter`] run over them, its events gathered. A section of blank lines between
/// outputs is kept, as unknown.
pub fn split<'a>(source: usize, source_name: &'a str, lines: &[(u32, &'a str)]) -> Split<'a> {
    let mut gather = Gather { source, source_name, lines, next: 0, out: Split::default(), cur: None };
    let mut splitter = Splitter::new(source_name);
    for &(n, l) in lines {
        splitter.push(n, l, &mut gather);
    }
    splitter.end(&mut gather);
    gather.out
}

/// The events of one source, gathered into [`Section`]s that borrow its lines.
struct Gather<'a, 'l> {
    source: usize,
    source_name: &'a str,
    lines: &'l [(u32, &'a str)],
    /// Where to look for the next output line in `lines`.
    next: usize,
    out: Split<'a>,
    cur: Option<Section<'a>>,
}

impl Sink for Gather<'_, '_> {
    fn capture(&mut self, capture: Capture) {
        self.out.capture = capture;
    }

    fn begin(&mut self, head: Head) {
        let mut s = Section::new(self.source, self.source_name, head.first_line);
        s.kind = head.kind;
        s.command = head.command;
        s.other_command = head.other_command;
        s.at = head.at;
        self.cur = Some(s);
    }

    fn kind(&mut self, kind: SectionKind) {
        if let Some(s) = self.cur.as_mut() {
            s.kind = kind;
        }
    }

    fn at(&mut self, at: Timestamp) {
        if let Some(s) = self.cur.as_mut() {
            s.at = Some(at);
        }
    }

    fn log_by_name(&mut self) {
        self.kind(SectionKind::Logs);
    }

    fn line(&mut self, n: u32, _text: &str) {
        // The same line, borrowed from the input: lines come in order.
        while self.next < self.lines.len() && self.lines[self.next].0 != n {
            self.next += 1;
        }
        let Some(&line) = self.lines.get(self.next) else { return };
        self.next += 1;
        if let Some(s) = self.cur.as_mut() {
            s.lines.push(line);
            s.last_line = n;
        }
    }

    fn annotation(&mut self, n: u32, annotation: Annotation<'_>) {
        let Some(s) = self.cur.as_mut() else { return };
        annotation.apply(&mut s.exit_code, &mut s.stderr);
        s.last_line = n;
    }

    fn end(&mut self) {
        if let Some(s) = self.cur.take() {
            self.out.sections.push(s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbered(text: &str) -> Vec<(u32, &str)> {
        text.lines().enumerate().map(|(i, l)| (i as u32 + 1, l)).collect()
    }

    #[test]
    fn prompts_of_many_shells() {
        for p in [
            "$ kubectl top pod -n shop",
            "% kubectl top pod -n shop",
            "user@host:~/x$ kubectl top pod -n shop",
            "[me@box work]$ kubectl top pod -n shop",
            "# kubectl top pod -n shop",
            "PS C:\\Users\\me> kubectl top pod -n shop",
            "kubectl top pod -n shop",
        ] {
            let text = format!("{p}\nNAME   CPU(cores)   MEMORY(bytes)\nw-1    1m   10Mi\n");
            let lines = numbered(&text);
            let split = split(0, "t", &lines);
            assert_eq!(split.sections.len(), 1, "{p}");
            assert_eq!(split.sections[0].kind, SectionKind::TopPod, "{p}");
            assert_eq!(split.sections[0].namespace(), Some("shop"), "{p}");
            assert_eq!(split.sections[0].lines.len(), 2, "{p}");
        }
    }

    #[test]
    fn annotations_and_header() {
        let text = "# kubeleak-bundle: 1\n# captured-at: 2026-11-24T10:00:00Z\n# namespace: shop\n\n$ kubectl top pod -n shop --containers  # at 2026-11-24T10:00:05Z\nerror: Metrics API not available\n# kubeleak: exit-code 1\n# kubeleak: stderr: error: Metrics API not available\n";
        let lines = numbered(text);
        let split = split(0, "b", &lines);
        assert_eq!(split.capture.format_version.as_deref(), Some("1"));
        assert_eq!(split.capture.namespace.as_deref(), Some("shop"));
        let s = split.sections.iter().find(|s| s.kind == SectionKind::TopPod).unwrap();
        assert_eq!(s.at.unwrap().to_string(), "2026-11-24T10:00:05Z");
        assert_eq!(s.exit_code, Some(1));
        assert!(s.command.as_ref().unwrap().containers_flag);
        assert_eq!(s.stderr, vec!["error: Metrics API not available"]);
    }

    #[test]
    fn bare_outputs_by_shape() {
        let text = "NAME   READY   STATUS    RESTARTS   AGE\nw-1    1/1     Running   0          5m\n\nNAME   CPU(cores)   MEMORY(bytes)\nw-1    1m   10Mi\n";
        let lines = numbered(text);
        let kinds: Vec<_> = split(0, "t", &lines).sections.iter().map(|s| s.kind).collect();
        assert_eq!(kinds, vec![SectionKind::GetPods, SectionKind::TopPod]);
    }

    #[test]
    fn watch_header_and_date_give_times() {
        let text = "Every 30.0s: kubectl top pod -n shop    host: Tue Nov 24 10:00:00 2026\n\nNAME   CPU(cores)   MEMORY(bytes)\nw-1    1m   10Mi\n$ date -u\nTue Nov 24 10:05:00 UTC 2026\n$ kubectl top pod\nNAME   CPU(cores)   MEMORY(bytes)\nw-1    1m   12Mi\n";
        let lines = numbered(text);
        let split = split(0, "t", &lines);
        let tops: Vec<_> = split.sections.iter().filter(|s| s.kind == SectionKind::TopPod).collect();
        assert_eq!(tops.len(), 2);
        assert_eq!(tops[0].at.unwrap().to_string(), "2026-11-24T10:00:00Z");
        assert_eq!(tops[1].at.unwrap().to_string(), "2026-11-24T10:05:00Z");
    }

    #[test]
    fn a_loop_of_date_and_top_gives_timed_samples() {
        let text = "$ while true; do date; kubectl top pod -n shop; sleep 60; done\nSat Dec  5 10:00:00 UTC 2026\n\
NAME   CPU(cores)   MEMORY(bytes)\nw-1    1m   100Mi\nSat Dec  5 10:01:00 UTC 2026\nNAME   CPU(cores)   MEMORY(bytes)\n\
w-1    1m   110Mi\n";
        let lines = numbered(text);
        let split = split(0, "t", &lines);
        let tops: Vec<_> = split.sections.iter().filter(|s| s.kind == SectionKind::TopPod).collect();
        assert_eq!(tops.len(), 2);
        assert_eq!(tops[0].at.unwrap().to_string(), "2026-12-05T10:00:00Z");
        assert_eq!(tops[1].at.unwrap().to_string(), "2026-12-05T10:01:00Z");
        let a = crate::analyze_text("loop", text);
        let w1 = a.model.pods.iter().find(|p| p.name == "w-1").unwrap();
        let times: Vec<String> = w1.memory_samples.iter().map(|s| s.at.unwrap().to_string()).collect();
        assert_eq!(times, ["2026-12-05T10:00:00Z", "2026-12-05T10:01:00Z"]);
    }

    #[test]
    fn a_date_then_prose_times_nothing() {
        // Negative control: the date is not right before the table.
        let text = "Sat Dec  5 10:00:00 UTC 2026\nwe looked at the pods:\n\nNAME   CPU(cores)   MEMORY(bytes)\nw-1    1m   100Mi\n";
        let lines = numbered(text);
        let split = split(0, "t", &lines);
        let top = split.sections.iter().find(|s| s.kind == SectionKind::TopPod).unwrap();
        assert_eq!(top.at, None);
    }
}
