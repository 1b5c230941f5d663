use leptos::prelude::*;

fn main() {
    // A panic must reach the console with its message; without the hook wasm prints only "unreachable".
    console_error_panic_hook::set_once();
    spanlens::timing::mark(spanlens::timing::APP_START);
    mount_to_body(spanlens::App);
}
