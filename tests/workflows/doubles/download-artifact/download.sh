#!/usr/bin/env bash
# The download-artifact test double's work (see action.yml); runs as is in
# tests/workflows/test_doubles.py. BOTTIE_TEST_ARTIFACTS/<artifact>/ holds each artifact the
# upload double stored. As actions/download-artifact: NAME downloads that artifact's files
# into TARGET (one that does not exist fails); otherwise every artifact matching PATTERN
# (all, when empty) goes into TARGET/<artifact>/, or with MERGE=true all into TARGET itself.
set -euo pipefail
store=${BOTTIE_TEST_ARTIFACTS:?"download-artifact double: BOTTIE_TEST_ARTIFACTS names the store"}
mkdir -p "$TARGET"
if [ -n "$NAME" ]; then
  [ -d "$store/$NAME" ] || { echo "download-artifact double: no artifact $NAME" >&2; exit 1; }
  cp -r "$store/$NAME"/. "$TARGET/"
  exit 0
fi
for dir in "$store"/${PATTERN:-*}; do
  [ -d "$dir" ] || continue
  if [ "$MERGE" = true ]; then
    cp -r "$dir"/. "$TARGET/"
  else
    mkdir -p "$TARGET/${dir##*/}" && cp -r "$dir"/. "$TARGET/${dir##*/}/"
  fi
done
