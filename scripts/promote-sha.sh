#!/usr/bin/env bash
# Step output `sha`: the commit asked for (resolved), or the one the newest testnet deploy
# tag points at. The mainnet deploy itself refuses a commit with no testnet deploy tag.
set -euo pipefail
wanted=${1:-}
if [ -z "$wanted" ]; then
  wanted=$(git for-each-ref --sort=-refname --count=1 --format='%(refname)' refs/tags/deploy/testnet/)
  [ -n "$wanted" ] || { echo "::error::nothing is live on testnet: no deploy/testnet/* tag"; exit 1; }
fi
sha=$(git rev-parse --verify --quiet "$wanted^{commit}") || { echo "::error::not a commit: $wanted"; exit 1; }
echo "sha=$sha" >> "$GITHUB_OUTPUT"
echo "promoting $sha"
