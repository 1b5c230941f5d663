#!/usr/bin/env bash
# Builds the seed corpora in fuzz/corpus/<target>/ from the shared fixture corpus. The corpora are
# git-ignored: rerun this script on a fresh checkout before fuzzing. FIXTURES overrides the source.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fixtures=${FIXTURES:-$here/../../shared/fixtures}
[ -d "$fixtures" ] || { echo "seed.sh: no fixture corpus at $fixtures" >&2; exit 1; }

# seed TARGET DIR... : copy every fixture of DIRs, plus a 16 KiB prefix of the large ones (small
# inputs fuzz faster, and a cut-off file is itself a case worth exploring: truncated downloads).
seed() {
  local target=$1; shift
  local out="$here/corpus/$target"
  mkdir -p "$out"
  for dir in "$@"; do
    for f in "$fixtures/$dir"/*; do
      [ -f "$f" ] || continue
      local name; name=$(basename "$f")
      cp "$f" "$out/$name"
      if [ "$(stat -c %s "$f")" -gt 16384 ]; then
        head -c 16384 "$f" > "$out/head16k-$name"
      fi
    done
  done
}

seed otlp_json otlp-json spec-examples
seed otlp_jsonl otlp-jsonl
seed otlp_proto otlp-protobuf
seed jaeger_json jaeger-json
seed jaeger_protojson jaeger-api-v2-protojson
seed zipkin_v1 zipkin-v1
seed zipkin_v2 zipkin-v2
seed chrome chrome-trace-event
seed import_bytes otlp-json otlp-jsonl otlp-protobuf jaeger-json jaeger-api-v2-protojson zipkin-v1 zipkin-v2 \
  chrome-trace-event other spec-examples tempo-search
# Streaming import: the shapes it streams, each behind a chunk-size byte (the target's first byte).
mkdir -p "$here/corpus/stream_import"
for f in "$fixtures"/otlp-json/* "$fixtures"/otlp-jsonl/*; do
  [ -f "$f" ] || continue
  { printf '\x07'; head -c 65536 "$f"; } > "$here/corpus/stream_import/$(basename "$f")"
done
# Jaeger answers stream span by span (each span read in place, cut by chunk boundaries anywhere).
for f in "$fixtures"/jaeger-json/* "$fixtures"/jaeger-api-v2-protojson/* "$fixtures"/backend-api/jaeger/*.json; do
  [ -f "$f" ] || continue
  { printf '\x2a'; head -c 65536 "$f"; } > "$here/corpus/stream_import/jaeger-$(basename "$f")"
done
# A gzipped input, so detection's gunzip path is seeded too.
gzip -c "$fixtures/zipkin-v2/zipkin-lens__skew.json" > "$here/corpus/import_bytes/skew.json.gz"
# TraceQL: every query of the Tempo conformance corpus, one file each.
mkdir -p "$here/corpus/traceql"
python3 - "$here/../../shared/conformance/traceql" "$here/corpus/traceql" <<'PY'
import json, pathlib, sys
src, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
n = 0
for name in ("queries.jsonl", "lexer.jsonl", "semantics.jsonl", "lenient.jsonl"):
    for line in (src / name).read_text().splitlines():
        try:
            q = json.loads(line).get("query")
        except ValueError:
            continue
        if isinstance(q, str):
            (out / f"{n:05}").write_text(q)
            n += 1
PY
echo "seeded: $(ls "$here/corpus" | tr '\n' ' ')"
