//! Redaction of secrets in kubectl output before it is written to a bundle.
//!
//! Recognises, and replaces by `[REDACTED]` (keeping the name, so a reader still sees
//! *which* variable was set):
//! - values of environment variables whose names look secret (`PASSWORD`, `PASSWD`,
//!   `TOKEN`, `SECRET`, `KEY`, `CREDENTIAL`, any case) in `describe` output
//!   (`      DB_PASSWORD:  hunter2`) and in JSON (`{"name": "API_TOKEN", "value": "…"}`,
//!   also inside escaped JSON such as the `last-applied-configuration` annotation);
//! - `name=value` / `name: value` pairs with such names in arguments and log lines
//!   (`--db-password=x`, `api_key: x`);
//! - bearer and basic credentials (`Authorization: Bearer eyJ…`), JSON Web Tokens;
//! - passwords in URLs (`postgres://user:pass@host` → `postgres://user:[REDACTED]@host`);
//! - AWS access key ids (`AKIA…`, `ASIA…`), Google API keys (`AIza…`) and OAuth tokens
//!   (`ya29.…`);
//! - PEM private keys (`-----BEGIN … PRIVATE KEY-----` … `-----END … PRIVATE KEY-----`).
//!
//! Values that `describe` prints in place of a secret (`<set to the key 'x' in secret
//! 'y'>`) are not secret and are kept. Example: `redact("DB_PASSWORD=hunter2")` is
//! `("DB_PASSWORD=[REDACTED]", 1)`.

use std::sync::OnceLock;

use regex::{Captures, Regex};

pub const MASK: &str = "[REDACTED]";

struct Rule {
    re: Regex,
    /// Capture group whose text is replaced.
    group: &'static str,
}

