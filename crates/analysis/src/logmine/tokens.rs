//! Free-text lines as tokens: words, numbers with their units (`12.5MB`, `300 ms`), and
//! volatile tokens (dates, hex ids, UUIDs, pod names) masked as `<*>`; the template and
//! the values of a line come from them.
//!
//! Example: `cache size=1200 hits=37` gives the words `cache`, `size=`, `hits=` and the
//! numbers 1200 and 37.

use super::fields::Parsed;
use super::skeleton::offset_in;
use super::Unit;

/// A token of a free-text line (words borrow the line).
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Tok<'a> {
    Word(&'a str),
    /// `value` is the final value (`mult` applied); `span` the bytes of the number as
    /// written in the line, `mult` the multiplier of its size unit, if any.
    Num {
        value: f64,
        unit: Unit,
        span: (usize, usize),
        mult: Option<f64>,
    },
    Var,
}

pub fn split_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for ch in s.chars() {
        if ch.is_alphabetic() {
            if ch.is_uppercase() && prev_lower && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = ch.is_lowercase();
            cur.extend(ch.to_lowercase());
        } else {
            prev_lower = false;
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// A short word in ASCII lower case, on the stack (`None` when longer than 8 bytes:
/// no unit is).
pub(super) fn lower8(u: &str) -> Option<([u8; 8], usize)> {
    let b = u.as_bytes();
    if b.len() > 8 {
        return None;
    }
    let mut out = [0u8; 8];
    for (o, c) in out.iter_mut().zip(b) {
        *o = c.to_ascii_lowercase();
    }
    Some((out, b.len()))
}

pub(super) fn size_unit(u: &str) -> Option<f64> {
    let k = 1024f64;
    let (buf, n) = lower8(u)?;
    Some(match buf.get(..n)? {
        b"b" | b"byte" | b"bytes" => 1.0,
        b"k" | b"kb" | b"kib" => k,
        b"m" | b"mb" | b"mib" => k * k,
        b"g" | b"gb" | b"gib" => k * k * k,
        b"t" | b"tb" | b"tib" => k * k * k * k,
        _ => return None,
    })
}

pub(super) fn time_unit(u: &str) -> bool {
    let Some((buf, n)) = lower8(u) else { return false };
    matches!(
        buf.get(..n).unwrap_or(b""),
        b"ns"
            | b"us"
            | b"\xc2\xb5s"
            | b"ms"
            | b"s"
            | b"sec"
            | b"secs"
            | b"second"
            | b"seconds"
            | b"min"
            | b"mins"
            | b"minutes"
            | b"h"
            | b"hr"
            | b"hours"
    )
}

/// A number with an optional attached unit: `1200`, `1,200`, `-3.5`, `12.5MB`, `40%`,
/// `120ms`. `None` for anything else (`v1.2.3`, `7d9f8b6c5`).
#[cfg(test)]
pub(super) fn number(s: &str) -> Option<(f64, Unit)> {
    let (value, unit, mult, _) = number_parts(s.trim())?;
    Some((mult.map_or(value, |m| value * m), unit))
}

/// [`number`] in parts: the value as written, its unit, the unit's multiplier (sizes),
/// and the length of the number as written (sign, digits, separators, fraction).
pub(super) fn number_parts(s: &str) -> Option<(f64, Unit, Option<f64>, usize)> {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    let ds = i;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b',' || b[i] == b'_') {
        i += 1;
    }
    if i == ds || !b[ds].is_ascii_digit() {
        return None;
    }
    let int = s.get(ds..i)?;
    if int.contains(',') {
        // Only thousands separators: 1,234,567.
        let groups: Vec<&str> = int.split(',').collect();
        if groups.first().is_some_and(|g| g.is_empty() || g.len() > 3) || groups.iter().skip(1).any(|g| g.len() != 3) {
            return None;
        }
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let fs = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == fs {
            return None;
        }
    }
    let raw = s.get(..i)?;
    let value: f64 = if raw.bytes().any(|c| c == b',' || c == b'_') {
        raw.chars().filter(|c| *c != ',' && *c != '_').collect::<String>().parse().ok()?
    } else {
        raw.parse().ok()?
    };
    let unit = s.get(i..)?;
    if unit.is_empty() {
        return Some((value, Unit::Count, None, i));
    }
    if unit == "%" {
        return Some((value, Unit::Percent, None, i));
    }
    if let Some(m) = size_unit(unit) {
        return Some((value, Unit::Bytes, Some(m), i));
    }
    if time_unit(unit) {
        return Some((value, Unit::Duration, None, i));
    }
    None
}

pub(super) fn is_volatile(core: &str) -> bool {
    if !core.bytes().any(|c| c.is_ascii_digit()) {
        return false;
    }
    // Dates, times, IPs, versions, hex ids, UUIDs, mixed names (worker-7d9f8b6c5).
    true
}

/// Strips punctuation around a token; returns (leading, core, trailing). The
/// punctuation is ASCII, so a byte scan finds char boundaries.
pub(super) fn trim_punct(w: &str) -> (&str, &str, &str) {
    let is_p =
        |c: &u8| matches!(c, b'(' | b')' | b'[' | b']' | b'{' | b'}' | b',' | b';' | b'"' | b'\'' | b'<' | b'>' | b'|');
    let b = w.as_bytes();
    let start = b.iter().position(|c| !is_p(c)).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !is_p(c)).map_or(start, |e| e + 1).max(start);
    match (w.get(..start), w.get(start..end), w.get(end..)) {
        (Some(a), Some(c), Some(t)) => (a, c, t),
        _ => ("", w, ""),
    }
}

