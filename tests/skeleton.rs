//! The walking skeleton's paste, through the analysis and the JSON contract.

use kubeleak_analysis::{analyze, input::Limits, report, Input};
use kubeleak_tests::read_fixture;

#[test]
fn skeleton_paste_gives_two_pods_with_two_samples_each() {
    let bytes = read_fixture("skeleton-top.txt");
    let analysis = analyze(&[Input { name: "skeleton-top.txt", bytes: &bytes }], &Limits::default());
    let json: serde_json::Value = serde_json::from_str(&report::to_json(&analysis)).unwrap();
    assert_eq!(json["schema"], "kubeleak.analysis/v1");
    let pods = json["pods"].as_array().unwrap();
    assert_eq!(pods.len(), 2);
    assert_eq!(pods[0]["namespace"], "shop");
    assert_eq!(pods[0]["name"], "worker-7d9f8b6c5-x2x9k");
    let bytes: Vec<u64> =
        pods[0]["memory_samples"].as_array().unwrap().iter().map(|s| s["bytes"].as_u64().unwrap()).collect();
    assert_eq!(bytes, vec![315_621_376, 360_710_144]);
    assert!(pods[1]["memory_samples"][0]["at"].is_null(), "no time in the paste: null, not guessed");
    assert_eq!(json["warnings"].as_array().unwrap().len(), 0);
}

#[test]
fn logs_pasted_before_describe_join_the_real_container() {
    let text = "$ kubectl logs -n shop worker-1
2026-11-24 10:00:01,000 INFO cache size=10 entries
$ kubectl describe pod -n shop worker-1
Name:         worker-1
Namespace:    shop
Status:       Running
Containers:
  app:
    State:          Running
    Restart Count:  0
";
    let a = kubeleak_analysis::analyze_text("paste", text);
    let pod = a.model.pod(Some("shop"), "worker-1").unwrap();
    let names: Vec<&str> = pod.containers.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, vec!["app"]);
    assert_eq!(pod.containers[0].logs[0].lines[0].origin.line, 2);
}
