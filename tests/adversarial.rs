//! Hostile and broken input (issue 8): each case says what the user sees — the warning
//! text, what is kept, what is refused — not only that nothing panicked.
//!
//! Small cases are files under `tests/fixtures/adversarial/`; big ones (a 50 MB line, a
//! million sections, 100k nested brackets, gzip bombs) are generated here so the
//! repository stays small. Inputs that crashed a fuzz target (`fuzz/`) are kept as
//! `tests/fixtures/adversarial/crash-*` and replayed at the end of this file.
//!
//! Memory is measured with a counting allocator: the gzip cap must hold while inflating,
//! not only after. Tests that allocate a lot run one at a time (`heavy()`), so one
//! test's peak is not another's.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Mutex, MutexGuard};

use kubeleak_analysis::model::{self, Model, Pod};
use kubeleak_analysis::{analyze, analyze_text, chart, html, input::Limits, report, Analysis, Input};
use kubeleak_tests::read_fixture;

// ---------------------------------------------------------------------------------------
// Helpers

/// Counts live heap bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Relaxed) + by;
    PEAK.fetch_max(now, Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        LIVE.fetch_sub(layout.size(), Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Runs `f` and returns its result and the peak heap growth while it ran.
fn peak_heap<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.load(Relaxed);
    PEAK.store(base, Relaxed);
    let out = f();
    (out, PEAK.load(Relaxed).saturating_sub(base))
}

/// Serialises the tests that allocate tens of MB or more.
fn heavy() -> MutexGuard<'static, ()> {
    static HEAVY: Mutex<()> = Mutex::new(());
    HEAVY.lock().unwrap_or_else(|e| e.into_inner())
}

const MIB: usize = 1 << 20;

fn fixture(name: &str) -> Analysis {
    let bytes = read_fixture(&format!("adversarial/{name}"));
    analyze(&[Input { name, bytes: &bytes }], &Limits::default())
}

fn messages(a: &Analysis) -> Vec<&str> {
    a.model.warnings.iter().map(|w| w.message.as_str()).collect()
}

fn pod<'a>(m: &'a Model, name: &str) -> &'a Pod {
    m.pods.iter().find(|p| p.name == name).unwrap_or_else(|| {
        panic!("pod {name:?} not kept; pods: {:?}", m.pods.iter().map(|p| &p.name).collect::<Vec<_>>())
    })
}

fn sample_bytes(p: &Pod) -> Vec<u64> {
    p.memory_samples.iter().map(|s| s.bytes).collect()
}

/// Everything the user can see is produced without panicking, and no bundle text
/// becomes markup.
fn renders(a: &Analysis) {
    let json = report::to_json(a);
    assert!(json.contains("kubeleak.analysis/v1"));
    let page = html::report(a, "test");
    assert!(!page.to_ascii_lowercase().contains("<script"), "bundle text became markup");
    let (axis, series) = chart::memory_series(&a.model);
    let svg = chart::memory_svg(axis, &series, 640, 320);
    assert!(svg.starts_with("<svg") || svg.contains("<svg"), "chart is not an SVG");
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(data).expect("gzip into memory");
    enc.finish().expect("gzip into memory")
}

/// A gzip stream of `members` concatenated members, each inflating to `block`: a bomb
/// of `members × block.len()` bytes that costs one member to build.
fn gzip_bomb(block: &[u8], members: usize) -> Vec<u8> {
    gzip(block).repeat(members)
}

const TOP_HEAD: &str = "$ kubectl top pod -n shop\nNAME                      CPU(cores)   MEMORY(bytes)\n";

// ---------------------------------------------------------------------------------------
// Files that are not kubectl output

#[test]
fn empty_file_says_it_is_empty() {
    let a = fixture("empty.txt");
    assert_eq!(messages(&a), ["empty.txt: the input is empty"]);
    assert!(a.model.pods.is_empty() && a.model.sections.is_empty());
    renders(&a);
}

#[test]
fn png_and_elf_are_refused_by_what_they_are() {
    let png = fixture("png-header.png");
    assert_eq!(messages(&png), ["png-header.png: skipped: this is a PNG image, not kubectl output"]);
    let elf = fixture("elf-header.bin");
    assert_eq!(messages(&elf), ["elf-header.bin: skipped: this is an ELF executable, not kubectl output"]);
    for a in [&png, &elf] {
        assert!(a.model.pods.is_empty() && a.model.sections.is_empty());
        assert_eq!(a.model.sources[0].lines, 0, "nothing of a binary is kept as text");
        renders(a);
    }
}

