//! The parsing Web Worker: imports files with the pure-Rust importers while the UI thread is still
//! reading them (`StreamingImport`), and sends the model back as one transferred `ArrayBuffer`.
//!
//! Parsing here keeps the page responsive while a 100 MB file loads, and the progress messages
//! drive the progress bar. See `spanlens_protocol` for the messages.

use inbox::Inbox;
use js_sys::{Array, Object, Reflect, Uint8Array};
use spanlens_protocol as protocol;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast as _;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

mod inbox;
mod request;
mod warm_up;

fn main() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let handler_scope = scope.clone();
    // The newest request and its inbox. A new request closes the previous inbox, so a superseded
    // load stops at its next chunk instead of running on beside the new one.
    let current: Rc<RefCell<(u32, Rc<Inbox>)>> = Rc::new(RefCell::new((0, Rc::new(Inbox::default()))));
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        let data = event.data();
        let id = get(&data, "id").as_f64().map_or(0, |v| v as u32);
        if get(&data, "kind").as_string().as_deref() == Some(protocol::MSG_CHUNK) {
            let (current_id, inbox) = &*current.borrow();
            if *current_id == id {
                inbox.deliver(data);
            }
            return;
        }
        let inbox = Rc::new(Inbox::default());
        let previous = current.replace((id, Rc::clone(&inbox)));
        previous.1.close();
        let scope = handler_scope.clone();
        wasm_bindgen_futures::spawn_local(async move { request::handle(&scope, &data, id, &inbox).await });
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the page; the handler must outlive this function.
    on_message.forget();
    // Messages posted before the handler existed would be lost, so the UI queues until this arrives.
    // The warm-up runs first: a request arriving meanwhile would have to wait for it anyway.
    let ready = message(protocol::MSG_READY, 0);
    match warm_up::run() {
        Some(encoded) => {
            let buffer = Uint8Array::from(encoded.as_slice()).buffer();
            set_field(&ready, "warmup", &buffer);
            post(&scope, &ready, Some(&Array::of1(&buffer)));
        }
        None => post(&scope, &ready, None),
    }
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn message(kind: &str, id: u32) -> Object {
    let obj = Object::new();
    set_field(&obj, "kind", &JsValue::from_str(kind));
    set_field(&obj, "id", &JsValue::from(id));
    obj
}

fn set_field(obj: &Object, key: &str, value: &JsValue) {
    // Reflect::set on a plain fresh object cannot fail.
    Reflect::set(obj, &JsValue::from_str(key), value).ok();
}

fn post(scope: &DedicatedWorkerGlobalScope, msg: &Object, transfer: Option<&Array>) {
    let result = match transfer {
        Some(list) => scope.post_message_with_transfer(msg, list),
        None => scope.post_message(msg),
    };
    if let Err(e) = result {
        web_sys::console::error_2(&JsValue::from_str("spanlens worker: postMessage failed"), &e);
    }
}
