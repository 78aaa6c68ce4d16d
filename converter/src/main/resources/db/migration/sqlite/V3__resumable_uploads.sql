-- Resumable uploads (POST /api/v1/uploads): one row per upload in progress and one per declared file, so a
-- client can resume after a broken connection or a server restart. The bytes live in DATA/uploads/ID/; a row is
-- removed when its upload is completed, aborted or expired. Times are epoch milliseconds. Same for both databases.
CREATE TABLE upload_session (
  id          VARCHAR(64)  PRIMARY KEY,
  client_id   VARCHAR(200) NOT NULL,
  created_at  BIGINT       NOT NULL,
  updated_at  BIGINT       NOT NULL
);
CREATE INDEX upload_session_updated ON upload_session (updated_at);

-- received_bytes only ever counts bytes already forced to disk; actual_sha256 is set once the file is whole.
CREATE TABLE upload_file (
  upload_id       VARCHAR(64)  NOT NULL REFERENCES upload_session (id) ON DELETE CASCADE,
  file_index      INTEGER      NOT NULL,
  name            VARCHAR(255) NOT NULL,
  is_model        BOOLEAN      NOT NULL,
  size_bytes      BIGINT       NOT NULL,
  declared_sha256 VARCHAR(64),
  received_bytes  BIGINT       NOT NULL,
  actual_sha256   VARCHAR(64),
  PRIMARY KEY (upload_id, name)
);
