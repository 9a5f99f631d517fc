//! `kubeleak collect`: runs the runbook's kubectl commands against a live cluster and
//! writes one bundle (`docs/bundle-format.md`).
//!
//! Order: `kubectl version`; then, in parallel, `get pods -o wide`, `get pods -o json`,
//! `describe pod`, `get events`; then `top pod --containers` N times at the interval;
//! then, in parallel, `logs --timestamps` for every container of every selected pod (and
//! `--previous` where the container restarted). Pod and container names come from the
//! `-o json` output. A failed command is recorded with its exit code and stderr and the
//! collection goes on; the first Ctrl-C (or SIGTERM, SIGHUP: `signals.rs`) ends sampling
//! (logs are still taken), a second one stops the running commands and writes what was
//! gathered. Without `-n` the namespace is the current context's; `-A` takes every one
//! (each pod's logs are then asked in its own namespace).
//!
//! Exit codes (also in `--help` and `docs/collector.md`): 0 written, 2 usage or I/O
//! error, 3 kubectl missing, 4 cluster unreachable, 5 no pod matched, 130 (143, 129)
//! interrupted.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use jiff::{Timestamp, Unit};

use crate::bundle::{self, Entry, Header};
use crate::kubectl::{Kubectl, Run, Status};
use crate::pods::{pods_from_json, PodInfo};
use crate::prometheus;
use crate::signals::{self, interrupted, say, ABORT};
use kubeleak_analysis::redact;

pub const EXIT_KUBECTL_MISSING: u8 = 3;
pub const EXIT_UNREACHABLE: u8 = 4;
pub const EXIT_NO_PODS: u8 = 5;

/// Longest run of one `kubectl debug` (the debug image may have to be pulled first).
const DEBUG_TIMEOUT: Duration = Duration::from_secs(120);

/// Commands run at once at most.
const PARALLEL: usize = 4;

pub const EXIT_CODES_HELP: &str = "Exit codes:
  0    bundle written (failed commands, e.g. Metrics API not available, are recorded in it)
  2    usage error, or the bundle could not be written
  3    kubectl not found or not executable (nothing written)
  4    cluster unreachable or credentials refused (bundle written with the failed command)
  5    no pod matches the selector or --pod (bundle written without samples and logs)
  130  interrupted by Ctrl-C (bundle written, marked `# interrupted: true`);
       143 by SIGTERM, 129 by SIGHUP, handled alike (a third signal quits without writing)";

