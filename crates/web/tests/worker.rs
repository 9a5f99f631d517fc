//! Runs in a dedicated Web Worker in headless Chromium (`cargo test --target
//! wasm32-unknown-unknown -p kubeleak-web`), where the page's analysis runs: files are
//! read in slices (`Blob.arrayBuffer()`, one slice ahead), and lines are read back
//! through the line index (`FileReaderSync`).
#![cfg(target_arch = "wasm32")]

use kubeleak_web::{analyze_files, read_lines, Input, LineIndex, Step};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

const SKELETON: &str = include_str!("../../../tests/fixtures/skeleton-top.txt");

fn file(name: &str, bytes: &[u8]) -> web_sys::File {
    let array = js_sys::Uint8Array::from(bytes);
    web_sys::File::new_with_u8_array_sequence(&js_sys::Array::of1(&array), name).unwrap()
}

#[wasm_bindgen_test]
async fn files_are_read_in_slices_and_analyzed_with_the_paste() {
    let chunk = kubeleak_web::CHUNK as usize;
    // A file just over two slices: the skeleton, then filler log lines.
    let mut text = format!("{SKELETON}$ cat notes.txt\n");
    let mut n = 0;
    while text.len() <= 2 * chunk {
        text.push_str(&format!("filler line {n} of a long log\n"));
        n += 1;
    }
    let inputs = vec![
        Input::Text { name: "paste".into(), text: "NAME   CPU(cores)   MEMORY(bytes)\nbatch-1   5m   77Mi\n".into() },
        Input::File(file("big.txt", text.as_bytes())),
    ];
    let mut slices = Vec::new();
    let mut index = LineIndex::default();
    let (a, origin) = analyze_files(&inputs, &mut |step| match step {
        Step::Slice(i, bytes) => {
            slices.push((i, bytes.len()));
            if i == 1 {
                index.feed(bytes);
            }
        }
        Step::Unreadable(i, why) => panic!("input {i}: {why}"),
        Step::Analyzing => slices.push((usize::MAX, 0)),
    })
    .await;
    assert_eq!(origin, vec![0, 1]);
    assert_eq!(
        slices.iter().filter(|(i, _)| *i == 1).map(|(_, n)| *n).collect::<Vec<_>>(),
        vec![chunk, chunk, text.len() - 2 * chunk]
    );
    assert_eq!(slices.last(), Some(&(usize::MAX, 0)), "the analysis runs after reading");
    // The three pods; `cat notes.txt` printed text that names none (read as its log).
    let named = a.model.pods.iter().filter(|p| p.name != kubeleak_analysis::model::UNNAMED_POD).count();
    assert_eq!(named, 3);
    assert_eq!(index.lines(), u64::from(a.model.sources[1].lines));

    // Lines read back from the file through the index are the analysis's lines.
    let f = match &inputs[1] {
        Input::File(f) => f,
        _ => unreachable!(),
    };
    let total = index.lines();
    for from in [0, 3, 255, 256, 1000, total - 2] {
        let got = read_lines(f, &index, from, from + 5).unwrap();
        let want: Vec<String> = a.model.sources[1].text.iter().skip(from as usize).take(5).cloned().collect();
        assert_eq!(got, want, "from {from}");
    }
    assert!(read_lines(f, &index, total, total + 5).unwrap().is_empty());
}

#[wasm_bindgen_test]
fn decoded_text_becomes_a_blob_whose_lines_read_back() {
    use kubeleak_web::text_blob;
    let lines: Vec<String> = (0..3000).map(|i| format!("line {i} ünïcode")).collect();
    let (blob, index) = text_blob(&lines).unwrap();
    assert_eq!(index.lines(), 3000);
    // As the lines worker gets it: the starts, the line count and the length.
    let index = LineIndex::restore(index.starts.clone(), index.lines(), index.len());
    assert_eq!(read_lines(&blob, &index, 2990, 3010).unwrap(), lines[2990..].to_vec());
    assert_eq!(read_lines(&blob, &index, 511, 513).unwrap(), lines[511..513].to_vec());
    let (empty, ix) = text_blob(&[]).unwrap();
    assert_eq!((empty.size(), ix.lines()), (0.0, 0));
}
