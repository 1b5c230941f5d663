// A small static server for end-to-end tests and the benchmark harness: serves dist/ with the
// single-page-app fallback (any unknown path gets index.html), plus extra mounts such as the shared
// fixtures. Listens on 127.0.0.1 and an ephemeral port.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".txt": "text/plain; charset=utf-8",
  ".gz": "application/gzip",
};

function safeJoin(root, urlPath) {
  const decoded = decodeURIComponent(urlPath.split("?")[0]);
  const full = path.resolve(root, "." + decoded);
  return full.startsWith(path.resolve(root)) ? full : null;
}

/** mounts: { "/fixtures/": "/abs/dir" } served before dist/; handlers: { "/prefix": (req, res) => … }
 *  answer before both (the test backends). */
export async function startServer({ root, mounts = {}, handlers = {} }) {
  const server = http.createServer((req, res) => {
    const url = req.url || "/";
    for (const [prefix, handle] of Object.entries(handlers)) {
      if (url.startsWith(prefix)) return handle(req, res);
    }
    for (const [prefix, dir] of Object.entries(mounts)) {
      if (url.startsWith(prefix)) {
        return sendFile(res, safeJoin(dir, "/" + url.slice(prefix.length)), false, root);
      }
    }
    return sendFile(res, safeJoin(root, url), true, root);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}

function sendFile(res, file, spaFallback, root) {
  let target = file;
  if (!target || !fs.existsSync(target) || fs.statSync(target).isDirectory()) {
    if (!spaFallback) {
      res.writeHead(404, { "content-type": "text/plain" });
      return res.end("not found");
    }
    target = path.join(root, "index.html");
  }
  res.writeHead(200, { "content-type": TYPES[path.extname(target)] || "application/octet-stream" });
  fs.createReadStream(target).pipe(res);
}
