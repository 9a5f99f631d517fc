//! Log template mining: numeric series out of log lines whose format we do not know.
//!
//! Each line becomes a *template*: its words, with numbers turned into `<num>` slots
//! and volatile tokens (dates and times, hex ids, UUIDs, IP addresses, words mixing
//! letters and digits such as pod names) into `<*>`, as log-template miners such as
//! Drain do in their masking step. Lines with the same template share its slots, and
//! each slot keeps its numbers in line order (with the line's time and origin), so
//! `cache size: 120 entries`, `cache size: 240 entries`… become one series named `size`.
//! JSON lines (`{"msg": "cache stats", "size": 120}`) and logfmt lines
//! (`msg="cache stats" size=120`) give one series per numeric field, keyed by the message
//! template and the field name. A number followed or suffixed by a size unit
//! (`12.5MB`, `300 MiB`, `1234 bytes`) is converted to bytes and marked as a size.
//!
//! We stop at masking and do not merge templates by similarity as full Drain does:
//! lines differing by a literal word (`cache users` / `cache sessions`) usually count
//! different things, and mixing them would make one meaningless series.
//!
//! Streaming: [`Miner::push`] takes one line at a time. Memory stays bounded by the
//! number of templates ([`MinerLimits::max_templates`]) and by
//! [`MinerLimits::max_points`] per series: when a series is full, every other point is
//! dropped and only every 2nd (4th, 8th…) later point is kept, so a long log keeps an
//! even sample of its history, plus its last point.
//!
//! Example: `2026-11-24 10:00:01,123 INFO app.cache: cache size=1200 hits=37` gives the
//! template `<*> <*> INFO app.cache: cache size= <num> hits= <num>` with slots `size` and
//! `hits`.

use std::collections::HashMap;

use jiff::Timestamp;

use crate::model::Origin;
use crate::text::FxBuild;

mod fields;
mod skeleton;
mod tokens;

pub use tokens::split_words;

use fields::{parse_line, Parsed};
use skeleton::{known_from, known_from_parsed, known_values, skeleton, KnownValue, Skeletons};
use tokens::{parse_tokens, token_numbers};

/// Bytes of a line that are mined (2048): keeps template keys small.
pub const MAX_LINE: usize = 2048;

/// Bounds on what the miner keeps.
#[derive(Clone, Copy, Debug, serde::Serialize, serde::Deserialize)]
pub struct MinerLimits {
    /// Templates beyond this are counted but not kept (500).
    pub max_templates: usize,
    /// Points kept per series (128; thinned evenly beyond).
    pub max_points: usize,
    /// Slots per template (8): numbers beyond are ignored. With the two bounds above, a
    /// stream costs at most 500 × 8 × 129 points (about 20 MB) whatever its length.
    pub max_slots: usize,
}

impl Default for MinerLimits {
    fn default() -> Self {
        MinerLimits { max_templates: 500, max_points: 128, max_slots: 8 }
    }
}

/// What a number measures, from its unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Unit {
    /// A plain count or unknown unit.
    Count,
    /// A size, converted to bytes.
    Bytes,
    /// A duration (`12ms`, `3.5s`): never a leak by itself.
    Duration,
    Percent,
}

/// One number of a series.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Point {
    /// Order of the line among the lines pushed (0-based).
    pub index: u64,
    #[serde(with = "crate::time::wire")]
    pub at: Option<Timestamp>,
    pub value: f64,
    pub origin: Origin,
}

/// The numbers of one slot, thinned evenly when long.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Series {
    points: Vec<Point>,
    last: Option<Point>,
    stride: u64,
    seen: u64,
}

impl Series {
    fn push(&mut self, p: Point, max: usize) {
        if self.stride == 0 {
            self.stride = 1;
        }
        if self.seen % self.stride == 0 {
            self.points.push(p);
            if self.points.len() > max.max(2) {
                let mut k = 0;
                self.points.retain(|_| {
                    k += 1;
                    k % 2 == 1
                });
                self.stride = self.stride.saturating_mul(2);
            }
        }
        self.seen += 1;
        self.last = Some(p);
    }

