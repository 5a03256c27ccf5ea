-- What each frozen member's reason was said from (issue 18): the day's
-- changes (scores.changes' JSON, '[]' for none) and its four dimension
-- healths (NULL: not measured), so that a page says the frozen reason in
-- its own language (views.reasonIn). The English reason stays in reason
-- (the JSON API's and the exports'). Rows frozen before this have NULL
-- changes: no facts, shown in that English.
ALTER TABLE snapshot_members ADD COLUMN changes TEXT COLLATE "C";
ALTER TABLE snapshot_members ADD COLUMN health_api DOUBLE PRECISION;
ALTER TABLE snapshot_members ADD COLUMN health_projects DOUBLE PRECISION;
ALTER TABLE snapshot_members ADD COLUMN health_community DOUBLE PRECISION;
ALTER TABLE snapshot_members ADD COLUMN health_cooperation DOUBLE PRECISION;
