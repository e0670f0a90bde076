"""Replay a story (a YAML file of dated steps) onto a plan: a real git repository, for the demo and the tests.

model.py holds the story's records, story.py reads and checks the story file, derive.py works out every
earlier version of the plan from the current one, siteconfig.py writes each commit's mkdocs.yml and
replay.py writes the repository. This repository's story is demo/story.yml (`make demo`).
"""

from __future__ import annotations

from techplan.demo.model import StoryError
from techplan.demo.replay import ReplaySummary, load_story, main, replay
from techplan.demo.story import read_story

__all__ = ["ReplaySummary", "StoryError", "load_story", "main", "read_story", "replay"]
