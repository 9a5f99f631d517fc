//! Redaction never changes what the analysis finds (issue 22).
//!
//! For every fixture (`tests/fixtures/**`) and a generated bundle:
//! - redacting the analysis' quoted texts (what `analyze` and the page do before an
//!   output) leaves the findings and diagnoses as they were, apart from the replaced
//!   values;
//! - redacting the whole text before the analysis (what `collect` does at capture) gives
//!   the same findings: kinds, severities, pods, containers, evidence lines, numbers.
//!
//! And the fake secrets of `tests/fixtures/secrets/fake-secrets.txt`, placed where kubectl
//! prints them, leave the JSON and HTML reports with none of them, and every look-alike
//! kept.

use std::path::{Path, PathBuf};

use kubeleak_analysis::{analyze, html, redact, redaction, report, Analysis, Input, Limits};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn run(name: &str, bytes: &[u8]) -> Analysis {
    analyze(&[Input { name, bytes }], &Limits::default())
}

/// What a finding is, apart from its words.
fn shape(a: &Analysis) -> Vec<String> {
    let mut v: Vec<String> = a
        .findings
        .iter()
        .map(|f| {
            format!(
                "{} {:?} {:?} {:?} {:?} ev={:?} ttl={:?} series={:?}",
                f.kind.as_str(),
                f.severity,
                f.namespace,
                f.pod,
                f.container,
                f.evidence.iter().map(|o| (o.source, o.line)).collect::<Vec<_>>(),
                f.time_to_limit,
                f.series.as_ref().map(|s| (s.bytes, s.points.iter().map(|p| (p.index, p.value)).collect::<Vec<_>>()))
            )
        })
        .collect();
    v.extend(a.diagnoses.iter().map(|d| format!("{:?} {:?} {:?} {:?}", d.severity, d.pod, d.container, d.findings)));
    v
}

fn texts(a: &Analysis) -> Vec<String> {
    let mut v: Vec<String> = a.findings.iter().map(|f| format!("{}|{}|{}", f.title, f.detail, f.advice)).collect();
    v.extend(a.diagnoses.iter().map(|d| d.headline.clone()));
    v
}

fn check(name: &str, bytes: &[u8]) {
    let plain = run(name, bytes);
    // Redacted for an output, then put back.
    let mut shared = run(name, bytes);
    let json_before = report::to_json(&shared);
    let originals = redaction::redact(&mut shared);
    assert_eq!(shape(&shared), shape(&plain), "{name}: redacting the outputs changed the findings");
    let counts = shared.redactions.clone().unwrap();
    if counts.is_empty() {
        assert_eq!(texts(&shared), texts(&plain), "{name}");
    }
    redaction::restore(&mut shared, originals);
    assert_eq!(report::to_json(&shared), json_before, "{name}: restore puts everything back");
    // Redacted at capture, as the collector does.
    if let Ok(text) = std::str::from_utf8(bytes) {
        let redacted = redact::redact(text, &mut redact::Counts::new());
        let captured = run(name, redacted.as_bytes());
        assert_eq!(shape(&captured), shape(&plain), "{name}: redacting at capture changed the findings");
    }
}

#[test]
fn findings_are_identical_with_and_without_redaction_on_every_fixture() {
    let mut all = Vec::new();
    files(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures"), &mut all);
    all.sort();
    assert!(all.len() > 400, "{} fixtures", all.len());
    for p in &all {
        let bytes = std::fs::read(p).unwrap();
        check(&p.display().to_string(), &bytes);
    }
}

#[test]
fn findings_are_identical_with_and_without_redaction_on_a_generated_bundle() {
    let text = xtask::gen::generate_string(&xtask::gen::Options { size: 3_000_000, seed: 1 });
    let plain = run("gen", text.as_bytes());
    assert!(!plain.findings.is_empty());
    check("gen", text.as_bytes());
}

/// The fake secrets: (kind, the text that carries it, the secret).
fn corpus() -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(kubeleak_tests::fixture("secrets/fake-secrets.txt")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (kind, carrier) = l.split_once('\t').unwrap();
            let a = carrier.find("{{").unwrap();
            let b = a + carrier[a..].find("}}").unwrap();
            let secret = carrier[a + 2..b].replace('|', "");
            (kind.to_string(), format!("{}{secret}{}", &carrier[..a], &carrier[b + 2..]), secret)
        })
        .collect()
}

