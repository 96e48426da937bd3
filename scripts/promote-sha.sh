#!/usr/bin/env bash
# Step output `sha`: the commit to promote to mainnet. Default: the one the newest testnet
# deploy tag points at. A commit asked for must carry a testnet deploy tag too (the mainnet
# deploy checks this again).
set -euo pipefail
wanted=${1:-}
if [ -z "$wanted" ]; then
  wanted=$(git for-each-ref --sort=-refname --count=1 --format='%(refname)' refs/tags/deploy/testnet/)
  [ -n "$wanted" ] || { echo "::error::nothing is live on testnet: no deploy/testnet/* tag"; exit 1; }
fi
sha=$(git rev-parse --verify --quiet "$wanted^{commit}") || { echo "::error::not a commit: $wanted"; exit 1; }
if [ -z "$(git tag --points-at "$sha" --list 'deploy/testnet/*')" ]; then
  echo "::error::$sha was never deployed to testnet: no deploy/testnet/* tag points at it"
  exit 1
fi
echo "sha=$sha" >> "$GITHUB_OUTPUT"
echo "promoting $sha"
