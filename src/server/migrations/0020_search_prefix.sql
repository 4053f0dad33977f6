-- One-character searches (林, 森, こ) match the start of a name or of a reading. A trigram index cannot answer
-- them and the bigram index has no one-character terms; these btree indexes in byte order ("C": LIKE 'x%' is a
-- range of them) answer such a prefix in the workspace and return it in index order, so a query reads one page
-- of rows, not every 佐 in the workspace.
CREATE INDEX people_name_prefix ON people (workspace_id, (name_key COLLATE "C")) WHERE deleted_at IS NULL;
CREATE INDEX people_reading_prefix ON people (workspace_id, (sort_key COLLATE "C")) WHERE deleted_at IS NULL;
CREATE INDEX companies_name_prefix ON companies (workspace_id, (name_key COLLATE "C")) WHERE deleted_at IS NULL;
CREATE INDEX companies_reading_prefix ON companies (workspace_id, (sort_key COLLATE "C")) WHERE deleted_at IS NULL;
