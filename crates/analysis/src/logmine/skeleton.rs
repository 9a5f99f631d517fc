//! Lines of the same shape read once: a line's *skeleton* (its bytes with digit runs
//! blanked) decides its template and where its numbers are, so a log of one format is
//! tokenised once per skeleton and its later lines only have their numbers read.
//!
//! Example: `cache size=1200 hits=37` and `cache size=1300 hits=41` share one skeleton.

use std::collections::HashMap;
use std::hash::Hasher;

use super::fields::Parsed;
use super::tokens::Tok;
use super::Unit;
use crate::text::{FxBuild, FxHasher};

/// Skeletons remembered at most (then the cache starts over): bounds memory when lines
/// carry ever-new ids.
pub(super) const MAX_KNOWN: usize = 4096;

/// The skeletons remembered ([`Known`] by skeleton): found by the skeleton's 64-bit hash,
/// then compared eight bytes at a time. Not a map keyed by the skeleton's bytes: its
/// lookups compare keys with `memcmp`, a byte loop on wasm32 (2.3 % of the page's
/// analysis, docs/performance.md).
#[derive(Clone, Debug, Default)]
pub(super) struct Skeletons {
    by_hash: HashMap<u64, Bucket, FxBuild>,
    len: usize,
}

impl Skeletons {
    pub(super) fn get(&self, skel: &[u8]) -> Option<&Known> {
        self.by_hash.get(&hash(skel))?.iter().find(|(k, _)| same(k, skel)).map(|(_, v)| v)
    }

    /// Remembers `known` for `skel` (starting over once [`MAX_KNOWN`] are remembered).
    pub(super) fn insert(&mut self, skel: &[u8], known: Known) {
        if self.len >= MAX_KNOWN {
            self.by_hash.clear();
            self.len = 0;
        }
        let bucket = self.by_hash.entry(hash(skel)).or_default();
        match bucket.iter_mut().find(|(k, _)| same(k, skel)) {
            Some(slot) => slot.1 = known,
            None => {
                bucket.push((skel.into(), known));
                self.len += 1;
            }
        }
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.len
    }

    #[cfg(test)]
    pub(super) fn keys(&self) -> Vec<&[u8]> {
        self.by_hash.values().flatten().map(|(k, _)| &**k).collect()
    }
}

/// The skeletons of one hash (nearly always one).
type Bucket = Vec<(Box<[u8]>, Known)>;

fn hash(skel: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write(skel);
    h.finish()
}

/// `a == b`, eight bytes at a time.
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let word = |c: &[u8]| u64::from_le_bytes(<[u8; 8]>::try_from(c).unwrap_or_default());
    let (mut x, mut y) = (a.chunks_exact(8), b.chunks_exact(8));
    (&mut x).zip(&mut y).all(|(p, q)| word(p) == word(q))
        && x.remainder().iter().zip(y.remainder()).all(|(p, q)| p == q)
}

/// What the tokeniser made of a free-text line, for the lines with the same skeleton.
#[derive(Clone, Debug)]
pub(super) struct Known {
    /// The template, or `None` when such a line gives no number.
    pub(super) template: Option<usize>,
    /// The numbers, in slot order.
    pub(super) values: Vec<KnownValue>,
}

/// Where one number is in the line: from digit run `first` (less `sign` bytes) to the
/// end of digit run `last`, and how the tokeniser turned it into a value.
#[derive(Clone, Copy, Debug)]
pub(super) struct KnownValue {
    pub(super) first: usize,
    pub(super) last: usize,
    pub(super) sign: usize,
    pub(super) mult: Option<f64>,
    pub(super) unit: Unit,
}