#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("history").args(["prometheus", "prometheus_service"])))]
pub struct Args {
    /// Namespace of the pods (default: the current context's namespace, as kubectl
    /// resolves it; `default` when it sets none).
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    /// Pods of every namespace (with -l; kubectl's `-A`).
    #[arg(short = 'A', long, conflicts_with_all = ["namespace", "pod"])]
    pub all_namespaces: bool,
    /// Label selector of the pods (e.g. `app=worker`).
    #[arg(short = 'l', long, required_unless_present = "pod", conflicts_with = "pod")]
    pub selector: Option<String>,
    /// One pod by name (instead of -l).
    #[arg(long)]
    pub pod: Option<String>,
    /// kubeconfig context (default: the current one).
    #[arg(long)]
    pub context: Option<String>,
    /// kubeconfig file (default: kubectl's own: $KUBECONFIG or ~/.kube/config).
    #[arg(long)]
    pub kubeconfig: Option<PathBuf>,
    /// kubeconfig cluster to use (kubectl's `--cluster`).
    #[arg(long)]
    pub cluster: Option<String>,
    /// kubeconfig user to use (kubectl's `--user`).
    #[arg(long)]
    pub user: Option<String>,
    /// Act as this user (kubectl's `--as`; impersonation).
    #[arg(long = "as", value_name = "USER")]
    pub as_user: Option<String>,
    /// Act as this group, repeatable (kubectl's `--as-group`).
    #[arg(long = "as-group", value_name = "GROUP")]
    pub as_group: Vec<String>,
    /// How long kubectl waits for one server request (kubectl's `--request-timeout`,
    /// e.g. `10s`); --timeout still bounds the whole command.
    #[arg(long, value_name = "DURATION")]
    pub request_timeout: Option<String>,
    /// The kubectl to run.
    #[arg(long, default_value = "kubectl")]
    pub kubectl: PathBuf,
    /// How many `kubectl top` samples to take (0: none).
    #[arg(long, default_value_t = 5)]
    pub samples: u32,
    /// Time between samples (`15s`, `1m30s`, `2h`, `500ms`).
    #[arg(long, default_value = "15s", value_parser = parse_duration)]
    pub interval: Duration,
    /// Logs newer than this (`2h`, `1h30m`; kubectl's `--since`) instead of the whole log;
    /// with --prometheus, also the history's range (default 24h).
    #[arg(long, conflicts_with = "tail", value_parser = parse_duration)]
    pub since: Option<Duration>,
    /// Last N log lines per container instead of the whole log (`--tail=-1`).
    #[arg(long, allow_hyphen_values = true)]
    pub tail: Option<i64>,
    /// Bundle file (default: `kubeleak-NAMESPACE-TIME.txt.gz` here).
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
    /// Write plain text instead of gzip.
    #[arg(long)]
    pub no_gzip: bool,
    /// Keep secrets as they are (redaction is on by default).
    #[arg(long)]
    pub no_redact: bool,
    /// Longest time one kubectl command may run before it is killed (`30s`, `2m`).
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Also run Python memory tools in the containers (off by default; comma-separated
    /// or repeated). tracemalloc and objgraph need the app's SIGUSR2 hook
    /// (docs/collector.md); memray-stats and py-spy need the tool in the image, or, for
    /// py-spy, --debug-image.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub profile: Vec<crate::profile::Profile>,
    /// With --profile: only this container of each pod (default: every app container).
    #[arg(long, requires = "profile")]
    pub profile_container: Option<String>,
    /// With --profile: the Python process memray and py-spy attach to.
    #[arg(long, default_value_t = 1)]
    pub profile_pid: u32,
    /// With --profile: how long the hook may take to answer, and how long memray tracks.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub profile_wait: Duration,
    /// With --profile py-spy: run py-spy from this image in an ephemeral debug container
    /// beside each app container (`kubectl debug --target`), so the app's image needs
    /// nothing. Needs the `pods/ephemeralcontainers` permission.
    #[arg(long, value_name = "IMAGE", requires = "profile")]
    pub debug_image: Option<String>,
    /// With --debug-image: kubectl debug's `--profile` (`general` adds SYS_PTRACE;
    /// `sysadmin`, kubectl 1.30+, is privileged, for clusters where ptrace needs more).
    #[arg(long, value_name = "PROFILE", default_value = "general", requires = "debug_image")]
    pub debug_profile: String,
    /// Also take the pods' memory history from this Prometheus, over plain HTTP (e.g.
    /// `http://127.0.0.1:9090` after `kubectl port-forward`): working set, limits,
    /// requests, restarts and termination reasons over --since (default 24h).
    #[arg(long, value_name = "URL", value_parser = crate::prometheus::parse_url)]
    pub prometheus: Option<String>,
    /// Like --prometheus, through the API server's service proxy with kubectl
    /// (`kubectl get --raw /api/v1/namespaces/NS/services/SERVICE:PORT/proxy/…`); needs
    /// `get` on `services/proxy`.
    #[arg(long, value_name = "NAMESPACE/SERVICE:PORT", conflicts_with = "prometheus",
          value_parser = crate::prometheus::parse_service)]
    pub prometheus_service: Option<(String, String)>,
    /// With --prometheus(-service): the resolution of the history (raised when the range
    /// would give a series more than Prometheus' 11,000 points).
    #[arg(long, default_value = "60s", value_parser = parse_duration, requires = "history")]
    pub step: Duration,
}

/// A duration: jiff's friendly format (`500ms`, `15s`, `1m30s`, `1.5m`, `2h`, `1h 30m`)
/// or ISO 8601 (`PT1M`), or plain seconds (`20`). Not negative; no days (use hours).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<f64>() {
        return Duration::try_from_secs_f64(secs).map_err(|_| format!("`{s}` is not a duration of 0 or more"));
    }
    let d: jiff::SignedDuration =
        s.parse().map_err(|_| format!("`{s}` is not a duration (e.g. 500ms, 15s, 1m30s, 2h)"))?;
    Duration::try_from(d).map_err(|_| format!("`{s}` is negative"))
}

/// A duration as Go (kubectl) writes it: `1h30m`, `1m30s`, `500ms`, `0s`.
pub fn go_duration(d: Duration) -> String {
    let mut secs = d.as_secs();
    let ms = d.subsec_millis();
    let mut out = String::new();
    if secs >= 3600 {
        out.push_str(&format!("{}h", secs / 3600));
        secs %= 3600;
    }
    if secs >= 60 {
        out.push_str(&format!("{}m", secs / 60));
        secs %= 60;
    }
    match (secs, ms) {
        (0, 0) if !out.is_empty() => {}
        (0, ms) if ms > 0 && out.is_empty() => out.push_str(&format!("{ms}ms")),
        (s, 0) => out.push_str(&format!("{s}s")),
        (s, ms) => out.push_str(&format!("{s}.{ms:03}s")),
    }
    out
}

