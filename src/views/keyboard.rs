//! Which key presses the trace page's shortcuts may take.

use wasm_bindgen::JsCast as _;

/// A key press with no Ctrl/⌘/Alt, outside text fields: typing in the find box must not move the
/// selection.
pub fn is_plain_key(e: &web_sys::KeyboardEvent) -> bool {
    !(e.ctrl_key() || e.meta_key() || e.alt_key() || in_text_field(e))
}

fn in_text_field(e: &web_sys::KeyboardEvent) -> bool {
    e.target().and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()).is_some_and(|el| {
        let tag = el.tag_name().to_ascii_lowercase();
        tag == "input" || tag == "textarea" || tag == "select" || el.is_content_editable()
    })
}
