//! Tests as data: every input under `tests/fixtures/cases/` (any extension; `.gz` too)
//! with a sibling `NAME.expected.json` is analyzed, and the model dump
//! (`report::model_dump`) must equal the expected file.
//!
//! To add a case: put the input in `tests/fixtures/cases/`, run
//! `UPDATE_EXPECT=1 cargo test -p kubeleak-tests --test fixtures`, then READ the written
//! `.expected.json` and check every value by hand before committing it.

use std::path::{Path, PathBuf};

use kubeleak_analysis::{analyze, input::Limits, report, Input};

fn cases() -> Vec<PathBuf> {
    let dir = kubeleak_tests::fixture("cases");
    let mut out = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if !p.to_string_lossy().ends_with(".expected.json") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn expected_path(input: &Path) -> PathBuf {
    let name = input.file_name().unwrap().to_string_lossy();
    let stem = name.split('.').next().unwrap();
    input.with_file_name(format!("{stem}.expected.json"))
}

#[test]
fn fixtures_match_their_expected_models() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    let cases = cases();
    assert!(!cases.is_empty(), "no fixtures found");
    for input in &cases {
        let bytes = std::fs::read(input).unwrap();
        let name = input.file_name().unwrap().to_string_lossy().to_string();
        let analysis = analyze(&[Input { name: &name, bytes: &bytes }], &Limits::default());
        let got = report::model_dump(&analysis);
        let exp_path = expected_path(input);
        let pretty = serde_json::to_string_pretty(&got).unwrap() + "\n";
        match std::fs::read_to_string(&exp_path) {
            Ok(text) if !update => {
                let want: serde_json::Value =
                    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", exp_path.display()));
                if want != got {
                    failures.push(format!(
                        "{}: model differs from {}\n--- got ---\n{pretty}",
                        input.display(),
                        exp_path.display()
                    ));
                }
            }
            _ if update => std::fs::write(&exp_path, pretty).unwrap(),
            Err(_) => failures.push(format!(
                "{}: no {} (run with UPDATE_EXPECT=1, then review it)",
                input.display(),
                exp_path.display()
            )),
            Ok(_) => unreachable!(),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
