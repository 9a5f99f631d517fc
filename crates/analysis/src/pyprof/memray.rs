//! `memray stats` terminal output (memray `reporters/stats.py`): titles with an emoji,
//! each value on the next, tab-indented line; sizes by memray's `size_fmt`
//! (`{num:5.3f}{unit}B`, 1024-based: `1.028MB`, `310.000MB`); locations as
//! `function:file:line`:
//!
//! ```text
//! 📏 Total allocations:
//!         71332
//!
//! 📦 Total memory allocated:
//!         1.100GB
//!
//! 📦 Peak memory usage:
//!         412.000MB
//!
//! 🥇 Top 5 largest allocating locations (by size):
//!         - render:/app/worker/thumbs.py:41 -> 310.000MB
//! ```
//!
//! gives one [`MemraySummary`]: 71332 allocations, 1.1 GiB allocated, peak 412 MiB, top
//! location `render` in `/app/worker/thumbs.py` line 41 with 310 MiB. The histogram,
//! the allocator distribution and the by-count list are read and skipped.

use super::Line;
use crate::model::{MemrayLocation, MemraySummary, Profiles};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Part {
    Allocations,
    Allocated,
    Peak,
    TopBySize,
    Skipped,
}

fn title(line: &str) -> Option<Part> {
    let l = crate::text::trim(line);
    // Every title ends with `:` or names the largest allocating locations (most lines: neither).
    static F: std::sync::OnceLock<memchr::memmem::Finder<'static>> = std::sync::OnceLock::new();
    if !l.ends_with(':') && !crate::text::contains(&F, "largest allocating locations (by ", l) {
        return None;
    }
    if l.ends_with("Total allocations:") {
        Some(Part::Allocations)
    } else if l.ends_with("Total memory allocated:") {
        Some(Part::Allocated)
    } else if l.ends_with("Peak memory usage:") {
        Some(Part::Peak)
    } else if l.contains("largest allocating locations (by size):") {
        Some(Part::TopBySize)
    } else if l.ends_with("Histogram of allocation size:")
        || l.ends_with("Allocator type distribution:")
        || l.contains("largest allocating locations (by number of allocations):")
    {
        Some(Part::Skipped)
    } else {
        None
    }
}

/// Whether a pasted block starts here: memray's first title (the others follow blank
/// lines inside the same output).
pub fn starts_block(line: &str) -> bool {
    title(line) == Some(Part::Allocations)
}

/// memray's `size_fmt`: `1.028MB`, `512.000B`, `2.000GB`.
pub(crate) fn size(text: &str) -> Option<u64> {
    let t = text.trim().strip_suffix('B')?;
    let (num, mult) = match t.chars().last()? {
        'K' => (&t[..t.len() - 1], 1024f64),
        'M' => (&t[..t.len() - 1], 1048576.0),
        'G' => (&t[..t.len() - 1], 1073741824.0),
        'T' => (&t[..t.len() - 1], 1099511627776.0),
        'P' => (&t[..t.len() - 1], 1125899906842624.0),
        c if c.is_ascii_digit() => (t, 1.0),
        _ => return None,
    };
    let v: f64 = num.trim().parse().ok()?;
    let b = (v * mult).round();
    (b.is_finite() && (0.0..1.8e19).contains(&b)).then_some(b as u64)
}

#[derive(Default)]
pub struct Reader {
    current: Option<MemraySummary>,
    part: Option<Part>,
}

impl super::Reader for Reader {
    fn feed(&mut self, l: &Line<'_>, out: &mut Profiles) -> bool {
        if let Some(p) = title(l.text) {
            if self.current.is_none() || (p == Part::Allocations && self.part.is_some()) {
                self.end(out);
                self.current = Some(MemraySummary { at: l.at, origin: l.origin, ..MemraySummary::default() });
            }
            self.part = Some(p);
            return true;
        }
        let (Some(cur), Some(part)) = (self.current.as_mut(), self.part) else {
            return false;
        };
        if !l.text.starts_with(char::is_whitespace) {
            return false;
        }
        let v = l.text.trim();
        match part {
            Part::Allocations => cur.total_allocations = v.parse().ok(),
            Part::Allocated => cur.total_allocated = size(v),
            Part::Peak => cur.peak = size(v),
            Part::TopBySize => {
                if let Some(loc) = location(v) {
                    cur.top_by_size.push(MemrayLocation { origin: l.origin, ..loc });
                }
            }
            Part::Skipped => {}
        }
        true
    }

    fn blank(&mut self, _out: &mut Profiles) {}

    fn end(&mut self, out: &mut Profiles) {
        if let Some(s) = self.current.take() {
            out.memray.push(s);
        }
        self.part = None;
    }
}

/// `- render:/app/worker/thumbs.py:41 -> 310.000MB`.
fn location(v: &str) -> Option<MemrayLocation> {
    let v = v.strip_prefix("- ")?;
    let (loc, sz) = v.rsplit_once(" -> ")?;
    let bytes = size(sz)?;
    let (function, rest) = loc.split_once(':')?;
    let (file, line) = match rest.rsplit_once(':') {
        Some((f, n)) if n.parse::<u32>().is_ok() => (f, n.parse().ok()),
        _ => (rest, None),
    };
    Some(MemrayLocation {
        function: function.to_string(),
        file: file.to_string(),
        line,
        bytes,
        origin: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::scan;
    use super::*;

    #[test]
    fn stats() {
        // As memray 1.x prints it (titles by rich, values after a tab).
        let text = "📏 Total allocations:
\t71332

📦 Total memory allocated:
\t1.100GB

📦 Peak memory usage:
\t412.000MB

📊 Histogram of allocation size:
\tmin: 1.000B
\t----------------------------------------
\t< 4.000B   :  3 ▇
\t<=1.000MB  : 12 ▇▇▇▇
\t----------------------------------------
\tmax: 1.000MB

📂 Allocator type distribution:
\t MALLOC: 71000
\t REALLOC: 332

🥇 Top 5 largest allocating locations (by size):
\t- render:/app/worker/thumbs.py:41 -> 310.000MB
\t- <module>:/app/main.py:3 -> 1.028MB
\t- <stack trace unavailable> -> 12.000KB

🥇 Top 5 largest allocating locations (by number of allocations):
\t- render:/app/worker/thumbs.py:41 -> 70001
";
        let lines = super::super::test_lines(text);
        let p = scan(&lines);
        assert_eq!(p.memray.len(), 1);
        let m = &p.memray[0];
        assert_eq!(m.total_allocations, Some(71332));
        assert_eq!(m.total_allocated, Some(1181116006));
        assert_eq!(m.peak, Some(412 << 20));
        assert_eq!(m.top_by_size.len(), 2);
        let t = &m.top_by_size[0];
        assert_eq!(
            (t.function.as_str(), t.file.as_str(), t.line, t.bytes),
            ("render", "/app/worker/thumbs.py", Some(41), 310 << 20)
        );
        assert_eq!(t.origin.line, 23);
        assert_eq!(m.top_by_size[1].bytes, 1077936);
        assert!(p.allocation_sites.is_empty() && p.type_growth.is_empty());
    }

    #[test]
    fn sizes() {
        assert_eq!(size("512.000B"), Some(512));
        assert_eq!(size("1.000KB"), Some(1024));
        assert_eq!(size("MB"), None);
        assert_eq!(size("x"), None);
    }
}
