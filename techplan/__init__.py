"""techplan: publish a living Tech Plan from Markdown, YAML data and git history."""

from __future__ import annotations

from techplan._version import __version__
from techplan.errors import TechplanError
from techplan.plan.load import load_plan
from techplan.plan.model import Consultation, Location, Measure, Milestone, Phase, Plan, Point
from techplan.plan.settings import PlanConfig
from techplan.problems import Problem

__all__ = [
    "Consultation",
    "Location",
    "Measure",
    "Milestone",
    "Phase",
    "Plan",
    "PlanConfig",
    "Point",
    "Problem",
    "TechplanError",
    "__version__",
    "load_plan",
]
