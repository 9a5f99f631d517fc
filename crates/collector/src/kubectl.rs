//! Running the real `kubectl`: one command at a time with a timeout, or several in parallel
//! with a small bound.
//!
//! Each command runs in its own process group (so Ctrl-C in the terminal reaches only
//! kubeleak, which decides what to stop) and is killed, with everything it started, when
//! it runs past its timeout. stdout and stderr are read on their own threads so a chatty
//! command never blocks on a full pipe. Example: `Kubectl::run(&["version"])` gives a
//! [`Run`] with the output, the exit code and the start time.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use jiff::{Timestamp, Unit};

/// Most bytes kept from one command's stdout (a `logs --tail=-1` can be huge).
pub const MAX_OUTPUT: usize = 256 << 20;

/// The process ids (= process group ids) of the kubectl commands running now, so a
/// third interrupt can kill them all before quitting ([`kill_running`]).
static RUNNING: Mutex<Vec<u32>> = Mutex::new(Vec::new());

/// Kills every running kubectl command's process group (the process is about to exit).
pub fn kill_running() {
    let pids = RUNNING.lock().map(|v| v.clone()).unwrap_or_default();
    for pid in pids {
        kill_group(pid);
    }
}

/// How to call kubectl: the program and the flags every command gets.
#[derive(Clone, Debug)]
pub struct Kubectl {
    pub program: PathBuf,
    /// `--context X`, `--kubeconfig P`: given to every command.
    pub global: Vec<String>,
    pub timeout: Duration,
}

/// How a command ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    Exited(i32),
    /// Killed by a signal it did not ask for (unix).
    Signal(i32),
    /// Ran past the timeout and was killed.
    TimedOut,
    /// Stopped by a second Ctrl-C.
    Aborted,
    /// Could not be started (kubectl missing, not executable).
    SpawnFailed {
        not_found: bool,
        message: String,
    },
}

/// One command as it ran.
#[derive(Clone, Debug)]
pub struct Run {
    /// The words after `kubectl`, global flags (`--context`, `--kubeconfig`) last.
    pub args: Vec<String>,
    pub at: Timestamp,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// stdout was cut at [`MAX_OUTPUT`].
    pub truncated: bool,
    pub status: Status,
    pub took: Duration,
}

impl Run {
    pub fn ok(&self) -> bool {
        self.status == Status::Exited(0)
    }

    /// The command as a shell would show it: `kubectl get pods -n shop -l 'app in (a,b)'`.
    pub fn display(&self) -> String {
        let mut s = String::from("kubectl");
        for a in &self.args {
            s.push(' ');
            let plain = !a.is_empty() && a.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-.,/:=@%+".contains(&b));
            if plain {
                s.push_str(a);
            } else {
                s.push_str(&shlex::try_quote(a).map(|q| q.into_owned()).unwrap_or_else(|_| a.replace('\0', "")));
            }
        }
        s
    }

    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

impl Kubectl {
    /// Runs `kubectl <global> <args>`, killing it after the timeout or when `abort` is set.
    pub fn run(&self, args: &[String], abort: &AtomicBool) -> Run {
        let mut all = args.to_vec();
        all.extend(self.global.iter().cloned());
        let at = Timestamp::now().round(Unit::Second).unwrap_or_else(|_| Timestamp::now());
        let start = Instant::now();
        let mut run = Run {
            args: all,
            at,
            stdout: Vec::new(),
            stderr: Vec::new(),
            truncated: false,
            status: Status::Exited(0),
            took: Duration::ZERO,
        };
        let mut cmd = Command::new(&self.program);
        cmd.args(&run.args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            cmd.process_group(0);
        }
        let mut child = match cmd.spawn() {
            Ok(c) => c,
            Err(e) => {
                run.status =
                    Status::SpawnFailed { not_found: e.kind() == std::io::ErrorKind::NotFound, message: e.to_string() };
                return run;
            }
        };
        let pid = child.id();
        if let Ok(mut r) = RUNNING.lock() {
            r.push(pid);
        }
        let out = child.stdout.take().map(|s| thread::spawn(move || read_capped(s, MAX_OUTPUT)));
        let err = child.stderr.take().map(|s| thread::spawn(move || read_capped(s, 1 << 20)));
        run.status = wait(&mut child, self.timeout, abort);
        if let Ok(mut r) = RUNNING.lock() {
            r.retain(|p| *p != pid);
        }
        if let Some(Ok((bytes, cut))) = out.map(|h| h.join()) {
            run.stdout = bytes;
            run.truncated = cut;
        }
        if let Some(Ok((bytes, _))) = err.map(|h| h.join()) {
            run.stderr = bytes;
        }
        run.took = start.elapsed();
        run
    }

