// A stand-in for real tracing backends, for the end-to-end suite: it answers Jaeger (legacy and
// api_v3), Tempo and Zipkin API paths from the recorded responses in ../shared/fixtures/backend-api/,
// and injects faults when a backend's name asks for one.
//
//   /backends/<kind>[~fault]/<api path>     kind: jaeger | jaeger-v3 | tempo | zipkin
//   faults: ~500 (server error with the backend's own message), ~slow (answers after 1.5 s),
//           ~malformed (a cut-off JSON body), ~drop (closes the connection without an answer),
//           ~trickle (a trace body sent in 4 KiB pieces, one per event-loop turn: the app gets it in
//           many chunks with arbitrary boundaries, as from a slow network)
//           ~cors (listed in config.json at another origin, http://localhost:<port>, whose answers
//           carry no Access-Control-Allow-Origin: the browser refuses to hand them to the page)
//   /config.json                            lists one backend per kind (and the faulty variants)
// Zipkin's /api/v2/dependencies, which nobody recorded, is generated from the recorded Zipkin traces
// in the shape ZIPKIN-API.md §2 gives (parent and child service of each cross-service call).
import fs from "node:fs";
import path from "node:path";

const KINDS = ["jaeger", "jaeger-v3", "tempo", "zipkin"];
const FAULTS = ["500", "slow", "malformed", "drop", "trickle"];

/** Lower-case hex of an OTLP JSON id, which may be hex or base64. */
function hexId(id) {
  if (/^[0-9a-fA-F]+$/.test(id)) return id.toLowerCase().replace(/^0+(?=.)/, "");
  return Buffer.from(id, "base64").toString("hex").replace(/^0+(?=.)/, "");
}

/** Trace ids in a recorded trace body of each kind. */
function traceIds(kind, json) {
  const ids = new Set();
  const otlp = (root) =>
    (root?.resourceSpans ?? root?.batches ?? []).forEach((rs) =>
      (rs.scopeSpans ?? rs.instrumentationLibrarySpans ?? []).forEach((ss) => (ss.spans ?? []).forEach((s) => ids.add(hexId(s.traceId)))),
    );
  if (kind === "jaeger") (json.data ?? []).forEach((t) => ids.add(hexId(t.traceID)));
  if (kind === "jaeger-v3") otlp(json.result ?? json);
  if (kind === "tempo") otlp(json.trace ?? json);
  if (kind === "zipkin" && Array.isArray(json)) json.forEach((s) => ids.add(hexId(s.traceId)));
  return ids;
}

/** Every recorded trace-by-id answer, by kind and trace id. */
function recordedTraces(dir) {
  const byKind = Object.fromEntries(KINDS.map((k) => [k, new Map()]));
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, "MANIFEST.json"), "utf8"));
  for (const entry of manifest.files ?? manifest) {
    const file = entry.path ?? entry.file;
    const kind = file.split("/")[0];
    const endpoint = entry.endpoint ?? "";
    const isTrace = /traces?\/\{|trace\/\{|get-trace|trace-by-id/.test(endpoint + file);
    if (!byKind[kind] || !isTrace) continue;
    const body = fs.readFileSync(path.join(dir, file));
    let json;
    try {
      json = JSON.parse(body.toString("utf8"));
    } catch {
      continue;
    }
    // Tempo's v1 trace endpoint has its own shape (`batches`); it answers only on the v1 path.
    const v1 = kind === "tempo" && !endpoint.includes("/api/v2/");
    for (const id of traceIds(kind, json)) byKind[kind].set(id, { body, v1, spans: entry.counts?.spans ?? null, file });
  }
  return byKind;
}

/** Recorded answers of the other endpoints, by kind and path (query strings ignored): services,
 *  operations, searches, tag values. */
function recordedAnswers(dir) {
  const byKind = Object.fromEntries(KINDS.map((k) => [k, new Map()]));
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, "MANIFEST.json"), "utf8"));
  for (const entry of manifest.files ?? manifest) {
    const kind = entry.path.split("/")[0];
    const m = (entry.endpoint ?? "").match(/^GET (\/api\/[^?{ ]*)/);
    if (!byKind[kind] || !m || m[1].includes("{") || /\/traces?\/\d/.test(m[1])) continue;
    // Keep the first recording per path (the Tempo TraceQL search from Kiali over the docs' excerpt).
    if (!byKind[kind].has(m[1])) byKind[kind].set(m[1], fs.readFileSync(path.join(dir, entry.path)));
  }
  return byKind;
}

