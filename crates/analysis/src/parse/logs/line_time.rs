//! Times inside log lines (a helper of `logs.rs`).
//!
//! Recognises:
//! - the `kubectl logs --timestamps` prefix: an RFC 3339 time, then one space
//!   (`2026-11-24T10:00:01.123456789Z message`);
//! - a time at the start of the line, optionally after `[` or a level word
//!   (`2026-11-24 10:00:01,123 INFO …`, `[2026-11-24 10:00:01 +0000] [1] [INFO] …`,
//!   `2026-11-24T10:00:01.5Z …`, `INFO 2026-11-24 10:00:01,123 …`), taken as UTC when the
//!   line gives no offset;
//! - the access-log time of gunicorn (`[24/Nov/2026:10:00:01 +0000]`);
//! - JSON lines: the top-level `ts`, `time`, `timestamp`, `@timestamp`, `asctime` or
//!   `created` field (a time string, or seconds/milliseconds/microseconds/nanoseconds
//!   since 1970 told apart by size);
//! - logfmt: `ts=`, `time=` or `timestamp=` (quoted or not).
//!
//! Example: `time_in_line("2026-11-24 10:00:01,123 INFO app.cache: size=1024")` is
//! `2026-11-24T10:00:01.123Z`.
//!
//! Only the head of a line is looked at (a few KiB), so a 50 MB line costs no more than a
//! short one; JSON lines are decoded only up to the stored-line cap.

use std::sync::OnceLock;

use jiff::{civil, tz::Offset, Timestamp};
use regex::{Captures, Regex};

/// How much of a line the searches look at.
const HEAD: usize = 4096;

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("valid regex"))
}

/// The first `n` bytes of `s`, cut back to a character boundary.
pub(super) fn head(s: &str, n: usize) -> &str {
    if s.len() <= n {
        return s;
    }
    let mut i = n;
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    s.get(..i).unwrap_or("")
}

/// Splits the `--timestamps` prefix off a line: `(time, rest)`. `None` when the line does
/// not start with an RFC 3339 time followed by a space (or the end of the line).
pub(super) fn split_kubelet_time(line: &str) -> Option<(Timestamp, &str)> {
    let first = line.as_bytes().first()?;
    if !first.is_ascii_digit() {
        return None;
    }
    // The first space, looked for in the first 41 bytes only (a byte search: a space is
    // one byte in UTF-8).
    let head = line.as_bytes().get(..41).unwrap_or(line.as_bytes());
    let (token, rest) = match memchr::memchr(b' ', head) {
        Some(i) => (line.get(..i)?, line.get(i + 1..)?),
        None if line.len() <= 40 => (line, ""),
        None => return None,
    };
    if !token.as_bytes().contains(&b'T') {
        return None;
    }
    let at = match fast_utc(token) {
        Some(t) => t,
        None => token.parse::<Timestamp>().ok()?,
    };
    Some((at, rest))
}

/// `2026-11-24T09:10:48.096523863Z` (what kubelet prints on every `--timestamps` line)
/// without the general RFC 3339 parser: `None` for any other shape, which the parser
/// then reads. Same value as `str::parse::<Timestamp>` (a test compares them).
fn fast_utc(t: &str) -> Option<Timestamp> {
    let b = t.as_bytes();
    if b.len() < 20
        || b.last() != Some(&b'Z')
        || b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || b.get(10) != Some(&b'T')
        || b.get(13) != Some(&b':')
        || b.get(16) != Some(&b':')
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let d = b.get(r)?;
        d.iter().try_fold(0i64, |acc, c| c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0')))
    };
    let secs = second_of(b.get(..19)?, || {
        let (y, mo, d, h, mi, s) = (num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?, num(14..16)?, num(17..19)?);
        if h > 23 || mi > 59 || s > 59 {
            return None;
        }
        Some(days_of(y, mo, d)? * 86_400 + h * 3600 + mi * 60 + s)
    })?;
    let nanos = match b.get(19..b.len() - 1)? {
        [] => 0,
        [b'.', frac @ ..] if (1..=9).contains(&frac.len()) => {
            let v = num(20..20 + frac.len())?;
            v * 10i64.pow(9 - u32::try_from(frac.len()).ok()?)
        }
        _ => return None,
    };
    Timestamp::new(secs, i32::try_from(nanos).ok()?).ok()
}

