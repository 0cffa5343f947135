-- Read models, all written inline in the append transaction by src/projections (docs/architecture.md,
-- invariant 4) and rebuildable from the log by `factlog projections rebuild`.

-- Every version of every thing's state, by transaction time: the row valid at log position P is the
-- one with tx_from <= P < tx_to (tx_to NULL: still current). Time travel for sources, pages, entities,
-- publications and properties reads here; the current tables below serve the default "now" path.
CREATE TABLE state_versions (
  stream        text        NOT NULL,
  version       integer     NOT NULL,
  kind          text        NOT NULL,
  id            text        NOT NULL,
  state         jsonb       NOT NULL,
  tx_from       bigint      NOT NULL,
  tx_to         bigint,
  recorded_from timestamptz NOT NULL,
  PRIMARY KEY (stream, version)
);
CREATE INDEX state_versions_current_idx ON state_versions (stream) WHERE tx_to IS NULL;
CREATE INDEX state_versions_kind_tx_idx ON state_versions (kind, tx_from);

CREATE TABLE publications (
  id            text    PRIMARY KEY,
  name          text    NOT NULL,
  domains       jsonb   NOT NULL DEFAULT '[]',
  type          text,
  credibility   integer,
  peer_reviewed boolean,
  description   text,
  version       integer NOT NULL,
  position      bigint  NOT NULL
);

CREATE TABLE sources (
  id                   text    PRIMARY KEY,
  stable_id            text    NOT NULL UNIQUE,
  url                  text    NOT NULL UNIQUE,
  title                text,
  type                 text,
  authors              jsonb   NOT NULL DEFAULT '[]',
  published_date       text,
  publication_id       text,
  credibility_override integer,
  abstract             text,
  summary              text,
  review               text,
  key_points           jsonb   NOT NULL DEFAULT '[]',
  tags                 jsonb   NOT NULL DEFAULT '[]',
  merged_into          text,
  version              integer NOT NULL,
  position             bigint  NOT NULL
);
CREATE INDEX sources_publication_idx ON sources (publication_id, id);
CREATE INDEX sources_type_idx ON sources (type, id);

CREATE TABLE source_content (
  source_id    text        PRIMARY KEY,
  text         text        NOT NULL,
  length       integer     NOT NULL,
  content_hash text        NOT NULL,
  fetched_at   timestamptz,
  http_status  integer,
  content_type text
);

CREATE TABLE pages (
  slug        text    PRIMARY KEY,
  numeric_id  text,
  title       text    NOT NULL,
  description text,
  quality     numeric(4, 1),
  entity_id   text,
  version     integer NOT NULL,
  position    bigint  NOT NULL
);
CREATE INDEX pages_numeric_id_idx ON pages (numeric_id);
CREATE INDEX pages_entity_idx ON pages (entity_id);

CREATE TABLE page_citations (
  page_slug text   NOT NULL,
  source_id text   NOT NULL,
  position  bigint NOT NULL,
  PRIMARY KEY (page_slug, source_id)
);
CREATE INDEX page_citations_source_idx ON page_citations (source_id, page_slug);

CREATE TABLE entities (
  id         text    PRIMARY KEY,
  slug       text    NOT NULL UNIQUE,
  name       text    NOT NULL,
  type       text    NOT NULL,
  numeric_id text,
  aliases    jsonb   NOT NULL DEFAULT '[]',
  version    integer NOT NULL,
  position   bigint  NOT NULL
);
CREATE INDEX entities_type_idx ON entities (type, id);

-- Every name an entity answers to: its slug, old slugs and aliases, and its numeric id.
CREATE TABLE entity_keys (
  key       text NOT NULL,
  entity_id text NOT NULL,
  rank      smallint NOT NULL, -- 1 slug, 2 numeric id, 3 alias: the lowest wins when names collide
  PRIMARY KEY (key, entity_id)
);

CREATE TABLE properties (
  id             text    PRIMARY KEY,
  name           text    NOT NULL,
  description    text,
  data_type      text    NOT NULL,
  unit           text,
  category       text,
  temporal       boolean NOT NULL DEFAULT false,
  applies_to     jsonb   NOT NULL DEFAULT '[]',
  display        jsonb,
  inverse_id     text,
  staleness_days integer,
  version        integer NOT NULL,
  position       bigint  NOT NULL
);

CREATE TABLE facts (
  id          text        PRIMARY KEY,
  entity_id   text        NOT NULL,
  property_id text        NOT NULL,
  value       jsonb       NOT NULL,
  as_of       text,
  valid_end   text,
  citations   jsonb       NOT NULL DEFAULT '[]',
  notes       text,
  rank        text        NOT NULL,
  retracted   boolean     NOT NULL DEFAULT false,
  version     integer     NOT NULL,
  position    bigint      NOT NULL,
  recorded_at timestamptz NOT NULL
);
CREATE INDEX facts_entity_property_idx ON facts (entity_id, property_id);
CREATE INDEX facts_property_idx ON facts (property_id);

CREATE TABLE fact_citations (
  fact_id   text NOT NULL,
  source_id text NOT NULL,
  PRIMARY KEY (fact_id, source_id)
);
CREATE INDEX fact_citations_source_idx ON fact_citations (source_id, fact_id);

-- The bitemporal fact table: one row per fact version. Valid time is [valid_from, valid_to) from the
-- fact's asOf/validEnd (NULL valid_from: timeless); transaction time is [tx_from, tx_to) in log
-- positions (NULL tx_to: still believed). "Value of (entity, property) as of T known at P" walks
-- facts_versions_lookup_idx from valid_from <= T downwards: a few index pages, whatever the log size.
CREATE TABLE fact_versions (
  fact_id       text        NOT NULL,
  version       integer     NOT NULL,
  entity_id     text        NOT NULL,
  property_id   text        NOT NULL,
  value         jsonb       NOT NULL,
  as_of         text,
  valid_end     text,
  valid_from    timestamptz,
  valid_to      timestamptz,
  rank          text        NOT NULL,
  citations     jsonb       NOT NULL DEFAULT '[]',
  notes         text,
  retracted     boolean     NOT NULL,
  tx_from       bigint      NOT NULL,
  tx_to         bigint,
  recorded_from timestamptz NOT NULL,
  recorded_to   timestamptz,
  PRIMARY KEY (fact_id, version)
);
CREATE INDEX fact_versions_lookup_idx ON fact_versions (entity_id, property_id, valid_from DESC NULLS LAST, tx_from);
CREATE INDEX fact_versions_current_idx ON fact_versions (fact_id) WHERE tx_to IS NULL;
CREATE INDEX fact_versions_tx_idx ON fact_versions (tx_from);

-- Containment lookups for time travel: pages whose state at P cites a source, facts citing a source.
CREATE INDEX state_versions_state_gin ON state_versions USING gin (state jsonb_path_ops);
CREATE INDEX fact_versions_citations_gin ON fact_versions USING gin (citations jsonb_path_ops);
