//! The `circular-references` line rules: which log lines speak of the garbage collector
//! or of unclosed resources, and the numbers in them. The log digest keeps the lines
//! [`matches`] accepts; the detector (`detect/gc.rs`) reads the numbers.
//!
//! Example: `matches("gc: done, 12 unreachable, 0 uncollectable, 0.0010s elapsed")` is
//! true, and [`done_numbers`] of it is `("12", "0")`.

use std::sync::OnceLock;

use regex::Regex;

pub(crate) struct Res {
    pub(crate) uncollectable: Regex,
    pub(crate) done: Regex,
    pub(crate) garbage: Regex,
    pub(crate) resource: Regex,
    pub(crate) generations: Regex,
}

pub(crate) fn res() -> &'static Res {
    static R: OnceLock<Res> = OnceLock::new();
    R.get_or_init(|| Res {
        uncollectable: Regex::new(r"gc: uncollectable <([A-Za-z_][\w.]*)").expect("static regex"),
        done: Regex::new(r"gc: done, (\d+) unreachable, (\d+) uncollectable").expect("static regex"),
        garbage: Regex::new(r"gc\.garbage\D{0,30}?(\d+)").expect("static regex"),
        resource: Regex::new(r"ResourceWarning: unclosed (<[\w.]+|[\w.]+)").expect("static regex"),
        generations: Regex::new(r"gc: objects in each generation: (\d+) (\d+) (\d+)").expect("static regex"),
    })
}

/// Which of the rules' literals a line has: each regex needs its own, so a regex whose
/// literal is missing is not run. Many log lines are `gc: ` statistics none of the
/// rules reads (`gc: collecting generation 2...`): those are told apart without a regex.
#[derive(Default)]
pub(crate) struct Literals {
    /// `gc: uncollectable <`
    pub(crate) uncollectable: bool,
    /// `gc: done, `
    pub(crate) done: bool,
    /// `gc: objects in each generation: `
    pub(crate) generations: bool,
    /// `gc.garbage`
    pub(crate) garbage: bool,
    /// `ResourceWarning: unclosed `
    pub(crate) resource: bool,
}

impl Literals {
    pub(crate) fn of(t: &str) -> Literals {
        static GC: OnceLock<memchr::memmem::Finder<'static>> = OnceLock::new();
        static GARBAGE: OnceLock<memchr::memmem::Finder<'static>> = OnceLock::new();
        static RW: OnceLock<memchr::memmem::Finder<'static>> = OnceLock::new();
        let gc = GC.get_or_init(|| memchr::memmem::Finder::new(b"gc: "));
        let mut l = Literals::default();
        for p in gc.find_iter(t.as_bytes()) {
            let rest = t.get(p + 4..).unwrap_or("");
            l.uncollectable |= rest.starts_with("uncollectable <");
            l.done |= rest.starts_with("done, ");
            l.generations |= rest.starts_with("objects in each generation: ");
        }
        l.garbage = crate::text::contains(&GARBAGE, "gc.garbage", t);
        l.resource = crate::text::contains(&RW, "ResourceWarning: unclosed ", t);
        l
    }
}

/// True when one of the rules reads the line (what the log digest keeps).
pub fn matches(t: &str) -> bool {
    let r = res();
    let l = Literals::of(t);
    (l.uncollectable && r.uncollectable.is_match(t))
        || (l.done && r.done.is_match(t))
        || (l.generations && r.generations.is_match(t))
        || (l.garbage && r.garbage.is_match(t))
        || (l.resource && r.resource.is_match(t))
}

/// The digits at the start of `t` (ASCII), as `\d+` reads them (`None`: none).
pub(crate) fn digits_at(t: &str) -> Option<&str> {
    let n = t.bytes().take_while(u8::is_ascii_digit).count();
    (n > 0).then(|| t.get(..n)).flatten()
}

/// The rest after each `gc: ` of an ASCII line, leftmost first.
pub(crate) fn after_gc(t: &str) -> impl Iterator<Item = &str> {
    memchr::memmem::find_iter(t.as_bytes(), b"gc: ").map(move |p| t.get(p + 4..).unwrap_or(""))
}

/// The two numbers of `gc: done, N unreachable, M uncollectable`, as the `done` regex
/// captures them. Read by hand in ASCII lines: a busy service logs one per collection,
/// and the regex's captures were a large part of the detectors' time at the end.
pub(crate) fn done_numbers(t: &str) -> Option<(&str, &str)> {
    if !t.is_ascii() {
        let m = res().done.captures(t)?;
        return Some((m.get(1)?.as_str(), m.get(2)?.as_str()));
    }
    after_gc(t).find_map(|rest| {
        let rest = rest.strip_prefix("done, ")?;
        let n = digits_at(rest)?;
        let rest = rest.get(n.len()..)?.strip_prefix(" unreachable, ")?;
        let u = digits_at(rest)?;
        rest.get(u.len()..)?.starts_with(" uncollectable").then_some((n, u))
    })
}