/// `kubectl logs` for every container of every pod (in the pod's namespace, `ns` when it
/// is not known), and `--previous` for the restarted ones. `--since` wins over `--tail`;
/// neither means the whole log (`--tail=-1`).
pub fn log_jobs(pods: &[PodInfo], ns: &str, since: Option<Duration>, tail: Option<i64>) -> Vec<Vec<String>> {
    let window = match (since, tail) {
        (Some(s), _) => format!("--since={}", go_duration(s)),
        (None, Some(t)) => format!("--tail={t}"),
        (None, None) => "--tail=-1".to_string(),
    };
    let mut jobs = Vec::new();
    for p in pods {
        let ns = p.namespace.as_deref().unwrap_or(ns);
        for (c, restarted) in &p.containers {
            let base: Vec<String> =
                ["logs", "-n", ns, &p.name, "-c", c, "--timestamps", &window].iter().map(|w| w.to_string()).collect();
            if *restarted {
                let mut prev = base.clone();
                prev.push("--previous".into());
                jobs.push(base);
                jobs.push(prev);
            } else {
                jobs.push(base);
            }
        }
    }
    jobs
}

/// A stand-in for a command whose result went missing (a worker thread died).
fn missing_result(args: &[String]) -> Run {
    Run {
        args: args.to_vec(),
        at: Timestamp::now(),
        stdout: Vec::new(),
        stderr: b"kubeleak: no result for this command".to_vec(),
        truncated: false,
        status: Status::Exited(-1),
        took: Duration::ZERO,
    }
}

/// stderr that says the server could not be reached at all (or refused who we are).
fn is_unreachable(run: &Run) -> bool {
    if run.status == Status::TimedOut {
        return true;
    }
    let err = run.stderr_text().to_ascii_lowercase();
    [
        "unable to connect to the server",
        "connection refused",
        "was refused",
        "no such host",
        "i/o timeout",
        "network is unreachable",
        "no route to host",
        "tls handshake timeout",
        "connection reset by peer",
        "x509:",
        "certificate signed by unknown authority",
        // Reached, but our credentials are refused: nothing else will work either.
        "you must be logged in to the server",
    ]
    .iter()
    .any(|p| err.contains(p))
}

struct Progress {
    tty: bool,
}

impl Progress {
    fn show(&self, run: &Run) {
        if !self.tty {
            return;
        }
        let how = match &run.status {
            Status::Exited(0) => "ok".to_string(),
            Status::Exited(c) => format!("failed (exit {c})"),
            Status::TimedOut => "timed out".into(),
            Status::Aborted => "stopped".into(),
            Status::Signal(s) => format!("killed (signal {s})"),
            Status::SpawnFailed { message, .. } => format!("could not start: {message}"),
        };
        say(&format!("kubeleak: {}  {how} ({:.1}s)", run.display(), run.took.as_secs_f64()));
    }
    fn say(&self, msg: &str) {
        if self.tty {
            say(&format!("kubeleak: {msg}"));
        }
    }
}

/// A finished command, redacted, ready for the bundle.
fn entry(run: &Run, redact_on: bool, redacted: &mut usize, timeout: Duration) -> Entry {
    let mut stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    let mut stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    if redact_on {
        // The analysis crate's rules, the same that `analyze` and the page apply.
        let mut counts = redact::Counts::new();
        redact::redact_string(&mut stdout, &mut counts);
        redact::redact_string(&mut stderr, &mut counts);
        *redacted += counts.values().sum::<usize>();
    }
    let mut notes = Vec::new();
    let exit_code = match &run.status {
        Status::Exited(0) => None,
        Status::Exited(c) => Some(*c),
        Status::Signal(s) => {
            notes.push(format!("killed-by-signal {s}"));
            Some(128 + s)
        }
        Status::TimedOut => {
            notes.push(format!("timed-out after {}s (killed)", timeout.as_secs_f64()));
            Some(124)
        }
        Status::Aborted => {
            notes.push(format!("stopped by {}", signals::first_name()));
            Some(130)
        }
        Status::SpawnFailed { message, .. } => {
            stderr.push_str(&format!("kubeleak: could not start kubectl: {message}\n"));
            Some(127)
        }
    };
    if run.truncated {
        notes.push(format!("truncated: output cut at {} bytes", crate::kubectl::MAX_OUTPUT));
    }
    Entry { command: run.display(), at: Some(run.at), stdout, exit_code, stderr, notes }
}

