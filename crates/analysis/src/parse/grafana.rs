//! A Grafana panel's CSV export ("Inspect → Data → Download CSV", series joined by
//! time) into memory samples: a header row `Time` + one column per series, then one row
//! per time.
//!
//! - Delimiter `,` (Grafana's default), `;` (older exports, Excel in some locales) or a
//!   tab; cells may be quoted with `"` (a quote inside doubled), as Grafana quotes
//!   header names holding commas. An Excel `sep=,` line before the header is skipped by
//!   the splitter (it is not the header).
//! - A column's name is a label set (`{container="app", namespace="shop", pod="w-1"}`,
//!   maybe with the metric name before the brace) or a legend (`w-1`, `w-1 app`,
//!   `w-1/app`): the pod is the `pod` label or the legend's first word, the container
//!   the `container` label or its second word. Without a container, the samples are the
//!   pod's (like plain `kubectl top pod`). `container=""` and `container="POD"` are
//!   skipped, as in Prometheus series.
//! - Times: Unix milliseconds (Grafana's raw export, decimals allowed), RFC 3339, or
//!   `YYYY-MM-DD HH:MM:SS` ("formatted data"; read as UTC, since the export does not say
//!   the browser's zone, and a warning says so).
//! - Values: numbers, or numbers with a byte unit as "formatted data" writes them
//!   (`1.02 GiB`, `350 MB`, `512 MiB`, `800 kB`, `12 B`); an empty cell is no sample.
//!
//! Example: `"Time","{container=""app"", pod=""w-1""}"` then `1764928800000,104857600`
//! gives container `app` of pod `w-1` a sample of 100 MiB at 2025-12-05T10:00:00Z.

use jiff::Timestamp;

use super::{origin, SectionContext};
use crate::model::{Model, Sample};
use crate::sections::Section;

