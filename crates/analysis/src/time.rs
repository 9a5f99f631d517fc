//! Times as kubectl and shells print them.
//!
//! - RFC 3339 (`2026-11-24T10:00:00Z`, with nanoseconds from `logs --timestamps`);
//! - `date` / `watch` output (`Tue Nov 24 10:00:00 UTC 2026`, `Tue Nov 24 10:00:00 2026`),
//!   taken as UTC when no zone or `UTC`/`GMT` is shown;
//! - kubectl ages (`45s`, `5m`, `3h2m`, `2d`, `5m30s`, `<invalid>`, `<unknown>`), which are
//!   resolved against the capture time when the bundle has one.
//!
//! Example: `parse_age("3h2m")` is 3 h 2 min; `resolve_age(now, "5m")` is now − 5 min.

use jiff::{civil, SignedDuration, Timestamp};

/// Parses an RFC 3339 timestamp.
pub fn parse_rfc3339(s: &str) -> Option<Timestamp> {
    s.trim().parse().ok()
}

/// Parses `date` or `watch` output: `Tue Nov 24 10:00:00 [UTC] 2026`.
pub fn parse_ctime(s: &str) -> Option<Timestamp> {
    let words: Vec<&str> = s.split_whitespace().collect();
    let (weekday_skipped, rest) = match words.first() {
        Some(w) if w.len() == 3 && w.chars().all(|c| c.is_ascii_alphabetic()) => (true, &words[1..]),
        _ => (false, &words[..]),
    };
    let _ = weekday_skipped;
    // month day time [zone] year
    let (month, day, clock, zone, year) = match rest {
        [m, d, t, y] => (*m, *d, *t, None, *y),
        [m, d, t, z, y] => (*m, *d, *t, Some(*z), *y),
        _ => return None,
    };
    if let Some(z) = zone {
        if !matches!(z, "UTC" | "GMT" | "Z") {
            return None; // a local zone we cannot resolve without a tz database
        }
    }
    let month = month_number(month)?;
    let day: i8 = day.parse().ok()?;
    let year: i16 = year.parse().ok()?;
    let mut parts = clock.split(':');
    let h: i8 = parts.next()?.parse().ok()?;
    let mi: i8 = parts.next()?.parse().ok()?;
    let sec: i8 = parts.next()?.parse().ok()?;
    let dt = civil::DateTime::new(year, month, day, h, mi, sec, 0).ok()?;
    jiff::tz::Offset::UTC.to_timestamp(dt).ok()
}

fn month_number(m: &str) -> Option<i8> {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    MONTHS.iter().position(|x| x.eq_ignore_ascii_case(m)).map(|i| i as i8 + 1)
}

/// Parses a kubectl age (`45s`, `5m`, `3h2m`, `2d`, `2d3h`, `5y`); `None` for
/// `<invalid>`, `<unknown>` and anything else.
pub fn parse_age(s: &str) -> Option<SignedDuration> {
    let s = s.trim();
    if s.is_empty() || s.starts_with('<') {
        return None;
    }
    let mut total: i64 = 0;
    let mut num: Option<i64> = None;
    for c in s.chars() {
        if let Some(d) = c.to_digit(10) {
            num = Some(num.unwrap_or(0).checked_mul(10)?.checked_add(i64::from(d))?);
        } else {
            let unit = match c {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                'd' => 86_400,
                'y' => 365 * 86_400,
                _ => return None,
            };
            total = total.checked_add(num.take()?.checked_mul(unit)?)?;
        }
    }
    if num.is_some() {
        return None; // trailing digits without a unit
    }
    Some(SignedDuration::from_secs(total))
}

/// The time an age refers to, given the capture time.
pub fn resolve_age(now: Timestamp, age: &str) -> Option<Timestamp> {
    now.checked_sub(parse_age(age)?).ok()
}

/// Formats a duration for people: `2h10m`, `45m`, `3d4h`, `30s`.
pub fn format_duration(d: SignedDuration) -> String {
    let secs = d.as_secs().max(0);
    let (days, hours, mins) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    if days > 0 {
        format!("{days}d{hours}h")
    } else if hours > 0 {
        format!("{hours}h{mins:02}m")
    } else if mins > 0 {
        format!("{mins}m")
    } else {
        format!("{secs}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctime_forms() {
        let want = "2026-11-24T10:00:00Z";
        assert_eq!(parse_ctime("Tue Nov 24 10:00:00 2026").unwrap().to_string(), want);
        assert_eq!(parse_ctime("Tue Nov 24 10:00:00 UTC 2026").unwrap().to_string(), want);
        assert_eq!(parse_ctime("Tue Nov 24 10:00:00 CET 2026"), None);
        assert_eq!(parse_ctime("not a date"), None);
    }

    #[test]
    fn ages() {
        assert_eq!(parse_age("45s"), Some(SignedDuration::from_secs(45)));
        assert_eq!(parse_age("3h2m"), Some(SignedDuration::from_secs(3 * 3600 + 120)));
        assert_eq!(parse_age("2d"), Some(SignedDuration::from_secs(172_800)));
        assert_eq!(parse_age("<invalid>"), None);
        assert_eq!(parse_age("<unknown>"), None);
        assert_eq!(parse_age("12"), None);
        let now: Timestamp = "2026-11-24T10:00:00Z".parse().unwrap();
        assert_eq!(resolve_age(now, "5m").unwrap().to_string(), "2026-11-24T09:55:00Z");
    }

    #[test]
    fn durations_for_people() {
        assert_eq!(format_duration(SignedDuration::from_secs(7800)), "2h10m");
        assert_eq!(format_duration(SignedDuration::from_secs(45 * 60)), "45m");
    }
}
