#!/usr/bin/env bash
# The checkout test double's work (see action.yml); runs as is in tests/workflows/test_doubles.py.
# What it mirrors of actions/checkout: `repository` (default: the workflow's own), `ref` (a
# SHA, a branch, a tag or refs/...; default: the event's commit), `path` under the
# workspace, `fetch-depth` (0: all history and tags; N: the last N commits, no tags),
# `persist-credentials` (true: an http extraheader in .git/config; false: none), and a
# clean work tree at a detached commit (a branch ref gets its local branch, as the action).
set -euo pipefail
repository=${REPOSITORY:-$GITHUB_REPOSITORY}
if [ "$repository" != "$GITHUB_REPOSITORY" ]; then
  echo "checkout double: only $GITHUB_REPOSITORY is at hand, not $repository" >&2
  exit 1
fi
source=${BOTTIE_TEST_ORIGIN:?"checkout double: BOTTIE_TEST_ORIGIN names the repository to copy"}
case "$TARGET_PATH" in
  /* | *..*) echo "checkout double: path must stay under the workspace: $TARGET_PATH" >&2; exit 1 ;;
esac
target="$GITHUB_WORKSPACE/${TARGET_PATH:-.}"
ref=${REF:-$GITHUB_SHA}
depth=${FETCH_DEPTH:-1}

mkdir -p "$target"
cd "$target"
if [ "$(git rev-parse --show-toplevel 2>/dev/null)" != "$(pwd -P)" ]; then
  find . -mindepth 1 -maxdepth 1 -exec rm -rf {} +  # not a repository of its own: start empty
  git init -q
fi
git remote remove origin 2>/dev/null || true
git remote add origin "$source"

if [ "$depth" = 0 ]; then
  fetch=(--tags --prune)
else
  fetch=(--no-tags "--depth=$depth")
fi
if [[ $ref =~ ^[0-9a-f]{40}$ ]]; then
  spec=$ref branch=""
else
  case "$ref" in
    refs/heads/*) spec="+$ref:refs/remotes/origin/${ref#refs/heads/}" branch=${ref#refs/heads/} ;;
    refs/*) spec="+$ref:$ref" branch="" ;;
    *)
      if git ls-remote --exit-code --heads "$source" "$ref" >/dev/null; then
        spec="+refs/heads/$ref:refs/remotes/origin/$ref" branch=$ref
      else
        spec="+refs/tags/$ref:refs/tags/$ref" branch=""
      fi ;;
  esac
fi
[ "$depth" = 0 ] && git fetch -q "${fetch[@]}" origin '+refs/heads/*:refs/remotes/origin/*'
git fetch -q "${fetch[@]}" origin "$spec"
if [ -n "$branch" ]; then
  git checkout -q --force -B "$branch" "refs/remotes/origin/$branch"
else
  git checkout -q --force --detach FETCH_HEAD
fi
git clean -q -ffdx

header="http.${GITHUB_SERVER_URL:-https://github.com}/.extraheader"
git config --local --unset-all "$header" || true
if [ "$PERSIST_CREDENTIALS" = true ]; then
  # The real action stores the job's token here for later git commands; a placeholder
  # stands for it (the double has no token and reaches no server).
  git config --local "$header" "AUTHORIZATION: basic ***"
fi
echo "checked out $(git rev-parse HEAD) of $repository into ${TARGET_PATH:-.}"
