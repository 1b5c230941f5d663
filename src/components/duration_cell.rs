//! A duration with a bar scaled against the longest duration in the table.

use crate::format::format_duration;
use leptos::prelude::*;

#[component]
pub fn DurationCell(duration_nanos: i64, #[prop(into)] max_nanos: Signal<i64>) -> impl IntoView {
    // The bar's track is the cell less the room the text needs on the right (style/pages.css), so
    // the longest trace fills it and the others are in proportion.
    let width = move || {
        let fraction = (duration_nanos as f64 / max_nanos.get().max(1) as f64).clamp(0.0, 1.0);
        format!("calc((100% - var(--sl-duration-text-room)) * {fraction:.4})")
    };
    view! {
        <td class="sl-duration-cell">
            <div class="sl-duration-cell__bar" style:width=width></div>
            <span>{format_duration(duration_nanos)}</span>
        </td>
    }
}
