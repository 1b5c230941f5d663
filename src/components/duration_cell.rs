//! A duration with a bar scaled against the longest duration in the table.

use crate::format::format_duration;
use leptos::prelude::*;

#[component]
pub fn DurationCell(duration_nanos: i64, #[prop(into)] max_nanos: Signal<i64>) -> impl IntoView {
    view! {
        <td class="sl-duration-cell">
            <div
                class="sl-duration-cell__bar"
                style:width=move || format!("{:.1}%", 100.0 * duration_nanos as f64 / max_nanos.get().max(1) as f64)
            ></div>
            <span>{format_duration(duration_nanos)}</span>
        </td>
    }
}
