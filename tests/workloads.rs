//! Workloads and their verdicts (issue 23) on generated bundles of many replicas
//! (`xtask/src/fleet.rs`, the generator behind `cargo xtask gen-fleet`): the JSON's
//! `workloads`, the verdict diagnosis, and the negative controls (noise is not a split;
//! similar prefixes and pods without an owner are not grouped).

#[path = "../xtask/src/fleet.rs"]
#[allow(dead_code)]
mod fleet;

use fleet::{Kind, Spec, Workload};
use kubeleak_analysis::{analyze_text, report};

fn json(spec: &Spec) -> serde_json::Value {
    let a = analyze_text("fleet.txt", &fleet::bundle(spec));
    serde_json::from_str(&report::to_json(&a)).unwrap()
}

fn workload<'j>(json: &'j serde_json::Value, name: &str) -> &'j serde_json::Value {
    json["workloads"].as_array().unwrap().iter().find(|w| w["name"] == name).unwrap_or_else(|| panic!("{name}"))
}

fn len(v: &serde_json::Value) -> usize {
    v.as_array().unwrap().len()
}

#[test]
fn forty_replicas_six_growing_on_one_node() {
    let json = json(&Spec::api40());
    assert_eq!(len(&json["workloads"]), 1);
    let w = workload(&json, "api");
    assert_eq!(w["kind"], "Deployment");
    assert_eq!(w["namespace"], "shop");
    assert_eq!(len(&w["pods"]), 40);
    assert_eq!(len(&w["growing"]), 6);
    assert_eq!(len(&w["oom_killed"]), 0);
    let h = w["headline"].as_str().unwrap();
    assert!(h.starts_with("6 of 40 replicas of api grow 1"), "{h}");
    assert!(h.contains("MiB/h (34 flat); all 6 run on node ip-10-0-3-17"), "{h}");
    assert!(h.ends_with("none of the flat ones do"), "{h}");
    // The verdict is the first diagnosis; the six growth diagnoses are folded into it.
    let d = json["diagnoses"].as_array().unwrap();
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["workload"], "api");
    assert_eq!(d[0]["headline"], w["headline"]);
    assert_eq!(len(&d[0]["findings"]), 6);
    let growth = json["findings"].as_array().unwrap().iter().filter(|f| f["kind"] == "memory-growth").count();
    assert_eq!(growth, 6, "per-pod findings stay, as evidence");
}

fn mixed() -> Spec {
    let mut some = Workload::new("api", Kind::Deployment, 8, 3);
    some.growing_node = Some("ip-10-0-3-17".into());
    let mut all = Workload::new("worker", Kind::Deployment, 4, 4);
    all.rate_mib_h = 90.0;
    let db = Workload::new("db", Kind::StatefulSet, 3, 0);
    // Similar prefix: `api-gateway-…` is its own Deployment, flat.
    let gateway = Workload::new("api-gateway", Kind::Deployment, 3, 0);
    // A pod without an owner, in no workload.
    let mut bare = Workload::new("debug", Kind::Bare, 1, 0);
    bare.listed = false;
    Spec {
        namespace: "shop".into(),
        workloads: vec![some, all, db, gateway, bare],
        samples: 8,
        minutes: 35,
        nodes: 4,
        noise_mib: 1,
        seed: 3,
    }
}

