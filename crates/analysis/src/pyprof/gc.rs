//! Garbage collector debug output (CPython `Modules/gcmodule.c`), printed to stderr after
//! `gc.set_debug(gc.DEBUG_STATS | gc.DEBUG_UNCOLLECTABLE)`:
//!
//! ```text
//! gc: collecting generation 2...
//! gc: objects in each generation: 12 6 11698
//! gc: objects in permanent generation: 0
//! gc: done, 4006 unreachable, 3 uncollectable, 0.0111s elapsed
//! gc: uncollectable <Node 0x7f3a2c1d0e80>
//! ```
//!
//! Each `collecting` line starts one [`GcRun`] (generation 2, objects 12/6/11698, 4006
//! unreachable, 3 uncollectable); each `uncollectable <Type 0x…>` line is one
//! [`GcObject`]. `gc: collectable <…>` (`DEBUG_COLLECTABLE`) lines are read and skipped.

use std::sync::OnceLock;

use regex::Regex;

use super::Line;
use crate::model::{GcObject, GcRun, Profiles};

struct Res {
    collecting: Regex,
    objects: Regex,
    done: Regex,
    uncollectable: Regex,
    other: Regex,
}

fn res() -> &'static Res {
    static R: OnceLock<Res> = OnceLock::new();
    R.get_or_init(|| Res {
        collecting: Regex::new(r"gc: collecting generation (\d+)").expect("static regex"),
        objects: Regex::new(r"gc: objects in each generation:((?: \d+)+)").expect("static regex"),
        done: Regex::new(r"gc: done, (\d+) unreachable, (\d+) uncollectable").expect("static regex"),
        uncollectable: Regex::new(r"gc: uncollectable <([^\s>]+)").expect("static regex"),
        other: Regex::new(r"gc: (?:objects in permanent generation|collectable <|done)").expect("static regex"),
    })
}

/// Whether a pasted block starts here.
pub fn starts_block(line: &str) -> bool {
    let r = res();
    let l = line.trim_start();
    l.starts_with("gc: ")
        && (r.collecting.is_match(l) || r.objects.is_match(l) || r.done.is_match(l) || r.uncollectable.is_match(l))
}

#[derive(Default)]
pub struct Reader {
    /// The collection being printed (index into `out.gc_runs`), until its `done` line.
    current: Option<usize>,
}

impl Reader {
    fn run<'p>(&mut self, l: &Line<'_>, out: &'p mut Profiles) -> &'p mut GcRun {
        let i = match self.current {
            Some(i) if i < out.gc_runs.len() => i,
            _ => {
                out.gc_runs.push(GcRun { at: l.at, origin: l.origin, ..GcRun::default() });
                out.gc_runs.len() - 1
            }
        };
        self.current = Some(i);
        &mut out.gc_runs[i]
    }
}

/// What a `gc: ` line says (the reader's five patterns, tried in this order).
#[derive(Debug, PartialEq)]
enum Said<'t> {
    /// `gc: collecting generation N`: N as written (may not fit).
    Collecting(&'t str),
    /// `gc: objects in each generation: 12 6 11698`: the numbers part.
    Objects(&'t str),
    /// `gc: done, N unreachable, M uncollectable`.
    Done(&'t str, &'t str),
    /// `gc: uncollectable <Type …`: the type.
    Uncollectable(&'t str),
    /// Another line of the statistics (read and skipped).
    Other,
}

/// The regexes' reading of a line (any text).
fn said_re(text: &str) -> Option<Said<'_>> {
    let r = res();
    fn g<'t>(m: &regex::Captures<'t>, i: usize) -> &'t str {
        m.get(i).map_or("", |x| x.as_str())
    }
    if let Some(m) = r.collecting.captures(text) {
        return Some(Said::Collecting(g(&m, 1)));
    }
    if let Some(m) = r.objects.captures(text) {
        return Some(Said::Objects(g(&m, 1)));
    }
    if let Some(m) = r.done.captures(text) {
        return Some(Said::Done(g(&m, 1), g(&m, 2)));
    }
    if let Some(m) = r.uncollectable.captures(text) {
        return Some(Said::Uncollectable(g(&m, 1)));
    }
    r.other.is_match(text).then_some(Said::Other)
}