/// The Unix second of `head` (`2026-11-24T09:10:48`), from `read` unless it is the last
/// one asked on this thread: a chatty log prints many lines a second, and each line's
/// date and time were read and checked again.
fn second_of(head: &[u8], read: impl FnOnce() -> Option<i64>) -> Option<i64> {
    thread_local! {
        static LAST: std::cell::Cell<([u8; 19], Option<i64>)> = const { std::cell::Cell::new(([0; 19], None)) };
    }
    let head = <[u8; 19]>::try_from(head).ok()?;
    let (last, secs) = LAST.with(std::cell::Cell::get);
    if last == head && secs.is_some() {
        return secs;
    }
    let secs = read()?;
    LAST.with(|c| c.set((head, Some(secs))));
    Some(secs)
}

/// Days from 1970-01-01 to the date, `None` when it does not exist (leap years
/// included). A log's lines share their date: the last one is remembered per thread.
fn days_of(y: i64, mo: i64, d: i64) -> Option<i64> {
    thread_local! {
        static LAST: std::cell::Cell<(i64, i64, i64, i64)> = const { std::cell::Cell::new((0, 0, 0, 0)) };
    }
    let (ly, lm, ld, days) = LAST.with(std::cell::Cell::get);
    if (ly, lm, ld) == (y, mo, d) && mo != 0 {
        return Some(days);
    }
    // Validates the day of the month (leap years included).
    let date = jiff::civil::Date::new(i16::try_from(y).ok()?, i8::try_from(mo).ok()?, i8::try_from(d).ok()?).ok()?;
    let days = days_from_civil(i64::from(date.year()), i64::from(date.month()), i64::from(date.day()));
    LAST.with(|c| c.set((y, mo, d, days)));
    Some(days)
}

/// Days from 1970-01-01 to a valid proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`; jiff's `Date::since` computed the same through a general span, a
/// measurable cost on every `--timestamps` line).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date-time pattern shared by the line-start and whole-value searches.
const DATE_TIME: &str = r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})[T ](?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})(?:[.,](?P<f>\d{1,9}))?(?:(?P<tz>Z|[+-]\d{2}:?\d{2})|\s(?P<utc>UTC|GMT|Z)\b|\s(?P<tz2>[+-]\d{4})\])?";

fn line_start_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    static P: OnceLock<String> = OnceLock::new();
    let p = P.get_or_init(|| {
        format!(r"^\s*(?:\[?(?i-u:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|CRITICAL|FATAL)\]?:?\s+)?\[?{DATE_TIME}")
    });
    re(&R, p)
}

fn whole_value_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    static P: OnceLock<String> = OnceLock::new();
    let p = P.get_or_init(|| format!(r"^\s*{DATE_TIME}\s*$"));
    re(&R, p)
}

fn clf_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"\[(?P<d>\d{2})/(?P<mon>[A-Z][a-z]{2})/(?P<y>\d{4}):(?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2}) (?P<tz>[+-]\d{4})\]",
    )
}

fn num<T: std::str::FromStr>(c: &Captures<'_>, name: &str) -> Option<T> {
    c.name(name)?.as_str().parse().ok()
}

