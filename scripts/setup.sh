#!/usr/bin/env bash
# Installs everything spanlens needs to build, serve and test, at pinned versions.
# Idempotent: each step checks what is already there and skips it, so a CI run on a machine that
# already has the toolchain costs seconds. See DEVELOPERS.md for why each pin is what it is.
set -euo pipefail

cd "$(dirname "$0")/.."

TRUNK_VERSION="0.21.14"          # 0.22 needs rustc >= 1.96.1; this machine has 1.95
# wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock, or the generated JS glue breaks.
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)"
# Splits the app's wasm into chunks loaded on first use (scripts/split_app.mjs). Its chunk format must
# match the wasm_split_helpers crate leptos re-exports (0.2.x in Cargo.lock).
WASM_SPLIT_VERSION="0.2.4"
APT_PACKAGES=(chromium chromium-driver)

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

want_quiet="${SETUP_QUIET:-}"
run() { if [[ -n "$want_quiet" ]]; then "$@" >/dev/null 2>&1; else "$@"; fi; }

# 1. Rust target for the browser.
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  log "adding rustup target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
for component in clippy rustfmt; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^${component}"; then
    log "adding rustup component ${component}"
    rustup component add "${component}"
  fi
done

# 2 + 3. Trunk and wasm-bindgen-cli. Neither tool's own speed matters (Trunk shells out to cargo and
#    wasm-opt; wasm-bindgen rewrites one module in about a second), so they are built with a cheap
#    profile instead of their release profiles' LTO and single codegen unit: no LTO, many codegen
#    units, opt-level 1. The two builds run side by side with the apt and npm steps below; each
#    writes its log under target/setup/. Measured once, on a machine busy with other builds: 16.5 min
#    for the whole script (see DEVELOPERS.md); a clean fresh-machine figure is still to be taken.
cheap_profile=(env CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=256
  CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_DEBUG=false CARGO_PROFILE_RELEASE_STRIP=true
  CARGO_PROFILE_RELEASE_INCREMENTAL=false)
mkdir -p target/setup
pids=()
names=()
if [[ "$(trunk --version 2>/dev/null || true)" != "trunk ${TRUNK_VERSION}" ]]; then
  log "installing trunk ${TRUNK_VERSION} in the background (first time only)"
  "${cheap_profile[@]}" cargo install trunk --version "${TRUNK_VERSION}" --locked \
    >target/setup/trunk.log 2>&1 &
  pids+=($!); names+=(trunk)
fi

# wasm-bindgen-cli must match Cargo.lock. No --locked: its lockfile names a webpki-roots version the
# registry here does not serve.
if [[ -z "${WASM_BINDGEN_VERSION}" ]]; then
  echo "setup: could not read the wasm-bindgen version from Cargo.lock" >&2
  exit 1
fi
if [[ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen ${WASM_BINDGEN_VERSION}" ]] \
  || ! command -v wasm-bindgen-test-runner >/dev/null; then
  log "installing wasm-bindgen-cli ${WASM_BINDGEN_VERSION} in the background (first time only)"
  "${cheap_profile[@]}" cargo install wasm-bindgen-cli --version "${WASM_BINDGEN_VERSION}" \
    >target/setup/wasm-bindgen.log 2>&1 &
  pids+=($!); names+=(wasm-bindgen-cli)
fi

# wasm-split-cli, from the wasm_split_cli_support crate (its binary is behind a feature).
if ! cargo install --list 2>/dev/null | grep -qx "wasm_split_cli_support v${WASM_SPLIT_VERSION}:"; then
  log "installing wasm-split-cli ${WASM_SPLIT_VERSION} in the background (first time only)"
  "${cheap_profile[@]}" cargo install wasm_split_cli_support --version "${WASM_SPLIT_VERSION}" --locked \
    --features build-binary >target/setup/wasm-split.log 2>&1 &
  pids+=($!); names+=(wasm-split-cli)
fi

# 4. Chromium and ChromeDriver from Debian (Playwright must never download its own browser).
missing_apt=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing_apt+=("$pkg")
done
if ((${#missing_apt[@]})); then
  log "installing ${missing_apt[*]} with apt"
  SUDO=""
  [[ "$(id -u)" != 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing_apt[@]}"
fi

# 5. Node tooling: binaryen's wasm-opt (Debian's version 108 emits modules Chromium rejects) and
#    playwright-core. `npm ci` installs exactly package-lock.json; skipped when already in place.
if [[ ! -x node_modules/.bin/wasm-opt || ! -d node_modules/playwright-core ]] \
  || ! cmp -s package-lock.json node_modules/.spanlens-lock-stamp 2>/dev/null; then
  log "installing node tooling (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.spanlens-lock-stamp
fi

for i in "${!pids[@]}"; do
  if ! wait "${pids[$i]}"; then
    echo "setup: installing ${names[$i]} failed; its log:" >&2
    tail -n 40 "target/setup/${names[$i]%-cli}.log" >&2
    exit 1
  fi
  log "${names[$i]} installed"
done

log "toolchain ready: $(trunk --version), $(wasm-bindgen --version), $(node_modules/.bin/wasm-opt --version | head -n1), $(chromium --version 2>/dev/null | head -n1)"