/// The namespace of the current context (or of `--context`), as kubectl resolves it: the
/// kubeconfig's `namespace` for that context, `default` when it sets none. A local read
/// (`kubectl config view --minify`), not written to the transcript.
fn context_namespace(k: &Kubectl) -> String {
    let args: Vec<String> =
        ["config", "view", "--minify", "-o", "jsonpath={..namespace}"].iter().map(|s| s.to_string()).collect();
    let r = k.run(&args, &AtomicBool::new(false));
    let out = String::from_utf8_lossy(&r.stdout).trim().to_string();
    // `{..namespace}` lists every match; the minified config has one context.
    match out.split_whitespace().next() {
        Some(ns) if r.ok() => ns.to_string(),
        _ => "default".to_string(),
    }
}

/// kubectl's global flags given to kubeleak, passed to every command.
fn global_flags(args: &Args) -> Vec<String> {
    let mut global = Vec::new();
    let mut flag = |name: &str, v: &str| global.extend([name.to_string(), v.to_string()]);
    if let Some(c) = &args.context {
        flag("--context", c);
    }
    if let Some(k) = &args.kubeconfig {
        flag("--kubeconfig", &k.display().to_string());
    }
    if let Some(c) = &args.cluster {
        flag("--cluster", c);
    }
    if let Some(u) = &args.user {
        flag("--user", u);
    }
    if let Some(a) = &args.as_user {
        flag("--as", a);
    }
    for g in &args.as_group {
        flag("--as-group", g);
    }
    if let Some(t) = &args.request_timeout {
        flag("--request-timeout", t);
    }
    global
}

