//! What the detectors need from one log stream, gathered while the log streams by, so
//! the log's lines need not be kept.
//!
//! Each log entry (one line, or a traceback joined into one entry) goes, in order, to:
//! - the Python memory tool readers ([`crate::pyprof::Scanner`]): their results are the
//!   stream's [`Profiles`];
//! - the template miner ([`Miner`]), except the entries a tool reader turned into a
//!   profile (a periodic tracemalloc line is not an application counter). Whether a
//!   taken entry became a profile is only known when the tool's block ends, so those
//!   entries wait in a short queue (bounded: [`MAX_PENDING`]);
//! - the line rules of `memory-error` and `circular-references` (`detect/memory_error.rs`,
//!   `detect/gc.rs`): an entry one of their patterns matches is kept whole, with its
//!   position among the entries (bounded: [`MAX_MATCHED`], thinned evenly beyond).
//!
//! The texts of the lines evidence may quote (kept points of the miner's series, kept
//! entries, profile lines) are pinned while the stream is read; texts of points the
//! miner dropped are swept from time to time, so memory follows what was found.
//!
//! Example: 10 000 lines `INFO cache size=N entries` keep one template, one series of at
//! most 129 points, and the texts of those 129 lines.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use jiff::Timestamp;

use crate::logmine::{Miner, MinerLimits, MAX_LINE};
use crate::model::{LogLine, LogStream, Origin, Profiles};
use crate::pyprof::{Line, Scanner};
use crate::text::FxBuild;

/// Entries a line rule matched that are kept per stream; beyond, every other one is
/// dropped and only every 2nd (4th…) later one kept (the counts in titles then count
/// the kept entries).
pub const MAX_MATCHED: usize = 4096;
/// Entries waiting for the tool readers before the miner gets them.
pub const MAX_PENDING: usize = 4096;

/// The digest of one log stream (see the module doc). It crosses between the page's
/// workers with `serde` (`digest_sink.rs`).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct LogDigest {
    /// Log entries read.
    pub entries: u64,
    /// Template miner over the entries that are not a tool's output.
    pub miner: Miner,
    /// Python memory tools' output found in the stream (moved to the container by
    /// [`crate::parse::pyprof::join`]).
    #[serde(with = "profiles_wire")]
    pub profiles: Profiles,
    /// Entries a line rule matched, with their 0-based position among the entries.
    pub matched: Vec<(u64, LogLine)>,
    /// Entries each `memory-error` pattern matched (all of them, not only those kept).
    pub memory_errors: [u64; crate::rules::memory_error::PATTERNS],
    /// Earliest and latest time of those entries.
    #[serde(with = "crate::time::wire")]
    pub memory_error_first: Option<Timestamp>,
    #[serde(with = "crate::time::wire")]
    pub memory_error_last: Option<Timestamp>,
    stride: u64,
    seen: u64,
}

/// [`Profiles`] between workers: every list, always (the JSON report leaves an empty
/// `memory_records` out, which a format without field names cannot read back).
mod profiles_wire {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::model::{AllocationSite, GcObject, GcRun, MemoryRecord, MemraySummary, Profiles, PyStack, TypeGrowth};

    type Lists = (
        Vec<AllocationSite>,
        Vec<TypeGrowth>,
        Vec<GcRun>,
        Vec<GcObject>,
        Vec<MemraySummary>,
        Vec<PyStack>,
        Vec<MemoryRecord>,
    );

    pub fn serialize<S: Serializer>(p: &Profiles, s: S) -> Result<S::Ok, S::Error> {
        (&p.allocation_sites, &p.type_growth, &p.gc_runs, &p.gc_uncollectable, &p.memray, &p.stacks, &p.memory_records)
            .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Profiles, D::Error> {
        let (allocation_sites, type_growth, gc_runs, gc_uncollectable, memray, stacks, memory_records) =
            Lists::deserialize(d)?;
        Ok(Profiles { allocation_sites, type_growth, gc_runs, gc_uncollectable, memray, stacks, memory_records })
    }
}

impl PartialEq for LogDigest {
    /// Shallow: what was read, not how it was summarised.
    fn eq(&self, other: &Self) -> bool {
        self.entries == other.entries && self.matched == other.matched
    }
}

impl LogDigest {
    /// A digest of lines already gathered (tests, and streams built by hand).
    pub fn from_lines(lines: &[LogLine]) -> LogDigest {
        let mut b = DigestBuilder::default();
        for l in lines {
            b.push(l.at, &l.text, l.origin, &[]);
        }
        b.finish().0
    }

