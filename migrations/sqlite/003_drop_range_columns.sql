-- The time index (002) answers every time-range; the per-object first-start/last-end
-- range and its index are no longer read, and cost a B-tree write on every PUT.
DROP INDEX objects_time;
ALTER TABLE objects DROP COLUMN first_start;
ALTER TABLE objects DROP COLUMN last_end;
ALTER TABLE objects DROP COLUMN exact_range;
