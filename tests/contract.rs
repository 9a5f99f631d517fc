//! `kubeleak.analysis/v1` (docs/analysis-json-v1.md) on the bundled sample: every field of
//! the contract's pod and container shape, with exact values.

use kubeleak_analysis::{analyze, input::Limits, report, Input};

fn sample_json() -> serde_json::Value {
    let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../web/sample-bundle.txt")).unwrap();
    let a = analyze(&[Input { name: "sample-bundle.txt", bytes: &bytes }], &Limits::default());
    serde_json::from_str(&report::to_json(&a)).unwrap()
}

#[test]
fn pods_follow_the_contract() {
    let json = sample_json();
    assert_eq!(json["schema"], "kubeleak.analysis/v1");
    let pod = json["pods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "image-worker-6c9f7d8b5-4xk2p")
        .expect("the crash-looping pod");
    assert_eq!(pod["namespace"], "shop");
    assert_eq!(pod["status"], "CrashLoopBackOff");
    assert_eq!(pod["restarts"], 4);
    assert!(pod["memory_samples"].as_array().unwrap().is_empty(), "samples are per container with --containers");
    let c = &pod["containers"][0];
    assert_eq!(c["name"], "worker");
    assert_eq!(c["memory_request_bytes"], 268_435_456u64);
    assert_eq!(c["memory_limit_bytes"], 536_870_912u64);
    assert_eq!(c["restarts"], 4);
    assert_eq!(c["state"], "waiting");
    assert_eq!(c["state_reason"], "CrashLoopBackOff");
    assert_eq!(c["last_termination"]["reason"], "OOMKilled");
    assert_eq!(c["last_termination"]["exit_code"], 137);
    let samples = c["memory_samples"].as_array().unwrap();
    assert_eq!(samples.len(), 8);
    assert_eq!(samples[0]["at"], "2026-11-24T10:00:05Z");
    assert_eq!(samples[0]["bytes"], 97u64 << 20);
    assert_eq!(samples[7]["at"], "2026-11-24T10:14:05Z");
}

#[test]
fn warnings_and_evidence_point_at_lines() {
    let json = sample_json();
    for w in json["warnings"].as_array().unwrap() {
        assert_eq!(w["source"], "sample-bundle.txt");
        assert!(w["line"].as_u64().is_some_and(|l| l >= 1) || w["line"].is_null());
        assert!(w["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    for f in json["findings"].as_array().unwrap() {
        assert!(!f["evidence"].as_array().unwrap().is_empty(), "no finding without evidence: {f}");
        for e in f["evidence"].as_array().unwrap() {
            assert!(e["line"].as_u64().unwrap() >= 1);
            assert!(!e["text"].as_str().unwrap().is_empty());
        }
    }
}

#[test]
fn diagnoses_follow_the_contract() {
    let json = sample_json();
    let findings = json["findings"].as_array().unwrap();
    let diags = json["diagnoses"].as_array().expect("top-level diagnoses (additive to v1)");
    assert!(!diags.is_empty());
    let sev = |s: &serde_json::Value| match s.as_str() {
        Some("critical") => 2,
        Some("warning") => 1,
        _ => 0,
    };
    let mut last = 3;
    for d in diags {
        let keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 7, "{keys:?}");
        for k in ["pod", "container", "headline", "kinds", "findings", "advice", "workload"] {
            assert!(d.get(k).is_some(), "diagnosis without {k}: {d}");
        }
        assert!(d["pod"].is_string() || d["pod"].is_null());
        assert!(d["container"].is_string() || d["container"].is_null());
        let headline = d["headline"].as_str().unwrap();
        // A workload's verdict: its findings are of its pods.
        let workload = d["workload"].as_str().map(|name| {
            let w = json["workloads"].as_array().unwrap().iter().find(|w| w["name"] == name).expect("its workload");
            assert_eq!(w["headline"], d["headline"]);
            assert!(d["pod"].is_null());
            w["pods"].as_array().unwrap().clone()
        });
        if workload.is_none() {
            assert!(headline.starts_with(d["container"].as_str().unwrap_or("pod")), "{headline}");
        }
        let kinds: Vec<&str> = d["kinds"].as_array().unwrap().iter().map(|k| k.as_str().unwrap()).collect();
        let idx: Vec<usize> = d["findings"].as_array().unwrap().iter().map(|i| i.as_u64().unwrap() as usize).collect();
        assert!(!idx.is_empty());
        // Every finding of the diagnosis is of its pod and container, and of one of its kinds;
        // every kind has a finding.
        for &i in &idx {
            let f = &findings[i];
            match &workload {
                Some(pods) => assert!(pods.contains(&f["pod"]), "{f}"),
                None => assert_eq!(f["pod"], d["pod"]),
            }
            assert!(kinds.contains(&f["kind"].as_str().unwrap()));
        }
        for k in &kinds {
            assert!(idx.iter().any(|&i| findings[i]["kind"] == *k), "kind {k} without a finding");
        }
        let mut uniq = kinds.clone();
        uniq.dedup();
        assert_eq!(uniq.len(), kinds.len(), "each kind once");
        let advice: Vec<&str> = d["advice"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
        assert!(!advice.is_empty());
        for (i, a) in advice.iter().enumerate() {
            assert!(!advice[i + 1..].contains(a), "advice repeated: {a}");
        }
        // Most severe first.
        let worst = idx.iter().map(|&i| sev(&findings[i]["severity"])).max().unwrap();
        assert!(worst <= last, "diagnoses not ordered by severity");
        last = worst;
    }
    // The crash-looping pod: root cause (the cache) first, the OOM kill after it.
    let d = diags.iter().find(|d| d["pod"] == "image-worker-6c9f7d8b5-4xk2p").expect("its diagnosis");
    let kinds: Vec<&str> = d["kinds"].as_array().unwrap().iter().map(|k| k.as_str().unwrap()).collect();
    assert_eq!(kinds[0], "cache-without-eviction");
    let oom = kinds.iter().position(|k| *k == "oom-killed").unwrap();
    assert!(oom > 0);
    assert!(d["headline"].as_str().unwrap().contains("OOM-killed at its 512Mi limit"), "{}", d["headline"]);
    assert!(d["headline"].as_str().unwrap().contains("runbook pattern 2"), "{}", d["headline"]);
}

#[test]
fn workloads_follow_the_contract() {
    let json = sample_json();
    let ws = json["workloads"].as_array().expect("top-level workloads (additive to v1)");
    let pods: Vec<&serde_json::Value> = json["pods"].as_array().unwrap().iter().map(|p| &p["name"]).collect();
    for w in ws {
        let keys: Vec<&str> = w.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["growing", "headline", "kind", "name", "namespace", "oom_killed", "pods"], "{w}");
        assert!(
            ["Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"]
                .contains(&w["kind"].as_str().unwrap_or("Job"))
                || w["kind"].is_null()
        );
        let members = w["pods"].as_array().unwrap();
        for p in members {
            assert!(pods.contains(&p), "{p} is a pod of the report");
        }
        for p in w["growing"].as_array().unwrap().iter().chain(w["oom_killed"].as_array().unwrap()) {
            assert!(members.contains(p));
        }
        assert!(!w["headline"].as_str().unwrap().is_empty());
    }
    // The sample: the two image-worker replicas, one Deployment.
    let w = ws.iter().find(|w| w["name"] == "image-worker").expect("the image-worker Deployment");
    assert_eq!(w["kind"], "Deployment");
    assert_eq!(w["namespace"], "shop");
    assert_eq!(w["pods"].as_array().unwrap().len(), 2);
    assert_eq!(w["oom_killed"], serde_json::json!(["image-worker-6c9f7d8b5-4xk2p"]));
}
