-- RFC 6638 scheduling: every user's scheduling inbox is a collection of its own kind
-- ('schedule-inbox', at /dav/calendars/{user}/inbox/). Users made from now on get it
-- with their default collections; this gives one to every user made before.
INSERT INTO collections (owner_id, kind, uri, displayname, created_at, modified_at)
SELECT id, 'schedule-inbox', 'inbox', 'Inbox',
       CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
       CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
FROM users
WHERE true -- SQLite needs a WHERE here to read what follows as the upsert clause
ON CONFLICT DO NOTHING;
