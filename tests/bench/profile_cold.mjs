// Profiling aid (not a test, not a benchmark): where the main thread's long tasks go on a cold deep
// link. Opens the link in a new Chromium with the CPU profiler on from navigation start, waits for
// the first frame, and prints each task over 50 ms with the functions that spent most of it (self
// time, and the wasm/JS functions on the stack most often: inclusive time).
//
//   node tests/bench/profile_cold.mjs 1k jaeger            # ?url= link
//   LINK=backend node tests/bench/profile_cold.mjs 1k tempo
//
// Wasm function names show only in a build that keeps the name section: drop `--strip-debug` from
// the app's `data-wasm-opt-params` in index.html for a profiling build (never commit that).
import { launch } from "../e2e/lib/browser.mjs";
import { serveCase } from "./cold_cases.mjs";

const TOP = Number(process.env.TOP || 25);
// `STACKS=8`: also the heaviest call stacks of each task, their innermost 8 wasm/JS frames (Rust
// names without their hashes, framework glue left out): when inlining makes a function's self time
// mean little, the stack says whose work it is.
const STACKS = Number(process.env.STACKS || 0);
// `WINDOW=spanlens:app:start,spanlens:first-paint`: also the main thread's whole time between two marks,
// long tasks or not, idle included: whether the thread is the bottleneck, and on what.
const WINDOW = process.env.WINDOW ? process.env.WINDOW.split(",") : null;
const GLUE = /^(wasm_bindgen|js-to-wasm|wasm-to-js|real |\(root\)|js_sys::futures|<core::pin::Pin|wasm-function)/;
const short = (n) => n.replace(/::h[0-9a-f]{16}/g, "").replace(/ app-[^ ]*$/, "").replace(/ [a-z0-9_-]+\.js$/, "");

function summarize(profile, from, to) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const self = new Map();
  const inclusive = new Map();
  const stacks = new Map();
  let t = profile.startTime;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    const ms = t / 1000;
    if (ms < from || ms > to) continue;
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    total += dt;
    let id = profile.samples[i];
    const name = (n) => `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url ? n.callFrame.url.split("/").pop() : ""}`.trim();
    self.set(name(nodes.get(id)), (self.get(name(nodes.get(id))) || 0) + dt);
    const seen = new Set();
    const frames = [];
    while (id !== undefined) {
      const key = name(nodes.get(id));
      if (frames.length < STACKS && !GLUE.test(key)) frames.push(short(key));
      if (!seen.has(key)) {
        seen.add(key);
        inclusive.set(key, (inclusive.get(key) || 0) + dt);
      }
      id = parent.get(id);
    }
    if (STACKS) {
      const stack = frames.reverse().join("\n        > ");
      stacks.set(stack, (stacks.get(stack) || 0) + dt);
    }
  }
  const top = (m) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, TOP);
  return { total, self: top(self), inclusive: top(inclusive), stacks: [...stacks.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12) };
}

async function main() {
  const { server, link, size, shape } = await serveCase("profile_cold.mjs", process.argv.slice(2));
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await page.addInitScript(() => {
      // A known instant on the profile's clock: this function spins for 3 ms at performance.now() = t.
      window.__syncAt = (function spanlensProfileSync() {
        const t = performance.now();
        while (performance.now() - t < 3) {}
        return t;
      })();
      window.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: "longtask", buffered: true });
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
    await cdp.send("Profiler.start");
    await page.goto(server.url + link);
    await page.waitForFunction(() => performance.getEntriesByName("spanlens:first-paint").length > 0, null, { timeout: 600_000 });
    const { profile } = await cdp.send("Profiler.stop");
    const page_ = await page.evaluate(() => ({
      syncAt: window.__syncAt,
      tasks: window.__longTasks,
      marks: performance.getEntriesByType("mark").map((m) => [m.name, Math.round(m.startTime)]),
    }));
    // The profile's clock is not performance.now(): find the sync function's samples and shift.
    const syncNodes = new Set(profile.nodes.filter((n) => n.callFrame.functionName === "spanlensProfileSync").map((n) => n.id));
    let clock = profile.startTime;
    let syncMicros = null;
    for (let i = 0; i < profile.samples.length; i++) {
      clock += profile.timeDeltas[i];
      if (syncNodes.has(profile.samples[i])) {
        syncMicros = clock;
        break;
      }
    }
    if (syncMicros === null) throw new Error("the sync function is not in the profile: the profiler missed the page's process");
    const rebased = { ...profile, startTime: profile.startTime - syncMicros + page_.syncAt * 1000 };
    const skew = 0;
    console.log(`link ${link}\nmarks: ${page_.marks.map(([n, t]) => `${n}@${t}`).join(" ")}`);
    const tasks = [...page_.tasks];
    if (WINDOW) {
      const at = (name) => page_.marks.find(([n]) => n === name)?.[1];
      const [from, to] = WINDOW.map(at);
      if (from === undefined || to === undefined) throw new Error(`WINDOW: no mark ${WINDOW.find((n) => at(n) === undefined)}`);
      tasks.unshift({ start: from, duration: to - from, window: WINDOW.join(" → ") });
    }
    for (const task of tasks) {
      // The profiler started a little before navigation; correct by the first mark if needed.
      const s = summarize(rebased, task.start - skew, task.start + task.duration - skew);
      const what = task.window ? `window ${task.window}` : "long task";
      console.log(`\n== ${what} at ${task.start.toFixed(0)} ms, ${task.duration.toFixed(0)} ms (sampled ${s.total.toFixed(1)} ms)`);
      console.log("  self:");
      for (const [k, v] of s.self) console.log(`    ${v.toFixed(1).padStart(7)} ms  ${k}`);
      console.log("  inclusive:");
      for (const [k, v] of s.inclusive) console.log(`    ${v.toFixed(1).padStart(7)} ms  ${k}`);
      if (STACKS) {
        console.log("  stacks:");
        for (const [k, v] of s.stacks) console.log(`    ${v.toFixed(1).padStart(7)} ms  ${k}`);
      }
    }
    await context.close();
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
