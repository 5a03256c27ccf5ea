-- Covering indexes for the scoring window's project pass (window_projects.go):
-- projects are read without their name, scope and terms, and only the
-- milestones that can count (due in the window or later, open, or done in
-- it or later) are read, through the two milestone indexes, instead of a
-- scan of every milestone and its title.
CREATE INDEX projects_window ON projects(status, start_on, end_on);
CREATE INDEX milestones_due ON milestones(due_on, done_on, project_id);
CREATE INDEX milestones_done ON milestones(done_on, due_on, project_id);