#[test]
fn a_binary_file_does_not_hide_the_other_files() {
    let png = read_fixture("adversarial/png-header.png");
    let top = format!("{TOP_HEAD}worker-1    1m    301Mi\n");
    let a = analyze(
        &[Input { name: "shot.png", bytes: &png }, Input { name: "top.txt", bytes: top.as_bytes() }],
        &Limits::default(),
    );
    assert_eq!(messages(&a), ["shot.png: skipped: this is a PNG image, not kubectl output"]);
    assert_eq!(sample_bytes(pod(&a.model, "worker-1")), [301 * MIB as u64]);
}

#[test]
fn many_nul_bytes_are_binary() {
    let mut bytes = TOP_HEAD.as_bytes().to_vec();
    bytes.extend(std::iter::repeat_n(0u8, 4096));
    let a = analyze(&[Input { name: "dump.txt", bytes: &bytes }], &Limits::default());
    assert_eq!(messages(&a), ["dump.txt: skipped: this is binary data (many NUL bytes), not kubectl output"]);
    assert!(a.model.pods.is_empty());
}

#[test]
fn a_few_nul_bytes_keep_the_rows() {
    // Three NUL bytes in 700: text with damage, not a binary file.
    let a = fixture("nul-bytes.txt");
    let m = &a.model;
    assert_eq!(sample_bytes(pod(m, "worker-7d9f8b6c5-x2x9k")), [301 * MIB as u64]);
    assert_eq!(sample_bytes(pod(m, "worker-7d9f8b6c5-q8w7e")), [288 * MIB as u64]);
    // A NUL inside a name is kept as read (never merged with another pod)…
    assert_eq!(sample_bytes(pod(m, "worker-7d9f8b6c5-zz\0zz")), [12 * MIB as u64]);
    // …and a NUL-only CPU cell does not lose the memory value.
    assert_eq!(sample_bytes(pod(m, "worker-7d9f8b6c5-abcde")), [40 * MIB as u64]);
    // The comment line above the prompt is read as text of a pod it does not name.
    let named: Vec<&str> = m.pods.iter().map(|p| p.name.as_str()).filter(|n| *n != model::UNNAMED_POD).collect();
    assert_eq!(named.len(), 4, "{named:?}");
    let w = messages(&a);
    assert!(w.iter().any(|m| m.starts_with("top row with too few columns, skipped: ####")), "{w:?}");
    renders(&a);
}

// ---------------------------------------------------------------------------------------
// Size: long lines, many sections, deep nesting

#[test]
fn a_50_mb_line_between_rows_keeps_the_rows() {
    let _g = heavy();
    let long = "x".repeat(50 * MIB);
    let text = format!("{TOP_HEAD}worker-a    1m    100Mi\n{long}\nworker-b    1m    200Mi\n");
    drop(long);
    let a = analyze_text("long.txt", &text);
    assert_eq!(sample_bytes(pod(&a.model, "worker-a")), [100 * MIB as u64]);
    assert_eq!(sample_bytes(pod(&a.model, "worker-b")), [200 * MIB as u64]);
    let long_warnings: Vec<_> = a.model.warnings.iter().filter(|w| w.origin.line == 4).collect();
    assert_eq!(long_warnings.len(), 1, "one warning for the long line");
    assert!(long_warnings[0].message.starts_with("top row with too few columns, skipped: xxxx"));
    assert_eq!(a.model.sources[0].lines, 5);
}

/// A warning about a 1 MiB line quotes at most a screenful of it: the user sees warnings
/// on the page and in the JSON report, and a megabyte in each helps no one.
fn long_line_warnings_are_short(prompt: &str, header: &str) {
    let _g = heavy();
    for body in ["x".repeat(MIB), "x ".repeat(MIB / 2)] {
        let a = analyze_text("long.txt", &format!("{prompt}\n{header}{body}\n"));
        assert!(!a.model.warnings.is_empty(), "{prompt}: the long line is reported");
        for w in &a.model.warnings {
            assert!(w.message.len() < 4096, "{prompt}: warning of {} bytes: {}…", w.message.len(), &w.message[..80]);
        }
    }
}

