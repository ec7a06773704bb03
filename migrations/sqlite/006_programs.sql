-- What programs need to follow changes: when each change was logged (so the change log
-- can be pruned after a retention, and tokens older than what was pruned refused),
-- unique app-password labels, e-mail log-in, server-wide settings (the VAPID key pair),
-- and the subscriptions that are told of changes (web-hook channels, WebDAV-Push).

-- Rows logged before this migration count as logged now: their retention starts today.
ALTER TABLE changes ADD COLUMN changed_at INTEGER NOT NULL DEFAULT 0;
UPDATE changes SET changed_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000;
CREATE INDEX changes_changed_at ON changes (changed_at);

-- Tokens up to this one can no longer be synced from: their change rows were pruned.
ALTER TABLE collections ADD COLUMN pruned_through INTEGER NOT NULL DEFAULT 0;

CREATE UNIQUE INDEX app_passwords_label ON app_passwords (user_id, label);
CREATE INDEX users_email ON users (lower(email));

CREATE TABLE settings (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- scope: 'c:<collection id>' or 'h:<kind>' (the user's home of that kind); collection_id
-- repeats the former so a deleted collection takes its subscriptions with it.
-- message_number: the last number handed out (web-hook X-Goog-Message-Number).
CREATE TABLE subscriptions (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  public_id      TEXT NOT NULL UNIQUE,
  user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  transport      TEXT NOT NULL,
  scope          TEXT NOT NULL,
  collection_id  INTEGER REFERENCES collections(id) ON DELETE CASCADE,
  name           TEXT NOT NULL,
  address        TEXT NOT NULL,
  details        TEXT NOT NULL,
  expires_at     INTEGER NOT NULL,
  message_number INTEGER NOT NULL DEFAULT 0,
  created_at     INTEGER NOT NULL,
  UNIQUE (user_id, transport, scope, name)
);
CREATE INDEX subscriptions_collection ON subscriptions (collection_id);
CREATE INDEX subscriptions_user_scope ON subscriptions (user_id, scope);
CREATE INDEX subscriptions_expiry ON subscriptions (expires_at);
