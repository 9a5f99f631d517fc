//! `py-spy dump` output (py-spy `src/dump.rs`): a `Process PID: CMDLINE` and `Python vX
//! (EXE)` header, then per thread `Thread ID (STATUS): "NAME"` (or without the name) and
//! its frames, innermost first, as `    function (file:line)` (or `(file)` when the
//! line is unknown); `--locals` adds deeper-indented `Arguments:` / `Locals:` lines,
//! read and skipped.
//!
//! ```text
//! Thread 0x7F3A2C1D0740 (active): "MainThread"
//!     handle_batch (worker/jobs.py:88)
//!     run (worker/main.py:12)
//! ```
//!
//! gives one [`PyStack`] of thread `0x7F3A2C1D0740`, `MainThread`, `active`, two frames,
//! the first `handle_batch` in `worker/jobs.py` line 88.

use std::sync::OnceLock;

use regex::Regex;

use super::Line;
use crate::model::{Profiles, PyStack, StackFrame};

struct Res {
    thread: Regex,
    frame: Regex,
    process: Regex,
    python: Regex,
}

fn res() -> &'static Res {
    static R: OnceLock<Res> = OnceLock::new();
    R.get_or_init(|| Res {
        thread: Regex::new(r#"^Thread (0[xX][0-9A-Fa-f]+|\d+) \(([a-z+]+)\)(?:: "(.*)")?\s*$"#).expect("static regex"),
        frame: Regex::new(r"^ {2,8}(\S.*?) \((.+?)(?::(\d+))?\)\s*$").expect("static regex"),
        process: Regex::new(r"^Process \d+: ").expect("static regex"),
        python: Regex::new(r"^Python v\d+\.\d+").expect("static regex"),
    })
}

/// Whether a pasted block starts here.
pub fn starts_block(line: &str, next: &str) -> bool {
    let r = res();
    (r.process.is_match(line) && r.python.is_match(next)) || (r.thread.is_match(line) && r.frame.is_match(next))
}

#[derive(Default)]
pub struct Reader {
    current: Option<PyStack>,
    /// Inside a dump (after `Process …` or a `Thread` line).
    open: bool,
}

impl super::Reader for Reader {
    fn feed(&mut self, l: &Line<'_>, out: &mut Profiles) -> bool {
        let r = res();
        let text = l.text;
        // `starts_with` first: the anchored regexes need these words.
        if (text.starts_with("Process ") && r.process.is_match(text)) || (self.open && r.python.is_match(text)) {
            self.end(out);
            self.open = true;
            return true;
        }
        if let Some(m) = text.starts_with("Thread ").then(|| r.thread.captures(text)).flatten() {
            if let Some(s) = self.current.take() {
                out.stacks.push(s);
            }
            self.open = true;
            self.current = Some(PyStack {
                at: l.at,
                thread: m[1].to_string(),
                thread_name: m.get(3).map(|n| n.as_str().to_string()),
                status: m[2].to_string(),
                frames: Vec::new(),
                origin: l.origin,
            });
            return true;
        }
        let Some(cur) = self.current.as_mut() else {
            return false;
        };
        if let Some(m) = r.frame.captures(text) {
            cur.frames.push(StackFrame {
                function: m[1].to_string(),
                file: m[2].to_string(),
                line: m.get(3).and_then(|n| n.as_str().parse().ok()),
                origin: l.origin,
            });
            return true;
        }
        // `--locals`: `        Arguments:`, `            x: 1`.
        text.starts_with("        ")
    }

    fn blank(&mut self, _out: &mut Profiles) {}

    fn end(&mut self, out: &mut Profiles) {
        if let Some(s) = self.current.take() {
            out.stacks.push(s);
        }
        self.open = false;
    }
}

#[cfg(test)]
mod tests {
    use super::super::scan;

    #[test]
    fn dump() {
        let text = "\
Process 1: python -m worker
Python v3.11.7 (/usr/local/bin/python3.11)

Thread 0x7F3A2C1D0740 (active): \"MainThread\"
    handle_batch (worker/jobs.py:88)
        Arguments:
            batch: <list at 0x7f3a2c1d0e80>
    run (worker/main.py:12)
    <module> (worker/__main__.py)
Thread 0x7F3A2B1C0700 (idle): \"ThreadPoolExecutor-0_0\"
    _worker (concurrent/futures/thread.py:81)
Thread 31 (active+gil)
    wait (threading.py:320)
";
        let lines = super::super::test_lines(text);
        let p = scan(&lines);
        let s = &p.stacks;
        assert_eq!(s.len(), 3, "{s:#?}");
        assert_eq!((s[0].thread.as_str(), s[0].status.as_str()), ("0x7F3A2C1D0740", "active"));
        assert_eq!(s[0].thread_name.as_deref(), Some("MainThread"));
        assert_eq!(s[0].frames.len(), 3);
        let f = &s[0].frames[0];
        assert_eq!(
            (f.function.as_str(), f.file.as_str(), f.line, f.origin.line),
            ("handle_batch", "worker/jobs.py", Some(88), 5)
        );
        assert_eq!((s[0].frames[2].function.as_str(), s[0].frames[2].line), ("<module>", None));
        assert_eq!(s[2].thread_name, None);
        assert_eq!(s[2].status, "active+gil");
    }
}
