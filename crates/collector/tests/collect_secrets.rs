//! Issue 22: the fake secrets of `tests/fixtures/secrets/fake-secrets.txt`, served by the
//! test API server in env values and args (`describe`, `-o json`), a log and events,
//! pass through `kubeleak collect` (the real kubectl) with none left in the bundle, and
//! the look-alikes kept; `kubeleak analyze` of that bundle finds what it found before.

mod support;

use std::io::Read;
use std::process::Command;

use support::apiserver::{fake_secrets, ApiServer, Options, NAMESPACE, OK_POD};

fn collect(server: &ApiServer, extra: &[&str]) -> String {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".kube")).unwrap();
    std::fs::write(home.path().join(".kube/config"), server.kubeconfig()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kubeleak"))
        .arg("collect")
        .args(["-n", NAMESPACE, "-l", "app=worker", "--samples", "1", "--timeout", "20s", "-o", "b.txt.gz"])
        .args(extra)
        .env("HOME", home.path())
        .env_remove("KUBECONFIG")
        .current_dir(home.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let bytes = std::fs::read(home.path().join("b.txt.gz")).unwrap();
    let mut s = String::new();
    flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut s).unwrap();
    s
}

#[test]
fn collect_leaves_no_fake_secret_in_the_bundle_and_keeps_look_alikes() {
    let server = ApiServer::start(Options { fake_secrets: true, ..Options::default() });
    let text = collect(&server, &[]);
    let corpus = fake_secrets();
    assert!(corpus.len() >= 40);
    for (kind, _, secret) in &corpus {
        let json_form = serde_json::to_string(secret).unwrap();
        if let Some(i) = text.find(secret.as_str()) {
            panic!(
                "{kind} leaked: {secret} in …{}…",
                &text[i.saturating_sub(200)..(i + secret.len() + 50).min(text.len())]
            );
        }
        assert!(!text.contains(&json_form[1..json_form.len() - 1]), "{kind} leaked (JSON-escaped): {secret}");
    }
    // Look-alikes: uids, pod-template hashes, resourceVersions, image digests, memory, times.
    for kept in [
        "6f1c1a52-3c1e-4b7e-9a55-0b8f3f1d2c11",
        "pod-template-hash",
        "7d9f8b6c5",
        "\"resourceVersion\": \"48190\"",
        "sha256:4f5e",
        "512Mi",
        "2026-11-24T09:59:40.118273645Z",
        "rss=301MiB",
        "SETTING_0",
    ] {
        assert!(text.contains(kept), "{kept} kept");
    }
    assert!(text.contains(OK_POD));
    // Without redaction they are all there (the server does serve them).
    let raw = collect(&server, &["--no-redact"]);
    for (kind, _, secret) in &corpus {
        let json_form = serde_json::to_string(secret).unwrap();
        assert!(raw.contains(secret.as_str()) || raw.contains(&json_form[1..json_form.len() - 1]), "{kind} served");
    }
    // The same findings from the redacted and the raw bundle.
    let a = |t: &str| {
        let a = kubeleak_analysis::analyze_text("b", t);
        a.findings
            .iter()
            .map(|f| format!("{:?} {:?} {:?} {:?}", f.kind, f.pod, f.container, f.severity))
            .collect::<Vec<_>>()
    };
    assert_eq!(a(&text), a(&raw));
}
