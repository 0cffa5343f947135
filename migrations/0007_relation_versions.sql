-- Which entity relates to which, at any log position, readable from both ends: "who is created by
-- Anthropic at P" is an index probe on the target rather than a scan of every entity's state. One row
-- per span of positions [tx_from, tx_to) in which the relation held, as citation_versions does for
-- page citations (0006). Every EntityRelated event opens exactly one span at its own position, so
-- (from_id, tx_from) names a span. `target` is an entity id, or, when `resolved` is false, a slug the
-- wiki named but no entity had. `relationship` is null when the item names none; `target_type` is the
-- target's type as the relating entry wrote it.
CREATE TABLE relation_versions (
  from_id      text    NOT NULL,
  target       text    NOT NULL,
  resolved     boolean NOT NULL,
  relationship text,
  target_type  text,
  tx_from      bigint  NOT NULL,
  tx_to        bigint,
  PRIMARY KEY (from_id, tx_from)
);
CREATE INDEX relation_versions_target_idx ON relation_versions (target, tx_from);
-- No backfill: no log written before this migration holds relation events.

-- The inverse side of a reference (Entity.incomingFacts: "who is employed by X"): facts whose value
-- names an entity, found by containment. Only ref and refs values are indexed, so the index stays
-- small and other facts pay nothing for it.
CREATE INDEX fact_versions_refs_idx ON fact_versions USING gin (value jsonb_path_ops)
  WHERE value->>'kind' IN ('ref', 'refs');