/** The recorded traces the test backends serve: `{ kind: [{ id, spans, v1, file }] }`. */
export function recordedTraceIds(sharedDir) {
  const dir = path.join(sharedDir, "fixtures", "backend-api");
  if (!fs.existsSync(dir)) return null;
  const byKind = recordedTraces(dir);
  return Object.fromEntries(Object.entries(byKind).map(([k, m]) => [k, [...m].map(([id, t]) => ({ id, spans: t.spans, v1: t.v1, file: t.file }))]));
}

/** Service names in the recorded traces of one kind (for the service-list endpoints). */
function serviceNames(kind, traces) {
  const names = new Set();
  for (const { body } of traces.values()) {
    const text = body.toString("utf8");
    // Jaeger processes, OTLP service.name attributes, Zipkin localEndpoint names.
    for (const m of text.matchAll(/"serviceName"\s*:\s*"([^"]+)"/g)) names.add(m[1]);
    for (const m of text.matchAll(/"service\.name"\s*,\s*"value"\s*:\s*\{\s*"stringValue"\s*:\s*"([^"]+)"/g)) names.add(m[1]);
  }
  return names;
}

function notFound(kind, res) {
  const bodies = {
    jaeger: ["text/plain", JSON.stringify({ data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 404, msg: "trace not found" }] })],
    "jaeger-v3": ["application/json", JSON.stringify({ error: { httpCode: 404, message: "trace not found" } })],
    tempo: ["text/plain", "trace not found"],
    zipkin: ["text/plain", ""],
  };
  const [type, body] = bodies[kind];
  res.writeHead(404, { "content-type": type });
  res.end(body);
}

/** A request handler for `/backends/` and `/config.json`; `null` when ../shared is missing. */
export function backendHandler(sharedDir) {
  const dir = path.join(sharedDir, "fixtures", "backend-api");
  if (!fs.existsSync(dir)) return null;
  const traces = recordedTraces(dir);
  const answers = recordedAnswers(dir);
  return (req, res) => {
    const url = new URL(req.url, "http://x");
    if (url.pathname === "/config.json") {
      const backends = KINDS.flatMap((kind) => [
        { name: kind, kind, url: `/backends/${kind}` },
        ...FAULTS.map((f) => ({ name: `${kind}~${f}`, kind, url: `/backends/${kind}~${f}` })),
        // Same server, other origin (127.0.0.1 vs localhost): a real cross-origin request.
        { name: `${kind}~cors`, kind, url: `http://localhost:${(req.headers.host ?? "").split(":")[1] ?? ""}/backends/${kind}` },
      ]);
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ backends }));
    }
    const match = url.pathname.match(/^\/backends\/([a-z0-9-]+)(?:~([a-z0-9]+))?(\/.*)$/);
    if (!match || !traces[match[1]]) {
      res.writeHead(404, { "content-type": "text/plain" });
      return res.end("no such test backend");
    }
    const [, kind, fault, apiPath] = match;
    const answer = () => route(kind, fault, apiPath, traces[kind], answers[kind], res);
    if (fault === "drop") return req.socket.destroy();
    if (fault === "slow") return setTimeout(answer, 1500);
    return answer();
  };
}

