//! JSON and YAML as one tree whose values carry the bundle line where they start, for
//! the readers of `kubectl … -o json/yaml` output (pods, events, the kubelet's stats
//! summary).
//!
//! YAML is read with saphyr, which marks every node with its line. JSON is checked by
//! serde_json (exact error messages, nesting limit 128), then a small scanner
//! (`JsonScan`) walks the accepted text once to build the same tree with lines
//! (serde_json keeps no positions). Nesting deeper than [`MAX_DEPTH`] levels is an
//! error, never a stack overflow.
//!
//! Example: `{"metadata": {"name": "w-1"}}` on bundle lines 10–12 gives a mapping at
//! line 10 whose `metadata` entry is at line 10 and whose `name` value is at line 11.

use saphyr::{MarkedYaml, Scalar, YamlData};

use crate::sections::Section;

/// Deepest nesting read (serde_json's own limit); kubectl's pods nest about 12 deep.
pub(crate) const MAX_DEPTH: usize = 128;

/// Longest run of indentation and block indicators (`- `, `? `) accepted at the start
/// of a YAML line. Each nesting level of block YAML costs at least one column, so this
/// bounds the depth of what saphyr builds (and drops recursively).
pub(crate) const MAX_YAML_INDENT: usize = 512;

/// A JSON/YAML value with the bundle line where it starts.
#[derive(Debug)]
pub(crate) struct TreeNode {
    pub(crate) line: u32,
    pub(crate) v: TreeValue,
}

#[derive(Debug)]
pub(crate) enum TreeValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<TreeNode>),
    Map(Vec<Entry>),
}

#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) key: String,
    /// Line of the key (for a nested mapping in YAML, the value starts a line later).
    pub(crate) line: u32,
    pub(crate) value: TreeNode,
}

impl TreeNode {
    pub(crate) fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.v {
            // A repeated JSON key: the last one counts, as in serde_json and Go.
            TreeValue::Map(entries) => entries.iter().rev().find(|e| e.key == key),
            _ => None,
        }
    }

    /// The value of `key`, `None` if absent or null.
    pub(crate) fn get(&self, key: &str) -> Option<&TreeNode> {
        self.entry(key).map(|e| &e.value).filter(|n| !matches!(n.v, TreeValue::Null))
    }

    pub(crate) fn describe(&self) -> String {
        match &self.v {
            TreeValue::Null => "null".into(),
            TreeValue::Bool(b) => b.to_string(),
            TreeValue::Int(i) => format!("the number {i}"),
            TreeValue::Float(f) => format!("the number {f}"),
            TreeValue::Str(s) if s.chars().count() > 60 => {
                let head: String = s.chars().take(60).collect();
                format!("{head:?}…")
            }
            TreeValue::Str(s) => format!("{s:?}"),
            TreeValue::Seq(_) => "a list".into(),
            TreeValue::Map(_) => "a mapping".into(),
        }
    }
}

/// Maps lines of the text handed to a reader (1-based) to bundle lines.
pub(crate) struct LineMap<'a> {
    pub(crate) numbers: &'a [u32],
    /// Index in `numbers` of the text's first line.
    pub(crate) offset: usize,
}

impl LineMap<'_> {
    pub(crate) fn at(&self, text_line: usize) -> u32 {
        let i = self.offset.saturating_add(text_line.saturating_sub(1));
        self.numbers.get(i).or(self.numbers.last()).copied().unwrap_or(0)
    }
}

