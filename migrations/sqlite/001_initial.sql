-- Users, their collections, the objects in them, the change log that feeds
-- sync-collection and the ctag, and dead properties.

CREATE TABLE users (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  username      TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  display_name  TEXT,
  email         TEXT,
  created_at    INTEGER NOT NULL
);

CREATE TABLE app_passwords (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  label        TEXT NOT NULL,
  hash         TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER
);

-- AUTOINCREMENT: ids are never reused, so a sync token of a deleted collection can
-- never be mistaken for one of a new collection with the same name.
CREATE TABLE collections (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  owner_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind        TEXT NOT NULL,
  uri         TEXT NOT NULL,
  displayname TEXT,
  description TEXT,
  color       TEXT,
  sort_order  TEXT,
  timezone    TEXT,
  components  TEXT,
  synctoken   INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL,
  modified_at INTEGER NOT NULL,
  UNIQUE (owner_id, kind, uri)
);

CREATE TABLE objects (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  uri           TEXT NOT NULL,
  uid           TEXT NOT NULL,
  etag          TEXT NOT NULL,
  component     TEXT,
  data          BLOB NOT NULL,
  size          INTEGER NOT NULL,
  first_start   INTEGER,          -- epoch ms UTC; NULL = unbounded
  last_end      INTEGER,          -- epoch ms UTC; NULL = unbounded (open-ended recurrence)
  exact_range   INTEGER NOT NULL DEFAULT 0,
  modified_at   INTEGER NOT NULL,
  UNIQUE (collection_id, uri),
  UNIQUE (collection_id, uid)
);
CREATE INDEX objects_time ON objects (collection_id, component, first_start);

CREATE TABLE changes (
  collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  synctoken     INTEGER NOT NULL,
  uri           TEXT NOT NULL,
  deleted       INTEGER NOT NULL,
  PRIMARY KEY (collection_id, synctoken)
) WITHOUT ROWID;

-- object_uri '' = the collection itself
CREATE TABLE properties (
  collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  object_uri    TEXT NOT NULL,
  namespace     TEXT NOT NULL,
  name          TEXT NOT NULL,
  xml           TEXT NOT NULL,
  PRIMARY KEY (collection_id, object_uri, namespace, name)
) WITHOUT ROWID;