fn rules() -> &'static [Rule] {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES.get_or_init(|| {
        const NAME: &str = r"[A-Za-z0-9_.-]*(?i-u:PASSWORD|PASSWD|TOKEN|SECRET|KEY|CREDENTIAL)[A-Za-z0-9_.-]*";
        // Narrower names for free text (logs, args), where a bare `key=` is too common.
        const TEXT_NAME: &str = r"[A-Za-z0-9_.-]*(?i-u:PASSWORD|PASSWD|TOKEN|SECRET|CREDENTIAL|API[_-]?KEY|ACCESS[_-]?KEY|PRIVATE[_-]?KEY|SECRET[_-]?KEY|AUTH[_-]?KEY)[A-Za-z0-9_.-]*";
        let r = |p: &str, group: &'static str| Rule {
            re: Regex::new(p).expect("valid redaction regex"),
            group,
        };
        vec![
            // PEM private keys, whole block (also inside JSON strings with `\n`).
            r(r"-----BEGIN [A-Z ]*PRIVATE KEY-----(?P<v>[\s\S]*?)-----END [A-Z ]*PRIVATE KEY-----", "v"),
            // A BEGIN without its END on the same text (cut log line): to the line end.
            r(r"-----BEGIN [A-Z ]*PRIVATE KEY-----(?P<v>[^\n]+)", "v"),
            // describe: `      DB_PASSWORD:  hunter2` (indented env line).
            r(&format!(r"(?m)^[ \t]+(?P<n>{NAME}):[ \t]+(?P<v>\S[^\r\n]*?)[ \t]*$"), "v"),
            // JSON env entries.
            r(&format!(r#""name"\s*:\s*"(?:{NAME})"\s*,\s*"value"\s*:\s*"(?P<v>(?:[^"\\]|\\.)*)""#), "v"),
            // The same inside a JSON string (the `last-applied-configuration` annotation).
            r(&format!(r#"\\"name\\"\s*:\s*\\"(?:{NAME})\\"\s*,\s*\\"value\\"\s*:\s*\\"(?P<v>(?:[^"\\]|\\\\)*)\\""#), "v"),
            // name=value / name: value in args, logs, JSON objects.
            // A JSON key with an unquoted value (`"automountServiceAccountToken": false`) is
            // a literal, not a secret, and replacing it would break the JSON: kept.
            r(&format!(r#"(?P<n>{TEXT_NAME})(?P<kq>\\?["'])?\s*[=:]\s*(?P<vq>\\?["'])?(?P<v>[^\s"'\\,;&{{}}\[\]<>()]+)"#), "v"),
            // Credentials in URLs: scheme://user:password@host
            r(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]+:(?P<v>[^/\s@]+)@", "v"),
            // Authorization headers.
            r(r"(?i-u)\b(?:bearer|basic)\s+(?P<v>[A-Za-z0-9\-._~+/]{8,}=*)", "v"),
            // JSON Web Tokens anywhere.
            r(r"(?P<v>\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+)", "v"),
            // AWS access key ids, Google API keys and OAuth access tokens.
            r(r"(?P<v>\b(?:AKIA|ASIA)[A-Z0-9]{16}\b)", "v"),
            r(r"(?P<v>\bAIza[0-9A-Za-z_-]{35})", "v"),
            r(r"(?P<v>\bya29\.[0-9A-Za-z_-]{20,})", "v"),
        ]
    })
}

/// True for values that are not secrets even under a secret-looking name.
fn keep(value: &str) -> bool {
    let v = value.trim();
    v.is_empty()
        || v.contains(MASK)
        || v.starts_with("<set to the key")
        || v.starts_with("<none>")
        || v.starts_with("<unset>")
        || v == "\\n"
}

/// Fields that `describe` prints under secret-looking names but that hold no secret,
/// and numbers under `*token*` names (`max_tokens=512` in a log line).
fn keep_name(name: &str, value: &str) -> bool {
    const FIELDS: [&str; 5] = ["secretname", "tokenexpirationseconds", "secretref", "key", "secretoptionalname"];
    FIELDS.contains(&name.to_ascii_lowercase().as_str())
        || (name.to_ascii_lowercase().contains("token") && value.bytes().all(|b| b.is_ascii_digit()))
}

/// Replaces secrets in `text`; returns the new text and how many values were replaced.
pub fn redact(text: &str) -> (String, usize) {
    let mut out = text.to_string();
    let mut count = 0;
    for rule in rules() {
        if !rule.re.is_match(&out) {
            continue;
        }
        let replaced = rule
            .re
            .replace_all(&out, |c: &Captures<'_>| {
                let whole = c.get(0).map_or("", |m| m.as_str());
                let Some(v) = c.name(rule.group) else {
                    return whole.to_string();
                };
                let json_literal = c.name("kq").is_some() && c.name("vq").is_none();
                if json_literal || keep(v.as_str()) || c.name("n").is_some_and(|n| keep_name(n.as_str(), v.as_str())) {
                    return whole.to_string();
                }
                count += 1;
                let start = c.get(0).map_or(0, |m| m.start());
                let (a, b) = (v.start() - start, v.end() - start);
                format!("{}{MASK}{}", &whole[..a], &whole[b..])
            })
            .into_owned();
        out = replaced;
    }
    (out, count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> String {
        redact(s).0
    }

    #[test]
    fn describe_env_lines() {
        let text = "    Environment:\n      LOG_LEVEL:          info\n      DB_PASSWORD:        hunter2\n      API_TOKEN:          tok_live_123\n      DB_USER:            <set to the key 'user' in secret 'db'>  Optional: false\n";
        let (out, n) = redact(text);
        assert!(out.contains("      DB_PASSWORD:        [REDACTED]\n"), "{out}");
        assert!(out.contains("API_TOKEN:          [REDACTED]"), "{out}");
        assert!(out.contains("LOG_LEVEL:          info"), "{out}");
        assert!(out.contains("<set to the key 'user' in secret 'db'>"), "{out}");
        assert_eq!(n, 2);
    }

    #[test]
    fn json_env_plain_and_escaped() {
        let text =
            "{\n  \"name\": \"DB_PASSWORD\",\n  \"value\": \"hun\\\"ter2\"\n}, {\"name\":\"HOST\",\"value\":\"db\"}";
        let out = r(text);
        assert!(out.contains("\"value\": \"[REDACTED]\""), "{out}");
        assert!(out.contains("\"value\":\"db\""), "{out}");
        let escaped = r#""last-applied": "{\"env\":[{\"name\":\"API_TOKEN\",\"value\":\"abc123\"}]}""#;
        let out = r(escaped);
        assert!(!out.contains("abc123"), "{out}");
        assert!(out.contains(r#"\"name\":\"API_TOKEN\""#), "{out}");
    }

    #[test]
    fn urls_bearer_keys_pem() {
        let out = r("connect postgres://app:s3cret@db:5432/x and Authorization: Bearer abcdefghijklmnop");
        assert_eq!(out, "connect postgres://app:[REDACTED]@db:5432/x and Authorization: Bearer [REDACTED]");
        assert_eq!(r("key AKIAIOSFODNN7EXAMPLE here"), "key [REDACTED] here");
        let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEabc\nxyz\n-----END RSA PRIVATE KEY-----\n";
        assert_eq!(r(pem), "-----BEGIN RSA PRIVATE KEY-----[REDACTED]-----END RSA PRIVATE KEY-----\n");
        assert_eq!(r("--db-password=x1 --workers=4"), "--db-password=[REDACTED] --workers=4");
        assert_eq!(r(r#"{"api_key": "abc"}"#), r#"{"api_key": "[REDACTED]"}"#);
        // Python reprs and HTTP headers in log lines.
        assert_eq!(r("config={'db_password': 'pw1', 'pool': 5}"), "config={'db_password': '[REDACTED]', 'pool': 5}");
        assert_eq!(r("headers X-Api-Key: k123 sent"), "headers X-Api-Key: [REDACTED] sent");
        assert_eq!(r("usage prompt_tokens=512 max_tokens: 1024"), "usage prompt_tokens=512 max_tokens: 1024");
    }

    #[test]
    fn ordinary_text_is_kept() {
        let text = "INFO processed batch 42 in 1.9s rss=301MiB\nName:  worker\n  Limits:\n    memory:  512Mi\n";
        assert_eq!(redact(text), (text.to_string(), 0));
        // `secretKeyRef` is a field, not a value.
        let j = "\"valueFrom\": {\n \"secretKeyRef\": {\n \"key\": \"user\",\n \"name\": \"db\" } }";
        assert_eq!(redact(j), (j.to_string(), 0));
        // JSON literals under secret-looking keys stay valid JSON.
        let j = "{\"automountServiceAccountToken\": false, \"secretName\": \"db\", \"api_key_rotations\": 3}";
        assert_eq!(redact(j), (j.to_string(), 0));
    }
}
