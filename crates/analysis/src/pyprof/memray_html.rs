//! memray's HTML reports (`memray flamegraph`, `memray table`): the memory records they
//! embed, read as data. The HTML is never rendered and its scripts never run.
//!
//! memray's report template ends with a script that holds the data as JSON, among it
//! `const memory_records = [[time, rss, heap], …];` (one `MemorySnapshot(time, rss,
//! heap)` per sample: milliseconds since the Unix epoch, resident size in bytes, heap
//! bytes memray tracked; jinja's `tojson` with `separators=(",", ":")`). Recognised by its
//! `<title>memray - …</title>` and that declaration; each record becomes one
//! [`MemoryRecord`] of [`Profiles::memory_records`](crate::model::Profiles), citing the
//! line of the declaration, and [`crate::parse::pyprof::join`] ties them to the bundle's only
//! pod. Example, in a report's last script:
//! ```text
//! const memory_records = [[1795514400000,52428800,1048576],[1795514460000,104857600,50331648]];
//! ```
//! gives two records: at 2026-11-24T10:00:00Z RSS 50 MiB, heap 1 MiB; a minute later RSS
//! 100 MiB, heap 48 MiB.

use jiff::Timestamp;

use crate::model::{MemoryRecord, Model, Origin, Profiles, Source};

const DECLARATION: &str = "const memory_records = ";

/// Whether a text is a memray HTML report (title, and the memory records declaration).
pub fn is_report(text: &str) -> bool {
    let head = text.get(..text.len().min(4096)).unwrap_or_else(|| {
        let mut end = 4096.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        &text[..end]
    });
    head.contains("<title>memray - ") && memchr::memmem::find(text.as_bytes(), DECLARATION.as_bytes()).is_some()
}

/// Reads the memory records of a report; problems are returned as messages with lines.
pub fn read(source: usize, lines: &[&str]) -> (Profiles, Vec<(u32, String)>) {
    let mut out = Profiles::default();
    let mut problems = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(at) = line.find(DECLARATION) else { continue };
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let origin = Origin { source, line: n };
        let rest = line.get(at + DECLARATION.len()..).unwrap_or("");
        // One JSON value, then `;` (the stream reader stops after the first value).
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<Vec<serde_json::Value>>();
        let records = match stream.next() {
            Some(Ok(r)) => r,
            Some(Err(e)) => {
                problems.push((n, format!("memray memory records skipped: cannot read their JSON ({e})")));
                continue;
            }
            None => continue,
        };
        let mut bad = 0usize;
        for r in &records {
            let fields = r.as_array().map(Vec::as_slice).unwrap_or(&[]);
            let (Some(time), Some(rss), Some(heap)) = (
                fields.first().and_then(serde_json::Value::as_i64),
                fields.get(1).and_then(serde_json::Value::as_u64),
                fields.get(2).and_then(serde_json::Value::as_u64),
            ) else {
                bad += 1;
                continue;
            };
            out.memory_records.push(MemoryRecord { at: Timestamp::from_millisecond(time).ok(), rss, heap, origin });
        }
        if bad > 0 {
            problems.push((n, format!("{bad} memray memory records are not [time, rss, heap] numbers; skipped")));
        }
    }
    (out, problems)
}

/// Adds a memray report to the model as its own source: its lines (kept as text, for
/// the evidence) and its memory records, joined later to the only pod.
pub fn add_to_model(name: &str, text: &str, problems: Vec<String>, model: &mut Model) {
    let source = model.sources.len();
    let lines: Vec<&str> = text.lines().collect();
    for p in problems {
        model.warn(Origin { source, line: 0 }, p);
    }
    let (found, issues) = read(source, &lines);
    for (line, msg) in issues {
        model.warn(Origin { source, line }, msg);
    }
    if found.memory_records.is_empty() {
        model.warn(Origin { source, line: 0 }, format!("{name}: a memray report without memory records"));
    }
    model.sources.push(Source {
        name: name.to_string(),
        bytes: text.len() as u64,
        lines: u32::try_from(lines.len()).unwrap_or(u32::MAX),
        text: lines.iter().map(|l| l.to_string()).collect(),
        quoted: Default::default(),
    });
    model.profiles.append(found);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `memray flamegraph` report cut to its structure: the template's head, stats modal
    /// and the final data script (packed flame graph data abridged).
    pub(crate) const REPORT: &str = include_str!("../../../../tests/fixtures/cases/pyprof/memray-flamegraph.html");

    #[test]
    fn records_become_a_series() {
        assert!(is_report(REPORT));
        assert!(!is_report("<html><title>other</title>const memory_records = []"));
        let a = crate::analyze_text("memray-flamegraph-worker.html", REPORT);
        let m = &a.model;
        assert!(m.warnings.iter().all(|w| w.message.contains("not tied to a pod")), "{:?}", m.warnings);
        let r = &m.profiles.memory_records;
        assert_eq!(r.len(), 4);
        assert_eq!(r[0].at.unwrap().to_string(), "2026-11-24T10:00:00Z");
        assert_eq!((r[0].rss, r[0].heap), (50 << 20, 1 << 20));
        assert_eq!((r[3].rss, r[3].heap), (320 << 20, 270 << 20));
        assert!(m.line_text(r[3].origin).trim_start().starts_with("const memory_records = [["));
        assert!(m.sections.is_empty(), "HTML is not split into kubectl sections");
    }

    #[test]
    fn joined_to_the_only_pod_and_damage() {
        let top = "$ kubectl top pod -n shop --containers\nPOD NAME CPU(cores) MEMORY(bytes)\nw-1 worker 1m 301Mi\n";
        let a = crate::analyze(
            &[
                crate::Input { name: "top.txt", bytes: top.as_bytes() },
                crate::Input { name: "report.html", bytes: REPORT.as_bytes() },
            ],
            &crate::input::Limits::default(),
        );
        let c = a.model.pods[0].container("worker").unwrap();
        assert_eq!(c.profiles.memory_records.len(), 4);
        assert!(a.model.warnings.is_empty(), "{:?}", a.model.warnings);
        let bad = REPORT.replace("[1795514460000,157286400,104857600]", "[\"x\",1]");
        let m = crate::analyze_text("r.html", &bad).model;
        assert_eq!(m.profiles.memory_records.len(), 3);
        assert!(m.warnings.iter().any(|w| w.message.contains("1 memray memory records")));
        let cut = REPORT.replace("[1795514580000,335544320,283115520]];", "[17955");
        let m = crate::analyze_text("r.html", &cut).model;
        assert!(m.warnings.iter().any(|w| w.message.contains("cannot read their JSON")), "{:?}", m.warnings);
        for (i, _) in REPORT.char_indices().step_by(7) {
            let _ = crate::analyze_text("r.html", &REPORT[..i]);
        }
    }
}
