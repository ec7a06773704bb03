-- Web UI sign-ins. In the database, not in a node's memory, so any node of a deployment
-- recognises a browser. Only a hash of the cookie's value is kept: a copy of the
-- database does not let anyone sign in. Each session carries its own CSRF token.
CREATE TABLE web_sessions (
  id_hash    TEXT PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);
