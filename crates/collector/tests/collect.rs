//! `kubeleak collect` against the real kubectl (the version dispatcher on PATH), pointed by
//! a generated kubeconfig at the test API server in `support/apiserver.rs`.

mod support;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::apiserver::{ApiServer, Options, NAMESPACE, OK_POD, OOM_POD, OTHER_POD, SECRETS};

/// A per-test HOME with `.kube/config` pointing at the server (kubectl's discovery cache
/// lives under HOME, so tests never share it).
struct Env {
    home: tempfile::TempDir,
}

impl Env {
    fn new(server: Option<&ApiServer>) -> Env {
        require_kubectl();
        let home = tempfile::tempdir().unwrap();
        if let Some(s) = server {
            std::fs::create_dir_all(home.path().join(".kube")).unwrap();
            std::fs::write(home.path().join(".kube/config"), s.kubeconfig()).unwrap();
        }
        Env { home }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.home.path().join(name)
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kubeleak"));
        c.arg("collect")
            .args(args)
            .env("HOME", self.home.path())
            .env_remove("KUBECONFIG")
            .current_dir(self.home.path());
        default_signals(&mut c);
        c
    }

    fn collect(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }
}

/// The child starts with SIGINT, SIGTERM and SIGHUP at their default action, whatever
/// the tests were started with: kubeleak keeps a signal ignored that it was started with
/// ignored (`nohup` ignores SIGHUP; a script's `cmd &` ignores SIGINT), so a test run
/// started as `nohup bash .ci/run &` would otherwise see the signals it sends ignored.
fn default_signals(c: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: between fork and exec only `signal`, which is async-signal-safe, is called.
    unsafe {
        c.pre_exec(|| {
            for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
                libc::signal(sig, libc::SIG_DFL);
            }
            Ok(())
        });
    }
}

/// These tests run the real kubectl: say so plainly when it is not there.
fn require_kubectl() {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join("kubectl").is_file()))
        .unwrap_or(false);
    assert!(found, "the collector tests need the real `kubectl` on PATH (on the project's machines: /usr/bin/kubectl, the Google Cloud SDK's version dispatcher)");
}

fn read_bundle(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("no bundle at {}: {e}", path.display()));
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut s = String::new();
        flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut s).unwrap();
        s
    } else {
        String::from_utf8(bytes).unwrap()
    }
}

fn analyze(path: &Path) -> kubeleak_analysis::Analysis {
    let bytes = std::fs::read(path).unwrap();
    let name = path.display().to_string();
    kubeleak_analysis::analyze(
        &[kubeleak_analysis::Input { name: &name, bytes: &bytes }],
        &kubeleak_analysis::input::Limits::default(),
    )
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The lines of the section whose prompt contains `cmd`.
fn section<'a>(bundle: &'a str, cmd: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut inside = false;
    for l in bundle.lines() {
        if l.starts_with("$ kubectl") {
            inside = l.contains(cmd);
            if inside {
                out.push(l);
            }
            continue;
        }
        if inside {
            out.push(l);
        }
    }
    out
}

const BASE: &[&str] = &["-n", NAMESPACE, "-l", "app=worker", "--samples", "2", "--interval", "1s", "--timeout", "20s"];

