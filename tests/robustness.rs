//! Any input returns an analysis: no panic on random bytes, on random arrangements of
//! real kubectl lines, or on the classic broken inputs. (The fuzzing issue extends this.)

use kubeleak_analysis::{analyze, analyze_text, input::Limits, report, Input};
use proptest::prelude::*;

/// Lines of real kubectl output and shell noise, to be shuffled and cut by proptest.
const VOCABULARY: &[&str] = &[
    "$ kubectl top pod -n shop --containers  # at 2026-11-24T10:00:05Z",
    "$ kubectl get pods -o wide",
    "$ kubectl describe pod -n shop worker-1",
    "$ kubectl logs worker-1 --previous --timestamps",
    "$ kubectl get events -A",
    "$ kubectl get pods -o json",
    "NAME                      CPU(cores)   MEMORY(bytes)",
    "POD        NAME     CPU(cores)   MEMORY(bytes)",
    "worker-1   worker   212m         301Mi",
    "worker-1    212m         99999999999999999999Ei",
    "NAME       READY   STATUS             RESTARTS      AGE",
    "worker-1   0/1     CrashLoopBackOff   5 (2m ago)    3h",
    "Name:             worker-1",
    "Namespace:        shop",
    "    Last State:     Terminated",
    "      Reason:       OOMKilled",
    "      Exit Code:    137",
    "      memory:  512Mi",
    "LAST SEEN   TYPE      REASON      OBJECT          MESSAGE",
    "5m          Warning   OOMKilling  node/node-1     Memory cgroup out of memory",
    "{",
    "}",
    "  \"kind\": \"PodList\",",
    "  \"items\": [",
    "apiVersion: v1",
    "kind: List",
    "2026-11-24T10:00:01.123456789Z Traceback (most recent call last):",
    "MemoryError",
    "",
    "\u{1b}[31mred\u{1b}[0m",
    "Every 30.0s: kubectl top pod    host: Tue Nov 24 10:00:00 2026",
    "# kubeleak-bundle: 1",
    "# kubeleak: exit-code 1",
    "\u{202e}evil\u{200b}",
    "\r",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let a = analyze(&[Input { name: "random.bin", bytes: &bytes }], &Limits::default());
        let _ = report::to_json(&a);
    }

    #[test]
    fn shuffled_kubectl_lines_never_panic(picks in proptest::collection::vec(0..VOCABULARY.len(), 0..120)) {
        let text: Vec<&str> = picks.iter().map(|&i| VOCABULARY[i]).collect();
        let a = analyze_text("shuffled.txt", &text.join("\n"));
        let json = report::to_json(&a);
        prop_assert!(json.contains("kubeleak.analysis/v1"));
    }
}

#[test]
fn classic_broken_inputs_say_what_is_wrong() {
    let cases: [(&str, &[u8], &str); 4] = [
        ("empty.txt", b"", "empty"),
        ("nul.txt", &[0u8; 512], "NUL"),
        ("elf", b"\x7fELF\x02\x01\x01\0\0\0", "ELF"),
        ("truncated.gz", &[0x1f, 0x8b, 0x08, 0x00, 0x00], "gzip"),
    ];
    for (name, bytes, want) in cases {
        let a = analyze(&[Input { name, bytes }], &Limits::default());
        let msgs: Vec<&str> = a.model.warnings.iter().map(|w| w.message.as_str()).collect();
        assert!(msgs.iter().any(|m| m.contains(want) && m.starts_with(name)), "{name}: {msgs:?}");
    }
}

#[test]
fn a_long_single_line_is_handled() {
    let line = "x".repeat(5 << 20);
    let a = analyze_text("long.txt", &line);
    // Text of no known shape: read as the log of a pod it does not name, the line cut.
    assert!(a.model.pods.iter().all(|p| p.name == kubeleak_analysis::model::UNNAMED_POD));
    assert!(a.findings.is_empty());
    let msgs: Vec<&str> = a.model.warnings.iter().map(|w| w.message.as_str()).collect();
    assert!(msgs.iter().any(|m| m.contains("were cut")), "{msgs:?}");
}
