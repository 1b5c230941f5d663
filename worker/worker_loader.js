// The parsing worker's loader (in place of Trunk's shim, which is these two calls alone). Messages
// that arrive while the worker's wasm is still loading are kept and handed, in order, to the handler
// the wasm installs, so the page can send a request at once (a trace link's first bytes) instead of
// waiting for the worker's `ready`. A worker must be classic: `importScripts`.
"use strict";
const kept = [];
self.onmessage = (event) => kept.push(event);
importScripts("./worker.js");
// The options object: wasm-bindgen warns on every start when given the path alone. (Starting the
// wasm's fetch before `importScripts` was measured: the worker's start-up did not change.)
wasm_bindgen({ module_or_path: "./worker_bg.wasm" }).then(
  () => {
    // The wasm's `main` ran inside the initialisation and installed its handler; no message can
    // have arrived since (this runs before the next task).
    const handler = self.onmessage;
    for (const event of kept.splice(0)) handler(event);
  },
  (error) => {
    // Thrown from a task of its own, it reaches the page's `onerror` (the page fails what it sent).
    setTimeout(() => {
      throw error;
    });
  },
);
