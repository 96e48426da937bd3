#!/usr/bin/env bash
# Install the pipeline for one workflow job into its own virtual environment,
# $RUNNER_TEMP/bottie-venv: its installer (uv), its hash-locked tools, the build backend, then the pipeline
# package itself (without dependencies: the lock already holds them), then the code's own
# hash-locked requirements (each file given, when present), for the gates that run it.
# The pipeline is installed, never put on PYTHONPATH, so neither its `ci` nor its example
# `bot` can shadow, or be shadowed by, the code under test; steps call
# "$RUNNER_TEMP/bottie-venv/bin/bottie-ci". Nothing here is built or downloaded unpinned.
set -euo pipefail
pipeline=$(cd "$(dirname "$0")/.." && pwd)
venv="${RUNNER_TEMP:?}/bottie-venv"
# No pip of its own: setting one up (ensurepip) is the dearest part of the install, about 2 s
# of CPU in every job (measured under the e2e tests). The runner's pip installs uv into the
# venv instead, run by the venv's own interpreter (pip's --python, pip >= 22.3: "pip will run
# exactly as if it had been invoked from that Python environment", pip docs, "Managing a
# different Python interpreter"). Every job is a fresh runner; its `python` is the one the
# setup-python step just put on PATH, which comes with pip (GitHub Docs, "Building and
# testing Python": after setup-python, dependencies install with `python -m pip install`).
python -m venv --without-pip "$venv"
# uv installs the rest: the whole lock takes pip 7.0 s of CPU (2.5 s with --no-compile) and uv
# 0.8 s, from the same local wheels into a fresh venv; this script, 3.9 s against 14.1 s when
# pip installed everything (benchmarks/install.py, 3 rounds, medians, load 10-12). It is one more
# tool in the trusted chain, so it comes from PyPI pinned by hash like everything else
# (requirements/uv.txt, checked by pip), and it runs in hash-checking mode: every requirement
# must carry a hash and every file must match one, or nothing is installed. Neither tool
# writes bytecode: Python writes it on first import, for what a job imports.
python -m pip --python "$venv/bin/python" install --disable-pip-version-check --quiet \
  --no-compile --require-hashes -r "$pipeline/requirements/uv.txt"
uv=("$venv/bin/uv" pip install --quiet --python "$venv/bin/python")
"${uv[@]}" --require-hashes -r "$pipeline/requirements/ci.txt" -r "$pipeline/requirements/build.txt"
# Built from the committed tree, copied out: a build leaves nothing in the checkout. The wheel
# is built first, then installed: `uv pip install DIR` asks the build backend for the
# metadata in a process of its own before it builds (the version is dynamic), and each
# setuptools process costs about 0.3 s of CPU warm, more in a fresh venv, every job.
source="$RUNNER_TEMP/bottie-pipeline-source"
dist="$RUNNER_TEMP/bottie-pipeline-dist"
rm -rf "$source" "$dist" && mkdir -p "$source"
git -C "$pipeline" archive --format=tar HEAD | tar -x -C "$source"
"$venv/bin/uv" build --quiet --wheel --no-build-isolation --python "$venv/bin/python" \
  --out-dir "$dist" "$source"
"${uv[@]}" --no-deps "$dist"/*.whl
for requirements in "$@"; do
  if [ -f "$requirements" ]; then
    "${uv[@]}" --require-hashes -r "$requirements"
  else
    echo "::notice::$requirements: not in this repository, skipped"
  fi
done
"$venv/bin/bottie-ci" --version
# A pipeline checkout inside the work tree must not count as an uncommitted change.
if [ "$pipeline" != "$(pwd)" ] && [ -d .git ]; then
  echo "/$(basename "$pipeline")/" >> .git/info/exclude
fi