    /// The kept points in order, ending with the last point seen.
    pub fn points(&self) -> Vec<Point> {
        let mut v = self.points.clone();
        if let Some(l) = self.last {
            if v.last().map(|p| p.index) != Some(l.index) {
                v.push(l);
            }
        }
        v
    }

    /// How many numbers the slot received.
    pub fn seen(&self) -> u64 {
        self.seen
    }
}

/// One numeric slot of a template.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Slot {
    /// The field name (JSON / logfmt key) or the word just before the number.
    pub name: String,
    /// Lower-case words that describe this slot: the words between the previous number
    /// and this one, the two words after it, and the field name split at `_`, `.` and
    /// camelCase humps.
    pub words: Vec<String>,
    pub unit: Unit,
    pub series: Series,
}

/// A line shape with its numeric slots.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Template {
    /// The template, e.g. `cache size: <num> entries` or `{msg="cache stats"} size`.
    pub text: String,
    /// Lower-case words of the whole line (literals only).
    pub words: Vec<String>,
    /// For JSON and logfmt lines: the message's template (`memo table grew`), else `None`.
    pub message: Option<String>,
    pub slots: Vec<Slot>,
    /// Lines that had this template.
    pub lines: u64,
}

/// Streaming miner: push lines, then read [`Miner::templates`]. It crosses between the
/// page's workers with `serde` (`digest_sink.rs`); the reused buffers and the fast path's
/// table do not (they are rebuilt as lines are pushed).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Miner {
    limits: MinerLimits,
    templates: Vec<Template>,
    index: HashMap<String, usize, FxBuild>,
    /// The template of the line being read (reused: no allocation per line).
    #[serde(skip)]
    scratch: String,
    /// Fast path: line skeleton → what the tokeniser made of a line with that skeleton.
    #[serde(skip)]
    known: Skeletons,
    /// The skeleton of the line being read, and its digit runs (reused buffers).
    #[serde(skip)]
    skel: Vec<u8>,
    #[serde(skip)]
    runs: Vec<(usize, usize)>,
    /// The (unit, value) pairs of the line being read (reused).
    #[serde(skip)]
    values: Vec<(Unit, f64)>,
    lines: u64,
    /// Lines whose template was new when the template cap was reached.
    pub dropped_lines: u64,
}

impl Miner {
    pub fn new(limits: MinerLimits) -> Miner {
        Miner { limits, ..Miner::default() }
    }

    /// Adds one line (its first line, for a multi-line entry). True when it added a
    /// point to some series (so the line may be quoted as evidence).
    pub fn push(&mut self, at: Option<Timestamp>, text: &str, origin: Origin) -> bool {
        let index = self.lines;
        self.lines += 1;
        // The first line (what `lines()` gives; its `\r` goes with the trim).
        let line_end = memchr::memchr(b'\n', text.as_bytes()).unwrap_or(text.len());
        let mut first = crate::text::trim(text.get(..line_end).unwrap_or(text));
        let cut = first.len() > MAX_LINE;
        if cut {
            // Long lines (a dumped payload) are mined from their start only.
            let mut end = MAX_LINE;
            while !first.is_char_boundary(end) {
                end -= 1;
            }
            first = &first[..end];
        }
        if first.is_empty() {
            return false;
        }
        // Fast path: a line whose skeleton was seen gives the same template; only its
        // numbers are read. Lines cut at MAX_LINE never take it (the cut depends on the
        // lengths of the numbers).
        let mut skel = std::mem::take(&mut self.skel);
        let mut runs = std::mem::take(&mut self.runs);
        let mut values = std::mem::take(&mut self.values);
        let fast = if cut {
            None
        } else {
            skeleton(first.as_bytes(), &mut skel, &mut runs);
            match self.known.get(skel.as_slice()) {
                Some(k) => match k.template {
                    None => Some(None),
                    Some(i) => known_values(first, &runs, k, &mut values).map(|()| Some(i)),
                },
                None => None,
            }
        };
        let found = match fast {
            Some(hit) => {
                #[cfg(test)]
                self.check_fast(first, hit, &values);
                hit
            }
            None => self.slow(first, cut, &skel, &runs, &mut values),
        };
        let added = match found {
            Some(i) => self.add_points(i, index, at, origin, &values),
            None => false,
        };
        self.skel = skel;
        self.runs = runs;
        self.values = values;
        added
    }