/// Splits a CSV row on `delim`, honouring `"` quotes (a doubled quote is one quote).
pub(crate) fn cells(line: &str, delim: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == delim && !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Labels of a series name `metric{a="b", c="d"}`; `None` when it has no braces.
pub(crate) fn label_set(name: &str) -> Option<Vec<(String, String)>> {
    let open = name.find('{')?;
    let close = name.rfind('}')?;
    let body = name.get(open + 1..close)?;
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(eq) = rest.find('=') {
        let key = rest[..eq].trim().trim_start_matches(',').trim().to_string();
        let after = rest[eq + 1..].trim_start();
        let after = after.strip_prefix('~').unwrap_or(after); // `=~` in a legend copy
        let Some(v) = after.strip_prefix('"') else { break };
        let mut value = String::new();
        let mut end = v.len();
        let mut it = v.char_indices();
        while let Some((i, c)) = it.next() {
            match c {
                '\\' => {
                    if let Some((_, n)) = it.next() {
                        value.push(n);
                    }
                }
                '"' => {
                    end = i + 1;
                    break;
                }
                c => value.push(c),
            }
        }
        out.push((key, value));
        rest = v.get(end..).unwrap_or("");
    }
    Some(out)
}

/// A time cell: Unix milliseconds, RFC 3339, or `YYYY-MM-DD HH:MM:SS` as UTC (the
/// second element says the zone was assumed).
fn time_cell(cell: &str) -> Option<(Timestamp, bool)> {
    let c = cell.trim();
    if let Ok(ms) = c.parse::<f64>() {
        // Milliseconds (Grafana's raw export); a 10-digit number is seconds.
        let ms = if ms < 1e11 { ms * 1000.0 } else { ms };
        if !(0.0..1e14).contains(&ms) {
            return None;
        }
        return Timestamp::from_millisecond(ms.round() as i64).ok().map(|t| (t, false));
    }
    if let Some(t) = crate::time::parse_rfc3339(c) {
        return Some((t, false));
    }
    civil_utc(c).map(|t| (t, true))
}

/// `YYYY-MM-DD HH:MM:SS` (or with a `T`; seconds may have a fraction, dropped) as UTC.
/// By hand: jiff's civil parser would add to the page's weight for this one format.
fn civil_utc(c: &str) -> Option<Timestamp> {
    let (date, clock) = c.split_once([' ', 'T'])?;
    let mut d = date.split('-');
    let (y, mo, day) = (d.next()?.parse().ok()?, d.next()?.parse().ok()?, d.next()?.parse().ok()?);
    let mut t = clock.split(':');
    let (h, mi) = (t.next()?.parse().ok()?, t.next()?.parse().ok()?);
    let sec: i8 = match t.next() {
        Some(s) => s.split('.').next()?.parse().ok()?,
        None => 0,
    };
    if d.next().is_some() || t.next().is_some() {
        return None;
    }
    let dt = jiff::civil::DateTime::new(y, mo, day, h, mi, sec, 0).ok()?;
    jiff::tz::Offset::UTC.to_timestamp(dt).ok()
}

/// A value cell in bytes: a number, or a number and a byte unit.
fn bytes_cell(cell: &str) -> Option<f64> {
    let c = cell.trim();
    if c.is_empty() {
        return None;
    }
    let split = c.find(|ch: char| ch.is_ascii_alphabetic()).unwrap_or(c.len());
    let (num, unit) = c.split_at(split);
    let n: f64 = num.trim().parse().ok()?;
    let mult = match unit.trim() {
        "" | "B" | "bytes" => 1.0,
        "kB" | "KB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        "TB" => 1e12,
        "KiB" => 1024.0,
        "MiB" => 1048576.0,
        "GiB" => 1073741824.0,
        "TiB" => 1099511627776.0,
        _ => return None,
    };
    let v = n * mult;
    (v.is_finite() && v >= 0.0).then_some(v)
}

/// What a column is about: namespace, pod, container.
type Target = (Option<String>, String, Option<String>);

/// The pod and container a column's name gives: `None` for a name with no pod,
/// `Some(None)` for a pod cgroup or pause container column (skipped, not an app's).
fn column_target(name: &str) -> Option<Option<Target>> {
    if let Some(labels) = label_set(name) {
        let get = |k: &str| labels.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
        let pod = get("pod").or_else(|| get("pod_name")).filter(|p| !p.is_empty())?;
        let container = get("container").or_else(|| get("container_name"));
        if matches!(container.as_deref(), Some("" | "POD")) {
            return Some(None);
        }
        return Some(Some((get("namespace"), pod, container)));
    }
    let words: Vec<&str> =
        name.split(|c: char| c.is_whitespace() || c == '/' || c == ':').filter(|w| !w.is_empty()).collect();
    let pod = words.first()?;
    // A legend such as `Value` or `Series 1` names no pod.
    if !pod.contains('-') || matches!(*pod, "Value" | "Time") {
        return None;
    }
    match words.get(1) {
        Some(&"POD") => Some(None),
        c => Some(Some((None, pod.to_string(), c.map(|w| w.to_string())))),
    }
}

pub fn parse(section: &Section<'_>, ctx: &SectionContext, model: &mut Model) {
    let mut rows = section.lines.iter().filter(|(_, l)| !l.trim().is_empty());
    let Some(&(header_line, header)) = rows.next() else { return };
    let header = header.trim_start_matches('\u{feff}');
    let delim = header.char_indices().find(|(_, c)| matches!(c, ',' | ';' | '\t')).map(|(_, c)| c).unwrap_or(',');
    let names = cells(header, delim);
    let read: Vec<Option<Option<Target>>> = names.iter().skip(1).map(|n| column_target(n)).collect();
    let unnamed: Vec<&str> =
        names.iter().skip(1).zip(&read).filter(|(_, t)| t.is_none()).map(|(n, _)| n.as_str()).collect();
    let targets: Vec<Option<Target>> = read.into_iter().map(Option::flatten).collect();
    if !unnamed.is_empty() {
        let shown: Vec<String> = unnamed.iter().take(3).map(|n| format!("{n:?}")).collect();
        model.warn(
            origin(section, header_line),
            format!(
                "{} Grafana column(s) skipped ({}): the series name gives no pod (use a legend such as \
`{{{{pod}}}} {{{{container}}}}`, or no legend)",
                unnamed.len(),
                shown.join(", ")
            ),
        );
    }
    let default_ns = ctx.namespace(section).map(str::to_string);
    let mut assumed_utc = None;
    let mut bad = 0usize;
    let mut first_bad = None;
    let mut columns: Vec<Vec<Sample>> = vec![Vec::new(); targets.len()];
    for &(n, line) in rows {
        let row = cells(line, delim);
        let Some((at, assumed)) = row.first().and_then(|c| time_cell(c)) else {
            bad += 1;
            first_bad.get_or_insert(n);
            continue;
        };
        if assumed {
            assumed_utc.get_or_insert(n);
        }
        for (i, cell) in row.iter().skip(1).enumerate() {
            if targets.get(i).is_none_or(Option::is_none) || cell.trim().is_empty() {
                continue;
            }
            match bytes_cell(cell) {
                Some(v) => columns[i].push(Sample {
                    at: Some(at),
                    seq: ctx.seq,
                    bytes: v.round() as u64,
                    origin: origin(section, n),
                }),
                None => {
                    bad += 1;
                    first_bad.get_or_insert(n);
                }
            }
        }
    }
    for (target, samples) in targets.into_iter().zip(columns) {
        let Some((ns, pod, container)) = target else { continue };
        if samples.is_empty() {
            continue;
        }
        let ns = ns.or_else(|| default_ns.clone());
        let p = model.pod_mut(ns.as_deref(), &pod, origin(section, header_line));
        match container {
            Some(c) => p.container_mut(&c).memory_samples.extend(samples),
            None => p.memory_samples.extend(samples),
        }
    }
    if let Some(line) = first_bad {
        model.warn(
            origin(section, line),
            format!("{bad} Grafana CSV cell(s) skipped: not a time, or not a number of bytes (first at line {line})"),
        );
    }
    if let Some(line) = assumed_utc {
        model.warn(
            origin(section, line),
            "the Grafana CSV's times have no zone: read as UTC (export without \"Formatted data\" for exact times)",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::analyze_text;
    use crate::model::SectionKind;

    #[test]
    fn a_label_set_export_gives_container_samples() {
        let text = "\"Time\",\"{container=\"\"app\"\", namespace=\"\"shop\"\", pod=\"\"w-1\"\"}\",\"{container=\"\"POD\"\", pod=\"\"w-1\"\"}\"\r\n\
1764928800000,104857600,500000\r\n1764928860000,105906176,500000\r\n1764928920000,,500000\r\n";
        let a = analyze_text("panel.csv", text);
        assert_eq!(a.model.sections[0].kind, SectionKind::GrafanaCsv);
        let pod = &a.model.pods[0];
        assert_eq!((pod.namespace.as_deref(), pod.name.as_str()), (Some("shop"), "w-1"));
        assert_eq!(pod.containers.len(), 1, "the pause container is skipped");
        let s = &pod.containers[0].memory_samples;
        assert_eq!(s.iter().map(|s| s.bytes).collect::<Vec<_>>(), [104857600, 105906176]);
        assert_eq!(s[1].at.unwrap().to_string(), "2025-12-05T10:01:00Z");
        assert!(a.model.warnings.is_empty(), "{:?}", a.model.warnings);
    }

    #[test]
    fn a_legend_export_with_formatted_values() {
        let text =
            "Time;worker-1 app;worker-2\n2025-12-05 10:00:00;1.00 GiB;350 MB\n2025-12-05 10:01:00;1.01 GiB;351 MB\n";
        let a = analyze_text("paste", text);
        assert_eq!(a.model.sections[0].kind, SectionKind::GrafanaCsv);
        let w1 = a.model.pods.iter().find(|p| p.name == "worker-1").unwrap();
        assert_eq!(w1.containers[0].name, "app");
        assert_eq!(w1.containers[0].memory_samples[0].bytes, 1 << 30);
        let w2 = a.model.pods.iter().find(|p| p.name == "worker-2").unwrap();
        assert_eq!(w2.memory_samples[1].bytes, 351_000_000, "no container: the pod's samples");
        assert!(a.model.warnings.iter().any(|w| w.message.contains("read as UTC")));
    }

    /// Real exports' shapes: `Time;valA;valB` with ISO times (grafana/grafana#4041) and
    /// `Time,Value,Value` with fractional milliseconds (grafana/grafana#24600). Their
    /// names give no pod: skipped, and said.
    #[test]
    fn real_exports_without_pods_are_said_not_guessed() {
        for text in [
            "Time;valA;valB\n2015-06-11T11:50:00.000Z;1.1;2.0\n2015-06-11T11:51:00.000Z;1.2;2.3\n",
            "Time,Value,Value,Value,Value\n1589324745157.7249,0.6862745098039216,0.6666666666666666,0.6095057458440254,0.5\n",
        ] {
            let a = analyze_text("grafana.csv", text);
            assert_eq!(a.model.sections[0].kind, SectionKind::GrafanaCsv, "{text}");
            assert!(a.model.pods.is_empty());
            assert!(a.model.warnings.iter().any(|w| w.message.contains("gives no pod")), "{:?}", a.model.warnings);
        }
    }

    #[test]
    fn csv_cells_and_label_sets() {
        assert_eq!(super::cells("a,\"b,c\",\"d\"\"e\"", ','), ["a", "b,c", "d\"e"]);
        let l = super::label_set("container_memory_rss{container=\"app\", pod=\"w-1\"}").unwrap();
        assert_eq!(l, [("container".into(), "app".into()), ("pod".into(), "w-1".into())]);
        assert_eq!(super::bytes_cell("1.5 KiB"), Some(1536.0));
        assert_eq!(super::bytes_cell("12 parsecs"), None);
        assert_eq!(super::civil_utc("2025-12-05 10:01:02.5").unwrap().to_string(), "2025-12-05T10:01:02Z");
        assert_eq!(super::civil_utc("2025-12-05T10:01").unwrap().to_string(), "2025-12-05T10:01:00Z");
        assert!(super::civil_utc("2025-13-05 10:01:02").is_none() && super::civil_utc("10:01:02").is_none());
    }

    #[test]
    fn damaged_exports_never_panic() {
        crate::parse::assert_no_panic_on_damage(
            "Time,\"{pod=\"\"w-1\"\",container=\"\"a\"\"}\"\n1764928800000,5 GiB\n2025-13-45 99:00:00,x\n",
        );
    }
}
