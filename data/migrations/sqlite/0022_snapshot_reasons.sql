-- Each frozen member's reason (data.MemberScore.Explain), in words and as
-- its kind, as it was when the week was frozen: snapshots are never
-- rewritten, so the reason is copied, never recomputed. NULL for rows
-- frozen before reasons were kept (shown as not recorded).
ALTER TABLE snapshot_members ADD COLUMN reason TEXT;
ALTER TABLE snapshot_members ADD COLUMN reason_kind TEXT;
