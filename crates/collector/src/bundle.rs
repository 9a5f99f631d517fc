//! Writing a bundle (`docs/bundle-format.md`): the header, one annotated transcript entry
//! per command, gzip by default, atomically (a temporary file in the same directory,
//! synced, then renamed over the target), so a crash never leaves a half file that looks
//! whole.
//!
//! Example entry:
//! ```text
//! $ kubectl top pod -n shop -l app=worker --containers  # at 2026-11-24T10:00:05Z
//! error: Metrics API not available
//! # kubeleak: exit-code 1
//! # kubeleak: stderr: error: Metrics API not available
//! ```

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use jiff::Timestamp;

/// The `# key: value` lines at the top.
#[derive(Clone, Debug, Default)]
pub struct Header {
    pub captured_at: Option<Timestamp>,
    pub context: Option<String>,
    /// `None` for every namespace (`-A`): `# all-namespaces: true` instead.
    pub namespace: Option<String>,
    pub selector: Option<String>,
    pub pod: Option<String>,
    pub kubectl_version: Option<String>,
    /// Values replaced by the redactor; `None` when redaction was off (`# redacted: off`).
    pub redacted: Option<usize>,
    pub interrupted: bool,
}

/// One command and what it printed.
#[derive(Clone, Debug, Default)]
pub struct Entry {
    /// `kubectl …` as run.
    pub command: String,
    pub at: Option<Timestamp>,
    pub stdout: String,
    /// `None` when the command exited 0.
    pub exit_code: Option<i32>,
    pub stderr: String,
    /// Extra `# kubeleak: …` notes (timeout, signal, truncation).
    pub notes: Vec<String>,
}

/// Header values may not break the line structure.
fn one_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

pub fn render(header: &Header, entries: &[Entry]) -> String {
    let mut out = String::from("# kubeleak-bundle: 1\n");
    if let Some(t) = header.captured_at {
        out.push_str(&format!("# captured-at: {t}\n"));
    }
    if let Some(c) = &header.context {
        out.push_str(&format!("# context: {}\n", one_line(c)));
    }
    match &header.namespace {
        Some(ns) => out.push_str(&format!("# namespace: {}\n", one_line(ns))),
        None => out.push_str("# all-namespaces: true\n"),
    }
    if let Some(s) = &header.selector {
        out.push_str(&format!("# selector: {}\n", one_line(s)));
    }
    if let Some(p) = &header.pod {
        out.push_str(&format!("# pod: {}\n", one_line(p)));
    }
    if let Some(v) = &header.kubectl_version {
        out.push_str(&format!("# kubectl-version: {}\n", one_line(v)));
    }
    match header.redacted {
        Some(n) => out.push_str(&format!("# redacted: {n}\n")),
        None => out.push_str("# redacted: off\n"),
    }
    out.push_str(&format!("# interrupted: {}\n", header.interrupted));
    for e in entries {
        out.push_str("$ ");
        out.push_str(&one_line(&e.command));
        if let Some(at) = e.at {
            out.push_str(&format!("  # at {at}"));
        }
        out.push('\n');
        out.push_str(&e.stdout);
        if !e.stdout.is_empty() && !e.stdout.ends_with('\n') {
            out.push('\n');
        }
        if let Some(code) = e.exit_code {
            out.push_str(&format!("# kubeleak: exit-code {code}\n"));
        }
        for line in e.stderr.lines() {
            out.push_str("# kubeleak: stderr: ");
            out.push_str(line.strip_suffix('\r').unwrap_or(line));
            out.push('\n');
        }
        for n in &e.notes {
            out.push_str("# kubeleak: ");
            out.push_str(&one_line(n));
            out.push('\n');
        }
    }
    out
}

/// A bundle file being written, atomically: the text goes to a temporary file in the
/// target's directory, is synced, then renamed over the target. The file is readable by
/// its owner only, as bundles can hold what the redactor did not recognise. The temporary
/// file exists from the start, so a directory that cannot be written is reported before
/// any kubectl command runs; dropped unfinished, it is removed.
pub struct Pending {
    tmp: tempfile::NamedTempFile,
    path: std::path::PathBuf,
}

impl Pending {
    /// Creates the temporary file (`.kubeleak-*.partial`, mode 0600) next to `path`.
    pub fn create(path: &Path) -> Result<Pending> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".kubeleak-")
            .suffix(".partial")
            .tempfile_in(dir)
            .with_context(|| format!("cannot write a bundle in {}", dir.display()))?;
        Ok(Pending { tmp, path: path.to_path_buf() })
    }

    /// The temporary file (removed when a third interrupt quits at once).
    pub fn partial_path(&self) -> &Path {
        self.tmp.path()
    }

    /// Writes `text` (gzip unless `gzip` is false), syncs, and renames over the target.
    pub fn finish(mut self, text: &str, gzip: bool) -> Result<()> {
        let file = self.tmp.as_file_mut();
        if gzip {
            let mut enc = flate2::write::GzEncoder::new(&mut *file, flate2::Compression::default());
            enc.write_all(text.as_bytes())?;
            enc.finish()?;
        } else {
            file.write_all(text.as_bytes())?;
        }
        file.flush()?;
        file.sync_all()?;
        let path = self.path;
        self.tmp.persist(&path).map_err(|e| e.error).with_context(|| format!("cannot write {}", path.display()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_header_and_failures() {
        let h = Header {
            captured_at: "2026-11-24T10:00:00Z".parse().ok(),
            context: Some("prod".into()),
            namespace: Some("shop".into()),
            selector: Some("app=worker".into()),
            redacted: Some(2),
            ..Header::default()
        };
        let e = Entry {
            command: "kubectl top pod -n shop -l app=worker --containers".into(),
            at: "2026-11-24T10:00:05Z".parse().ok(),
            stdout: String::new(),
            exit_code: Some(1),
            stderr: "error: Metrics API not available\n".into(),
            notes: vec![],
        };
        let text = render(&h, &[e]);
        assert_eq!(
            text,
            "# kubeleak-bundle: 1\n# captured-at: 2026-11-24T10:00:00Z\n# context: prod\n# namespace: shop\n# selector: app=worker\n# redacted: 2\n# interrupted: false\n$ kubectl top pod -n shop -l app=worker --containers  # at 2026-11-24T10:00:05Z\n# kubeleak: exit-code 1\n# kubeleak: stderr: error: Metrics API not available\n"
        );
        let all = render(&Header { namespace: None, ..h }, &[]);
        assert!(all.contains("\n# all-namespaces: true\n") && !all.contains("# namespace:"), "{all}");
    }

    #[test]
    fn atomic_write_leaves_only_the_bundle() {
        use std::io::Read;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.txt.gz");
        std::fs::write(&path, "old").unwrap();
        Pending::create(&path).unwrap().finish("# kubeleak-bundle: 1\n", true).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let mut text = String::new();
        flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut text).unwrap();
        assert_eq!(text, "# kubeleak-bundle: 1\n");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("b.txt.gz")]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert!(Pending::create(&dir.path().join("no/such/dir/b.txt")).is_err());
        // Dropped unfinished: nothing is left behind.
        drop(Pending::create(&dir.path().join("c.txt")).unwrap());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
