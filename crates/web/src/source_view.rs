//! The inputs' text with line numbers and section headers, virtualised: only the lines
//! in view (plus a margin) are in the DOM, and only those are asked of the Web Worker
//! (which reads them again from the file, see [`crate::lines_worker`]), so a 1 GB input with
//! millions of lines scrolls smoothly and is never held by the page. Selecting evidence
//! scrolls to its line and highlights it.

use std::rc::Rc;

use web_sys::HtmlElement;
use yew::prelude::*;

use crate::client::{Client, LinesReply};
use crate::view::{Loc, Shared};

/// Height of one line in pixels (must match `.source .line` in web/style.css).
const LINE_H: f64 = 18.0;
const VIEW_H: f64 = 432.0;
const MARGIN: u64 = 20;
/// Tallest scroll area drawn, in pixels: browsers cap an element's height (Chromium near
/// 33.5 million px, about 1.8 million lines). A taller source scrolls proportionally:
/// one pixel of the scroll bar moves [`Scale::ratio`] pixels through the text.
const MAX_PX: f64 = 30_000_000.0;
/// Lines asked of the worker beyond the visible ones, on each side.
const AHEAD: u64 = 150;

/// How the scroll position maps to lines for a source of `lines` lines.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale {
    /// Height of the scroll area in pixels.
    pub height: f64,
    /// Text pixels per scrolled pixel (1 unless the source is taller than [`MAX_PX`]).
    pub ratio: f64,
}

impl Scale {
    pub fn new(lines: u64) -> Scale {
        let full = lines as f64 * LINE_H;
        if full <= MAX_PX {
            Scale { height: full, ratio: 1.0 }
        } else {
            Scale { height: MAX_PX, ratio: (full - VIEW_H) / (MAX_PX - VIEW_H) }
        }
    }

    /// Pixel offset into the text at a scroll position.
    pub fn text_px(&self, scroll: f64) -> f64 {
        scroll * self.ratio
    }

    /// Scroll position that shows the text at pixel offset `px` at the top.
    pub fn scroll_for(&self, px: f64) -> f64 {
        px / self.ratio
    }
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub view: Shared,
    pub client: Client,
    pub selected: Option<Loc>,
}

/// Lines the worker sent: the view they belong to, the source, the first line (0-based).
struct Chunk {
    view: Shared,
    source: usize,
    from: u64,
    lines: Vec<String>,
}

impl Chunk {
    fn covers(&self, view: &Shared, source: usize, from: u64, to: u64) -> bool {
        self.view == *view && self.source == source && self.from <= from && to <= self.from + self.lines.len() as u64
    }
}