#[test]
fn long_line_warnings_are_short_in_json_yaml_and_logs() {
    long_line_warnings_are_short("$ kubectl get pods -o json", "");
    long_line_warnings_are_short("$ kubectl get pods -o yaml", "");
    long_line_warnings_are_short("$ kubectl logs p --timestamps", "");
}

#[test]
fn long_line_warnings_are_short_in_top_pod() {
    long_line_warnings_are_short("$ kubectl top pod -n x", "NAME   CPU(cores)   MEMORY(bytes)\n");
}

#[test]
fn long_line_warnings_are_short_in_top_node() {
    long_line_warnings_are_short("$ kubectl top node", "NAME     CPU(cores)   CPU%   MEMORY(bytes)   MEMORY%\n");
}

#[test]
fn long_line_warnings_are_short_in_get_pods() {
    long_line_warnings_are_short("$ kubectl get pods -o wide", "NAME   READY   STATUS   RESTARTS   AGE\n");
}

#[test]
fn long_line_warnings_are_short_in_events() {
    long_line_warnings_are_short("$ kubectl get events", "LAST SEEN   TYPE   REASON   OBJECT   MESSAGE\n");
}

#[test]
fn a_million_tiny_sections() {
    let _g = heavy();
    // A `watch` capture gone wild: one pod, one row per `top`, a million times.
    const N: usize = 1_000_000;
    let one = format!("{TOP_HEAD}worker-1    1m    301Mi\n");
    let text = one.repeat(N);
    let a = analyze_text("watch.txt", &text);
    let p = pod(&a.model, "worker-1");
    assert_eq!(a.model.pods.len(), 1);
    assert_eq!(p.memory_samples.len(), N, "every sample kept");
    assert_eq!(p.memory_samples.last().map(|s| (s.seq, s.origin.line)), Some((N as u32 - 1, 3 * N as u32)));
    assert!(a.model.warnings.is_empty(), "{:?}", &a.model.warnings[..3.min(a.model.warnings.len())]);
    assert_eq!(a.model.sections.len(), N);
}

#[test]
fn a_hundred_thousand_distinct_pods_merge_in_linear_time() {
    let _g = heavy();
    // Each section names a new pod: anything that scans every pod (or every section)
    // once per pod does 5·10⁹ steps here (minutes); linear work takes seconds. The
    // model's pod index keeps the merge linear, and the detectors look pods up linearly
    // too (this took minutes while `detect/limits.rs` scanned every section per pod).
    const N: usize = 100_000;
    let mut text = String::with_capacity(N * 110);
    for i in 0..N {
        text.push_str(TOP_HEAD);
        text.push_str(&format!("worker-{i:06}    1m    {}Ki\n", i + 1));
    }
    let a = analyze_text("many.txt", &text);
    assert_eq!(a.model.pods.len(), N);
    assert_eq!(sample_bytes(pod(&a.model, "worker-099999")), [100_000 * 1024]);
    assert!(a.model.warnings.is_empty());
}

/// The section's warnings, for a section starting at line 1.
fn nested_outcome(prompt: &str, body: String) -> Analysis {
    let text = format!("{prompt}\n{body}\n");
    let a = analyze_text("nested.txt", &text);
    assert!(a.model.pods.is_empty(), "no pod from brackets");
    assert!(!a.model.warnings.is_empty(), "the unreadable output is reported");
    assert!(a.model.warnings.iter().all(|w| w.origin.line >= 1), "warnings point into the section");
    a
}

#[test]
fn deeply_nested_json_is_refused_not_recursed() {
    let _g = heavy();
    let a = nested_outcome("$ kubectl get pods -o json", "[".repeat(100_000));
    assert_eq!(messages(&a), ["pod list skipped: the JSON ends early (truncated?)"]);
    let a = nested_outcome("$ kubectl get pods -o json", "{\"items\":".repeat(100_000));
    assert_eq!(messages(&a), ["pod list skipped: the JSON ends early (truncated?)"]);
    // Balanced, so only the depth is wrong.
    let a = nested_outcome("$ kubectl get pods -o json", format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)));
    let w = messages(&a);
    assert!(
        w.len() == 1 && w[0].starts_with("pod list skipped: cannot read the JSON (recursion limit exceeded"),
        "{w:?}"
    );
}

