//! With the `split` feature (Trunk's build, index.html), the app binary keeps its relocations: the
//! post-link step that splits it into chunks loaded on first use (scripts/split_app.mjs, src/chunks)
//! needs them to move code between modules.
fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let split = std::env::var_os("CARGO_FEATURE_SPLIT").is_some();
    let wasm = std::env::var("CARGO_CFG_TARGET_ARCH").is_ok_and(|arch| arch == "wasm32");
    if split && wasm {
        println!("cargo::rustc-link-arg-bin=app=--emit-relocs");
    }
}
