//! The splitter's events ([`crate::split`]) turned into parsed sections: a log section's
//! lines go to its log parser as they arrive (its digest maybe finished on the digest
//! thread); any other section's lines are gathered, up to [`MAX_SECTION_BYTES`], and
//! parsed when it ends. Every section ends up in the model's section list.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::{merge_capture, State, MAX_SECTION_BYTES};
use crate::input::Limits;
use crate::model::{self, Capture, Origin, SectionKind};
use crate::parse::{self, logs::DigestToCollect, logs::LogParser, SectionContext};
use crate::sections::{Command, Section};
use crate::split::{self, Annotation, Head, Splitter};

/// What a section being read needs from around it.
pub(super) struct Env<'e> {
    st: &'e mut State,
    quoted: &'e mut BTreeMap<u32, String>,
    later: &'e mut Vec<DigestToCollect>,
    source: usize,
    name: &'e str,
    keep: bool,
    /// Digest threads (0: digests on this thread).
    threads: usize,
}

impl<'e> Env<'e> {
    pub(super) fn new(
        st: &'e mut State,
        quoted: &'e mut BTreeMap<u32, String>,
        later: &'e mut Vec<DigestToCollect>,
        source: usize,
        name: &'e str,
        keep: bool,
        limits: &Limits,
    ) -> Self {
        Env { st, quoted, later, source, name, keep, threads: limits.digest_thread_count() }
    }
}

/// The splitter of one input and the section it is reading.
pub(super) struct Reading {
    splitter: Splitter,
    cur: Option<OpenSection>,
}

impl Reading {
    pub(super) fn new(name: &str) -> Reading {
        Reading { splitter: Splitter::new(name), cur: None }
    }

    pub(super) fn push(&mut self, n: u32, line: &str, env: &mut Env<'_>) {
        self.splitter.push(n, line, &mut Sections { cur: &mut self.cur, env });
    }

    pub(super) fn end(&mut self, env: &mut Env<'_>) {
        self.splitter.end(&mut Sections { cur: &mut self.cur, env });
    }
}

/// The splitter's events turned into parsed sections: a log section's lines go to its
/// log parser as they arrive; any other section's lines are gathered, and parsed when
/// it ends.
struct Sections<'r, 'e> {
    cur: &'r mut Option<OpenSection>,
    env: &'r mut Env<'e>,
}

impl split::Sink for Sections<'_, '_> {
    fn capture(&mut self, capture: Capture) {
        merge_capture(&mut self.env.st.model.capture, capture);
    }

    fn begin(&mut self, head: Head) {
        let mut cur = OpenSection::new(head.first_line);
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

    fn at(&mut self, at: jiff::Timestamp) {
        if let Some(c) = self.cur.as_mut() {
            c.at = Some(at);
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
        annotation.apply(&mut s.exit_code, &mut s.stderr);
        s.last_line = n;
    }

    fn end(&mut self) {
        if let Some(cur) = self.cur.take() {
            finish_section(cur, self.env);
        }
    }
}

/// A section being read.
struct OpenSection {
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
    pub(super) fn push(&mut self, n: u32, line: &str) {
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
    /// Text of no known shape: each line to its log parser as it streams; the lines that
    /// may be fragments of kubectl output (`fragment::candidate`) gathered for the end.
    Text(Box<LogParser>, Gathered),
    /// An unrecognized bare output: only its extent is kept.
    Skip,
}

impl OpenSection {
    pub(super) fn new(n: u32) -> OpenSection {
        OpenSection {
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
        let ctx = SectionContext { default_namespace: env.st.model.capture.namespace.clone(), seq: 0 };
        Box::new(LogParser::new(&self.section(env.source, env.name), &ctx, &env.st.model).with_threads(env.threads))
    }

    fn add(&mut self, n: u32, line: &str, env: &mut Env<'_>) {
        self.last_line = n;
        let blank = crate::text::is_blank(line);
        if matches!(self.body, Body::Lines(..))
            && self.kind == SectionKind::Unknown
            && self.command.is_none()
            && self.other_command.is_none()
            && !blank
        {
            // A bare output of no known shape (a log by its file name was told apart
            // before this line, see `split::Sink::log_by_name`): text, read line by
            // line as the log of a pod it does not name, its kubectl fragments read
            // when it ends.
            self.kind = SectionKind::Text;
            let ctx = SectionContext { default_namespace: env.st.model.capture.namespace.clone(), seq: 0 };
            let section = self.section(env.source, env.name);
            let p = LogParser::anonymous(&section, &ctx, &env.st.model, None).with_threads(env.threads);
            self.body = Body::Text(Box::new(p), Gathered::default());
        }
        if let Body::Lines(lines, cut) = &mut self.body {
            if lines.text.len() + line.len() <= MAX_SECTION_BYTES && cut.is_none() {
                lines.push(n, line);
            } else if cut.is_none() {
                *cut = Some(n);
            }
        }
        match &mut self.body {
            Body::Log(p) => p.line(n, line, &mut env.st.model, env.keep),
            Body::Text(p, fragments) => {
                p.line(n, line, &mut env.st.model, env.keep);
                if fragments.text.len() + line.len() <= MAX_SECTION_BYTES && parse::fragment::candidate(line) {
                    fragments.push(n, line);
                }
            }
            _ => {}
        }
        self.nonblank |= !blank;
    }
}

/// Parses a section that ended (see [`Sections`]).
fn finish_section(mut cur: OpenSection, env: &mut Env<'_>) {
    let body = std::mem::replace(&mut cur.body, Body::Skip);
    let mut section = cur.section(env.source, env.name);
    let (lines, cut, parser, gathered, text) = match body {
        Body::Lines(l, cut) => (l, cut, None, true, false),
        Body::Log(p) => (Gathered::default(), None, Some(p), false, false),
        Body::Text(p, fragments) => (fragments, None, Some(p), false, true),
        Body::Skip => (Gathered::default(), None, None, false, false),
    };
    section.lines = lines.iter().collect();
    let model = &mut env.st.model;
    let digests = &mut env.st.digests;
    let counter = env.st.seq.entry(cur.kind).or_insert(0);
    let ctx = SectionContext { default_namespace: model.capture.namespace.clone(), seq: *counter };
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
            if text {
                parse::fragment::container_blocks(&section, &ctx, model, None);
                parse::fragment::pod_rows(&section, &ctx, model);
                parse::fragment::eviction_messages(&section, &ctx, model, None);
                for &(n, l) in &section.lines {
                    env.quoted.entry(n).or_insert_with(|| l.to_string());
                }
            }
            let later = (env.threads > 0).then_some(&mut *env.later);
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