pub fn run(args: Args) -> Result<ExitCode> {
    if args.namespace.as_deref().is_some_and(|n| n.trim().is_empty()) {
        bail!("-n NAMESPACE must not be empty");
    }
    signals::install();
    let progress = Progress { tty: std::io::stderr().is_terminal() };
    let kubectl = Kubectl { program: args.kubectl.clone(), global: global_flags(&args), timeout: args.timeout };
    let captured_at = Timestamp::now().round(Unit::Second).unwrap_or_else(|_| Timestamp::now());
    let target: Vec<String> = match (&args.pod, &args.selector) {
        (Some(p), _) => vec![p.clone()],
        (None, Some(s)) => vec!["-l".into(), s.clone()],
        (None, None) => bail!("give -l SELECTOR or --pod NAME"),
    };

    // The bundle's file first: an unwritable directory is reported before any waiting.
    // Without -o its name holds the namespace, which without -n is only known from
    // kubectl: the file is then created right after `kubectl config view` (a local read).
    let default_name = |ns: &str| {
        let stamp = captured_at.strftime("%Y%m%dT%H%M%SZ").to_string();
        let safe_ns: String = ns.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
        PathBuf::from(format!("kubeleak-{safe_ns}-{stamp}.{}", if args.no_gzip { "txt" } else { "txt.gz" }))
    };
    let early = match &args.output {
        Some(p) => Some((p.clone(), bundle::Pending::create(p)?)),
        None => None,
    };
    // The namespace: -n, every one (-A), or the context's.
    let ns: Option<String> = if args.all_namespaces {
        None
    } else {
        Some(args.namespace.clone().unwrap_or_else(|| context_namespace(&kubectl)))
    };
    let (path, pending) = match early {
        Some(e) => e,
        None => {
            let p = default_name(ns.as_deref().unwrap_or("all"));
            let pending = bundle::Pending::create(&p)?;
            (p, pending)
        }
    };
    signals::set_partial(Some(pending.partial_path().to_path_buf()));
    let scope: Vec<String> = match &ns {
        Some(n) => vec!["-n".into(), n.clone()],
        None => vec!["-A".into()],
    };
    let where_ = ns.as_deref().map_or("any namespace".to_string(), |n| format!("namespace {n}"));
    let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<String>>();
    let with_target = |head: &[&str], tail: &[&str]| {
        let mut v = words(head);
        v.extend(scope.iter().cloned());
        v.extend(target.iter().cloned());
        v.extend(words(tail));
        v
    };

    let mut runs: Vec<Run> = Vec::new();

    // 1. kubectl version: also tells whether kubectl exists and the cluster answers.
    let version = kubectl.run(&words(&["version"]), &ABORT);
    progress.show(&version);
    if let Status::SpawnFailed { not_found, message } = &version.status {
        let what = kubectl.program.display();
        if *not_found {
            say(&format!("kubeleak: kubectl not found (`{what}`): install kubectl or pass --kubectl PATH"));
        } else {
            say(&format!("kubeleak: cannot run `{what}`: {message}"));
        }
        signals::set_partial(None);
        return Ok(ExitCode::from(EXIT_KUBECTL_MISSING));
    }
    let kubectl_version = client_version(&String::from_utf8_lossy(&version.stdout));
    let unreachable = !version.ok() && is_unreachable(&version);
    runs.push(version);

    let context = args.context.clone().or_else(|| current_context(&kubectl));

    let mut pods: Vec<PodInfo> = Vec::new();
    let mut no_pods = false;
    // The Prometheus sections, and where they go among the commands' (`runs`).
    let mut prom_entries: Vec<Entry> = Vec::new();
    let mut prom_at = 0;
    let mut redacted = 0;
    let mut samples_ok = 0;
    if unreachable {
        let why = if runs[0].status == Status::TimedOut {
            format!(
                "`kubectl version` did not answer within {}s (if your kubeconfig uses a login plugin that waits for you, run `kubectl get pods {}` once yourself, then retry)",
                args.timeout.as_secs_f64(),
                scope.join(" ")
            )
        } else {
            first_line(&runs[0].stderr_text()).to_string()
        };
        let what = if runs[0].stderr_text().to_ascii_lowercase().contains("you must be logged in") {
            "the cluster refused the credentials"
        } else {
            "cannot reach the cluster"
        };
        say(&format!(
            "kubeleak: {what}{}: {why}",
            context.as_deref().map(|c| format!(" (context {c})")).unwrap_or_default(),
        ));
    } else {
        // 2. The pods, their description and the namespace's events, in parallel.
        let mut events = words(&["get", "events"]);
        events.extend(scope.iter().cloned());
        if let Some(p) = &args.pod {
            events.extend(["--field-selector".to_string(), format!("involvedObject.name={p}")]);
        }
        let first = vec![
            with_target(&["get", "pods"], &["-o", "wide"]),
            with_target(&["get", "pods"], &["-o", "json"]),
            with_target(&["describe", "pod"], &[]),
            events,
        ];
        let done = kubectl.run_all(&first, PARALLEL, &ABORT, &|r| progress.show(r));
        let json = done.get(1).cloned().unwrap_or_else(|| missing_result(&first[1]));
        if json.ok() {
            match pods_from_json(&String::from_utf8_lossy(&json.stdout)) {
                Ok(p) => pods = p,
                Err(e) => say(&format!("kubeleak: {e}; logs are not collected")),
            }
            no_pods = pods.is_empty();
        } else if args.pod.is_some()
            && (json.stderr_text().contains("(NotFound)") || json.stderr_text().contains(" not found"))
        {
            no_pods = true;
        } else {
            say(&format!(
                "kubeleak: `{}` failed ({}); pod names unknown, logs are not collected",
                json.display(),
                first_line(&json.stderr_text())
            ));
        }
        runs.extend(done);

        let default_ns = ns.clone().unwrap_or_default();
        if no_pods {
            let what = match (&args.pod, &args.selector) {
                (Some(p), _) => format!("pod {p} not found"),
                (None, Some(s)) => format!("no pod matches -l {s}"),
                _ => String::new(),
            };
            let hint = if args.namespace.is_none() && !args.all_namespaces {
                " (the context's namespace; give -n NAMESPACE or -A)"
            } else {
                ""
            };
            say(&format!("kubeleak: {what} in {where_}{hint}; no samples or logs taken"));
        } else {
            // 2b. Opt-in: the pods' memory history from Prometheus.
            if !ABORT.load(Ordering::SeqCst) {
                prom_at = runs.len();
                prom_entries = history(&args, &kubectl, &pods, &default_ns, &progress, &mut redacted);
            }
            // 3. Memory samples at a fixed rate.
            let start = Instant::now();
            for i in 0..args.samples {
                if interrupted() {
                    break;
                }
                let r = kubectl.run(&with_target(&["top", "pod"], &["--containers"]), &ABORT);
                progress.show(&r);
                if i + 1 < args.samples {
                    progress.say(&format!(
                        "sample {}/{} taken; next in {:.1}s",
                        i + 1,
                        args.samples,
                        args.interval.as_secs_f64()
                    ));
                }
                if r.ok() {
                    samples_ok += 1;
                }
                runs.push(r);
                if i + 1 < args.samples {
                    let due = start + args.interval.saturating_mul(i + 1);
                    while Instant::now() < due && !interrupted() {
                        std::thread::sleep(
                            Duration::from_millis(20).min(due.saturating_duration_since(Instant::now())),
                        );
                    }
                }
            }
            // 4. Logs of every container, and of the previous run of restarted ones.
            if !ABORT.load(Ordering::SeqCst) {
                let jobs = log_jobs(&pods, &default_ns, args.since, args.tail);
                progress.say(&format!("taking {} log(s)", jobs.len()));
                let done = kubectl.run_all(&jobs, PARALLEL, &ABORT, &|r| progress.show(r));
                runs.extend(done);
            }
            // 5. Opt-in: Python memory tools inside the containers (`--profile`).
            if !args.profile.is_empty() && !ABORT.load(Ordering::SeqCst) {
                let opts = crate::profile::Options {
                    profiles: args.profile.clone(),
                    container: args.profile_container.clone(),
                    pid: args.profile_pid,
                    wait: args.profile_wait,
                    debug: args.debug_image.as_ref().map(|image| crate::profile::Debug {
                        image: image.clone(),
                        profile: args.debug_profile.clone(),
                        suffix: captured_at.as_second().to_string(),
                    }),
                };
                let jobs = crate::profile::jobs(&pods, &default_ns, &opts);
                // memray tracks for --profile-wait, then reads its file: give exec that long too.
                let exec = Kubectl {
                    timeout: args.timeout.max(args.profile_wait.saturating_mul(2) + Duration::from_secs(15)),
                    ..kubectl.clone()
                };
                if !jobs.exec.is_empty() {
                    progress.say(&format!("running {} profile command(s) with kubectl exec", jobs.exec.len()));
                    runs.extend(exec.run_all(&jobs.exec, PARALLEL, &ABORT, &|r| progress.show(r)));
                }
                if !jobs.debug.is_empty() && !ABORT.load(Ordering::SeqCst) {
                    progress.say(&format!("running py-spy in {} ephemeral debug container(s)", jobs.debug.len()));
                    // The debug image may have to be pulled first.
                    let debug = Kubectl { timeout: exec.timeout.max(DEBUG_TIMEOUT), ..kubectl.clone() };
                    runs.extend(debug.run_all(&jobs.debug, PARALLEL, &ABORT, &|r| progress.show(r)));
                }
            }
        }
    }

    // 6. The bundle.
    let mut entries: Vec<Entry> = runs.iter().map(|r| entry(r, !args.no_redact, &mut redacted, args.timeout)).collect();
    let prom_failed =
        prom_entries.iter().filter(|e| e.exit_code.is_some() || !prometheus::succeeded(&e.stdout)).count();
    let prom_count = prom_entries.len();
    let prom_at = prom_at.min(entries.len());
    entries.splice(prom_at..prom_at, prom_entries);
    let was_interrupted = interrupted();
    let header = Header {
        captured_at: Some(captured_at),
        context: context.clone(),
        namespace: ns.clone(),
        selector: args.selector.clone(),
        pod: args.pod.clone(),
        kubectl_version,
        redacted: (!args.no_redact).then_some(redacted),
        interrupted: was_interrupted,
    };
    let text = bundle::render(&header, &entries);
    pending.finish(&text, !args.no_gzip)?;
    signals::set_partial(None);

    let failed = runs.iter().filter(|r| !r.ok()).count();
    let logs = runs.iter().filter(|r| r.args.first().map(String::as_str) == Some("logs")).count();
    let containers: usize = pods.iter().map(|p| p.containers.len()).sum();
    // Not println!: after a SIGHUP the terminal may be gone, and that is no reason to panic.
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "Wrote {}", path.display());
    let _ = writeln!(
        out,
        "{} pod(s), {} container(s), {samples_ok}/{} memory sample(s), {logs} log(s), {} command(s) run, {failed} failed, {}{}{}",
        pods.len(),
        containers,
        args.samples,
        runs.len(),
        if args.no_redact { "redaction off".to_string() } else { format!("{redacted} value(s) redacted") },
        if prom_count > 0 { format!(", {prom_count} Prometheus query(ies), {prom_failed} failed") } else { String::new() },
        if was_interrupted { format!(", interrupted ({})", signals::first_name()) } else { String::new() }
    );
    Ok(if unreachable {
        ExitCode::from(EXIT_UNREACHABLE)
    } else if no_pods {
        ExitCode::from(EXIT_NO_PODS)
    } else if was_interrupted {
        ExitCode::from(signals::exit_code())
    } else {
        ExitCode::SUCCESS
    })
}

