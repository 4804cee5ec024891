-- Issue 9: history import (GraphQL bulk operations) and reconciliation (docs/decisions/009-history-import-and-reconciliation.md).

-- The checkout token of an order (also added by the pixel verification work; IF NOT EXISTS lets both migrations run).
ALTER TABLE orders ADD COLUMN IF NOT EXISTS checkout_token TEXT;

-- One row per history import or reconciliation run of a shop: its state, progress and resume point.
CREATE TABLE imports (
  id                BIGSERIAL PRIMARY KEY,
  shop_id           BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
  kind              TEXT NOT NULL CHECK (kind IN ('history', 'reconciliation')),
  state             TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'completed', 'failed')),
  -- What started it: install, settings, api, cli, schedule, retry.
  trigger           TEXT NOT NULL,
  since             TIMESTAMPTZ(3),
  bulk_operation_id TEXT,
  bulk_status       TEXT,
  result_url        TEXT,
  orders_done       INTEGER NOT NULL DEFAULT 0,
  -- Orders whose stored row changed (new or newer): what a reconciliation recovered.
  orders_changed    INTEGER NOT NULL DEFAULT 0,
  orders_total      INTEGER,
  -- Lines of the bulk result committed so far (the resume point after a crash).
  lines_done        BIGINT NOT NULL DEFAULT 0,
  -- Reconciliation: the updated_at up to which orders have been read, and the page cursor within the run.
  watermark         TIMESTAMPTZ(3),
  page_cursor       TEXT,
  next_poll_at      TIMESTAMPTZ(3),
  error             TEXT,
  created_at        TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  started_at        TIMESTAMPTZ(3),
  finished_at       TIMESTAMPTZ(3),
  updated_at        TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);

-- At most one active run of each kind per shop: a second import while one runs is refused (409).
CREATE UNIQUE INDEX imports_one_active ON imports (shop_id, kind) WHERE state IN ('queued', 'running');
CREATE INDEX imports_shop_kind_id ON imports (shop_id, kind, id DESC);
CREATE INDEX imports_active ON imports (state, next_poll_at) WHERE state IN ('queued', 'running');
