//! The page's side of redaction (issue 22): its exports are redacted by default, and a
//! switch beside the export buttons exports the bundle's own text instead.
//!
//! The worker builds both versions of the JSON and HTML reports
//! ([`View::json`]/[`View::html`] redacted, [`View::unredacted`] as the bundle has them,
//! only when something was redacted) with the analysis crate's one implementation
//! (`kubeleak_analysis::redaction`); the page itself shows the bundle as it is. The note
//! says how many secrets the exports leave out, by kind ("secrets redacted: 3",
//! `github-token 2, jwt 1` on hover); the charts the page draws into the HTML export
//! have their labels redacted too.

use kubeleak_analysis::redact;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::view::View;

/// One of the exports: from [`View::posted_exports`] (the page), else from the view.
fn export(view: &View, redacted: bool, html: bool) -> String {
    if let Some(posted) = view.posted_exports.as_ref().filter(|p| p.is_object()) {
        let key = match (redacted, html) {
            (true, false) => "json",
            (true, true) => "html",
            (false, false) => "unredacted_json",
            (false, true) => "unredacted_html",
        };
        // The unredacted exports are only posted when redaction replaced something.
        return crate::message::get(posted, key)
            .as_string()
            .or_else(|| crate::message::get(posted, if html { "html" } else { "json" }).as_string())
            .unwrap_or_default();
    }
    match (&view.unredacted, redacted, html) {
        (Some((json, _)), false, false) => json.clone(),
        (Some((_, html)), false, true) => html.clone(),
        (_, _, false) => view.json.clone(),
        (_, _, true) => view.html.clone(),
    }
}

/// The JSON export: redacted, or as the bundle has it.
pub fn json(view: &View, redacted: bool) -> String {
    export(view, redacted, false)
}

/// The HTML export before its charts are drawn in: redacted, or as the bundle has it.
pub fn html(view: &View, redacted: bool) -> String {
    export(view, redacted, true)
}

/// A chart the page drew, with secrets in its labels redacted when the export is.
pub fn svg(svg: String, redacted: bool) -> String {
    if !redacted {
        return svg;
    }
    match redact::redact(&svg, &mut redact::Counts::new()) {
        std::borrow::Cow::Borrowed(_) => svg,
        std::borrow::Cow::Owned(o) => o,
    }
}

/// The note ("secrets redacted: N") and the switch for the exports.
pub fn switch(view: Option<&View>, on: &UseStateHandle<bool>) -> Html {
    let Some(view) = view else { return html! {} };
    let total: usize = view.redactions.iter().map(|(_, n)| n).sum();
    let kinds: Vec<String> = view.redactions.iter().map(|(k, n)| format!("{k} {n}")).collect();
    let title = if kinds.is_empty() {
        "No secrets found in what the exports quote".to_string()
    } else {
        format!("Replaced by [REDACTED] in the exports: {}", kinds.join(", "))
    };
    let toggle = {
        let on = on.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                on.set(input.checked());
            }
        })
    };
    html! {
        <>
            <span id="redactions" class="muted" title={title}>{ format!("secrets redacted: {total}") }</span>
            <label class="redact-switch" for="redact-exports">
                <input id="redact-exports" type="checkbox" checked={**on} onchange={toggle} />
                { " Redact secrets in exports" }
            </label>
        </>
    }
}
