//! Text helpers every layer uses: trimming and blank tests that are quick on the common
//! case (a line that starts and ends with a visible ASCII byte), and the hasher of the
//! miner's and the digest's tables.
//!
//! Example: `trim("  cache size=3 ")` is `"cache size=3"`; `trim("ok")` returns its input
//! at once.

/// `s.trim()`, at once when `s` starts and ends with a visible ASCII byte (most log
/// lines): `str::trim` decodes a character at each end, and lines are trimmed several
/// times on their way.
#[inline]
pub fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(&f), Some(&l)) if visible(f) && visible(l) => s,
        _ => s.trim(),
    }
}

/// `s.trim().is_empty()`, at once when `s` starts with a visible ASCII byte.
#[inline]
pub fn is_blank(s: &str) -> bool {
    match s.as_bytes().first() {
        Some(&f) if visible(f) => false,
        _ => s.trim().is_empty(),
    }
}

/// A byte that is ASCII and neither white space nor a control character below the space.
#[inline]
fn visible(b: u8) -> bool {
    b > b' ' && b < 0x80
}

/// True when `hay` contains `needle`: a searcher built once per needle (`str::contains`
/// and `memmem::find` build one per call, a real cost on every log line).
pub fn contains(
    cell: &'static std::sync::OnceLock<memchr::memmem::Finder<'static>>,
    needle: &'static str,
    hay: &str,
) -> bool {
    cell.get_or_init(|| memchr::memmem::Finder::new(needle.as_bytes())).find(hay.as_bytes()).is_some()
}

/// A fast hash for template keys (the Fx hash of rustc): SipHash of every log line's
/// template was a measurable cost. Collisions cannot hurt much: at most
/// [`MinerLimits::max_templates`](crate::logmine::MinerLimits::max_templates) keys per miner.
#[derive(Clone, Copy, Default)]
pub struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(b));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            for (o, c) in b.iter_mut().zip(rest) {
                *o = *c;
            }
            self.add(u64::from_le_bytes(b));
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FxBuild = std::hash::BuildHasherDefault<FxHasher>;

#[cfg(test)]
mod tests {
    #[test]
    fn trim_and_is_blank_are_the_str_ones() {
        for t in [
            "", " ", "a", " a ", "\ta\r", "a\u{a0}", "\u{85}x", "\u{3000}", "x\u{1c}", "\u{1f}", "é", " é ", "\x0b",
            "~\x7f",
        ] {
            assert_eq!(trim(t), t.trim(), "{t:?}");
            assert_eq!(is_blank(t), t.trim().is_empty(), "{t:?}");
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #[test]
        fn trim_matches_str_trim(t in "[a \t\r\n\x0b\x0c\x1c\x7f\u{85}\u{a0}\u{3000}é]{0,8}") {
            proptest::prop_assert_eq!(trim(&t), t.trim());
            proptest::prop_assert_eq!(is_blank(&t), t.trim().is_empty());
        }
    }

    use super::*;
}
