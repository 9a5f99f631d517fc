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

/// An optional time as seconds and nanoseconds, for `#[serde(with = "crate::time::wire")]`:
/// what crosses between the page's workers (`digest_sink.rs`) is read back as it was,
/// without formatting and parsing RFC 3339 for every log entry.
pub mod wire {
    use jiff::Timestamp;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(at: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        at.map(|t| (t.as_second(), t.subsec_nanosecond())).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
        let v = Option::<(i64, i32)>::deserialize(d)?;
        v.map(|(s, n)| Timestamp::new(s, n).map_err(serde::de::Error::custom)).transpose()
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

#[cfg(all(test, not(target_arch = "wasm32")))]
mod properties {
    //! Ages, `date` output and RFC 3339 on generated values, checked against arithmetic
    //! and jiff's own formatting rather than against our parsers.
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn ages_add_up(d in 0i64..10_000, h in 0i64..24, m in 0i64..60, s in 0i64..60) {
            let want = SignedDuration::from_secs(((d * 24 + h) * 60 + m) * 60 + s);
            prop_assert_eq!(parse_age(&format!("{d}d{h}h{m}m{s}s")), Some(want));
            prop_assert_eq!(parse_age(&format!("{s}s")), Some(SignedDuration::from_secs(s)));
        }

        #[test]
        fn an_age_resolves_to_now_minus_the_age(secs in 0i64..3_000_000_000, now in 0i64..4_000_000_000) {
            let now = Timestamp::from_second(now).unwrap();
            let at = resolve_age(now, &format!("{secs}s")).unwrap();
            prop_assert_eq!(now.as_second() - at.as_second(), secs);
        }

        #[test]
        fn date_output_reads_back(secs in 0i64..9_000_000_000) {
            // `date -u` pads the day with a space: `Thu Jan  1 00:00:00 UTC 1970`.
            let t = Timestamp::from_second(secs).unwrap();
            let shown = t.strftime("%a %b %e %H:%M:%S UTC %Y").to_string();
            prop_assert_eq!(parse_ctime(&shown), Some(t), "{}", shown);
            let watch = t.strftime("%a %b %e %H:%M:%S %Y").to_string();
            prop_assert_eq!(parse_ctime(&watch), Some(t), "{}", watch);
        }

        #[test]
        fn rfc3339_reads_back(secs in -62_000_000_000i64..253_000_000_000, nanos in 0i32..1_000_000_000) {
            let t = Timestamp::new(secs, nanos).unwrap();
            prop_assert_eq!(parse_rfc3339(&t.to_string()), Some(t));
        }

        #[test]
        fn any_text_parses_or_not_without_panic(s in "\\PC{0,40}") {
            let _ = parse_age(&s);
            let _ = parse_ctime(&s);
            let _ = parse_rfc3339(&s);
            let _ = resolve_age(Timestamp::MIN, &s);
            let _ = resolve_age(Timestamp::MAX, &s);
        }

        #[test]
        fn huge_ages_are_none_not_overflow(n in 9_223_372_036u64..u64::MAX, unit in "[smhdy]") {
            let age = format!("{n}{unit}");
            if let Some(d) = parse_age(&age) {
                prop_assert!(d.as_secs() >= 0);
            }
        }
    }
}
