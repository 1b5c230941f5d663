//! Light and dark themes. The default follows `prefers-color-scheme` in CSS; an explicit choice is
//! stored in localStorage and set as `data-theme` on `<html>` (index.html applies it before first
//! paint to avoid a flash).

const STORAGE_KEY: &str = "spanlens.theme";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

impl Theme {
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// The canvas palette of this theme.
    pub fn palette(self) -> spanlens_layout::palette::Theme {
        match self {
            Theme::Light => spanlens_layout::palette::Theme::Light,
            Theme::Dark => spanlens_layout::palette::Theme::Dark,
        }
    }

    pub fn toggled(self) -> Theme {
        match self {
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::Light,
        }
    }
}

/// The theme in effect now: the stored choice, else the system preference.
pub fn current() -> Theme {
    let window = web_sys::window();
    let stored = window
        .as_ref()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten());
    match stored.as_deref() {
        Some("dark") => Theme::Dark,
        Some("light") => Theme::Light,
        _ => {
            let prefers_dark = window
                .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
                .is_some_and(|m| m.matches());
            if prefers_dark { Theme::Dark } else { Theme::Light }
        }
    }
}

pub fn apply(theme: Theme) {
    let Some(window) = web_sys::window() else { return };
    if let Some(root) = window.document().and_then(|d| d.document_element()) {
        root.set_attribute("data-theme", theme.as_str()).ok();
    }
    if let Ok(Some(storage)) = window.local_storage() {
        storage.set_item(STORAGE_KEY, theme.as_str()).ok();
    }
}
