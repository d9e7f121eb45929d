-- Who holds a consumer's place and since when: the process (pid@host) that claimed the current epoch, for the
-- operator's console. Written by every claim; null until the first claim after this migration.
alter table pgobserver.checkpoints
    add column claimed_by text,
    add column claimed_at timestamptz;
