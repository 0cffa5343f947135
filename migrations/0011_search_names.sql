-- Search's first tiers (docs/api.md, "Search"): the documents whose names or title hold the query's
-- words. They always rank above those that hold the words only in their bodies, so a search finds its
-- candidates here first, through indexes over names and title alone, and turns to the bodies only
-- when these are too few for the page asked (src/projections/queries/search.ts). With only the whole
-- document indexed, a common word ("AI", "Anthropic") had every one of its tens of thousands of
-- matches read and ranked to find the ten best.
-- Two partial indexes, because entities and pages are looked through first and are few: their index
-- is probed without the hundreds of thousands of source titles that share their words.
ALTER TABLE search_documents
  ADD COLUMN names_document tsvector GENERATED ALWAYS AS (to_tsvector('english', title || ' ' || names)) STORED;
CREATE INDEX search_documents_names_named_first_idx ON search_documents USING gin (names_document)
  WHERE kind IN ('entity', 'page');
CREATE INDEX search_documents_names_others_idx ON search_documents USING gin (names_document)
  WHERE kind NOT IN ('entity', 'page');