#[test]
fn deeply_nested_yaml_is_refused_not_recursed() {
    let _g = heavy();
    let a = nested_outcome("$ kubectl get pods -o yaml", format!("apiVersion: v1\nitems: {}", "[".repeat(100_000)));
    assert_eq!(messages(&a), ["pod YAML skipped: cannot read it (recursion limit exceeded at column 263)"]);
    let mut block = String::from("apiVersion: v1\nitems:\n");
    for depth in 0..2_000 {
        block.push_str(&" ".repeat(depth));
        block.push_str("- \n");
    }
    nested_outcome("$ kubectl get pods -o yaml", block);
}

// ---------------------------------------------------------------------------------------
// Gzip: truncated, bombs

#[test]
fn truncated_gzip_keeps_what_inflated_and_says_so() {
    let a = fixture("truncated.txt.gz");
    let w = messages(&a);
    assert!(
        w[0].starts_with("truncated.txt.gz: truncated or damaged gzip (")
            && w[0].ends_with("analyzed the 35859 bytes inflated before the damage"),
        "{w:?}"
    );
    // 25 complete `top` outputs of 30 pods inflated before the cut; the cut row is named.
    assert_eq!(a.model.pods.len(), 30);
    assert!(
        a.model.pods.iter().all(|p| p.memory_samples.len() == 25),
        "{:?}",
        a.model.pods.iter().map(|p| p.memory_samples.len()).collect::<Vec<_>>()
    );
    assert!(w.contains(&"top row with too few columns, skipped: worker-7d9f8b6c5-p000    125"), "{w:?}");
    assert_eq!(a.model.capture.namespace.as_deref(), Some("shop"), "the bundle header is kept");
    renders(&a);
}

#[test]
fn gzip_bomb_above_a_small_cap_is_refused_with_the_cap_named() {
    let _g = heavy();
    let rows = format!("{TOP_HEAD}{}", "worker-1    1m    301Mi\n".repeat(200_000)); // ~5 MiB
    let bomb = gzip(rows.as_bytes());
    let ok = format!("{TOP_HEAD}worker-2    1m    100Mi\n");
    let limits = Limits { max_inflated_bytes: MIB as u64, ..Limits::default() };
    let (a, peak) = peak_heap(|| {
        analyze(&[Input { name: "bomb.txt.gz", bytes: &bomb }, Input { name: "ok.txt", bytes: ok.as_bytes() }], &limits)
    });
    assert_eq!(
        messages(&a),
        ["bomb.txt.gz: refused: gzip inflates to more than 1 MiB (the cap for one input); \
          this looks like a decompression bomb. Nothing of it was analyzed."]
    );
    assert_eq!(a.model.pods.len(), 1, "nothing of the bomb, all of the other file");
    assert_eq!(sample_bytes(pod(&a.model, "worker-2")), [100 * MIB as u64]);
    // Streaming reads as it inflates: until the cap refuses the input, the gathered
    // `top` section and the input's kept text (each under the cap) are held, then taken back.
    assert!(peak < 6 * MIB, "peak heap {peak} bytes with a 1 MiB cap");
    // Just under the cap is read.
    let fits = gzip(&rows.as_bytes()[..MIB]);
    let a = analyze(&[Input { name: "fits.txt.gz", bytes: &fits }], &limits);
    assert!(a.model.warnings.iter().all(|w| !w.message.contains("refused")));
    assert!(pod(&a.model, "worker-1").memory_samples.len() > 40_000);
}

#[test]
fn a_cap_that_is_not_whole_mebibytes_is_named_in_bytes() {
    let bomb = gzip(&b"worker-1    1m    301Mi\n".repeat(1000));
    let a = analyze(&[Input { name: "b.gz", bytes: &bomb }], &Limits { max_inflated_bytes: 4096, ..Limits::default() });
    assert!(
        messages(&a)[0].starts_with("b.gz: refused: gzip inflates to more than 4096 bytes (the cap for one input)"),
        "{:?}",
        messages(&a)
    );
}

#[test]
fn two_gib_of_gzipped_zeros_at_the_default_cap_are_refused_early() {
    let _g = heavy();
    // 32 members of 64 MiB of zeros: 2 GiB inflated, ~2 MB compressed.
    let bomb = gzip_bomb(&vec![0u8; 64 * MIB], 32);
    assert!(bomb.len() < 4 * MIB, "{}", bomb.len());
    let (a, peak) = peak_heap(|| analyze(&[Input { name: "zeros.gz", bytes: &bomb }], &Limits::default()));
    assert_eq!(messages(&a), ["zeros.gz: skipped: this is binary data (many NUL bytes), not kubectl output"]);
    assert!(a.model.pods.is_empty());
    // Refused after its first 8 KiB, long before the 1 GiB cap: nothing like 2 GiB held.
    assert!(peak < 4 * MIB, "peak heap {peak} bytes");
}

