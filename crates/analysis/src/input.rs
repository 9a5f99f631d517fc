//! Turning raw bytes (a paste, an uploaded file, a collector bundle) into text.
//!
//! Recognises gzip by its magic bytes and inflates it chunk by chunk under a size cap
//! ([`Limits`], 1 GiB by default): a decompression bomb is refused as soon as it passes the
//! cap, with a message saying so, and memory never holds more than the cap. Refuses binary
//! files (PNG, ELF, ZIP, NUL bytes), gzipped or not, with a message naming what they look
//! like (a gzip of binary after its first 8 KiB), and reads invalid UTF-8 lossily.
//!
//! Example: `decode("bundle.txt.gz", &gz_bytes, &Limits::default())` gives the
//! transcript's text, or `Err("bundle.txt.gz: truncated gzip …")` with what was inflated.
//!
//! Valid UTF-8 that is not gzipped is borrowed, not copied: a 1 GB capture stays 1 GB.

use std::borrow::Cow;
use std::io::Read;

/// One input: a file, or the page's paste.
#[derive(Clone, Copy, Debug)]
pub struct Input<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
}

/// Caps on what one input may become.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest inflated size of a gzip input, in bytes.
    pub max_inflated_bytes: u64,
    /// Largest input (as text) whose every line is kept in
    /// [`Source::text`](crate::model::Source::text), and whose log entries are kept in
    /// [`LogStream::lines`](crate::model::LogStream::lines) (8 MiB by default: a paste or
    /// a small file). Bigger inputs keep only the lines evidence may quote, so memory
    /// follows what is found, not the input's size; 0 keeps no full text.
    pub keep_text_bytes: u64,
    /// Natively: digest the log streams on one digest thread, overlapped with reading
    /// (same result; see `digest_sink.rs`). Off by default (a library should not
    /// start threads unasked); `kubeleak analyze` turns it on. On wasm32 (no threads),
    /// the streams go to the page's digest workers when a port is set
    /// ([`crate::digest_workers`]), else they are digested on the reading thread.
    pub digest_threads: bool,
    /// Natively, with [`digest_threads`](Limits::digest_threads): the threads of the
    /// whole analysis, the reading thread included (`kubeleak analyze --threads N`), so
    /// `threads − 1` digest threads share the log streams (at least one). Same result
    /// for any number (issue 21).
    pub threads: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_inflated_bytes: 1 << 30, keep_text_bytes: 8 << 20, digest_threads: false, threads: 2 }
    }
}

impl Limits {
    /// Digest threads the log streams are dealt to: 0 when they are digested on the
    /// reading thread (on wasm32 unless a digest worker port is set).
    pub fn digest_thread_count(&self) -> usize {
        if self.digest_threads {
            self.threads.saturating_sub(1).max(1)
        } else {
            0
        }
    }
}

/// The text of one input, plus what went wrong reading it (empty when nothing did).
#[derive(Debug)]
pub struct Decoded<'a> {
    /// Borrowed from the input when it was plain valid UTF-8.
    pub text: Cow<'a, str>,
    /// Messages for the reader: lossy UTF-8, truncated gzip, refused binary.
    pub problems: Vec<String>,
}

pub(crate) const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// What a binary file looks like, from its first bytes.
pub(crate) fn binary_kind(bytes: &[u8]) -> Option<&'static str> {
    const MAGICS: [(&[u8], &str); 7] = [
        (b"\x89PNG", "a PNG image"),
        (b"\x7fELF", "an ELF executable"),
        (b"PK\x03\x04", "a ZIP archive"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"%PDF", "a PDF document"),
        (b"GIF8", "a GIF image"),
        (b"\0asm", "a WebAssembly module"),
    ];
    for (magic, what) in MAGICS {
        if bytes.starts_with(magic) {
            return Some(what);
        }
    }
    let head = &bytes[..bytes.len().min(8192)];
    let nuls = head.iter().filter(|&&b| b == 0).count();
    if nuls * 100 > head.len() {
        return Some("binary data (many NUL bytes)");
    }
    None
}

