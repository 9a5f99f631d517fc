//! The layering invariant of ARCHITECTURE.md, checked on the source text:
//!
//! - in `crates/analysis`, **no module imports a module of a higher layer** (the table
//!   below is the one in ARCHITECTURE.md);
//! - in every crate (`analysis`, `web`, `collector`), the top-level modules form a DAG:
//!   no import cycle, also within one layer.
//!
//! What counts as an import: every `crate::name` path in code (a `use crate::…` line,
//! a braced `use crate::{a, b::c}` list, or a path written inline), outside comments
//! and outside items marked `#[cfg(test)]` (tests may drive the whole crate). A module
//! is a top-level module of the crate: `parse/logs.rs` belongs to `parse`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers of `crates/analysis/src`, bottom first (ARCHITECTURE.md, "Layers").
const ANALYSIS_LAYERS: &[(&str, &[&str])] = &[
    ("base", &["text", "display", "quantity", "time", "stats", "downsample", "input", "redact"]),
    ("model", &["model", "finding"]),
    ("readers", &["rules", "pyprof", "logmine"]),
    ("reading", &["sections", "split", "parse", "logdigest", "digest_sink"]),
    ("analysis", &["detect", "diagnose", "workload", "chart", "fleet", "report", "html", "redaction"]),
    ("driving", &["stream", "support_bundle", "lib"]),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a file belongs to (`lib` for lib.rs, `main` for main.rs).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel.components().next().unwrap().as_os_str().to_string_lossy().to_string();
    first.trim_end_matches(".rs").to_string()
}

/// The code of a file without comments and without `#[cfg(test)]` items.
fn code_without_tests(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        if t.starts_with("//") {
            continue;
        }
        if t.starts_with("#[cfg(test)]") {
            // Skip the next item (rustfmt's layout): a one-line item ends with `;` or
            // `}`; a longer one at the line that closes it at the attribute's indentation.
            let indent = &line[..line.len() - t.len()];
            let close = format!("{indent}}}");
            for (k, l) in lines.by_ref().enumerate() {
                let lt = l.trim_end();
                // The item's own line (`use x;`, `fn f() {}`), or its closing brace.
                let one_line = k == 0 && (lt.ends_with(';') || lt.ends_with('}')) && !lt.ends_with('{');
                if lt == close || one_line {
                    break;
                }
            }
            continue;
        }
        // A comment at the end of a line.
        let code = match line.find("//") {
            Some(i) if !line[..i].contains('"') => &line[..i],
            _ => line,
        };
        out.push_str(code);
        out.push('\n');
    }
    out
}

/// The crate modules a file's code names: `crate::x`, and each head of a
/// `use crate::{x, y::z}` list.
fn imports(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let ident = |s: &str| s.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect::<String>();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        if let Some(list) = after.strip_prefix('{') {
            // `crate::{a, b::{c, d}, e}`: the heads at brace depth 0.
            let mut depth = 0;
            let mut start = true;
            for (k, c) in list.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && !c.is_whitespace() => {
                        let name = ident(&list[k..]);
                        if !name.is_empty() {
                            found.insert(name);
                        }
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            let name = ident(after);
            if !name.is_empty() {
                found.insert(name);
            }
        }
        rest = after;
    }
    found
}

/// Module → the other top-level modules of the crate it imports.
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rs_files(src, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(src, f)).collect();
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let m = module_of(src, f);
        let code = code_without_tests(&std::fs::read_to_string(f).unwrap());
        let deps = g.entry(m.clone()).or_default();
        for d in imports(&code) {
            // Items of the crate root (`crate::analyze`, `crate::Input`) belong to lib.
            let d = if modules.contains(&d) { d } else { "lib".to_string() };
            if d != m {
                deps.insert(d);
            }
        }
    }
    g
}

/// One cycle of the graph, if there is one (as a path that ends where it starts).
fn a_cycle(g: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        path.push(n.to_string());
        for d in g.get(n).into_iter().flatten() {
            match state.get(d.as_str()).copied().unwrap_or(0) {
                1 => {
                    let at = path.iter().position(|p| p == d).unwrap();
                    let mut c = path[at..].to_vec();
                    c.push(d.clone());
                    return Some(c);
                }
                0 => {
                    if let Some(c) = visit(d, g, state, path) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        path.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in g.keys() {
        if state.get(n.as_str()).copied().unwrap_or(0) == 0 {
            if let Some(c) = visit(n, g, &mut state, &mut Vec::new()) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn no_analysis_module_imports_a_higher_layer() {
    let g = graph(&root().join("crates/analysis/src"));
    let layer_of = |m: &str| ANALYSIS_LAYERS.iter().position(|(_, ms)| ms.contains(&m));
    let mut wrong = Vec::new();
    for (m, deps) in &g {
        let Some(lm) = layer_of(m) else {
            wrong.push(format!("module `{m}` is in no layer: add it to ANALYSIS_LAYERS and ARCHITECTURE.md"));
            continue;
        };
        for d in deps {
            match layer_of(d) {
                Some(ld) if ld > lm => wrong.push(format!(
                    "`{m}` ({}) imports `{d}` ({}), a higher layer",
                    ANALYSIS_LAYERS[lm].0, ANALYSIS_LAYERS[ld].0
                )),
                Some(_) => {}
                None => wrong.push(format!("`{m}` imports `{d}`, which is in no layer")),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_crate_is_a_dag_of_modules() {
    for krate in ["crates/analysis/src", "crates/web/src", "crates/collector/src"] {
        let g = graph(&root().join(krate));
        assert!(g.len() > 3, "{krate}: too few modules found ({g:?})");
        if let Some(c) = a_cycle(&g) {
            panic!("{krate}: import cycle {}", c.join(" → "));
        }
    }
}

#[test]
fn the_reader_sees_imports_and_cycles() {
    let code = code_without_tests(
        "use crate::a::B;\n// use crate::hidden;\nfn f() { crate::c::d(); }\nuse crate::{e, f::{G, H}, i};\n\
         #[cfg(test)]\nmod tests {\n    use crate::t;\n}\n",
    );
    let found: Vec<String> = imports(&code).into_iter().collect();
    assert_eq!(found, ["a", "c", "e", "f", "i"]);
    let mut g = BTreeMap::new();
    g.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    g.insert("b".to_string(), BTreeSet::from(["c".to_string()]));
    g.insert("c".to_string(), BTreeSet::new());
    assert_eq!(a_cycle(&g), None);
    g.get_mut("c").unwrap().insert("a".to_string());
    assert_eq!(a_cycle(&g).unwrap(), ["a", "b", "c", "a"]);
}