/// Whitespace-separated words, as `split_whitespace` gives them (a byte scan for ASCII
/// lines, the common case).
pub(super) fn words(line: &str) -> impl Iterator<Item = &str> {
    let ascii = line.is_ascii();
    let mut rest = if ascii { line } else { "" };
    let mut unicode = (!ascii).then(|| line.split_whitespace());
    std::iter::from_fn(move || {
        if let Some(u) = unicode.as_mut() {
            return u.next();
        }
        let b = rest.as_bytes();
        let ws = |c: &u8| matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r');
        let start = b.iter().position(|c| !ws(c))?;
        let len = b.get(start..)?.iter().position(ws).unwrap_or(b.len() - start);
        let w = rest.get(start..start + len)?;
        rest = rest.get(start + len..).unwrap_or("");
        Some(w)
    })
}

/// `k` names a field: letters, digits, `_ . -`, at least one letter.
pub(super) fn key_like(k: &str) -> bool {
    if k.is_ascii() {
        let b = k.as_bytes();
        return !b.is_empty()
            && b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
            && b.iter().any(u8::is_ascii_alphabetic);
    }
    !k.is_empty()
        && k.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-'))
        && k.chars().any(char::is_alphabetic)
}

/// The tokens of a free-text line, and its template (`key`): words, `<num>` and `<*>`
/// joined by single spaces. One pass, no allocation per token.
pub(super) fn tokens<'a>(line: &'a str, key: &mut String) -> Vec<Tok<'a>> {
    // Tokens: whitespace words, split once more at `=`/`:` when a key precedes a number.
    let mut toks: Vec<Tok<'a>> = Vec::with_capacity(24);
    key.reserve(line.len() + 32);
    let piece = |key: &mut String, parts: &[&str]| {
        if !key.is_empty() {
            key.push(' ');
        }
        for p in parts {
            key.push_str(p);
        }
    };
    for w in words(line) {
        let (lead, core, trail) = trim_punct(w);
        // key=value / key:value glued
        if let Some(pos) = core.bytes().position(|b| b == b'=' || b == b':') {
            let (k, v) = (&core[..pos], &core[pos + 1..]);
            if key_like(k) && !v.is_empty() {
                if let Some((raw, unit, mult, len)) = number_parts(v) {
                    toks.push(Tok::Word(k));
                    piece(key, &[lead, k, &core[pos..=pos]]);
                    let at = offset_in(line, v);
                    toks.push(Tok::Num { value: mult.map_or(raw, |m| raw * m), unit, span: (at, at + len), mult });
                    piece(key, &["<num>", trail]);
                    continue;
                }
            }
        }
        if let Some((raw, unit, mult, len)) = number_parts(core) {
            let at = offset_in(line, core);
            toks.push(Tok::Num { value: mult.map_or(raw, |m| raw * m), unit, span: (at, at + len), mult });
            piece(key, &[lead, "<num>", trail]);
        } else if is_volatile(core) {
            toks.push(Tok::Var);
            piece(key, &[lead, "<*>", trail]);
        } else {
            toks.push(Tok::Word(core));
            piece(key, &[w]);
        }
    }
    // Units written as the next word: `300 MiB`, `1234 bytes`.
    let mut i = 0;
    while i + 1 < toks.len() {
        if let (Tok::Num { value, unit: Unit::Count, span, .. }, Tok::Word(next)) = (&toks[i], &toks[i + 1]) {
            let next_core = next.trim_end_matches(['.', ',', ';', ')']);
            if let Some(m) = size_unit(next_core).filter(|_| next_core.len() > 1) {
                toks[i] = Tok::Num { value: value * m, unit: Unit::Bytes, span: *span, mult: Some(m) };
            } else if time_unit(next_core) && next_core.len() > 1 {
                toks[i] = Tok::Num { value: *value, unit: Unit::Duration, span: *span, mult: None };
            }
        }
        i += 1;
    }
    toks
}

