#!/usr/bin/env bash
# The newcomer's tour: build kafkit, start a real local Kafka, and use it end to end.
set -euo pipefail
cd "$(dirname "$0")/.."
kafkit() { echo "\$ kafkit $*" >&2; node bin/run.js "$@"; }

[ -f dist/bundle/kafkit.js ] && [ -f oclif.manifest.json ] || npm run -s build
# --secure adds SASL/TLS listeners (used by the security tests of `npm test`); a local Kafka already running
# without them is kept as it is (local start says so, and how to restart it with them).
# KAFKIT_LOCAL_DIR (and KAFKIT_DEMO_PORT for its first start) run the demo on a second local cluster; the
# commands below talk to whichever cluster local start reports.
KAFKIT_BROKERS=$(kafkit local start --secure ${KAFKIT_DEMO_PORT:+--port "$KAFKIT_DEMO_PORT"})
export KAFKIT_BROKERS
kafkit cluster info
kafkit topics create demo-orders --partitions 3 --if-not-exists
printf 'store-1\t{"sku":"A1","qty":2}\nstore-2\t{"sku":"B7","qty":1}\nstore-1\t{"sku":"C3","qty":5}\n' \
  | kafkit produce demo-orders --key-separator '\t'
kafkit consume demo-orders --from beginning -e -f '%p:%o %k %v\n'
kafkit consume demo-orders --from beginning -e --format json | head -1
kafkit topics describe demo-orders
echo "demo done: the local Kafka keeps running ('kafkit local stop' stops it); next: npm test" >&2