    fn keep_matched(&mut self, index: u64, at: Option<Timestamp>, text: &str, origin: Origin) {
        if self.stride == 0 {
            self.stride = 1;
        }
        if self.seen % self.stride == 0 {
            self.matched.push((index, LogLine { at, text: text.to_string(), origin }));
            if self.matched.len() > MAX_MATCHED {
                let mut k = 0;
                self.matched.retain(|_| {
                    k += 1;
                    k % 2 == 1
                });
                self.stride = self.stride.saturating_mul(2);
            }
        }
        self.seen += 1;
    }
}

/// The digests of a model's log streams, kept beside the model: a stream's
/// [`LogStream::digest`] is its index here. A slot is taken when the stream goes into the
/// model and filled when its digest is finished (maybe later, on the digest thread), so
/// the indices follow the order of the streams whatever the threads do.
#[derive(Clone, Debug, Default)]
pub struct Digests(Vec<LogDigest>);

impl Digests {
    /// A slot for a stream's digest, filled by [`Digests::fill`].
    pub fn slot(&mut self) -> usize {
        self.0.push(LogDigest::default());
        self.0.len() - 1
    }

    /// Puts a finished digest in its slot.
    pub fn fill(&mut self, slot: usize, digest: LogDigest) {
        if let Some(d) = self.0.get_mut(slot) {
            *d = digest;
        }
    }

    /// The digest of a stream: the one read with the log, else one made from its lines
    /// (streams built by hand).
    pub fn of<'s>(&'s self, stream: &LogStream) -> Cow<'s, LogDigest> {
        match stream.digest.and_then(|i| self.0.get(i)) {
            Some(d) => Cow::Borrowed(d),
            None => Cow::Owned(LogDigest::from_lines(&stream.lines)),
        }
    }

    /// The digest of a stream to change, made from its lines (and given a slot) when it
    /// has none.
    pub fn of_mut(&mut self, stream: &mut LogStream) -> &mut LogDigest {
        let i = match stream.digest.filter(|&i| i < self.0.len()) {
            Some(i) => i,
            None => {
                let i = self.slot();
                self.0[i] = LogDigest::from_lines(&stream.lines);
                stream.digest = Some(i);
                i
            }
        };
        &mut self.0[i]
    }
}

/// An entry waiting for the tool readers.
struct WaitingEntry {
    at: Option<Timestamp>,
    origin: Origin,
    /// What the miner reads: the first line, trimmed, at most [`MAX_LINE`] bytes.
    first: String,
    raw: String,
}

/// How many items each profile list had when the queue was last resolved.
#[derive(Default, Clone, Copy)]
struct Marks([usize; 6]);

/// Builds a [`LogDigest`] entry by entry.
#[derive(Default)]
pub struct DigestBuilder {
    d: LogDigest,
    scan: Scanner,
    pending: Vec<WaitingEntry>,
    marks: Marks,
    /// Texts of the lines readers took (swept to the profiles' own lines: a gc run
    /// quotes its `collecting` line, not its `objects` and `done` lines).
    tool_texts: HashMap<u32, String, FxBuild>,
    tool_live: usize,
    /// Texts of miner points and matched entries (swept).
    texts: Texts,
    live: usize,
    /// Reused by [`DigestBuilder::sweep`].
    live_lines: Vec<u32>,
}

/// Line texts in one arena (a `String` per kept line cost an allocation and a free for
/// nearly every log line: the profile's largest item after the miner). Added in any
/// order, a line possibly more than once (the first text wins, as with `or_insert`);
/// [`Texts::retain`] sorts, deduplicates and compacts.
///
/// The arena keeps its size while its stream is read: it fills up to the same size
/// before every sweep, and growing it again each time (reallocations, fresh pages)
/// was a tenth of the digest's time. When the stream ends, its arena is handed to the
/// next stream digested on this thread.
#[derive(Default)]
struct Texts {
    buf: String,
    /// (line, start, end) into `buf`.
    at: Vec<(u32, usize, usize)>,
}

thread_local! {
    /// The arena of the last stream that ended on this thread, emptied.
    static SPARE: std::cell::RefCell<Option<Texts>> = const { std::cell::RefCell::new(None) };
}

impl Texts {
    fn add(&mut self, line: u32, text: &str) {
        if self.at.last().is_some_and(|l| l.0 == line) {
            return;
        }
        if self.buf.capacity() == 0 {
            // The first text: take the arena the last stream of this thread left (on
            // the thread that digests, which is not the one that made the builder).
            if let Some(t) = SPARE.with(|s| s.borrow_mut().take()) {
                *self = t;
            }
        }
        let start = self.buf.len();
        self.buf.push_str(text);
        self.at.push((line, start, self.buf.len()));
    }

