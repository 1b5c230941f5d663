// The cold-deep-link cases shared by cold.mjs (the benchmark) and profile_cold.mjs (where the time
// goes): generated answer bodies in each backend's shape, and a stand-in backend serving them.
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { OUT, cli } from "./lib.mjs";
import { startServer } from "../e2e/lib/server.mjs";
import { DIST } from "../e2e/lib/browser.mjs";

export const SIZES = { "1k": 1_000, "100k": 100_000, "1m": 1_000_000 };
export const SHAPES = {
  jaeger: { format: "jaeger-json", path: (id) => `/api/traces/${id}`, wrap: null },
  "jaeger-v3": { format: "otlp-json", path: (id) => `/api/v3/traces/${id}`, wrap: "result" },
  tempo: { format: "otlp-json", path: (id) => `/api/v2/traces/${id}`, wrap: "trace" },
};

/** The answer body for `size` in `shape`, generated once (one trace, seed 7). */
export function body(bin, size, shape) {
  fs.mkdirSync(OUT, { recursive: true });
  const file = path.join(OUT, `cold-${size}-${shape}.json`);
  if (!fs.existsSync(file)) {
    const { format, wrap } = SHAPES[shape];
    const raw = execFileSync(bin, ["gen", "--spans", String(SIZES[size]), "--traces", "1", "--seed", "7", "--format", format], {
      maxBuffer: 4 * 1024 ** 3,
    });
    const fd = fs.openSync(file, "w");
    if (wrap) fs.writeSync(fd, `{"${wrap}":`);
    fs.writeSync(fd, raw);
    if (wrap) fs.writeSync(fd, "}");
    fs.closeSync(fd);
  }
  return file;
}

/** The trace id inside a generated body (the first `traceID`/`traceId` value). */
export function traceId(file) {
  const fd = fs.openSync(file, "r");
  const head = Buffer.alloc(1 << 16);
  fs.readSync(fd, head, 0, head.length, 0);
  fs.closeSync(fd);
  const m = head.toString("utf8").match(/"trace(?:ID|Id)"\s*:\s*"([^"]+)"/);
  if (!m) throw new Error(`no trace id in ${file}`);
  // OTLP JSON ids may be base64; the links take hex.
  return /^[0-9a-f]+$/i.test(m[1]) ? m[1].toLowerCase() : Buffer.from(m[1], "base64").toString("hex");
}

/** `/config.json` naming one backend per case, and `/b/<shape>/<size>/<api path>` answering the body. */
export function backendHandlers(files) {
  return {
    "/config.json": (req, res) => {
      const backends = Object.keys(files).map((key) => {
        const [size, shape] = key.split("/");
        return { name: `${shape}-${size}`, kind: shape, url: `/b/${shape}/${size}` };
      });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ backends }));
    },
    "/b/": (req, res) => {
      const m = req.url.match(/^\/b\/([a-z0-9-]+)\/([a-z0-9]+)(\/[^?]*)/);
      const file = m && files[`${m[2]}/${m[1]}`];
      if (!file || m[3] !== SHAPES[m[1]].path(file.id)) {
        res.writeHead(404, { "content-type": "text/plain" });
        return res.end("not found");
      }
      res.writeHead(200, { "content-type": "application/json", "content-length": fs.statSync(file.path).size });
      fs.createReadStream(file.path).pipe(res);
    },
  };
}


/** One case served for a profiling script run as `<script> <size> <shape>`: the stand-in backend over
 *  `dist` (or `SPANLENS_DIST`) and the link to open, `?url=` or, with `LINK=backend`,
 *  `/trace/<id>?backend=`. */
export async function serveCase(script, [size = "1k", shape = "jaeger"] = []) {
  if (!(size in SIZES) || !(shape in SHAPES)) throw new Error(`usage: ${script} <${Object.keys(SIZES)}> <${Object.keys(SHAPES)}>`);
  const file = body(cli(), size, shape);
  const id = traceId(file);
  const server = await startServer({ root: DIST, handlers: backendHandlers({ [`${size}/${shape}`]: { path: file, id } }) });
  const link =
    process.env.LINK === "backend"
      ? `/trace/${id}?backend=${shape}-${size}`
      : `/?url=${encodeURIComponent(`/b/${shape}/${size}${SHAPES[shape].path(id)}`)}`;
  return { server, link, size, shape };
}
