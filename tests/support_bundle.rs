//! A Replicated support bundle (`tests/fixtures/support-bundle/support-bundle-worker.tar.gz`,
//! built by `make.sh` from the tree beside it): the Python worker story, OOMKilled (137)
//! at its 512Mi limit while its thumbnail cache grew, read end to end.

use std::io::Read;
use std::path::Path;

use kubeleak_analysis::{analyze, input::Limits, report, Input};

const ARCHIVE: &str = "support-bundle/support-bundle-worker.tar.gz";
const ROOT: &str = "support-bundle/support-bundle-2026-11-24T10_12_00";

fn archive() -> Vec<u8> {
    kubeleak_tests::read_fixture(ARCHIVE)
}

fn files(dir: &Path, out: &mut Vec<(String, Vec<u8>)>, base: &Path) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out, base);
        } else {
            let rel = p.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/");
            out.push((rel, std::fs::read(&p).unwrap()));
        }
    }
}

/// The committed archive holds exactly the committed tree (rebuild with `make.sh`).
#[test]
fn archive_matches_the_tree() {
    let gz = archive();
    let mut tar = Vec::new();
    flate2::read::GzDecoder::new(gz.as_slice()).read_to_end(&mut tar).unwrap();
    let tree_root = kubeleak_tests::fixture(ROOT);
    let mut want = Vec::new();
    files(&tree_root, &mut want, tree_root.parent().unwrap());
    // Walk the ustar headers by hand: name at 0..100, size (octal) at 124..136.
    let mut got = Vec::new();
    let mut i = 0;
    while i + 512 <= tar.len() && tar[i] != 0 {
        let h = &tar[i..i + 512];
        let name = String::from_utf8_lossy(&h[..100]).trim_end_matches('\0').to_string();
        let prefix = String::from_utf8_lossy(&h[345..500]).trim_end_matches('\0').to_string();
        let name = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&h[124..135]).trim_matches(|c| c == '\0' || c == ' '), 8)
                .unwrap();
        if h[156] == b'0' || h[156] == 0 {
            got.push((name, tar[i + 512..i + 512 + size].to_vec()));
        }
        i += 512 + size.div_ceil(512) * 512;
    }
    got.sort();
    want.sort();
    assert_eq!(got.iter().map(|g| &g.0).collect::<Vec<_>>(), want.iter().map(|w| &w.0).collect::<Vec<_>>());
    assert!(got == want, "archive content differs from the tree: run tests/fixtures/support-bundle/make.sh");
}

