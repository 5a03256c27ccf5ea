-- The members list draws 26 weeks of every member's health: a day's rows
-- read through the primary key's index, each with a lookup into the wide
-- score row for its health. This index answers the trend query
-- (memberHealthSQL) from the index alone.
CREATE INDEX scores_day_health ON scores(day, member_id, health);
