-- Instance index for calendar-query time-ranges (RFC 4791 §9.9).
--
-- One row per interval in which a calendar object can match a time-range: one for a
-- non-recurring component, one per instance of a recurring one (expanded at PUT up
-- to a horizon / row cap). Each row is in "half-open event form": a range [a, b)
-- matches the row iff start < b AND (end > a OR (end = start AND start >= a)); the
-- per-component rules of §9.9 (VTODO, VJOURNAL, all-day, zero duration) are mapped
-- onto that one test when the rows are made (src/ical/index-rows.ts).
--
-- exact: 1 = the test above decides; 0 = the row only pre-selects (VFREEBUSY), a
-- match must be confirmed against the data; 2 = placed from floating times in the
-- zone objects.floating_zone names: exact for a query reading floating times in that
-- zone, otherwise off by up to 26 h either way (UTC−12 … UTC+14), so pre-select only.
--
-- level buckets rows by width (0: ≤ 1 week, k: ≤ 8^k weeks, 5: wider or unbounded),
-- so the range test is two-sided on the index: in level k a matching row starts in
-- [a − width_k, b).
--
-- Infinite bounds are stored as ±(2^53 − 1).
CREATE TABLE time_index (
  collection_id INTEGER NOT NULL,
  component     TEXT NOT NULL,
  level         INTEGER NOT NULL,
  start         INTEGER NOT NULL,   -- epoch ms UTC
  end           INTEGER NOT NULL,   -- epoch ms UTC, >= start
  object_id     INTEGER NOT NULL REFERENCES objects(id) ON DELETE CASCADE,
  exact         INTEGER NOT NULL,
  PRIMARY KEY (collection_id, component, level, start, end, object_id)
) WITHOUT ROWID;
CREATE INDEX time_index_object ON time_index (object_id);

-- The rows of an object hold every instance that can match a range whose end is
-- before this (epoch ms UTC); NULL = all of them. A query reaching past it reads
-- and confirms the object (open-ended or very long series).
ALTER TABLE objects ADD COLUMN time_index_until INTEGER;
ALTER TABLE objects ADD COLUMN floating_zone TEXT;
CREATE INDEX objects_time_index_until ON objects (collection_id, component, time_index_until)
  WHERE time_index_until IS NOT NULL;

-- Objects stored before this migration have no rows yet: always read and confirm
-- them (re-PUT, or a reindex, gives them rows).
UPDATE objects SET time_index_until = -9007199254740991 WHERE component IS NOT NULL;
