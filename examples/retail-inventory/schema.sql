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
