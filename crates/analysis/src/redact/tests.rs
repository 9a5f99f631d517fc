use super::*;

/// The fake secrets of `tests/fixtures/secrets/fake-secrets.txt`: (kind, carrier text, secret).
pub(crate) fn corpus() -> Vec<(&'static str, String, String)> {
    include_str!("../../../../tests/fixtures/secrets/fake-secrets.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (kind, carrier) = l.split_once('\t').expect("KIND<TAB>CARRIER");
            let a = carrier.find("{{").expect("{{");
            let b = a + carrier[a..].find("}}").expect("}}");
            let secret = carrier[a + 2..b].replace('|', "");
            let text = format!("{}{secret}{}", &carrier[..a], &carrier[b + 2..]);
            (kind, text, secret)
        })
        .collect()
}

fn r(s: &str) -> String {
    redact(s, &mut Counts::new()).into_owned()
}

#[test]
fn every_format_of_the_corpus_is_redacted_under_its_kind() {
    let corpus = corpus();
    assert!(corpus.len() >= 40);
    for (kind, text, secret) in &corpus {
        let mut counts = Counts::new();
        let out = redact(text, &mut counts);
        assert!(!out.contains(secret.as_str()), "{kind}: {secret} left in {out}");
        assert!(out.contains(MASK), "{kind}: {out}");
        assert!(counts.get(kind).is_some_and(|&n| n >= 1), "{kind}: counted as {counts:?} in {text}");
        assert!(kinds().contains(kind), "{kind} is a rule's name");
    }
}

#[test]
fn every_format_is_redacted_wherever_kubectl_prints_it() {
    for (i, (kind, text, secret)) in corpus().iter().enumerate() {
        let json_value = serde_json::to_string(text).unwrap();
        let places = [
            // describe's env (under a harmless name: the shape alone must do)
            format!("    Environment:\n      SETTING_{i}:  {text}\n      LOG_LEVEL:  info\n"),
            // -o json env, and the same escaped in the last-applied annotation
            format!("{{\"name\": \"SETTING_{i}\", \"value\": {json_value}}}"),
            format!("\"last-applied\": {}", serde_json::to_string(&format!("{{\"value\":{json_value}}}")).unwrap()),
            // -o yaml env and args
            format!("    env:\n    - name: SETTING_{i}\n      value: '{}'\n", text.replace('\'', "''")),
            format!("    args:\n    - --setting={text}\n    - --workers=4\n"),
            // a log line, an event message
            format!("2026-11-24T10:00:01.123Z ERROR connect failed with {text} retrying"),
            format!("5m   Warning   Failed   pod/worker-1   Error: bad config {text}"),
        ];
        for p in &places {
            let out = r(p);
            assert!(!out.contains(secret.as_str()), "{kind}: {secret} left in\n{p}\n→\n{out}");
        }
    }
}

#[test]
fn look_alikes_are_kept() {
    let kept = [
        "Image ID:  docker.io/library/python@sha256:4f2b6c8e0a1d3f5b7c9e1a3d5f7b9c1e3a5d7f9b1c3e5a7d9f1b3c5e7a9d1f3b",
        "uid: 6f1c1a52-3c1e-4b7e-9a55-0b8f3f1d2c11",
        "commit 9fceb02d0ae598e95dc970b74767f19372d61af8 deployed",
        "Name:  worker-7d9f8b6c5-x2x9k\nLabels:  pod-template-hash=7d9f8b6c5",
        "\"resourceVersion\": \"123456789\",",
        "usage prompt_tokens=512 completion_tokens: 37 token_count=1024 max_tokens: 4096 total_tokens=4133",
        "    Limits:\n      memory:  512Mi\n    Requests:\n      memory:  256Mi",
        "2026-11-24T10:00:01.123456789Z gc: collecting generation 2 rss=301MiB",
        "      Finished:     Mon, 24 Nov 2026 10:02:11 +0000",
        "MemoryError: cannot allocate 1073741824 bytes for key cache",
        "Basic authentication enabled; bearer tokens are required",
        "worker using scikit-learn and sk-learn-compat 1.5.0",
        "    Mounts:\n      /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-5xk2q (ro)",
        "      DB_USER:  <set to the key 'user' in secret 'db'>  Optional: false",
        "    SecretName:  worker-creds\n    Optional:    false\n    TokenExpirationSeconds:  3607",
        "{\"automountServiceAccountToken\": false, \"secretName\": \"db\", \"api_key_rotations\": 3}",
        "\"valueFrom\": {\n \"secretKeyRef\": {\n \"key\": \"user\",\n \"name\": \"db\" } }",
        "PWD=/app HOME=/root",
        "Skipping SK000 and AKIA short",
        "INFO processed batch 42 in 1.9s rss=301MiB",
        "Events:\n  Warning  OOMKilling  12m  kernel-monitor  Memory cgroup out of memory: Killed process 4242 (python)",
        // Negative controls, one or more per rule: the prefix without the shape.
        "ghp_short gho_ ghs_config github_pat_x",
        "glpat-short and glrt-x",
        "xoxb-1 channel",
        "see https://hooks.slack.com/services/ for setup",
        "sk_live_x rk_test_",
        "sk-ant-x sk-proj-x",
        "npm_config_cache=/tmp/npm npm_install",
        "pypi-simple index pypi-AgE",
        "hvs.short hvb.x",
        "SG.short.x",
        "AccountName=fakeacct;AccountKey=;EndpointSuffix=core.windows.net",
        "    apiKey:\n      secretKeyRef:\n        key: api-key\n        name: creds",
        "https://example.com/img.png?sig=abc&w=10",
        "AKIA12 ASIAN markets",
        "AIzaShort ya29.x",
        "\"private_key_id\": null",
        "{\"auths\": {}}",
        "eyJhbGciOi only",
        "postgres://db:5432/app redis://redis.shop.svc:6379/0 http://user@host/",
        "connected via https://api.example.com/v1/items?page=2",
        "-----BEGIN CERTIFICATE-----",
        "aws_secret_access_key_rotation_days: 90",
    ];
    for t in kept {
        let mut counts = Counts::new();
        let out = redact(t, &mut counts);
        assert_eq!(out, t, "{counts:?}");
        assert!(counts.is_empty());
        assert!(matches!(out, Cow::Borrowed(_)) || counts.is_empty());
    }
}