    /// Runs every command, at most `bound` at a time; results in the order given.
    /// `done` is called as each one finishes (for progress).
    pub fn run_all(
        &self,
        jobs: &[Vec<String>],
        bound: usize,
        abort: &AtomicBool,
        done: &(dyn Fn(&Run) + Sync),
    ) -> Vec<Run> {
        let next = AtomicUsize::new(0);
        let results: Mutex<Vec<Option<Run>>> = Mutex::new(vec![None; jobs.len()]);
        thread::scope(|s| {
            for _ in 0..bound.clamp(1, jobs.len().max(1)) {
                s.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(args) = jobs.get(i) else { break };
                    let r = self.run(args, abort);
                    done(&r);
                    if let Ok(mut v) = results.lock() {
                        v[i] = Some(r);
                    }
                });
            }
        });
        results.into_inner().unwrap_or_default().into_iter().flatten().collect()
    }
}

fn read_capped(mut r: impl Read, cap: usize) -> (Vec<u8>, bool) {
    let mut kept = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    let mut cut = false;
    loop {
        match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                let room = cap.saturating_sub(kept.len());
                if n > room {
                    cut = true;
                }
                kept.extend_from_slice(&buf[..n.min(room)]);
                // Keep reading (and dropping) so the child never blocks on a full pipe.
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        }
    }
    (kept, cut)
}

fn wait(child: &mut Child, timeout: Duration, abort: &AtomicBool) -> Status {
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(st)) => return exit_status(st),
            Ok(None) => {}
            Err(_) => {}
        }
        let timed_out = start.elapsed() >= timeout;
        if timed_out || abort.load(Ordering::SeqCst) {
            kill(child);
            let _ = child.wait();
            return if timed_out { Status::TimedOut } else { Status::Aborted };
        }
        thread::sleep(Duration::from_millis(20));
    }
}

fn exit_status(st: std::process::ExitStatus) -> Status {
    if let Some(code) = st.code() {
        return Status::Exited(code);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = st.signal() {
            return Status::Signal(sig);
        }
    }
    Status::Exited(-1)
}

/// Kills the child and its process group (the kubectl dispatcher may have started the
/// real kubectl as its own child).
fn kill(child: &mut Child) {
    kill_group(child.id());
    let _ = child.kill();
}

/// SIGKILL to the process group of a child started by [`Kubectl::run`].
fn kill_group(pid: u32) {
    #[cfg(unix)]
    {
        if let Ok(pid) = i32::try_from(pid) {
            // SAFETY: kill(2) with a negative pid signals the process group we created
            // for this child (`process_group(0)` makes its pgid equal to its pid).
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
        }
    }
    #[cfg(not(unix))]
    let _ = pid;
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn sh(timeout_ms: u64) -> Kubectl {
        Kubectl { program: PathBuf::from("/bin/sh"), global: Vec::new(), timeout: Duration::from_millis(timeout_ms) }
    }

    fn args(script: &str) -> Vec<String> {
        vec!["-c".to_string(), script.to_string()]
    }

    #[test]
    fn output_exit_code_and_display() {
        let r = sh(5000).run(&args("echo out; echo err >&2; exit 3"), &AtomicBool::new(false));
        assert_eq!(r.status, Status::Exited(3));
        assert_eq!(r.stdout, b"out\n");
        assert_eq!(r.stderr, b"err\n");
        assert_eq!(r.display(), "kubectl -c 'echo out; echo err >&2; exit 3'");
    }

    #[test]
    fn timeout_kills_the_whole_process_group() {
        // The child of the shell keeps the pipes open: only killing the group ends it.
        let start = Instant::now();
        let r = sh(300).run(&args("sleep 30 & wait"), &AtomicBool::new(false));
        assert_eq!(r.status, Status::TimedOut);
        assert!(start.elapsed() < Duration::from_secs(5), "{:?}", start.elapsed());
    }

    #[test]
    fn abort_stops_a_running_command() {
        let abort = AtomicBool::new(true);
        let r = sh(30_000).run(&args("sleep 30"), &abort);
        assert_eq!(r.status, Status::Aborted);
    }

    #[test]
    fn run_all_keeps_the_order_and_the_bound() {
        let jobs: Vec<Vec<String>> = (0..6).map(|i| args(&format!("sleep 0.{}; echo {i}", 6 - i))).collect();
        let seen = AtomicUsize::new(0);
        let runs = sh(5000).run_all(&jobs, 3, &AtomicBool::new(false), &|_| {
            seen.fetch_add(1, Ordering::SeqCst);
        });
        let outs: Vec<String> = runs.iter().map(|r| String::from_utf8_lossy(&r.stdout).trim().to_string()).collect();
        assert_eq!(outs, ["0", "1", "2", "3", "4", "5"]);
        assert_eq!(seen.load(Ordering::SeqCst), 6);
    }

    #[test]
    fn missing_program() {
        let k = Kubectl {
            program: PathBuf::from("/nonexistent/kubectl"),
            global: Vec::new(),
            timeout: Duration::from_secs(1),
        };
        let r = k.run(&[], &AtomicBool::new(false));
        assert!(matches!(r.status, Status::SpawnFailed { not_found: true, .. }), "{:?}", r.status);
    }
}
