# spanlens: `make run` serves the viewer, `make test` runs every check. Both install what is missing.
SHELL := /bin/bash
PORT ?= 8080
# Trunk must find the npm binaryen wasm-opt (version_132) before any other on PATH.
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export CHROMEDRIVER ?= /usr/bin/chromedriver

.PHONY: setup run build test fmt-check clippy test-native test-wasm test-e2e bench bench-native bench-browser fuzz clean

setup:
	@bash scripts/setup.sh

## Serve the viewer at http://127.0.0.1:$(PORT) (override with PORT=…).
run: setup
	trunk serve --offline --release --address 127.0.0.1 --port $(PORT)

## Write the static site to dist/.
build: setup
	trunk build --offline --release

test: setup
	bash scripts/test.sh

fmt-check:
	cargo fmt --all --check

clippy:
	bash scripts/test.sh clippy

test-native:
	bash scripts/test.sh native

test-wasm:
	bash scripts/test.sh wasm

test-e2e: build
	bash scripts/test.sh e2e

## Benchmarks are not tests: criterion natively, and the headless-Chromium harness. See BENCHMARKS.md.
bench: bench-native bench-browser

bench-native:
	cargo bench -p spanlens-formats -p spanlens-analysis -p spanlens-layout -p spanlens-traceql

bench-browser: build
	node tests/bench/run.mjs

clean:
	cargo clean
	rm -rf dist target/e2e