    /// The fast path gave what the full tokeniser gives (tests only).
    #[cfg(test)]
    fn check_fast(&self, first: &str, hit: Option<usize>, values: &[(Unit, f64)]) {
        let max_slots = self.limits.max_slots;
        let structured = first.starts_with('{') || memchr::memchr_iter(b'=', first.as_bytes()).nth(1).is_some();
        let (key, slow): (String, Vec<(Unit, u64)>) = if structured {
            let p = parse_line(first, max_slots);
            (p.key, p.nums.iter().map(|(_, _, u, v)| (*u, v.to_bits())).collect())
        } else {
            let mut key = String::new();
            let toks = tokens::tokens(first, &mut key);
            let slow = token_numbers(&toks, max_slots).map(|(u, v)| (u, v.to_bits())).collect();
            (key, slow)
        };
        if slow.is_empty() {
            assert_eq!(hit, None, "{first}");
            return;
        }
        let fast: Vec<(Unit, u64)> = values.iter().map(|(u, v)| (*u, v.to_bits())).collect();
        assert_eq!(fast, slow, "{first}");
        assert_eq!(hit, self.index.get(key.as_str()).copied(), "{first}");
    }

    /// The full parse of a line; remembers its skeleton when it is free text. The
    /// template index, or `None` when the line adds nothing.
    fn slow(
        &mut self,
        first: &str,
        cut: bool,
        skel: &[u8],
        runs: &[(usize, usize)],
        out: &mut Vec<(Unit, f64)>,
    ) -> Option<usize> {
        let max_slots = self.limits.max_slots;
        out.clear();
        // Free text (most lines): the template is found before the costly part of the
        // parse (the words around each number), which only a new template needs.
        let structured = first.starts_with('{') || memchr::memchr_iter(b'=', first.as_bytes()).nth(1).is_some();
        let (i, values): (usize, Vec<(Unit, f64)>) = if structured {
            let parsed = parse_line(first, max_slots);
            let values: Vec<(Unit, f64)> = parsed.nums.iter().map(|(_, _, u, v)| (*u, *v)).collect();
            // JSON is never remembered (serde reads its numbers, not us).
            let known = (!cut && !first.starts_with('{') && !parsed.key.bytes().any(|c| c.is_ascii_digit()))
                .then(|| known_from_parsed(first, &parsed, runs))
                .flatten();
            let i = if values.is_empty() {
                None
            } else {
                match self.index.get(&parsed.key) {
                    Some(&i) => Some(i),
                    None => self.add_template(parsed),
                }
            };
            if let Some(vals) = known.filter(|_| i.is_some() || values.is_empty()) {
                self.remember(skel, i, vals);
            }
            (i?, values)
        } else {
            let mut key = std::mem::take(&mut self.scratch);
            key.clear();
            let toks = tokens::tokens(first, &mut key);
            let values: Vec<(Unit, f64)> = token_numbers(&toks, max_slots).collect();
            let i = if values.is_empty() {
                None
            } else {
                match self.index.get(key.as_str()) {
                    Some(&i) => Some(i),
                    None => self.add_template(parse_tokens(key.clone(), &toks, max_slots)),
                }
            };
            // Remember the skeleton, unless the template has a digit (a field name such
            // as `p99=`: the skeleton hides it) or a number is not made of whole runs.
            let dropped = i.is_none() && !values.is_empty();
            if !cut && !dropped && !key.bytes().any(|c| c.is_ascii_digit()) {
                if let Some(vals) = known_from(first, &toks, runs, max_slots) {
                    self.remember(skel, i, vals);
                }
            }
            self.scratch = key;
            (i?, values)
        };
        out.extend(values);
        Some(i)
    }

    /// Remembers what lines with this skeleton give.
    fn remember(&mut self, skel: &[u8], template: Option<usize>, values: Vec<KnownValue>) {
        self.known.insert(skel, skeleton::Known { template, values });
    }