/// A bundle with every fake secret in describe env, a log's `MemoryError` line (quoted as
/// evidence) and an event, and the look-alikes the analysis needs.
fn bundle_with_secrets() -> String {
    let mut b = String::from("# kubeleak-bundle: 1\n# captured-at: 2026-11-24T10:30:00Z\n");
    for (i, (_, text, _)) in corpus().iter().enumerate() {
        let pod = format!("worker-7d9f8b6c5-s{i:03}");
        b.push_str(&format!(
            "$ kubectl describe pod -n shop {pod}\nName:         {pod}\nNamespace:    shop\nContainers:\n  worker:\n    Image:          python@sha256:4f2b6c8e0a1d3f5b7c9e1a3d5f7b9c1e3a5d7f9b1c3e5a7d9f1b3c5e7a9d1f3b\n    Limits:\n      memory:  512Mi\n    Environment:\n      SETTING:  {text}\n      MAX_TOKENS:  4096\n$ kubectl logs -n shop {pod}\n2026-11-24T10:00:02Z MemoryError: cannot allocate 1073741824 bytes, request 6f1c1a52-3c1e-4b7e-9a55-0b8f3f1d2c11 max_tokens=512 token_count=37 commit 9fceb02d0ae598e95dc970b74767f19372d61af8 while loading {text}\n"
        ));
    }
    b
}

#[test]
fn reports_of_a_capture_with_secrets_hold_none_of_them() {
    let text = bundle_with_secrets();
    let mut a = run("secrets.txt", text.as_bytes());
    let plain_json = report::to_json(&a);
    let corpus = corpus();
    // Without redaction the reports do quote them (the test would prove nothing otherwise).
    assert!(corpus.iter().all(|(_, _, s)| plain_json.contains(s.as_str()) || plain_json.contains(&escaped(s))));
    let _ = redaction::redact(&mut a);
    let json = report::to_json(&a);
    let page = html::report(&a, "0");
    for (kind, _, secret) in &corpus {
        for (what, out) in [("json", &json), ("html", &page)] {
            assert!(!out.contains(secret.as_str()) && !out.contains(&escaped(secret)), "{kind} in {what}: {secret}");
        }
    }
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let counts = v["redactions"].as_object().unwrap();
    for (kind, _, _) in &corpus {
        assert!(counts.get(kind).and_then(|n| n.as_u64()).is_some_and(|n| n > 0), "{kind}: {counts:?}");
    }
    assert!(page.contains("secrets redacted ("), "the HTML report says what was redacted");
    for kept in [
        "6f1c1a52-3c1e-4b7e-9a55-0b8f3f1d2c11",
        "max_tokens=512",
        "token_count=37",
        "9fceb02d0ae598e95dc970b74767f19372d61af8",
        "1073741824 bytes",
        "worker-7d9f8b6c5-s000",
    ] {
        assert!(json.contains(kept), "{kept} kept");
    }
}

/// How a secret looks inside a JSON string or escaped HTML.
fn escaped(s: &str) -> String {
    let j = serde_json::to_string(s).unwrap();
    j[1..j.len() - 1].to_string()
}