/// Offset from `Z`, `+01:00`, `+0100`, `-05`; `None` if malformed.
fn offset(tz: &str) -> Option<Offset> {
    if matches!(tz, "Z" | "UTC" | "GMT") {
        return Some(Offset::UTC);
    }
    let (sign, rest) = match tz.as_bytes().first()? {
        b'+' => (1, tz.get(1..)?),
        b'-' => (-1, tz.get(1..)?),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    let (h, m) = match digits.len() {
        2 => (digits.parse::<i32>().ok()?, 0),
        4 => (digits.get(..2)?.parse::<i32>().ok()?, digits.get(2..)?.parse::<i32>().ok()?),
        _ => return None,
    };
    if h > 23 || m > 59 {
        return None;
    }
    Offset::from_seconds(sign * (h * 3600 + m * 60)).ok()
}

/// Builds a timestamp from the captures of [`DATE_TIME`]; no offset means UTC.
fn from_captures(c: &Captures<'_>) -> Option<Timestamp> {
    let nanos = match c.name("f") {
        Some(f) => {
            let f = f.as_str();
            let v: i32 = f.parse().ok()?;
            let scale = 10i32.checked_pow(9u32.checked_sub(u32::try_from(f.len()).ok()?)?)?;
            v.checked_mul(scale)?
        }
        None => 0,
    };
    let dt = civil::DateTime::new(
        num(c, "y")?,
        num(c, "mo")?,
        num(c, "d")?,
        num(c, "h")?,
        num(c, "mi")?,
        num(c, "s")?,
        nanos,
    )
    .ok()?;
    let tz = c.name("tz").or_else(|| c.name("utc")).or_else(|| c.name("tz2"));
    let off = match tz {
        Some(t) => offset(t.as_str())?,
        None => Offset::UTC,
    };
    off.to_timestamp(dt).ok()
}

/// A time at the start of a plain-text line (see the module doc).
fn line_start_time(line: &str) -> Option<Timestamp> {
    let h = head(line, 128);
    // Cheap refusal: the pattern needs a `dddd-` within the head.
    if !h.as_bytes().windows(5).any(|w| w[..4].iter().all(u8::is_ascii_digit) && w[4] == b'-') {
        return None;
    }
    from_captures(&line_start_re().captures(h)?)
}

/// The access-log time `[24/Nov/2026:10:00:01 +0000]` anywhere in the head.
fn clf_time(line: &str) -> Option<Timestamp> {
    let h = head(line, 512);
    if !h.contains('/') {
        return None;
    }
    let c = clf_re().captures(h)?;
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let mon = MONTHS.iter().position(|m| *m == &c["mon"])?;
    let dt = civil::DateTime::new(
        num(&c, "y")?,
        i8::try_from(mon + 1).ok()?,
        num(&c, "d")?,
        num(&c, "h")?,
        num(&c, "mi")?,
        num(&c, "s")?,
        0,
    )
    .ok()?;
    offset(&c["tz"])?.to_timestamp(dt).ok()
}

/// A whole value that is a time: `2026-11-24T10:00:01.5Z`, `2026-11-24 10:00:01,123`.
pub(super) fn parse_time_value(s: &str) -> Option<Timestamp> {
    if s.len() > 64 {
        return None;
    }
    from_captures(&whole_value_re().captures(s)?)
}

/// Seconds (or ms, µs, ns, told apart by size) since 1970.
fn epoch_time(v: f64) -> Option<Timestamp> {
    if !v.is_finite() || v <= 0.0 || v >= 1e19 {
        return None;
    }
    // Seconds up to the year 5138, then milliseconds, microseconds, nanoseconds.
    let per_second: i64 = if v < 1e11 {
        1
    } else if v < 1e14 {
        1_000
    } else if v < 1e17 {
        1_000_000
    } else {
        1_000_000_000
    };
    // 0 < v < 1e19 was checked, so the whole part fits an i64 (up to 9.2e18) after the
    // scale check below; the fraction is below one unit.
    if v.trunc() > 9.0e18 {
        return None;
    }
    #[allow(clippy::cast_possible_truncation)]
    let whole = v.trunc() as i64;
    let nanos_per_unit = 1_000_000_000 / per_second;
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
    let frac_nanos = ((v - v.trunc()) * nanos_per_unit as f64).round() as i64;
    let secs = whole / per_second;
    let nanos = (whole % per_second) * nanos_per_unit + frac_nanos;
    let (secs, nanos) = if nanos >= 1_000_000_000 { (secs + 1, nanos - 1_000_000_000) } else { (secs, nanos) };
    Timestamp::new(secs, i32::try_from(nanos).ok()?).ok()
}

#[derive(serde::Deserialize)]
struct JsonTimes {
    ts: Option<serde_json::Value>,
    time: Option<serde_json::Value>,
    timestamp: Option<serde_json::Value>,
    #[serde(rename = "@timestamp")]
    at_timestamp: Option<serde_json::Value>,
    asctime: Option<serde_json::Value>,
    created: Option<serde_json::Value>,
}

fn json_value_time(v: &serde_json::Value) -> Option<Timestamp> {
    match v {
        serde_json::Value::String(s) => parse_time_value(s),
        serde_json::Value::Number(n) => epoch_time(n.as_f64()?),
        _ => None,
    }
}

/// The time of a JSON line (see the module doc); `None` if it is not a JSON object.
fn json_time(line: &str, max_len: usize) -> Option<Timestamp> {
    let t = line.trim();
    if !(t.starts_with('{') && t.ends_with('}')) || t.len() > max_len {
        return None;
    }
    let j: JsonTimes = serde_json::from_str(t).ok()?;
    [j.ts, j.time, j.timestamp, j.at_timestamp, j.asctime, j.created]
        .into_iter()
        .flatten()
        .find_map(|v| json_value_time(&v))
}

/// The time of a logfmt line: the value of the first `ts=`, `time=` or `timestamp=` key.
fn logfmt_time(line: &str) -> Option<Timestamp> {
    let h = head(line, HEAD);
    let bytes = h.as_bytes();
    for eq in memchr::memchr_iter(b'=', bytes) {
        let key_start = bytes.get(..eq)?.iter().rposition(|b| b.is_ascii_whitespace()).map_or(0, |i| i + 1);
        let key = h.get(key_start..eq)?;
        if !matches!(key, "ts" | "time" | "timestamp") {
            continue;
        }
        let rest = h.get(eq + 1..)?;
        let value = match rest.strip_prefix('"') {
            Some(q) => q.split('"').next()?,
            None => rest.split(char::is_whitespace).next()?,
        };
        return parse_time_value(value);
    }
    None
}

/// The time a log line gives itself (see the module doc), or `None`.
/// `json_max` bounds the length of a line decoded as JSON.
pub(super) fn time_in_line(line: &str, json_max: usize) -> Option<Timestamp> {
    let t = line.trim_start();
    if t.starts_with('{') {
        return json_time(line, json_max);
    }
    line_start_time(t).or_else(|| clf_time(t)).or_else(|| logfmt_time(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Option<String> {
        time_in_line(s, 1 << 16).map(|t| t.to_string())
    }

    #[test]
    fn kubelet_prefix() {
        let (at, rest) = split_kubelet_time("2026-11-24T10:00:01.123456789Z hello world").unwrap();
        assert_eq!(at.to_string(), "2026-11-24T10:00:01.123456789Z");
        assert_eq!(rest, "hello world");
        let (_, rest) = split_kubelet_time("2026-11-24T10:00:01.123456789Z").unwrap();
        assert_eq!(rest, "");
        assert!(split_kubelet_time("hello 2026").is_none());
        assert!(split_kubelet_time("2026-11-24 10:00:01,123 INFO x").is_none());
        assert!(split_kubelet_time("").is_none());
    }

    #[test]
    fn python_and_server_formats() {
        assert_eq!(
            t("2026-11-24 10:00:01,123 INFO app.cache: cache size=1024 entries").as_deref(),
            Some("2026-11-24T10:00:01.123Z")
        );
        assert_eq!(
            t("[2026-11-24 10:00:01 +0100] [7] [INFO] Booting worker with pid: 7").as_deref(),
            Some("2026-11-24T09:00:01Z")
        );
        assert_eq!(t("INFO 2026-11-24 10:00:01,5 worker started").as_deref(), Some("2026-11-24T10:00:01.5Z"));
        assert_eq!(
            t("[2026-11-24 10:00:01,123: WARNING/MainProcess] task").as_deref(),
            Some("2026-11-24T10:00:01.123Z")
        );
        assert_eq!(t("2026-11-24T10:00:01.123456+02:00 [info] x").as_deref(), Some("2026-11-24T08:00:01.123456Z"));
        assert_eq!(
            t(r#"10.0.0.1 - - [24/Nov/2026:10:00:01 +0000] "GET /health HTTP/1.1" 200 2"#).as_deref(),
            Some("2026-11-24T10:00:01Z")
        );
        assert_eq!(t("WARNING:root:cache is large"), None);
        assert_eq!(t("INFO:     Started server process [1]"), None);
        assert_eq!(t("2026-13-45 10:00:01 bad date"), None);
        assert_eq!(t("processed 2026-11-24 10:00:01 later in the line"), None);
    }

    #[test]
    fn json_and_logfmt() {
        assert_eq!(
            t(r#"{"ts": "2026-11-24T10:00:01.5Z", "level": "info", "msg": "x", "cache_size": 123}"#).as_deref(),
            Some("2026-11-24T10:00:01.5Z")
        );
        assert_eq!(
            t(r#"{"@timestamp": "2026-11-24 10:00:01,250", "message": "x"}"#).as_deref(),
            Some("2026-11-24T10:00:01.25Z")
        );
        assert_eq!(t(r#"{"ts": 1795514401.5, "msg": "x"}"#).as_deref(), Some("2026-11-24T10:00:01.5Z"));
        assert_eq!(t(r#"{"time": 1795514401000, "msg": "x"}"#).as_deref(), Some("2026-11-24T10:00:01Z"));
        assert_eq!(t(r#"{"ts": 1795515061.75}"#).as_deref(), Some("2026-11-24T10:11:01.75Z"));
        assert_eq!(t(r#"{"ts": 1795514401123456}"#).as_deref(), Some("2026-11-24T10:00:01.123456Z"));
        assert_eq!(t(r#"{"ts": 1795514401123456789}"#).as_deref(), Some("2026-11-24T10:00:01.123456768Z"));
        assert_eq!(t(r#"{"ts": -5}"#), None);
        assert_eq!(t(r#"{"ts": 1e300}"#), None);
        assert_eq!(t(r#"{"msg": "x", "req": {"time": "2026-11-24T10:00:01Z"}}"#), None);
        assert_eq!(t(r#"{"broken": "#), None);
        assert_eq!(
            t(r#"ts=2026-11-24T10:00:01Z level=info msg="queue" queue_len=42"#).as_deref(),
            Some("2026-11-24T10:00:01Z")
        );
        assert_eq!(t(r#"level=info time="2026-11-24 10:00:02" msg=x"#).as_deref(), Some("2026-11-24T10:00:02Z"));
        assert_eq!(t("level=info elapsed_time=3s msg=x"), None);
    }

    #[test]
    fn head_respects_char_boundaries() {
        assert_eq!(head("aé", 2), "a");
        assert_eq!(head("abc", 10), "abc");
        let long = "é".repeat(5000);
        assert!(time_in_line(&long, 1 << 16).is_none());
    }

    #[test]
    fn days_from_civil_is_jiff() {
        for y in [1i16, 4, 99, 100, 400, 1600, 1899, 1969, 1970, 2000, 2024, 2100, 9999] {
            for (m, d) in [(1i8, 1i8), (2, 28), (2, 29), (3, 1), (7, 15), (12, 31)] {
                let Ok(date) = jiff::civil::Date::new(y, m, d) else { continue };
                let want = i64::from(date.since(jiff::civil::date(1970, 1, 1)).unwrap().get_days());
                assert_eq!(super::days_from_civil(y.into(), m.into(), d.into()), want, "{date}");
            }
        }
    }

    #[test]
    fn fast_utc_is_the_parser() {
        for t in [
            "2026-11-24T09:10:48.096523863Z",
            "2026-11-24T09:10:48Z",
            "2024-02-29T23:59:59.5Z",
            "1970-01-01T00:00:00Z",
            "1969-12-31T23:59:59.999999999Z",
            "2000-01-01T00:00:00.1234Z",
            "9999-12-30T00:00:00Z",
        ] {
            assert_eq!(super::fast_utc(t), Some(t.parse::<jiff::Timestamp>().unwrap()), "{t}");
        }
        // The same second again (remembered), and after an invalid one.
        for t in
            ["2026-11-24T09:10:48.5Z", "2026-11-24T09:10:48.25Z", "2026-11-24T09:10:61Z", "2026-11-24T09:10:48.125Z"]
        {
            assert_eq!(super::fast_utc(t), t.parse::<jiff::Timestamp>().ok(), "{t}");
        }
        for t in [
            "9999-12-31T23:59:59Z",
            "2023-02-29T00:00:00Z",
            "2026-11-24T24:00:00Z",
            "2026-11-24T09:10:60Z",
            "2026-11-24T09:10:48.Z",
            "2026-11-24T09:10:48.0123456789Z",
            "2026-11-24T09:10:48+00:00",
            "2026-13-01T00:00:00Z",
        ] {
            assert_eq!(super::fast_utc(t), None, "{t}");
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #[test]
        fn fast_utc_agrees_with_the_parser(y in 1900i32..2200, mo in 0u8..14, d in 0u8..33, h in 0u8..25, mi in 0u8..61, s in 0u8..61, frac in "(\\.[0-9]{0,10})?") {
            let t = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{frac}Z");
            if let Some(fast) = super::fast_utc(&t) {
                proptest::prop_assert_eq!(Some(fast), t.parse::<jiff::Timestamp>().ok(), "{}", t);
            }
        }
    }
}
