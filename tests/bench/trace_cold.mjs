// Profiling aid (not a test, not a benchmark): what the browser's threads do during a cold deep link,
// by trace event (script, wasm compiles, style, layout, paint, GC, parsing), where the CPU profile of
// profile_cold.mjs only says "(program)". Opens the link in a new Chromium with tracing on from
// navigation, waits for the first frame, and prints, per thread, each event's self time (its duration
// less its children's) between two marks, the thread's CPU time in its tasks beside their wall time,
// and each main-thread task over 50 ms by event.
//
//   node tests/bench/trace_cold.mjs 1k jaeger
//   LINK=backend WINDOW=spanlens:app:start,spanlens:first-paint node tests/bench/trace_cold.mjs 100k tempo
import fs from "node:fs";
import { launch } from "../e2e/lib/browser.mjs";
import { OUT } from "./lib.mjs";
import { serveCase } from "./cold_cases.mjs";

const TOP = Number(process.env.TOP || 20);
const WINDOW = (process.env.WINDOW || "spanlens:page:start,spanlens:first-paint").split(",");
const CATEGORIES = [
  "toplevel",
  "devtools.timeline",
  "disabled-by-default-devtools.timeline",
  "blink.user_timing",
  "loading",
  "v8",
  "v8.wasm",
  "disabled-by-default-v8.gc",
  "v8.execute",
  ...(process.env.CATEGORIES ? process.env.CATEGORIES.split(",") : []),
];

/** Self time per event name on one thread between `from` and `to` (µs, trace clock). */
function selfTimes(events, from, to) {
  const spans = events
    .filter((e) => e.ph === "X" && e.dur !== undefined)
    .map((e) => ({ name: e.name, start: e.ts, end: e.ts + e.dur, args: e.args }))
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const self = new Map();
  const stack = [];
  const clip = (s, e) => Math.max(0, Math.min(e, to) - Math.max(s, from));
  const add = (name, us) => self.set(name, (self.get(name) || 0) + us);
  for (const span of spans) {
    while (stack.length && stack[stack.length - 1].end <= span.start) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent) add(parent.name, -clip(span.start, Math.min(span.end, parent.end)));
    add(span.name, clip(span.start, span.end));
    stack.push(span);
  }
  return [...self.entries()].filter(([, us]) => us > 0).sort((a, b) => b[1] - a[1]);
}

function tasks(events) {
  return events.filter((e) => e.ph === "X" && e.name === "ThreadControllerImpl::RunTask" && e.dur);
}

async function main() {
  const { server, link, size, shape } = await serveCase("trace_cold.mjs", process.argv.slice(2));
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await browser.startTracing(page, { categories: CATEGORIES });
    await page.goto(server.url + link);
    await page.waitForFunction(() => performance.getEntriesByName("spanlens:first-paint").length > 0, null, { timeout: 600_000 });
    const marks = await page.evaluate(() => performance.getEntriesByType("mark").map((m) => [m.name, Math.round(m.startTime)]));
    const { traceEvents } = JSON.parse((await browser.stopTracing()).toString("utf8"));
    if (process.env.SAVE) fs.writeFileSync(`${OUT}/trace-cold-${size}-${shape}.json`, JSON.stringify({ traceEvents }));
    await context.close();

    // The page's renderer: the process whose main thread recorded our marks.
    const markEvents = traceEvents.filter((e) => e.cat && e.cat.includes("blink.user_timing") && e.name.startsWith("spanlens:"));
    if (markEvents.length === 0) throw new Error("no spanlens marks in the trace");
    const pid = markEvents[0].pid;
    const threadNames = new Map(
      traceEvents.filter((e) => e.ph === "M" && e.name === "thread_name" && e.pid === pid).map((e) => [e.tid, e.args.name]),
    );
    // Trace clock of each mark: the mark's first trace event (its ts is in µs on the trace clock).
    const at = new Map();
    for (const e of markEvents) if (!at.has(e.name)) at.set(e.name, e.ts);
    const [fromName, toName] = WINDOW;
    if (!at.has(fromName) || !at.has(toName)) throw new Error(`WINDOW: marks ${WINDOW} not both in the trace`);
    const from = at.get(fromName);
    const to = at.get(toName);
    console.log(`link ${link}\nmarks: ${marks.map(([n, t]) => `${n}@${t}`).join(" ")}`);
    console.log(`window ${fromName} → ${toName}: ${((to - from) / 1000).toFixed(0)} ms`);
    const byThread = new Map();
    for (const e of traceEvents) if (e.pid === pid) (byThread.get(e.tid) || byThread.set(e.tid, []).get(e.tid)).push(e);
    const wanted = [...byThread.keys()].filter((tid) => /CrRendererMain|DedicatedWorker|V8 Worker|ThreadPool/.test(threadNames.get(tid) || ""));
    for (const tid of wanted) {
      const events = byThread.get(tid);
      const self = selfTimes(events, from, to);
      const busy = self.reduce((s, [, us]) => s + us, 0);
      if (busy < 5000) continue;
      const runTasks = tasks(events).filter((t) => t.ts < to && t.ts + t.dur > from);
      const inTasks = runTasks.reduce((s, t) => s + Math.min(t.ts + t.dur, to) - Math.max(t.ts, from), 0);
      // The thread's own CPU time in those tasks (a task cut by the window counts pro rata): far below
      // their wall time when the thread was runnable but not running (two cores, many threads).
      const cpu = runTasks.reduce((s, t) => s + ((t.tdur || 0) * (Math.min(t.ts + t.dur, to) - Math.max(t.ts, from))) / t.dur, 0);
      console.log(
        `\n== ${threadNames.get(tid)} (tid ${tid}): events ${(busy / 1000).toFixed(0)} ms, tasks ${(inTasks / 1000).toFixed(0)} ms (CPU ${(cpu / 1000).toFixed(0)} ms)`,
      );
      for (const [name, us] of self.slice(0, TOP)) console.log(`  ${(us / 1000).toFixed(1).padStart(7)} ms  ${name}`);
      if (/CrRendererMain/.test(threadNames.get(tid))) {
        for (const t of runTasks.filter((t) => t.dur > 50_000)) {
          const relative = ((t.ts - from) / 1000).toFixed(0);
          console.log(`  -- task at +${relative} ms, ${(t.dur / 1000).toFixed(0)} ms (CPU ${((t.tdur || 0) / 1000).toFixed(0)} ms):`);
          for (const [name, us] of selfTimes(events, t.ts, t.ts + t.dur).slice(0, 8)) console.log(`     ${(us / 1000).toFixed(1).padStart(7)} ms  ${name}`);
        }
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
