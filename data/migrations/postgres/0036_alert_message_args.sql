-- An alert's message as a catalogue key and its facts (issue 18): pages
-- and the webhook say it in their language (views.AlertMessage). The
-- English message stays in message (the JSON API's); rows stored before
-- this have NULL here and are shown in that English.
ALTER TABLE alerts ADD COLUMN message_key TEXT COLLATE "C";
ALTER TABLE alerts ADD COLUMN message_args TEXT COLLATE "C"; -- a JSON object of names and values
