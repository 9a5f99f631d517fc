//! `objgraph.show_growth()` tables: one row per type whose number of objects grew since
//! the previous call, printed as `'%-*s%*d %+*d'` (name padded to the longest name,
//! count and delta right-aligned in 9 columns):
//!
//! ```text
//! wrapper_descriptor       970       +14
//! tuple                  12282       +10
//! dict                    1922        +7
//! ```
//!
//! Each row is a [`TypeGrowth`] (`dict`: 1922 objects, +7). The first call of
//! `show_growth` reports every object as growth (`+count`). In logs a table needs at
//! least two rows in a row, so a lone `users 12 +3` line is not taken for one. Logs
//! drop blank lines, so a type seen again starts the next table.

use std::sync::OnceLock;

use regex::Regex;

use super::Line;
use crate::model::{Profiles, TypeGrowth};

fn row_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"^([A-Za-z_][\w.]*)\s+(\d+)\s+([+-]\d+)\s*$").expect("static regex"))
}

/// What the row regex needs of a trimmed line, checked cheaply: a first byte in
/// `[A-Za-z_]`, exactly three words (its words hold no space), the third a sign then
/// digits.
pub(super) fn row_shape(t: &str) -> bool {
    let b = t.as_bytes();
    if !b.last().is_some_and(u8::is_ascii_digit) || !b.first().is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_') {
        return false;
    }
    let mut words = t.split_whitespace();
    let Some(third) = words.nth(2) else { return false };
    words.next().is_none() && matches!(third.as_bytes().first(), Some(b'+' | b'-'))
}

fn row(text: &str) -> Option<(String, u64, i64)> {
    let t = crate::text::trim(text);
    if !row_shape(t) {
        return None;
    }
    let m = row_re().captures(t)?;
    Some((m[1].to_string(), m[2].parse().ok()?, m[3].parse().ok()?))
}

/// Whether a pasted block starts here (two table rows).
pub fn starts_block(line: &str, next: &str) -> bool {
    row(line).is_some() && row(next).is_some()
}

#[derive(Default)]
pub struct Reader {
    rows: Vec<TypeGrowth>,
}

impl super::Reader for Reader {
    fn feed(&mut self, l: &Line<'_>, out: &mut Profiles) -> bool {
        let Some((type_name, count, delta)) = row(l.text) else {
            return false;
        };
        if self.rows.iter().any(|r| r.type_name == type_name) {
            self.end(out); // a table lists a type once: this is the next call's table
        }
        self.rows.push(TypeGrowth { at: l.at, snapshot: 0, type_name, count, delta, origin: l.origin });
        true
    }

    fn end(&mut self, out: &mut Profiles) {
        if self.rows.len() >= 2 {
            let snapshot = out.next_snapshot();
            for mut r in self.rows.drain(..) {
                r.snapshot = snapshot;
                out.type_growth.push(r);
            }
        }
        self.rows.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::super::scan;

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        /// The checks before the regex never hide a row the regex reads.
        #[test]
        fn prefilter_keeps_every_row(t in "[ \t]?([A-Za-z_1.é]{1,6}|[+-]?[0-9]{1,4}|[ \t\u{a0}]{1,2}){1,6}") {
            let trimmed = t.trim();
            if let Some(m) = super::row_re().captures(trimmed) {
                let parsed = (m[2].parse::<u64>(), m[3].parse::<i64>());
                if let (Ok(_), Ok(_)) = parsed {
                    proptest::prop_assert!(super::row(&t).is_some(), "{t:?}");
                }
            }
        }
    }

    #[test]
    fn tables() {
        // The objgraph docs' example, twice, then a lone row that is not a table.
        let text = "\
wrapper_descriptor       970       +14
tuple                  12282       +10
dict                    1922        +7

dict                    2400      +478
app.cache.Entry         9000     +3000
dict                    2500      +100
tuple                  12300       +18

users 12 +3";
        let lines = super::super::test_lines(text);
        let p = scan(&lines);
        let t = &p.type_growth;
        assert_eq!(t.len(), 7);
        assert_eq!((t[5].snapshot, t[6].snapshot), (2, 2));
        assert_eq!((t[2].type_name.as_str(), t[2].count, t[2].delta), ("dict", 1922, 7));
        assert_eq!((t[4].type_name.as_str(), t[4].delta, t[4].snapshot), ("app.cache.Entry", 3000, 1));
        assert_eq!(t[0].snapshot, 0);
    }
}
