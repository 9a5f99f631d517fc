//! The words the log line rules need, found in one pass over a log entry: what every
//! log line goes through before `memory-error` or `circular-references` looks at it.
//!
//! - `memory-error` ([`super::memory_error`]) needs `memoryerror`, `sigkill`, `signal 9`,
//!   `exit`, `killed`, `child process` or `brokenprocesspool`, ignoring ASCII case.
//! - `circular-references` ([`super::gc`]) needs `gc: `, `gc.garbage` or
//!   `ResourceWarning: unclosed `, as written.
//!
//! Almost no log line has any of them, so [`find`] must say "none" quickly, natively
//! and in the page's wasm, where the regex crate has no literal prefilters (page
//! weight); docs/performance.md has what a regex and `memmem` cost here. Written by
//! hand because no library does this one thing for both targets: `aho-corasick` would
//! add its code to the page.
//!
//! How: every word holds a pair of bytes that is rare in logs (`ye` of `memoryerror`,
//! `gk`, `gn`, `xi`, `ki`, `d p`, `np`, and `gc`, `eW` as written): lines are scanned 16
//! positions at a time for a pair (natively a loop the compiler turns into SSE2; in the
//! page simd128 intrinsics, since `opt-level = "z"` does not vectorize), and only where
//! one is found are the words compared. Folding is
//! `b | 0x20`, which also folds a few control bytes onto a space or a digit (`\0` onto
//! ` `): then [`find`] says yes where the rule's own regex will say no, never the other
//! way round.
//!
//! Example: `find(b"2026-11-24 WARN worker exited with 'signal 9 (SIGKILL)'")` gives
//! `Keywords { memory_error: true, gc: false }`.

/// Which rules may match a text (neither: none of them can).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Keywords {
    /// One of `memory-error`'s words is in the text.
    pub memory_error: bool,
    /// One of `circular-references`' literals is in the text.
    pub gc: bool,
}

/// Every word: its bytes (folded when `fold`), whether case is ignored, and where its
/// pair starts in it (see [`pair`]).
const WORDS: [(&[u8], bool, usize); 13] = [
    (b"memoryerror", true, 5),
    (b"sigkill", true, 2),
    (b"signal 9", true, 2),
    (b"exit", true, 1),
    (b"killed", true, 0),
    (b"child process", true, 4),
    (b"brokenprocesspool", true, 5),
    (b"oom-kill", true, 4),
    (b"kill process", true, 0),
    (b"oomkilling", true, 3),
    (b"gc: ", false, 0),
    (b"gc.garbage", false, 0),
    (b"ResourceWarning: unclosed ", false, 7),
];

/// How many of [`WORDS`] are `memory-error`'s (the rest are the gc rule's).
const MEMORY_WORDS: usize = 10;

/// 1 when one of the words' pairs starts at `b0` (`b1`, `b2` follow it). In the page
/// only the tests use it, to check the SIMD [`block`] against it.
#[cfg_attr(all(target_arch = "wasm32", target_feature = "simd128"), allow(dead_code))]
#[inline(always)]
fn pair(b0: u8, b1: u8, b2: u8) -> u8 {
    let (f0, f1, f2) = (b0 | 0x20, b1 | 0x20, b2 | 0x20);
    (((f0 == b'g') & ((f1 == b'k') | (f1 == b'n')))
        | ((f0 == b'y') & (f1 == b'e'))
        | (((f0 == b'x') | (f0 == b'k')) & (f1 == b'i'))
        | ((f0 == b'n') & (f1 == b'p'))
        | ((f0 == b'd') & (f2 == b'p'))
        | ((b0 == b'g') & (b1 == b'c'))
        | ((b0 == b'e') & (b1 == b'W'))) as u8
}

