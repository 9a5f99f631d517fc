//! Plain-text rendering of an analysis for the terminal.

use kubeleak_analysis::{quantity::format_bytes, report, Analysis};

/// Pods with their memory samples, then findings, then warnings.
pub fn render(analysis: &Analysis) -> String {
    let r = report::build(analysis);
    let mut out = String::new();
    out.push_str(&format!("{} pod(s)\n", r.pods.len()));
    for p in &r.pods {
        let ns = p.namespace.as_deref().unwrap_or("?");
        out.push_str(&format!("\npod {ns}/{}", p.name));
        if let Some(s) = &p.status {
            out.push_str(&format!("  status {s}"));
        }
        if let Some(n) = p.restarts {
            out.push_str(&format!("  restarts {n}"));
        }
        out.push('\n');
        push_samples(&mut out, "  memory", &p.memory_samples);
        for c in &p.containers {
            out.push_str(&format!("  container {}", c.name));
            if let Some(l) = c.memory_limit_bytes {
                out.push_str(&format!("  limit {}", format_bytes(l)));
            }
            if let Some(l) = c.memory_request_bytes {
                out.push_str(&format!("  request {}", format_bytes(l)));
            }
            out.push('\n');
            push_samples(&mut out, "    memory", &c.memory_samples);
        }
    }
    if !r.findings.is_empty() {
        out.push_str(&format!("\n{} finding(s)\n", r.findings.len()));
        for f in &r.findings {
            out.push_str(&format!("  [{:?}] {}: {}\n", f.severity, f.kind, f.title));
        }
    }
    if !r.warnings.is_empty() {
        out.push_str(&format!("\n{} warning(s)\n", r.warnings.len()));
        for w in &r.warnings {
            match w.line {
                Some(l) => out.push_str(&format!("  {}:{}: {}\n", w.source, l, w.message)),
                None => out.push_str(&format!("  {}: {}\n", w.source, w.message)),
            }
        }
    }
    out
}

fn push_samples(out: &mut String, label: &str, samples: &[report::Sample]) {
    if samples.is_empty() {
        return;
    }
    let values: Vec<String> = samples
        .iter()
        .map(|s| match &s.at {
            Some(at) => format!("{} @ {at}", format_bytes(s.bytes)),
            None => format_bytes(s.bytes),
        })
        .collect();
    out.push_str(&format!("{label}: {}\n", values.join(" → ")));
}
