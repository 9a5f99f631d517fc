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

/// `--threads N` (log streams dealt to N − 1 digest threads) gives the report of one
/// thread, for 1, 2, 4 and 9 threads, on the sample and on the same sample gzipped;
/// `--threads 0` and `--threads` with `--single-thread` are usage errors.
#[test]
fn any_number_of_threads_gives_the_same_report() {
    use std::io::Write;
    let sample = format!("{}/../../web/sample-bundle.txt", env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("sample-bundle.txt.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&std::fs::read(&sample).unwrap()).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    let gz = gz.display().to_string();
    for file in [sample.as_str(), gz.as_str()] {
        let one = kubeleak(&["analyze", "--single-thread", "--format", "json", file]);
        assert!(one.status.success());
        for n in ["1", "2", "4", "9"] {
            let out = kubeleak(&["analyze", "--threads", n, "--format", "json", file]);
            assert!(out.status.success(), "--threads {n}");
            assert_eq!(out.stdout, one.stdout, "{file}: --threads {n}");
        }
    }
    assert!(!kubeleak(&["analyze", "--threads", "0", &sample]).status.success());
    assert!(!kubeleak(&["analyze", "--threads", "2", "--single-thread", &sample]).status.success());
}

fn kubectl_kubeleak(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kubectl-kubeleak")).args(args).output().unwrap()
}

/// Called as `kubectl-kubeleak` (the plugin), help and usage errors say `kubectl kubeleak`;
/// as `kubeleak`, they do not (negative control).
#[test]
fn the_plugin_binary_names_itself_kubectl_kubeleak() {
    let help = kubectl_kubeleak(&["--help"]);
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(help.status.success());
    assert!(text.contains("Usage: kubectl kubeleak <COMMAND>"), "{text}");
    let collect = kubectl_kubeleak(&["collect", "--help"]);
    assert!(String::from_utf8_lossy(&collect.stdout).contains("Usage: kubectl kubeleak collect [OPTIONS]"));
    let bad = kubectl_kubeleak(&["analyze"]);
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("Usage: kubectl kubeleak analyze <FILES>..."), "{err}");
    let missing = kubectl_kubeleak(&["analyze", "/nonexistent/b.txt"]);
    assert!(String::from_utf8_lossy(&missing.stderr).starts_with("kubectl kubeleak: cannot read /nonexistent/b.txt"));

    let plain = kubeleak(&["--help"]);
    let text = String::from_utf8_lossy(&plain.stdout);
    assert!(text.contains("Usage: kubeleak <COMMAND>") && !text.contains("Usage: kubectl kubeleak"), "{text}");
}

#[test]
fn completions_for_every_shell() {
    for (shell, marker) in [
        ("bash", "_kubeleak()"),
        ("zsh", "#compdef kubeleak"),
        ("fish", "complete -c kubeleak"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = kubeleak(&["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(marker), "{shell}: {text}");
        for word in ["collect", "analyze", "all-namespaces", "debug-image"] {
            assert!(text.contains(word), "{shell} completes {word}");
        }
    }
    // The bash script is valid bash, and completes subcommands when sourced.
    let script = String::from_utf8(kubeleak(&["completions", "bash"]).stdout).unwrap();
    let check = format!(
        "{script}\nCOMP_WORDS=(kubeleak col); COMP_CWORD=1; _kubeleak kubeleak col kubeleak; printf '%s\\n' \"${{COMPREPLY[@]}}\""
    );
    let out = Command::new("bash").args(["-c", &check]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "collect");
    // As the plugin, for the file kubectl runs.
    let plugin = String::from_utf8(kubectl_kubeleak(&["completions", "bash"]).stdout).unwrap();
    assert!(plugin.contains("kubectl-kubeleak"), "{plugin}");
    // Negative control: an unknown shell is a usage error.
    assert_eq!(kubeleak(&["completions", "tcsh"]).status.code(), Some(2));
}

/// Nothing recognised: exit status 3 and a line saying so; the report is still printed.
#[test]
fn analyze_exits_3_when_nothing_is_recognised() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("notes.txt");
    std::fs::write(&junk, "shopping list\n- milk\n- eggs\n$ ls\nbundle.txt\n").unwrap();
    let out = kubeleak(&["analyze", junk.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("kubeleak: nothing in the input was recognised as kubectl output"), "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 pod(s)"), "{}", String::from_utf8_lossy(&out.stdout));
    // JSON too, and from stdin.
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubeleak"))
        .args(["analyze", "--format", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(serde_json::from_slice::<serde_json::Value>(&out.stdout).is_ok());
    // Negative controls: recognised input exits 0 (and 1 with --fail-on), with junk beside it too.
    let ok = kubeleak(&["analyze", &fixture("skeleton-top.txt"), junk.to_str().unwrap()]);
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(ok.stderr.is_empty());
    // Documented in --help.
    let help = String::from_utf8(kubeleak(&["analyze", "--help"]).stdout).unwrap();
    assert!(help.contains("3  nothing in the input was recognised"), "{help}");
}

/// The krew manifest has what `krew` validates: the plugin name as the file's, a `v`
/// version equal to the crate's, and for every platform a selector, a URI to the
/// release archive, a sha256 and the binary, which is `kubectl-kubeleak`.
#[test]
fn the_krew_manifest_is_complete() {
    let text = std::fs::read_to_string(format!("{}/../../plugins/kubeleak.yaml", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let field = |key: &str| -> Vec<String> {
        text.lines()
            .filter_map(|l| l.trim_start().trim_start_matches("- ").strip_prefix(&format!("{key}: ")))
            .map(|v| v.trim().trim_matches('"').to_string())
            .collect()
    };
    assert_eq!(field("apiVersion"), ["krew.googlecontainertools.github.com/v1alpha2"]);
    assert_eq!(field("kind"), ["Plugin"]);
    assert_eq!(field("name"), ["kubeleak"]);
    let version = format!("v{}", env!("CARGO_PKG_VERSION"));
    assert_eq!(field("version"), std::slice::from_ref(&version));
    assert!(!field("shortDescription").is_empty() && text.contains("description: |"));
    let uris = field("uri");
    let shas = field("sha256");
    let bins = field("bin");
    assert!(uris.len() >= 3, "{uris:?}");
    assert_eq!((uris.len(), bins.len()), (shas.len(), shas.len()));
    for (u, s) in uris.iter().zip(&shas) {
        assert!(u.starts_with("https://") && u.contains(&format!("/{version}/")) && u.ends_with(".tar.gz"), "{u}");
        assert!(s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()), "sha256 {s}");
    }
    assert!(bins.iter().all(|b| b == "kubectl-kubeleak" || b == "kubectl-kubeleak.exe"), "{bins:?}");
    assert_eq!(text.matches("os: ").count(), uris.len(), "one selector per platform");
}

#[test]
fn explain_says_how_each_region_was_read() {
    let dir = tempfile::tempdir().unwrap();
    let paste = dir.path().join("paste.txt");
    std::fs::write(
        &paste,
        "Traceback (most recent call last):\n  File \"app.py\", line 3, in <module>\nMemoryError\n\n\
         $ kubectl top pod -n shop\nNAME   CPU(cores)   MEMORY(bytes)\nw-1    1m   10Mi\n",
    )
    .unwrap();
    let out = kubeleak(&["analyze", "--explain", paste.to_str().unwrap()]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("paste.txt: lines 1-4: text of no known shape"), "{err}");
    assert!(err.contains("paste.txt: lines 5-7: `kubectl top pod` samples (`kubectl top pod -n shop`)"), "{err}");
    // The traceback is read: its finding has no pod (the text names none).
    let json = kubeleak(&["analyze", "--format", "json", paste.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let f = v["findings"].as_array().unwrap().iter().find(|f| f["kind"] == "memory-error").expect("memory-error");
    assert!(f["pod"].is_null(), "{f}");
    assert!(v["pods"].as_array().unwrap().iter().all(|p| p["name"] == "w-1"), "{v}");
    // Without --explain, nothing on stderr.
    assert!(kubeleak(&["analyze", paste.to_str().unwrap()]).stderr.is_empty());
}