#[test]
fn several_workloads_each_with_its_verdict() {
    let json = json(&mixed());
    let names: Vec<&str> = json["workloads"].as_array().unwrap().iter().map(|w| w["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["api", "worker", "db", "api-gateway"], "no workload for the bare pod");

    let api = workload(&json, "api");
    assert_eq!((len(&api["pods"]), len(&api["growing"])), (8, 3));
    assert!(api["headline"].as_str().unwrap().contains("all 3 run on node ip-10-0-3-17"), "{api}");
    for p in api["pods"].as_array().unwrap() {
        assert!(!p.as_str().unwrap().starts_with("api-gateway-"), "prefixes are not mixed: {p}");
    }

    let worker = workload(&json, "worker");
    assert_eq!(len(&worker["growing"]), 4);
    let h = worker["headline"].as_str().unwrap();
    assert!(h.starts_with("all 4 replicas of worker grow 8"), "{h}");
    assert!(h.contains("a path every replica runs leaks") && !h.contains("node"), "{h}");

    let db = workload(&json, "db");
    assert_eq!(db["kind"], "StatefulSet");
    assert_eq!(db["pods"], serde_json::json!(["db-0", "db-1", "db-2"]));
    assert_eq!(db["headline"], "none of the 3 replicas of db grows");

    let gw = workload(&json, "api-gateway");
    assert_eq!((gw["kind"].as_str(), len(&gw["pods"]), len(&gw["growing"])), (Some("Deployment"), 3, 0));

    // One verdict per workload with growth, before anything else of it.
    let verdicts: Vec<&str> =
        json["diagnoses"].as_array().unwrap().iter().filter_map(|d| d["workload"].as_str()).collect();
    assert_eq!(verdicts, ["api", "worker"]);
}

#[test]
fn growth_that_differs_only_by_noise_is_not_split() {
    // Negative control: every replica creeps 6 MiB/h ±2 % with ±4 MiB of noise; whichever
    // the growth test flags, the verdict names no node and no split.
    let mut w = Workload::new("cache", Kind::Deployment, 12, 0);
    w.flat_rate_mib_h = 6.0;
    let spec = Spec {
        namespace: "shop".into(),
        workloads: vec![w],
        samples: 8,
        minutes: 35,
        nodes: 3,
        noise_mib: 4,
        seed: 11,
    };
    let json = json(&spec);
    let w = workload(&json, "cache");
    let h = w["headline"].as_str().unwrap();
    let growing = len(&w["growing"]);
    assert!(!h.contains(" run on node "), "{h}");
    // With this seed the growth test flags one of them: a split a careless verdict would make.
    assert!(growing > 0 && growing < 12, "{h}");
    assert!(h.contains("the difference is noise, not a split"), "{h}");
}

/// The page's e2e test (`tests/e2e/fleet.test.mjs`) loads the 40-replica bundle from
/// `tests/fixtures/fleet/api-40-replicas.txt`: it is the generator's output
/// (`UPDATE_EXPECT=1` writes it again).
#[test]
fn fleet_fixture_is_the_generators() {
    let path = kubeleak_tests::fixture("fleet/api-40-replicas.txt");
    let text = fleet::bundle(&Spec::api40());
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &text).unwrap();
    }
    assert!(std::fs::read_to_string(&path).is_ok_and(|t| t == text), "{} is stale", path.display());
}

#[test]
fn owners_come_from_describe_and_json_before_names() {
    // Names that fit no pattern: only the owners group them. describe's `Controlled By:`
    // and `-o json`'s `ownerReferences` (controller) both count.
    let text = "$ kubectl describe pod -n shop legacy-a
Name:         legacy-a
Namespace:    shop
Node:         ip-10-0-3-17/10.0.3.17
Start Time:   Tue, 24 Nov 2026 09:00:00 +0000
Controlled By:  ReplicaSet/api-7d9f8b6c5d
Containers:
  app:
    Image:          registry.example.com/shop/app:1.4.2
    Image ID:       registry.example.com/shop/app@sha256:4f5e
$ kubectl get pods -n shop legacy-b -o json
{\"kind\": \"Pod\", \"metadata\": {\"name\": \"legacy-b\", \"namespace\": \"shop\", \"ownerReferences\": [{\"kind\": \"ReplicaSet\", \"name\": \"api-7d9f8b6c5d\", \"controller\": true}]}, \"spec\": {\"nodeName\": \"ip-10-0-1-5\", \"containers\": [{\"name\": \"app\"}]}, \"status\": {\"startTime\": \"2026-11-24T09:05:00Z\"}}
$ kubectl describe pod -n shop odd-name
Name:         odd-name
Namespace:    shop
Controlled By:  StatefulSet/db
";
    let a = analyze_text("owners.txt", text);
    let json: serde_json::Value = serde_json::from_str(&report::to_json(&a)).unwrap();
    let api = workload(&json, "api");
    assert_eq!(api["kind"], "Deployment");
    assert_eq!(api["pods"], serde_json::json!(["legacy-a", "legacy-b"]));
    assert_eq!(workload(&json, "db")["kind"], "StatefulSet");
    let p = |name: &str| a.model.pods.iter().find(|p| p.name == name).unwrap();
    assert_eq!(p("legacy-a").start_time.map(|t| t.to_string()).as_deref(), Some("2026-11-24T09:00:00Z"));
    assert_eq!(p("legacy-b").start_time.map(|t| t.to_string()).as_deref(), Some("2026-11-24T09:05:00Z"));
    assert_eq!(p("legacy-a").containers[0].image_id.as_deref(), Some("registry.example.com/shop/app@sha256:4f5e"));
}

#[test]
fn the_html_report_shows_the_fleet() {
    let a = analyze_text("fleet.txt", &fleet::bundle(&Spec::api40()));
    let html = kubeleak_analysis::html::report(&a, "0.1.0");
    let start = html.find("<h2>Workloads (1)</h2>").expect("the fleet section");
    let fleet = &html[start..];
    assert_eq!(fleet.matches("<tr class=\"growing\">").count(), 6);
    assert_eq!(fleet.matches("<tr class=\"flat\">").count(), 34);
    assert!(fleet.contains("all 6 run on node ip-10-0-3-17"));
    // Growing first: no flat row before the last growing one.
    assert!(fleet.rfind("<tr class=\"growing\">") < fleet.find("<tr class=\"flat\">"));
}
