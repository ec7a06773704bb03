-- Dead properties of a user's principal and homes (clients such as Apple Calendar
-- PROPPATCH their calendar home); collections and objects keep theirs in `properties`.
CREATE TABLE user_properties (
  user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  resource  TEXT NOT NULL,          -- 'principal' or 'home/<kind>'
  namespace TEXT NOT NULL,
  name      TEXT NOT NULL,
  xml       TEXT NOT NULL,
  PRIMARY KEY (user_id, resource, namespace, name)
) WITHOUT ROWID;
