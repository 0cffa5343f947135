-- An idempotency key belongs to whoever sent it: without a scope, any API key that guessed or saw
-- another's key received that key's earlier result. GraphQL requests record their principal here;
-- the CLI (seeds, imports) keeps the empty scope, which is where every key recorded before lives.
ALTER TABLE idempotency_keys ADD COLUMN scope text NOT NULL DEFAULT '';
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
ALTER TABLE idempotency_keys ADD PRIMARY KEY (scope, key);
