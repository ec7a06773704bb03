-- RFC 6638 scheduling: every user's scheduling inbox is a collection of its own kind
-- ('schedule-inbox', at /dav/calendars/{user}/inbox/). Users made from now on get it
-- with their default collections; this gives one to every user made before.
INSERT INTO collections (owner_id, kind, uri, displayname, created_at, modified_at)
SELECT id, 'schedule-inbox', 'inbox', 'Inbox',
       (extract(epoch FROM now()) * 1000)::bigint,
       (extract(epoch FROM now()) * 1000)::bigint
FROM users
ON CONFLICT DO NOTHING;