/// The (unit, value) of the first `max_slots` numbers of the tokens.
pub(super) fn token_numbers<'t>(toks: &'t [Tok<'_>], max_slots: usize) -> impl Iterator<Item = (Unit, f64)> + 't {
    toks.iter()
        .filter_map(|t| match t {
            Tok::Num { value, unit, .. } => Some((*unit, *value)),
            _ => None,
        })
        .take(max_slots)
}

pub(super) fn parse_free(line: &str, max_slots: usize) -> Parsed {
    let mut key = String::new();
    let toks = tokens(line, &mut key);
    parse_tokens(key, &toks, max_slots)
}

pub(super) fn parse_tokens(key: String, toks: &[Tok<'_>], max_slots: usize) -> Parsed {
    let words: Vec<String> = toks
        .iter()
        .filter_map(|t| match t {
            Tok::Word(w) => Some(split_words(w)),
            _ => None,
        })
        .flatten()
        .collect();
    let mut nums = Vec::new();
    let mut spans = Vec::new();
    let mut prev_num = 0usize;
    for (i, t) in toks.iter().enumerate() {
        let Tok::Num { value, unit, span, mult } = t else { continue };
        if nums.len() >= max_slots {
            break;
        }
        let before: Vec<String> = toks[prev_num..i]
            .iter()
            .filter_map(|t| match t {
                Tok::Word(w) => Some(split_words(w)),
                _ => None,
            })
            .flatten()
            .collect();
        let after: Vec<String> = toks[i + 1..]
            .iter()
            .take_while(|t| matches!(t, Tok::Word(_)))
            .take(2)
            .filter_map(|t| match t {
                Tok::Word(w) => Some(split_words(w)),
                _ => None,
            })
            .flatten()
            .collect();
        let name = toks[..i]
            .iter()
            .rev()
            .find_map(|t| match t {
                Tok::Word(w) => Some(w.trim_end_matches([':', '=']).to_string()),
                _ => None,
            })
            .unwrap_or_default();
        let mut w = before;
        w.extend(after);
        nums.push((name, w, *unit, *value));
        spans.push(Some((span.0, span.1, *mult)));
        prev_num = i + 1;
    }
    Parsed { key, message: None, words, nums, spans }
}
