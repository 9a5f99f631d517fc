//! `kubeleak collect --profile …`: Python memory tools run inside the target containers
//! with `kubectl exec` (opt-in; nothing here runs without `--profile`).
//!
//! - `tracemalloc`, `objgraph`: these live inside the Python process, so the app opts in
//!   with a small signal handler (docs/collector.md prints it) that writes its pid to
//!   `/tmp/kubeleak-profile.pid` at startup and, on `SIGUSR2`, writes
//!   `tracemalloc` statistics (a `compare_to` diff from the second call on) and/or
//!   `objgraph.show_growth()` to `/tmp/kubeleak-profile.txt`, as asked in
//!   `/tmp/kubeleak-profile.request`. The collector signals that pid, waits for the file
//!   (at most `--profile-wait`) and prints it. Without the pid file no signal is sent
//!   (SIGUSR2 would end a process that has no handler).
//! - `memray-stats`: `memray attach --duration N -o FILE PID`, then `memray stats FILE`
//!   (memray and gdb or lldb in the image, and the SYS_PTRACE capability).
//! - `py-spy`: `py-spy dump --pid PID` (py-spy in the image, SYS_PTRACE).
//!
//! With `--debug-image IMAGE`, `py-spy` runs instead in an ephemeral debug container that
//! shares the target container's process namespace, so the app's image needs nothing:
//! `kubectl debug -n NS POD --target=CONTAINER --image=IMAGE --profile=general
//! --container=kubeleak-py-spy-N --attach=true -- py-spy dump --pid PID` (kubectl waits
//! for it, attaches, or prints its log when it has already ended). The hook's tools and
//! memray still use `kubectl exec` (they need the app's own Python).
//!
//! Each run is one `$ kubectl exec -n NS POD -c CONTAINER -- sh -c '…'` section of the
//! bundle; the analysis reads its output as that container's profile. A tool missing from
//! the image exits 127 with a `kubeleak: … is not installed` line on stderr, recorded in
//! the bundle like any failed command, and collection goes on.

use std::time::Duration;

use crate::pods::PodInfo;

/// The SIGUSR2 hook an app installs for `--profile tracemalloc,objgraph` (printed in
/// docs/collector.md, checked against this file by a test).
#[cfg(test)]
pub const HOOK: &str = include_str!("hooks/kubeleak_profile_hook.py");

/// A tool `--profile` can run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Profile {
    /// `tracemalloc` statistics, through the app's SIGUSR2 hook.
    Tracemalloc,
    /// `objgraph.show_growth()`, through the app's SIGUSR2 hook.
    Objgraph,
    /// `memray attach` for a while, then `memray stats`.
    MemrayStats,
    /// `py-spy dump`.
    PySpy,
}

/// Where the app's hook and the collector meet (see docs/collector.md): the hook's
/// `KUBELEAK_PROFILE_DIR`, `/tmp` by default.
pub const DIR: &str = "/tmp";

/// The `sh` script that asks the app's hook for `what` (`tracemalloc objgraph`) and prints
/// what it wrote, waiting at most `wait_s` seconds.
pub fn hook_script(what: &str, wait_s: u64) -> String {
    hook_script_in(DIR, what, wait_s)
}

/// [`hook_script`] with the files in `dir`.
pub fn hook_script_in(dir: &str, what: &str, wait_s: u64) -> String {
    let pid_file = format!("{dir}/kubeleak-profile.pid");
    let request_file = format!("{dir}/kubeleak-profile.request");
    let out_file = format!("{dir}/kubeleak-profile.txt");
    format!(
        "p=$(cat {pid_file} 2>/dev/null) || {{ echo \"kubeleak: no profile hook in this container ({pid_file} is missing): \
install the SIGUSR2 hook of docs/collector.md in the app\" >&2; exit 3; }}; \
rm -f {out_file}; echo {what} > {request_file}; \
kill -USR2 \"$p\" || {{ echo \"kubeleak: cannot signal pid $p (from {pid_file})\" >&2; exit 3; }}; \
i=0; while [ ! -f {out_file} ] && [ $i -lt {wait_s} ]; do sleep 1; i=$((i+1)); done; \
cat {out_file} 2>/dev/null || {{ echo \"kubeleak: the profile hook (pid $p) wrote nothing within {wait_s}s\" >&2; exit 4; }}"
    )
}