fn full_collect(version: &str) {
    let server = ApiServer::start(Options { git_version: version.into(), ..Options::default() });
    let env = Env::new(Some(&server));
    let out = env.collect(&[BASE, &["-o", "b.txt.gz"]].concat());
    let requests = server.requests().join("\n");
    assert_eq!(out.status.code(), Some(0), "stderr: {}\nrequests:\n{requests}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Wrote b.txt.gz"), "{stdout}");
    assert_eq!(stderr(&out), "", "quiet when stderr is not a terminal");
    assert!(stdout.contains("2 pod(s), 3 container(s), 2/2 memory sample(s), 4 log(s)"), "{stdout}");
    // The dispatcher picked the kubectl of the server's version.
    let minor = version.split('.').nth(1).unwrap();
    assert!(requests.contains(&format!("kubectl/v1.{minor}.")), "{requests}");
    // Aggregated discovery was asked for (v2beta1 only by 1.27) and answered, so kubectl
    // never walked the legacy group lists.
    let wanted = if minor == "27" {
        "g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"
    } else {
        "g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    };
    assert!(requests.lines().any(|r| r.starts_with("GET /api?") && r.contains(wanted)), "{requests}");
    assert!(
        !requests.lines().any(|r| r.starts_with("GET /api/v1?") || r.starts_with("GET /apis/metrics.k8s.io/v1beta1?")),
        "{requests}"
    );

    let path = env.path("b.txt.gz");
    assert_eq!(&std::fs::read(&path).unwrap()[..2], &[0x1f, 0x8b], "gzip by default");
    let text = read_bundle(&path);
    if let Some(dir) = std::env::var_os("KUBELEAK_KEEP_BUNDLES") {
        // For a person to read: KUBELEAK_KEEP_BUNDLES=/tmp/x cargo test …
        let _ = std::fs::write(Path::new(&dir).join(format!("bundle-{version}.txt")), &text);
    }
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "# kubeleak-bundle: 1");
    assert!(lines[1].starts_with("# captured-at: 20"), "{text}");
    assert!(text.contains("\n# context: test-ctx\n# namespace: shop\n# selector: app=worker\n"), "{text}");
    assert!(text.contains(&format!("\n# kubectl-version: v1.{minor}.")), "{text}");
    assert!(text.contains("\n# interrupted: false\n"), "{text}");
    // Commands in the documented order, each with its time.
    let prompts: Vec<&str> = lines.iter().filter(|l| l.starts_with("$ ")).copied().collect();
    let expected = [
        "$ kubectl version  # at ",
        "$ kubectl get pods -n shop -l app=worker -o wide  # at ",
        "$ kubectl get pods -n shop -l app=worker -o json  # at ",
        "$ kubectl describe pod -n shop -l app=worker  # at ",
        "$ kubectl get events -n shop  # at ",
        "$ kubectl top pod -n shop -l app=worker --containers  # at ",
        "$ kubectl top pod -n shop -l app=worker --containers  # at ",
        &format!("$ kubectl logs -n shop {OOM_POD} -c worker --timestamps --tail=-1  # at "),
        &format!("$ kubectl logs -n shop {OOM_POD} -c worker --timestamps --tail=-1 --previous  # at "),
        &format!("$ kubectl logs -n shop {OOM_POD} -c metrics-exporter --timestamps --tail=-1  # at "),
        &format!("$ kubectl logs -n shop {OK_POD} -c worker --timestamps --tail=-1  # at "),
    ];
    assert_eq!(prompts.len(), expected.len(), "{text}");
    for (p, e) in prompts.iter().zip(expected) {
        assert!(p.starts_with(e), "{p} vs {e}\n{text}");
    }
    assert!(!text.contains("# kubeleak: exit-code"), "no command failed:\n{text}");
    // The real kubectl printed the server's Table with the real pod columns.
    let wide = section(&text, "-o wide");
    assert!(
        wide[1].starts_with("NAME ")
            && wide[1].contains("READY")
            && wide[1].contains("RESTARTS")
            && wide[1].contains("NOMINATED NODE"),
        "{wide:?}"
    );
    assert!(
        wide.iter().any(|l| l.starts_with(OOM_POD) && l.contains("1 (29m ago)") && l.contains("node-a-1")),
        "{wide:?}"
    );
    // describe: limit, OOMKilled last state, events found by uid.
    let describe = section(&text, "describe pod").join("\n");
    assert!(describe.contains("Last State:     Terminated"), "{describe}");
    assert!(describe.contains("Reason:       OOMKilled"), "{describe}");
    assert!(describe.contains("Exit Code:    137"), "{describe}");
    assert!(describe.contains("memory:  512Mi"), "{describe}");
    assert!(describe.contains("Back-off restarting failed container worker"), "{describe}");
    // events table
    let events = section(&text, "get events").join("\n");
    assert!(events.contains("LAST SEEN") && events.contains(&format!("pod/{OOM_POD}")), "{events}");
    // top: memory grows between samples.
    let tops: Vec<&str> = lines.iter().filter(|l| l.starts_with(OOM_POD) && l.contains(" worker ")).copied().collect();
    assert!(tops.len() >= 2, "{text}");
    // previous logs hold the lines before the OOM kill.
    let prev = section(&text, "--previous").join("\n");
    assert!(prev.contains("2026-11-24T09:41:02.991823001Z INFO processed batch 4412"), "{prev}");

    // Redaction keeps the JSON valid JSON.
    let json_text = section(&text, "-o json")[1..].join("\n");
    let json: serde_json::Value = serde_json::from_str(&json_text).unwrap_or_else(|e| panic!("{e}: {json_text}"));
    assert_eq!(json["items"][0]["spec"]["automountServiceAccountToken"], false);
    assert_eq!(json["items"][0]["spec"]["containers"][0]["env"][1]["value"], "[REDACTED]");
    assert_eq!(json["items"][0]["spec"]["containers"][0]["env"][0]["value"], "info");
    assert!(section(&text, "describe pod").join("\n").contains("SecretName:  worker-creds"), "{text}");
    // Redaction: no secret in the bundle, ordinary values kept, count in the header.
    for s in SECRETS {
        assert!(!text.contains(s), "secret {s} leaked:\n{text}");
    }
    assert!(text.contains("LOG_LEVEL:"), "{text}");
    assert!(text.contains("postgres://app:[REDACTED]@postgres.shop.svc:5432/shop"), "{text}");
    assert!(text.contains("Authorization: Bearer [REDACTED]"), "{text}");
    assert!(text.contains("processed batch 38 in 1.87s rss=301MiB"), "{text}");
    let redacted: usize =
        lines.iter().find_map(|l| l.strip_prefix("# redacted: ")).and_then(|n| n.parse().ok()).unwrap();
    assert!(redacted >= 10, "{redacted}");

    // `kubeleak analyze` reads it as a user would.
    let cli =
        Command::new(env!("CARGO_BIN_EXE_kubeleak")).args(["analyze", "--format", "json"]).arg(&path).output().unwrap();
    assert!(cli.status.success(), "{}", stderr(&cli));
    let report: serde_json::Value = serde_json::from_slice(&cli.stdout).unwrap();
    assert!(report["pods"].as_array().unwrap().iter().any(|p| p["name"] == OOM_POD), "{report}");
    // The bundle parses back to the model.
    let a = analyze(&path);
    let m = &a.model;
    assert_eq!(m.capture.format_version.as_deref(), Some("1"));
    assert_eq!(m.capture.namespace.as_deref(), Some("shop"));
    assert_eq!(m.capture.selector.as_deref(), Some("app=worker"));
    assert_eq!(m.capture.context.as_deref(), Some("test-ctx"));
    let pod = m.pod(Some("shop"), OOM_POD).unwrap_or_else(|| panic!("pod in model: {:#?}", m.pods));
    let worker = pod.container("worker").expect("worker container");
    let samples = &worker.memory_samples;
    assert_eq!(samples.len(), 2, "{samples:?}");
    assert!(samples.iter().all(|s| s.at.is_some()), "{samples:?}");
    assert!(samples[1].at > samples[0].at, "{samples:?}");
    assert!(samples[1].bytes > samples[0].bytes, "{samples:?}");
    assert!(m.pod(Some("shop"), OK_POD).is_some());
    assert_eq!(worker.memory_limit.as_ref().expect("limit from get pods -o json / describe").value, 536_870_912);
    let last = worker.last_termination.as_ref().expect("last termination");
    assert_eq!(last.reason.as_deref(), Some("OOMKilled"));
    assert_eq!(last.exit_code, Some(137));
    let mut streams: Vec<(bool, usize)> = worker.logs.iter().map(|l| (l.previous, l.lines.len())).collect();
    streams.sort();
    assert_eq!(streams, vec![(false, 4), (true, 4)]);
    let previous = worker.logs.iter().find(|l| l.previous).unwrap();
    assert!(previous.lines.iter().all(|l| l.at.is_some()), "timestamps read");
    assert!(m.warnings.is_empty(), "the bundle reads without warnings: {:#?}", m.warnings);
    // Findings come from the detectors, which land separately: checked when present
    // (verified on a local merge: `oom-killed` and `memory-growth` for worker).
    if !a.findings.is_empty() {
        assert!(
            a.findings.iter().any(|f| f.kind == "oom-killed"
                && f.pod.as_deref() == Some(OOM_POD)
                && f.container.as_deref() == Some("worker")),
            "{:#?}",
            a.findings
        );
    }
}

#[test]
fn collects_a_full_bundle_from_a_v1_33_server() {
    full_collect("v1.33.1");
}

#[test]
fn collects_a_full_bundle_from_a_v1_30_server() {
    full_collect("v1.30.4");
}

#[test]
fn collects_a_full_bundle_from_a_v1_27_server() {
    full_collect("v1.27.9");
}

fn bundle_of(env: &Env, name: &str) -> String {
    read_bundle(&env.path(name))
}

