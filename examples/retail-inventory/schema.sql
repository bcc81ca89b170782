-- Stock levels per store and product, kept by sink.mjs from the inventory_store* topics.
CREATE TABLE IF NOT EXISTS stock_levels (
  store      text        NOT NULL,
  product    text        NOT NULL,
  qty        integer     NOT NULL,
  updated_at timestamptz,
  PRIMARY KEY (store, product)
);

-- One row per Kafka record the sink has applied, with the stock change it made. Re-reading a record (after an
-- offsets reset) finds its row: the same change is skipped, a different one (a fixed sink reading it again) is
-- corrected by the difference. So consuming any record twice never counts it twice.
CREATE TABLE IF NOT EXISTS applied_records (
  topic      text        NOT NULL,
  partition  integer     NOT NULL,
  "offset"   bigint      NOT NULL,
  store      text        NOT NULL,
  product    text        NOT NULL,
  delta      integer     NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (topic, partition, "offset")
);

-- Kafka Connect's copy (connectors.yaml): the Debezium JDBC sink writes every inventory record here, one row per
-- (topic, partition, offset), one column per field of the Avro schema (schemas/inventory-update.avsc). The sink
-- would create the table itself; creating it here lets the view below exist from the start. A record delivered
-- twice is an upsert of the same row, never a second row.
CREATE TABLE IF NOT EXISTS inventory_events (
  __connect_topic     text        NOT NULL,
  __connect_partition integer     NOT NULL,
  __connect_offset    bigint      NOT NULL,
  id                  text        NOT NULL,
  store               text        NOT NULL,
  product             text        NOT NULL,
  type                text        NOT NULL,
  qty                 integer     NOT NULL,
  at                  timestamptz NOT NULL,
  supplier            text,
  till                text,
  reason              text,
  "to"                text,
  "from"              text,
  transfer            text,
  PRIMARY KEY (__connect_topic, __connect_partition, __connect_offset)
);

-- The stock levels from those rows, by SQL alone, with the fixed sink's rule: receipts, transfers in and
-- adjustments add their quantity; till lines (a return has a negative quantity) and transfers out take it away.
CREATE OR REPLACE VIEW stock_levels_connect AS
  SELECT store, product,
         sum(CASE WHEN type IN ('receipt', 'transfer_in', 'adjustment') THEN qty ELSE -qty END)::int AS qty
  FROM inventory_events
  WHERE type IN ('receipt', 'transfer_in', 'adjustment', 'sale', 'transfer_out')
  GROUP BY store, product;