#[test]
fn the_worker_story_end_to_end() {
    let gz = archive();
    let name = "support-bundle-worker.tar.gz";
    let a = analyze(&[Input { name, bytes: &gz }], &Limits::default());
    let m = &a.model;

    // One source for the bundle, one per member read, in archive order.
    let names: Vec<&str> = m.sources.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "support-bundle-worker.tar.gz",
            "support-bundle-worker.tar.gz:cluster-resources/events/shop.json",
            "support-bundle-worker.tar.gz:cluster-resources/pods/logs/shop/worker-7d9f8b6c5-x2x9k/worker-previous.log",
            "support-bundle-worker.tar.gz:cluster-resources/pods/logs/shop/worker-7d9f8b6c5-x2x9k/worker.log",
            "support-bundle-worker.tar.gz:cluster-resources/pods/shop.json",
            "support-bundle-worker.tar.gz:node-metrics/node-1.json",
        ]
    );

    let pod = m.pod(Some("shop"), "worker-7d9f8b6c5-x2x9k").unwrap();
    let c = pod.container("worker").unwrap();
    let limit = c.memory_limit.as_ref().unwrap();
    assert_eq!(limit.value, 512 << 20);
    assert_eq!(m.source_name(limit.origin), names[4]);
    assert_eq!(m.line_text(limit.origin).trim(), r#""memory": "512Mi""#);
    let last = c.last_termination.as_ref().unwrap();
    assert_eq!((last.reason.as_deref(), last.exit_code), (Some("OOMKilled"), Some(137)));
    assert_eq!(c.restarts.as_ref().unwrap().value, 3);
    assert_eq!(pod.node.as_deref(), Some("node-1"));

    // Events: the pod's two, the ReplicaSet's counted in a warning.
    let reasons: Vec<&str> = pod.events.iter().map(|e| e.reason.as_str()).collect();
    assert_eq!(reasons, ["Pulled", "BackOff"]);
    assert_eq!(pod.events[1].count, 3);
    assert_eq!(pod.events[1].last_seen.unwrap().to_string(), "2026-11-24T09:40:59Z");

    // Logs, previous and current, as `kubectl logs` would give them; times from the lines.
    let previous = c.logs.iter().find(|l| l.previous).unwrap();
    let current = c.logs.iter().find(|l| !l.previous).unwrap();
    assert_eq!(previous.lines.len(), 34);
    assert_eq!(current.lines.len(), 22);
    assert_eq!(previous.lines[0].at.unwrap().to_string(), "2026-11-24T08:52:10Z");
    assert_eq!(m.source_name(previous.lines[0].origin), names[2]);
    assert_eq!(previous.lines[0].origin.line, 1);

    // Node metrics: the working set of both workers, and the node's.
    let s = &c.memory_samples[0];
    assert_eq!(s.bytes, 360_710_144);
    assert_eq!(s.at.unwrap().to_string(), "2026-11-24T10:11:59Z");
    assert_eq!(m.source_name(s.origin), names[5]);
    assert_eq!(m.node("node-1").unwrap().memory_samples[0].bytes, 3_489_660_928);
    let other = m.pod(Some("shop"), "worker-7d9f8b6c5-q8r2m").unwrap();
    assert_eq!(other.container("worker").unwrap().memory_samples[0].bytes, 301_989_888);

    // tracemalloc in the logs, tied to the container.
    let site = c.profiles.allocation_sites.iter().find(|s| s.file == "/app/worker/images.py").unwrap();
    assert_eq!(site.line, Some(88));

    // What else the bundle held: one warning, at the bundle's own listing.
    let held: Vec<&str> = m.warnings.iter().map(|w| w.message.as_str()).filter(|w| w.contains("also held")).collect();
    assert_eq!(
        held,
        ["support-bundle-worker.tar.gz: the support bundle also held 6 other members that kubeleak does not read: \
          (top level) (1), cluster-resources (4), host-collectors (1) (only pods, events, pod logs and node metrics are read)"]
    );
    let others: Vec<&str> =
        m.warnings.iter().map(|w| w.message.as_str()).filter(|w| !w.contains("also held")).collect();
    assert_eq!(others, ["1 event about objects other than pods and nodes not read (ReplicaSet ×1)"]);

    // Findings: the OOM kill and the growing cache, with evidence inside the members.
    let kinds: Vec<&str> = a.findings.iter().map(|f| f.kind.as_str()).collect();
    assert!(kinds.contains(&"oom-killed"), "{kinds:?}");
    let cache = a.findings.iter().find(|f| f.title.contains("cache")).unwrap_or_else(|| panic!("{kinds:?}"));
    assert!(cache.evidence.iter().all(|o| m.source_name(*o).starts_with("support-bundle-worker.tar.gz:")));

    // The JSON contract carries the member names as sources.
    let json: serde_json::Value = serde_json::from_str(&report::to_json(&a)).unwrap();
    assert!(json.to_string().contains("worker-previous.log"));
}

#[test]
fn damaged_archive_keeps_what_was_read() {
    let gz = archive();
    let mut tar = Vec::new();
    flate2::read::GzDecoder::new(gz.as_slice()).read_to_end(&mut tar).unwrap();
    // The archive is padded with zero blocks after its last member: cut inside the content.
    let end = tar.iter().rposition(|&b| b != 0).unwrap();
    for cut in [end / 3, end / 2, end - 10] {
        let a = analyze(&[Input { name: "sb.tar", bytes: &tar[..cut] }], &Limits::default());
        assert!(
            a.model.warnings.iter().any(|w| w.message.contains("truncated or damaged support bundle")),
            "cut {cut}: {:?}",
            a.model.warnings
        );
        assert!(a.model.sources.len() >= 2, "cut {cut}: members before the damage are kept");
    }
    for cut in (0..gz.len()).step_by(61) {
        let _ = analyze(&[Input { name: "sb.tgz", bytes: &gz[..cut] }], &Limits::default());
    }
}