/// Converts saphyr's tree; `Err(line)` when nested deeper than [`MAX_DEPTH`].
pub(crate) fn from_yaml(y: &MarkedYaml<'_>, lines: &LineMap<'_>, depth: usize) -> Result<TreeNode, u32> {
    let line = lines.at(y.span.start.line());
    if depth > MAX_DEPTH {
        return Err(line);
    }
    let v = match &y.data {
        YamlData::Value(s) => scalar(s),
        YamlData::Representation(s, _, _) => TreeValue::Str(s.to_string()),
        YamlData::Sequence(items) => {
            TreeValue::Seq(items.iter().map(|i| from_yaml(i, lines, depth + 1)).collect::<Result<_, _>>()?)
        }
        YamlData::Mapping(m) => {
            let mut entries = Vec::with_capacity(m.len());
            for (k, value) in m.iter() {
                // Keys that are not scalars (`? [a, b]`) never occur in kubectl output.
                let key = match &k.data {
                    YamlData::Value(s) => match scalar(s) {
                        TreeValue::Str(s) => s,
                        TreeValue::Int(i) => i.to_string(),
                        TreeValue::Bool(b) => b.to_string(),
                        TreeValue::Float(f) => f.to_string(),
                        _ => continue,
                    },
                    YamlData::Representation(s, _, _) => s.to_string(),
                    _ => continue,
                };
                entries.push(Entry {
                    key,
                    line: lines.at(k.span.start.line()),
                    value: from_yaml(value, lines, depth + 1)?,
                });
            }
            TreeValue::Map(entries)
        }
        YamlData::Tagged(_, inner) => return from_yaml(inner, lines, depth + 1),
        YamlData::Alias(_) | YamlData::BadValue => TreeValue::Null,
    };
    Ok(TreeNode { line, v })
}

fn scalar(s: &Scalar<'_>) -> TreeValue {
    match s {
        Scalar::Null => TreeValue::Null,
        Scalar::Boolean(b) => TreeValue::Bool(*b),
        Scalar::Integer(i) => TreeValue::Int(*i),
        Scalar::FloatingPoint(f) => TreeValue::Float(f.into_inner()),
        Scalar::String(s) => TreeValue::Str(s.to_string()),
    }
}

/// Fallback when saphyr cannot read a JSON document serde_json accepted: every node
/// cites the document's first line. serde_json limits nesting to 128, so the recursion
/// is bounded.
pub(crate) fn from_json(v: &serde_json::Value, line: u32) -> TreeNode {
    use serde_json::Value as J;
    let v = match v {
        J::Null => TreeValue::Null,
        J::Bool(b) => TreeValue::Bool(*b),
        J::Number(n) => match n.as_i64() {
            Some(i) => TreeValue::Int(i),
            None => TreeValue::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        J::String(s) => TreeValue::Str(s.clone()),
        J::Array(a) => TreeValue::Seq(a.iter().map(|x| from_json(x, line)).collect()),
        J::Object(o) => {
            TreeValue::Map(o.iter().map(|(k, x)| Entry { key: k.clone(), line, value: from_json(x, line) }).collect())
        }
    };
    TreeNode { line, v }
}

/// Builds the tree of one JSON document that serde_json has already accepted, with the
/// line of every key and value. Hand-written because serde_json keeps no positions, and
/// saphyr (which reads JSON as YAML 1.2, with positions) is about 300 times slower than
/// serde_json on JSON, while a bundle's `-o json` can be tens of megabytes. Strings with
/// escapes are decoded by serde_json. `None` if the text is not what serde_json accepted
/// (then the caller falls back to serde_json's value). Recursion is bounded by
/// serde_json's nesting limit, checked before.
struct JsonScan<'t> {
    b: &'t [u8],
    i: usize,
    /// 1-based line of `b[i]` in the text.
    line: usize,
}

