//! Real pastes as data (issue 16): every `tests/fixtures/real/<class>/NAME.txt` is text
//! copied verbatim from a public source (provenance in `SOURCES.md`), analyzed as a
//! user's paste; `NAME.expected.json` says what a careful reader would report:
//!
//! - `must`: findings that must appear (`kind`; `pod` when the text names it, else
//!   `null`: then any pod, or none, will do);
//! - `must_not`: kinds that would be false;
//! - `pods`: facts a reader can check in the text (name, restarts, status).
//!
//! A sample is right when all three hold. The summary line
//! `real: N/M samples right, recall R, false findings F` is printed for
//! `scripts/test.sh`; the test fails below 95 % right, or on any false finding in
//! `negative/`, or on a panic.

use std::path::{Path, PathBuf};

use kubeleak_analysis::{analyze_text, Analysis};
use serde_json::Value;

fn samples() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![kubeleak_tests::fixture("real")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "txt") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// What is wrong with one sample's analysis (empty: right), and the counts for recall.
struct Verdict {
    problems: Vec<String>,
    must: usize,
    found: usize,
    false_findings: usize,
}

fn judge(a: &Analysis, expected: &Value) -> Verdict {
    let report = kubeleak_analysis::report::build(a);
    let mut v = Verdict { problems: Vec::new(), must: 0, found: 0, false_findings: 0 };
    for m in expected["must"].as_array().into_iter().flatten() {
        v.must += 1;
        let kind = m["kind"].as_str().unwrap_or("");
        let pod = m["pod"].as_str();
        let hit = a.findings.iter().any(|f| f.kind == kind && (pod.is_none() || f.pod.as_deref() == pod));
        if hit {
            v.found += 1;
        } else {
            v.problems.push(format!("missing {kind}{}", pod.map(|p| format!(" of pod {p}")).unwrap_or_default()));
        }
    }
    for k in expected["must_not"].as_array().into_iter().flatten() {
        let k = k.as_str().unwrap_or("");
        let n = a.findings.iter().filter(|f| f.kind == k).count();
        if n > 0 {
            v.false_findings += n;
            v.problems.push(format!("false {k}"));
        }
    }
    for p in expected["pods"].as_array().into_iter().flatten() {
        let name = p["name"].as_str().unwrap_or("");
        let Some(pod) = a.model.pods.iter().find(|x| x.name == name) else {
            v.problems.push(format!("pod {name} not read"));
            continue;
        };
        if let Some(r) = p["restarts"].as_u64() {
            // As the JSON reports them: the pod's, else the sum over its app containers.
            let got = report.pods.iter().find(|x| x.name == name).and_then(|x| x.restarts).map(u64::from);
            if got != Some(r) {
                v.problems.push(format!("pod {name}: restarts {got:?}, expected {r}"));
            }
        }
        if let Some(s) = p["status"].as_str() {
            let got = pod.status.as_ref().map(|f| f.value.as_str());
            if got != Some(s) {
                v.problems.push(format!("pod {name}: status {got:?}, expected {s}"));
            }
        }
    }
    v
}

fn class_of(p: &Path) -> String {
    p.parent().and_then(|d| d.file_name()).map(|n| n.to_string_lossy().to_string()).unwrap_or_default()
}

#[test]
fn real_pastes_are_read_as_a_reader_would() {
    let samples = samples();
    assert!(samples.len() >= 100, "the corpus has {} samples", samples.len());
    let (mut right, mut must, mut found, mut false_all, mut false_negative) = (0, 0, 0, 0, 0);
    let mut report = Vec::new();
    for s in &samples {
        let text = String::from_utf8_lossy(&std::fs::read(s).unwrap()).to_string();
        let exp_path = s.with_extension("expected.json");
        let expected: Value = serde_json::from_str(&std::fs::read_to_string(&exp_path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", exp_path.display()));
        let name = s.file_name().unwrap().to_string_lossy().to_string();
        let a = analyze_text(&name, &text);
        let v = judge(&a, &expected);
        must += v.must;
        found += v.found;
        false_all += v.false_findings;
        if class_of(s) == "negative" {
            false_negative += v.false_findings;
        }
        if v.problems.is_empty() {
            right += 1;
        } else {
            let got: Vec<String> =
                a.findings.iter().map(|f| format!("{}({})", f.kind, f.pod.as_deref().unwrap_or("-"))).collect();
            report.push(format!("{}/{}: {} — got [{}]", class_of(s), name, v.problems.join("; "), got.join(", ")));
        }
    }
    let recall = if must == 0 { 1.0 } else { found as f64 / must as f64 };
    for r in &report {
        println!("  {r}");
    }
    let summary = format!(
        "real: {right}/{} samples right, recall {:.0} %, false findings {false_all} ({false_negative} in negatives)",
        samples.len(),
        recall * 100.0
    );
    println!("{summary}");
    // For scripts/test.sh, which prints it (the test harness keeps a passing test quiet).
    let _ = std::fs::write(Path::new(env!("CARGO_TARGET_TMPDIR")).join("real-summary.txt"), format!("{summary}\n"));
    assert_eq!(false_negative, 0, "false findings on the negative controls:\n{}", report.join("\n"));
    assert!(
        right * 100 >= samples.len() * 95,
        "{right}/{} samples right (want 95 %):\n{}",
        samples.len(),
        report.join("\n")
    );
}