#[function_component(SourceView)]
pub fn source_view(props: &Props) -> Html {
    let sources = &props.view.0.sources;
    let source = use_state(|| 0usize);
    let scroll = use_state(|| 0.0f64);
    let chunk = use_state(|| None::<Rc<Chunk>>);
    // The request in flight (source, from, to), so scrolling does not repeat it.
    let asked = use_mut_ref(|| None::<(Shared, usize, u64, u64)>);
    let node = use_node_ref();

    // A new view starts at its first source.
    {
        let (source, scroll) = (source.clone(), scroll.clone());
        use_effect_with(props.view.clone(), move |_| {
            source.set(0);
            scroll.set(0.0);
        });
    }

    // Jump to the selected evidence line.
    {
        let (node, source, scroll) = (node.clone(), source.clone(), scroll.clone());
        let sources = props.view.0.sources.clone();
        use_effect_with(props.selected, move |sel| {
            if let Some(o) = sel {
                source.set(o.source);
                let lines = sources.get(o.source).map(|s| u64::from(s.lines)).unwrap_or(0);
                let top = Scale::new(lines).scroll_for(((f64::from(o.line) - 6.0).max(0.0)) * LINE_H);
                if let Some(el) = node.cast::<HtmlElement>() {
                    el.set_scroll_top(top as i32);
                    if let Some(parent) = el.parent_element() {
                        parent.scroll_into_view();
                    }
                }
                scroll.set(top);
            }
        });
    }

    let total = sources.get(*source).map(|s| u64::from(s.lines)).unwrap_or(0);
    let scale = Scale::new(total);
    let text_top = scale.text_px(*scroll);
    let first = ((text_top / LINE_H) as u64).saturating_sub(MARGIN).min(total);
    let last = (((text_top + VIEW_H) / LINE_H) as u64 + MARGIN).min(total);

    // Ask the worker for the visible lines (and some around them) when they are not here.
    {
        let (client, view, chunk, asked) = (props.client.clone(), props.view.clone(), chunk.clone(), asked.clone());
        let src = *source;
        // Checked again when lines arrive (they may be for an earlier scroll position).
        let arrived = chunk.as_ref().map(|c| Rc::as_ptr(c) as usize);
        use_effect_with((props.view.clone(), src, first, last, arrived), move |_| {
            let have = chunk.as_ref().is_some_and(|c| c.covers(&view, src, first, last))
                || (src == 0 && last <= view.0.first_lines.len() as u64);
            let pending = asked
                .borrow()
                .as_ref()
                .is_some_and(|(v, s, a, b)| *v == view && *s == src && *a <= first && last <= *b);
            if !have && !pending && first < last {
                let from = first.saturating_sub(AHEAD);
                let to = (last + AHEAD).min(total);
                *asked.borrow_mut() = Some((view.clone(), src, from, to));
                let reply = {
                    let (view, asked) = (view.clone(), asked.clone());
                    Callback::from(move |(s, from, lines): LinesReply| {
                        asked.borrow_mut().take();
                        chunk.set(Some(Rc::new(Chunk { view: view.clone(), source: s, from, lines })));
                    })
                };
                client.lines(src, from, to, reply);
            }
        });
    }

    if sources.is_empty() {
        return html! { <p class="muted">{ "No source text." }</p> };
    }
    // The lines at hand: what the worker sent, or the first lines that came with the view.
    let here = chunk.as_deref().filter(|c| c.view == props.view && c.source == *source);
    let (from, lines): (u64, &[String]) = match here {
        Some(c) if c.covers(&props.view, *source, first, last) => (c.from, &c.lines),
        _ if *source == 0 && last <= props.view.0.first_lines.len() as u64 => (0, &props.view.0.first_lines),
        Some(c) => (c.from, &c.lines),
        None => (0, &[]),
    };
    let section_at = |line: u32| {
        props.view.0.sections.iter().find(|s| s.at.source == *source && s.at.line == line).map(|s| s.kind.clone())
    };
    let on_scroll = {
        let scroll = scroll.clone();
        Callback::from(move |e: Event| {
            let el: HtmlElement = e.target_unchecked_into();
            scroll.set(f64::from(el.scroll_top()));
        })
    };
    let tabs = sources.iter().enumerate().map(|(i, s)| {
        let source = source.clone();
        let scroll = scroll.clone();
        let node = node.clone();
        html! {
            <button class={classes!("tab", (i == *source).then_some("active"))}
                onclick={Callback::from(move |_| {
                    source.set(i);
                    scroll.set(0.0);
                    if let Some(el) = node.cast::<HtmlElement>() { el.set_scroll_top(0); }
                })}>
                { format!("{} ({} lines)", s.name, s.lines) }
            </button>
        }
    });
    // Only lines the worker has sent are drawn; the rest of the scroll area stays empty
    // until they arrive.
    let visible: Vec<(u64, &str)> = (first.max(from)..last.min(from + lines.len() as u64))
        .filter_map(|i| lines.get(usize::try_from(i - from).ok()?).map(|l| (i, l.as_str())))
        .collect();
    html! {
        <div class="source-wrap">
            <div class="tabs">{ for tabs }</div>
            <div id="source" class="source" ref={node} onscroll={on_scroll} tabindex="0" aria-label="bundle source"
                 style={format!("--no:{}ch", total.max(1).to_string().len().max(6))}>
                <div class="spacer" style={format!("height:{}px", scale.height)}>
                { for visible.into_iter().map(|(i, text)| {
                    let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
                    let selected = props.selected.is_some_and(|o| o.source == *source && o.line == n);
                    let header = section_at(n);
                    html! {
                        <div class={classes!("line", selected.then_some("selected"), header.is_some().then_some("section-start"))}
                             data-line={n.to_string()}
                             style={format!("top:{}px", *scroll + (i as f64 * LINE_H - text_top))}>
                            <span class="no">{ n }</span>
                            if let Some(h) = header { <span class="badge">{ h }</span> }
                            <span class="text">{ text }</span>
                        </div>
                    }
                }) }
                </div>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_taller_than_the_browser_allows_scrolls_proportionally() {
        let small = Scale::new(1000);
        assert_eq!(small, Scale { height: 18_000.0, ratio: 1.0 });
        assert_eq!(small.scroll_for(small.text_px(540.0)), 540.0);
        // 1 GB of 120-byte lines.
        let lines = 9_000_000u64;
        let big = Scale::new(lines);
        assert_eq!(big.height, MAX_PX);
        assert!(big.ratio > 5.0);
        // The last screen of the scroll area shows the last lines of the text.
        let end = big.text_px(big.height - VIEW_H);
        assert!((end - (lines as f64 * LINE_H - VIEW_H)).abs() < 1e-3, "{end}");
        let px = 4_000_000.0 * LINE_H;
        assert!((big.text_px(big.scroll_for(px)) - px).abs() < 1e-3);
    }
}