/// Decodes one input to text. Never panics; problems are reported in [`Decoded::problems`].
pub fn decode<'a>(name: &str, bytes: &'a [u8], limits: &Limits) -> Decoded<'a> {
    let mut problems = Vec::new();
    if bytes.is_empty() {
        problems.push(format!("{name}: the input is empty"));
        return Decoded { text: Cow::Borrowed(""), problems };
    }
    if !bytes.starts_with(&GZIP_MAGIC) {
        let text = to_text(name, bytes, &mut problems).unwrap_or(Cow::Borrowed(""));
        return Decoded { text, problems };
    }
    let Some(inflated) = inflate(name, bytes, limits, &mut problems) else {
        return Decoded { text: Cow::Borrowed(""), problems };
    };
    if inflated.is_empty() && problems.is_empty() {
        problems.push(empty_gzip(name));
    }
    // The inflated bytes become the text without a copy when they are valid UTF-8.
    let text = match String::from_utf8(inflated) {
        Ok(s) => s,
        Err(e) => {
            problems.push(lossy(name));
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
    };
    Decoded { text: Cow::Owned(text), problems }
}

/// Binary refusal, then UTF-8: borrowed when valid, lossy (with a problem) when not.
/// `None` when the bytes are binary.
fn to_text<'b>(name: &str, raw: &'b [u8], problems: &mut Vec<String>) -> Option<Cow<'b, str>> {
    if let Some(kind) = binary_kind(raw) {
        problems.push(refused_binary(name, kind));
        return None;
    }
    // `from_utf8` checks ASCII a word at a time; the lossy decoder walks every byte, so
    // it only runs when the text really has invalid bytes.
    match std::str::from_utf8(raw) {
        Ok(s) => Some(Cow::Borrowed(s)),
        Err(_) => {
            problems.push(lossy(name));
            Some(Cow::Owned(String::from_utf8_lossy(raw).into_owned()))
        }
    }
}

pub(crate) fn refused_binary(name: &str, kind: &str) -> String {
    format!("{name}: skipped: this is {kind}, not kubectl output")
}

/// A whole, valid gzip of nothing (found by the `decode` fuzz target: it had read as an
/// empty text with no word about it).
pub(crate) fn empty_gzip(name: &str) -> String {
    format!("{name}: the gzip holds no text (it inflates to 0 bytes)")
}

pub(crate) fn lossy(name: &str) -> String {
    format!("{name}: not valid UTF-8; invalid bytes were replaced with U+FFFD")
}

