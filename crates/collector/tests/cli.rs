//! `kubeleak analyze` as a user runs it.

use std::io::Write;
use std::process::{Command, Stdio};

fn fixture(name: &str) -> String {
    format!("{}/../../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn kubeleak(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kubeleak")).args(args).output().unwrap()
}

#[test]
fn analyze_prints_the_skeleton_values() {
    let out = kubeleak(&["analyze", &fixture("skeleton-top.txt")]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("2 pod(s)"), "{text}");
    assert!(text.contains("pod shop/worker-7d9f8b6c5-x2x9k"), "{text}");
    assert!(text.contains("memory: 301Mi → 344Mi"), "{text}");
    assert!(text.contains("memory: 288Mi → 339Mi"), "{text}");
}

#[test]
fn analyze_json_reads_stdin() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubeleak"))
        .args(["analyze", "--format", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let text = std::fs::read(fixture("skeleton-top.txt")).unwrap();
    child.stdin.take().unwrap().write_all(&text).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["pods"][1]["name"], "worker-7d9f8b6c5-q8r2m");
    assert_eq!(json["pods"][1]["memory_samples"][1]["bytes"], 355_467_264u64);
}

#[test]
fn missing_file_is_a_clear_error() {
    let out = kubeleak(&["analyze", "/nonexistent/bundle.txt"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("cannot read /nonexistent/bundle.txt"), "{err}");
}

#[test]
fn html_report_is_written_to_stdout() {
    let out = kubeleak(&["analyze", "--format", "html", &fixture("skeleton-top.txt")]);
    assert!(out.status.success());
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("shop/worker-7d9f8b6c5-q8r2m"));
    assert!(html.contains("<svg"));
}

#[test]
fn fail_on_without_findings_exits_zero() {
    // The skeleton paste has no limits and no errors: nothing to fail on.
    let out = kubeleak(&["analyze", "--fail-on", "warning", &fixture("skeleton-top.txt")]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn fail_on_critical_exits_one_on_the_sample() {
    let sample = format!("{}/../../web/sample-bundle.txt", env!("CARGO_MANIFEST_DIR"));
    let out = kubeleak(&["analyze", "--fail-on", "critical", &sample]);
    assert_eq!(out.status.code(), Some(1), "the sample has an OOM kill");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("oom-killed"), "{text}");
}

/// A Replicated support bundle (`kubectl support-bundle` output) is read as it is: the
/// JSON contract's evidence cites the members of the archive.
#[test]
fn analyze_json_reads_a_support_bundle() {
    let bundle = fixture("support-bundle/support-bundle-worker.tar.gz");
    let out = kubeleak(&["analyze", &bundle, "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "kubeleak.analysis/v1");
    let kinds: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"oom-killed") && kinds.contains(&"cache-without-eviction"), "{kinds:?}");
    let cache = v["findings"].as_array().unwrap().iter().find(|f| f["kind"] == "cache-without-eviction").unwrap();
    let ev = &cache["evidence"][0];
    assert_eq!(
        ev["source"].as_str().unwrap(),
        format!("{bundle}:cluster-resources/pods/logs/shop/worker-7d9f8b6c5-x2x9k/worker-previous.log")
    );
    assert_eq!(ev["line"], 4);
    let warnings = v["warnings"].to_string();
    assert!(warnings.contains("also held 6 other members"), "{warnings}");
}

/// `--single-thread` (no digest thread) gives the same report as the default, on the
/// sample, whose logs carry a cache series and MemoryErrors.
#[test]
fn single_thread_gives_the_same_report() {
    let sample = format!("{}/../../web/sample-bundle.txt", env!("CARGO_MANIFEST_DIR"));
    let two = kubeleak(&["analyze", "--format", "json", &sample]);
    let one = kubeleak(&["analyze", "--single-thread", "--format", "json", &sample]);
    assert!(two.status.success() && one.status.success());
    let json: serde_json::Value = serde_json::from_slice(&two.stdout).unwrap();
    let kinds: Vec<&str> = json["findings"].as_array().unwrap().iter().filter_map(|f| f["kind"].as_str()).collect();
    // Found in the logs: by the template miner and by the line rules.
    assert!(kinds.contains(&"cache-without-eviction") && kinds.contains(&"memory-error"), "{kinds:?}");
    assert_eq!(String::from_utf8(one.stdout).unwrap(), String::from_utf8(two.stdout).unwrap());
}
