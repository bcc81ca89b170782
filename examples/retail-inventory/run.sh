#!/usr/bin/env bash
# `npm run example:retail`: every step of README.md, in order, each command printed before it runs.
#
# Settings (environment):
#   RETAIL_PREFIX      prefix for every topic and group name (default: none; the CI test uses a unique one)
#   RETAIL_STATE_DIR   generated data, PostgreSQL's data directory (default: ${TMPDIR:-/tmp}/kafkit-retail)
#   RETAIL_PG_PORT     PostgreSQL's loopback port (default: 54329)
#   RETAIL_SEED, RETAIL_PRODUCTS, RETAIL_EVENTS   the generator's --seed (7), --products (12), --events (1500)
#   RETAIL_STOP_DB=1   stop PostgreSQL at the end (default: leave it running to explore)
#   RETAIL_TIMING=1    print how long each command took
#   RETAIL_CONNECT=0   skip section 10 (Kafka Connect's JDBC sink)
#   KAFKIT_BROKERS     the cluster (default: kafkit's local profile, 127.0.0.1:9092)
#   KAFKIT_CONNECT_URL the Kafka Connect worker (default: the local one, http://127.0.0.1:8083, started when missing)
#   KAFKIT_SCHEMA_REGISTRY_URL   the schema registry (default: the local one, 127.0.0.1:8081, started when not up)
#                                (section 10's converter uses the same Apicurio Registry, through its /apis/registry/v2)
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$HERE"

P="${RETAIL_PREFIX:-}"
export RETAIL_STATE_DIR="${RETAIL_STATE_DIR:-${TMPDIR:-/tmp}/kafkit-retail}"
DAY="$RETAIL_STATE_DIR/day"
SEED="${RETAIL_SEED:-7}"
PRODUCTS="${RETAIL_PRODUCTS:-12}"
EVENTS="${RETAIL_EVENTS:-1500}"
STORES=3 # topics.yaml has three store topics
GROUP="${P}stock-db"
CONNECTOR="${P}stock-db-jdbc"
# Debezium's JDBC sink: 3.6.0.Final runs on the local Connect worker (see the README's Kafka Connect section).
JDBC_PLUGIN=io.debezium:debezium-connector-jdbc:3.6.0.Final
# Apicurio's Kafka Connect converters: the sink reads the Avro inventory updates through the registry.
AVRO_CONVERTER_PLUGIN=io.apicurio:apicurio-registry-utils-converter:2.6.13.Final
export NO_COLOR=1

kafkit() { node "$ROOT/bin/run.js" "$@"; }
step() { printf '\n== %s\n' "$*"; }
# Prints a command line, then runs it (a string, so pipes show as written).
run() {
  printf '$ %s\n' "$1"
  local t0=$SECONDS
  eval "$1"
  if [ -n "${RETAIL_TIMING:-}" ]; then echo "($((SECONDS - t0)) s)" >&2; fi
}

if ! kafkit --version >/dev/null 2>&1; then
  step "build kafkit"
  (cd "$ROOT" && npm run -s build)
fi

step "1. Kafka and the topics"
if kafkit cluster info >/dev/null 2>&1; then
  echo "(a broker already answers at ${KAFKIT_BROKERS:-127.0.0.1:9092}: not starting one)"
else
  run "kafkit local start"
fi
# A second run starts from scratch: the previous run's topics, group and tables go first.
if [ "${RETAIL_CONNECT:-1}" != 0 ] && kafkit connect delete "$CONNECTOR" --yes >/dev/null 2>&1; then
  # Its consumer group goes too, once the deleted connector's task has left it.
  for i in $(seq 1 20); do
    rc=0
    kafkit groups delete "connect-$CONNECTOR" --yes >/dev/null 2>&1 || rc=$?
    [ "$rc" = 6 ] || break # 6: still active
    sleep 0.5
  done
fi
if kafkit topics list 2>/dev/null | grep -qE "^${P}(inventory_store[0-9]+|sales|sales-debug|stock-levels)([[:space:]]|\$)"; then
  run "kafkit topics delete --regex '^${P}(inventory_store[0-9]+|sales|sales-debug|stock-levels)\$' --yes"
  kafkit groups delete "$GROUP" --yes >/dev/null 2>&1 || true
fi
topics_file="topics.yaml"
if [ -n "$P" ]; then
  topics_file="$RETAIL_STATE_DIR/topics.yaml"
  mkdir -p "$RETAIL_STATE_DIR"
  sed -E "s/^(  - name: )/\1${P}/; s#^\\\$schema: .*#\$schema: $ROOT/schemas/topics.schema.json#" topics.yaml >"$topics_file"
