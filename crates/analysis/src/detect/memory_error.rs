//! `memory-error`: the application logged that it ran out of memory, or a worker process
//! was killed with SIGKILL (signal 9), which inside a container is almost always the OOM
//! killer picking one process of the cgroup.
//!
//! Rule: a log line of the container matches one of
//! - `MemoryError` (a traceback's last line, `MemoryError: …`, `raise MemoryError`);
//! - `Killed` alone, or a shell's job report `… 12 Killed   python app.py`;
//! - gunicorn `Worker (pid:N) was sent SIGKILL! Perhaps out of memory?`;
//! - celery `WorkerLostError('Worker exited prematurely: signal 9 (SIGKILL) …')` or
//!   `Process 'ForkPoolWorker-3' pid:12 exited with 'signal 9 (SIGKILL)'`;
//! - multiprocessing / uvicorn / concurrent.futures: `exitcode -9`, `killed by signal 9`,
//!   `died with signal 9`, `Child process [N] died`, `BrokenProcessPool`.
//!
//! One finding per container, all matches merged, critical. No thresholds: one line is
//! enough.
//!
//! Example: `[2026-11-24 10:01:02 +0000] [1] [ERROR] Worker (pid:8) was sent SIGKILL! Perhaps out of memory?`
//! gives "web: 1 gunicorn worker sent SIGKILL (\"Perhaps out of memory?\")".

use super::{app_containers, finding_for, when, DetectorInput, CONFIRM_IN_POD};
use crate::finding::{Finding, Kind, Severity};
use crate::model::Origin;
use crate::rules::memory_error::{pattern_of, patterns, PATTERNS};

/// The origin of line `k` of a multi-line log entry starting at `origin`, when that
/// source line holds `text`; else the entry's first line.
pub fn line_of(cx: &DetectorInput<'_>, origin: Origin, k: usize, text: &str) -> Origin {
    let Some(line) = u32::try_from(k).ok().and_then(|k| origin.line.checked_add(k)) else {
        return origin;
    };
    let o = Origin { source: origin.source, line };
    let t = text.trim();
    if k > 0 && !t.is_empty() && cx.model.line_text(o).contains(t) {
        o
    } else {
        origin
    }
}

