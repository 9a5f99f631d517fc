//! Structured lines: JSON objects (`{"msg": "cache stats", "size": 120}`) and logfmt
//! (`msg="cache stats" size=120`) give one series per numeric field, keyed by the
//! message template and the field name; any other line is read as free text
//! ([`super::tokens`]).
//!
//! Example: `level=info msg="cache stats" size=120` gives the template `cache stats`
//! with the slot `size` = 120.

use super::skeleton::offset_in;
use super::tokens::{number_parts, parse_free, size_unit, split_words};
use super::Unit;

/// A parsed line before it is added: template key, literal words, numbers.
pub(super) struct Parsed {
    pub(super) key: String,
    pub(super) message: Option<String>,
    pub(super) words: Vec<String>,
    /// (name, words, unit, value)
    pub(super) nums: Vec<(String, Vec<String>, Unit, f64)>,
    /// For each of `nums`: where the number is written in the parsed text (start, end)
    /// and its unit's multiplier; `None` when it is not a piece of the text (JSON).
    pub(super) spans: Vec<Option<(usize, usize, Option<f64>)>>,
}

/// A field of a JSON or logfmt line: key, value, and where the value starts in the
/// line (`None` when it is not a piece of the line).
pub(super) type Field = (String, String, Option<usize>);

pub(super) fn parse_line(line: &str, max_slots: usize) -> Parsed {
    if line.starts_with('{') {
        if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(line) {
            let fields = fields_from_json(&map).into_iter().map(|(k, v)| (k, v, None)).collect();
            return parse_fields(fields, max_slots, "json");
        }
    }
    if let Some((mut fields, bare)) = logfmt(line) {
        if !bare.is_empty() && !fields.iter().any(|(k, _, _)| MESSAGE_KEYS.contains(&k.to_ascii_lowercase().as_str())) {
            fields.push(("msg".into(), bare, None));
        }
        return parse_fields(fields, max_slots, "logfmt");
    }
    parse_free(line, max_slots)
}

/// Keys that are never a leak series: times, ids, positions, codes.
pub(super) fn skipped_key(key: &str) -> bool {
    let k = key.rsplit('.').next().unwrap_or(key).to_ascii_lowercase();
    matches!(
        k.as_str(),
        "ts" | "time"
            | "timestamp"
            | "@timestamp"
            | "created"
            | "asctime"
            | "msecs"
            | "relativecreated"
            | "pid"
            | "process"
            | "thread"
            | "tid"
            | "lineno"
            | "line"
            | "port"
            | "status"
            | "status_code"
            | "code"
            | "levelno"
            | "level"
            | "severity"
            | "id"
            | "request_id"
            | "trace_id"
            | "span_id"
            | "user_id"
            | "worker_id"
            | "seq"
            | "offset"
            | "partition"
    ) || k.ends_with("_id")
        || k.ends_with("_at")
        || k.ends_with("_ts")
}

pub(super) const MESSAGE_KEYS: [&str; 5] = ["msg", "message", "event", "text", "log"];

/// Flattens a JSON object to (key, value-as-text) pairs; nested objects get dotted keys.
pub(super) fn fields_from_json(map: &serde_json::Map<String, serde_json::Value>) -> Vec<(String, String)> {
    fn walk(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>, depth: usize) {
        match v {
            serde_json::Value::Object(m) if depth < 4 => {
                for (k, v) in m {
                    let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                    walk(&key, v, out, depth + 1);
                }
            }
            serde_json::Value::Number(n) => out.push((prefix.to_string(), n.to_string())),
            serde_json::Value::String(s) => out.push((prefix.to_string(), s.clone())),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk("", &serde_json::Value::Object(map.clone()), &mut out, 0);
    out
}

/// `key=value key2="quoted value"` with at least two pairs (and no more bare words than
/// pairs); `None` otherwise. Bare words (`cache stats hits=3 size=7`) come back joined,
/// to serve as the message when there is no `msg=`.
pub(super) fn logfmt(line: &str) -> Option<(Vec<Field>, String)> {
    let mut out = Vec::new();
    let mut bare: Vec<&str> = Vec::new();
    let b = line.as_bytes();
    let mut i = 0;
    let mut stray = 0;
    while i < b.len() {
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        let ks = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'_' | b'.' | b'-' | b'@' | b'/')) {
            i += 1;
        }
        if i < b.len() && b[i] == b'=' && i > ks {
            let key = line.get(ks..i)?.to_string();
            i += 1;
            let value = if i < b.len() && b[i] == b'"' {
                i += 1;
                let vs = i;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                let v = line.get(vs..i.min(b.len()))?.to_string();
                i += 1;
                (v, vs)
            } else {
                let vs = i;
                while i < b.len() && b[i] != b' ' {
                    i += 1;
                }
                (line.get(vs..i)?.to_string(), vs)
            };
            out.push((key, value.0, Some(value.1)));
        } else {
            stray += 1;
            while i < b.len() && b[i] != b' ' {
                i += 1;
            }
            if let Some(w) = line.get(ks..i) {
                bare.push(w);
            }
        }
    }
    (out.len() >= 2 && out.len() >= stray).then(|| (out, bare.join(" ")))
}

pub(super) fn parse_fields(fields: Vec<Field>, max_slots: usize, kind: &str) -> Parsed {
    let (msg, msg_at) = fields
        .iter()
        .find(|(k, _, _)| MESSAGE_KEYS.contains(&k.to_ascii_lowercase().as_str()))
        .map(|(_, v, at)| (v.clone(), *at))
        .unwrap_or_default();
    let msg_parsed = parse_free(&msg, max_slots);
    let mut words = msg_parsed.words.clone();
    let mut nums = msg_parsed.nums;
    let mut spans: Vec<Option<(usize, usize, Option<f64>)>> = msg_parsed
        .spans
        .iter()
        .map(|s| {
            let ((a, b, m), at) = (s.as_ref()?, msg_at?);
            Some((a + at, b + at, *m))
        })
        .collect();
    let mut keys = Vec::new();
    for (k, v, at) in &fields {
        if MESSAGE_KEYS.contains(&k.to_ascii_lowercase().as_str()) || skipped_key(k) {
            continue;
        }
        let trimmed = v.trim();
        if let Some((raw, mut unit, mut mult, len)) = number_parts(trimmed) {
            let mut value = mult.map_or(raw, |m| raw * m);
            // A size in the key's name: `retained_bytes`, `cache_mb`.
            if unit == Unit::Count {
                let last = split_words(k).pop().unwrap_or_default();
                if let Some(m) = size_unit(&last).filter(|_| last.len() > 1) {
                    value *= m;
                    unit = Unit::Bytes;
                    mult = Some(m);
                }
            }
            if nums.len() < max_slots {
                let mut w = split_words(k);
                w.extend(msg_parsed.words.iter().cloned());
                nums.push((k.clone(), w, unit, value));
                let start = at.map(|a| a + offset_in(v, trimmed));
                spans.push(start.map(|s| (s, s + len, mult)));
                keys.push(k.clone());
            }
        } else if k.eq_ignore_ascii_case("logger") || k.eq_ignore_ascii_case("name") {
            words.extend(split_words(v));
        }
    }
    keys.sort();
    Parsed {
        key: format!("{kind}{{msg=\"{}\"}} {}", msg_parsed.key, keys.join(" ")),
        message: Some(msg_parsed.key),
        words,
        nums,
        spans,
    }
}
