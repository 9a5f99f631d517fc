//! Text output of Python memory tools, pasted as its own block or found in a
//! container's log: one reader per tool.
//!
//! - [`tracemalloc`]: `statistics()` / `compare_to()` lines and the traceback form;
//! - [`objgraph`]: `show_growth()` tables;
//! - [`gc`]: `gc.set_debug(gc.DEBUG_STATS | gc.DEBUG_UNCOLLECTABLE)` output;
//! - [`memray`]: `memray stats`;
//! - [`pyspy`]: `py-spy dump`.
//!
//! A pasted block is a section of kind [`SectionKind::PyProfile`] (recognised by
//! [`is_header`] from `sections::detect_header`); `parse/pyprof.rs` reads it with
//! [`scan`], and its `join` (called once at the end of the analysis) ties it to
//! the only pod of the bundle. `join` also reads every container's log lines, so the
//! logs stay the owner of their lines and the profiles only point at them.
//!
//! Example: the log line `/app/worker/thumbs.py:41: size=8173 KiB (+8173 KiB),
//! count=71332 (+71332), average=117 B` of container `worker` gives one
//! [`AllocationSite`](crate::model::AllocationSite) of 8369152 bytes, +8369152, at that
//! line's time, in `worker`'s profiles.

use jiff::Timestamp;

use crate::model::{Origin, Profiles};

pub mod gc;
pub mod memray;
pub mod memray_html;
pub mod objgraph;
pub mod pyspy;
pub mod tracemalloc;

/// One line to read, with where it came from and its time when known.
#[derive(Clone, Copy, Debug)]
pub struct Line<'a> {
    pub at: Option<Timestamp>,
    pub origin: Origin,
    pub text: &'a str,
}

/// A tool's reader, fed line by line.
pub(crate) trait Reader {
    /// Takes the line when it belongs to this tool's output.
    fn feed(&mut self, l: &Line<'_>, out: &mut Profiles) -> bool;
    /// The block ended (another tool's line, other text, the end of input).
    fn end(&mut self, out: &mut Profiles);
    /// A blank line: most blocks end there; memray and py-spy print blank lines inside.
    fn blank(&mut self, out: &mut Profiles) {
        self.end(out);
    }
}

/// The five readers, fed one line at a time (a log stream is read as it streams).
#[derive(Default)]
pub struct Scanner {
    tm: tracemalloc::Reader,
    g: gc::Reader,
    mr: memray::Reader,
    ps: pyspy::Reader,
    og: objgraph::Reader,
    /// Some reader may be inside a block: false after a line no reader took (each then
    /// got `end`), so every reader is waiting for a block's first line.
    busy: bool,
}

/// Whether `text` may be the first line of a block of one of the five tools: a
/// necessary condition of each reader taking a line while no block is open. Most log
/// lines are none, and telling so in one pass over their `:` and `(` saves the readers'
/// four substring searches on every line.
pub(crate) fn may_start(text: &str) -> bool {
    let b = text.as_bytes();
    let t = crate::text::trim(text);
    let at = |p: usize, s: &str| b.get(p..p + s.len()) == Some(s.as_bytes());
    // memray's titles end with `:`; py-spy's dump starts with these; tracemalloc's
    // headers; an objgraph row (its cheap shape test).
    // `trim_start` only when the first byte may be white space (any but visible ASCII).
    let lead = match b.first() {
        Some(&c) if c > b' ' && c < 0x80 => text,
        _ => text.trim_start(),
    };
    if t.ends_with(':')
        || text.starts_with("Process ")
        || text.starts_with("Thread ")
        || lead.starts_with('#')
        || lead.starts_with("[ Top")
        || lead.starts_with("Top ")
        || objgraph::row_shape(t)
    {
        return true;
    }
    // tracemalloc `: size=`, ` memory blocks: `; gc `gc: `; memray `largest allocating
    // locations (by `.
    memchr::memchr2_iter(b':', b'(', b).any(|p| {
        if b.get(p) == Some(&b'(') {
            const L: &str = "largest allocating locations (by ";
            return p >= 29 && at(p - 29, L);
        }
        at(p, ": size=") || (p >= 14 && at(p - 14, " memory blocks: ")) || (p >= 2 && at(p - 2, "gc: "))
    })
}

impl Scanner {
    fn readers(&mut self) -> [&mut dyn Reader; 5] {
        [&mut self.tm, &mut self.g, &mut self.mr, &mut self.ps, &mut self.og]
    }

    /// Feeds one line; true when a reader took it (a blank line is never taken).
    pub fn line(&mut self, l: &Line<'_>, out: &mut Profiles) -> bool {
        self.line_known(l, out, None)
    }