/// A ustar archive of `files`, gzipped (a support bundle as troubleshoot writes it).
fn tar_gz(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut tar = Vec::new();
    for (name, data) in files {
        let mut h = [0u8; 512];
        let (prefix, base) = if name.len() > 100 { name.rsplit_once('/').unwrap() } else { ("", name.as_str()) };
        h[..base.len()].copy_from_slice(base.as_bytes());
        h[100..108].copy_from_slice(b"0000644\0");
        h[108..116].copy_from_slice(b"0000000\0");
        h[116..124].copy_from_slice(b"0000000\0");
        h[124..136].copy_from_slice(format!("{:011o}\0", data.len()).as_bytes());
        h[136..148].copy_from_slice(b"15201426000\0");
        h[156] = b'0';
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[345..345 + prefix.len()].copy_from_slice(prefix.as_bytes());
        h[148..156].copy_from_slice(b"        ");
        let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        tar.extend_from_slice(&h);
        tar.extend_from_slice(data);
        tar.resize(tar.len().div_ceil(512) * 512, 0);
    }
    tar.resize(tar.len() + 1024, 0);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &tar).unwrap();
    gz.finish().unwrap()
}

#[test]
fn a_support_bundle_with_secrets_in_its_members_gives_reports_without_them() {
    const ROOT: &str = "support-bundle/support-bundle-2026-11-24T10_12_00";
    let root = kubeleak_tests::fixture(ROOT);
    let mut all = Vec::new();
    files(&root, &mut all);
    all.sort();
    let corpus = corpus();
    let mut members = Vec::new();
    for p in &all {
        let rel = format!("support-bundle-2026-11-24T10_12_00/{}", p.strip_prefix(&root).unwrap().display());
        let mut data = std::fs::read(p).unwrap();
        if rel.ends_with("cluster-resources/pods/shop.json") {
            // The secrets in the first container's env and args.
            let mut pods: serde_json::Value = serde_json::from_slice(&data).unwrap();
            let c = &mut pods["items"][0]["spec"]["containers"][0];
            c["env"] = corpus
                .iter()
                .enumerate()
                .map(|(i, (_, text, _))| serde_json::json!({"name": format!("SETTING_{i}"), "value": text}))
                .collect();
            c["args"] = corpus.iter().map(|(_, text, _)| serde_json::json!(format!("--setting={text}"))).collect();
            data = serde_json::to_vec_pretty(&pods).unwrap();
        } else if rel.ends_with("/worker.log") {
            // …and in MemoryError lines of its log (quoted as evidence).
            let mut log = String::from_utf8(data).unwrap();
            for (_, text, _) in &corpus {
                log.push_str(&format!(
                    "2026-11-24 10:11:59,000 ERROR worker: MemoryError: cannot allocate while loading {text}\n"
                ));
            }
            data = log.into_bytes();
        } else if rel.ends_with("events/shop.json") {
            let mut evs: serde_json::Value = serde_json::from_slice(&data).unwrap();
            let first = evs["items"][0].clone();
            for (i, (_, text, _)) in corpus.iter().enumerate() {
                let mut e = first.clone();
                e["metadata"]["name"] = serde_json::json!(format!("secret-{i}"));
                e["message"] = serde_json::json!(format!("Error: bad config {text}"));
                evs["items"].as_array_mut().unwrap().push(e);
            }
            data = serde_json::to_vec_pretty(&evs).unwrap();
        }
        members.push((rel, data));
    }
    let gz = tar_gz(&members);
    let mut a = run("support-bundle-worker.tar.gz", &gz);
    assert!(a.model.pods.iter().any(|p| p.name == "worker-7d9f8b6c5-x2x9k"), "the bundle is read");
    let plain = report::to_json(&a);
    // One finding per container, its evidence capped: some of the secrets are quoted.
    let quoted = corpus.iter().filter(|(_, _, s)| plain.contains(s.as_str()) || plain.contains(&escaped(s))).count();
    assert!(quoted >= 1, "quoted when off");
    let _ = redaction::redact(&mut a);
    let json = report::to_json(&a);
    let page = html::report(&a, "0");
    for (kind, _, secret) in &corpus {
        assert!(!json.contains(secret.as_str()) && !json.contains(&escaped(secret)), "{kind} in json");
        assert!(!page.contains(secret.as_str()) && !page.contains(&escaped(secret)), "{kind} in html");
    }
    assert!(json.contains("0b6c3f0e-8a55-4e43-9d6b-0f2a43c1e7a2") || json.contains("worker-7d9f8b6c5-x2x9k"));
}
