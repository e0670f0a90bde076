"""`python -m techplan.demo STORY TARGET --project DIR`: replay a story onto a plan (see techplan.demo.replay)."""

from __future__ import annotations

import sys

from techplan.demo.replay import main

sys.exit(main())