/// The pods' memory history from Prometheus (`--prometheus`, `--prometheus-service`):
/// one redacted entry per query, in the order of [`prometheus::queries`]. Nothing without
/// either option.
fn history(
    args: &Args,
    kubectl: &Kubectl,
    pods: &[PodInfo],
    default_ns: &str,
    progress: &Progress,
    redacted: &mut usize,
) -> Vec<Entry> {
    if args.prometheus.is_none() && args.prometheus_service.is_none() {
        return Vec::new();
    }
    let queries = prometheus::queries(pods, default_ns);
    if queries.is_empty() {
        say("kubeleak: no pod known: Prometheus not asked");
        return Vec::new();
    }
    let now = Timestamp::now().as_second();
    let range = prometheus::range(now, args.since.unwrap_or(prometheus::DEFAULT_SINCE), args.step);
    if let Some(asked) = range.raised_from {
        say(&format!(
            "kubeleak: --step {asked}s would give more than {} points per series: using {}s",
            prometheus::MAX_POINTS,
            range.step
        ));
    }
    progress.say(&format!("asking Prometheus {} quer(ies)", queries.len()));
    let mut entries: Vec<Entry> = match (&args.prometheus, &args.prometheus_service) {
        (Some(base), _) => {
            let agent = prometheus::agent(args.timeout);
            let next = std::sync::atomic::AtomicUsize::new(0);
            let answers: std::sync::Mutex<Vec<Option<Entry>>> = std::sync::Mutex::new(vec![None; queries.len()]);
            std::thread::scope(|s| {
                for _ in 0..PARALLEL.min(queries.len()) {
                    s.spawn(|| loop {
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        let Some(q) = queries.get(i) else { break };
                        if ABORT.load(Ordering::SeqCst) {
                            break;
                        }
                        let a = prometheus::fetch(&agent, base, q, &range, args.timeout);
                        progress.say(&format!(
                            "Prometheus query {}/{}: {} ({:.1}s)",
                            i + 1,
                            queries.len(),
                            a.failure.as_ref().map_or("ok", |(_, why)| why.as_str()),
                            a.took.as_secs_f64()
                        ));
                        if let Ok(mut v) = answers.lock() {
                            v[i] = Some(prometheus::answer_entry(&a));
                        }
                    });
                }
            });
            answers.into_inner().unwrap_or_default().into_iter().flatten().collect()
        }
        (None, Some((ns, service))) => {
            let jobs: Vec<Vec<String>> = queries
                .iter()
                .map(|q| vec!["get".into(), "--raw".into(), prometheus::service_path(ns, service, q, &range)])
                .collect();
            let runs = kubectl.run_all(&jobs, PARALLEL, &ABORT, &|r| progress.show(r));
            runs.iter()
                .map(|r| {
                    let mut e = entry(r, false, &mut 0, args.timeout);
                    e.notes.extend(prometheus::notes(&e.stdout));
                    e
                })
                .collect()
        }
        (None, None) => Vec::new(),
    };
    if let (Some(asked), Some(first)) = (range.raised_from, entries.first_mut()) {
        first.notes.push(format!(
            "prometheus: step raised from {asked}s to {}s (at most {} points per series)",
            range.step,
            prometheus::MAX_POINTS
        ));
    }
    if !args.no_redact {
        for e in &mut entries {
            let mut counts = redact::Counts::new();
            redact::redact_string(&mut e.stdout, &mut counts);
            redact::redact_string(&mut e.stderr, &mut counts);
            *redacted += counts.values().sum::<usize>();
        }
    }
    entries
}

