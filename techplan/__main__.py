"""`python -m techplan` runs the techplan command."""

from techplan.cli import run

run()
