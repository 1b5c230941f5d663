#!/bin/sh
# Trunk's pre-build hook (Trunk.toml): the six stylesheets under style/, one per area, joined in
# their cascade order (tokens first) into the one stylesheet index.html links. A cold page opened
# from a link fetched six stylesheets ahead of the app's script and wasm, on the browser's six
# connections to the host: one file instead brought the app's wasm in ~65 ms sooner and the first
# frame of a 1k-span link ~65 ms sooner (BENCHMARKS.md). The file is rewritten only when its
# content changes, so `trunk serve` does not see a change of its own making.
set -eu
cd "${TRUNK_SOURCE_DIR:-$(dirname "$0")/..}"
out=target/style/spanlens.css
mkdir -p target/style
tmp="$out.tmp.$$"
areas="tokens shell pages trace search views"
# A stylesheet left out of the list would be left out of the page: fail the build instead.
for file in style/*.css; do
  case " $areas " in
    *" $(basename "$file" .css) "*) ;;
    *) echo "scripts/bundle_css.sh: $file is not in its list of areas" >&2; exit 1 ;;
  esac
done
for area in $areas; do
  printf '/* style/%s.css */\n' "$area"
  cat "style/$area.css"
done >"$tmp"
if cmp -s "$tmp" "$out"; then rm -f "$tmp"; else mv "$tmp" "$out"; fi