/// The same reading without regexes, for ASCII text (where `\d` is `[0-9]` and `\s`
/// is ASCII white space): log streams print many gc lines, and the regexes' captures
/// were a large part of reading them. Each pattern is tried at every `gc: ` in turn,
/// as the regex finds its leftmost match.
fn said_ascii(text: &str) -> Option<Said<'_>> {
    let b = text.as_bytes();
    let digits = |from: usize| b.get(from..).map_or(0, |t| t.iter().take_while(|c| c.is_ascii_digit()).count());
    let mut at: [usize; 4] = [0; 4];
    let mut n = 0;
    for p in memchr::memmem::find_iter(b, b"gc: ") {
        if n == at.len() {
            // Many `gc: ` in one line: leave it to the regexes.
            return said_re(text);
        }
        at[n] = p + 4;
        n += 1;
    }
    let rests = || at.iter().take(n).map(|&p| (p, text.get(p..).unwrap_or("")));
    for (p, rest) in rests() {
        const L: &str = "collecting generation ";
        if rest.starts_with(L) {
            let d = digits(p + L.len());
            if d > 0 {
                return Some(Said::Collecting(text.get(p + L.len()..p + L.len() + d).unwrap_or("")));
            }
        }
    }
    for (p, rest) in rests() {
        const L: &str = "objects in each generation:";
        if rest.starts_with(L) {
            let start = p + L.len();
            let mut end = start;
            while b.get(end) == Some(&b' ') && digits(end + 1) > 0 {
                end += 1 + digits(end + 1);
            }
            if end > start {
                return Some(Said::Objects(text.get(start..end).unwrap_or("")));
            }
        }
    }
    for (p, rest) in rests() {
        const L: &str = "done, ";
        if rest.starts_with(L) {
            let a = p + L.len();
            let da = digits(a);
            const U1: &str = " unreachable, ";
            if da > 0 && text.get(a + da..).is_some_and(|t| t.starts_with(U1)) {
                let c = a + da + U1.len();
                let dc = digits(c);
                if dc > 0 && text.get(c + dc..).is_some_and(|t| t.starts_with(" uncollectable")) {
                    return Some(Said::Done(text.get(a..a + da).unwrap_or(""), text.get(c..c + dc).unwrap_or("")));
                }
            }
        }
    }
    for (p, rest) in rests() {
        const L: &str = "uncollectable <";
        if rest.starts_with(L) {
            let start = p + L.len();
            let len = b
                .get(start..)
                .map_or(0, |t| t.iter().take_while(|&&c| !matches!(c, b'\t'..=b'\r' | b' ' | b'>')).count());
            if len > 0 {
                return Some(Said::Uncollectable(text.get(start..start + len).unwrap_or("")));
            }
        }
    }
    rests()
        .any(|(_, rest)| {
            rest.starts_with("objects in permanent generation")
                || rest.starts_with("collectable <")
                || rest.starts_with("done")
        })
        .then_some(Said::Other)
}

impl super::Reader for Reader {
    fn feed(&mut self, l: &Line<'_>, out: &mut Profiles) -> bool {
        let text = l.text;
        static GC: std::sync::OnceLock<memchr::memmem::Finder<'static>> = std::sync::OnceLock::new();
        if !crate::text::contains(&GC, "gc: ", text) {
            return false;
        }
        let said = if text.is_ascii() { said_ascii(text) } else { said_re(text) };
        match said {
            Some(Said::Collecting(g)) => {
                self.current = None;
                self.run(l, out).generation = g.parse().ok();
                true
            }
            Some(Said::Objects(list)) => {
                let objects: Vec<u64> = list.split_whitespace().filter_map(|n| n.parse().ok()).collect();
                if self.current.and_then(|i| out.gc_runs.get(i)).is_some_and(|g| !g.objects.is_empty()) {
                    self.current = None; // a second listing without `collecting`: another run
                }
                self.run(l, out).objects = objects;
                true
            }
            Some(Said::Done(unreachable, uncollectable)) => {
                let run = self.run(l, out);
                run.unreachable = unreachable.parse().ok();
                run.uncollectable = uncollectable.parse().ok();
                self.current = None;
                true
            }
            Some(Said::Uncollectable(t)) => {
                out.gc_uncollectable.push(GcObject { at: l.at, type_name: t.to_string(), origin: l.origin });
                true
            }
            Some(Said::Other) => true,
            None => false,
        }
    }