/// `Client Version: v1.30.13`, or before 1.28 `Client Version: version.Info{…GitVersion:"v1.27.16"…}`.
fn client_version(out: &str) -> Option<String> {
    let v = out.lines().find_map(|l| l.strip_prefix("Client Version:"))?.trim();
    match v.split_once("GitVersion:\"") {
        Some((_, rest)) => rest.split('"').next().map(str::to_string),
        None => Some(v.to_string()),
    }
}

fn first_line(s: &str) -> &str {
    s.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim()
}

/// The kubeconfig's current context (a local read; not written to the transcript).
fn current_context(k: &Kubectl) -> Option<String> {
    let r = k.run(&["config".to_string(), "current-context".to_string()], &AtomicBool::new(false));
    let out = String::from_utf8_lossy(&r.stdout).trim().to_string();
    (r.ok() && !out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_versions() {
        assert_eq!(
            client_version("Client Version: v1.30.13\nKustomize Version: v5.0.4\n").as_deref(),
            Some("v1.30.13")
        );
        let old =
            "Client Version: version.Info{Major:\"1\", Minor:\"27\", GitVersion:\"v1.27.16\", GitCommit:\"cbb8\"}\n";
        assert_eq!(client_version(old).as_deref(), Some("v1.27.16"));
        assert_eq!(client_version("nothing"), None);
    }

    #[test]
    fn log_commands() {
        let mut pods = vec![PodInfo {
            name: "w-1".into(),
            namespace: None,
            containers: vec![("worker".into(), true), ("side".into(), false)],
            app_containers: vec!["worker".into(), "side".into()],
        }];
        let jobs = log_jobs(&pods, "shop", None, None);
        let lines: Vec<String> = jobs.iter().map(|j| j.join(" ")).collect();
        assert_eq!(
            lines,
            [
                "logs -n shop w-1 -c worker --timestamps --tail=-1",
                "logs -n shop w-1 -c worker --timestamps --tail=-1 --previous",
                "logs -n shop w-1 -c side --timestamps --tail=-1",
            ]
        );
        assert_eq!(log_jobs(&pods, "shop", Some(Duration::from_secs(5400)), Some(5))[0][7], "--since=1h30m");
        assert_eq!(log_jobs(&pods, "shop", None, Some(500))[0][7], "--tail=500");
        // -A: each pod's logs in its own namespace.
        pods[0].namespace = Some("batch".into());
        assert_eq!(log_jobs(&pods, "", None, None)[0][..3], ["logs", "-n", "batch"]);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("15s"), Ok(Duration::from_secs(15)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1.5m"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_duration("1h 30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("PT1M"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5d").is_err(), "no days: their length depends on the calendar");
        assert!(parse_duration("-5s").is_err());
        assert!(parse_duration("-5").is_err());
        assert!(parse_duration("1m30").is_err());
    }

    #[test]
    fn go_durations() {
        let d = |s: &str| go_duration(parse_duration(s).unwrap());
        assert_eq!(d("1m30s"), "1m30s");
        assert_eq!(d("2h"), "2h");
        assert_eq!(d("90m"), "1h30m");
        assert_eq!(d("1h0m5s"), "1h5s");
        assert_eq!(d("500ms"), "500ms");
        assert_eq!(d("1.5s"), "1.500s");
        assert_eq!(d("0s"), "0s");
    }

    #[test]
    fn global_flags_pass_through() {
        use clap::Parser;
        #[derive(clap::Parser)]
        struct T {
            #[command(flatten)]
            a: Args,
        }
        let t = T::try_parse_from([
            "t",
            "-l",
            "app=w",
            "--context",
            "prod",
            "--cluster",
            "c1",
            "--user",
            "u1",
            "--as",
            "oncall",
            "--as-group",
            "sre",
            "--as-group",
            "dev",
            "--request-timeout",
            "10s",
        ])
        .unwrap();
        assert_eq!(
            global_flags(&t.a).join(" "),
            "--context prod --cluster c1 --user u1 --as oncall --as-group sre --as-group dev --request-timeout 10s"
        );
        assert!(t.a.namespace.is_none() && !t.a.all_namespaces);
        assert!(T::try_parse_from(["t", "-A", "-n", "shop", "-l", "a=b"]).is_err(), "-A with -n");
        assert!(T::try_parse_from(["t", "-A", "--pod", "p"]).is_err(), "-A with --pod");
        assert!(T::try_parse_from(["t", "-l", "a=b", "--debug-image", "x"]).is_err(), "--debug-image needs --profile");
        assert!(T::try_parse_from(["t", "-l", "a=b", "--step", "30s"]).is_err(), "--step needs --prometheus");
        let t = T::try_parse_from(["t", "-l", "a=b", "--step", "30s", "--prometheus-service", "monitoring/p:9090"])
            .unwrap();
        assert_eq!(t.a.step, Duration::from_secs(30));
        assert_eq!(t.a.prometheus_service, Some(("monitoring".to_string(), "p:9090".to_string())));
        let t = T::try_parse_from(["t", "-l", "a=b", "--prometheus", "http://127.0.0.1:9090/"]).unwrap();
        assert_eq!((t.a.prometheus.as_deref(), t.a.step), (Some("http://127.0.0.1:9090"), Duration::from_secs(60)));
        assert!(
            T::try_parse_from(["t", "-l", "a=b", "--prometheus", "http://h", "--prometheus-service", "m/p:1"]).is_err(),
            "one or the other"
        );
    }
}
