#!/usr/bin/env bash
# Runs every check, or the named stages: fmt clippy native wasm build e2e.
# `make test` calls this after scripts/setup.sh. Stages run in order and stop at the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

stages=("$@")
((${#stages[@]})) || stages=(fmt clippy native wasm build e2e)

NATIVE_CRATES=(-p spanlens-model -p spanlens-formats -p spanlens-synth -p spanlens-analysis -p spanlens-layout
  -p spanlens-traceql -p spanlens-protocol -p spanlens-backends -p spanlens-cli)
WASM_CRATES=(-p spanlens -p spanlens-worker -p spanlens-protocol -p spanlens-model -p spanlens-formats -p spanlens-analysis
  -p spanlens-layout -p spanlens-traceql -p spanlens-backends)

banner() { printf '\n\033[1;34m==> %s\033[0m\n' "$*"; }

shared_check() {
  if [[ ! -d ../shared/fixtures ]]; then
    if [[ "${CI:-}" == "true" ]]; then
      echo "ERROR: ../shared is missing; CI needs the shared corpora beside the project." >&2
      exit 1
    fi
    printf '\033[1;33m!!! ../shared is missing: fixture and TraceQL conformance suites will SKIP !!!\033[0m\n'
  fi
}

for stage in "${stages[@]}"; do
  case "$stage" in
    fmt)
      banner "cargo fmt --check"
      cargo fmt --all --check
      ;;
    clippy)
      banner "clippy (native, -D warnings)"
      cargo clippy "${NATIVE_CRATES[@]}" --all-targets -- -D warnings
      cargo clippy -p spanlens --lib --tests -- -D warnings
      banner "clippy (wasm32, -D warnings)"
      cargo clippy --target wasm32-unknown-unknown "${WASM_CRATES[@]}" --lib --bins -- -D warnings
      # The split build (Trunk's): the split points' generated glue (src/chunks) is checked too.
      cargo clippy --target wasm32-unknown-unknown -p spanlens --features split --lib --bins -- -D warnings
      ;;
    native)
      shared_check
      banner "native tests"
      cargo test "${NATIVE_CRATES[@]}"
      banner "native tests of the app crate (its pure modules; browser code is tested in the wasm stage)"
      cargo test -p spanlens --lib
      ;;
    wasm)
      banner "wasm-bindgen-test in headless Chromium"
      CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
        cargo test -p spanlens --target wasm32-unknown-unknown --test web
      ;;
    build)
      banner "trunk build --offline --release"
      trunk build --offline --release
      ;;
    e2e)
      banner "end-to-end tests (Playwright + Chromium)"
      mkdir -p target/e2e
      node --test --test-concurrency=1 tests/e2e/specs/
      ;;
    *)
      echo "unknown stage: $stage (expected fmt clippy native wasm build e2e)" >&2
      exit 2
      ;;
  esac
done
banner "all checks passed: ${stages[*]}"
