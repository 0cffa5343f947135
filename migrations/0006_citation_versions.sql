-- Which pages cite a source, at any log position, without reading whole page states: the sources page
-- used to find citing pages by scanning page states in state_versions for the source id (a page cited
-- by many sources keeps one full state per citation, 10 GB at 1M facts; BENCHMARKS.md). One row per
-- span of positions [tx_from, tx_to) in which the page cited the source.
CREATE TABLE citation_versions (
  page_slug text   NOT NULL,
  source_id text   NOT NULL,
  tx_from   bigint NOT NULL,
  tx_to     bigint,
  PRIMARY KEY (page_slug, source_id, tx_from)
);
CREATE INDEX citation_versions_source_idx ON citation_versions (source_id, tx_from);

-- Existing logs: the spans from the events themselves. A page cites a source at most once at a time
-- (citing a cited source appends nothing), so its SourceCited and SourceUncited events alternate and
-- each citation ends at the pair's next event.
INSERT INTO citation_versions (page_slug, source_id, tx_from, tx_to)
SELECT page_slug, source_id, position, ended
FROM (
  SELECT type, position, data->>'slug' AS page_slug, data->>'sourceId' AS source_id,
         lead(position) OVER (PARTITION BY data->>'slug', data->>'sourceId' ORDER BY position) AS ended
  FROM events
  WHERE type IN ('SourceCited', 'SourceUncited')
) pair
WHERE type = 'SourceCited';
