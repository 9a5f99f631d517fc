//! The redaction rules, one per secret format, each with the name it is counted under
//! (`redactions: {"github-token": 2}` in the JSON report). Prefixes and shapes follow the
//! public rule sets (gitleaks, trufflehog, GitHub's secret-scanning partner list).
//!
//! Order matters: the formats with a prefix of their own come first, so a
//! `GITHUB_TOKEN=ghp_…` is counted as a `github-token`, and the rules by name
//! (`secret-value`) last: they leave a value that already holds the mask alone.

/// What a matched value must also look like to be replaced.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Check {
    /// Always a secret.
    Always,
    /// Has a digit or one of `+/=_-.` among letters (not a plain word such as
    /// `Basic authentication`), and at least 16 characters.
    Random,
    /// A value under a secret-looking name: not a number under a `*token*` name, not a
    /// field name `describe` prints (`secretName`), not a placeholder (`<set to the key …>`).
    Named,
    /// `pwd=` in a connection string: not a path (`PWD=/app`).
    NotPath,
}

pub(super) struct Spec {
    pub name: &'static str,
    /// The pattern; the named group `v` is what is replaced.
    pub pattern: String,
    pub check: Check,
}

/// Names that look secret, for env lines and JSON env entries (a bare `KEY` counts).
const NAME: &str = r"[A-Za-z0-9_.-]*(?i-u:PASSWORD|PASSWD|PASSPHRASE|TOKEN|SECRET|KEY|CREDENTIAL)[A-Za-z0-9_.-]*";
/// Narrower names for free text (logs, args), where a bare `key=` is too common.
const TEXT_NAME: &str = r"[A-Za-z0-9_.-]*(?i-u:PASSWORD|PASSWD|PASSPHRASE|TOKEN|SECRET|CREDENTIAL|API[_-]?KEY|ACCESS[_-]?KEY|PRIVATE[_-]?KEY|SECRET[_-]?KEY|AUTH[_-]?KEY|ACCOUNT[_-]?KEY|SIGNING[_-]?KEY|ENCRYPTION[_-]?KEY|MASTER[_-]?KEY)[A-Za-z0-9_.-]*";

/// Literals at least one of which every rule's match contains (checked by a test over
/// the corpus): a text with none of them has no secret the rules know.
pub(super) const MAYBE: &str = r"(?i-u:pass|pwd|token|secret|credential|key|bearer|basic|auth|sig=|sharedaccess|private)|gh[pousr]_|github_pat_|gl(?:pat|dt|rt|ptt|ft|cbt|imt|oas|soat)-|xox[abposre]-|hooks\.slack\.com|_live_|_test_|sk-|npm_|pypi-|hv[sb]\.|SG\.|SK[0-9a-f]|AKIA|ASIA|ABIA|ACCA|AIza|ya29\.|eyJ|://";

