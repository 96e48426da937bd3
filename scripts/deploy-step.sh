#!/usr/bin/env bash
# One workflow step: run `python -m ci deploy|rollback ENV ... [--push]` with a push
# credential that exists only for this process (checkout keeps none: persist-credentials
# false), then publish the newest deploy tag of ENV as the step output `tag`.
set -euo pipefail
command=$1 env=$2
if [ -n "${GH_TOKEN:-}" ]; then
  auth=$(printf 'x-access-token:%s' "$GH_TOKEN" | base64 -w0)
  echo "::add-mask::$auth"
  export GIT_CONFIG_COUNT=1
  export GIT_CONFIG_KEY_0="http.${GITHUB_SERVER_URL:-https://github.com}/.extraheader"
  export GIT_CONFIG_VALUE_0="AUTHORIZATION: basic $auth"
fi
unset GH_TOKEN
# Push the tag when the command can (deploy: --push/--no-push); never guess an option.
push=()
if python -m ci "$command" --help | grep -q -- '--push'; then push=(--push); fi
python -m ci "$@" "${push[@]}"
tag=$(git for-each-ref --sort=-refname --count=1 --format='%(refname:strip=2)' "refs/tags/deploy/$env/")
echo "tag=$tag" >> "${GITHUB_OUTPUT:-/dev/null}"
echo "$command $env: $tag"
