//! Keeping view state in the address bar without a navigation.

/// Sets (or with `None`, removes) one query parameter of the current URL via `history.replaceState`,
/// so the view stays shareable without adding history entries or re-running routes.
pub fn replace_query_param(key: &str, value: Option<&str>) {
    let Some(window) = web_sys::window() else { return };
    let Ok(href) = window.location().href() else { return };
    let Ok(url) = web_sys::Url::new(&href) else { return };
    let params = url.search_params();
    match value {
        Some(v) => params.set(key, v),
        None => params.delete(key),
    }
    let next = url.href();
    if next != href
        && let Ok(history) = window.history()
    {
        history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&next)).ok();
    }
}

/// One query parameter of the current URL.
pub fn query_param(key: &str) -> Option<String> {
    let href = web_sys::window()?.location().href().ok()?;
    web_sys::Url::new(&href).ok()?.search_params().get(key)
}

/// The part of the current query that names the data (`url=`, `backend=` or `load=`), as `?…` or empty, for
/// links between pages so that a shared link keeps reloading the same data.
pub fn data_query(params: &leptos_router::params::ParamsMap) -> String {
    if let Some(url) = params.get("url") {
        return format!("?url={}", js_sys::encode_uri_component(&url));
    }
    if let Some(backend) = params.get("backend") {
        return format!("?backend={}", js_sys::encode_uri_component(&backend));
    }
    params.get("load").map(|id| format!("?load={}", js_sys::encode_uri_component(&id))).unwrap_or_default()
}
