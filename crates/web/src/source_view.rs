//! The bundle's text with line numbers and section headers, virtualised: only the lines
//! in view (plus a margin) are in the DOM, so a million-line bundle scrolls smoothly.
//! Selecting evidence scrolls to its line and highlights it.

use kubeleak_analysis::model::Origin;
use web_sys::HtmlElement;
use yew::prelude::*;

use crate::app::Shared;

/// Height of one line in pixels (must match `.source .line` in web/style.css).
const LINE_H: f64 = 18.0;
const VIEW_H: f64 = 432.0;
const MARGIN: usize = 20;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub analysis: Shared,
    pub selected: Option<Origin>,
}

#[function_component(SourceView)]
pub fn source_view(props: &Props) -> Html {
    let model = &props.analysis.0.model;
    let source = use_state(|| 0usize);
    let scroll = use_state(|| 0.0f64);
    let node = use_node_ref();

    // Jump to the selected evidence line.
    {
        let (node, source, scroll) = (node.clone(), source.clone(), scroll.clone());
        use_effect_with(props.selected, move |sel| {
            if let Some(o) = sel {
                source.set(o.source);
                let top = ((o.line as f64 - 6.0).max(0.0)) * LINE_H;
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

    let Some(src) = model.sources.get(*source) else {
        return html! { <p class="muted">{ "No source text." }</p> };
    };
    let total = src.text.len();
    let first = ((*scroll / LINE_H) as usize).saturating_sub(MARGIN).min(total);
    let last = (((*scroll + VIEW_H) / LINE_H) as usize + MARGIN).min(total);
    let section_at = |line: u32| {
        model
            .sections
            .iter()
            .find(|s| s.source == *source && s.first_line == line)
            .map(|s| format!("{:?}", s.kind))
    };
    let on_scroll = {
        let scroll = scroll.clone();
        Callback::from(move |e: Event| {
            let el: HtmlElement = e.target_unchecked_into();
            scroll.set(f64::from(el.scroll_top()));
        })
    };
    let tabs = model.sources.iter().enumerate().map(|(i, s)| {
        let source = source.clone();
        let scroll = scroll.clone();
        html! {
            <button class={classes!("tab", (i == *source).then_some("active"))}
                onclick={Callback::from(move |_| { source.set(i); scroll.set(0.0); })}>
                { format!("{} ({} lines)", s.name, s.lines) }
            </button>
        }
    });
    html! {
        <div class="source-wrap">
            <div class="tabs">{ for tabs }</div>
            <div id="source" class="source" ref={node} onscroll={on_scroll} tabindex="0" aria-label="bundle source">
                <div class="spacer" style={format!("height:{}px", total as f64 * LINE_H)}>
                { for (first..last).map(|i| {
                    let n = i as u32 + 1;
                    let selected = props.selected.is_some_and(|o| o.source == *source && o.line == n);
                    let header = section_at(n);
                    html! {
                        <div class={classes!("line", selected.then_some("selected"), header.is_some().then_some("section-start"))}
                             data-line={n.to_string()}
                             style={format!("top:{}px", i as f64 * LINE_H)}>
                            <span class="no">{ n }</span>
                            if let Some(h) = header { <span class="badge">{ h }</span> }
                            <span class="text">{ src.text[i].as_str() }</span>
                        </div>
                    }
                }) }
                </div>
            </div>
        </div>
    }
}
