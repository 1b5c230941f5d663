//! Backends on the landing page: the configured and connected ones, and a dialog that connects one
//! at run time (URL and kind), tests the connection, and remembers it in this browser.

use crate::api::{self, ApiError, FetchOptions};
use crate::state::Backends;
use leptos::prelude::*;
use leptos::task::spawn_local;
use spanlens_backends::{Backend, BackendKind, ProbeAnswer, detect_kind_from_probe, probe_plan};

const KINDS: [BackendKind; 4] = [BackendKind::Tempo, BackendKind::Jaeger, BackendKind::JaegerV3, BackendKind::Zipkin];

#[component]
pub fn BackendList() -> impl IntoView {
    let backends = Backends::use_context();
    let open = RwSignal::new(false);
    view! {
        <div class="sl-backends" data-testid="backends">
            <span class="sl-muted">"Backends:"</span>
            <For each=move || backends.list.get() key=|b| b.backend.name.clone() let:listed>
                <span class="sl-source-chip" data-testid="backend-chip">
                    <span class="sl-badge">{listed.backend.kind.as_str()}</span>
                    <span class="sl-source-chip__label" title=listed.backend.url.clone()>{listed.backend.name.clone()}</span>
                    {(!listed.from_config).then(|| {
                        let name = listed.backend.name.clone();
                        view! {
                            <button class="sl-icon-button sl-source-chip__close" title="Forget this backend" aria-label="Forget this backend"
                                on:click=move |_| backends.disconnect(&name)>"✕"</button>
                        }
                    })}
                </span>
            </For>
            <button class="sl-button sl-button--small" data-testid="connect-backend" on:click=move |_| open.set(true)>
                "Connect a backend…"
            </button>
            <Show when=move || open.get()>
                <ConnectDialog open=open/>
            </Show>
        </div>
    }
}

#[component]
fn ConnectDialog(open: RwSignal<bool>) -> impl IntoView {
    let backends = Backends::use_context();
    let name = RwSignal::new(String::new());
    let url = RwSignal::new(String::new());
    let kind = RwSignal::new(BackendKind::Tempo);
    // `None` before a test; then whether it answered, and what it said.
    let tested = RwSignal::new(None::<(bool, String)>);
    let backend = move || Backend {
        name: if name.get_untracked().trim().is_empty() {
            kind.get_untracked().as_str().to_owned()
        } else {
            name.get_untracked().trim().to_owned()
        },
        kind: kind.get_untracked(),
        url: url.get_untracked().trim().to_owned(),
    };
    let test_connection = move |_| {
        let b = backend();
        tested.set(Some((true, "Testing…".to_owned())));
        spawn_local(async move {
            let answer =
                api::fetch_text(&b.probe_url(), FetchOptions { timeout_secs: 10, ..FetchOptions::default() }).await;
            let result = match answer {
                Ok(_) => (true, format!("{} answered.", b.kind.label())),
                Err(e) => (false, e.to_string()),
            };
            tested.try_set(Some(result));
        });
    };
    // Probes each API at the URL and picks the kind that answered like itself.
    let detect = move |_| {
        let base = url.get_untracked().trim().to_owned();
        tested.set(Some((true, "Detecting…".to_owned())));
        spawn_local(async move {
            let mut answers: Vec<(BackendKind, u16, String)> = Vec::new();
            for (probed, probe) in probe_plan(&base) {
                let options = FetchOptions { timeout_secs: 10, ..FetchOptions::default() };
                let (status, body) = match api::fetch_text(&probe, options).await {
                    Ok(body) => (200, body),
                    Err(ApiError::Status { status, body, .. }) => (status, body),
                    Err(_) => (0, String::new()),
                };
                answers.push((probed, status, body));
            }
            let seen: Vec<ProbeAnswer<'_>> = answers
                .iter()
                .map(|(probed, status, body)| ProbeAnswer { probed: *probed, status: *status, body })
                .collect();
            let result = match detect_kind_from_probe(&seen) {
                Some(found) => {
                    kind.try_set(found);
                    (true, format!("{} answered.", found.label()))
                }
                None => (false, "No Jaeger, Tempo or Zipkin API answered at this URL.".to_owned()),
            };
            tested.try_set(Some(result));
        });
    };
    let save = move |_| {
        backends.connect(backend());
        open.set(false);
    };
    view! {
        <div class="sl-modal-backdrop" on:click=move |_| open.set(false)>
            <div class="sl-modal" role="dialog" aria-label="Connect a backend" data-testid="connect-dialog" on:click=|ev| ev.stop_propagation()>
                <h2>"Connect a backend"</h2>
                <p class="sl-muted">
                    "The base URL of a Jaeger query, Tempo or Zipkin server (spanlens adds the /api/… paths). A path on this site (a proxy) avoids CORS; credentials belong in that proxy, never in the URL."
                </p>
                <label class="sl-field">"Kind"
                    <select class="sl-select" data-testid="connect-kind" prop:value=move || kind.get().as_str() on:change:target=move |ev| {
                        if let Ok(k) = ev.target().value().parse::<BackendKind>() { kind.set(k) }
                    }>
                        {KINDS.iter().map(|k| view! { <option value=k.as_str()>{k.label()}</option> }).collect_view()}
                    </select>
                </label>
                <label class="sl-field">"URL"
                    <input class="sl-input" data-testid="connect-url" placeholder="/tempo or https://tempo.example.com"
                        prop:value=move || url.get() on:input:target=move |ev| url.set(ev.target().value())/>
                </label>
                <label class="sl-field">"Name"
                    <input class="sl-input" data-testid="connect-name" placeholder="prod"
                        prop:value=move || name.get() on:input:target=move |ev| name.set(ev.target().value())/>
                </label>
                {move || tested.get().map(|(ok, text)| view! {
                    <p class=if ok { "sl-muted" } else { "sl-error-text" } data-testid="connect-result" role="status">{text}</p>
                })}
                <div class="sl-modal__actions">
                    <button class="sl-button" data-testid="connect-detect" on:click=detect>"Detect kind"</button>
                    <button class="sl-button" data-testid="connect-test" on:click=test_connection>"Test connection"</button>
                    <button class="sl-button sl-button--primary" data-testid="connect-save" on:click=save>"Connect"</button>
                    <button class="sl-button" on:click=move |_| open.set(false)>"Cancel"</button>
                </div>
            </div>
        </div>
    }
}