impl JsonScan<'_> {
    fn blank(&mut self) {
        while let Some(&c) = self.b.get(self.i) {
            match c {
                b'\n' => self.line += 1,
                b' ' | b'\t' | b'\r' => {}
                _ => break,
            }
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        self.blank();
        (self.b.get(self.i) == Some(&c)).then(|| self.i += 1)
    }

    fn value(&mut self, lines: &LineMap<'_>, depth: usize) -> Option<TreeNode> {
        self.blank();
        if depth > MAX_DEPTH {
            return None;
        }
        let line = lines.at(self.line);
        let v = match *self.b.get(self.i)? {
            b'{' => {
                self.i += 1;
                let mut entries = Vec::new();
                if self.eat(b'}').is_none() {
                    loop {
                        self.blank();
                        let key_line = lines.at(self.line);
                        let key = self.string()?;
                        self.eat(b':')?;
                        let value = self.value(lines, depth + 1)?;
                        entries.push(Entry { key, line: key_line, value });
                        if self.eat(b',').is_none() {
                            self.eat(b'}')?;
                            break;
                        }
                    }
                }
                TreeValue::Map(entries)
            }
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                if self.eat(b']').is_none() {
                    loop {
                        items.push(self.value(lines, depth + 1)?);
                        if self.eat(b',').is_none() {
                            self.eat(b']')?;
                            break;
                        }
                    }
                }
                TreeValue::Seq(items)
            }
            b'"' => TreeValue::Str(self.string()?),
            _ => {
                let start = self.i;
                while self.b.get(self.i).is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'+' | b'.')) {
                    self.i += 1;
                }
                match std::str::from_utf8(self.b.get(start..self.i)?).ok()? {
                    "true" => TreeValue::Bool(true),
                    "false" => TreeValue::Bool(false),
                    "null" => TreeValue::Null,
                    word => match word.parse::<i64>() {
                        Ok(i) => TreeValue::Int(i),
                        Err(_) => TreeValue::Float(word.parse::<f64>().ok()?),
                    },
                }
            }
        };
        Some(TreeNode { line, v })
    }

    fn string(&mut self) -> Option<String> {
        if self.b.get(self.i) != Some(&b'"') {
            return None;
        }
        let start = self.i;
        self.i += 1;
        let mut escaped = false;
        loop {
            match *self.b.get(self.i)? {
                b'\\' => {
                    escaped = true;
                    self.i += 2;
                }
                b'"' => break,
                _ => self.i += 1,
            }
        }
        self.i += 1;
        // Both ends are `"`, so the slice is on character boundaries.
        let raw = std::str::from_utf8(self.b.get(start..self.i)?).ok()?;
        if escaped {
            serde_json::from_str(raw).ok()
        } else {
            raw.get(1..raw.len() - 1).map(str::to_string)
        }
    }
}

pub(crate) fn json_nodes(doc: &str, lines: &LineMap<'_>) -> Option<TreeNode> {
    let mut scan = JsonScan { b: doc.as_bytes(), i: 0, line: 1 };
    let node = scan.value(lines, 0)?;
    scan.blank();
    (scan.i == doc.len()).then_some(node)
}

/// One JSON document of a section as a tree whose values carry their bundle lines, for
/// the other JSON readers (`events_json`, `node_metrics`). `Ok(None)` for an empty
/// section; `Err((line, why))` when it is not one JSON value (truncated, damaged).
pub(crate) fn json_tree(section: &Section<'_>) -> Result<Option<TreeNode>, (u32, String)> {
    let mut text = String::new();
    let mut numbers = Vec::with_capacity(section.lines.len());
    for (i, &(n, l)) in section.lines.iter().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        text.push_str(l);
        numbers.push(n);
    }
    if text.trim().is_empty() {
        return Ok(None);
    }
    let lines = LineMap { numbers: &numbers, offset: 0 };
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(&text) {
        let line = if e.is_eof() {
            section.lines.iter().rev().find(|(_, l)| !l.trim().is_empty()).map_or(0, |&(n, _)| n)
        } else {
            lines.at(e.line())
        };
        let why = if e.is_eof() {
            "the JSON ends early (truncated?)".to_string()
        } else {
            format!("cannot read the JSON ({e})")
        };
        return Err((line, why));
    }
    match json_nodes(&text, &lines) {
        Some(node) => Ok(Some(node)),
        None => {
            let first = lines.at(1);
            serde_json::from_str::<serde_json::Value>(&text)
                .map(|v| Some(from_json(&v, first)))
                .map_err(|e| (first, format!("cannot read the JSON ({e})")))
        }
    }
}