pub fn detect(cx: &DetectorInput<'_>, out: &mut Vec<Finding>) {
    for pod in &cx.model.pods {
        for c in app_containers(pod) {
            let ps = patterns();
            let mut counts = [0usize; PATTERNS];
            let mut f = finding_for(Kind::MemoryError, Severity::Critical, pod, Some(c));
            let (mut first, mut last) = (None, None);
            for stream in &c.logs {
                let digest = cx.digest(stream);
                // Counts and times over every match (the kept entries may be a sample).
                for (n, m) in counts.iter_mut().zip(&digest.memory_errors) {
                    *n += usize::try_from(*m).unwrap_or(usize::MAX);
                }
                for t in [digest.memory_error_first, digest.memory_error_last].into_iter().flatten() {
                    first = Some(first.map_or(t, |f: jiff::Timestamp| f.min(t)));
                    last = Some(last.map_or(t, |f: jiff::Timestamp| f.max(t)));
                }
                for (_, l) in &digest.matched {
                    // A multi-line entry (a traceback) counts once; the evidence is the
                    // matching line itself when the bundle has it where expected.
                    let Some((_, k)) = pattern_of(&l.text).filter(|&(i, _)| ps[i].kind == Kind::MemoryError) else {
                        continue;
                    };
                    f.evidence.push(line_of(cx, l.origin, k, l.text.lines().nth(k).unwrap_or("")));
                }
            }
            if f.evidence.is_empty() {
                continue;
            }
            let parts: Vec<String> = ps
                .iter()
                .zip(&counts)
                .filter(|(p, &n)| n > 0 && p.kind == Kind::MemoryError)
                .map(|(p, &n)| format!("{n} {}", if n == 1 { p.what.0 } else { p.what.1 }))
                .collect();
            f.title = format!("{}: {}", c.name, parts.join(", "));
            match (first, last) {
                (Some(a), Some(b)) if a != b => f.title.push_str(&format!(", {} → {}", when(a), when(b))),
                (Some(a), _) => f.title.push_str(&format!(", at {}", when(a))),
                _ => {}
            }
            f.detail = "The process ran out of memory. A `MemoryError` is raised when an allocation fails (often one \
huge allocation, or the address space of a 32-bit / ulimit-capped process). A SIGKILL of a worker process is the \
kernel's OOM killer choosing one process of the container's cgroup: the master survives and restarts the worker, \
so the container may never show OOMKilled."
                .into();
            if counts[0] > 0 && ps.iter().zip(&counts).skip(1).all(|(p, &n)| n == 0 || p.kind != Kind::MemoryError) {
                f.detail.push_str(" The traceback above the MemoryError shows the allocation that failed.");
            }
            f.advice = format!(
                "Look at what the killed worker was doing (the request or task logged just before). Process large \
inputs in chunks or stream them (generators, `iter_content`, `cursor.itersize`) instead of loading them whole. \
Recycle workers while you search: gunicorn `--max-requests 1000 --max-requests-jitter 100`, celery \
`--max-tasks-per-child 100` / `--max-memory-per-child` (KiB). {CONFIRM_IN_POD}"
            );
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::super::{run, Thresholds};

    fn run_logs(lines: &[&str]) -> Vec<crate::Finding> {
        let mut c = container("web", Some(512));
        c.logs.push(log(lines, "2026-11-24T10:00:00Z", 60));
        run(&model_with(vec![pod("w-1", vec![c])]), &Thresholds::default())
    }

    #[test]
    fn gunicorn_celery_memoryerror_killed() {
        let f = run_logs(&[
            "[2026-11-24 10:00:00 +0000] [1] [ERROR] Worker (pid:8) was sent SIGKILL! Perhaps out of memory?",
            "[2026-11-24 10:01:00 +0000] [1] [INFO] Booting worker with pid: 9",
            "Traceback (most recent call last):\n  File \"app.py\", line 3, in <module>\nMemoryError",
            "celery.exceptions.WorkerLostError: Worker exited prematurely: signal 9 (SIGKILL) Job: 12.",
            "Killed",
            "multiprocessing worker exited with exitcode -9",
        ]);
        assert_eq!(kinds(&f), vec!["memory-error"]);
        assert_eq!(
            f[0].title,
            "web: 1 MemoryError, 1 gunicorn worker sent SIGKILL (\"Perhaps out of memory?\"), 1 celery worker lost to signal 9 (SIGKILL), 1 child process killed by signal 9, 1 `Killed` (shell: a process got SIGKILL), 2026-11-24 10:00 UTC → 2026-11-24 10:05 UTC"
        );
        assert_eq!(f[0].evidence.len(), 5);
    }

    #[test]
    fn traceback_evidence_is_the_memoryerror_line() {
        let mut c = container("web", Some(512));
        let mut s = log(
            &["Traceback (most recent call last):\n  File \"app.py\", line 3, in <module>\nMemoryError"],
            "2026-11-24T10:00:00Z",
            60,
        );
        s.lines[0].origin = o(10);
        c.logs.push(s);
        let mut m = model_with(vec![pod("w-1", vec![c])]);
        m.sources[0].text[11] = "2026-11-24T10:00:00Z MemoryError".into();
        let f = run(&m, &Thresholds::default());
        assert_eq!(f[0].evidence, vec![o(12)]);
    }

    #[test]
    fn ordinary_lines_do_not_match() {
        let f = run_logs(&[
            "INFO handled request in 12ms",
            "Killed 3 zombie sessions",
            "memory_error_count=0",
            "user killed the job",
        ]);
        assert!(f.is_empty(), "{f:#?}");
    }
}