fi
run "kafkit topics apply -f $topics_file"
# Topics deleted a moment ago can still be on their way out: retry for a while.
for i in $(seq 1 30); do
  if out="$(kafkit topics apply -f "$topics_file" --execute --yes 2>&1)"; then
    printf '$ kafkit topics apply -f %s --execute\n%s\n' "$topics_file" "$out"
    break
  fi
  [ "$i" = 30 ] && { echo "$out" >&2; exit 1; }
  sleep 1
done

step "1b. The schema registry: inventory updates and sales are Avro"
export KAFKIT_SCHEMA_REGISTRY_URL="${KAFKIT_SCHEMA_REGISTRY_URL:-http://127.0.0.1:8081/apis/ccompat/v7}"
if ! kafkit schemas subjects >/dev/null 2>&1; then
  run "kafkit local start --schema-registry"
fi
for t in $(seq 1 $STORES | sed "s/^/${P}inventory_store/"); do
  run "kafkit schemas register ${t}-value -f schemas/inventory-update.avsc"
done
run "kafkit schemas register ${P}sales-value -f schemas/sale.avsc"
# Readers of sales must keep working with every version: changes are checked before they are registered.
run "kafkit schemas compatibility set ${P}sales-value BACKWARD"

step "2. PostgreSQL"
run "./db.sh start --fresh"

step "3. A trading day: generate it, produce it"
rm -rf "$DAY"
run "node generate.mjs --seed $SEED --products $PRODUCTS --events $EVENTS ${P:+--prefix $P }--out-dir $DAY --expected $DAY/expected.json"
# Each JSON value is checked against the subject's schema and written as Avro in the registry's wire format.
for t in $(seq 1 $STORES | sed "s/^/${P}inventory_store/") "${P}sales"; do
  run "kafkit produce $t --format json -f $DAY/$t.jsonl --value-subject ${t}-value"
done
run "kafkit consume ${P}sales --exit --count 1 --format '%p %o schema=%i %v\n'"   # decoded through the registry

step "4. The stock-db consumer (v1) keeps PostgreSQL up to date"
run "kafkit consume '^${P}inventory_store.*' --regex --group $GROUP --format json --exit | node sink.mjs --v1"
run "kafkit groups describe $GROUP"
run "./db.sh psql -c \"SELECT store, count(*) AS products, sum(qty) AS units FROM stock_levels GROUP BY store ORDER BY store\""

step "5. The bug: shelves and database disagree"
run "node check.mjs $DAY/expected.json || true"
run "kafkit consume ${P}sales --where 'value.qty < 0' --format '%d %k %v\n' --exit | head -3"
RETURNS_SINCE="$(node -p "require('$DAY/expected.json').returnsSince")"

step "6. Fix, rewind, re-consume"
run "kafkit offsets reset $GROUP --all-topics --to-datetime $RETURNS_SINCE"
run "kafkit offsets reset $GROUP --all-topics --to-datetime $RETURNS_SINCE --execute --yes"
run "kafkit groups describe $GROUP"
run "kafkit offsets undo $GROUP"   # the way back, should the plan have been wrong (a plan only: not executed)
run "kafkit consume '^${P}inventory_store.*' --regex --group $GROUP --format json --exit | node sink.mjs"
run "node check.mjs $DAY/expected.json"

step "7. Publish the stock levels to the compacted topic"
run "./db.sh psql -At -c \"SELECT json_build_object('key', store || '/' || product, 'value', json_build_object('store', store, 'product', product, 'qty', qty, 'updatedAt', updated_at)::text) FROM stock_levels ORDER BY store, product\" | kafkit produce ${P}stock-levels --format json"
run "kafkit consume ${P}stock-levels --format '%k %v\n' --exit | head -3"

step "8. Replay the last hour of sales into sales-debug"
run "kafkit replay ${P}sales ${P}sales-debug --from @-1h"
printf '$ %s\n' "kafkit consume ${P}sales-debug --exit | wc -l"
replayed="$(kafkit consume "${P}sales-debug" --exit | wc -l | tr -d ' ')"
echo "$replayed"
expected_replayed="$(node -p "require('$DAY/expected.json').salesLastHour")"
if [ "$replayed" != "$expected_replayed" ]; then
  echo "error: sales-debug has $replayed records, the generator made $expected_replayed sales in the last hour" >&2
  # A time window is only exact if each partition is in time order, as the generator wrote it.
  backwards="$(kafkit consume "${P}sales" --exit --format '%p %T\n' | awk '{ if (($1 in last) && $2 < last[$1]) n++; last[$1] = $2 } END { print n + 0 }')"
  [ "$backwards" != 0 ] && echo "hint: '${P}sales' is out of time order in $backwards places: records of a partition were stored in a different order than produced" >&2
  exit 1