/// The `# kubeleak:` lines right after the section whose prompt contains `cmd`.
fn annotations<'a>(bundle: &'a str, cmd: &str) -> Vec<&'a str> {
    section(bundle, cmd).into_iter().filter(|l| l.starts_with("# kubeleak: ")).collect()
}

#[test]
fn legacy_discovery_works_too() {
    let server =
        ApiServer::start(Options { legacy_discovery: true, git_version: "v1.30.4".into(), ..Options::default() });
    let env = Env::new(Some(&server));
    // No -o: `kubeleak-NAMESPACE-TIME.txt.gz` in the current directory.
    let out = env.collect(BASE);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let requests = server.requests().join("\n");
    assert!(requests.contains("GET /api/v1?"), "kubectl walked the group versions: {requests}");
    let names: Vec<String> = std::fs::read_dir(env.home.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("kubeleak-"))
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    let name = &names[0];
    assert!(
        name.starts_with("kubeleak-shop-20")
            && name.ends_with("Z.txt.gz")
            && name.len() == "kubeleak-shop-20261124T100000Z.txt.gz".len(),
        "{name}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("Wrote {name}")));
    let text = bundle_of(&env, name);
    assert!(!text.contains("# kubeleak: exit-code"), "{text}");
    assert_eq!(text.matches("$ kubectl top pod").count(), 2);
    assert!(section(&text, "-o wide")[1].contains("NOMINATED NODE"), "{text}");
}

#[test]
fn forbidden_logs_are_recorded_and_the_rest_kept() {
    let server = ApiServer::start(Options { logs_forbidden: true, ..Options::default() });
    let env = Env::new(Some(&server));
    let out = env.collect(&[BASE, &["-o", "b.txt"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = bundle_of(&env, "b.txt");
    let log = annotations(&text, &format!("logs -n shop {OK_POD} -c worker"));
    assert_eq!(log[0], "# kubeleak: exit-code 1", "{text}");
    assert!(
        log[1].starts_with(
            "# kubeleak: stderr: Error from server (Forbidden): pods \"worker-7d9f8b6c5-q8r2m\" is forbidden"
        ),
        "{log:?}"
    );
    assert!(section(&text, "--previous")[0].contains("--previous"), "the previous run is still tried");
    // Everything else is there.
    assert!(section(&text, "describe pod").join("\n").contains("OOMKilled"));
    assert_eq!(text.matches("$ kubectl top pod").count(), 2);
    let a = analyze(&env.path("b.txt"));
    let pod = a.model.pod(Some("shop"), OOM_POD).unwrap();
    assert_eq!(pod.container("worker").unwrap().memory_samples.len(), 2);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("4 failed"), "{stdout}");
}

#[test]
fn absent_metrics_api_is_recorded_and_the_rest_kept() {
    let server = ApiServer::start(Options { metrics: false, git_version: "v1.30.4".into(), ..Options::default() });
    let env = Env::new(Some(&server));
    let out = env.collect(&[BASE, &["-o", "b.txt.gz"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = bundle_of(&env, "b.txt.gz");
    let top = annotations(&text, "top pod");
    assert!(top.contains(&"# kubeleak: exit-code 1"), "{text}");
    assert!(top.contains(&"# kubeleak: stderr: error: Metrics API not available"), "{text}");
    assert!(section(&text, "--previous").join("\n").contains("processed batch 4412"), "{text}");
    let a = analyze(&env.path("b.txt.gz"));
    use kubeleak_analysis::model::SectionKind;
    let kinds: Vec<SectionKind> = a.model.sections.iter().map(|s| s.kind).collect();
    for k in [
        SectionKind::GetPods,
        SectionKind::GetPodsJson,
        SectionKind::DescribePod,
        SectionKind::GetEvents,
        SectionKind::TopPod,
        SectionKind::Logs,
    ] {
        assert!(kinds.contains(&k), "{k:?} in {kinds:?}");
    }
    // Without samples the pod, its limit and its OOM kill are still known.
    let worker = a.model.pod(Some("shop"), OOM_POD).and_then(|p| p.container("worker")).expect("worker");
    assert!(worker.memory_samples.is_empty());
    assert_eq!(worker.memory_limit.as_ref().map(|l| l.value), Some(536_870_912));
    assert_eq!(worker.last_termination.as_ref().and_then(|t| t.reason.as_deref()), Some("OOMKilled"));
}

#[test]
fn a_hanging_command_is_killed_at_its_timeout_and_the_rest_kept() {
    let server =
        ApiServer::start(Options { hang_path: Some("/log?container=metrics-exporter".into()), ..Options::default() });
    let env = Env::new(Some(&server));
    let start = std::time::Instant::now();
    let args = ["-n", NAMESPACE, "-l", "app=worker", "--samples", "1", "--timeout", "5s", "-o", "b.txt"];
    let out = env.collect(&args);
    assert!(start.elapsed().as_secs() < 25, "took {:?}", start.elapsed());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = bundle_of(&env, "b.txt");
    let hung = annotations(&text, "-c metrics-exporter");
    assert_eq!(hung, vec!["# kubeleak: exit-code 124", "# kubeleak: timed-out after 5s (killed)"], "{text}");
    assert!(section(&text, &format!("logs -n shop {OK_POD}")).join("\n").contains("processed batch 38"), "{text}");
    assert!(annotations(&text, "-c worker --timestamps --tail=-1 --previous").is_empty(), "{text}");
}

#[test]
fn missing_kubectl_is_a_clear_error() {
    let env = Env::new(None);
    let out = env.collect(&["-n", "shop", "-l", "app=worker", "--kubectl", "/nonexistent/kubectl", "-o", "b.txt"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("kubectl not found (`/nonexistent/kubectl`)"), "{}", stderr(&out));
    assert!(!env.path("b.txt").exists());
    // Not on PATH either.
    let out = env.command(&["-n", "shop", "-l", "app=worker"]).env("PATH", "/nonexistent").output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("install kubectl or pass --kubectl PATH"), "{}", stderr(&out));
}

#[test]
fn unwritable_output_fails_before_any_kubectl_command() {
    let server = ApiServer::start(Options::default());
    let env = Env::new(Some(&server));
    let out = env.collect(&["-n", "shop", "-l", "app=worker", "-o", "/nonexistent/dir/b.txt"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("cannot write a bundle in /nonexistent/dir"), "{}", stderr(&out));
    assert!(server.requests().is_empty(), "{:?}", server.requests());
}

#[test]
fn unreachable_cluster_is_a_clear_error_with_a_bundle() {
    // A port that nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let env = Env::new(None);
    let cfg = env.path("cfg");
    std::fs::write(
        &cfg,
        format!("apiVersion: v1\nkind: Config\nclusters:\n- name: gone\n  cluster:\n    server: http://127.0.0.1:{port}\ncontexts:\n- name: gone-ctx\n  context:\n    cluster: gone\n    user: u\ncurrent-context: gone-ctx\nusers:\n- name: u\n  user: {{}}\n"),
    )
    .unwrap();
    let cfg_s = cfg.display().to_string();
    let out = env.collect(&[
        "-n",
        "shop",
        "-l",
        "app=worker",
        "--kubeconfig",
        &cfg_s,
        "--context",
        "gone-ctx",
        "-o",
        "b.txt",
        "--timeout",
        "20s",
    ]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("cannot reach the cluster (context gone-ctx)"), "{}", stderr(&out));
    let text = bundle_of(&env, "b.txt");
    assert!(text.contains("# context: gone-ctx\n"), "{text}");
    assert!(text.contains(&format!("$ kubectl version --context gone-ctx --kubeconfig {cfg_s}  # at ")), "{text}");
    assert!(
        text.contains(&format!("# kubeleak: stderr: The connection to the server 127.0.0.1:{port} was refused")),
        "{text}"
    );
    assert_eq!(text.matches("$ kubectl").count(), 1, "{text}");
}

#[test]
fn refused_credentials_are_a_clear_error_with_a_bundle() {
    let server = ApiServer::start(Options { unauthorized: true, ..Options::default() });
    let env = Env::new(Some(&server));
    let out = env.collect(&["-n", "shop", "-l", "app=worker", "-o", "b.txt"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("kubeleak: the cluster refused the credentials (context test-ctx): error: You must be logged in to the server"), "{}", stderr(&out));
    let text = bundle_of(&env, "b.txt");
    assert_eq!(text.matches("$ kubectl").count(), 1, "{text}");
}

#[test]
fn empty_selection_is_a_clear_error_with_a_bundle() {
    let server = ApiServer::start(Options { no_pods: true, ..Options::default() });
    let env = Env::new(Some(&server));
    let out = env.collect(&["-n", "shop", "-l", "app=nothing", "-o", "b.txt"]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(stderr(&out).contains("kubeleak: no pod matches -l app=nothing in namespace shop"), "{}", stderr(&out));
    let text = bundle_of(&env, "b.txt");
    assert!(!text.contains("$ kubectl top"), "{text}");
    assert!(!text.contains("$ kubectl logs"), "{text}");
    assert!(text.contains("$ kubectl get events -n shop"), "{text}");
    // A pod name that does not exist.
    let out = env.collect(&["-n", "shop", "--pod", "nope", "--samples", "1", "-o", "c.txt"]);
    assert_eq!(out.status.code(), Some(5), "{}\n{:#?}", stderr(&out), server.requests());
    assert!(stderr(&out).contains("kubeleak: pod nope not found in namespace shop"), "{}", stderr(&out));
    let text = bundle_of(&env, "c.txt");
    assert!(
        text.contains("# kubeleak: stderr: Error from server (NotFound): pods \"nope\" not found"),
        "{text}\n{:#?}",
        server.requests()
    );
}

#[test]
fn no_redact_keeps_values_and_one_pod_by_name() {
    let server = ApiServer::start(Options::default());
    let env = Env::new(Some(&server));
    let out = env.collect(&[
        "-n",
        "shop",
        "--pod",
        OOM_POD,
        "--samples",
        "1",
        "--tail",
        "2",
        "--no-redact",
        "--no-gzip",
        "-o",
        "b.txt",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = bundle_of(&env, "b.txt");
    assert!(text.contains("# redacted: off\n"), "{text}");
    assert!(text.contains("# pod: worker-7d9f8b6c5-x2x9k\n"), "{text}");
    assert!(text.contains("hunter2-db-pass"), "{text}");
    assert!(text.contains(&format!("$ kubectl get pods -n shop {OOM_POD} -o json  # at ")), "{text}");
    assert!(
        text.contains(&format!("$ kubectl get events -n shop --field-selector involvedObject.name={OOM_POD}  # at ")),
        "{text}"
    );
    assert!(
        text.contains(&format!("$ kubectl logs -n shop {OOM_POD} -c worker --timestamps --tail=2 --previous  # at ")),
        "{text}"
    );
    assert!(!text.contains(OK_POD), "{text}");
    let prev = section(&text, "--previous");
    assert_eq!(prev.len(), 3, "two lines: {prev:?}");
}

#[test]
fn interrupt_during_sampling_writes_what_was_gathered() {
    let server = ApiServer::start(Options::default());
    let env = Env::new(Some(&server));
    let child = env
        .command(&["-n", "shop", "-l", "app=worker", "--samples", "50", "--interval", "300ms", "-o", "b.txt"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while server.requests().iter().filter(|r| r.contains("/apis/metrics.k8s.io/v1beta1/namespaces")).count() < 2 {
        assert!(start.elapsed().as_secs() < 30, "no samples taken: {:?}", server.requests());
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let st = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(st.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    let text = bundle_of(&env, "b.txt");
    assert!(text.contains("\n# interrupted: true\n"), "{text}");
    let tops = text.matches("$ kubectl top pod").count();
    assert!((2..50).contains(&tops), "{tops} samples");
    assert!(text.contains("$ kubectl logs"), "logs are still taken: {text}");
    assert!(String::from_utf8_lossy(&out.stdout).contains(", interrupted"));
}

#[test]
fn progress_is_shown_on_a_terminal() {
    // util-linux `script` gives the collector a pseudo-terminal.
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: no `script` on this machine");
        return;
    }
    let server = ApiServer::start(Options::default());
    let env = Env::new(Some(&server));
    let cmd = format!("{} collect -n shop -l app=worker --samples 1 -o b.txt", env!("CARGO_BIN_EXE_kubeleak"));
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env("HOME", env.home.path())
        .env_remove("KUBECONFIG")
        .current_dir(env.home.path())
        .output()
        .unwrap();
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{screen}");
    assert!(screen.contains("kubeleak: kubectl version  ok ("), "{screen}");
    assert!(screen.contains("kubeleak: taking 4 log(s)"), "{screen}");
    assert!(screen.contains("Wrote b.txt"), "{screen}");
    if std::env::var_os("KUBELEAK_SHOW").is_some() {
        eprintln!("{screen}");
    }
}

#[test]
fn a_second_interrupt_stops_running_commands_and_writes_at_once() {
    // Logs hang, so only the second Ctrl-C can end the collection early.
    let server = ApiServer::start(Options { hang_path: Some("/log?".into()), ..Options::default() });
    let env = Env::new(Some(&server));
    let child = env
        .command(&[
            "-n",
            "shop",
            "-l",
            "app=worker",
            "--samples",
            "50",
            "--interval",
            "300ms",
            "--timeout",
            "25s",
            "-o",
            "b.txt",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    let count = |what: &str| server.requests().iter().filter(|r| r.contains(what)).count();
    while count("/apis/metrics.k8s.io/v1beta1/namespaces") < 1 {
        assert!(start.elapsed().as_secs() < 30, "no samples taken");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let int = || assert!(Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success());
    int();
    while count("/log?") < 1 {
        assert!(start.elapsed().as_secs() < 30, "no logs asked");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // The hanging kubectl logs would end at its 25 s timeout: the second interrupt ends
    // it at once (timed from that interrupt, so a slow start under load does not count).
    let second = std::time::Instant::now();
    int();
    let out = child.wait_with_output().unwrap();
    assert!(second.elapsed().as_secs() < 15, "took {:?} after the second interrupt", second.elapsed());
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    let text = bundle_of(&env, "b.txt");
    assert!(text.contains("\n# interrupted: true\n"), "{text}");
    assert!(text.contains("# kubeleak: exit-code 130\n# kubeleak: stopped by Ctrl-C\n"), "{text}");
    assert!(text.contains("$ kubectl describe pod"), "{text}");
}

#[test]
fn help_documents_the_exit_codes() {
    let out = Command::new(env!("CARGO_BIN_EXE_kubeleak")).args(["collect", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    for code in
        ["  3    kubectl not found", "  4    cluster unreachable", "  5    no pod matches", "  130  interrupted"]
    {
        assert!(help.contains(code), "{code}: {help}");
    }
}

/// `--profile`: the real kubectl (1.33, websockets) runs `kubectl exec` against the test
/// server, whose "containers" run the command here. The OOM pod's image has `py-spy` (a
/// stand-in printing a real-format dump); the other pod's has none; neither app installed
/// the SIGUSR2 hook. Each run is an annotated section; the analysis reads the dump as the
/// container's stacks and the failures as warnings.
fn profile_collect(version: &str) {
    let image = tempfile::tempdir().unwrap();
    let py_spy = image.path().join("py-spy");
    std::fs::write(
        &py_spy,
        "#!/bin/sh\ncat <<'DUMP'\nProcess 1: python -m worker\nPython v3.12.7 (/usr/local/bin/python3.12)\n\n\
Thread 0x7F3A2C1D0740 (active): \"MainThread\"\n    resize (PIL/Image.py:2192)\n    make_thumbnail (worker/thumbs.py:41)\n\
    handle_batch (worker/jobs.py:88)\n    <module> (worker/__main__.py:12)\nDUMP\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&py_spy, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let server = ApiServer::start(Options {
        git_version: version.into(),
        exec_path: Some(format!("{}:/usr/bin:/bin", image.path().display())),
        ..Options::default()
    });
    let env = Env::new(Some(&server));
    let out = env.collect(
        &[
            BASE,
            &["--profile", "py-spy,tracemalloc", "--profile-container", "worker", "--profile-wait", "1s"],
            &["-o", "b.txt", "--no-gzip"],
        ]
        .concat(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let bundle = read_bundle(&env.path("b.txt"));
    let requests = server.requests().join("\n");
    assert!(requests.contains(&format!("/pods/{OOM_POD}/exec?")), "{requests}");

    let dump = section(&bundle, &format!("exec -n shop {OOM_POD} -c worker -- sh -c 'command -v py-spy"));
    assert!(dump.iter().any(|l| l.contains("make_thumbnail (worker/thumbs.py:41)")), "{bundle}");
    let missing = section(&bundle, &format!("exec -n shop {OK_POD} -c worker -- sh -c 'command -v py-spy"));
    assert!(missing.contains(&"# kubeleak: exit-code 127"), "{missing:?}");
    assert!(
        missing.iter().any(|l| l.starts_with("# kubeleak: stderr: kubeleak: py-spy is not installed")),
        "{missing:?}"
    );
    let hook =
        section(&bundle, &format!("exec -n shop {OOM_POD} -c worker -- sh -c 'p=$(cat /tmp/kubeleak-profile.pid"));
    assert!(hook.contains(&"# kubeleak: exit-code 3"), "{hook:?}");
    assert!(hook.iter().any(|l| l.contains("no profile hook in this container")), "{hook:?}");
    assert!(!bundle.contains("metrics-exporter -- sh"), "--profile-container keeps to worker");

    let a = analyze(&env.path("b.txt"));
    let c = a.model.pod(Some(NAMESPACE), OOM_POD).and_then(|p| p.container("worker")).unwrap();
    assert_eq!(c.profiles.stacks[0].frames[1].function, "make_thumbnail");
    let warnings: Vec<&str> = a.model.warnings.iter().map(|w| w.message.as_str()).collect();
    assert!(
        warnings.iter().any(|w| w.contains("failed (exit code 127): kubeleak: py-spy is not installed")),
        "{warnings:?}"
    );
    assert!(warnings.iter().any(|w| w.contains("failed (exit code 3): kubeleak: no profile hook")), "{warnings:?}");
}

#[test]
fn profile_runs_python_tools_with_kubectl_exec_1_33() {
    profile_collect("v1.33.1");
}

#[test]
fn profile_runs_python_tools_with_kubectl_exec_1_30() {
    profile_collect("v1.30.13");
}

/// kubectl 1.27 speaks SPDY for exec, which the test server refuses: the failure is
/// recorded in the bundle and the collection still ends well (SPDY itself is untested).
#[test]
fn profile_exec_refused_by_the_server_is_recorded_1_27() {
    let server = ApiServer::start(Options { git_version: "v1.27.16".into(), ..Options::default() });
    let env = Env::new(Some(&server));
    let out = env.collect(
        &[BASE, &["--profile", "py-spy", "--profile-container", "worker", "-o", "b.txt", "--no-gzip"]].concat(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let bundle = read_bundle(&env.path("b.txt"));
    let s = section(&bundle, &format!("exec -n shop {OOM_POD} -c worker -- sh -c"));
    assert!(s.iter().any(|l| l.starts_with("# kubeleak: exit-code ")), "{s:?}");
    assert!(s.iter().any(|l| l.contains("websockets only") || l.contains("upgrade")), "{s:?}");
    let a = analyze(&env.path("b.txt"));
    assert!(a.model.warnings.iter().any(|w| w.message.contains("`kubectl exec") && w.message.contains("failed")));
}

/// A `py-spy` stand-in that prints a real-format dump, in its own directory (an "image").
fn py_spy_image() -> tempfile::TempDir {
    let image = tempfile::tempdir().unwrap();
    let py_spy = image.path().join("py-spy");
    std::fs::write(
        &py_spy,
        "#!/bin/sh\ncat <<'DUMP'\nProcess 1: python -m worker\nPython v3.12.7 (/usr/local/bin/python3.12)\n\n\
Thread 0x7F3A2C1D0740 (active): \"MainThread\"\n    resize (PIL/Image.py:2192)\n    make_thumbnail (worker/thumbs.py:41)\n\
    handle_batch (worker/jobs.py:88)\n    <module> (worker/__main__.py:12)\nDUMP\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&py_spy, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    image
}

/// The prompts of a bundle.
fn prompts(text: &str) -> Vec<&str> {
    text.lines().filter(|l| l.starts_with("$ ")).collect()
}

/// `kubectl kubeleak collect -l app=worker`, no -n: the plugin, found by the real kubectl
/// on PATH, collects the namespace of the kubeconfig's current context (`shop`).
#[test]
fn the_plugin_collects_the_current_contexts_namespace() {
    let server = ApiServer::start(Options::default());
    let env = Env::new(Some(&server));
    let plugin_dir = Path::new(env!("CARGO_BIN_EXE_kubectl-kubeleak")).parent().unwrap().to_path_buf();
    let path = std::env::join_paths(
        std::iter::once(plugin_dir).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap();
    let out = Command::new("kubectl")
        .args(["kubeleak", "collect", "-l", "app=worker", "--samples", "1", "--interval", "1m30s", "-o", "b.txt"])
        .env("PATH", &path)
        .env("HOME", env.home.path())
        .env_remove("KUBECONFIG")
        .current_dir(env.home.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = bundle_of(&env, "b.txt");
    assert!(text.contains("\n# namespace: shop\n"), "{text}");
    assert!(text.contains("$ kubectl get pods -n shop -l app=worker -o wide  # at "), "{text}");
    assert!(text.contains(&format!("$ kubectl logs -n shop {OOM_POD} -c worker")), "{text}");
    let a = analyze(&env.path("b.txt"));
    assert!(a.model.pod(Some("shop"), OOM_POD).is_some());
    // The context's namespace was read locally, not asked of the server.
    assert!(!server.requests().iter().any(|r| r.contains("/namespaces/default/")), "{:?}", server.requests());

    // `kubectl kubeleak --help` names itself so.
    let help = Command::new("kubectl").args(["kubeleak", "--help"]).env("PATH", &path).output().unwrap();
    let help_text = String::from_utf8_lossy(&help.stdout);
    assert!(help.status.success() && help_text.contains("Usage: kubectl kubeleak <COMMAND>"), "{help_text}");
}

/// Negative control: a context without a namespace means `default` (as kubectl resolves
/// it), where nothing matches; `--context` picks another context's namespace.
#[test]
fn a_context_without_namespace_means_default_and_context_picks_its_own() {
    let server = ApiServer::start(Options { second_namespace: true, ..Options::default() });
    let env = Env::new(Some(&server));
    std::fs::write(env.path(".kube/config"), server.kubeconfig_with_namespace(None)).unwrap();
    let out = env.collect(&["-l", "app=worker", "--samples", "1", "-o", "b.txt"]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "no pod matches -l app=worker in namespace default (the context's namespace; give -n NAMESPACE or -A)"
        ),
        "{}",
        stderr(&out)
    );
    assert!(bundle_of(&env, "b.txt").contains("\n# namespace: default\n"));

    let out = env.collect(&["--context", "other-ctx", "-l", "app=worker", "--samples", "1", "-o", "c.txt"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = bundle_of(&env, "c.txt");
    assert!(text.contains("\n# context: other-ctx\n# namespace: batch\n"), "{text}");
    assert!(text.contains("$ kubectl get pods -n batch -l app=worker -o wide --context other-ctx  # at "), "{text}");
    assert!(text.contains(&format!("$ kubectl logs -n batch {OTHER_POD} -c worker")), "{text}");
    assert!(!text.contains(OOM_POD), "{text}");
    // An explicit -n wins over the context.
    let out = env.collect(&["-n", "shop", "-l", "app=worker", "--samples", "0", "-o", "d.txt"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(bundle_of(&env, "d.txt").contains("\n# namespace: shop\n"));
}

/// `-A`: the pods of every namespace; each pod's logs asked in its own namespace.
#[test]
fn all_namespaces() {
    let server = ApiServer::start(Options { second_namespace: true, ..Options::default() });
    let env = Env::new(Some(&server));
    let out = env.collect(&["-A", "-l", "app=worker", "--samples", "1", "-o", "b.txt"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("3 pod(s), 4 container(s), 1/1 memory sample(s), 5 log(s)"));
    let text = bundle_of(&env, "b.txt");
    assert!(text.contains("\n# all-namespaces: true\n") && !text.contains("# namespace:"), "{text}");
    for p in [
        "$ kubectl get pods -A -l app=worker -o wide  # at ",
        "$ kubectl describe pod -A -l app=worker  # at ",
        "$ kubectl get events -A  # at ",
        "$ kubectl top pod -A -l app=worker --containers  # at ",
    ] {
        assert!(text.contains(p), "{p}\n{text}");
    }
    assert!(text.contains(&format!("$ kubectl logs -n batch {OTHER_POD} -c worker --timestamps --tail=-1  # at ")));
    assert!(text.contains(&format!("$ kubectl logs -n shop {OOM_POD} -c worker --timestamps --tail=-1 --previous")));
    assert!(!text.contains("# kubeleak: exit-code"), "{text}");
    // kubectl printed the NAMESPACE column; the analysis puts each pod in its namespace.
    assert!(section(&text, "-o wide")[1].starts_with("NAMESPACE "), "{text}");
    let a = analyze(&env.path("b.txt"));
    assert!(a.model.pod(Some("batch"), OTHER_POD).is_some(), "{:#?}", a.model.pods);
    let w = a.model.pod(Some("shop"), OOM_POD).and_then(|p| p.container("worker")).expect("worker");
    assert_eq!(w.memory_samples.len(), 1);
    assert!(server.requests().iter().any(|r| r.starts_with("GET /api/v1/pods?")), "{:?}", server.requests());
    // -A cannot name one pod.
    let out = env.collect(&["-A", "--pod", OOM_POD, "-o", "c.txt"]);
    assert_eq!(out.status.code(), Some(2));
}

/// `--as`, `--as-group`, `--cluster`, `--user`, `--request-timeout` reach every kubectl
/// command (and the server sees the impersonation).
#[test]
fn global_kubectl_flags_pass_through() {
    let server = ApiServer::start(Options::default());
    let env = Env::new(Some(&server));
    let out = env.collect(
        &[
            BASE,
            &["--as", "oncall@example.com", "--as-group", "sre", "--cluster", "test", "--user", "tester"],
            &["--request-timeout", "10s", "-o", "b.txt"],
        ]
        .concat(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = bundle_of(&env, "b.txt");
    let flags = "--cluster test --user tester --as oncall@example.com --as-group sre --request-timeout 10s  # at ";
    for p in prompts(&text) {
        assert!(p.contains(flags), "{p}");
    }
    let requests = server.requests();
    let pods = requests.iter().find(|r| r.contains("/pods?")).expect("a pods request");
    assert!(pods.contains("impersonate-user=oncall@example.com") && pods.contains("impersonate-group=sre"), "{pods}");
    // Negative control: without --as no impersonation.
    let out = env.collect(&[BASE, &["-o", "c.txt"]].concat());
    assert!(out.status.success());
    assert!(!server.requests()[requests.len()..].iter().any(|r| r.contains("impersonate-")));
}

#[test]
fn durations_like_1m30s_are_accepted_and_bad_ones_refused() {
    let server = ApiServer::start(Options::default());
    let env = Env::new(Some(&server));
    let out = env.collect(&[
        "-l",
        "app=worker",
        "--samples",
        "1",
        "--interval",
        "1m30s",
        "--timeout",
        "1m",
        "--since",
        "2h",
        "-o",
        "b.txt",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = bundle_of(&env, "b.txt");
    assert!(text.contains(&format!("$ kubectl logs -n shop {OOM_POD} -c worker --timestamps --since=2h  # at ")));
    let out = env.collect(&["-l", "app=worker", "--interval", "1m30", "-o", "c.txt"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`1m30` is not a duration"), "{}", stderr(&out));
    assert!(server.requests().len() > 3);
}

/// Sends `sig` to a collection whose logs hang, `times` times (the next one once the
/// previous was taken), and returns its output.
fn signalled(env: &Env, server: &ApiServer, sig: &str, times: usize, extra: &[&str]) -> Output {
    let child = env
        .command(
            &[&["-n", "shop", "-l", "app=worker", "--samples", "50", "--interval", "300ms", "--timeout", "25s"], extra]
                .concat(),
        )
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    // Only this run's requests count (the server may have served an earlier one).
    let before = server.requests().len();
    let count = |what: &str| server.requests()[before..].iter().filter(|r| r.contains(what)).count();
    while count("/apis/metrics.k8s.io/v1beta1/namespaces") < 1 {
        assert!(start.elapsed().as_secs() < 30, "no samples taken");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let send = || assert!(Command::new("kill").args([sig, &child.id().to_string()]).status().unwrap().success());
    let mut last = std::time::Instant::now();
    for i in 0..times {
        last = std::time::Instant::now();
        send();
        if i == 0 && times > 1 {
            while count("/log?") < 1 {
                assert!(start.elapsed().as_secs() < 30, "no logs asked");
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        } else {
            std::thread::sleep(std::time::Duration::from_millis(300));
        }
    }
    let out = child.wait_with_output().unwrap();
    // Well before the 25 s a hanging command would take (timed from the last signal).
    assert!(last.elapsed().as_secs() < 15, "took {:?} after the last signal", last.elapsed());
    out
}

#[test]
fn sigterm_and_sighup_are_handled_like_ctrl_c() {
    let server = ApiServer::start(Options { hang_path: Some("/log?".into()), ..Options::default() });
    let env = Env::new(Some(&server));
    // Two SIGTERMs: sampling ends, then the hanging logs are stopped and the bundle written.
    let out = signalled(&env, &server, "-TERM", 2, &["-o", "t.txt"]);
    assert_eq!(out.status.code(), Some(143), "{}", stderr(&out));
    assert!(stderr(&out).contains("kubeleak: SIGTERM: sampling stops"), "{}", stderr(&out));
    let text = bundle_of(&env, "t.txt");
    assert!(text.contains("\n# interrupted: true\n"), "{text}");
    assert!(text.contains("# kubeleak: exit-code 130\n# kubeleak: stopped by SIGTERM\n"), "{text}");
    assert!(String::from_utf8_lossy(&out.stdout).contains(", interrupted (SIGTERM)"));
    // SIGHUP, the same way.
    let out = signalled(&env, &server, "-HUP", 2, &["-o", "h.txt"]);
    assert_eq!(out.status.code(), Some(129), "{}", stderr(&out));
    assert!(bundle_of(&env, "h.txt").contains("\n# interrupted: true\n"));
}

/// A third signal quits at once: no bundle, no partial file, no kubectl left running.
#[test]
fn a_third_signal_quits_leaving_nothing_behind() {
    let server = ApiServer::start(Options { hang_path: Some("/log?".into()), ..Options::default() });
    let env = Env::new(Some(&server));
    let cfg = env.path("kubeconfig-third-signal");
    std::fs::write(&cfg, server.kubeconfig()).unwrap();
    let cfg_s = cfg.display().to_string();
    // The first signal while sampling; the next two while the logs hang.
    let mut child = env
        .command(&[
            "-n",
            "shop",
            "-l",
            "app=worker",
            "--samples",
            "50",
            "--interval",
            "300ms",
            "--timeout",
            "25s",
            "--kubeconfig",
            &cfg_s,
            "-o",
            "b.txt",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Its stderr, read as it comes.
    let said = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let reader = {
        let (said, mut err) = (said.clone(), child.stderr.take().unwrap());
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = std::io::Read::read(&mut err, &mut buf) {
                said.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        })
    };
    let start = std::time::Instant::now();
    let count = |what: &str| server.requests().iter().filter(|r| r.contains(what)).count();
    let kill =
        |sig: &str| assert!(Command::new("kill").args([sig, &child.id().to_string()]).status().unwrap().success());
    while count("/apis/metrics.k8s.io/v1beta1/namespaces") < 1 {
        assert!(start.elapsed().as_secs() < 30, "no samples taken");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    kill("-TERM");
    while count("/log?") < 2 {
        assert!(start.elapsed().as_secs() < 30, "no logs asked");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // The logs hang now; a running kubectl holds our kubeconfig's path in its arguments.
    let kubectls = || -> Vec<String> {
        std::fs::read_dir("/proc")
            .unwrap()
            .flatten()
            .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
            .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
            .filter(|c| c.contains(&cfg_s) && c.contains(" logs "))
            .collect()
    };
    assert!(!kubectls().is_empty(), "kubectl logs should be running");
    // The second and third signals must both arrive while kubeleak is still running: once
    // the second is handled the bundle may be written within milliseconds. So kubeleak is
    // stopped, given two different signals (two pending SIGTERMs would be delivered as one)
    // and continued: it handles both in one wake-up.
    kill("-STOP");
    kill("-INT");
    kill("-HUP");
    kill("-CONT");
    let out = child.wait_with_output().unwrap();
    reader.join().unwrap();
    let said = said.lock().unwrap().clone();
    assert_eq!(out.status.code(), Some(143), "{said}");
    assert!(said.contains("quitting without writing"), "{said}");
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert_eq!(kubectls(), Vec::<String>::new(), "no kubectl left behind");
    let left: Vec<String> = std::fs::read_dir(env.home.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("kubeleak") || n.starts_with("b.txt"))
        .collect();
    assert_eq!(left, Vec::<String>::new(), "no bundle and no partial file");
}

/// Negative control: under `nohup` (SIGHUP ignored from the start), SIGHUP stays ignored.
#[test]
fn sighup_stays_ignored_under_nohup() {
    let server = ApiServer::start(Options::default());
    let env = Env::new(Some(&server));
    let cmd = format!(
        "trap '' HUP; exec {} collect -n shop -l app=worker --samples 4 --interval 500ms -o b.txt",
        env!("CARGO_BIN_EXE_kubeleak")
    );
    let mut sh = Command::new("sh");
    default_signals(&mut sh);
    let child = sh
        .args(["-c", &cmd])
        .env("HOME", env.home.path())
        .env_remove("KUBECONFIG")
        .current_dir(env.home.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while !server.requests().iter().any(|r| r.contains("/apis/metrics.k8s.io/v1beta1/namespaces")) {
        assert!(start.elapsed().as_secs() < 30, "no samples taken");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(Command::new("kill").args(["-HUP", &child.id().to_string()]).status().unwrap().success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = bundle_of(&env, "b.txt");
    assert!(text.contains("\n# interrupted: false\n"), "{text}");
    assert_eq!(text.matches("$ kubectl top pod").count(), 4);
}

/// `--profile py-spy --debug-image IMAGE`: the real kubectl runs `kubectl debug` with
/// `--target`, the test server adds the ephemeral container (strategic merge patch of
/// `pods/NAME/ephemeralcontainers`), runs py-spy from the "image", and kubectl prints the
/// container's output. The app's image has no py-spy and is not exec'd into.
fn debug_profile_collect(version: &str) {
    let image = py_spy_image();
    let server = ApiServer::start(Options {
        git_version: version.into(),
        debug_images: vec![
            ("py-spy:0.4.0".into(), format!("{}:/usr/bin:/bin", image.path().display())),
            ("busybox:1.36".into(), "/usr/bin:/bin".into()),
        ],
        ..Options::default()
    });
    let env = Env::new(Some(&server));
    let out = env.collect(
        &[
            BASE,
            &["--profile", "py-spy", "--debug-image", "py-spy:0.4.0", "--profile-container", "worker"],
            &["-o", "b.txt", "--no-gzip"],
        ]
        .concat(),
    );
    let requests = server.requests().join("\n");
    assert!(
        out.status.success(),
        "{:?} {}\n{}\n{requests}",
        out.status,
        stderr(&out),
        std::fs::read_to_string(env.path("b.txt")).unwrap_or_default()
    );
    let bundle = read_bundle(&env.path("b.txt"));
    assert!(!requests.contains("/exec?"), "no kubectl exec: {requests}");
    assert!(
        requests.contains(&format!("PATCH /api/v1/namespaces/shop/pods/{OOM_POD}/ephemeralcontainers")),
        "{requests}\n{:?}",
        section(&bundle, "kubectl debug")
    );
    let added = server.ephemeral_containers();
    assert_eq!(added.len(), 2, "one per pod's worker: {added:?}");
    for (_, c) in &added {
        assert_eq!(c["targetContainerName"], "worker", "{c}");
        assert_eq!(c["image"], "py-spy:0.4.0", "{c}");
        assert!(c["name"].as_str().unwrap().starts_with("kubeleak-py-spy-"), "{c}");
        assert_eq!(c["securityContext"]["capabilities"]["add"][0], "SYS_PTRACE", "--profile=general: {c}");
        let cmd: Vec<&str> = c["command"].as_array().unwrap().iter().map(|w| w.as_str().unwrap()).collect();
        assert_eq!(cmd, ["py-spy", "dump", "--pid", "1"], "{c}");
    }
    let s = section(
        &bundle,
        &format!("debug -n shop {OOM_POD} --target=worker --image=py-spy:0.4.0 --profile=general --container=kubeleak-py-spy-"),
    );
    assert!(s[0].contains("--attach=true -- py-spy dump --pid 1  # at "), "{s:?}");
    assert!(s.iter().any(|l| l.contains("make_thumbnail (worker/thumbs.py:41)")), "{bundle}");
    assert!(!s.iter().any(|l| l.starts_with("# kubeleak: exit-code")), "{s:?}");
    // The analysis reads the dump (a `kubectl debug` section is not tied to a container
    // by the analysis yet: with two pods it is the bundle's).
    let a = analyze(&env.path("b.txt"));
    let stacks = a.model.profiles.stacks.len()
        + a.model.pods.iter().flat_map(|p| &p.containers).map(|c| c.profiles.stacks.len()).sum::<usize>();
    assert!(stacks >= 2, "{:#?}", a.model.profiles);

    // Negative control: an image without py-spy gives no dump (and the app image still
    // was not touched).
    let out = env.collect(
        &[
            BASE,
            &["--profile", "py-spy", "--debug-image", "busybox:1.36", "--profile-container", "worker"],
            &["-o", "c.txt"],
        ]
        .concat(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let bundle = read_bundle(&env.path("c.txt"));
    assert!(bundle.contains("--image=busybox:1.36"), "{bundle}");
    assert!(!bundle.contains("make_thumbnail"), "{bundle}");
}

#[test]
fn profile_by_ephemeral_debug_container_1_33() {
    debug_profile_collect("v1.33.1");
}

#[test]
fn profile_by_ephemeral_debug_container_1_30() {
    debug_profile_collect("v1.30.13");
}

#[test]
fn profile_by_ephemeral_debug_container_1_27() {
    debug_profile_collect("v1.27.16");
}
