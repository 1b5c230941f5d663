use leptos::prelude::*;

fn main() {
    // A panic must reach the console with its message; without the hook wasm prints only "unreachable".
    console_error_panic_hook::set_once();
    spanlens::timing::mark(spanlens::timing::APP_START);
    // The app mounts in a task of its own: in the task that instantiates the module, which takes a
    // cold page 30–40 ms, the mount made one of 60–90 ms (tests/bench/profile_cold.mjs).
    wasm_bindgen_futures::spawn_local(async {
        spanlens::state::schedule::next_task().await;
        // index.html's splash gives way to the app.
        if let Some(splash) = document().get_element_by_id("sl-boot") {
            splash.remove();
        }
        mount_to_body(spanlens::App);
    });
}
