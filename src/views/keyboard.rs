//! Which key presses the trace page's shortcuts may take.

use wasm_bindgen::JsCast as _;

/// A key press with no Ctrl/⌘/Alt, outside text fields: typing in the find box must not move the
/// selection, but a checkbox or button that has focus after a click must not swallow shortcuts.
pub fn is_plain_key(e: &web_sys::KeyboardEvent) -> bool {
    !(e.ctrl_key() || e.meta_key() || e.alt_key() || in_text_field(e))
}

fn in_text_field(e: &web_sys::KeyboardEvent) -> bool {
    e.target().and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()).is_some_and(|el| {
        let tag = el.tag_name().to_ascii_lowercase();
        let input_type = el.get_attribute("type").unwrap_or_default().to_ascii_lowercase();
        (tag == "input" && takes_text(&input_type)) || tag == "textarea" || tag == "select" || el.is_content_editable()
    })
}

/// Input types that take typed text (an `<input>` without a type is a text field).
pub fn takes_text(input_type: &str) -> bool {
    !matches!(
        input_type,
        "checkbox" | "radio" | "button" | "submit" | "reset" | "range" | "color" | "file" | "image" | "hidden"
    )
}

#[cfg(test)]
mod tests {
    use super::takes_text;

    #[test]
    fn only_text_inputs_swallow_keys() {
        for t in ["", "text", "search", "number", "url", "email", "password"] {
            assert!(takes_text(t), "{t}");
        }
        for t in ["checkbox", "radio", "button", "range"] {
            assert!(!takes_text(t), "{t}");
        }
    }
}