#[test]
fn two_gib_of_gzipped_text_never_holds_more_than_the_cap() {
    let _g = heavy();
    // Text (not binary), so only the cap stops it: 32 × 64 MiB of `top` rows.
    let block = "worker-1    1m    301Mi\n".repeat(64 * MIB / 24);
    let bomb = gzip_bomb(block.as_bytes(), 32);
    drop(block);
    let cap = 64 * MIB;
    let (a, peak) = peak_heap(|| {
        analyze(
            &[Input { name: "rows.txt.gz", bytes: &bomb }],
            &Limits { max_inflated_bytes: cap as u64, ..Limits::default() },
        )
    });
    assert_eq!(
        messages(&a),
        ["rows.txt.gz: refused: gzip inflates to more than 64 MiB (the cap for one input); \
          this looks like a decompression bomb. Nothing of it was analyzed."]
    );
    assert!(peak < cap + 2 * MIB, "peak heap {} MiB with a 64 MiB cap", peak / MIB);
}

// ---------------------------------------------------------------------------------------
// Line ends, terminal escapes, look-alike names

fn the_two_top_rows(a: &Analysis) {
    assert_eq!(sample_bytes(pod(&a.model, "worker-7d9f8b6c5-x2x9k")), [301 * MIB as u64]);
    assert_eq!(sample_bytes(pod(&a.model, "worker-7d9f8b6c5-q8w7e")), [288 * MIB as u64]);
}

#[test]
fn crlf_and_mixed_line_ends_read_like_lf() {
    let crlf = fixture("crlf.txt");
    the_two_top_rows(&crlf);
    assert!(crlf.model.warnings.is_empty(), "{:?}", messages(&crlf));
    assert_eq!(crlf.model.sections[0].command.as_deref(), Some("kubectl top pod -n shop"), "no CR left in the command");
    let mixed = fixture("mixed-endings.txt");
    the_two_top_rows(&mixed);
    // `\r\r\n`: the extra CR is blank space, the row is kept.
    assert_eq!(sample_bytes(pod(&mixed.model, "worker-7d9f8b6c5-lone-cr")), [100 * MIB as u64]);
    assert!(mixed.model.warnings.is_empty(), "{:?}", messages(&mixed));
    // Only the line that had two CRs keeps one in the source view.
    let with_cr: Vec<usize> =
        mixed.model.sources[0].text.iter().enumerate().filter(|(_, l)| l.ends_with('\r')).map(|(i, _)| i + 1).collect();
    assert_eq!(with_cr, [5]);
}

#[test]
fn ansi_colours_titles_and_cursor_moves_are_removed() {
    let a = fixture("ansi-escapes.txt");
    the_two_top_rows(&a);
    assert_eq!(sample_bytes(pod(&a.model, "worker-7d9f8b6c5-lmnop")), [64 * MIB as u64]);
    assert_eq!(a.model.pods.len(), 3);
    assert!(a.model.warnings.is_empty(), "{:?}", messages(&a));
    // The coloured prompt (with a window-title escape) is still a prompt.
    assert_eq!(a.model.sections[0].command.as_deref(), Some("kubectl top pod -n shop"));
    assert!(a.model.sources[0].text.iter().all(|l| !l.contains('\x1b')), "the source view shows no escapes");
    assert!(a.model.pods.iter().all(|p| p.namespace.as_deref() == Some("shop")));
}

#[test]
fn right_to_left_and_zero_width_names_are_kept_exactly_and_never_merged() {
    let a = fixture("bidi-zero-width-names.txt");
    let m = &a.model;
    assert_eq!(m.pods.len(), 4, "look-alikes are different pods");
    // The plain pod has only its own sample: the zero-width look-alike is not merged in.
    assert_eq!(sample_bytes(pod(m, "worker-7d9f8b6c5-x2x9k")), [301 * MIB as u64]);
    assert_eq!(sample_bytes(pod(m, "worker-7d9f8b6c5-x2x9k\u{200b}")), [12 * MIB as u64]);
    assert_eq!(sample_bytes(pod(m, "\u{202e}k9x2x-5c6b8f9d7-rekrow")), [13 * MIB as u64]);
    assert_eq!(sample_bytes(pod(m, "w\u{200d}orker-\u{5d0}\u{5d1}\u{5d2}-\u{627}\u{644}")), [14 * MIB as u64]);
    // The JSON report carries the names byte for byte.
    let json: serde_json::Value = serde_json::from_str(&report::to_json(&a)).expect("report is JSON");
    let names: Vec<&str> = json["pods"].as_array().expect("pods").iter().filter_map(|p| p["name"].as_str()).collect();
    assert!(names.contains(&"\u{202e}k9x2x-5c6b8f9d7-rekrow"), "{names:?}");
    renders(&a);
}

