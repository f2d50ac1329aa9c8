-- 0013_last_login.sql - when each staff account last logged in.
--
-- Sessions are deleted at logout and when an account changes, so they cannot
-- answer "when was this account last used"; the admin's account list needs
-- it to find accounts nobody uses any more.  Set by each successful login,
-- in the same transaction that makes the session; null until the first.

ALTER TABLE users ADD COLUMN last_login_at INTEGER;
