//! Opened files survive a reload: their bytes (not the parsed model) are kept in the origin private
//! file system, up to a limit the landing page shows and the user can clear, and opened again when the
//! page starts. A `?url=` source needs none of this: it is fetched again.
//!
//! Layout: `kept/<key>/<file name>` in OPFS, and a manifest of the kept loads (key, names, bytes) in
//! localStorage, so that the page knows what it kept before touching the (asynchronous) file system.

use js_sys::Promise;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    File, FileSystemDirectoryHandle, FileSystemFileHandle, FileSystemGetDirectoryOptions, FileSystemGetFileOptions,
    FileSystemRemoveOptions, FileSystemWritableFileStream,
};

const MANIFEST_KEY: &str = "spanlens.keptLoads";
const ROOT_DIR: &str = "kept";
/// The most this page keeps; a load that would go beyond it is not kept (and the landing page says so).
pub const LIMIT_BYTES: u64 = 512 * 1024 * 1024;

/// One kept load: the files opened together.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeptLoad {
    pub key: String,
    pub names: Vec<String>,
    pub bytes: u64,
}

/// What is kept now, from the manifest.
pub fn manifest() -> Vec<KeptLoad> {
    storage()
        .and_then(|s| s.get_item(MANIFEST_KEY).ok().flatten())
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

fn save_manifest(list: &[KeptLoad]) {
    if let (Some(s), Ok(json)) = (storage(), serde_json::to_string(list)) {
        s.set_item(MANIFEST_KEY, &json).ok();
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Whether `bytes` more fit under the limit beside what is kept.
pub fn fits(kept: &[KeptLoad], bytes: u64) -> bool {
    kept.iter().map(|k| k.bytes).sum::<u64>().saturating_add(bytes) <= LIMIT_BYTES
}

async fn promise<T: JsCast>(p: Promise) -> Result<T, String> {
    let value = JsFuture::from(p).await.map_err(|e| describe(&e))?;
    value.dyn_into::<T>().map_err(|_| "the browser answered with something unexpected".to_owned())
}

fn describe(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).unwrap_or_else(|| format!("{e:?}"))
}

async fn root(create: bool) -> Result<FileSystemDirectoryHandle, String> {
    let navigator = web_sys::window().ok_or("no window")?.navigator();
    let top: FileSystemDirectoryHandle = promise(navigator.storage().get_directory()).await?;
    let options = FileSystemGetDirectoryOptions::new();
    options.set_create(create);
    promise(top.get_directory_handle_with_options(ROOT_DIR, &options)).await
}

/// Keeps `files` under `key` and records them in the manifest. Nothing is written when they would go
/// beyond the limit.
pub async fn keep(key: &str, files: &[File]) -> Result<KeptLoad, String> {
    let bytes: u64 = files.iter().map(|f| f.size() as u64).sum();
    if !fits(&manifest(), bytes) {
        return Err(format!("over the {} MB this page keeps for reloads", LIMIT_BYTES / 1024 / 1024));
    }
    let dir_options = FileSystemGetDirectoryOptions::new();
    dir_options.set_create(true);
    let dir: FileSystemDirectoryHandle =
        promise(root(true).await?.get_directory_handle_with_options(key, &dir_options)).await?;
    let file_options = FileSystemGetFileOptions::new();
    file_options.set_create(true);
    for (i, file) in files.iter().enumerate() {
        // Files opened together may share a name (from different folders): the index keeps them apart.
        let handle: FileSystemFileHandle =
            promise(dir.get_file_handle_with_options(&stored_name(i), &file_options)).await?;
        let writable: FileSystemWritableFileStream = promise(handle.create_writable()).await?;
        JsFuture::from(writable.write_with_blob(file).map_err(|e| describe(&e))?).await.map_err(|e| describe(&e))?;
        JsFuture::from(writable.close()).await.map_err(|e| describe(&e))?;
    }
    let kept = KeptLoad { key: key.to_owned(), names: files.iter().map(File::name).collect(), bytes };
    let mut list = manifest();
    list.retain(|k| k.key != key);
    list.push(kept.clone());
    save_manifest(&list);
    Ok(kept)
}

fn stored_name(index: usize) -> String {
    format!("{index}")
}

/// The files of one kept load, named as they were opened.
pub async fn files_of(kept: &KeptLoad) -> Result<Vec<File>, String> {
    let dir: FileSystemDirectoryHandle = promise(root(false).await?.get_directory_handle(&kept.key)).await?;
    let mut files = Vec::with_capacity(kept.names.len());
    for (i, name) in kept.names.iter().enumerate() {
        let handle: FileSystemFileHandle = promise(dir.get_file_handle(&stored_name(i))).await?;
        let stored: File = promise(handle.get_file()).await?;
        // Re-wrap under the original name: the importers and the trace list show it.
        let parts = js_sys::Array::of1(&stored);
        files.push(File::new_with_blob_sequence(&parts, name).map_err(|e| describe(&e))?);
    }
    Ok(files)
}

/// Forgets one kept load (its source was closed).
pub async fn forget(key: &str) {
    let mut list = manifest();
    list.retain(|k| k.key != key);
    save_manifest(&list);
    if let Ok(dir) = root(false).await {
        let options = FileSystemRemoveOptions::new();
        options.set_recursive(true);
        JsFuture::from(dir.remove_entry_with_options(key, &options)).await.ok();
    }
}

/// Forgets everything kept.
pub async fn forget_all() {
    save_manifest(&[]);
    if let Ok(top) = async {
        let navigator = web_sys::window().ok_or("no window")?.navigator();
        promise::<FileSystemDirectoryHandle>(navigator.storage().get_directory()).await
    }
    .await
    {
        let options = FileSystemRemoveOptions::new();
        options.set_recursive(true);
        JsFuture::from(top.remove_entry_with_options(ROOT_DIR, &options)).await.ok();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_counts_what_is_kept() {
        let kept = |bytes| KeptLoad { key: "k".to_owned(), names: vec!["a.json".to_owned()], bytes };
        assert!(fits(&[], 10));
        assert!(fits(&[kept(LIMIT_BYTES - 10)], 10));
        assert!(!fits(&[kept(LIMIT_BYTES - 10)], 11));
        assert!(!fits(&[], LIMIT_BYTES + 1));
    }
}
