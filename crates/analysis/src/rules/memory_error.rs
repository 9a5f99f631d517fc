//! The `memory-error` line rules: the patterns of a log line that says the application
//! ran out of memory or a worker was killed by signal 9 (the list is in
//! `detect/memory_error.rs`, which turns the matches into a finding). The log digest
//! keeps the lines [`matches`] accepts and counts them per pattern ([`pattern_of`]).
//!
//! Example: `matches("celery.exceptions.WorkerLostError: Worker exited prematurely: signal 9 (SIGKILL)")`
//! is true; `matches("Killed 3 zombie sessions")` is false.

use std::sync::OnceLock;

use regex::Regex;

use crate::finding::Kind;

pub struct Pattern {
    pub re: Regex,
    /// Singular, plural.
    pub what: (&'static str, &'static str),
    /// What a match says happened: `memory-error` (the process saw it) or `oom-killed`
    /// (the kernel's OOM killer, in dmesg or a node event).
    pub kind: Kind,
}

pub fn patterns() -> &'static [Pattern] {
    static P: OnceLock<Vec<Pattern>> = OnceLock::new();
    P.get_or_init(|| {
        let p = |re: &str, what| Pattern { re: Regex::new(re).expect("static regex"), what, kind: Kind::MemoryError };
        let k = |re: &str, what, kind| Pattern { re: Regex::new(re).expect("static regex"), what, kind };
        vec![
            // The exception itself (`MemoryError`, `MemoryError: …`, `_ArrayMemoryError(…)`,
            // `raise MemoryError`), not the word in a sentence.
            p(r"\w*MemoryError(?:\s*$|:|\(|')|raise\s+\w*MemoryError", ("MemoryError", "MemoryErrors")),
            p(r"Worker \(pid:\s*\d+\) was sent SIGKILL", (
                "gunicorn worker sent SIGKILL (\"Perhaps out of memory?\")",
                "gunicorn workers sent SIGKILL (\"Perhaps out of memory?\")",
            )),
            p(r"WorkerLostError.*signal 9|exited with 'signal 9", ("celery worker lost to signal 9 (SIGKILL)", "celery workers lost to signal 9 (SIGKILL)")),
            p(
                r"(?i-u)exit\s?code[ =:]*-9\b|killed by signal 9\b|died with signal 9\b|terminated (?:by|due to) signal 9\b|signal 9 \(SIGKILL\)|terminated by SIGKILL|Child process \[\d+\] died|BrokenProcessPool",
                ("child process killed by signal 9", "child processes killed by signal 9"),
            ),
            p(r"^[\s*_>|]*Killed[\s*_]*$|\d+\s+Killed\s+\S", ("`Killed` (shell: a process got SIGKILL)", "`Killed` lines (shell: processes got SIGKILL)")),
            k(
                r#"(?i-u)out of memory: kill(?:ed)? process \d+|^[\s\[\]\d.]*killed process \d+ \(|oom-kill:constraint=|invoked oom-killer|\boomkilling\b|reason[:=]\s*"?oom ?killed\b|task in [!-~]+ killed as a result of limit of"#,
                ("kernel OOM kill", "kernel OOM kills"),
                Kind::OomKilled,
            ),
        ]
    })
}

/// Which pattern a log entry matches first, and on which of its lines (0-based).
pub fn pattern_of(text: &str) -> Option<(usize, usize)> {
    let ps = patterns();
    text.lines()
        .enumerate()
        .find_map(|(k, t)| matches(t).then(|| ps.iter().position(|p| p.re.is_match(t)).map(|i| (i, k))).flatten())
}

/// How many patterns there are (the digest counts matches per pattern).
pub const PATTERNS: usize = 6;

/// True when one of the patterns matches the line (what the log digest keeps).
pub fn matches(t: &str) -> bool {
    // Every pattern needs one of these words (ASCII case aside): most lines have none,
    // which `keywords::find` tells in one pass, before the regex that says it exactly.
    if !super::keywords::find(t.as_bytes()).memory_error || !may_match(t) {
        return false;
    }
    patterns().iter().any(|p| p.re.is_match(t))
}

/// A necessary condition of [`patterns`]: `memoryerror`, `sigkill`, `signal 9`, `exit`,
/// `killed`, `child process`, `brokenprocesspool`, `oom-kill`, `kill process` or
/// `oomkilling` in the line, ignoring case.
fn may_match(t: &str) -> bool {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(
            r"(?i-u)memoryerror|sigkill|signal 9|exit|killed|child process|brokenprocesspool|oom-kill|kill process|oomkilling",
        )
            .expect("static regex")
    })
    .is_match(t)
}