fi

step "9. A schema change that would break the readers of sales is caught before it is registered"
printf '$ %s\n' "kafkit schemas check ${P}sales-value -f schemas/sale-v2-breaking.avsc"
set +e
kafkit schemas check "${P}sales-value" -f schemas/sale-v2-breaking.avsc
check_status=$?
set -e
echo "(exit $check_status)"
if [ "$check_status" != 8 ]; then
  echo "error: schemas check should have refused the breaking change with exit 8, got $check_status" >&2
  exit 1
fi

if [ "${RETAIL_CONNECT:-1}" != 0 ]; then
  step "10. The same stock levels through Kafka Connect: a JDBC sink, no code"
  # The worker needs the sink and the converter (`kafkit connect plugins` lists connectors, --all converters too).
  plugins="$(kafkit connect plugins --all 2>/dev/null || true)"
  if ! grep -q '^io\.debezium\.connector\.jdbc\.JdbcSinkConnector' <<<"$plugins" || ! grep -q '^io\.apicurio\.registry\.utils\.converter\.AvroConverter' <<<"$plugins"; then
    run "kafkit local start --connect --connect-plugin $JDBC_PLUGIN --connect-plugin $AVRO_CONVERTER_PLUGIN"
  fi
  # The converter reads schemas through Apicurio's own API, beside the Confluent-compatible one kafkit uses.
  APICURIO_URL="${KAFKIT_SCHEMA_REGISTRY_URL%/}"
  APICURIO_URL="${APICURIO_URL%/apis/ccompat/v7}/apis/registry/v2"
  connectors_file="connectors.yaml"
  if [ -n "$P" ] || [ "${RETAIL_PG_PORT:-54329}" != 54329 ] || [ "$APICURIO_URL" != http://127.0.0.1:8081/apis/registry/v2 ]; then
    connectors_file="$RETAIL_STATE_DIR/connectors.yaml"
    sed -E "s/^(  - name: )/\1${P}/; s/\^inventory_store/^${P}inventory_store/; s/127\.0\.0\.1:54329/127.0.0.1:${RETAIL_PG_PORT:-54329}/; s#(apicurio\.registry\.url: ).*#\1${APICURIO_URL}#" connectors.yaml >"$connectors_file"
  fi
  run "kafkit connect apply -f $connectors_file"
  run "kafkit connect apply -f $connectors_file --execute --yes"
  # The sink works in the background: wait until every inventory record is a row (at most two minutes).
  records="$(node -p "require('$DAY/expected.json').inventoryRecords")"
  rows=0
  for i in $(seq 1 240); do
    rows="$(./db.sh psql -At -c "SELECT count(*) FROM inventory_events" 2>/dev/null || echo 0)"
    [ "$rows" = "$records" ] && break
    sleep 0.5
  done
  # `connect list` exits 8 when a connector or task on the worker has FAILED (on a shared worker, maybe not
  # this one): it is shown, and the row count below decides.
  printf '$ %s\n' "kafkit connect list --lag"
  set +e
  kafkit connect list --lag
  list_status=$?
  set -e
  if [ "$list_status" != 0 ] && [ "$list_status" != 8 ]; then
    echo "error: kafkit connect list --lag failed (exit $list_status)" >&2
    exit 1
  fi
  if [ "$rows" != "$records" ]; then
    echo "error: inventory_events has $rows rows, the inventory topics have $records records" >&2
    kafkit connect describe "$CONNECTOR" >&2 || true
    exit 1
  fi
  run "./db.sh psql -c \"SELECT count(*) AS rows, count(DISTINCT __connect_topic) AS topics FROM inventory_events\""
  run "node check.mjs $DAY/expected.json --table stock_levels_connect"
fi

if [ "${RETAIL_STOP_DB:-}" = 1 ]; then
  step "11. Clean up"
  run "./db.sh stop"
else
  printf '\nDone. PostgreSQL is still running for you to explore: ./db.sh psql; stop it with ./db.sh stop (and Kafka with kafkit local stop).\n'
fi