/// The skeleton of a line: its bytes with each run of ASCII digits replaced by `0xFF`
/// (a byte valid UTF-8 never has), or by `0xFE` and the run's length (capped at 255)
/// when the run touches a `,` or `_` (thousands separators: whether `1,234` is a number
/// depends on the group lengths). Everything the tokeniser decides (where words and
/// numbers are, units, volatile tokens, the template) depends only on the skeleton,
/// except the digits inside a field name (`p99=12`), which is why templates with a
/// digit are never remembered. `runs` gets the byte ranges of the digit runs.
pub(super) fn skeleton(line: &[u8], skel: &mut Vec<u8>, runs: &mut Vec<(usize, usize)>) {
    runs.clear();
    // One pass into a buffer sized for the worst case (a one-digit run next to a
    // separator takes two bytes): eight bytes at a time where they hold no digit (the
    // words between numbers), byte by byte elsewhere. Copying each word with its own
    // `extend_from_slice` had been a quarter of the digest thread's time.
    skel.clear();
    skel.resize(2 * line.len(), 0);
    let mut w = 0;
    let mut run: Option<usize> = None;
    let mut i = 0;
    while i < line.len() {
        let word = line.get(i..i + 8).and_then(|b| <[u8; 8]>::try_from(b).ok());
        if let Some(word) = word.filter(|b| !has_digit(u64::from_le_bytes(*b))) {
            if let Some(start) = run.take() {
                w = end_run(line, skel, runs, w, start, i);
            }
            if let Some(o) = skel.get_mut(w..w + 8) {
                o.copy_from_slice(&word);
            }
            w += 8;
            i += 8;
            continue;
        }
        let stop = (i + 8).min(line.len());
        while i < stop {
            let b = line.get(i).copied().unwrap_or(0);
            if b.is_ascii_digit() {
                if run.is_none() {
                    run = Some(i);
                }
            } else {
                if let Some(start) = run.take() {
                    w = end_run(line, skel, runs, w, start, i);
                }
                if let Some(o) = skel.get_mut(w) {
                    *o = b;
                }
                w += 1;
            }
            i += 1;
        }
    }
    if let Some(start) = run {
        w = end_run(line, skel, runs, w, start, line.len());
    }
    skel.truncate(w);
}

/// Whether one of the eight bytes of `x` is an ASCII digit: its high nibble is 3 and its
/// low nibble at most 9, tested for all eight at once (exactly: no carry crosses a byte).
#[inline(always)]
pub(super) fn has_digit(x: u64) -> bool {
    const LO7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    // 0 in the bytes whose high nibble is 3; then 0x80 in exactly those bytes.
    let h = (x & 0xF0F0_F0F0_F0F0_F0F0) ^ 0x3030_3030_3030_3030;
    let three = !(((h & LO7) + LO7) | h) & 0x8080_8080_8080_8080;
    // 0x10 in the bytes whose low nibble is above 9.
    let over = ((x & 0x0F0F_0F0F_0F0F_0F0F) + 0x0606_0606_0606_0606) & 0x1010_1010_1010_1010;
    three & !(over << 3) != 0
}

/// Ends the digit run `start..end`: its marker at `w` of the skeleton, its range in
/// `runs`; where the next byte goes.
#[inline(always)]
pub(super) fn end_run(
    line: &[u8],
    skel: &mut [u8],
    runs: &mut Vec<(usize, usize)>,
    w: usize,
    start: usize,
    end: usize,
) -> usize {
    runs.push((start, end));
    let sep = |c: Option<&u8>| matches!(c, Some(b',' | b'_'));
    if sep(start.checked_sub(1).and_then(|p| line.get(p))) || sep(line.get(end)) {
        if let Some(o) = skel.get_mut(w..w + 2) {
            o.copy_from_slice(&[0xFE, u8::try_from(end - start).unwrap_or(u8::MAX)]);
        }
        w + 2
    } else {
        if let Some(o) = skel.get_mut(w) {
            *o = 0xFF;
        }
        w + 1
    }
}

/// The byte offset of `part` (a sub-slice) in `line`.
pub(super) fn offset_in(line: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(line.as_ptr() as usize)
}

/// The value of a number as written (`-1,234.5`), as [`number_parts`] reads it.
pub(super) fn raw_value(raw: &str) -> Option<f64> {
    if raw.bytes().any(|c| c == b',' || c == b'_') {
        raw.chars().filter(|c| *c != ',' && *c != '_').collect::<String>().parse().ok()
    } else {
        parse_f64(raw)
    }
}

/// `s.parse::<f64>()`, without the general parser for a plain decimal of at most 15
/// digits (`-12`, `24.4`: nearly every number a log line repeats): its digits are an
/// exact integer below 2^53 and the divisor an exact power of ten, so one IEEE division
/// gives the correctly rounded value, as the parser does (Clinger's fast path).
pub(super) fn parse_f64(s: &str) -> Option<f64> {
    const POW10: [f64; 16] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
    let b = s.as_bytes();
    let (neg, digits) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, b),
    };
    let (mut m, mut n, mut frac, mut dot) = (0u64, 0usize, 0usize, false);
    for &c in digits {
        match c {
            b'0'..=b'9' if n < 15 => {
                m = m * 10 + u64::from(c - b'0');
                n += 1;
                frac += usize::from(dot);
            }
            b'.' if !dot => dot = true,
            _ => return s.parse().ok(),
        }
    }
    if n == 0 {
        return s.parse().ok();
    }
    let v = m as f64 / POW10.get(frac).copied()?;
    Some(if neg { -v } else { v })
}

