// Trunk's post_build hook (Trunk.toml): splits the app's wasm into the module the first view needs
// and chunks fetched on first use (src/chunks: the flame graph, statistics, service graph and the
// pages besides the landing and trace pages).
//
// Trunk links the app (with the `split` feature, whose build.rs keeps the relocations), runs
// wasm-bindgen and writes index.html into its staging directory. This step then, from the linked
// module Trunk built:
//   1. splits it with wasm-split-cli (scripts/setup.sh installs the pinned version) into a main
//      module, one module per split point and chunks of code several split points share, and the
//      loader `__wasm_split.js`;
//   2. runs wasm-bindgen on the main module, as Trunk did on the whole, under Trunk's file name, and
//      keeps the exports the chunks link against (`--keep-lld-exports`: the function table);
//   3. in release builds, runs wasm-opt over the main module and every chunk (Trunk's own wasm-opt
//      is off for the app: it would optimize a module this step replaces);
//   4. writes the chunks and their loader into `<app>-split/`, named after the app's hashed file so
//      a new build never mixes with cached chunks of an old one, and updates index.html's integrity
//      hashes for the replaced files.
// Any failure fails the build, with the step and the tool's output.
import { execFile, execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

// The app's wasm-opt flags (size first). rustc 1.95 emits bulk-memory and other post-MVP
// instructions by default; wasm-opt must be told. Large functions with one caller stay out of line,
// as in the worker (index.html): the decoding of a result's parts, inlined into the loop that awaits
// them, was 17 kB that V8 optimized whole (BENCHMARKS.md).
const WASM_OPT_ARGS = [
  "-Oz",
  "--enable-bulk-memory",
  "--enable-bulk-memory-opt",
  "--enable-nontrapping-float-to-int",
  "--enable-sign-ext",
  "--enable-reference-types",
  "--enable-multivalue",
  "--enable-mutable-globals",
  "--one-caller-inline-max-function-size=300",
  "--strip-debug",
  "--strip-producers",
];
const LOADER = "__wasm_split.js";

function fail(message) {
  console.error(`split_app: ${message}`);
  process.exit(1);
}

function run(tool, args) {
  try {
    return execFileSync(tool, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    fail(`${tool} ${args.join(" ")} failed:\n${e.stderr || e.stdout || e.message}`);
  }
}

// Runs wasm-opt over each [input, output] pair, as many at once as there are cores.
async function optimize(pairs) {
  const queue = [...pairs];
  const worker = async () => {
    for (let pair = queue.shift(); pair; pair = queue.shift()) {
      const [input, output] = pair;
      await new Promise((resolve) =>
        execFile("wasm-opt", [...WASM_OPT_ARGS, input, "-o", output], (error, _stdout, stderr) => {
          if (error) fail(`wasm-opt ${input} failed:\n${stderr || error.message}`);
          resolve();
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, os.availableParallelism()) }, worker));
}

function sha384(file) {
  return "sha384-" + crypto.createHash("sha384").update(fs.readFileSync(file)).digest("base64");
}

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging || !fs.existsSync(staging)) fail("TRUNK_STAGING_DIR is not set: run me as Trunk's post_build hook");
const release = process.env.TRUNK_PROFILE === "release";

// Trunk's hashed names for the app: app-<hash>.js and app-<hash>_bg.wasm.
const glue = fs.readdirSync(staging).filter((f) => /^app-[0-9a-f]+\.js$/.test(f));
if (glue.length !== 1) fail(`expected one app-<hash>.js in ${staging}, found ${JSON.stringify(glue)}`);
const stem = glue[0].slice(0, -".js".length);
if (!fs.existsSync(path.join(staging, `${stem}_bg.wasm`))) fail(`${stem}_bg.wasm is missing from ${staging}`);

// The module Trunk linked: cargo's target directory, as cargo itself resolves it.
const metadata = JSON.parse(run("cargo", ["metadata", "--format-version", "1", "--no-deps", "--offline"]));
const linked = path.join(metadata.target_directory, "wasm32-unknown-unknown", release ? "release" : "debug", "app.wasm");
if (!fs.existsSync(linked)) fail(`the linked app module ${linked} is missing`);

// wasm-bindgen must be the version of the crate in Cargo.lock, like Trunk's (Trunk.toml).
const lock = fs.readFileSync(path.join(metadata.workspace_root, "Cargo.lock"), "utf8");
const bindgenVersion = lock.match(/name = "wasm-bindgen"\nversion = "([^"]+)"/)?.[1];
const haveBindgen = run("wasm-bindgen", ["--version"]).trim();
if (haveBindgen !== `wasm-bindgen ${bindgenVersion}`) fail(`need wasm-bindgen ${bindgenVersion}, found "${haveBindgen}"`);

const work = fs.mkdtempSync(path.join(os.tmpdir(), "spanlens-split-"));
try {
  // 1. Split. The loader imports `initSync` from ./<stem>.js, and the main module is <stem>.wasm.
  const split = path.join(work, "split");
  fs.mkdirSync(split);
  run("wasm-split-cli", [linked, split, "--target", "web", "--out-name", stem]);
  const chunks = fs.readdirSync(split).filter((f) => f.endsWith(".wasm") && f !== `${stem}.wasm`);
  if (chunks.length === 0) fail(`wasm-split-cli found no split points in ${linked} (was it built with the split feature?)`);

  // 2. wasm-bindgen over the main module, under Trunk's names.
  const bound = path.join(work, "bound");
  run("wasm-bindgen", [
    "--target", "web", "--no-typescript", "--keep-lld-exports",
    "--out-dir", bound, "--out-name", stem, path.join(split, `${stem}.wasm`),
  ]);

  // 3. wasm-opt (release builds, as Trunk's data-wasm-opt applies to release builds only).
  const chunkDir = path.join(work, "chunks");
  fs.mkdirSync(chunkDir);
  const main = path.join(bound, `${stem}_bg.wasm`);
  if (release) {
    // The main module first: it takes longest.
    await optimize([[main, main], ...chunks.map((c) => [path.join(split, c), path.join(chunkDir, c)])]);
  } else {
    for (const chunk of chunks) fs.copyFileSync(path.join(split, chunk), path.join(chunkDir, chunk));
  }

  // 4. Into the staging directory. The glue imports the loader from its own directory; the loader,
  // one directory down, imports the glue from the one above.
  const subdir = `${stem}-split`;
  let js = fs.readFileSync(path.join(bound, `${stem}.js`), "utf8");
  const imports = js.split(`from "./${LOADER}"`).length - 1;
  if (imports === 0) fail(`the app's glue does not import ./${LOADER}`);
  js = js.replaceAll(`from "./${LOADER}"`, `from "./${subdir}/${LOADER}"`);
  let loader = fs.readFileSync(path.join(split, LOADER), "utf8");
  if (!loader.includes(`from "./${stem}.js"`)) fail(`${LOADER} does not import ./${stem}.js`);
  loader = loader.replace(`from "./${stem}.js"`, `from "../${stem}.js"`);

  const out = path.join(staging, subdir);
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out);
  for (const chunk of chunks) fs.copyFileSync(path.join(chunkDir, chunk), path.join(out, chunk));
  fs.writeFileSync(path.join(out, LOADER), loader);
  fs.writeFileSync(path.join(staging, `${stem}.js`), js);
  fs.copyFileSync(main, path.join(staging, `${stem}_bg.wasm`));

  // index.html's integrity attributes name the files Trunk wrote; they now hold other bytes.
  const html = path.join(staging, "index.html");
  let page = fs.readFileSync(html, "utf8");
  for (const file of [`${stem}.js`, `${stem}_bg.wasm`]) {
    const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const pattern = new RegExp(`(href="[^"]*/${escaped}"[^>]*?integrity=")[^"]*(")`, "g");
    if (!page.match(pattern) && release) fail(`index.html has no integrity attribute for ${file}`);
    page = page.replace(pattern, `$1${sha384(path.join(staging, file))}$2`);
  }
  // The loader is a static import of the glue: fetched with it, not after the glue is parsed.
  const glueLink = page.match(new RegExp(`<link rel="modulepreload" href="([^"]*/)${stem}\\.js"[^>]*>`));
  if (glueLink) {
    const href = `${glueLink[1]}${subdir}/${LOADER}`;
    const integrity = release ? ` integrity="${sha384(path.join(out, LOADER))}"` : "";
    page = page.replace(glueLink[0], `${glueLink[0]}<link rel="modulepreload" href="${href}" crossorigin="anonymous"${integrity}>`);
  } else if (release) {
    fail(`index.html has no modulepreload link for ${stem}.js`);
  }
  fs.writeFileSync(html, page);

  const size = (f) => fs.statSync(f).size;
  const chunkBytes = chunks.reduce((sum, c) => sum + size(path.join(out, c)), 0);
  console.log(
    `split_app: ${stem}_bg.wasm ${(size(path.join(staging, `${stem}_bg.wasm`)) / 1024).toFixed(0)} kB; ` +
      `${chunks.length} chunks in ${subdir}/, ${(chunkBytes / 1024).toFixed(0)} kB`,
  );
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