    /// Adds the numbers of one line to template `i`'s slots. True when a point was added.
    fn add_points(
        &mut self,
        i: usize,
        index: u64,
        at: Option<Timestamp>,
        origin: Origin,
        values: &[(Unit, f64)],
    ) -> bool {
        let max = self.limits.max_points;
        let t = &mut self.templates[i];
        t.lines += 1;
        let mut added = false;
        for (slot, &(unit, value)) in t.slots.iter_mut().zip(values) {
            if slot.unit != unit {
                // Same template, other unit (`12KB` then `3MB`): values are bytes either way.
                if !(slot.unit == Unit::Bytes && unit == Unit::Bytes) {
                    continue;
                }
            }
            added = true;
            slot.series.push(Point { index, at, value, origin }, max);
        }
        added
    }

    pub fn templates(&self) -> &[Template] {
        &self.templates
    }

    /// A new template (`None` when the cap is reached: the line is counted as dropped).
    fn add_template(&mut self, parsed: Parsed) -> Option<usize> {
        if self.templates.len() >= self.limits.max_templates {
            self.dropped_lines += 1;
            return None;
        }
        self.templates.push(Template {
            text: parsed.key.clone(),
            words: parsed.words,
            message: parsed.message,
            slots: parsed
                .nums
                .into_iter()
                .map(|(name, words, unit, _)| Slot { name, words, unit, series: Series::default() })
                .collect(),
            lines: 0,
        });
        self.index.insert(parsed.key, self.templates.len() - 1);
        Some(self.templates.len() - 1)
    }

    /// The lines of every point kept (what evidence may quote).
    pub fn point_lines(&self) -> impl Iterator<Item = u32> + '_ {
        self.templates.iter().flat_map(|t| {
            t.slots.iter().flat_map(|s| s.series.points.iter().chain(s.series.last.iter()).map(|p| p.origin.line))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::tokens::number;
    #[cfg(not(target_arch = "wasm32"))]
    use super::tokens::{trim_punct, words};
    use super::*;

    fn o(line: u32) -> Origin {
        Origin { source: 0, line }
    }

    fn mine(lines: &[&str]) -> Miner {
        let mut m = Miner::new(MinerLimits::default());
        for (i, l) in lines.iter().enumerate() {
            m.push(None, l, o(i as u32 + 1));
        }
        m
    }

    fn values(s: &Slot) -> Vec<f64> {
        s.series.points().iter().map(|p| p.value).collect()
    }

    #[test]
    fn stdlib_logging_lines_share_a_template() {
        let m = mine(&[
            "2026-11-24 10:00:01,123 INFO app.cache: cache size=1,200 entries (hit ratio 37%)",
            "2026-11-24 10:01:01,456 INFO app.cache: cache size=2,400 entries (hit ratio 41%)",
            "2026-11-24 10:02:01,789 INFO worker-7d9f8b6c5-x2x9k handled 17 requests in 120ms",
        ]);
        let t = m.templates();
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].text, "<*> <*> INFO app.cache: cache size= <num> entries (hit ratio <num>)");
        assert_eq!(t[0].slots[0].name, "size");
        assert_eq!(t[0].slots[0].words, vec!["info", "app", "cache", "cache", "size", "entries", "hit"]);
        assert_eq!(values(&t[0].slots[0]), vec![1200.0, 2400.0]);
        assert_eq!(t[0].slots[1].unit, Unit::Percent);
        assert_eq!(t[1].slots[0].name, "handled");
        assert_eq!(t[1].slots[1].unit, Unit::Duration);
    }

