"""The plan's past, from git: the log, each file's publication events, revisions and how due dates moved."""
