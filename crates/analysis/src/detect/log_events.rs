//! `oom-killed` from what a log or pasted text says the kernel's OOM killer did
//! (`Memory cgroup out of memory: Killed process 1234 (python3)`,
//! `oom-kill:constraint=CONSTRAINT_MEMCG …`, `… invoked oom-killer`, a node's
//! `OOMKilling` event quoted in text, `reason: OOM Killed`), as the line rules of
//! `rules/memory_error.rs` find them. (The kubelet's eviction messages in text are read
//! by `parse/fragment.rs` as eviction events, for `evicted.rs`.)
//!
//! One finding per container, critical. Kills read from `describe`, `get pods` or events
//! are found by `oom.rs`; a finding of the same container from both is merged into one.
//!
//! Example: the dmesg line `[1034895.974253] Memory cgroup out of memory: Killed process
//! 3085741 (httpd) total-vm:312132kB …` pasted alone gives "kernel OOM kill: Killed
//! process 3085741 (httpd)", with no pod.

use super::memory_error::line_of;
use super::{finding_for, DetectorInput};
use crate::finding::{Finding, Kind, Severity};
use crate::rules::memory_error::{pattern_of, patterns};

/// The part of a matched line worth a title: from `Killed process`/`Kill process` to the
/// process name, or the eviction message's first sentence.
fn gist(line: &str) -> String {
    let l = line.trim();
    let lower = l.to_ascii_lowercase();
    for key in ["killed process", "kill process"] {
        if let Some(i) = lower.find(key) {
            let rest = l.get(i..).unwrap_or(l);
            let end = rest.find(')').map_or(rest.len(), |e| e + 1);
            return rest.get(..end).unwrap_or(rest).to_string();
        }
    }
    if let Some(i) = lower.find("the node") {
        let rest = l.get(i..).unwrap_or(l);
        return rest.split(". ").next().unwrap_or(rest).trim_end_matches('.').to_string();
    }
    l.chars().take(120).collect()
}

pub fn detect(cx: &DetectorInput<'_>, out: &mut Vec<Finding>) {
    let ps = patterns();
    for pod in &cx.model.pods {
        for c in pod.containers.iter().filter(|c| !c.init) {
            for kind in [Kind::OomKilled] {
                let mut f = finding_for(kind, Severity::Critical, pod, Some(c));
                let mut first = None;
                let mut count = 0usize;
                for stream in &c.logs {
                    let digest = cx.digest(stream);
                    for (_, l) in &digest.matched {
                        let Some((_, k)) = pattern_of(&l.text).filter(|&(i, _)| ps[i].kind == kind) else {
                            continue;
                        };
                        let line = l.text.lines().nth(k).unwrap_or("");
                        count += 1;
                        first.get_or_insert_with(|| gist(line));
                        f.evidence.push(line_of(cx, l.origin, k, line));
                    }
                }
                let Some(first) = first else { continue };
                let whose = match &f.container {
                    Some(c) => format!("{c}: "),
                    None => String::new(),
                };
                let more = if count > 1 { format!(" ({count} lines)") } else { String::new() };
                f.title = format!("{whose}kernel OOM kill: {first}{more}");
                f.detail = "The kernel's OOM killer ended a process because its memory cgroup (the \
container's limit) or the node ran out of memory. A container whose main process is killed this way shows \
`OOMKilled` with exit code 137; a worker process killed inside it does not."
                    .into();
                f.advice = "Find which container and limit the killed process belongs to (`kubectl describe \
pod`, `kubectl get events`), then compare its memory with the limit over time (`kubectl top pod --containers` \
samples): steady growth is a leak, a jump at start is a limit set too low."
                    .into();
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::super::{run, Thresholds};

    fn run_logs(lines: &[&str]) -> Vec<crate::Finding> {
        let mut c = container("app", Some(512));
        c.logs.push(log(lines, "2026-11-24T10:00:00Z", 60));
        run(&model_with(vec![pod("w-1", vec![c])]), &Thresholds::default())
    }

    #[test]
    fn kernel_kills() {
        let f = run_logs(&[
            "[1034895.974253] Memory cgroup out of memory: Killed process 3085741 (httpd) total-vm:312132kB",
        ]);
        assert_eq!(kinds(&f), vec!["oom-killed"], "{f:#?}");
        let oom = f.iter().find(|x| x.kind == "oom-killed").unwrap();
        assert_eq!(oom.title, "app: kernel OOM kill: Killed process 3085741 (httpd)");
        // A status dump's `reason: OOM Killed` (go-template output of `.lastState`).
        let f = run_logs(&[
            "LastState: map[terminated:map[exitCode:137 reason:OOM Killed startedAt:2015-07-07T20:58:43Z]]",
        ]);
        assert_eq!(kinds(&f), vec!["oom-killed"], "{f:#?}");
        // cgroup v1's own words.
        let f = run_logs(&[
            "kernel: Task in /kubepods.slice/x.scope killed as a result of limit of /kubepods.slice/x.scope",
        ]);
        assert_eq!(kinds(&f), vec!["oom-killed"], "{f:#?}");
    }

    #[test]
    fn prose_is_not_a_kill() {
        let f = run_logs(&[
            "If the OOM killer kills your process, look at the limit.",
            "Memory usage is low on this node",
            "The task in this queue was killed as a precaution.",
            "LastState: map[terminated:map[exitCode:0 reason:Completed]]",
        ]);
        assert!(f.is_empty(), "{f:#?}");
    }
}
