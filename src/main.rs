use leptos::prelude::*;

fn main() {
    // A panic must reach the console with its message; without the hook wasm prints only "unreachable".
    console_error_panic_hook::set_once();
    spanlens::timing::mark(spanlens::timing::APP_START);
    // index.html's splash gives way to the app.
    if let Some(splash) = document().get_element_by_id("sl-boot") {
        splash.remove();
    }
    mount_to_body(spanlens::App);
}