// ---------------------------------------------------------------------------------------
// Values out of range

#[test]
fn huge_quantities_skip_the_row_and_name_the_value() {
    let a = fixture("huge-quantities.txt");
    let m = &a.model;
    let w = messages(&a);
    for v in ["99999999999999999999Ei", "16Ei", "1e999999999"] {
        assert!(w.contains(&format!("memory value \"{v}\" is not a quantity; row skipped").as_str()), "{v}: {w:?}");
    }
    assert_eq!(w.len(), 3, "{w:?}");
    // 2^64 - 1 bytes still fits; a huge CPU value does not matter for memory.
    assert_eq!(sample_bytes(pod(m, "worker-7d9f8b6c5-abcde")), [u64::MAX]);
    assert_eq!(sample_bytes(pod(m, "worker-7d9f8b6c5-klmno")), [288 * MIB as u64]);
    assert!(m.pods.iter().all(|p| p.name != "worker-7d9f8b6c5-x2x9k" || p.memory_samples.is_empty()));
    renders(&a);
}

#[test]
fn negative_restarts_in_describe_are_unknown_with_a_warning() {
    let a = fixture("negative-restarts.txt");
    let p = pod(&a.model, "worker-7d9f8b6c5-x2x9k");
    let c = p.containers.iter().find(|c| c.name == "worker").expect("container worker");
    assert!(c.restarts.is_none(), "a negative count is not a count");
    assert_eq!(
        c.memory_limit.as_ref().map(|f| (f.value, f.origin.line)),
        Some((512 * MIB as u64, 17)),
        "the rest is kept"
    );
    let w: Vec<_> = a.model.warnings.iter().map(|w| (w.origin.line, w.message.as_str())).collect();
    assert_eq!(
        w,
        [
            (3, "restarts \"-3\" of pod worker-7d9f8b6c5-x2x9k is not a count; ignored"),
            (4, "restarts \"-1 (5m ago)\" of pod worker-7d9f8b6c5-q8w7e is not a count; ignored"),
            (15, "Restart Count: \"-1\" is not a number"),
        ]
    );
    assert!(a.model.pods.iter().all(|p| p.restarts.is_none()));
    // The status of the same rows is kept.
    assert_eq!(pod(&a.model, "worker-7d9f8b6c5-q8w7e").status.as_ref().map(|f| f.value.as_str()), Some("Running"));
}

#[test]
fn a_json_pod_list_with_wrong_types_keeps_what_is_right() {
    let a = fixture("pods-wrong-types.json");
    let m = &a.model;
    let ok = pod(m, "worker-ok");
    let c = ok.containers.iter().find(|c| c.name == "worker").expect("container worker");
    assert_eq!(c.restarts.as_ref().map(|f| f.value), Some(2));
    assert_eq!(c.memory_limit.as_ref().map(|f| f.value), Some(512 * MIB as u64));
    assert_eq!(ok.status.as_ref().map(|f| f.value.as_str()), Some("Running"));
    // Wrong types are unknown, never converted: no restarts from "five", no limit from a
    // bare number in a mapping, no reason from 137.
    let bad = pod(m, "worker-bad-types");
    assert!(bad.status.is_none());
    let bc = bad.containers.iter().find(|c| c.name == "worker").expect("container worker");
    assert!(bc.restarts.is_none() && bc.memory_limit.is_none() && bc.ready.is_none());
    let last = bc.last_termination.as_ref().expect("terminated is still known");
    assert!(last.reason.is_none() && last.exit_code.is_none());
    // A numeric name is read as text (the parser's choice); a list namespace is not: the
    // namespace comes from the command's `-n shop`.
    assert_eq!(pod(m, "42").namespace.as_deref(), Some("shop"));
    let mut w: Vec<_> = a.model.warnings.iter().map(|w| (w.origin.line, w.message.as_str())).collect();
    w.sort();
    assert_eq!(
        w,
        [
            (45, "pod 42: `namespace` is a list, not text; ignored"),
            (56, "pod worker-bad-types: `containers` is a mapping, not a list; ignored"),
            (66, "pod worker-bad-types: `phase` is the number 7, not text; ignored"),
            (70, "pod worker-bad-types, container worker: `ready` is \"yes\", not true or false; ignored"),
            (71, "pod worker-bad-types, container worker: `restartCount` is \"five\", not a whole number; ignored"),
            (74, "pod worker-bad-types, container worker: `exitCode` is \"137\", not a whole number; ignored"),
            (75, "pod worker-bad-types, container worker: `reason` is the number 137, not text; ignored"),
            (82, "expected a pod, found \"not a pod\"; skipped"),
            (83, "expected a pod, found null; skipped"),
        ]
    );
    renders(&a);
}

