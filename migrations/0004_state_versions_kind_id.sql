-- Keyset pages of things (`sources(first, after)`, `entities`, `pages`, …) read state_versions by kind
-- in id order. Without this index a page of 20 sources scanned and sorted every source version: 600 ms
-- at 100k facts (600k sources), against 0.4 ms with it (BENCHMARKS.md).
CREATE INDEX IF NOT EXISTS state_versions_kind_id_idx ON state_versions (kind, id, version);
