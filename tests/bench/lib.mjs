// Shared by the browser benchmark modes: the CLI that generates traces, the generated files, and
// the statistics the tables report.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "../e2e/lib/browser.mjs";

export const OUT = path.join(PROJECT_ROOT, "target/bench");
export const RUNS = Number(process.env.RUNS || 3);

export function cli() {
  const bin = path.join(PROJECT_ROOT, "target/release/spanlens");
  execFileSync("cargo", ["build", "--release", "-p", "spanlens-cli", "--quiet"], { cwd: PROJECT_ROOT, stdio: "inherit" });
  return bin;
}

export function generate(bin, name, spec) {
  fs.mkdirSync(OUT, { recursive: true });
  const file = path.join(OUT, `gen-${name}.json`);
  if (!fs.existsSync(file)) {
    const data = execFileSync(bin, ["gen", "--spans", String(spec.spans), "--traces", String(spec.traces ?? 1), "--seed", "7", ...spec.args], {
      maxBuffer: 4 * 1024 ** 3,
    });
    fs.writeFileSync(file, data);
  }
  return file;
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};
export const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))] : NaN;
};