/// Inflates gzip (several members allowed) chunk by chunk, so memory never exceeds the
/// cap: a decompression bomb is refused as soon as the cap is passed, and binary content
/// as soon as its first 8 KiB are seen. `None` (with a problem) when refused; damaged
/// gzip keeps what inflated before the damage.
fn inflate(name: &str, bytes: &[u8], limits: &Limits, problems: &mut Vec<String>) -> Option<Vec<u8>> {
    const SNIFF: usize = 8192;
    let cap = limits.max_inflated_bytes;
    let cap_len = usize::try_from(cap).unwrap_or(usize::MAX);
    let mut reader = flate2::read::MultiGzDecoder::new(bytes);
    let mut out: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    let mut sniffed = false;
    loop {
        match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => {
                let got = chunk.get(..n).unwrap_or(&chunk);
                if out.len().saturating_add(got.len()) > cap_len {
                    problems.push(format!(
                        "{name}: refused: gzip inflates to more than {} (the cap for one input); \
                         this looks like a decompression bomb. Nothing of it was analyzed.",
                        cap_text(cap)
                    ));
                    return None;
                }
                // Grow by doubling, but never beyond the cap.
                if out.capacity() - out.len() < got.len() {
                    let want = out.len().saturating_mul(2).max(out.len() + got.len()).min(cap_len);
                    out.reserve_exact(want - out.len());
                }
                out.extend_from_slice(got);
                if !sniffed && out.len() >= SNIFF {
                    sniffed = true;
                    if let Some(kind) = binary_kind(&out) {
                        problems.push(refused_binary(name, kind));
                        return None;
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                problems.push(format!(
                    "{name}: truncated or damaged gzip ({e}); analyzed the {} bytes inflated before the damage",
                    out.len()
                ));
                break;
            }
        }
    }
    if !sniffed {
        if let Some(kind) = binary_kind(&out) {
            problems.push(refused_binary(name, kind));
            return None;
        }
    }
    Some(out)
}

/// The cap for people: `1024 MiB`, `4096 bytes`.
pub(crate) fn cap_text(cap: u64) -> String {
    if cap >= 1 << 20 && cap % (1 << 20) == 0 {
        format!("{} MiB", cap >> 20)
    } else {
        format!("{cap} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn gzip_is_inflated() {
        let gz = gzip(b"NAME CPU(cores) MEMORY(bytes)\n");
        let d = decode("b.gz", &gz, &Limits::default());
        assert!(matches!(d.text, Cow::Owned(_)));
        assert_eq!(d.text, "NAME CPU(cores) MEMORY(bytes)\n");
        assert!(d.problems.is_empty());
    }

    #[test]
    fn truncated_gzip_keeps_what_inflated() {
        let text = "line of a log that repeats\n".repeat(2000);
        let gz = gzip(text.as_bytes());
        let d = decode("b.gz", &gz[..gz.len() / 2], &Limits::default());
        assert!(d.problems[0].contains("truncated"), "{:?}", d.problems);
        assert!(d.text.starts_with("line of a log"));
    }

    #[test]
    fn bomb_is_refused() {
        let gz = gzip(&vec![b'a'; 1 << 20]);
        let d = decode("bomb.gz", &gz, &Limits { max_inflated_bytes: 1000, ..Limits::default() });
        assert!(d.text.is_empty());
        assert!(d.problems[0].contains("decompression bomb"));
    }

    #[test]
    fn the_cap_is_exact_and_named() {
        let gz = gzip(&[b'a'; 5000]);
        let at = decode("a.gz", &gz, &Limits { max_inflated_bytes: 5000, ..Limits::default() });
        assert_eq!((at.text.len(), at.problems.len()), (5000, 0));
        let below = decode("a.gz", &gz, &Limits { max_inflated_bytes: 4999, ..Limits::default() });
        assert!(below.text.is_empty());
        assert_eq!(
            below.problems,
            ["a.gz: refused: gzip inflates to more than 4999 bytes (the cap for one input); \
              this looks like a decompression bomb. Nothing of it was analyzed."]
        );
        let big = gzip(&[b'a'; 3 << 20]);
        let mib = decode("a.gz", &big, &Limits { max_inflated_bytes: 2 << 20, ..Limits::default() });
        assert!(mib.problems[0].contains("more than 2 MiB"), "{:?}", mib.problems);
    }

    #[test]
    fn binary_inside_gzip_is_refused() {
        let gz = gzip(&vec![0u8; 1 << 20]);
        let zeros = decode("z.gz", &gz, &Limits::default());
        assert!(zeros.text.is_empty());
        assert_eq!(zeros.problems, ["z.gz: skipped: this is binary data (many NUL bytes), not kubectl output"]);
        let png = gzip(b"\x89PNG\r\n\x1a\n");
        let small_png = decode("p.gz", &png, &Limits::default());
        assert_eq!(small_png.problems, ["p.gz: skipped: this is a PNG image, not kubectl output"]);
    }

    #[test]
    fn concatenated_members_and_lossy_gzip() {
        let mut gz = gzip(b"a\n");
        gz.extend(gzip(b"b \xff\n"));
        let d = decode("m.gz", &gz, &Limits::default());
        assert_eq!(d.text, "a\nb \u{FFFD}\n");
        assert_eq!(d.problems, ["m.gz: not valid UTF-8; invalid bytes were replaced with U+FFFD"]);
    }

    #[test]
    fn binary_and_empty_and_lossy() {
        let png = decode("x.png", b"\x89PNG\r\n\x1a\n\0\0\0", &Limits::default());
        assert!(png.problems[0].contains("PNG image"));
        let empty = decode("e.txt", b"", &Limits::default());
        assert!(empty.problems[0].contains("empty"));
        let plain = decode("p.txt", b"pod-a 301Mi\n", &Limits::default());
        assert!(matches!(plain.text, Cow::Borrowed("pod-a 301Mi\n")), "valid UTF-8 is not copied");
        let lossy = decode("l.txt", b"pod-a \xff\xfe 301Mi\n", &Limits::default());
        assert!(lossy.text.contains('\u{FFFD}'));
        assert!(lossy.problems[0].contains("UTF-8"));
    }
}
