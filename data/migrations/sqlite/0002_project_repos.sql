-- Repositories whose milestones are a cooperation project's milestones.
CREATE TABLE project_repos (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    repo TEXT NOT NULL,
    PRIMARY KEY (project_id, repo)
);
CREATE INDEX project_repos_repo ON project_repos(repo);