/// Every rule's word boundaries are ASCII ones, `(?-u:\b)`: secrets are ASCII, and a
/// Unicode `\b` makes the regex engine leave its lazy DFA for the much slower PikeVM on
/// any text with a non-ASCII character (the `…` and `→` of the analysis' own titles):
/// 90 ms of the page's reports at 200 MB (docs/performance.md). An ASCII boundary also
/// holds next to a non-ASCII letter, so it redacts that much more, never less.
pub(super) fn specs() -> Vec<Spec> {
    let s = |name: &'static str, pattern: &str, check: Check| Spec { name, pattern: pattern.to_string(), check };
    vec![
        // PEM private keys, whole block (also inside JSON strings with `\n`: a GCP
        // service account's `private_key`).
        s(
            "pem-private-key",
            r"-----BEGIN [A-Z ]*PRIVATE KEY-----(?P<v>[\s\S]*?)-----END [A-Z ]*PRIVATE KEY-----",
            Check::Always,
        ),
        // A BEGIN without its END in the same text (a cut log line): to the line end.
        s("pem-private-key", r"-----BEGIN [A-Z ]*PRIVATE KEY-----(?P<v>[^\n]+)", Check::Always),
        // GitHub: classic tokens by their prefix, fine-grained tokens.
        s("github-token", r"(?-u:\b)(?P<v>gh[pousr]_[A-Za-z0-9]{36,255})(?-u:\b)", Check::Always),
        s("github-token", r"(?-u:\b)(?P<v>github_pat_[A-Za-z0-9_]{22,255})(?-u:\b)", Check::Always),
        // GitLab personal, deploy, runner, pipeline-trigger and feed tokens.
        s("gitlab-token", r"(?-u:\b)(?P<v>gl(?:pat|dt|rt|ptt|ft|cbt|imt|oas|soat)-[A-Za-z0-9_-]{20,})", Check::Always),
        // Slack tokens and incoming webhooks.
        s("slack-token", r"(?-u:\b)(?P<v>xox[abposre]-[A-Za-z0-9-]{10,})", Check::Always),
        s(
            "slack-webhook",
            r"hooks\.slack\.com/(?:services|workflows|triggers)/(?P<v>[A-Za-z0-9+/_-]{20,})",
            Check::Always,
        ),
        // Stripe secret and restricted keys (live and test).
        s("stripe-key", r"(?-u:\b)(?P<v>(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,})", Check::Always),
        // Anthropic before OpenAI: both start with `sk-`.
        s("anthropic-key", r"(?-u:\b)(?P<v>sk-ant-[A-Za-z0-9_-]{20,})", Check::Always),
        s("openai-key", r"(?-u:\b)(?P<v>sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,})", Check::Always),
        s("openai-key", r"(?-u:\b)(?P<v>sk-[A-Za-z0-9]{32,})(?-u:\b)", Check::Random),
        s("npm-token", r"(?-u:\b)(?P<v>npm_[A-Za-z0-9]{36})(?-u:\b)", Check::Always),
        s("pypi-token", r"(?-u:\b)(?P<v>pypi-AgE[A-Za-z0-9_-]{50,})", Check::Always),
        // HashiCorp Vault service and batch tokens.
        s("vault-token", r"(?-u:\b)(?P<v>hv[sb]\.[A-Za-z0-9_-]{24,})", Check::Always),
        s("sendgrid-key", r"(?-u:\b)(?P<v>SG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64})", Check::Always),
        // Twilio API keys (`SK` + 32 hex); the auth token goes by its name.
        s("twilio-key", r"(?-u:\b)(?P<v>SK[0-9a-f]{32})(?-u:\b)", Check::Always),
        // Azure storage and service bus connection strings, SAS URLs (kubectl's JSON
        // writes `&` as `\u0026`).
        s("azure-key", r"(?i-u)(?-u:\b)(?:AccountKey|SharedAccessKey)=(?P<v>[A-Za-z0-9+/=]{16,})", Check::Always),
        s("azure-sas", r#"(?-u:\b)(?i-u:SharedAccessSignature)=(?P<v>(?:[^;\s"'\\]|\\u0026)+)"#, Check::Always),
        s("azure-sas", r"(?:[?&]|\\u0026)sig=(?P<v>[A-Za-z0-9%+/=]{16,})", Check::Always),
        // AWS: access key ids anywhere, secret access keys next to their names.
        s("aws-access-key-id", r"(?-u:\b)(?P<v>(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})(?-u:\b)", Check::Always),
        s(
            "aws-secret-access-key",
            r#"(?-u:\b)(?i-u:(?:aws_?)?secret_?access_?key)\\?["']?\s*[:=]\s*\\?["']?(?P<v>[A-Za-z0-9/+=]{40})(?:[^A-Za-z0-9/+=]|$)"#,
            Check::Always,
        ),
        // Google: API keys, OAuth access tokens, a service account's key id.
        s("google-api-key", r"(?-u:\b)(?P<v>AIza[0-9A-Za-z_-]{35})", Check::Always),
        s("google-oauth-token", r"(?-u:\b)(?P<v>ya29\.[0-9A-Za-z_-]{20,})", Check::Always),
        s("gcp-private-key-id", r#"\\*"private_key_id\\*"\s*:\s*\\*"(?P<v>[0-9a-f]{40})\\*""#, Check::Always),
        // Docker config JSON (`auths`): the base64 `user:password`, and identity tokens.
        s("docker-auth", r#"\\*"(?:auth|identitytoken)\\*"\s*:\s*\\*"(?P<v>[A-Za-z0-9+/=_.-]{8,})\\*""#, Check::Always),
        // JSON Web Tokens anywhere.
        s("jwt", r"(?P<v>(?-u:\b)eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+)", Check::Always),
        // Credentials in URLs: scheme://user:password@host
        s("url-password", r"(?-u:\b)[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]+:(?P<v>[^/\s@]+)@", Check::Always),
        // Authorization headers (`Bearer …`, `Basic …`), not the words in a sentence.
        s("authorization-header", r"(?i-u)(?-u:\b)(?:bearer|basic)\s+(?P<v>[A-Za-z0-9\-._~+/]{8,}=*)", Check::Random),
        // Connection strings: `Password=…;`, `pwd=…`.
        s("connection-string-password", r#"(?:^|;)\s*(?i-u:password|pwd)\s*=\s*(?P<v>[^;\s"'\\]+)"#, Check::NotPath),
        // describe: `      DB_PASSWORD:  hunter2` (an indented env line).
        s("secret-value", &format!(r"(?m)^[ \t]+(?P<n>{NAME}):[ \t]+(?P<v>\S[^\r\n]*?)[ \t]*$"), Check::Named),
        // JSON env entries, plain and inside a JSON string (`last-applied-configuration`).
        s(
            "secret-value",
            &format!(r#""name"\s*:\s*"(?P<n>{NAME})"\s*,\s*"value"\s*:\s*"(?P<v>(?:[^"\\]|\\.)*)""#),
            Check::Named,
        ),
        s(
            "secret-value",
            &format!(r#"\\"name\\"\s*:\s*\\"(?P<n>{NAME})\\"\s*,\s*\\"value\\"\s*:\s*\\"(?P<v>(?:[^"\\]|\\\\)*)\\""#),
            Check::Named,
        ),
        // YAML env entries: `- name: API_TOKEN` then `value: …` on the next line.
        s(
            "secret-value",
            &format!(
                r#"(?m)^[ \t]*-?[ \t]*name:[ \t]*["']?(?P<n>{NAME})["']?[ \t]*\r?\n[ \t]*value:[ \t]*(?P<v>\S[^\r\n]*?)[ \t]*$"#
            ),
            Check::Named,
        ),
        // name=value / name: value in args, logs, JSON objects. A JSON key with an
        // unquoted value (`"automountServiceAccountToken": false`) is a literal, not a
        // secret, and replacing it would break the JSON: kept.
        s(
            "secret-value",
            &format!(
                r#"(?P<n>{TEXT_NAME})(?P<kq>\\?["'])?[ \t]*[=:][ \t]*(?P<vq>\\?["'])?(?P<v>[^\s"'\\,;&{{}}\[\]<>()]+)"#
            ),
            Check::Named,
        ),
    ]
}

/// True for a value that is random-looking enough to be a credential.
pub(super) fn random(v: &str) -> bool {
    v.len() >= 16
        && v.bytes().any(|b| b.is_ascii_alphabetic())
        && v.bytes().any(|b| b.is_ascii_digit() || b"+/=_-.".contains(&b))
}

/// True for values that are not secrets even under a secret-looking name.
pub(super) fn placeholder(value: &str) -> bool {
    let v = value.trim().trim_matches(|c| c == '"' || c == '\'');
    v.is_empty()
        || v.contains(super::MASK)
        || v.starts_with("<set to the key")
        || v.starts_with("<none>")
        || v.starts_with("<unset>")
        || v.starts_with("<redacted")
        || v == "\\n"
        || v == "null"
        || v == "true"
        || v == "false"
}

/// Fields that `describe` and the API print under secret-looking names but that hold no
/// secret, and numbers under `*token*` and counting names (`max_tokens=512`,
/// `token_count: 37`, `secret_rotation_days: 90`).
pub(super) fn harmless_name(name: &str, value: &str) -> bool {
    const FIELDS: [&str; 9] = [
        "secretname",
        "tokenexpirationseconds",
        "secretref",
        "key",
        "secretoptionalname",
        "secretkeyref",
        "keyref",
        "tokenizer",
        "tokenizers_parallelism",
    ];
    /// A number under such a name is a setting, not a secret (`*_rotation_days: 90`).
    const COUNTING: [&str; 12] =
        ["token", "days", "seconds", "count", "size", "ttl", "timeout", "length", "max", "min", "rotation", "expir"];
    let n = name.trim_matches(|c| c == '-' || c == '_' || c == '.').to_ascii_lowercase();
    let number = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
    FIELDS.contains(&n.as_str()) || (number && COUNTING.iter().any(|w| n.contains(w)))
}
