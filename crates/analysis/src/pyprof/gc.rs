//! Garbage collector debug output (CPython `Modules/gcmodule.c`), printed to stderr after
//! `gc.set_debug(gc.DEBUG_STATS | gc.DEBUG_UNCOLLECTABLE)`:
//!
//! ```text
//! gc: collecting generation 2...
//! gc: objects in each generation: 12 6 11698
//! gc: objects in permanent generation: 0
//! gc: done, 4006 unreachable, 3 uncollectable, 0.0111s elapsed
//! gc: uncollectable <Node 0x7f3a2c1d0e80>
//! ```
//!
//! Each `collecting` line starts one [`GcRun`] (generation 2, objects 12/6/11698, 4006
//! unreachable, 3 uncollectable); each `uncollectable <Type 0x…>` line is one
//! [`GcObject`]. `gc: collectable <…>` (`DEBUG_COLLECTABLE`) lines are read and skipped.

use std::sync::OnceLock;

use regex::Regex;

use super::Line;
use crate::model::{GcObject, GcRun, Profiles};

struct Res {
    collecting: Regex,
    objects: Regex,
    done: Regex,
    uncollectable: Regex,
    other: Regex,
}

fn res() -> &'static Res {
    static R: OnceLock<Res> = OnceLock::new();
    R.get_or_init(|| Res {
        collecting: Regex::new(r"gc: collecting generation (\d+)").expect("static regex"),
        objects: Regex::new(r"gc: objects in each generation:((?: \d+)+)").expect("static regex"),
        done: Regex::new(r"gc: done, (\d+) unreachable, (\d+) uncollectable")
            .expect("static regex"),
        uncollectable: Regex::new(r"gc: uncollectable <([^\s>]+)").expect("static regex"),
        other: Regex::new(r"gc: (?:objects in permanent generation|collectable <|done)")
            .expect("static regex"),
    })
}

/// Whether a pasted block starts here.
pub fn starts_block(line: &str) -> bool {
    let r = res();
    let l = line.trim_start();
    l.starts_with("gc: ")
        && (r.collecting.is_match(l)
            || r.objects.is_match(l)
            || r.done.is_match(l)
            || r.uncollectable.is_match(l))
}

#[derive(Default)]
pub struct Reader {
    /// The collection being printed (index into `out.gc_runs`), until its `done` line.
    current: Option<usize>,
}

impl Reader {
    fn run<'p>(&mut self, l: &Line<'_>, out: &'p mut Profiles) -> &'p mut GcRun {
        let i = match self.current {
            Some(i) if i < out.gc_runs.len() => i,
            _ => {
                out.gc_runs.push(GcRun {
                    at: l.at,
                    origin: l.origin,
                    ..GcRun::default()
                });
                out.gc_runs.len() - 1
            }
        };
        self.current = Some(i);
        &mut out.gc_runs[i]
    }
}

impl super::Reader for Reader {
    fn feed(&mut self, l: &Line<'_>, out: &mut Profiles) -> bool {
        let r = res();
        let text = l.text;
        static GC: std::sync::OnceLock<memchr::memmem::Finder<'static>> = std::sync::OnceLock::new();
        if !super::contains(&GC, "gc: ", text) {
            return false;
        }
        if let Some(m) = r.collecting.captures(text) {
            self.current = None;
            self.run(l, out).generation = m[1].parse().ok();
            return true;
        }
        if let Some(m) = r.objects.captures(text) {
            let objects: Vec<u64> = m[1]
                .split_whitespace()
                .filter_map(|n| n.parse().ok())
                .collect();
            if self
                .current
                .and_then(|i| out.gc_runs.get(i))
                .is_some_and(|g| !g.objects.is_empty())
            {
                self.current = None; // a second listing without `collecting`: another run
            }
            self.run(l, out).objects = objects;
            return true;
        }
        if let Some(m) = r.done.captures(text) {
            let run = self.run(l, out);
            run.unreachable = m[1].parse().ok();
            run.uncollectable = m[2].parse().ok();
            self.current = None;
            return true;
        }
        if let Some(m) = r.uncollectable.captures(text) {
            out.gc_uncollectable.push(GcObject {
                at: l.at,
                type_name: m[1].to_string(),
                origin: l.origin,
            });
            return true;
        }
        r.other.is_match(text)
    }

    fn end(&mut self, _out: &mut Profiles) {
        self.current = None;
    }
}

#[cfg(test)]
mod tests {
    use super::super::scan;

    #[test]
    fn stats_and_uncollectable() {
        // Printed by CPython 3.11 with DEBUG_STATS | DEBUG_UNCOLLECTABLE.
        let text = "\
gc: collecting generation 2...
gc: objects in each generation: 12 6 11698
gc: objects in permanent generation: 0
gc: done, 4006 unreachable, 3 uncollectable, 0.0111s elapsed
gc: uncollectable <Node 0x7f3a2c1d0e80>
gc: uncollectable <app.tree.Node 0x7f3a2c1d0f10>
gc: collecting generation 0...
gc: objects in each generation: 702 0 11574
gc: done, 0 unreachable, 0 uncollectable, 0.0004s elapsed";
        let lines = super::super::test_lines(text);
        let p = scan(&lines);
        assert_eq!(p.gc_runs.len(), 2);
        let g = &p.gc_runs[0];
        assert_eq!(
            (g.generation, g.objects.clone()),
            (Some(2), vec![12, 6, 11698])
        );
        assert_eq!((g.unreachable, g.uncollectable), (Some(4006), Some(3)));
        assert_eq!(g.origin.line, 1);
        assert_eq!(p.gc_runs[1].generation, Some(0));
        assert_eq!(p.gc_uncollectable.len(), 2);
        assert_eq!(p.gc_uncollectable[1].type_name, "app.tree.Node");
    }
}
