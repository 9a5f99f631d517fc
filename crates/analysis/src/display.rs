//! Making untrusted text safe to show as text: control characters (a log line's ESC
//! sequences could drive a terminal), bidirectional overrides (U+202E can make
//! `exe.txt` read as `txt.exe`, or one pod name look like another) and invisible
//! characters (zero-width spaces, BOM) become visible `\u{…}` escapes. Tabs stay.
//! [`escape`] also escapes for HTML (the reports); the page renders text nodes.
//!
//! Example: `visible("worker\u{202E}1-x")` is `worker\u{202e}1-x` written out, so the
//! name cannot be reordered on screen.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal or a page as itself.
pub fn is_hidden(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c,
            '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// `s` with every [`is_hidden`] character written as `\u{hex}`; borrowed when clean.
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if is_hidden(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let s = visible(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(visible("worker-1 grew 60 MiB/h\tok"), Cow::Borrowed(_)));
        assert_eq!(visible("naïve 日本"), "naïve 日本");
    }

    #[test]
    fn controls_bidi_and_invisibles_are_written_out() {
        assert_eq!(visible("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(visible("worker\u{202E}1-x"), "worker\\u{202e}1-x");
        assert_eq!(visible("w\u{200B}1\u{FEFF}"), "w\\u{200b}1\\u{feff}");
        assert_eq!(visible("line\r\n"), "line\\u{d}\\u{a}");
        assert_eq!(visible("\u{9b}31m"), "\\u{9b}31m", "C1 control (CSI)");
    }
}
