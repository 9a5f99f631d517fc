//! `tracemalloc` output (CPython `Lib/tracemalloc.py`): `str()` of a `Statistic`
//! (`snapshot.statistics("lineno")`) or a `StatisticDiff` (`snapshot.compare_to(old,
//! "lineno")`), the docs' `display_top` lines, and the traceback form
//! (`"%s memory blocks: %.1f KiB"` then `traceback.format()`: `  File "…", line N`
//! lines, oldest first, so the last one is where the memory was allocated).
//!
//! Example: `/app/worker/thumbs.py:41: size=8173 KiB (+8173 KiB), count=71332 (+71332),
//! average=117 B` is site `/app/worker/thumbs.py` line 41, 8173 KiB (+8173 KiB), 71332
//! blocks (+71332). Sizes are tracemalloc's rounded ones (`_format_size`: B, KiB, MiB,
//! GiB, TiB, 1024-based). Consecutive lines form one snapshot; another block (other
//! text, a blank line, a `[ Top 10 ]` title) or a site seen again starts the next.

use std::sync::OnceLock;

use regex::Regex;

use super::{signed_size, to_u64, Line};
use crate::model::{AllocationSite, Profiles};

struct Res {
    stat: Regex,
    top: Regex,
    blocks: Regex,
    file: Regex,
    title: Regex,
    other: Regex,
}

fn res() -> &'static Res {
    static R: OnceLock<Res> = OnceLock::new();
    R.get_or_init(|| Res {
        stat: Regex::new(
            r"(?:^|\s)(<[^>]*>|[^\s<][^\s]*):(\d+): size=(\d+(?:\.\d+)?) (B|KiB|MiB|GiB|TiB)(?: \(([+-]\d+(?:\.\d+)?) (B|KiB|MiB|GiB|TiB)\))?, count=(\d+)(?: \(([+-]\d+)\))?",
        )
        .expect("static regex"),
        top: Regex::new(r"^#\d+: (.+):(\d+): (\d+(?:\.\d+)?) (B|KiB|MiB|GiB|TiB)\s*$").expect("static regex"),
        blocks: Regex::new(r"(?:^|\s)(\d+) memory blocks: (\d+(?:\.\d+)?) KiB\s*$").expect("static regex"),
        file: Regex::new(r#"^\s+File "(.+)", line (\d+)"#).expect("static regex"),
        title: Regex::new(r"^\s*(?:\[ Top \d+(?: differences)? \]|Top \d+ lines)\s*$").expect("static regex"),
        other: Regex::new(r"^(?:\d+ other: |Total allocated size: )").expect("static regex"),
    })
}

/// Whether a pasted block starts here.
pub fn starts_block(line: &str, next: &str) -> bool {
    let r = res();
    let site = |l: &str| r.stat.is_match(l) || r.top.is_match(l) || r.blocks.is_match(l);
    site(line) || (r.title.is_match(line) && site(next))
}

/// A traceback-form site waiting for its `File` lines.
struct Pending {
    site: AllocationSite,
    located: bool,
}

#[derive(Default)]
pub struct Reader {
    open: bool,
    snapshot: u32,
    pending: Option<Pending>,
    /// Sites of the open snapshot: a listing names a site once, so a site seen again is
    /// the next snapshot (logs drop the blank lines between listings).
    seen: std::collections::HashSet<(String, String)>,
}

impl Reader {
    fn snapshot(&mut self, out: &Profiles) -> u32 {
        if !self.open {
            self.snapshot = out.next_snapshot();
            self.open = true;
            self.seen.clear();
        }
        self.snapshot
    }

    /// The snapshot of a site line: the open one, or the next when the site repeats.
    fn snapshot_for(&mut self, out: &Profiles, file: &str, line: &str) -> u32 {
        let key = (file.to_string(), line.to_string());
        if self.open && self.seen.contains(&key) {
            self.open = false;
        }
        let s = self.snapshot(out);
        self.seen.insert(key);
        s
    }

