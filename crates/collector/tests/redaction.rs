//! `kubeleak analyze` redacts secrets in every format (issue 22): the fake secrets of
//! `tests/fixtures/secrets/fake-secrets.txt`, in describe env, `-o json` and `-o yaml`
//! env and args, log lines and events, never reach the text, JSON or HTML output;
//! `--no-redact` quotes them as they are.

mod support;

use std::process::Command;
use support::apiserver::fake_secrets as corpus;

/// One pod per secret: the secret in its describe env, its `-o json` and `-o yaml` env
/// and args, a `MemoryError` log line and an OOM event (both quoted as evidence).
fn bundle() -> String {
    let mut b = String::from("# kubeleak-bundle: 1\n# captured-at: 2026-11-24T10:30:00Z\n");
    for (i, (_, text, _)) in corpus().iter().enumerate() {
        let pod = format!("worker-7d9f8b6c5-s{i:03}");
        let json = serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": pod, "namespace": "shop",
            "resourceVersion": "123456789", "labels": {"pod-template-hash": "7d9f8b6c5"}},
            "spec": {"containers": [{"name": "worker", "args": [format!("--setting={text}")],
                "env": [{"name": "SETTING", "value": text}],
                "resources": {"limits": {"memory": "512Mi"}}}]}});
        let json = serde_json::to_string_pretty(&json).unwrap();
        let yaml_text = text.replace('\'', "''");
        b.push_str(&format!(
            "$ kubectl describe pod -n shop {pod}\nName:         {pod}\nNamespace:    shop\nContainers:\n  worker:\n    Limits:\n      memory:  512Mi\n    Environment:\n      SETTING:  {text}\n      MAX_TOKENS:  4096\n\
$ kubectl get pod -n shop {pod} -o json\n{json}\n\
$ kubectl get pod -n shop {pod} -o yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: {pod}\n  namespace: shop\nspec:\n  containers:\n  - name: worker\n    args:\n    - '--setting={yaml_text}'\n    env:\n    - name: SETTING\n      value: '{yaml_text}'\n\
$ kubectl logs -n shop {pod}\n2026-11-24T10:00:02Z MemoryError: cannot allocate 1073741824 bytes, request 6f1c1a52-3c1e-4b7e-9a55-0b8f3f1d2c11 max_tokens=512 token_count=37 while loading {text}\n\
$ kubectl get events -n shop\nLAST SEEN   TYPE      REASON      OBJECT      MESSAGE\n2m          Warning   OOMKilling  pod/{pod}   Memory cgroup out of memory: Killed process 42 (python) {text}\n"
        ));
    }
    b
}

fn analyze(file: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_kubeleak")).arg("analyze").args(args).arg(file).output().unwrap();
    assert!(out.status.code().is_some_and(|c| c != 2), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn escaped(s: &str) -> Vec<String> {
    let j = serde_json::to_string(s).unwrap();
    let html = s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    vec![s.to_string(), j[1..j.len() - 1].to_string(), html]
}

#[test]
fn analyze_leaks_no_secret_in_text_json_or_html_and_keeps_look_alikes() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("secrets.txt");
    std::fs::write(&file, bundle()).unwrap();
    let corpus = corpus();
    for format in ["text", "json", "html"] {
        let out = analyze(&file, &["--format", format]);
        for (kind, _, secret) in &corpus {
            for form in escaped(secret) {
                assert!(!out.contains(&form), "{kind} leaked in --format {format}: {secret}");
            }
        }
        for kept in
            ["6f1c1a52-3c1e-4b7e-9a55-0b8f3f1d2c11", "max_tokens=512", "token_count=37", "worker-7d9f8b6c5-s000"]
        {
            assert!(out.contains(kept), "{kept} kept in --format {format}");
        }
        assert!(out.contains("[REDACTED]"), "{format}");
        if format == "json" {
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            let counts = v["redactions"].as_object().unwrap();
            assert!(counts.values().all(|n| n.as_u64().is_some()), "counts only: {counts:?}");
            for (kind, _, _) in &corpus {
                assert!(counts.contains_key(kind), "{kind}: {counts:?}");
            }
        } else {
            assert!(out.contains("secrets redacted ("), "{format} says what was redacted");
        }
    }
    // Off: the evidence is quoted as it is, and the JSON has no `redactions`.
    let raw = analyze(&file, &["--format", "json", "--no-redact"]);
    let v: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert!(v.get("redactions").is_none());
    for (kind, _, secret) in &corpus {
        assert!(escaped(secret).iter().any(|f| raw.contains(f)), "{kind}: --no-redact quotes {secret}");
    }
}