function route(kind, fault, apiPath, traces, answers, res) {
  if (fault === "500") {
    const body = kind === "jaeger" ? JSON.stringify({ data: null, errors: [{ code: 500, msg: "storage is down" }] }) : "storage is down";
    res.writeHead(500, { "content-type": "text/plain" });
    return res.end(body);
  }
  const trace = apiPath.match(/^\/api\/(v2\/traces|v3\/traces|traces|v2\/trace)\/([0-9a-fA-F]+)$/);
  if (trace) {
    const found = traces.get(trace[2].toLowerCase().replace(/^0+(?=.)/, ""));
    // An older Tempo has only the v1 path; a newer one answers v2 (the client falls back on 404).
    const tempoPathFits = kind !== "tempo" || (trace[1] === "traces") === Boolean(found?.v1);
    if (!found || !tempoPathFits) return notFound(kind, res);
    const body = found.body;
    // The length is announced, as servers do, so the app can show how far along the body is.
    res.writeHead(200, { "content-type": "application/json", ...(fault === "malformed" ? {} : { "content-length": body.length }) });
    if (fault === "trickle") return trickle(res, body);
    return res.end(fault === "malformed" ? body.subarray(0, Math.floor(body.length / 3)) : body);
  }
  const json = (body) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body));
  };
  // Searches nobody recorded, answered with every recorded trace (in each API's search shape).
  const bodies = () => [...new Set([...traces.values()].map((t) => t.body))].map((b) => JSON.parse(b.toString("utf8")));
  if (kind === "jaeger" && apiPath === "/api/traces") {
    const data = bodies().flatMap((b) => b.data ?? []);
    return json({ data, total: data.length, limit: 0, offset: 0, errors: null });
  }
  if (kind === "zipkin" && apiPath === "/api/v2/traces") return json(bodies().filter(Array.isArray));
  if (kind === "jaeger" && (apiPath === "/api/operations" || /^\/api\/services\/[^/]+\/operations$/.test(apiPath))) {
    const names = [...new Set(bodies().flatMap((b) => (b.data ?? []).flatMap((t) => t.spans.map((s) => s.operationName))))].sort();
    return json({ data: names.map((name) => ({ name, spanKind: "" })), total: names.length, limit: 0, offset: 0, errors: null });
  }
  if (kind === "zipkin" && apiPath === "/api/v2/spans") {
    return json([...new Set(bodies().filter(Array.isArray).flat().map((s) => s.name).filter(Boolean))].sort());
  }
  // The dependency links were recorded without their envelope; a Jaeger server wraps them.
  if (kind === "jaeger" && apiPath === "/api/dependencies" && answers.has(apiPath)) {
    const data = JSON.parse(answers.get(apiPath).toString("utf8"));
    return json({ data, total: data.length, limit: 0, offset: 0, errors: null });
  }
  if (kind === "zipkin" && apiPath === "/api/v2/dependencies") return json(zipkinLinks(bodies().filter(Array.isArray)));
  if (answers.has(apiPath)) return json(answers.get(apiPath));
  // TraceQL metrics (TEMPO-API.md §5). Nobody recorded a query_range answer: this one is generated in
  // Tempo's shape, three series by resource.service.name over the asked window (60 samples), the
  // first with an exemplar naming a recorded trace. `?q=` containing `none` answers no series.
  if (kind === "tempo" && (apiPath === "/api/metrics/query_range" || apiPath === "/api/metrics/query")) {
    return json(metricsAnswer(apiPath.endsWith("query_range"), traces, res.req?.url));
  }
  // Tempo's tag APIs for autocomplete (TEMPO-API.md §4.2, §4.4), generated from the Tempo traces this
  // backend serves and narrowed by `q=` (see tempoTagNames / tempoTagValues). Nobody recorded the
  // tag-name endpoint; the recorded v2 tag-values answer is kept for the unfiltered service list.
  if (kind === "tempo" && apiPath === "/api/v2/search/tags") {
    const params = new URL(res.req?.url ?? "/", "http://x").searchParams;
    return json(tempoTagNames(traces, params.get("scope"), params.get("q")));
  }
  const tagValues = apiPath.match(/^\/api\/v2\/search\/tag\/(.+)\/values$/);
  if (kind === "tempo" && tagValues) {
    const q = new URL(res.req?.url ?? "/", "http://x").searchParams.get("q");
    const recorded = [...answers.keys()].find((p) => /^\/api\/v2\/search\/tag\/.+\/values$/.test(p));
    return json(tempoTagValues(traces, decodeURIComponent(tagValues[1]), q, recorded && answers.get(recorded)));
  }
  // Service lists (the connection probes): from the recorded traces, in each API's envelope.
  const servicesPath = { jaeger: "/api/services", "jaeger-v3": "/api/v3/services", zipkin: "/api/v2/services" }[kind];
  if (apiPath === servicesPath) {
    const services = [...serviceNames(kind, traces)].sort();
    const body =
      kind === "jaeger"
        ? { data: services, total: services.length, limit: 0, offset: 0, errors: null }
        : kind === "jaeger-v3"
          ? { services }
          : services;
    res.writeHead(200, { "content-type": "application/json" });
    return res.end(JSON.stringify(body));
  }
  if (kind === "tempo" && apiPath === "/api/echo") {
    res.writeHead(200, { "content-type": "text/plain" });
    return res.end("echo");
  }
  return notFound(kind, res);
}

