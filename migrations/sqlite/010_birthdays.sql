-- A collection whose members the server generates (the birthday calendar made from
-- the user's address books): clients may read them but not write them. NULL: an
-- ordinary collection that clients fill.
ALTER TABLE collections ADD COLUMN generator TEXT;