    #[test]
    fn json_and_logfmt_fields_by_key() {
        let m = mine(&[
            r#"{"ts": "2026-11-24T10:00:00Z", "level": "info", "msg": "queue stats", "pending": 12, "mem": {"rss_mb": 300}}"#,
            r#"{"ts": "2026-11-24T10:01:00Z", "level": "info", "msg": "queue stats", "pending": 40, "mem": {"rss_mb": 310}}"#,
            r#"time=2026-11-24T10:00:00Z level=info msg="results kept" results_len=10 retained=12.5MB"#,
            r#"time=2026-11-24T10:01:00Z level=info msg="results kept" results_len=20 retained=25MB"#,
        ]);
        let t = m.templates();
        assert_eq!(t.len(), 2, "{t:#?}");
        let pending = t[0].slots.iter().find(|s| s.name == "pending").unwrap();
        assert_eq!(values(pending), vec![12.0, 40.0]);
        assert!(pending.words.contains(&"queue".to_string()));
        assert!(t[0].slots.iter().any(|s| s.name == "mem.rss_mb"));
        let kept = t[1].slots.iter().find(|s| s.name == "retained").unwrap();
        assert_eq!(kept.unit, Unit::Bytes);
        assert_eq!(values(kept), vec![12.5 * 1048576.0, 25.0 * 1048576.0]);
    }

