-- Search (docs/api.md, "Search"): one document per searchable thing (entity, source, page, fact,
-- record), versioned like the other read models, with the span of positions [tx_from, tx_to) in which
-- it was believed, so that a search at position P finds what the store knew then and nothing later.
-- A new version opens only when the searchable text changes (src/projections/read-models/search-documents.ts);
-- a thing removed, retracted or merged away has no open version.
--
-- pg_trgm (typo tolerance) lives in `public` whatever the schema the store is in: an extension belongs to
-- the database, and one created inside a store's schema would vanish (with every other store's trigram
-- index) when that schema is dropped. The advisory lock serializes stores migrating side by side, which
-- would otherwise race to create it. PGlite loads the extension where it opens (src/store/database.ts).
SELECT pg_advisory_xact_lock(hashtext('factlog: create extension pg_trgm'));
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;

CREATE TABLE search_documents (
  kind     text   NOT NULL,
  -- The id the kind's own query takes: an entity's or record's stable id, a source's hex id, a page's slug, a fact's id.
  id       text   NOT NULL,
  title    text   NOT NULL,
  -- Exact names, one per line: title, entity name, aliases, slugs and former slugs, numeric ids (E22).
  names    text   NOT NULL,
  -- Weight B: summaries, descriptions, abstracts, key points.
  summary  text   NOT NULL,
  -- Weight C: fact values and notes, record fields, tags, authors, info-box rows.
  details  text   NOT NULL,
  tx_from  bigint NOT NULL,
  tx_to    bigint,
  document tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', title || ' ' || names), 'A')
    || setweight(to_tsvector('english', summary), 'B')
    || setweight(to_tsvector('english', details), 'C')
  ) STORED,
  PRIMARY KEY (kind, id, tx_from)
);
CREATE INDEX search_documents_document_idx ON search_documents USING gin (document);
-- Typos are looked for in the names of entities and pages only: their names are short, so the index is
-- small and probed in well under a millisecond, where one over every source's long title is not.
CREATE INDEX search_documents_names_trgm_idx ON search_documents USING gin (names public.gin_trgm_ops)
  WHERE kind IN ('entity', 'page');
CREATE INDEX search_documents_open_idx ON search_documents (kind, id) WHERE tx_to IS NULL;
-- No backfill: a store whose log predates this migration fills the table with `factlog projections rebuild`
-- (until then search finds nothing there, and `audit replay` reports the table as differing).
