//! The first cell of a trace row: root service and operation over the trace id, linking to the trace.

use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn TraceLinkCell(href: String, root_service: String, root_name: String, trace_id: String) -> impl IntoView {
    view! {
        <td>
            <A href=href attr:class="sl-trace-link">
                <span class="sl-trace-link__title">
                    <span class="sl-service-name">{root_service}</span>
                    ": "
                    {root_name}
                </span>
                <span class="sl-mono sl-muted">{trace_id}</span>
            </A>
        </td>
    }
}