/// Bit `i` set when a pair may start at `c[i]` (`i < 16`).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline(always)]
fn block(c: &[u8; 18]) -> u32 {
    let mut m = [0u8; 16];
    for (i, m) in m.iter_mut().enumerate() {
        *m = pair(c[i], c[i + 1], c[i + 2]);
    }
    // No early exit inside the 16: at `opt-level = 3` this becomes a few SIMD compares.
    if u128::from_ne_bytes(m) == 0 {
        return 0;
    }
    m.iter().enumerate().fold(0, |acc, (i, &b)| acc | (u32::from(b) << i))
}

/// [`block`] in wasm SIMD: the page is built with `opt-level = "z"`, at which LLVM does
/// not vectorize the loop above.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
fn block(c: &[u8; 18]) -> u32 {
    use core::arch::wasm32::{u8x16_bitmask, u8x16_eq, u8x16_splat, v128, v128_and, v128_load, v128_or};
    let p = c.as_ptr();
    // SAFETY: `c` has 18 bytes, so 16 from offsets 0, 1 and 2 are inside it; `v128_load`
    // reads unaligned.
    let (b0, b1, b2) = unsafe {
        (v128_load(p.cast::<v128>()), v128_load(p.add(1).cast::<v128>()), v128_load(p.add(2).cast::<v128>()))
    };
    let x20 = u8x16_splat(0x20);
    let (f0, f1, f2) = (v128_or(b0, x20), v128_or(b1, x20), v128_or(b2, x20));
    let eq = |v: v128, b: u8| u8x16_eq(v, u8x16_splat(b));
    let g = eq(f0, b'g');
    let i1 = eq(f1, b'i');
    let m = v128_or(
        v128_or(v128_and(g, v128_or(eq(f1, b'k'), eq(f1, b'n'))), v128_and(eq(f0, b'y'), eq(f1, b'e'))),
        v128_or(
            v128_or(v128_and(v128_or(eq(f0, b'x'), eq(f0, b'k')), i1), v128_and(eq(f0, b'n'), eq(f1, b'p'))),
            v128_or(
                v128_and(eq(f0, b'd'), eq(f2, b'p')),
                v128_or(v128_and(eq(b0, b'g'), eq(b1, b'c')), v128_and(eq(b0, b'e'), eq(b1, b'W'))),
            ),
        ),
    );
    u32::from(u8x16_bitmask(m))
}

/// The words whose pair may start at `i`.
fn check(hay: &[u8], i: usize, w: &mut Keywords) {
    for (k, &(word, fold, at)) in WORDS.iter().enumerate() {
        let Some(h) = i.checked_sub(at).and_then(|s| hay.get(s..s + word.len())) else { continue };
        let found = if fold { h.iter().zip(word).all(|(&a, &b)| a | 0x20 == b) } else { h == word };
        if found {
            if k < MEMORY_WORDS {
                w.memory_error = true;
            } else {
                w.gc = true;
            }
        }
    }
}

/// Which of the rules' words are in `hay` (see the module doc).
pub fn find(hay: &[u8]) -> Keywords {
    let mut w = Keywords::default();
    let mut base = 0;
    let mut pad;
    while base < hay.len() {
        // 16 positions need 18 bytes (a pair may end two bytes on); the last bytes are
        // copied and padded with zeros, which start and end no pair.
        let c = match hay.get(base..base + 18).and_then(|c| <&[u8; 18]>::try_from(c).ok()) {
            Some(c) => c,
            None => {
                let rest = hay.get(base..).unwrap_or(&[]);
                pad = [0; 18];
                pad.get_mut(..rest.len()).unwrap_or(&mut []).copy_from_slice(rest);
                &pad
            }
        };
        let mut m = block(c);
        if m != 0 {
            while m != 0 {
                check(hay, base + m.trailing_zeros() as usize, &mut w);
                m &= m - 1;
            }
            if w.memory_error && w.gc {
                return w;
            }
        }
        base += 16;
    }
    w
}

#[cfg(test)]
mod tests {
    use super::{find, Keywords};