#[test]
fn names_stay_and_values_go() {
    let text = "    Environment:\n      LOG_LEVEL:          info\n      DB_PASSWORD:        hunter2\n      API_TOKEN:          tok_live_123\n      DB_USER:            <set to the key 'user' in secret 'db'>  Optional: false\n";
    let mut counts = Counts::new();
    let out = redact(text, &mut counts);
    assert!(out.contains("      DB_PASSWORD:        [REDACTED]\n"), "{out}");
    assert!(out.contains("API_TOKEN:          [REDACTED]"), "{out}");
    assert!(out.contains("LOG_LEVEL:          info"), "{out}");
    assert_eq!(counts.get("secret-value"), Some(&2));
    assert_eq!(r("--db-password=x1 --workers=4"), "--db-password=[REDACTED] --workers=4");
    assert_eq!(r(r#"{"api_key": "abc"}"#), r#"{"api_key": "[REDACTED]"}"#);
    assert_eq!(r("config={'db_password': 'pw1', 'pool': 5}"), "config={'db_password': '[REDACTED]', 'pool': 5}");
    assert_eq!(r("headers X-Api-Key: k123 sent"), "headers X-Api-Key: [REDACTED] sent");
    assert_eq!(
        r("connect postgres://app:s3cret@db:5432/x and Authorization: Bearer abcdefgh12345678"),
        "connect postgres://app:[REDACTED]@db:5432/x and Authorization: Bearer [REDACTED]"
    );
    let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEabc\nxyz\n-----END RSA PRIVATE KEY-----\n";
    assert_eq!(r(pem), "-----BEGIN RSA PRIVATE KEY-----[REDACTED]-----END RSA PRIVATE KEY-----\n");
    // JSON stays JSON.
    let j = r#"{"name": "DB_PASSWORD", "value": "hun\"ter2"}"#;
    let v: serde_json::Value = serde_json::from_str(&r(j)).unwrap();
    assert_eq!(v["value"], MASK);
}

#[test]
fn a_value_is_counted_once_under_its_most_specific_kind() {
    let mut counts = Counts::new();
    let token = ["ghp_", "FAKE0fake1FAKE2fake3FAKE4fake5FAKE6f"].concat();
    let line = format!("      GITHUB_TOKEN:  {token}\n");
    let out = redact(&line, &mut counts);
    assert_eq!(out, "      GITHUB_TOKEN:  [REDACTED]\n");
    assert_eq!(counts.into_iter().collect::<Vec<_>>(), vec![("github-token", 1)]);
}

/// Word boundaries are ASCII ones: a secret right after a non-ASCII letter or the
/// analysis' own `…`/`→` is still found, and the same texts without a secret stay.
#[test]
fn non_ascii_neighbours_do_not_hide_a_secret() {
    for (kind, text, secret) in corpus() {
        // The formats known by their prefix (a URL's parts or a block keep their neighbours).
        const PREFIXED: [&str; 15] = [
            "github-token",
            "gitlab-token",
            "slack-token",
            "stripe-key",
            "anthropic-key",
            "openai-key",
            "npm-token",
            "pypi-token",
            "vault-token",
            "sendgrid-key",
            "twilio-key",
            "aws-access-key-id",
            "google-api-key",
            "google-oauth-token",
            "jwt",
        ];
        if !PREFIXED.contains(&kind) {
            continue;
        }
        for around in ["é", "…", "→"] {
            let t = text.replace(secret.as_str(), &format!("{around}{secret}{around}"));
            let out = r(&t);
            assert!(!out.contains(secret.as_str()), "{kind}: {secret} left in {out}");
        }
    }
    for kept in ["grew 64 MiB/h → killed at ~1.0Gi", "café… token_count: 37", "résumé ghp_short"] {
        assert_eq!(r(kept), kept);
    }
}
