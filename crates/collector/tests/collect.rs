//! `kubeleak collect` against the real kubectl (the version dispatcher on PATH), pointed by
//! a generated kubeconfig at the test API server in `support/apiserver.rs`.

mod support;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::apiserver::{ApiServer, Options, NAMESPACE, OK_POD, OOM_POD, SECRETS};

/// A per-test HOME with `.kube/config` pointing at the server (kubectl's discovery cache
/// lives under HOME, so tests never share it).
struct Env {
    home: tempfile::TempDir,
}

impl Env {
    fn new(server: Option<&ApiServer>) -> Env {
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
        c
    }

    fn collect(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }
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
    let server = ApiServer::start(Options {
        git_version: version.into(),
        ..Options::default()
    });
    let env = Env::new(Some(&server));
    let out = env.collect(&[BASE, &["-o", "b.txt.gz"]].concat());
    let requests = server.requests().join("\n");
    assert_eq!(out.status.code(), Some(0), "stderr: {}\nrequests:\n{requests}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Wrote b.txt.gz"), "{stdout}");
    assert!(stdout.contains("2 pod(s), 3 container(s), 2/2 memory sample(s), 4 log(s)"), "{stdout}");
    // The dispatcher picked the kubectl of the server's version.
    let minor = version.split('.').nth(1).unwrap();
    assert!(requests.contains(&format!("kubectl/v1.{minor}.")), "{requests}");

    let path = env.path("b.txt.gz");
    assert_eq!(&std::fs::read(&path).unwrap()[..2], &[0x1f, 0x8b], "gzip by default");
    let text = read_bundle(&path);
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
    assert!(wide[1].starts_with("NAME ") && wide[1].contains("READY") && wide[1].contains("RESTARTS") && wide[1].contains("NOMINATED NODE"), "{wide:?}");
    assert!(wide.iter().any(|l| l.starts_with(OOM_POD) && l.contains("1 (29m ago)") && l.contains("node-a-1")), "{wide:?}");
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

    // Redaction: no secret in the bundle, ordinary values kept, count in the header.
    for s in SECRETS {
        assert!(!text.contains(s), "secret {s} leaked:\n{text}");
    }
    assert!(text.contains("LOG_LEVEL:"), "{text}");
    assert!(text.contains("postgres://app:[REDACTED]@postgres.shop.svc:5432/shop"), "{text}");
    assert!(text.contains("Authorization: Bearer [REDACTED]"), "{text}");
    assert!(text.contains("processed batch 38 in 1.87s rss=301MiB"), "{text}");
    let redacted: usize = lines
        .iter()
        .find_map(|l| l.strip_prefix("# redacted: "))
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(redacted >= 10, "{redacted}");

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
    // Facts from parsers that may not be merged yet: asserted when present.
    if let Some(limit) = &worker.memory_limit {
        assert_eq!(limit.value, 536_870_912);
    }
    if let Some(last) = &worker.last_termination {
        assert_eq!(last.reason.as_deref(), Some("OOMKilled"));
        assert_eq!(last.exit_code, Some(137));
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