    fn len(&self) -> usize {
        self.at.len()
    }

    /// Keeps the first text of each line in `live` (sorted, deduplicated). The texts
    /// are many and `live` is few: each text is looked up in `live` and only the kept
    /// ones are sorted. The kept texts move to the front of the arena, in place.
    fn retain(&mut self, live: &[u32]) {
        self.at.retain(|(line, _, _)| live.binary_search(line).is_ok());
        // Texts are in the order they were added (rising starts), so each moves down
        // over bytes already moved or dropped.
        let mut bytes = std::mem::take(&mut self.buf).into_bytes();
        let mut to = 0;
        for (_, start, end) in &mut self.at {
            let len = *end - *start;
            bytes.copy_within(*start..*end, to);
            *start = to;
            *end = to + len;
            to += len;
        }
        bytes.truncate(to);
        // Whole texts, so still UTF-8 (checked again, never assumed).
        self.buf = String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        // Of a line added twice, the first text (the lower start: order is kept) stays.
        self.at.sort_unstable_by_key(|l| (l.0, l.1));
        self.at.dedup_by_key(|l| l.0);
    }

    fn into_vec(mut self) -> Vec<(u32, String)> {
        let v = self.at.iter().map(|&(line, s, e)| (line, self.buf.get(s..e).unwrap_or("").to_string())).collect();
        self.buf.clear();
        self.at.clear();
        SPARE.with(|s| *s.borrow_mut() = Some(self));
        v
    }
}

/// The first line of an entry as the miner reads it.
fn miner_line(text: &str) -> &str {
    let mut first = crate::text::trim(text.lines().next().unwrap_or(""));
    if first.len() > MAX_LINE {
        let mut cut = MAX_LINE;
        while !first.is_char_boundary(cut) {
            cut -= 1;
        }
        first = first.get(..cut).unwrap_or("");
    }
    first
}

/// What is found out about an entry before it is digested: on the reading thread, where
/// the digest thread has it for free (see `digest_sink.rs`), or at once on one thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EntryCheck {
    /// [`rules_match`] of the text.
    pub matched: bool,
    /// [`crate::pyprof::may_start`] of a one-line text (true for several lines: each is
    /// checked when read).
    pub tools: bool,
}

impl EntryCheck {
    pub fn of(text: &str) -> EntryCheck {
        let single = memchr::memchr(b'\n', text.as_bytes()).is_none();
        EntryCheck { matched: rules_match(text), tools: !single || crate::pyprof::may_start(text) }
    }
}

/// True when a line rule of `memory-error` or `circular-references` may care about the
/// entry (one of its lines).
pub fn rules_match(text: &str) -> bool {
    use crate::rules::{gc, keywords, memory_error};
    // One pass for the words the rules need first: most entries have none.
    let w = keywords::find(text.as_bytes());
    if !w.memory_error && !w.gc {
        return false;
    }
    let one = |t: &str| (w.memory_error && memory_error::matches(t)) || (w.gc && gc::matches(t));
    if memchr::memchr(b'\n', text.as_bytes()).is_none() {
        return one(text);
    }
    text.lines().any(one)
}

impl DigestBuilder {
    pub fn new() -> Self {
        DigestBuilder {
            d: LogDigest { miner: Miner::new(MinerLimits::default()), ..LogDigest::default() },
            ..DigestBuilder::default()
        }
    }

    /// Adds one entry. `raws`: the source lines it was read from (number, text as the
    /// source shows it), for the texts evidence may quote; may be empty.
    pub fn push(&mut self, at: Option<Timestamp>, text: &str, origin: Origin, raws: &[(u32, &str)]) {
        self.push_checked(at, text, origin, raws, EntryCheck::of(text));
    }

