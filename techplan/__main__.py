"""`python -m techplan` runs the techplan command."""

from techplan.cli import main

raise SystemExit(main())