/** A generated Tempo metrics answer (`QueryRangeResponse`, or the instant query's shape). */
function metricsAnswer(range, traces, rawUrl) {
  const url = new URL(rawUrl ?? "/", "http://x");
  const q = url.searchParams.get("q") ?? "";
  if (q.includes("none")) return { series: [] };
  const asNanos = (v, fallback) => (/^\d{11,}$/.test(v ?? "") ? BigInt(v) : fallback);
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const end = asNanos(url.searchParams.get("end"), nowNs);
  const start = asNanos(url.searchParams.get("start"), end - 3_600_000_000_000n);
  const count = 60n;
  const stepMs = (end - start) / count / 1_000_000n || 1n;
  const startMs = start / 1_000_000n;
  const traceId = [...traces.keys()][0] ?? "0";
  const label = (service) => [{ key: "resource.service.name", value: { stringValue: service } }];
  const services = ["frontend", "checkout", "payment"];
  const series = services.map((service, k) => {
    const samples = [];
    for (let i = 0n; i < count; i++) {
      const v = (k + 1) * 2 + Math.sin(Number(i) / 6 + k) * (k + 1);
      samples.push({ timestampMs: String(startMs + i * stepMs), value: Math.round(v * 1000) / 1000 });
    }
    const exemplars =
      k === 0
        ? [{ labels: [{ key: "trace:id", value: { stringValue: traceId } }], value: samples[30].value, timestampMs: samples[30].timestampMs }]
        : [];
    return range ? { labels: label(service), samples, exemplars } : { labels: label(service), value: samples[59].value };
  });
  return { series, metrics: { inspectedTraces: "3", inspectedSpans: "30" } };
}

/** Zipkin's dependency links from v2 span lists: one link per (parent service, child service) pair
 * over spans whose parent is another service's span; errors are children tagged `error`. */
function zipkinLinks(traces) {
  const links = new Map();
  for (const spans of traces) {
    const service = new Map(spans.map((s) => [s.id, s.localEndpoint?.serviceName]));
    for (const s of spans) {
      const parent = s.parentId && service.get(s.parentId);
      const child = s.localEndpoint?.serviceName;
      if (!parent || !child || parent === child) continue;
      const key = `${parent}\u0000${child}`;
      const link = links.get(key) ?? { parent, child, callCount: 0, errorCount: 0 };
      link.callCount++;
      if (s.tags && "error" in s.tags) link.errorCount++;
      links.set(key, link);
    }
  }
  return [...links.values()];
}

/** Writes `body` 4 KiB at a time, one piece per event-loop turn. */
function trickle(res, body, offset = 0) {
  if (offset >= body.length) return res.end();
  res.write(body.subarray(offset, offset + 4096));
  setImmediate(() => trickle(res, body, offset + 4096));
}

// ---- Tempo tag APIs, generated from the served traces ----------------------------------------------

/** Every span of the recorded Tempo traces (v1 `batches` and v2 `trace.resourceSpans`), flattened:
 *  `{ resource: Map, span: Map, name, status, kind }`, attribute values typed as Tempo types them. */
function tempoSpans(traces) {
  const typed = (v) =>
    v?.stringValue !== undefined ? { type: "string", value: String(v.stringValue) }
    : v?.intValue !== undefined ? { type: "int", value: String(v.intValue) }
    : v?.doubleValue !== undefined ? { type: "float", value: String(v.doubleValue) }
    : v?.boolValue !== undefined ? { type: "bool", value: String(v.boolValue) }
    : null;
  const attrs = (list) => new Map((list ?? []).map((a) => [a.key, typed(a.value)]).filter(([, v]) => v));
  const status = (s) => ({ 1: "ok", 2: "error", STATUS_CODE_OK: "ok", STATUS_CODE_ERROR: "error" })[s?.code] ?? "unset";
  const kind = (k) => String(k ?? "").replace(/^SPAN_KIND_/, "").toLowerCase() || "unspecified";
  const spans = [];
  for (const { body } of new Set(traces.values())) {
    let json;
    try {
      json = JSON.parse(body.toString("utf8"));
    } catch {
      continue;
    }
    const root = json.trace ?? json;
    for (const rs of root.resourceSpans ?? root.batches ?? []) {
      const resource = attrs(rs.resource?.attributes);
      for (const ss of rs.scopeSpans ?? rs.instrumentationLibrarySpans ?? []) {
        for (const s of ss.spans ?? []) spans.push({ resource, span: attrs(s.attributes), name: s.name ?? "", status: status(s.status), kind: kind(s.kind) });
      }
    }
  }
  return spans;
}