    /// [`Scanner::line`], with [`may_start`] of the line already known (the digest
    /// thread gets it from the reading thread, see `digest_sink.rs`).
    pub fn line_known(&mut self, l: &Line<'_>, out: &mut Profiles, may: Option<bool>) -> bool {
        if crate::text::is_blank(l.text) {
            for r in self.readers() {
                r.blank(out);
            }
            // memray and py-spy blocks go on past a blank line.
            self.busy = true;
            return false;
        }
        if !self.busy && !may.unwrap_or_else(|| may_start(l.text)) {
            // What the readers would do: none takes it, each ends (nothing is open).
            return false;
        }
        let mut taken = false;
        for r in self.readers() {
            if !taken && r.feed(l, out) {
                taken = true;
            } else {
                r.end(out);
            }
        }
        self.busy = taken;
        taken
    }

    /// The end of the lines.
    pub fn end(&mut self, out: &mut Profiles) {
        for r in self.readers() {
            r.end(out);
        }
    }
}

/// Reads the lines of one block or one log stream into `out`.
pub fn scan_into(lines: &[Line<'_>], out: &mut Profiles) {
    let mut s = Scanner::default();
    for l in lines {
        s.line(l, out);
    }
    s.end(out);
}

/// Reads lines into new profiles.
pub fn scan(lines: &[Line<'_>]) -> Profiles {
    let mut out = Profiles::default();
    scan_into(lines, &mut out);
    out
}

/// Whether line `i` starts a pasted block of a Python memory tool. Only at the start of
/// the input or after a blank line, so a bare log file is not cut in two by a `gc:` line
/// in it (its lines stay the log's).
pub fn is_header(lines: &[(u32, &str)], i: usize) -> bool {
    let Some(&(_, line)) = lines.get(i) else {
        return false;
    };
    if i > 0 && !lines.get(i - 1).is_some_and(|(_, l)| l.trim().is_empty()) {
        return false;
    }
    let next = lines.get(i + 1).map_or("", |(_, l)| *l);
    tracemalloc::starts_block(line, next)
        || gc::starts_block(line)
        || memray::starts_block(line)
        || pyspy::starts_block(line, next)
        || objgraph::starts_block(line, next)
}

pub(crate) fn all_origins(p: &Profiles) -> impl Iterator<Item = Origin> + '_ {
    p.allocation_sites
        .iter()
        .map(|x| x.origin)
        .chain(p.type_growth.iter().map(|x| x.origin))
        .chain(p.gc_runs.iter().map(|x| x.origin))
        .chain(p.gc_uncollectable.iter().map(|x| x.origin))
        .chain(p.memray.iter().map(|x| x.origin))
        .chain(p.memray.iter().flat_map(|m| m.top_by_size.iter().map(|x| x.origin)))
        .chain(p.stacks.iter().map(|x| x.origin))
        .chain(p.stacks.iter().flat_map(|s| s.frames.iter().map(|x| x.origin)))
        .chain(p.memory_records.iter().map(|x| x.origin))
}

/// `8173 KiB`, `+1.5 MiB`, `-320 B` (tracemalloc's units, 1024-based) in bytes.
pub(crate) fn signed_size(number: &str, unit: &str) -> Option<i64> {
    let v: f64 = number.parse().ok()?;
    let mult = match unit {
        "B" => 1.0,
        "KiB" => 1024.0,
        "MiB" => 1048576.0,
        "GiB" => 1073741824.0,
        "TiB" => 1099511627776.0,
        _ => return None,
    };
    let b = (v * mult).round();
    (b.is_finite() && b.abs() < 9.0e18).then_some(b as i64)
}

/// Numbers as `u64` only when they fit.
pub(crate) fn to_u64(v: i64) -> Option<u64> {
    u64::try_from(v).ok()
}

/// Test helper: the lines of `text`, numbered from 1, without times.
#[cfg(test)]
pub(crate) fn test_lines(text: &str) -> Vec<Line<'_>> {
    text.lines()
        .enumerate()
        .map(|(i, t)| Line { at: None, origin: crate::model::Origin { source: 0, line: i as u32 + 1 }, text: t })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `lines` twice: as logs stream them, and with the idle shortcut off (every
    /// reader fed every line). Same lines taken, same profiles.
    fn shortcut_changes_nothing(lines: &[&str]) {
        let (mut fast, mut slow) = (Scanner::default(), Scanner::default());
        let (mut a, mut b) = (Profiles::default(), Profiles::default());
        for (i, t) in lines.iter().enumerate() {
            let l = Line { at: None, origin: Origin { source: 0, line: i as u32 + 1 }, text: t };
            let x = fast.line(&l, &mut a);
            slow.busy = true;
            let y = slow.line(&l, &mut b);
            assert_eq!(x, y, "line {i}: {t:?}");
        }
        fast.end(&mut a);
        slow.end(&mut b);
        assert_eq!(a, b, "{lines:?}");
    }

    const TOOL_LINES: [&str; 24] = [
        "\t#2: app/x.py:3: 1.0 KiB",
        "\u{a0}[ Top 10 differences ]",
        "/app/worker/thumbs.py:41: size=8173 KiB (+8173 KiB), count=71332 (+71332), average=117 B",
        "[ Top 10 differences ]",
        "Top 3 lines",
        "#1: app/cache.py:12: 1024.0 KiB",
        "48 memory blocks: 12.5 KiB",
        "  File \"/app/cache.py\", line 12",
        "gc: collecting generation 2...",
        "gc: objects in each generation: 12 6 11698",
        "gc: done, 4006 unreachable, 3 uncollectable, 0.0111s elapsed",
        "gc: uncollectable <Node 0x7f3a2c1d0e80>",
        "📏 Total allocations:",
        "        1234",
        "🥇 Top 5 largest allocating locations (by size):",
        "\t- handle:/app/worker.py:42 -> 512.000MB",
        "Process 1: python app.py",
        "Python v3.11.4 (/usr/bin/python3.11)",
        "Thread 7 (active): \"MainThread\"",
        "    handle (app/worker.py:42)",
        "dict                 120345   +2048",
        "Node                  50000   +5000",
        "Peak memory usage:",
        "   420.5MB",
    ];

    const LOG_LINES: [&str; 6] = [
        "2026-11-24 10:03:01,961 DEBUG [shop.db] query INSERT events took 24.4 ms rows=21",
        "INFO:     10.244.7.77:46012 - \"GET /api/products/511 HTTP/1.1\" 200 OK",
        "WARNING queue length 1200",
        "",
        "   ",
        "x (by size): y",
    ];

    #[test]
    fn idle_shortcut_keeps_every_block() {
        let mut all: Vec<&str> = TOOL_LINES.to_vec();
        all.extend(LOG_LINES);
        shortcut_changes_nothing(&all);
        for t in TOOL_LINES {
            assert!(
                may_start(t)
                    || !Scanner::default()
                        .line(&Line { at: None, origin: Origin::default(), text: t }, &mut Profiles::default()),
                "{t:?}"
            );
        }
        assert!(!may_start(LOG_LINES[0]) && !may_start(LOG_LINES[1]));
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #[test]
        fn idle_shortcut_agrees_with_feeding_every_reader(
            picks in proptest::collection::vec(0..TOOL_LINES.len() + LOG_LINES.len(), 0..40)
        ) {
            let lines: Vec<&str> = picks.iter().map(|&i| if i < TOOL_LINES.len() { TOOL_LINES[i] } else { LOG_LINES[i - TOOL_LINES.len()] }).collect();
            shortcut_changes_nothing(&lines);
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(signed_size("8173", "KiB"), Some(8173 * 1024));
        assert_eq!(signed_size("+1.5", "MiB"), Some(1572864));
        assert_eq!(signed_size("-320", "B"), Some(-320));
        assert_eq!(signed_size("1e300", "TiB"), None);
        assert_eq!(signed_size("3", "XB"), None);
    }

    #[test]
    fn a_pasted_block_joins_the_only_pod() {
        let a = crate::analyze_text(
            "paste",
            "/app/worker/thumbs.py:41: size=8173 KiB (+8173 KiB), count=71332 (+71332), average=117 B\n\n\
$ kubectl top pod -n shop\nNAME CPU(cores) MEMORY(bytes)\nw-1 1m 301Mi\n\n\
$ cat memray-stats.txt\n📦 Peak memory usage:\n\t412.000MB\n",
        );
        let pod = &a.model.pods[0];
        assert_eq!(pod.profiles.allocation_sites.len(), 1, "{:?}", a.model.warnings);
        assert_eq!(pod.profiles.memray[0].peak, Some(412 << 20));
        assert!(a.model.warnings.is_empty(), "{:?}", a.model.warnings);
        assert!(a.model.profiles.is_empty());
        assert_eq!(a.model.sections[0].kind, crate::model::SectionKind::PyProfile);
    }

    #[test]
    fn kubectl_exec_names_pod_and_container() {
        let a = crate::analyze_text(
            "paste",
            "$ kubectl exec -n shop w-1 -c worker -- py-spy dump --pid 1\n\
Process 1: python -m worker\nPython v3.11.7 (/usr/local/bin/python3.11)\n\n\
Thread 0x7F3A2C1D0740 (active): \"MainThread\"\n    handle_batch (worker/jobs.py:88)\n",
        );
        assert!(a.model.warnings.is_empty(), "{:?}", a.model.warnings);
        let c = a.model.pod(Some("shop"), "w-1").and_then(|p| p.container("worker")).expect("container");
        assert_eq!(c.profiles.stacks[0].frames[0].line, Some(88));
    }

    #[test]
    fn a_gc_line_inside_a_bare_log_stays_in_the_log() {
        let a = crate::analyze_text(
            "w-1_worker.log",
            "INFO start\ngc: collecting generation 2...\ngc: objects in each generation: 1 2 3\nINFO next\n",
        );
        let c = &a.model.pods[0].containers[0];
        assert_eq!(c.logs[0].lines.len(), 4);
        assert_eq!(c.profiles.gc_runs.len(), 1);
        assert_eq!(c.profiles.gc_runs[0].objects, vec![1, 2, 3]);
    }
}