#[test]
fn dates_in_1970_and_2262_are_kept_exactly() {
    let a = fixture("dates-1970-2262.txt");
    let m = &a.model;
    assert_eq!(m.capture.captured_at.map(|t| t.to_string()).as_deref(), Some("1970-01-01T00:00:00Z"));
    let p = pod(m, "worker-7d9f8b6c5-x2x9k");
    let at: Vec<String> = p.memory_samples.iter().map(|s| s.at.map(|t| t.to_string()).unwrap_or_default()).collect();
    assert_eq!(at, ["1970-01-01T00:00:00Z", "2262-04-11T23:47:16Z", "2262-04-12T00:00:00Z"]);
    let c = p.containers.iter().find(|c| c.name == "worker").expect("container worker");
    let last = c.last_termination.as_ref().expect("last termination");
    assert_eq!(last.started.map(|t| t.to_string()).as_deref(), Some("1970-01-01T00:00:00Z"));
    assert_eq!(last.finished.map(|t| t.to_string()).as_deref(), Some("2262-04-11T23:47:16Z"));
    // Log times past the last nanosecond an i64 can count from 1970 are kept exactly.
    let log: Vec<String> =
        c.logs.iter().flat_map(|s| &s.lines).map(|l| l.at.map(|t| t.to_string()).unwrap_or_default()).collect();
    assert_eq!(log, ["1970-01-01T00:00:00Z", "2262-04-11T23:47:16.854775807Z", "2262-04-11T23:47:16.854775808Z"]);
    // An age of `5y` before a 1970 capture lands in 1965 (1968 was a leap year).
    let node = m.nodes.iter().find(|n| n.name == "node-1").expect("node-1");
    assert_eq!(
        node.events.first().and_then(|e| e.last_seen).map(|t| t.to_string()).as_deref(),
        Some("1965-01-02T00:00:00Z")
    );
    assert!(a.model.warnings.is_empty(), "{:?}", messages(&a));
    // A chart over 292 years still draws.
    renders(&a);
}

// ---------------------------------------------------------------------------------------
// Bundle text never becomes markup

#[test]
fn markup_in_names_and_reasons_is_shown_as_text() {
    let a = fixture("markup-in-names.txt");
    let m = &a.model;
    // Kept as read, so the user sees what the bundle says…
    assert_eq!(sample_bytes(pod(m, "<script>alert(1)</script>")), [301 * MIB as u64, 401 * MIB as u64]);
    assert_eq!(pod(m, "<img/src=x/onerror=alert(2)>").memory_samples.len(), 2);
    // …and every output escapes it: the HTML report, the chart (labels and markers).
    let page = html::report(&a, "test");
    let (axis, series) = chart::memory_series(m);
    let svg = chart::memory_svg(axis, &series, 640, 320);
    for (what, out) in [("HTML report", &page), ("chart", &svg)] {
        for raw in ["<script>", "<img/src", "<svg/onload", "<iframe"] {
            assert!(!out.contains(raw), "{what} contains raw {raw}");
        }
    }
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the name is shown, escaped");
    assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the chart legend shows the name, escaped");
    // The JSON report is data: the name is a JSON string, not markup.
    let json: serde_json::Value = serde_json::from_str(&report::to_json(&a)).expect("report is JSON");
    assert!(json["pods"].as_array().expect("pods").iter().any(|p| p["name"] == "<script>alert(1)</script>"));
}