/// The `sh` script for `memray-stats`: track `pid` for `secs` seconds, then print the stats.
pub fn memray_script(pid: u32, secs: u64) -> String {
    format!(
        "command -v memray >/dev/null 2>&1 || {{ echo \"kubeleak: memray is not installed in this container \
(pip install memray; attaching also needs gdb or lldb and the SYS_PTRACE capability)\" >&2; exit 127; }}; \
f=/tmp/kubeleak-memray.bin; rm -f \"$f\"; \
memray attach --duration {secs} -f -o \"$f\" {pid} >&2 || exit $?; \
sleep {}; memray stats \"$f\"; s=$?; rm -f \"$f\"; exit $s",
        secs + 2
    )
}

/// The `sh` script for `py-spy`.
pub fn pyspy_script(pid: u32) -> String {
    format!(
        "command -v py-spy >/dev/null 2>&1 || {{ echo \"kubeleak: py-spy is not installed in this container \
(pip install py-spy; it needs the SYS_PTRACE capability)\" >&2; exit 127; }}; py-spy dump --pid {pid}"
    )
}

/// Options of `--profile`.
#[derive(Clone, Debug)]
pub struct Options {
    pub profiles: Vec<Profile>,
    /// Only this container of each pod (default: every app container, not init ones).
    pub container: Option<String>,
    /// The Python process for memray and py-spy.
    pub pid: u32,
    /// How long the hook may take, and how long memray tracks.
    pub wait: Duration,
    /// `py-spy` in an ephemeral debug container instead of `kubectl exec`.
    pub debug: Option<Debug>,
}

/// `--debug-image` and its companions.
#[derive(Clone, Debug)]
pub struct Debug {
    /// The image with py-spy (`--debug-image`).
    pub image: String,
    /// kubectl debug's `--profile` (`general` adds SYS_PTRACE; `sysadmin` is privileged).
    pub profile: String,
    /// Makes the ephemeral container's name unique in the pod (`kubeleak-py-spy-N`):
    /// an ephemeral container stays in the pod's spec until the pod is replaced.
    pub suffix: String,
}

/// The commands (words after `kubectl`) of `--profile`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Jobs {
    /// `kubectl exec … -- sh -c '…'` in the app containers.
    pub exec: Vec<Vec<String>>,
    /// `kubectl debug … -- py-spy dump` in ephemeral containers (`--debug-image`).
    pub debug: Vec<Vec<String>>,
}

/// The `kubectl exec` (and with `--debug-image`, `kubectl debug`) commands for every
/// selected container; `ns` is the namespace of pods whose own is not known.
pub fn jobs(pods: &[PodInfo], ns: &str, opts: &Options) -> Jobs {
    let mut profiles = opts.profiles.clone();
    profiles.sort();
    profiles.dedup();
    let wait_s = opts.wait.as_secs().max(1);
    let mut scripts = Vec::new();
    let hook: Vec<&str> = profiles
        .iter()
        .filter_map(|p| match p {
            Profile::Tracemalloc => Some("tracemalloc"),
            Profile::Objgraph => Some("objgraph"),
            _ => None,
        })
        .collect();
    if !hook.is_empty() {
        scripts.push(hook_script(&hook.join(" "), wait_s));
    }
    if profiles.contains(&Profile::MemrayStats) {
        scripts.push(memray_script(opts.pid, wait_s));
    }
    if profiles.contains(&Profile::PySpy) && opts.debug.is_none() {
        scripts.push(pyspy_script(opts.pid));
    }
    let mut out = Jobs::default();
    for p in pods {
        let ns = p.namespace.as_deref().unwrap_or(ns);
        for c in &p.app_containers {
            if opts.container.as_ref().is_some_and(|only| only != c) {
                continue;
            }
            for s in &scripts {
                out.exec.push(
                    ["exec", "-n", ns, &p.name, "-c", c, "--", "sh", "-c", s].iter().map(|w| w.to_string()).collect(),
                );
            }
            if let Some(d) = opts.debug.as_ref().filter(|_| profiles.contains(&Profile::PySpy)) {
                out.debug.push(debug_pyspy(ns, &p.name, c, d, opts.pid));
            }
        }
    }
    out
}

