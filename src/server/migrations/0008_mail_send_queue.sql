-- Outgoing mail goes through the outbox: stored as 'queued' with its event, sent by a consumer, then
-- 'sent' (timeline) or 'failed' (the sender is notified). Received mail is 'sent' by definition.
ALTER TABLE email_messages
  ADD COLUMN status text NOT NULL DEFAULT 'sent' CHECK (status IN ('queued', 'sent', 'failed')),
  ADD COLUMN send_attempts integer NOT NULL DEFAULT 0,
  ADD COLUMN last_error text;
