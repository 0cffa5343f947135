-- API keys: only a SHA-256 of each key is kept. Keys are 256 random bits, so a fast hash is enough
-- (no dictionary to attack); the plaintext is shown once, when the key is created.
CREATE TABLE api_keys (
  name       text        PRIMARY KEY,
  key_hash   text        NOT NULL UNIQUE,
  role       text        NOT NULL CHECK (role IN ('editor', 'admin')),
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