/// `kubectl debug` of `py-spy dump` in an ephemeral container beside `container`.
pub fn debug_pyspy(ns: &str, pod: &str, container: &str, d: &Debug, pid: u32) -> Vec<String> {
    let name = format!("kubeleak-py-spy-{}", d.suffix);
    [
        "debug",
        "-n",
        ns,
        pod,
        &format!("--target={container}"),
        &format!("--image={}", d.image),
        &format!("--profile={}", d.profile),
        &format!("--container={name}"),
        "--attach=true",
        "--",
        "py-spy",
        "dump",
        "--pid",
        &pid.to_string(),
    ]
    .iter()
    .map(|w| w.to_string())
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pods() -> Vec<PodInfo> {
        vec![PodInfo {
            name: "w-1".into(),
            namespace: None,
            containers: vec![("init".into(), false), ("worker".into(), true), ("side".into(), false)],
            app_containers: vec!["worker".into(), "side".into()],
        }]
    }

    #[test]
    fn one_exec_per_tool_and_app_container() {
        let opts = Options {
            profiles: vec![Profile::PySpy, Profile::Objgraph, Profile::Tracemalloc, Profile::Tracemalloc],
            container: None,
            pid: 1,
            wait: Duration::from_secs(5),
            debug: None,
        };
        let jobs = jobs(&pods(), "shop", &opts).exec;
        let heads: Vec<String> = jobs.iter().map(|j| j[..8].join(" ")).collect();
        assert_eq!(
            heads,
            [
                "exec -n shop w-1 -c worker -- sh",
                "exec -n shop w-1 -c worker -- sh",
                "exec -n shop w-1 -c side -- sh",
                "exec -n shop w-1 -c side -- sh",
            ]
        );
        assert!(jobs[0][9].contains("echo tracemalloc objgraph > /tmp/kubeleak-profile.request"));
        assert!(jobs[0][9].contains("$i -lt 5"));
        assert!(jobs[1][9].ends_with("py-spy dump --pid 1"));
        let only = Options {
            profiles: vec![Profile::MemrayStats],
            container: Some("worker".into()),
            pid: 7,
            wait: Duration::from_secs(10),
            debug: None,
        };
        let jobs = super::jobs(&pods(), "shop", &only).exec;
        assert_eq!(jobs.len(), 1);
        assert!(jobs[0][9].contains("memray attach --duration 10 -f -o \"$f\" 7"), "{}", jobs[0][9]);
        assert!(jobs[0][9].contains("sleep 12; memray stats"));
    }

    #[test]
    fn debug_image_moves_py_spy_to_an_ephemeral_container() {
        let mut pods = pods();
        pods[0].namespace = Some("batch".into());
        let opts = Options {
            profiles: vec![Profile::PySpy, Profile::Tracemalloc],
            container: Some("worker".into()),
            pid: 1,
            wait: Duration::from_secs(5),
            debug: Some(Debug { image: "py-spy:0.4".into(), profile: "general".into(), suffix: "17".into() }),
        };
        let jobs = jobs(&pods, "shop", &opts);
        // The hook still needs the app's process: exec; py-spy does not.
        assert_eq!(jobs.exec.len(), 1);
        assert!(jobs.exec[0][9].starts_with("p=$(cat /tmp/kubeleak-profile.pid"), "{:?}", jobs.exec);
        assert_eq!(jobs.exec[0][2], "batch", "the pod's own namespace");
        assert_eq!(
            jobs.debug,
            vec![[
                "debug",
                "-n",
                "batch",
                "w-1",
                "--target=worker",
                "--image=py-spy:0.4",
                "--profile=general",
                "--container=kubeleak-py-spy-17",
                "--attach=true",
                "--",
                "py-spy",
                "dump",
                "--pid",
                "1"
            ]
            .map(String::from)
            .to_vec()]
        );
        // Without py-spy asked for, no ephemeral container.
        let only_hook = Options { profiles: vec![Profile::Tracemalloc], ..opts };
        assert!(super::jobs(&pods, "shop", &only_hook).debug.is_empty());
    }

    /// The documented hook, in a real Python process, answered through the real script;
    /// the analysis reads its output as that container's profile.
    #[test]
    fn the_hook_answers_the_script() {
        let Ok(python) = which("python3") else {
            panic!("this test needs python3 on PATH");
        };
        let dir = tempfile::tempdir().unwrap();
        let hook = dir.path().join("kubeleak_profile_hook.py");
        std::fs::write(&hook, HOOK).unwrap();
        let app = "import kubeleak_profile_hook, time\ncache = []\nwhile True:\n    cache.append(bytearray(4096))\n    time.sleep(0.001)\n";
        let mut child = std::process::Command::new(python)
            .args(["-c", app])
            .env("PYTHONPATH", dir.path())
            .env("KUBELEAK_PROFILE_DIR", dir.path())
            .spawn()
            .unwrap();
        let pid_file = dir.path().join("kubeleak-profile.pid");
        for _ in 0..200 {
            if pid_file.exists() {
                break;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        let script = hook_script_in(&dir.path().display().to_string(), "tracemalloc objgraph", 10);
        let first = std::process::Command::new("/bin/sh").args(["-c", &script]).output().unwrap();
        std::thread::sleep(Duration::from_millis(300));
        let second = std::process::Command::new("/bin/sh").args(["-c", &script]).output().unwrap();
        let _ = child.kill();
        let _ = child.wait();
        assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
        let out = String::from_utf8_lossy(&second.stdout).into_owned();
        assert!(out.contains("kubeleak: objgraph is not installed"), "{out}");
        // The second answer is a diff: `file:line: size=… (+…), count=… (+…), average=…`.
        let bundle = format!("$ kubectl exec -n shop w-1 -c worker -- sh -c 'kill -USR2 1'\n{out}");
        let a = kubeleak_analysis::analyze_text("b", &bundle);
        let c = a.model.pod(Some("shop"), "w-1").and_then(|p| p.container("worker")).expect("container");
        let grew = c.profiles.allocation_sites.iter().find(|s| s.line == Some(4)).unwrap_or_else(|| panic!("{out}"));
        assert!(grew.size_delta.is_some_and(|d| d > 0), "{out}");
    }

    #[test]
    fn the_docs_print_the_hook() {
        let docs = include_str!("../../../docs/collector.md");
        assert!(docs.contains(HOOK), "docs/collector.md must show hooks/kubeleak_profile_hook.py verbatim");
    }

    fn which(name: &str) -> Result<std::path::PathBuf, ()> {
        std::env::var_os("PATH")
            .and_then(|p| std::env::split_paths(&p).map(|d| d.join(name)).find(|p| p.is_file()))
            .ok_or(())
    }

    /// The scripts are valid POSIX sh, and behave: no hook → exit 3 with the note; a
    /// missing tool → exit 127 with the note (run with the machine's `sh`).
    #[test]
    fn scripts_run_in_sh() {
        let run = |script: &str| {
            let out = std::process::Command::new("/bin/sh").args(["-n", "-c", script]).output().expect("sh");
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        };
        run(&hook_script("tracemalloc", 2));
        run(&memray_script(1, 3));
        run(&pyspy_script(1));
        let out = std::process::Command::new("/bin/sh")
            .args(["-c", &pyspy_script(1)])
            .env("PATH", "/nonexistent")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(127));
        assert!(String::from_utf8_lossy(&out.stderr).contains("kubeleak: py-spy is not installed"));
    }
}