    /// What `find` must never miss: the old checks, by regex and substring search.
    fn oracle(t: &str) -> Keywords {
        let re = regex::Regex::new(r"(?i-u)memoryerror|sigkill|signal 9|exit|killed|child process|brokenprocesspool")
            .unwrap();
        Keywords {
            memory_error: re.is_match(t),
            gc: t.contains("gc: ") || t.contains("gc.garbage") || t.contains("ResourceWarning: unclosed "),
        }
    }

    #[test]
    fn finds_each_word_anywhere_in_any_case() {
        let words = [
            "MemoryError",
            "SIGKILL",
            "signal 9",
            "Exit",
            "exitcode -9",
            "Killed",
            "Child process",
            "BrokenProcessPool",
            "gc: ",
            "gc.garbage",
            "ResourceWarning: unclosed ",
        ];
        for w in words {
            // Every position of a 16-byte block and the tail, both cases.
            for pad in 0..40 {
                for t in
                    [format!("{}{w} tail", "a".repeat(pad)), format!("{}{}", "z".repeat(pad), w.to_ascii_uppercase())]
                {
                    let want = oracle(&t);
                    let got = find(t.as_bytes());
                    assert!(
                        got.memory_error >= want.memory_error && got.gc >= want.gc,
                        "{t:?}: {got:?}, want {want:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn ordinary_log_lines_have_no_words() {
        for t in [
            "2026-11-24T10:00:00.123456789Z INFO GET /api/v1/items?page=2 200 12.3ms",
            "2026-11-24T10:00:01Z DEBUG cache size=18234 entries, hit ratio 0.93 (policy: lru)",
            "2026-11-24T10:00:02Z WARNING queue length 1200 (worker backlog growing)",
            "gc: collecting generation 2...",
        ] {
            let w = find(t.as_bytes());
            assert!(!w.memory_error, "{t:?}");
            assert_eq!(w.gc, t.starts_with("gc: "), "{t:?}");
        }
        assert_eq!(find(b"Killed"), Keywords { memory_error: true, gc: false });
        assert_eq!(
            find(b"x gc.garbage: 3 ResourceWarning: unclosed <socket>"),
            Keywords { memory_error: false, gc: true }
        );
        assert_eq!(find(b""), Keywords::default());
    }

    /// `block` (SIMD in the page) marks exactly the positions `pair` does.
    #[test]
    fn block_marks_what_pair_marks() {
        let text = b"xx gc: ye GK gn Xi ki d p np gc eW \0 ge y  kI NP D P Wg cg ee yk 9 ";
        for start in 0..text.len() {
            let mut c = [0u8; 18];
            for (k, b) in c.iter_mut().enumerate() {
                *b = text.get(start + k).copied().unwrap_or(0);
            }
            let want = (0..16).fold(0u32, |m, i| m | (u32::from(super::pair(c[i], c[i + 1], c[i + 2])) << i));
            assert_eq!(super::block(&c), want, "at {start}");
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        /// Never a miss: wherever the regex or the substring search finds a word, so does
        /// `find` (it may say yes more often, on control bytes that fold onto a space).
        #[test]
        fn never_misses_a_word(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "memoryerror", "MEMORYERROR", "Memory", "Error", "sig", "SIG", "kill", "KILL", "signal", " 9", "9", "\0",
                "ex", "EX", "it", "IT", "killed", "child", " process", "broken", "ProcessPool", "gc", ": ", ".garbage",
                "Resource", "Warning: unclosed ", "W", "y", "k", "g", "x", "p", " ", "é", "\n", "a", "0123456789abcde",
            ]), 0..14)
        ) {
            let t = parts.concat();
            let want = oracle(&t);
            let got = find(t.as_bytes());
            proptest::prop_assert!(got.memory_error >= want.memory_error && got.gc >= want.gc, "{:?}: {:?}, want {:?}", t, got, want);
        }
    }
}