/// The values of a line whose skeleton is known (`None` when in doubt: take the full path).
pub(super) fn known_values(line: &str, runs: &[(usize, usize)], k: &Known, out: &mut Vec<(Unit, f64)>) -> Option<()> {
    out.clear();
    for v in &k.values {
        let start = runs.get(v.first)?.0.checked_sub(v.sign)?;
        let end = runs.get(v.last)?.1;
        let raw = raw_value(line.get(start..end)?)?;
        out.push((v.unit, v.mult.map_or(raw, |m| raw * m)));
    }
    Some(())
}

/// How to read the numbers of `toks` from the digit runs of the line, or `None` when a
/// number does not start and end at digit runs (then the line is not remembered).
pub(super) fn known_from(
    line: &str,
    toks: &[Tok<'_>],
    runs: &[(usize, usize)],
    max_slots: usize,
) -> Option<Vec<KnownValue>> {
    toks.iter()
        .filter_map(|t| match t {
            Tok::Num { unit, span, mult, .. } => Some(known_value(line, *span, *mult, *unit, runs)),
            _ => None,
        })
        .take(max_slots)
        .collect()
}

/// [`known_from`] for a JSON / logfmt parse (`None` when a number is not a piece of the line).
pub(super) fn known_from_parsed(line: &str, p: &Parsed, runs: &[(usize, usize)]) -> Option<Vec<KnownValue>> {
    p.nums
        .iter()
        .zip(&p.spans)
        .map(|((_, _, unit, _), span)| {
            let (a, b, mult) = (*span)?;
            known_value(line, (a, b), mult, *unit, runs)
        })
        .collect()
}

/// Where the number written at `span` of `line` is, in digit runs.
pub(super) fn known_value(
    line: &str,
    span: (usize, usize),
    mult: Option<f64>,
    unit: Unit,
    runs: &[(usize, usize)],
) -> Option<KnownValue> {
    let sign = usize::from(matches!(line.as_bytes().get(span.0), Some(b'-' | b'+')));
    let first = runs.iter().position(|r| r.0 == span.0 + sign)?;
    let last = runs.iter().position(|r| r.1 == span.1)?;
    Some(KnownValue { first, last, sign, mult, unit })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(template: usize) -> Known {
        Known { template: Some(template), values: Vec::new() }
    }

    #[test]
    fn bytes_compare_like_slices() {
        let cases: [(&[u8], &[u8]); 7] = [
            (b"", b""),
            (b"cache size=\xff", b"cache size=\xff"),
            (b"cache size=\xff entries", b"cache size=\xff entrieS"),
            (b"abcdefgh", b"abcdefgh"),
            (b"abcdefgh", b"abcdefgi"),
            (b"abcdefghijklmnopq", b"Abcdefghijklmnopq"),
            (b"abc", b"abcd"),
        ];
        for (a, b) in cases {
            assert_eq!(same(a, b), a == b, "{a:?} {b:?}");
        }
    }

    #[test]
    fn skeletons_are_found_replaced_and_bounded() {
        let mut s = Skeletons::default();
        s.insert(b"queue length \xff", known(1));
        s.insert(b"queue length \xff items", known(2));
        assert_eq!(s.get(b"queue length \xff").and_then(|k| k.template), Some(1));
        assert_eq!(s.get(b"queue length \xff items").and_then(|k| k.template), Some(2));
        assert!(s.get(b"queue length").is_none());
        s.insert(b"queue length \xff", known(3));
        assert_eq!((s.len(), s.get(b"queue length \xff").and_then(|k| k.template)), (2, Some(3)));
        for i in 0..MAX_KNOWN {
            s.insert(format!("line {i}").as_bytes(), known(i));
        }
        assert!(s.len() <= MAX_KNOWN, "starts over once full: {}", s.len());
        assert_eq!(s.get(format!("line {}", MAX_KNOWN - 1).as_bytes()).and_then(|k| k.template), Some(MAX_KNOWN - 1));
    }
}
