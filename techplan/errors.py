"""One family of errors: what went wrong, in words for the person at the keyboard, and the exit status.

Problems in the plan itself are not errors but data (techplan.problems.Problem), reported
all at once. An error is what stops a command: a revision that does not exist, a history
that cannot be read truthfully, an edit that cannot be made safely. Every command catches
TechplanError at the top, prints its message and exits with its status: never a traceback.
"""

from __future__ import annotations


class TechplanError(Exception):
    """Something stopped a command; `message` says what and what to do, `status` is the exit status."""

    status = 2
    """The exit status for this kind of error: 2 for a command that could not run, 1 for problems found."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
