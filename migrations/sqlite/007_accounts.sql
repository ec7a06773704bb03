-- Accounts an administrator manages (CLI and web admin): a disabled user cannot sign in
-- anywhere; an admin may manage other users. The user the first start creates, named
-- admin, is the administrator.
ALTER TABLE users ADD COLUMN admin INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
UPDATE users SET admin = 1 WHERE username = 'admin';

-- Read-only public links to calendars (webcal subscriptions): the token is the secret
-- part of the URL, kept as is so the owner can copy the link again; revoking deletes it.
CREATE TABLE feed_links (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  token         TEXT NOT NULL UNIQUE,
  collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  created_at    INTEGER NOT NULL
);
CREATE INDEX feed_links_collection ON feed_links (collection_id);
