-- The event log. Positions are assigned under the row lock on log_head, so assignment order is commit
-- order and the log has no gaps (see src/store/event-store.ts for why we serialize appends).
CREATE TABLE events (
  position        bigint      PRIMARY KEY,
  stream          text        NOT NULL,
  stream_version  integer     NOT NULL CHECK (stream_version >= 1),
  type            text        NOT NULL,
  schema_version  integer     NOT NULL CHECK (schema_version >= 1),
  data            jsonb       NOT NULL,
  metadata        jsonb       NOT NULL,
  recorded_at     timestamptz NOT NULL,
  prev_hash       text        NOT NULL,
  hash            text        NOT NULL,
  CONSTRAINT events_stream_version_unique UNIQUE (stream, stream_version)
);

-- knownAt → position: the newest event recorded at or before an instant.
CREATE INDEX events_recorded_at_idx ON events (recorded_at, position);
CREATE INDEX events_type_idx ON events (type, position);

-- One row per stream: its current version, the compare-and-set target of optimistic concurrency.
CREATE TABLE streams (
  stream        text    PRIMARY KEY,
  version       integer NOT NULL,
  last_position bigint  NOT NULL
);

-- The head of the log: the single row every append locks. Holds the last position and hash so the
-- next append can chain to it without scanning events.
CREATE TABLE log_head (
  singleton   boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
  position    bigint      NOT NULL,
  hash        text        NOT NULL,
  recorded_at timestamptz
);
INSERT INTO log_head (singleton, position, hash, recorded_at)
VALUES (true, 0, '0000000000000000000000000000000000000000000000000000000000000000', NULL);

-- Idempotency: a retried command with the same key returns the stored result and appends nothing.
CREATE TABLE idempotency_keys (
  key          text        PRIMARY KEY,
  request_hash text        NOT NULL,
  result       jsonb       NOT NULL,
  recorded_at  timestamptz NOT NULL
);

-- Events are immutable: refuse UPDATE, DELETE and TRUNCATE. (A superuser can still disable the trigger;
-- the hash chain is what makes such tampering evident.)
CREATE FUNCTION factlog_events_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'events are immutable: % is not allowed on the event log', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER events_immutable_rows BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION factlog_events_are_immutable();
CREATE TRIGGER events_immutable_truncate BEFORE TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION factlog_events_are_immutable();
