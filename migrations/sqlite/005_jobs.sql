-- Work to do after a write, by whichever node claims it first (web-hook and push
-- notifications, outgoing mail): see JobQueue in src/store/types.ts. A job waits while
-- locked_until is NULL and is claimed while locked_until (the end of its lease) is in
-- the future; once the lease has run out (its node died mid-delivery) it may be claimed
-- again. Completed = deleted.
--
-- AUTOINCREMENT: an id is never reused, so a late completion by a node that lost its
-- lease, which names its claim by (id, attempts), cannot hit a newer job.
CREATE TABLE jobs (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  queue        TEXT NOT NULL,
  key          TEXT,                       -- coalescing: one waiting job per (queue, key)
  payload      TEXT NOT NULL,
  run_at       INTEGER NOT NULL,           -- epoch ms: not claimed before
  locked_until INTEGER,                    -- epoch ms: end of the current claim's lease
  attempts     INTEGER NOT NULL DEFAULT 0, -- claims so far
  created_at   INTEGER NOT NULL
);
CREATE INDEX jobs_due ON jobs (queue, run_at);
CREATE UNIQUE INDEX jobs_waiting_key ON jobs (queue, key) WHERE key IS NOT NULL AND locked_until IS NULL;