/// The third number of `gc: objects in each generation: A B C` (the oldest generation),
/// as the `generations` regex captures it; by hand in ASCII lines (see [`done_numbers`]).
pub(crate) fn oldest_generation(t: &str) -> Option<&str> {
    if !t.is_ascii() {
        return Some(res().generations.captures(t)?.get(3)?.as_str());
    }
    after_gc(t).find_map(|rest| {
        let mut rest = rest.strip_prefix("objects in each generation: ")?;
        for _ in 0..2 {
            let d = digits_at(rest)?;
            rest = rest.get(d.len()..)?.strip_prefix(' ')?;
        }
        digits_at(rest)
    })
}

#[cfg(test)]
mod tests {
    /// `matches` as it was: any of the rules' regexes (the literal checks only skip work).
    fn matches_by_regex(t: &str) -> bool {
        let r = super::res();
        r.uncollectable.is_match(t)
            || r.done.is_match(t)
            || r.generations.is_match(t)
            || r.garbage.is_match(t)
            || r.resource.is_match(t)
    }

    /// The hand readings of `done` and `generations` lines against the regexes' captures.
    fn by_regex(t: &str) -> (Option<(String, String)>, Option<String>) {
        let r = super::res();
        (
            r.done.captures(t).map(|m| (m[1].to_string(), m[2].to_string())),
            r.generations.captures(t).map(|m| m[3].to_string()),
        )
    }

    fn by_hand(t: &str) -> (Option<(String, String)>, Option<String>) {
        (
            super::done_numbers(t).map(|(a, b)| (a.to_string(), b.to_string())),
            super::oldest_generation(t).map(str::to_string),
        )
    }

    #[test]
    fn hand_readings_are_the_regex_captures() {
        for l in [
            "gc: done, 4006 unreachable, 3 uncollectable, 0.0111s elapsed",
            "gc: done, 0.0004s elapsed",
            "gc: done, 12 unreachable, x uncollectable",
            "x gc: done, 1 unreachable, gc: done, 2 unreachable, 5 uncollectable",
            "gc: objects in each generation: 1 2 3",
            "gc: objects in each generation: 1 2 34567 more",
            "gc: objects in each generation: 1 2",
            "gc: objects in each generation: 1 2 gc: objects in each generation: 7 8 9",
            "gc: objects in each generation: ١ ٢ ٣",
            "gc: done, ٤ unreachable, ٥ uncollectable",
        ] {
            assert_eq!(by_hand(l), by_regex(l), "{l:?}");
        }
        assert_eq!(super::done_numbers("gc: done, 4006 unreachable, 3 uncollectable"), Some(("4006", "3")));
        assert_eq!(super::oldest_generation("gc: objects in each generation: 12 6 11698"), Some("11698"));
    }

    #[test]
    fn literal_checks_hide_no_line() {
        for l in [
            "gc: collecting generation 2...",
            "gc: done, 4006 unreachable, 3 uncollectable, 0.0111s elapsed",
            "gc: done, 0.0004s elapsed",
            "x gc: objects in each generation: 1 2 3",
            "gc: objects in each generation: 1 2",
            "gc: uncollectable <Node 0x7f>",
            "gc: collecting gc: uncollectable <Node 0x7f>",
            "len(gc.garbage) = 12",
            "gc.garbage",
            "ResourceWarning: unclosed file <_io.TextIOWrapper name='x'>",
            "ResourceWarning: unclosed",
            "gc:done, 1 unreachable, 2 uncollectable",
        ] {
            assert_eq!(super::matches(l), matches_by_regex(l), "{l:?}");
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #[test]
        fn literal_checks_agree_with_the_regexes(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "gc: ", "gc", ".garbage", " ", "1", "done, ", " unreachable, ", " uncollectable", "uncollectable <",
                "Node", "objects in each generation: ", "ResourceWarning: unclosed ", "<", "x", "=",
            ]), 0..10)
        ) {
            let l = parts.concat();
            proptest::prop_assert_eq!(super::matches(&l), matches_by_regex(&l), "{:?}", l);
        }

        #[test]
        fn hand_readings_agree_with_the_regexes(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "gc: ", "done, ", "objects in each generation: ", "1", "23", " ", "  ", " unreachable, ", " uncollectable",
                "unreachable", "x", "٣", ",",
            ]), 0..12)
        ) {
            let l = parts.concat();
            proptest::prop_assert_eq!(by_hand(&l), by_regex(&l), "{:?}", l);
        }
    }
}
