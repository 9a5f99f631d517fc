//! Real programs as data (issue 17): every `tests/fixtures/programs/NAME.txt` is a
//! bundle recorded from a real Python service run under an RSS watchdog (scripts and
//! README in `tests/programs/`), with `NAME.expected.json`: the diagnoses an SRE would
//! give (`diagnoses[].pod`, `.container`, `.kinds`) and the kinds that would be wrong
//! (`must_not`).
//!
//! A bundle is right when kubeleak gives exactly the expected diagnoses (one per
//! expected container, no other), each with every expected kind, and reports no
//! `must_not` kind in any finding. The kinds are compared as sets: the expected files
//! list `oom-killed` first, kubeleak puts the root cause (the pattern) first.

use std::collections::BTreeSet;
use std::path::PathBuf;

use kubeleak_analysis::{analyze, input::Limits, report, Input};
use serde_json::Value;

fn bundles() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(kubeleak_tests::fixture("programs"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    v.sort();
    v
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array().map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

/// What is wrong with one bundle's report, if anything.
fn check(path: &PathBuf) -> Vec<String> {
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let stem = name.trim_end_matches(".txt");
    let exp: Value =
        serde_json::from_str(&std::fs::read_to_string(path.with_file_name(format!("{stem}.expected.json"))).unwrap())
            .unwrap();
    let bytes = std::fs::read(path).unwrap();
    let a = analyze(&[Input { name: &name, bytes: &bytes }], &Limits::default());
    let got: Value = serde_json::to_value(report::build(&a)).unwrap();
    let mut bad = Vec::new();
    let diags = got["diagnoses"].as_array().cloned().unwrap_or_default();
    let want = exp["diagnoses"].as_array().cloned().unwrap_or_default();
    for w in &want {
        let found = diags.iter().find(|d| d["pod"] == w["pod"] && d["container"] == w["container"]);
        let Some(d) = found else {
            bad.push(format!("{stem}: no diagnosis for {} / {}", w["pod"], w["container"]));
            continue;
        };
        let have: BTreeSet<String> = strs(&d["kinds"]).into_iter().collect();
        let need: BTreeSet<String> = strs(&w["kinds"]).into_iter().collect();
        if !need.is_subset(&have) {
            bad.push(format!("{stem}: diagnosis kinds {have:?}, expected {need:?}"));
        }
        // Every index points at a finding of the diagnosis' pod and container.
        for i in d["findings"].as_array().unwrap() {
            let f = &got["findings"][i.as_u64().unwrap() as usize];
            if f["container"] != d["container"] && !f["container"].is_null() {
                bad.push(format!("{stem}: diagnosis of {} holds a finding of {}", d["container"], f["container"]));
            }
        }
        let advice = strs(&d["advice"]);
        let unique: BTreeSet<&String> = advice.iter().collect();
        if unique.len() != advice.len() || advice.is_empty() {
            bad.push(format!("{stem}: advice empty or repeated: {advice:?}"));
        }
        if d["headline"].as_str().is_none_or(|h| !h.starts_with(w["container"].as_str().unwrap_or(""))) {
            bad.push(format!("{stem}: headline does not name the container: {}", d["headline"]));
        }
    }
    if diags.len() != want.len() {
        let hs: Vec<&Value> = diags.iter().map(|d| &d["headline"]).collect();
        bad.push(format!("{stem}: {} diagnoses, expected {}: {hs:?}", diags.len(), want.len()));
    }
    let reported: BTreeSet<String> =
        got["findings"].as_array().unwrap().iter().filter_map(|f| f["kind"].as_str().map(str::to_string)).collect();
    for k in strs(&exp["must_not"]) {
        if reported.contains(&k) {
            bad.push(format!("{stem}: reports {k}, which would be wrong"));
        }
    }
    bad
}

#[test]
fn recorded_programs_get_the_right_diagnoses() {
    let all = bundles();
    assert!(all.len() >= 9, "the nine recorded programs: {all:?}");
    let bad: Vec<String> = all.iter().flat_map(check).collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
