-- Records and their schemas (docs/domain.md, "Records"). Their states are in state_versions like every
-- thing's; these tables serve what state_versions cannot index: a schema by its collection name (the
-- record decider's lookup), and an entity's records at any log position (`entity.records`).
CREATE TABLE record_schemas (
  id              text    PRIMARY KEY,
  collection_name text    NOT NULL,
  state           jsonb   NOT NULL,
  version         integer NOT NULL,
  position        bigint  NOT NULL
);
CREATE INDEX record_schemas_collection_idx ON record_schemas (collection_name);

-- Every version of every record with the span of positions [tx_from, tx_to) in which it was believed;
-- a removed record keeps a version (removed = true) so that it is absent from P on and present before.
CREATE TABLE record_versions (
  stream     text    NOT NULL,
  version    integer NOT NULL,
  entity_id  text    NOT NULL,
  collection text    NOT NULL,
  record_key text    NOT NULL,
  state      jsonb   NOT NULL,
  removed    boolean NOT NULL,
  tx_from    bigint  NOT NULL,
  tx_to      bigint,
  PRIMARY KEY (stream, version)
);
CREATE INDEX record_versions_entity_idx ON record_versions (entity_id, collection, record_key, tx_from);
CREATE INDEX record_versions_open_idx ON record_versions (stream) WHERE tx_to IS NULL;