    fn flush(&mut self, out: &mut Profiles) {
        if let Some(p) = self.pending.take() {
            if p.located {
                out.allocation_sites.push(p.site);
            }
        }
    }
}

impl super::Reader for Reader {
    fn feed(&mut self, l: &Line<'_>, out: &mut Profiles) -> bool {
        let r = res();
        let text = l.text;
        // Cheap tests first: most log lines are none of this.
        static SIZE: std::sync::OnceLock<memchr::memmem::Finder<'static>> = std::sync::OnceLock::new();
        static BLOCKS: std::sync::OnceLock<memchr::memmem::Finder<'static>> = std::sync::OnceLock::new();
        let stat = crate::text::contains(&SIZE, ": size=", text);
        if !stat && self.pending.is_none() && !self.open && !crate::text::contains(&BLOCKS, " memory blocks: ", text) {
            let t = text.trim_start();
            if !(t.starts_with('#') || t.starts_with("[ Top") || t.starts_with("Top ")) {
                return false;
            }
        }
        if let Some(m) = r.stat.captures(text).filter(|_| stat) {
            self.flush(out);
            let size = signed_size(&m[3], &m[4]).and_then(to_u64);
            let Some(size) = size else { return false };
            let snapshot = self.snapshot_for(out, &m[1], &m[2]);
            out.allocation_sites.push(AllocationSite {
                at: l.at,
                snapshot,
                file: m[1].to_string(),
                line: m[2].parse().ok().filter(|&n: &u32| n > 0),
                size,
                size_delta: m.get(5).zip(m.get(6)).and_then(|(n, u)| signed_size(n.as_str(), u.as_str())),
                count: m[7].parse().ok(),
                count_delta: m.get(8).and_then(|c| c.as_str().parse().ok()),
                origin: l.origin,
            });
            return true;
        }
        if let Some(m) = r.top.captures(text) {
            self.flush(out);
            let Some(size) = signed_size(&m[3], &m[4]).and_then(to_u64) else {
                return false;
            };
            let snapshot = self.snapshot_for(out, &m[1], &m[2]);
            out.allocation_sites.push(AllocationSite {
                at: l.at,
                snapshot,
                file: m[1].to_string(),
                line: m[2].parse().ok().filter(|&n: &u32| n > 0),
                size,
                size_delta: None,
                count: None,
                count_delta: None,
                origin: l.origin,
            });
            return true;
        }
        if let Some(m) = r.blocks.captures(text) {
            self.flush(out);
            let Some(size) = signed_size(&m[2], "KiB").and_then(to_u64) else {
                return false;
            };
            let snapshot = self.snapshot(out);
            self.pending = Some(Pending {
                site: AllocationSite {
                    at: l.at,
                    snapshot,
                    file: String::new(),
                    line: None,
                    size,
                    size_delta: None,
                    count: m[1].parse().ok(),
                    count_delta: None,
                    origin: l.origin,
                },
                located: false,
            });
            return true;
        }
        if let Some(p) = self.pending.as_mut() {
            if let Some(m) = r.file.captures(text) {
                p.site.file = m[1].to_string();
                p.site.line = m[2].parse().ok();
                p.located = true;
                return true;
            }
            if text.starts_with(char::is_whitespace) {
                return true; // the source line under a `File` line
            }
        }
        if r.title.is_match(text) {
            self.flush(out);
            self.open = false; // a new listing: a new snapshot
            return true;
        }
        if self.open && r.other.is_match(text) {
            return true;
        }
        false
    }

    fn end(&mut self, out: &mut Profiles) {
        self.flush(out);
        self.open = false;
    }
}

#[cfg(test)]
mod tests {
    use super::super::scan;
    use super::*;
    use crate::model::Origin;

