//! Section detection on arbitrary text, cleaned and numbered the way `analyze` does it,
//! through the splitter the analysis runs (`split::Splitter`).
#![no_main]
use kubeleak_analysis::{sections, split};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines: Vec<String> = text.split('\n').map(|l| sections::clean_line(l).into_owned()).collect();
    let numbered: Vec<(u32, &str)> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| (u32::try_from(i + 1).unwrap_or(u32::MAX), l.as_str()))
        .collect();
    let split = split::split(0, "paste", &numbered);
    for s in &split.sections {
        assert!(s.first_line <= s.last_line || s.lines.is_empty(), "section ends before it starts");
        for (n, _) in &s.lines {
            assert!((*n as usize) <= lines.len(), "line number beyond the input");
        }
    }
});
