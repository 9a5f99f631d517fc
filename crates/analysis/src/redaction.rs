//! The analysis as it is shared: every text the outputs quote, redacted.
//!
//! The JSON report, the HTML report, the terminal output and the page's exports quote
//! the bundle: evidence lines, finding and diagnosis texts (which may cite a log line),
//! warnings, the labels of the log-mined series charted beside memory. [`redact`] passes
//! each of them through [`crate::redact::redact`] once and records the counts by kind in
//! [`Analysis::redactions`], which the outputs show (`redactions` in the JSON, a line in
//! the HTML report and the text output). Only what the outputs quote is read, after the
//! detectors ran: the findings (kinds, pods, containers, severities, evidence lines,
//! numbers) are the same with and without redaction, and a 200 MB bundle costs no more
//! than its few hundred quoted lines.
//!
//! Never redacted: pod, container and namespace names, the capture's context and
//! selector, quantities and times (the findings' identity and numbers).
//!
//! The page shows the bundle as it is and exports the redacted texts: it redacts, builds
//! the exports, then puts the originals back ([`restore`]). Example:
//! `let originals = redaction::redact(&mut analysis); let json = report::to_json(&analysis);
//! redaction::restore(&mut analysis, originals);`.

use std::collections::BTreeSet;

use crate::finding::{Analysis, Diagnosis, Finding};
use crate::model::{Origin, Warning};
use crate::redact::{self, Counts};

/// What [`redact`] replaced, to put back with [`restore`].
#[derive(Debug, Default)]
pub struct Originals {
    findings: Vec<Finding>,
    diagnoses: Vec<Diagnosis>,
    warnings: Vec<Warning>,
    lines: Vec<(Origin, String)>,
}

/// The line text of an origin, as [`crate::model::Source::line`] finds it, mutably.
fn line_mut(a: &mut Analysis, o: Origin) -> Option<&mut String> {
    let s = a.model.sources.get_mut(o.source)?;
    let i = o.line.checked_sub(1)? as usize;
    if i < s.text.len() {
        s.text.get_mut(i)
    } else {
        s.quoted.get_mut(&o.line)
    }
}

/// Redacts every text the outputs quote, in place; sets [`Analysis::redactions`] and
/// returns the originals of what it changed.
pub fn redact(a: &mut Analysis) -> Originals {
    let mut counts = Counts::new();
    let mut originals = Originals::default();
    // Each quoted line once, however many findings cite it.
    let origins: BTreeSet<Origin> = a.findings.iter().flat_map(|f| f.evidence.iter().copied()).collect();
    for o in origins {
        if let Some(line) = line_mut(a, o) {
            if let std::borrow::Cow::Owned(r) = redact::redact(line, &mut counts) {
                originals.lines.push((o, std::mem::replace(line, r)));
            }
        }
    }
    let before = counts.values().sum::<usize>();
    let mut findings = a.findings.clone();
    for f in &mut findings {
        for s in [&mut f.title, &mut f.detail, &mut f.advice] {
            redact::redact_string(s, &mut counts);
        }
        if let Some(series) = &mut f.series {
            redact::redact_string(&mut series.label, &mut counts);
        }
    }
    let mut diagnoses = a.diagnoses.clone();
    for d in &mut diagnoses {
        redact::redact_string(&mut d.headline, &mut counts);
        for s in &mut d.advice {
            redact::redact_string(s, &mut counts);
        }
    }
    let mut warnings = a.model.warnings.clone();
    for w in &mut warnings {
        redact::redact_string(&mut w.message, &mut counts);
    }
    if counts.values().sum::<usize>() > before {
        originals.findings = std::mem::replace(&mut a.findings, findings);
        originals.diagnoses = std::mem::replace(&mut a.diagnoses, diagnoses);
        originals.warnings = std::mem::replace(&mut a.model.warnings, warnings);
    }
    a.redactions = Some(counts);
    originals
}

/// Puts back what [`redact`] replaced (the page shows the bundle as it is).
pub fn restore(a: &mut Analysis, originals: Originals) {
    let Originals { findings, diagnoses, warnings, lines } = originals;
    if !findings.is_empty() || !diagnoses.is_empty() || !warnings.is_empty() {
        a.findings = findings;
        a.diagnoses = diagnoses;
        a.model.warnings = warnings;
    }
    for (o, text) in lines {
        if let Some(line) = line_mut(a, o) {
            *line = text;
        }
    }
    a.redactions = None;
}

/// The counts as one line for people: `3 secrets redacted (github-token 2, jwt 1)`, or
/// `no secrets found to redact`; `None` when the analysis was not redacted.
pub fn summary(a: &Analysis) -> Option<String> {
    let counts = a.redactions.as_ref()?;
    let total: usize = counts.values().sum();
    if total == 0 {
        return Some("no secrets found to redact".to_string());
    }
    let kinds: Vec<String> = counts.iter().map(|(k, n)| format!("{k} {n}")).collect();
    Some(format!("{total} secret{} redacted ({})", if total == 1 { "" } else { "s" }, kinds.join(", ")))
}
