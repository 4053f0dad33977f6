-- GIN indexes led by workspace_id (btree_gin) hold one posting list of every row of a workspace: the
-- planner then uses them to find "all rows of the workspace" and walks the table instead of the terms.
-- Index the terms alone; queries scope the matches to the workspace by primary key afterwards.
DROP INDEX people_bigrams;
DROP INDEX people_trgm;
DROP INDEX people_tags;
DROP INDEX companies_bigrams;
DROP INDEX companies_trgm;
CREATE INDEX people_bigrams ON people USING gin (search_bigrams);
CREATE INDEX people_trgm ON people USING gin (search_text gin_trgm_ops);
CREATE INDEX people_tags ON people USING gin (tags);
CREATE INDEX companies_bigrams ON companies USING gin (search_bigrams);
CREATE INDEX companies_trgm ON companies USING gin (search_text gin_trgm_ops);
