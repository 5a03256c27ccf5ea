-- A user's interface language (issue 18): one of the catalogues' languages
-- ('en', 'zh-CN'), or NULL to follow the browser (app/lang.go).
ALTER TABLE users ADD COLUMN language TEXT;
