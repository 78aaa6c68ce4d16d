-- A model's family label (e.g. backbone=mobilenet_v3), set on upload or on the model page; the compare page
-- groups and filters by it. Free text, shown escaped; NULL when unset. Same statement for SQLite and PostgreSQL.
ALTER TABLE model ADD COLUMN label VARCHAR(200);