    /// [`DigestBuilder::push`] with the entry's [`EntryCheck`] already known (the digest
    /// thread gets it from the reading thread: see `digest_sink.rs`).
    pub fn push_checked(
        &mut self,
        at: Option<Timestamp>,
        text: &str,
        origin: Origin,
        raws: &[(u32, &str)],
        checked: EntryCheck,
    ) {
        let matched = checked.matched;
        let index = self.d.entries;
        self.d.entries += 1;
        let mut taken = false;
        let single = memchr::memchr(b'\n', text.as_bytes()).is_none();
        if single {
            taken = self.scan.line_known(&Line { at, origin, text }, &mut self.d.profiles, Some(checked.tools));
        } else {
            for t in text.split('\n') {
                taken |= self.scan.line(&Line { at, origin, text: t }, &mut self.d.profiles);
            }
        }
        let raw0 = raws.iter().find(|(n, _)| *n == origin.line).map_or("", |(_, t)| *t);
        if taken && !raw0.is_empty() {
            self.tool_texts.entry(origin.line).or_insert_with(|| raw0.to_string());
        }
        if matched {
            if let Some((i, _)) = crate::rules::memory_error::pattern_of(text) {
                if let Some(n) = self.d.memory_errors.get_mut(i) {
                    *n += 1;
                }
                if let Some(t) = at {
                    self.d.memory_error_first = Some(self.d.memory_error_first.map_or(t, |f| f.min(t)));
                    self.d.memory_error_last = Some(self.d.memory_error_last.map_or(t, |l| l.max(t)));
                }
            }
            self.d.keep_matched(index, at, text, origin);
            // The lines a multi-line entry covers: evidence may quote line k of it.
            let n = u32::try_from(text.lines().count()).unwrap_or(u32::MAX);
            for (line, t) in raws {
                if *line >= origin.line && *line - origin.line < n.max(1) {
                    self.texts.add(*line, t);
                }
            }
        }
        if taken || !self.pending.is_empty() {
            self.pending.push(WaitingEntry { at, origin, first: miner_line(text).to_string(), raw: raw0.to_string() });
            // An entry no reader took ended every block: the readers said all they will
            // about the waiting entries.
            if !taken || self.pending.len() > MAX_PENDING {
                self.resolve();
            }
            // Every block ended, so every taken line that will be a profile's is one now.
            if !taken && self.tool_texts.len() > 2 * self.tool_live + 16_384 {
                self.sweep_tools();
            }
        } else if self.d.miner.push(at, text, origin) && !raw0.is_empty() {
            self.texts.add(origin.line, raw0);
        }
        // Amortised: a sweep when the texts are twice what the last one kept (plus some).
        if self.texts.len() > 2 * self.live + 16_384 {
            self.sweep();
        }
    }

    /// Gives the waiting entries that did not become a profile to the miner.
    fn resolve(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let p = &self.d.profiles;
        let m = self.marks.0;
        let mut tool: HashSet<Origin, FxBuild> = HashSet::default();
        tool.extend(p.allocation_sites.iter().skip(m[0]).map(|x| x.origin));
        tool.extend(p.type_growth.iter().skip(m[1]).map(|x| x.origin));
        tool.extend(p.gc_runs.iter().skip(m[2]).map(|x| x.origin));
        tool.extend(p.gc_uncollectable.iter().skip(m[3]).map(|x| x.origin));
        for s in p.memray.iter().skip(m[4]) {
            tool.insert(s.origin);
            tool.extend(s.top_by_size.iter().map(|x| x.origin));
        }
        for s in p.stacks.iter().skip(m[5]) {
            tool.insert(s.origin);
            tool.extend(s.frames.iter().map(|x| x.origin));
        }
        self.marks = Marks([
            p.allocation_sites.len(),
            p.type_growth.len(),
            p.gc_runs.len(),
            p.gc_uncollectable.len(),
            p.memray.len(),
            p.stacks.len(),
        ]);
        for e in std::mem::take(&mut self.pending) {
            if tool.contains(&e.origin) {
                continue;
            }
            if self.d.miner.push(e.at, &e.first, e.origin) && !e.raw.is_empty() {
                self.texts.add(e.origin.line, &e.raw);
            }
        }
    }

    /// Drops the texts no kept point or entry quotes any more.
    fn sweep(&mut self) {
        let live = &mut self.live_lines;
        live.clear();
        live.extend(self.d.miner.point_lines());
        for (_, l) in &self.d.matched {
            let n = u32::try_from(l.text.lines().count()).unwrap_or(u32::MAX).max(1);
            for k in 0..n.min(4096) {
                live.push(l.origin.line.saturating_add(k));
            }
        }
        live.sort_unstable();
        live.dedup();
        self.texts.retain(live);
        self.live = self.texts.len();
    }

    /// Drops the texts of taken lines no profile item starts at.
    fn sweep_tools(&mut self) {
        let live: HashSet<u32, FxBuild> = crate::pyprof::all_origins(&self.d.profiles).map(|o| o.line).collect();
        self.tool_texts.retain(|line, _| live.contains(line));
        self.tool_live = self.tool_texts.len();
    }

    /// The digest, and the texts of the lines it may quote.
    pub fn finish(mut self) -> (LogDigest, Vec<(u32, String)>) {
        self.scan.end(&mut self.d.profiles);
        self.marks = Marks::default();
        self.resolve();
        self.sweep();
        self.sweep_tools();
        let mut texts = self.texts.into_vec();
        texts.extend(self.tool_texts);
        (self.d, texts)
    }
}
