//! Redaction: secrets in text replaced by [`MASK`], counted by kind, never kept.
//!
//! kubeleak's outputs are made to be shared with people who have no cluster access, so
//! every text an output quotes from a bundle (evidence lines, finding texts, warnings,
//! chart labels) passes through [`redact`] before it is written, and the collector runs
//! the same rules over kubectl's output before it writes a bundle. One implementation,
//! pure (no I/O), so the page, `kubeleak analyze` and `kubeleak collect` agree.
//!
//! The rules ([`rules`], one per format, each with the name it is counted under) know
//! secrets by their shape (`ghp_…`, `xoxb-…`, `sk-ant-…`, `AKIA…`, JWTs, PEM blocks) or
//! by their name (`DB_PASSWORD: …` in `describe`, `{"name": "API_TOKEN", "value": …}` in
//! `-o json`, `--api-key=…` in arguments). Only the value is replaced: the name stays, so
//! a reader still sees which variable was set. A value the analysis needs is never one of
//! them: digests, UUIDs, git SHAs, pod-template hashes, resourceVersions, memory
//! quantities, timestamps, and numbers under `*token*` names (`max_tokens=512`) are kept.
//!
//! Cost: one pass of a regex of literals only ([`rules::MAYBE`]: the prefixes and names
//! every rule needs one of) turns away almost every text, returned as it is without a
//! copy; then each rule's own regex (a `RegexSet` of all the rules was 90 times slower:
//! its automaton of every rule at once does not fit the lazy DFA's cache).
//!
//! Example: `redact("DB_PASSWORD=hunter2", &mut counts)` is `"DB_PASSWORD=[REDACTED]"`,
//! with `counts["secret-value"] == 1`.

mod rules;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use regex::{Captures, Regex};

use rules::Check;

/// What a secret is replaced by.
pub const MASK: &str = "[REDACTED]";

/// How many values of each kind were replaced (`"github-token" → 2`).
pub type Counts = BTreeMap<&'static str, usize>;

struct Rule {
    name: &'static str,
    re: Regex,
    check: Check,
}

struct Rules {
    /// Literals every rule needs one of: a text without any is returned at once.
    maybe: Regex,
    rules: Vec<Rule>,
}

fn compiled() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| {
        let specs = rules::specs();
        let rules = specs
            .into_iter()
            .map(|s| Rule { name: s.name, re: Regex::new(&s.pattern).expect("valid redaction rule"), check: s.check })
            .collect();
        Rules { maybe: Regex::new(rules::MAYBE).expect("valid redaction prefilter"), rules }
    })
}

/// The kinds of secret the rules know, by the names they are counted under.
pub fn kinds() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = compiled().rules.iter().map(|r| r.name).collect();
    v.dedup();
    v
}

fn replace(rule: &Rule, c: &Captures<'_>) -> bool {
    let Some(v) = c.name("v") else { return false };
    let value = v.as_str();
    if rules::placeholder(value) {
        return false;
    }
    match rule.check {
        Check::Always => true,
        Check::Random => rules::random(value),
        Check::NotPath => !value.starts_with('/') && !value.starts_with('~') && !value.starts_with('$'),
        Check::Named => {
            // A JSON key with an unquoted value is a literal (`"automountServiceAccountToken": false`).
            let json_literal = c.name("kq").is_some() && c.name("vq").is_none();
            !json_literal && !c.name("n").is_some_and(|n| rules::harmless_name(n.as_str(), value))
        }
    }
}

/// `text` with every secret replaced by [`MASK`]; each replaced value is counted in
/// `counts` under its kind. Borrowed when there was nothing to replace.
pub fn redact<'t>(text: &'t str, counts: &mut Counts) -> Cow<'t, str> {
    let rs = compiled();
    if !rs.maybe.is_match(text) {
        return Cow::Borrowed(text);
    }
    let mut out: Cow<'t, str> = Cow::Borrowed(text);
    for rule in &rs.rules {
        if !rule.re.is_match(&out) {
            continue;
        }
        let mut n = 0;
        let replaced = rule.re.replace_all(&out, |c: &Captures<'_>| {
            let whole = c.get(0).map_or("", |m| m.as_str());
            let (Some(m), Some(v)) = (c.get(0), c.name("v")) else { return whole.to_string() };
            if !replace(rule, c) {
                return whole.to_string();
            }
            n += 1;
            let (a, b) = (v.start() - m.start(), v.end() - m.start());
            format!("{}{MASK}{}", &whole[..a], &whole[b..])
        });
        if n > 0 {
            *counts.entry(rule.name).or_default() += n;
            out = Cow::Owned(replaced.into_owned());
        }
    }
    out
}

/// [`redact`] into a `String` in place; true when something was replaced.
pub fn redact_string(s: &mut String, counts: &mut Counts) -> bool {
    match redact(s, counts) {
        Cow::Borrowed(_) => false,
        Cow::Owned(o) => {
            *s = o;
            true
        }
    }
}

#[cfg(test)]
mod tests;
