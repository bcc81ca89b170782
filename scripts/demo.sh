#!/usr/bin/env bash
# The newcomer's tour: build kafkit, start a real local Kafka, and use it.
set -euo pipefail
cd "$(dirname "$0")/.."
kafkit() { node bin/run.js "$@"; }

[ -d dist ] && [ -f oclif.manifest.json ] || npm run -s build
kafkit local start
kafkit cluster info