    #[test]
    fn ids_and_units_as_words() {
        let m = mine(&[
            "request 3f2a9c1e-55b1-4c1e-9a3b-0d9e8f7a6b5c stored 300 MiB payload",
            "request 0b2a9c1e-55b1-4c1e-9a3b-0d9e8f7a6b5c stored 600 MiB payload",
        ]);
        let t = m.templates();
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].text, "request <*> stored <num> MiB payload");
        assert_eq!(t[0].slots[0].unit, Unit::Bytes);
        assert_eq!(values(&t[0].slots[0]), vec![300.0 * 1048576.0, 600.0 * 1048576.0]);
    }

    #[test]
    fn numbers() {
        assert_eq!(number("1,234"), Some((1234.0, Unit::Count)));
        assert_eq!(number("1,2"), None);
        assert_eq!(number("v1.2"), None);
        assert_eq!(number("1.2.3"), None);
        assert_eq!(number("7d9f8b6c5"), None);
        assert_eq!(number("2GB"), Some((2.0 * 1073741824.0, Unit::Bytes)));
        assert_eq!(number("-3.5"), Some((-3.5, Unit::Count)));
    }

    #[test]
    fn long_series_are_thinned_and_keep_last() {
        let mut m = Miner::new(MinerLimits { max_points: 8, ..MinerLimits::default() });
        for i in 0..100u32 {
            m.push(None, &format!("cache size {i}"), o(i + 1));
        }
        let s = &m.templates()[0].slots[0];
        let p = s.series.points();
        assert!(p.len() <= 10, "{}", p.len());
        assert_eq!(p.first().unwrap().value, 0.0);
        assert_eq!(p.last().unwrap().value, 99.0);
        assert_eq!(s.series.seen(), 100);
        assert!(p.windows(2).all(|w| w[0].index < w[1].index));
    }

    #[test]
    fn long_lines_are_cut_on_a_char_boundary() {
        let mut m = Miner::new(MinerLimits::default());
        let line = format!("size {} {}", 5, "é".repeat(3000));
        m.push(None, &line, o(1));
        assert!(m.templates()[0].text.len() <= MAX_LINE + 8, "placeholders are a few bytes longer than the numbers");
    }

    #[test]
    fn template_cap() {
        let mut m = Miner::new(MinerLimits { max_templates: 2, ..MinerLimits::default() });
        for w in ["a", "b", "c", "d"] {
            m.push(None, &format!("{w} 1"), o(1));
        }
        assert_eq!(m.templates().len(), 2);
        assert_eq!(m.dropped_lines, 2);
    }

    #[test]
    fn known_skeletons_give_what_the_tokeniser_gives() {
        // `check_fast` (tests only) compares every fast-path hit with the full path.
        let m = mine(&[
            "cache size=1,200 entries 37% 12.5MB -3 x_1 7d9f",
            "cache size=2,400 entries 41% 99.0MB -8 x_2 8d9f",
            "cache size=2,40 entries 41% 99.0MB -8 x_2 8d9f",
            "cache size=12,400 entries 41% 99.0MB -8 x_2 8d9f",
            "cache size=1_2,400 entries 41% 99.0MB -8 x_2 8d9f",
            "lat p99=12 ms",
            "lat p98=12 ms",
            "handled 17 requests in 120 ms, 300 MiB",
            "handled 18 requests in 12 ms, 3000 MiB",
            "v1.2.3 no numbers",
            "v1.2.4 no numbers",
            r#"ts=2026-11-24T09:31:46.453Z caller=listener.go:108 level=info msg="queue 12 of 40" depth=12 cache_mb=1,300"#,
            r#"ts=2026-11-24T09:31:47.453Z caller=listener.go:109 level=info msg="queue 13 of 41" depth=-1.5 cache_mb=1,400"#,
            r#"ts=2026-11-24T09:31:47.453Z caller=listener.go:109 level=info queue 13 of 41 depth=-1.5 cache_mb=1,400"#,
            r#"ts=2026-11-24T09:31:47.453Z caller=listener.go:109 level=info queue 14 of 42 depth=-2.5 cache_mb=1,400"#,
            r#"{"msg": "queue 12", "depth": 3}"#,
            r#"{"msg": "queue 13", "depth": 4}"#,
        ]);
        let texts: Vec<&str> = m.templates().iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "cache size= <num> entries <num> <num> <num> <*> <*>",
                "cache <*> entries <num> <num> <num> <*> <*>",
                "lat p99= <num> ms",
                "lat p98= <num> ms",
                "handled <num> requests in <num> ms, <num> MiB",
                "logfmt{msg=\"queue <num> of <num>\"} cache_mb depth",
                "json{msg=\"queue <num>\"} depth",
            ]
        );
        let logfmt = &m.templates()[5];
        assert_eq!(logfmt.lines, 4);
        assert_eq!(values(&logfmt.slots[2]), vec![12.0, -1.5, -1.5, -2.5]);
        assert_eq!(
            values(&logfmt.slots[3]),
            vec![1300.0 * 1048576.0, 1400.0 * 1048576.0, 1400.0 * 1048576.0, 1400.0 * 1048576.0]
        );
        // Remembered: four `cache` skeletons (`1,200`, `2,40`, `12,400` and `1_2,400`
        // differ in their group lengths), `handled`, the line without numbers, and the
        // two logfmt lines with a quoted `msg` (`depth=12`, `depth=-1.5`); not `p99=`,
        // not a message made of bare words (not a piece of the line), not JSON.
        assert_eq!(m.known.len(), 8, "{:?}", m.known.keys());
    }

    /// The skeleton as it was first written (a word at a time), the oracle of the
    /// byte loop.
    fn skeleton_by_words(line: &[u8]) -> (Vec<u8>, Vec<(usize, usize)>) {
        let (mut skel, mut runs) = (Vec::new(), Vec::new());
        let mut i = 0;
        while i < line.len() {
            let rest = &line[i..];
            let n = rest.iter().position(u8::is_ascii_digit).unwrap_or(rest.len());
            skel.extend_from_slice(&rest[..n]);
            i += n;
            if i >= line.len() {
                break;
            }
            let start = i;
            while i < line.len() && line[i].is_ascii_digit() {
                i += 1;
            }
            let sep = |c: Option<&u8>| matches!(c, Some(b',' | b'_'));
            if sep(start.checked_sub(1).and_then(|p| line.get(p))) || sep(line.get(i)) {
                skel.push(0xFE);
                skel.push(u8::try_from(i - start).unwrap_or(u8::MAX));
            } else {
                skel.push(0xFF);
            }
            runs.push((start, i));
        }
        (skel, runs)
    }

    #[test]
    fn has_digit_is_any_ascii_digit() {
        // Every byte value at every position of the word, among bytes near the digits.
        for filler in [b'/', b':', b' ', b'I', 0x20, 0x3F, 0xC3, 0xB0, 0x00] {
            for at in 0..8 {
                for b in 0..=255u8 {
                    let mut w = [filler; 8];
                    w[at] = b;
                    assert_eq!(
                        super::skeleton::has_digit(u64::from_le_bytes(w)),
                        w.iter().any(u8::is_ascii_digit),
                        "{w:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn parse_f64_is_the_std_parser() {
        for t in [
            "0",
            "-0",
            "+7",
            "12",
            "24.4",
            "0.1",
            "1.",
            ".5",
            "-.5",
            ".",
            "",
            "-",
            "1e5",
            "123456789012345",
            "1234567890123456",
            "0.000000000000001",
            "9.99999999999999",
            "1.2.3",
            "nan",
            "inf",
            "١",
        ] {
            let want = t.parse::<f64>().ok();
            let got = super::skeleton::parse_f64(t);
            assert_eq!(got.map(f64::to_bits), want.map(f64::to_bits), "{t:?}");
        }
    }

    #[test]
    fn skeleton_marks_digit_runs() {
        for l in ["", "7", "a", "1,2,3", "cache size=1,200 entries 12 took 4.5ms", "_1_", "9999 x 1", "x1"] {
            let (mut skel, mut runs) = (Vec::new(), Vec::new());
            super::skeleton(l.as_bytes(), &mut skel, &mut runs);
            assert_eq!((skel, runs), skeleton_by_words(l.as_bytes()), "{l:?}");
        }
        let (mut skel, mut runs) = (Vec::new(), Vec::new());
        super::skeleton(b"took 12 ms, 1,234 rows", &mut skel, &mut runs);
        assert_eq!(skel, b"took \xFF ms, \xFE\x01,\xFE\x03 rows");
        assert_eq!(runs, vec![(5, 7), (12, 13), (14, 17)]);
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #[test]
        fn parse_f64_agrees_with_std(t in "[-+]?[0-9]{0,17}(\\.[0-9]{0,17})?") {
            proptest::prop_assert_eq!(super::skeleton::parse_f64(&t).map(f64::to_bits), t.parse::<f64>().ok().map(f64::to_bits), "{:?}", t);
        }

        #[test]
        fn skeleton_is_the_word_at_a_time_one(parts in proptest::collection::vec(proptest::sample::select(vec![
            "1", "23", "456789", ",", "_", " ", "ms", "cache size=", "é", ".", "-",
        ]), 0..16)) {
            let l = parts.concat();
            let (mut skel, mut runs) = (Vec::new(), Vec::new());
            super::skeleton(l.as_bytes(), &mut skel, &mut runs);
            proptest::prop_assert_eq!((skel, runs), skeleton_by_words(l.as_bytes()), "{:?}", l);
        }

        /// Lines that differ only in their digits: every fast-path hit is checked
        /// against the full tokeniser (`check_fast`).
        #[test]
        fn fast_path_matches_the_tokeniser(
            line in "([a-z]{1,3}[=: ]|[0-9]{1,5}|[,._+-]|MiB |ms | |%|k9=|é|\\(|msg=\"|\"|size_mb=|\\\\|\\{){1,14}",
            shifts in proptest::collection::vec(0u8..10, 1..4),
        ) {
            let mut m = Miner::new(MinerLimits::default());
            m.push(None, &line, o(1));
            for (n, k) in shifts.iter().enumerate() {
                let v: String = line
                    .chars()
                    .map(|c| match c.to_digit(10) {
                        Some(d) => char::from(b'0' + u8::try_from((d + u32::from(*k)) % 10).unwrap_or(0)),
                        None => c,
                    })
                    .collect();
                m.push(None, &v, o(n as u32 + 2));
            }
        }

        /// The byte scans give what `split_whitespace` and a char trim gave.
        #[test]
        fn words_and_trims_match_the_char_versions(line in "[a-z0-9 \t\r\u{b}\u{c}(),;'\"<>|\\[\\]{}=:é\u{3000}\u{a0}]{0,30}") {
            let ours: Vec<&str> = words(&line).collect();
            let std: Vec<&str> = line.split_whitespace().collect();
            proptest::prop_assert_eq!(&ours, &std);
            for w in std {
                let is_p = |c: char| matches!(c, '(' | ')' | '[' | ']' | '{' | '}' | ',' | ';' | '"' | '\'' | '<' | '>' | '|');
                let core = w.trim_matches(is_p);
                proptest::prop_assert_eq!(trim_punct(w).1, core);
            }
        }
    }
}
