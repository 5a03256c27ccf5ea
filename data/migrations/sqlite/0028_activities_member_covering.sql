-- A member's page reads all of the member's activities of 26 weeks (its
-- community weeks, new contributors, threads and first responses: three
-- queries by member and time). Through the narrow (member_id, at) index
-- each row cost a lookup into the table, and a busy member has thousands;
-- this covering index answers them from the index alone. It keeps the
-- leading columns of the index it replaces, so every query that used the
-- old one can use it.
DROP INDEX activities_member;
CREATE INDEX activities_member ON activities(member_id, at, bot, kind, person_id, source, actor, thread);