    fn end(&mut self, _out: &mut Profiles) {
        self.current = None;
    }
}

#[cfg(test)]
mod tests {
    use super::super::scan;
    use super::{said_ascii, said_re};

    /// The hand reading agrees with the regexes on every ASCII line, including near
    /// misses, several `gc: ` in one line, and junk around them.
    #[test]
    fn ascii_reading_agrees_with_the_regexes() {
        let lines = [
            "gc: collecting generation 2...",
            "gc: collecting generation ...",
            "2024 INFO gc: collecting generation 12345678901234567890",
            "gc: objects in each generation: 12 6 11698",
            "gc: objects in each generation: 12 6 x 7",
            "gc: objects in each generation:",
            "gc: objects in each generation:  1",
            "gc: objects in permanent generation: 0",
            "gc: done, 4006 unreachable, 3 uncollectable, 0.0111s elapsed",
            "gc: done, 4006 unreachable, x uncollectable",
            "gc: done, 0.0004s elapsed",
            "gc: uncollectable <Node 0x7f3a2c1d0e80>",
            "gc: uncollectable <>",
            "gc: uncollectable < x",
            "gc: collectable <dict 0x7f>",
            "gc: done gc: collecting generation 1",
            "gc: uncollectable <A> gc: done, 1 unreachable, 2 uncollectable",
            "gc: gc: gc: gc: gc: done, 1 unreachable, 2 uncollectable",
            "xgc: collecting generation 0",
            "gc:collecting generation 0",
            "GC: collecting generation 0",
            "gc: objects in each generation: 1\t2",
            "gc: uncollectable <a\u{b}b>",
        ];
        for l in lines {
            assert_eq!(said_ascii(l), said_re(l), "{l:?}");
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #[test]
        fn ascii_reading_agrees_on_random_lines(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "gc: ", "collecting generation ", "objects in each generation:", " ", "1", "23", "done, ",
                " unreachable, ", " uncollectable", "uncollectable <", ">", "x", "\t", "collectable <",
                "objects in permanent generation",
            ]), 0..12)
        ) {
            let l = parts.concat();
            proptest::prop_assert_eq!(said_ascii(&l), said_re(&l), "{:?}", l);
        }
    }

    #[test]
    fn stats_and_uncollectable() {
        // Printed by CPython 3.11 with DEBUG_STATS | DEBUG_UNCOLLECTABLE.
        let text = "\
gc: collecting generation 2...
gc: objects in each generation: 12 6 11698
gc: objects in permanent generation: 0
gc: done, 4006 unreachable, 3 uncollectable, 0.0111s elapsed
gc: uncollectable <Node 0x7f3a2c1d0e80>
gc: uncollectable <app.tree.Node 0x7f3a2c1d0f10>
gc: collecting generation 0...
gc: objects in each generation: 702 0 11574
gc: done, 0 unreachable, 0 uncollectable, 0.0004s elapsed";
        let lines = super::super::test_lines(text);
        let p = scan(&lines);
        assert_eq!(p.gc_runs.len(), 2);
        let g = &p.gc_runs[0];
        assert_eq!((g.generation, g.objects.clone()), (Some(2), vec![12, 6, 11698]));
        assert_eq!((g.unreachable, g.uncollectable), (Some(4006), Some(3)));
        assert_eq!(g.origin.line, 1);
        assert_eq!(p.gc_runs[1].generation, Some(0));
        assert_eq!(p.gc_uncollectable.len(), 2);
        assert_eq!(p.gc_uncollectable[1].type_name, "app.tree.Node");
    }
}
