#!/usr/bin/env bash
# Install the pipeline for one workflow job: its hash-locked tools, then the code's own
# hash-locked requirements (each file given, when present), and put the `ci` package of
# THIS checkout on PYTHONPATH (a caller repository gets the pipeline at the called
# workflow's SHA, never from its own tree). Nothing here is built or downloaded unpinned.
set -euo pipefail
pipeline=$(cd "$(dirname "$0")/.." && pwd)
python -m pip install --disable-pip-version-check --require-hashes -r "$pipeline/requirements/ci.txt"
for requirements in "$@"; do
  if [ -f "$requirements" ]; then
    python -m pip install --disable-pip-version-check --require-hashes -r "$requirements"
  else
    echo "::notice::$requirements: not in this repository, skipped"
  fi
done
echo "PYTHONPATH=$pipeline" >> "$GITHUB_ENV"
# A pipeline checkout inside the work tree must not count as an uncommitted change.
if [ "$pipeline" != "$(pwd)" ] && [ -d .git ]; then
  echo "/$(basename "$pipeline")/" >> .git/info/exclude
fi
