"""Editing the plan's data from the command line, for policy staff: safe, atomic, in their own words.

The modules, by job: `cli` (the commands' arguments and what they print), `session` (one edit:
read the plan, make the edit, check it, write it under a lock; returns an Outcome), `records`
(the edits themselves: set fields, add an actual, add a milestone), `splice` (YAML text
splicing that keeps every other byte), `scalars` (values written as YAML that reads back
exactly) and `wording` (what changed in plain English, and the commit to suggest).
"""

from __future__ import annotations

from techplan.errors import TechplanError


class EditError(TechplanError):
    """An edit that cannot be made: what to tell staff, and the exit status."""
