//! The trace page's views, one registry entry each. A view reads the shared analysis and focus and
//! owns only its own state; `?view=<key>` picks one and keys `1`…`9` switch in registry order.
//! Adding a view is one entry here and its own module: no other view changes.

pub mod flame;
pub mod graph;
pub mod keyboard;
pub mod stats;
mod view_tabs;
pub mod waterfall;

pub use flame::FlameView;
pub use graph::GraphView;
pub use stats::StatsView;
pub use view_tabs::ViewTabs;
pub use waterfall::{WaterfallState, WaterfallView};

use leptos::prelude::*;

use crate::chunks::{self, Deferred};

pub struct ViewEntry {
    /// The `?view=` value.
    pub key: &'static str,
    pub label: &'static str,
    pub render: fn() -> AnyView,
}

pub const VIEWS: &[ViewEntry] = &[
    ViewEntry { key: "waterfall", label: "Waterfall", render: || view! { <WaterfallView/> }.into_any() },
    // The other views' code is fetched when first shown (crate::chunks).
    ViewEntry {
        key: "flame",
        label: "Flame graph",
        render: || view! { <Deferred load=chunks::FLAME_VIEW what="the flame graph"/> }.into_any(),
    },
    ViewEntry {
        key: "stats",
        label: "Statistics",
        render: || view! { <Deferred load=chunks::STATS_VIEW what="the statistics"/> }.into_any(),
    },
    ViewEntry {
        key: "graph",
        label: "Service graph",
        render: || view! { <Deferred load=chunks::GRAPH_VIEW what="the service graph"/> }.into_any(),
    },
];

/// The view named by `?view=`; the first (the waterfall) when none or an unknown one is named.
pub fn by_key(key: Option<&str>) -> &'static ViewEntry {
    key.and_then(|k| VIEWS.iter().find(|v| v.key == k)).unwrap_or(&VIEWS[0])
}

/// The view a digit key switches to (`1` is the first).
pub fn by_shortcut(key: &str) -> Option<&'static ViewEntry> {
    let digit: usize = key.parse().ok()?;
    VIEWS.get(digit.checked_sub(1)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_shortcuts_find_views() {
        assert_eq!(by_key(Some("waterfall")).key, "waterfall");
        assert_eq!(by_key(None).key, VIEWS[0].key);
        assert_eq!(by_key(Some("nonsense")).key, VIEWS[0].key);
        assert_eq!(by_shortcut("1").map(|v| v.key), Some("waterfall"));
        assert_eq!(by_shortcut("2").map(|v| v.key), Some("flame"));
        assert!(by_shortcut("0").is_none());
        assert!(by_shortcut("9").is_none() || VIEWS.len() >= 9);
        assert!(by_shortcut("x").is_none());
        let mut keys: Vec<&str> = VIEWS.iter().map(|v| v.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), VIEWS.len(), "view keys are unique");
    }
}