    fn lines(text: &str) -> Vec<Line<'_>> {
        text.lines()
            .enumerate()
            .map(|(i, t)| Line { at: None, origin: Origin { source: 0, line: i as u32 + 1 }, text: t })
            .collect()
    }

    #[test]
    fn compare_to_and_statistics() {
        // Printed by CPython 3.11: `for st in s2.compare_to(s1, "lineno")[:3]: print(st)`,
        // a blank line, then `s2.statistics("lineno")`.
        let text = "\
/app/worker/thumbs.py:41: size=8173 KiB (+8173 KiB), count=71332 (+71332), average=117 B
/usr/local/lib/python3.11/tracemalloc.py:560: size=320 B (+320 B), count=2 (+2), average=160 B
<frozen importlib._bootstrap_external>:729: size=12.5 MiB (-1.2 MiB), count=100 (-3), average=131 KiB

/app/worker/thumbs.py:41: size=3573 KiB, count=20001, average=183 B
/app/x.py:5: size=0 B, count=0
";
        let p = scan(&lines(text));
        let s = &p.allocation_sites;
        assert_eq!(s.len(), 5);
        assert_eq!(s[0].file, "/app/worker/thumbs.py");
        assert_eq!(s[0].line, Some(41));
        assert_eq!(s[0].size, 8173 * 1024);
        assert_eq!(s[0].size_delta, Some(8173 * 1024));
        assert_eq!((s[0].count, s[0].count_delta), (Some(71332), Some(71332)));
        assert_eq!(s[2].file, "<frozen importlib._bootstrap_external>");
        assert_eq!(s[2].size, 13107200);
        assert_eq!(s[2].size_delta, Some(-1258291));
        assert_eq!(s[2].count_delta, Some(-3));
        assert_eq!(s[3].size_delta, None);
        assert_eq!(s[4].size, 0);
        assert_eq!([s[0].snapshot, s[2].snapshot, s[3].snapshot], [0, 0, 1]);
        assert_eq!(s[3].origin.line, 5);
    }

    #[test]
    fn traceback_form_and_display_top() {
        // The docs' "pretty top" and traceback examples.
        let text = "\
[ Top 10 ]
#1: Lib/base64.py:414: 419.8 KiB
1 other: 2.1 KiB
Total allocated size: 421.9 KiB

20001 memory blocks: 3573.0 KiB
  File \"/app/main.py\", line 12
    load()
  File \"/app/worker/thumbs.py\", line 41
    cache[key] = render(img)
";
        let p = scan(&lines(text));
        let s = &p.allocation_sites;
        assert_eq!(s.len(), 2, "{s:#?}");
        assert_eq!((s[0].file.as_str(), s[0].line, s[0].size), ("Lib/base64.py", Some(414), 429875));
        assert_eq!((s[1].file.as_str(), s[1].line), ("/app/worker/thumbs.py", Some(41)));
        assert_eq!((s[1].size, s[1].count), (3658752, Some(20001)));
        assert_eq!(s[1].origin.line, 6);
        assert_ne!(s[0].snapshot, s[1].snapshot);
    }

    #[test]
    fn a_repeated_site_is_the_next_snapshot() {
        let p = scan(&lines(
            "/a.py:1: size=1 MiB, count=1, average=1 MiB\n/b.py:2: size=1 MiB, count=1, average=1 MiB\n/a.py:1: size=2 MiB, count=2, average=1 MiB",
        ));
        let s: Vec<u32> = p.allocation_sites.iter().map(|s| s.snapshot).collect();
        assert_eq!(s, vec![0, 0, 1]);
    }

    #[test]
    fn in_a_log_line_with_a_prefix() {
        let p = scan(&lines(
            "2026-11-24 10:00:01,123 INFO mem: /app/images.py:88: size=310 MiB (+290 MiB), count=12 (+11), average=25.8 MiB",
        ));
        assert_eq!(p.allocation_sites[0].file, "/app/images.py");
        assert_eq!(p.allocation_sites[0].size_delta, Some(290 << 20));
    }
}
