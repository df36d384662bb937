#!/usr/bin/env bash
# Proves gen/ is exactly what `buf generate` makes from proto/: regenerate, then fail on any diff.
set -euo pipefail
cd "$(dirname "$0")/.."
npx buf generate
changes=$(git status --porcelain -- gen proto)
if [ -n "$changes" ]; then
  echo "gen/ is not what 'buf generate' produces from proto/ (or is not committed):" >&2
  echo "$changes" >&2
  echo "Run 'make generate' and commit gen/." >&2
  exit 1
fi
echo "gen/ is fresh."