/** Test backend simplification: of a `q=` filter only `scope.key = "string"` and `name = "string"`
 *  equalities are evaluated (all of them must hold); anything else in `q` is ignored, as Tempo
 *  ignores a filter it cannot parse. Real Tempo evaluates the whole TraceQL filter. */
function tempoFilter(q) {
  const conds = [];
  for (const m of (q ?? "").matchAll(/(resource|span)?\.([\w.\-/:]+)\s*=\s*"((?:[^"\\]|\\.)*)"|(?<![\w.])name\s*=\s*"((?:[^"\\]|\\.)*)"/g)) {
    const unescape = (s) => s.replace(/\\(.)/g, (_, c) => ({ n: "\n", t: "\t" })[c] ?? c);
    if (m[4] !== undefined) conds.push((s) => s.name === unescape(m[4]));
    else {
      const [scope, key, value] = [m[1], m[2], unescape(m[3])];
      const has = (map) => map.get(key)?.value === value;
      conds.push((s) => (scope === "resource" ? has(s.resource) : scope === "span" ? has(s.span) : has(s.span) || has(s.resource)));
    }
  }
  return (s) => conds.every((c) => c(s));
}

/** `/api/v2/search/tags?scope=&q=`: tag names by scope of the spans matching `q`. Unfiltered, a few
 *  common names are added (the app's tests complete `span.` to `http.method`). */
function tempoTagNames(traces, scope, q) {
  const spans = tempoSpans(traces).filter(tempoFilter(q));
  const names = { resource: new Set(), span: new Set(), intrinsic: new Set(["duration", "kind", "name", "status"]) };
  for (const s of spans) {
    s.resource.forEach((_, k) => names.resource.add(k));
    s.span.forEach((_, k) => names.span.add(k));
  }
  if (!q) {
    ["service.name", "k8s.namespace.name"].forEach((k) => names.resource.add(k));
    ["http.method", "http.status_code"].forEach((k) => names.span.add(k));
  }
  const scopes = Object.entries(names)
    .filter(([name]) => !scope || scope === name)
    .map(([name, tags]) => ({ name, tags: [...tags].sort() }));
  return { scopes, metrics: { inspectedBytes: "1000" } };
}

/** `/api/v2/search/tag/<tag>/values?q=`: typed values of one TraceQL identifier among the spans
 *  matching `q`. Unfiltered service names also carry the recorded answer's (docs example) names. */
function tempoTagValues(traces, tag, q, recorded) {
  const spans = tempoSpans(traces).filter(tempoFilter(q));
  const seen = new Map();
  const add = (v) => v && !seen.has(`${v.type}:${v.value}`) && seen.set(`${v.type}:${v.value}`, v);
  const scoped = tag.match(/^(resource|span)?\.(.+)$/);
  for (const s of spans) {
    if (tag === "name" || tag === "span:name") add({ type: "string", value: s.name });
    else if (tag === "status" || tag === "span:status") add({ type: "keyword", value: s.status });
    else if (tag === "kind" || tag === "span:kind") add({ type: "keyword", value: s.kind });
    else if (scoped) {
      const key = scoped[2].replace(/^"(.*)"$/, "$1");
      if (scoped[1] !== "span") add(s.resource.get(key));
      if (scoped[1] !== "resource") add(s.span.get(key));
    }
  }
  if (!q && recorded && /^(resource)?\.service\.name$/.test(tag)) {
    for (const v of JSON.parse(recorded.toString("utf8")).tagValues ?? []) add(v);
  }
  return { tagValues: [...seen.values()], metrics: { inspectedBytes: "1000" } };
}
