-- trt-compat schema, version 1 (SQLite). Keep in step with ../postgresql/V1__models_jobs_cells_engines.sql:
-- the two differ only in how ids are generated (AUTOINCREMENT: ids are never reused, log paths and URLs stay unique); SchemaParityTest compares them.
-- Times are epoch milliseconds (BIGINT) so both databases store and compare them the same way.

-- One row per distinct uploaded model (content-addressed by SHA-256 of its bytes).
CREATE TABLE model (
  sha256        VARCHAR(64)   PRIMARY KEY,
  original_name VARCHAR(1024) NOT NULL,
  size_bytes    BIGINT        NOT NULL,
  uploaded_at   BIGINT        NOT NULL,
  last_used_at  BIGINT        NOT NULL
);

-- A request to measure one model: the cells below are its matrix.
CREATE TABLE job (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  model_sha256   VARCHAR(64)  NOT NULL REFERENCES model (sha256) ON DELETE CASCADE,
  client_id      VARCHAR(200) NOT NULL,
  request_sha256 VARCHAR(64)  NOT NULL,
  request_json   TEXT         NOT NULL,
  created_at     BIGINT       NOT NULL
);
CREATE INDEX job_model ON job (model_sha256, request_sha256);
CREATE INDEX job_client ON job (client_id);

-- One unit of work: (kind, TensorRT release, precision). The claim protocol lives on state/owner/lease_until.
CREATE TABLE cell (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id           BIGINT       NOT NULL REFERENCES job (id) ON DELETE CASCADE,
  kind             VARCHAR(40)  NOT NULL,
  trt_release      VARCHAR(16),
  precision_mode   VARCHAR(8),
  forced           BOOLEAN      NOT NULL DEFAULT FALSE,
  state            VARCHAR(16)  NOT NULL,
  reason           TEXT,
  attempts         INTEGER      NOT NULL DEFAULT 0,
  owner            VARCHAR(200),
  lease_until      BIGINT,
  cancel_requested BOOLEAN      NOT NULL DEFAULT FALSE,
  created_at       BIGINT       NOT NULL,
  started_at       BIGINT,
  finished_at      BIGINT,
  updated_at       BIGINT       NOT NULL,
  log_path         VARCHAR(1024),
  result_json      TEXT
);
CREATE INDEX cell_claim ON cell (state, id);
CREATE INDEX cell_job ON cell (job_id);
CREATE INDEX cell_owner ON cell (owner, state);

-- Every state change of every cell, in order: the audit trail and the feed for live progress.
CREATE TABLE cell_event (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  cell_id    BIGINT       NOT NULL REFERENCES cell (id) ON DELETE CASCADE,
  job_id     BIGINT       NOT NULL,
  at         BIGINT       NOT NULL,
  from_state VARCHAR(16),
  to_state   VARCHAR(16)  NOT NULL,
  attempt    INTEGER      NOT NULL,
  instance   VARCHAR(200),
  reason     TEXT
);
CREATE INDEX cell_event_cell ON cell_event (cell_id);

-- Built TensorRT engines (content-addressed by SHA-256 of the engine file), evicted least recently used first.
CREATE TABLE engine (
  sha256             VARCHAR(64)  PRIMARY KEY,
  model_sha256       VARCHAR(64)  NOT NULL REFERENCES model (sha256) ON DELETE CASCADE,
  cell_id            BIGINT       REFERENCES cell (id) ON DELETE SET NULL,
  trt_release        VARCHAR(16)  NOT NULL,
  precision_mode     VARCHAR(8)   NOT NULL,
  image_digest       VARCHAR(200) NOT NULL,
  gpu                VARCHAR(200) NOT NULL,
  flags              TEXT         NOT NULL,
  build_seconds      DOUBLE PRECISION,
  size_bytes         BIGINT       NOT NULL,
  created_at         BIGINT       NOT NULL,
  last_downloaded_at BIGINT
);
CREATE INDEX engine_model ON engine (model_sha256);

-- A single row that job submissions update first: it serialises the limit checks across instances.
CREATE TABLE submission_gate (
  id INTEGER PRIMARY KEY
);
INSERT INTO submission_gate (id) VALUES (1);
