"""Replay the plan's life, summer 2020 to March 2024, into a new git repository: a demo and a test fixture.

The story is a list of dated steps (commits, pull-request merges, tags) that edit the plan. Only the
current plan is stored anywhere: each step says how a file changed (old text to new text, a record
added, a measure's actual added, a page renamed), and the earlier versions are derived by undoing
the steps from the current files backwards. Replaying them forwards then ends, by construction,
with exactly the current plan. Same project, same repository: dates, names and contents are fixed,
so the commit shas are too. Files added to plan/ after the story was written arrive in its last commit.

Every commit's mkdocs.yml lists the pages that exist at that point, so each one builds with --strict.

    python -m techplan.demo.replay /tmp/techplan-demo
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

from techplan.errors import TechplanError

TODAY = "2024-03-31"
"""The day the demo site is shown as at: the end of the plan's delivery period."""
MAIN = "main"
FEEDBACK = "mailto:techplan-feedback@example.org"
GITIGNORE = "site/\n.cache/\n"


class StoryError(TechplanError):
    """The story does not fit the plan it is replayed against, or git refused a step."""


# --- Who made the changes: fictional people and teams only ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Person:
    """A git identity."""

    name: str
    email: str


PRIYA = Person("Priya Example", "priya.example@example.org")
"""Leads the vision."""
TOM = Person("Tom Sample", "tom.sample@example.org")
"""Leads the roadmap and delivery phases."""
DANA = Person("Dana Placeholder", "dana.placeholder@example.org")
"""Leads the enablers."""
OMAR = Person("Omar Specimen", "omar.specimen@example.org")
"""Looks after the measures and their data."""
EDITORS = Person("Plan editorial team", "plan-editorial@example.org")
"""Merges pull requests, fixes typos and tags each revision."""


# --- What a step can do to the plan ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Add:
    """A file appears, with the content it has at that point of the story."""

    path: str


@dataclass(frozen=True, slots=True)
class Edit:
    """Text in a file changes from old to new (each must occur once)."""

    path: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class Move:
    """A page is renamed with `git mv`."""

    src: str
    dst: str


@dataclass(frozen=True, slots=True)
class RecordEdit:
    """Text inside one milestone's or measure's record changes from old to new."""

    record: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class Due:
    """A milestone is re-forecast: its due date moves."""

    record: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class NewRecord:
    """A milestone or measure is added, as it reads at that point of the story."""

    record: str


@dataclass(frozen=True, slots=True)
class Actual:
    """A measure gets its actual value for a date."""

    record: str
    when: str


Op = Add | Edit | Move | RecordEdit | Due | NewRecord | Actual


@dataclass(frozen=True, slots=True)
class Tag:
    """An annotated tag marking a published revision of the plan."""

    name: str
    title: str
    summary: str


@dataclass(frozen=True, slots=True)
class Commit:
    """One commit, on main or on a pull request's branch."""

    when: str
    """Local UK wall-clock time, YYYY-MM-DD HH:MM."""
    who: Person
    subject: str
    ops: tuple[Op, ...]
    note: str | None = None
    body: str = ""
    branch: str | None = None
    tag: Tag | None = None


@dataclass(frozen=True, slots=True)
class Merge:
    """A pull request merged into main with a merge commit."""

    when: str
    who: Person
    branch: str
    number: int
    title: str
    note: str | None = None
    tag: Tag | None = None


Step = Commit | Merge


@dataclass(frozen=True, slots=True)
class ReplaySummary:
    """What a replay wrote, for tests and the command line to check against."""

    commits: int
    """Every commit reachable from HEAD, merges and branch commits included."""
    merges: int
    tags: tuple[str, ...]
    """Tag names in the order they were made."""
    head: str
    """The full sha of main's last commit."""
    reforecasts: tuple[tuple[str, tuple[date, ...]], ...]
    """Each re-forecast milestone with its due dates over time, first to last."""


# --- Small constructors that keep the story readable -------------------------------------------------------------

V = "phase1-vision/"
R = "phase2-roadmap/"
EN = "phase3-enablers/"
D = "phase4-delivery/"
MS = "phase5-measures/"


def commit(
    when: str,
    who: Person,
    subject: str,
    *ops: Op,
    note: str | None = None,
    body: str = "",
    branch: str | None = None,
    tag: Tag | None = None,
) -> Commit:
    """A commit step."""
    return Commit(when, who, subject, ops, note, body, branch, tag)


def before(path: str, anchor: str, text: str) -> Edit:
    """Text inserted just before an anchor that occurs once."""
    return Edit(path, anchor, text + anchor)


def after(path: str, anchor: str, text: str) -> Edit:
    """Text inserted just after an anchor that occurs once."""
    return Edit(path, anchor, anchor + text)


def status(record: str, old: str, new: str) -> RecordEdit:
    """A milestone's status changes."""
    return RecordEdit(record, f"    status: {old}\n", f"    status: {new}\n")


def owner(record: str, old: str, new: str) -> RecordEdit:
    """A milestone changes hands."""
    return RecordEdit(record, f"    owner: {old}\n", f"    owner: {new}\n")


def depends(record: str, old: str | None, new: str) -> RecordEdit:
    """A milestone's dependencies are set or changed."""
    if old is None:
        return RecordEdit(record, "    summary: >-\n", f"    depends_on: [{new}]\n    summary: >-\n")
    return RecordEdit(record, f"    depends_on: [{old}]\n", f"    depends_on: [{new}]\n")


def phase_status(folder: str, old: str, new: str) -> Edit:
    """A phase moves on: draft, consultation, revising, published."""
    return Edit(folder + "phase.yml", f"status: {old}\n", f"status: {new}\n")


def consultation(folder: str, opens: str, closes: str, feedback: str = FEEDBACK) -> Edit:
    """A draft phase opens for consultation."""
    window = f"consultation:\n  opens: {opens}\n  closes: {closes}\n  feedback: {feedback}\n"
    return Edit(folder + "phase.yml", "status: draft\n", "status: consultation\n" + window)


def actual(record: str, when: str, what: str, at: str, *ops: Op, note: str | None = None) -> Commit:
    """A commit adding one measure's actual value (the figure for one date, once it is published), and more."""
    return commit(at, OMAR, f"Add the {what} figure for {record}", Actual(record, when), *ops, note=note)


# --- The story ---------------------------------------------------------------------------------------------------


def story() -> tuple[Step, ...]:
    """The plan's life from its first draft in June 2020 to the end of the delivery period in March 2024."""
    return (
        # ---- 2020: the vision, then the roadmap ----
        commit(
            "2020-06-22 10:15",
            PRIYA,
            "Start the Tech Plan site with the draft vision",
            Add("index.md"),
            Add(V + "phase.yml"),
            Add(V + "milestones.yml"),
            Add(V + "index.md"),
            Add(V + "mission-and-values.md"),
            Add(V + "why-technology.md"),
            body="The vision is the first of five phases. It stays a draft until the engagement opens on 1 July.",
            note="Published the first draft of the vision, ahead of the public engagement.",
        ),
        commit(
            "2020-06-24 14:40",
            PRIYA,
            "Add what we want to achieve to the vision",
            Add(V + "what-we-want-to-achieve.md"),
            after(
                V + "index.md",
                "and what people experience today.\n",
                "- [What we want to achieve](what-we-want-to-achieve.md): the outcomes we are aiming for by "
                "March 2024.\n",
            ),
            note="Added a page on what the plan wants to achieve for patients, staff and organisations.",
        ),
        commit(
            "2020-06-26 11:05",
            EDITORS,
            "Fix typos in the vision pages",
            Edit(V + "why-technology.md", "somewhere between teh two", "somewhere between the two"),
            Edit(V + "mission-and-values.md", "not just recieve it.", "not just receive it."),
        ),
        commit(
            "2020-07-01 09:30",
            PRIYA,
            "Open the public engagement on the vision",
            consultation(V, "2020-07-01", "2020-09-18"),
            status("M1.1", "in-progress", "done"),
            RecordEdit("M1.1", "The vision will be published on", "The vision was published on"),
            status("M1.2", "planned", "in-progress"),
            Edit(
                V + "index.md",
                "This draft of the vision will be published for public engagement in summer 2020 ([[M1.1]]).",
                "We published the vision for public engagement in summer 2020 ([[M1.1]]). "
                "Comments are open until 18 September 2020 ([[M1.2]]).",
            ),
            note="Opened the public engagement on the vision. Comments are welcome until 18 September 2020.",
            tag=Tag(
                "v1",
                "Vision published for consultation",
                "The first phase of the Tech Plan, the vision, is published for public engagement. Patients, "
                "staff and everyone with an interest can comment until 18 September 2020.",
            ),
        ),
        commit(
            "2020-07-15 15:20",
            PRIYA,
            "Explain how the vision supports the Long Term Plan",
            before(
                V + "index.md",
                "## Milestones\n",
                "## How the vision supports the Long Term Plan\n\nThe NHS Long Term Plan sets a goal of care that "
                "is personalised, joined up and proactive. The vision explains how technology helps meet that "
                "goal. It does not set out technology for its own sake. Each ambition in the vision is linked to "
                "a better experience or outcome for a patient, a carer or a member of staff.\n\n",
            ),
            note="Added a section on how the vision supports the NHS Long Term Plan.",
        ),
        commit(
            "2020-07-20 10:40",
            EDITORS,
            "Plain English review of mission and values",
            Edit(
                V + "mission-and-values.md",
                "Our mission is to make sure that patients and staff are empowered with the technology they need.",
                "Our mission is to give patients and staff the technology they need.",
            ),
            Edit(
                V + "mission-and-values.md",
                "We start from the user need, not from the technology.",
                "We start from the problem a person has, not from the technology.",
            ),
            branch="editorial/plain-english-review",
        ),
        commit(
            "2020-07-21 14:05",
            EDITORS,
            "Explain information governance where it is first used",
            Edit(
                V + "why-technology.md",
                "and complicated guidance on information governance.",
                "and complicated guidance on information governance. Information governance means the rules on "
                "how personal information is collected, used and shared.",
            ),
            branch="editorial/plain-english-review",
        ),
        Merge(
            "2020-07-23 11:00",
            EDITORS,
            "editorial/plain-english-review",
            3,
            "Plain English review of the vision",
            note="Made the vision easier to read, after a plain English review.",
        ),
        commit(
            "2020-08-12 10:20",
            PRIYA,
            "Extend the vision engagement to 30 September",
            Edit(V + "phase.yml", "  closes: 2020-09-18\n", "  closes: 2020-09-30\n"),
            Due("M1.2", "2020-09-18", "2020-09-30"),
            Edit(
                V + "index.md", "Comments are open until 18 September 2020", "Comments are open until 30 September 2020"
            ),
            body="Several staff networks asked for more time because of the summer holidays.",
            note="Extended the engagement on the vision to 30 September 2020, after requests for more time over "
            "the summer holidays.",
        ),
        commit(
            "2020-09-07 16:45",
            TOM,
            "Draft the roadmap phase",
            Add(R + "phase.yml"),
            Add(R + "milestones.yml"),
            Add(R + "index.md"),
            Add(R + "done-since-launch.md"),
            note="Published the draft roadmap: what has been done since launch and the milestones for the coming "
            "years.",
            branch="roadmap-team/draft-roadmap",
        ),
        commit(
            "2020-09-15 12:10",
            TOM,
            "Add the next twelve months, three to five years and a roadmap page",
            Add(R + "next-twelve-months.md"),
            Add(R + "three-to-five-years.md"),
            Add("roadmap.md"),
            after(
                R + "index.md",
                "including the response to the COVID-19 pandemic.\n",
                "- [The next twelve months](next-twelve-months.md): the things we will deliver in the year from "
                "April 2021.\n- [Three to five years](three-to-five-years.md): a wider framing for the middle of "
                "the decade.\n",
            ),
            Edit(
                R + "index.md",
                "The milestones that belong to this phase are listed",
                "All the milestones in the plan are shown on one timeline on the [roadmap page](../roadmap.md). "
                "The ones that belong to this phase are listed",
            ),
            Edit(
                R + "done-since-launch.md",
                "The next step after this account is a delivery plan for the following year ([[M2.3]]).",
                "The next step after this account is a delivery plan for the following year ([[M2.3]]). You can "
                "read about it on [the next twelve months](next-twelve-months.md) page.",
            ),
            Edit("index.md", "2. Roadmap: what", "2. [Roadmap](phase2-roadmap/index.md): what"),
            Edit(
                "index.md",
                "You can also download the data behind the plan.",
                "You can also follow each milestone on the [roadmap](roadmap.md) and download the data behind the "
                "plan.",
            ),
            note="Added pages on the next twelve months and on three to five years, and a roadmap of every milestone.",
            branch="roadmap-team/draft-roadmap",
        ),
        commit(
            "2020-10-01 10:00",
            PRIYA,
            "Close the engagement on the vision",
            phase_status(V, "consultation", "published"),
            status("M1.2", "in-progress", "done"),
            RecordEdit(
                "M1.2",
                "      comment on the vision, share stories and post case studies over the summer.\n",
                "      commented on the vision, shared stories and posted case studies over three months.\n",
            ),
            status("M1.3", "planned", "in-progress"),
            Edit(
                V + "index.md",
                "Comments are open until 30 September 2020 ([[M1.2]]).",
                "We then ran a three-month engagement on it ([[M1.2]]).",
            ),
            note="The engagement on the vision closed on 30 September 2020. Thank you to everyone who took part.",
        ),
        Merge("2020-10-02 11:30", EDITORS, "roadmap-team/draft-roadmap", 6, "Draft roadmap"),
        commit(
            "2020-10-05 09:30",
            TOM,
            "Open the consultation on the roadmap",
            consultation(R, "2020-10-05", "2020-12-18"),
            note="Opened the consultation on the roadmap. Comments are welcome until 18 December 2020.",
            tag=Tag(
                "v2",
                "Roadmap published for consultation",
                "The second phase, the roadmap, is published for consultation: what has been done since NHSX was "
                "set up, the next twelve months and the next three to five years. The vision is republished now "
                "that its engagement has closed.",
            ),
        ),
        commit(
            "2020-10-07 14:15",
            PRIYA,
            "Link the vision to the roadmap",
            Edit(V + "what-we-want-to-achieve.md", "in place of paper notes.", "in place of paper notes ([[M2.1]])."),
            Edit(
                V + "what-we-want-to-achieve.md",
                "The roadmap phase will turn these outcomes into dated milestones.",
                "The [roadmap phase](../phase2-roadmap/index.md) turns these outcomes into dated milestones.",
            ),
            note="Linked the vision's outcomes to the roadmap and its milestones.",
        ),
        commit(
            "2020-10-30 15:00",
            TOM,
            "Publish the account of work since launch",
            status("M2.2", "in-progress", "done"),
            Edit(
                R + "done-since-launch.md",
                "A full account will be published in autumn 2020 ([[M2.2]]).",
                "We published a full account in autumn 2020 ([[M2.2]]).",
            ),
            note="Published the full account of what has been done since NHSX was set up (M2.2).",
        ),
        commit(
            "2020-11-10 10:05",
            EDITORS,
            "Rewrap a paragraph on the roadmap page",
            Edit("roadmap.md", "below the timeline.\nThe table works", "below the timeline. The table works"),
            note="Tidied the layout of the roadmap page.",
        ),
        commit(
            "2020-12-09 11:20",
            DANA,
            "Draft the enablers phase",
            Add(EN + "phase.yml"),
            Add(EN + "milestones.yml"),
            Add(EN + "index.md"),
            Add(EN + "systems-and-infrastructure.md"),
            Add(EN + "what-good-looks-like.md"),
            Add(EN + "who-pays-for-what.md"),
            note="Published the draft enablers: systems and infrastructure, what good looks like, and who pays for "
            "what.",
            branch="enablers-team/draft-enablers",
        ),
        commit(
            "2020-12-14 10:30",
            PRIYA,
            "Publish what we heard on the vision",
            status("M1.3", "in-progress", "done"),
            NewRecord("M1.4"),
            NewRecord("M1.5"),
            NewRecord("M1.6"),
            Edit(
                V + "index.md",
                "We then ran a three-month engagement on it ([[M1.2]]).",
                "We then ran a three-month engagement on it ([[M1.2]]) and published a summary of what we heard "
                "and what we changed ([[M1.3]]).",
            ),
            before(
                V + "index.md",
                "## Milestones\n",
                "## How the vision was shaped\n\nThe vision was written to be changed. During the engagement, "
                "patients, health and care professionals, researchers, managers, boards and suppliers left "
                "comments, shared stories and posted case studies. Many of them told us the same things:\n\n"
                "- the plan must not leave behind people who do not use digital services\n"
                "- basic technology for staff matters more than new products\n"
                "- people want to know how their data is used\n\n"
                "We changed the vision in response. We strengthened the section on digital inclusion, which will "
                "lead to a framework for local services ([[M1.5]]). We will also test the values with patient and "
                "staff groups before we agree them ([[M1.4]]).\n\nStories and case studies from the front line "
                "are still being collected on the engagement platform ([[M1.6]]).\n\n",
            ),
            Edit(
                V + "mission-and-values.md",
                "This page sets out the mission of the Tech Plan and the values that guide the work.",
                "This page sets out the mission of the Tech Plan and the values that guide the work. We are testing "
                "these values with patient groups, staff networks and professional bodies before we agree them "
                "([[M1.4]]).",
            ),
            Edit(R + "done-since-launch.md", "The plan must include them.", "The plan must include them ([[M1.5]])."),
            note="Published what we heard in the engagement on the vision and how the vision changed. New "
            "milestones: agreeing the values (M1.4), a digital inclusion framework (M1.5) and front-line case "
            "studies (M1.6).",
        ),
        commit(
            "2020-12-21 10:00",
            TOM,
            "Close the consultation on the roadmap",
            phase_status(R, "consultation", "revising"),
            status("M2.3", "planned", "in-progress"),
            note="The consultation on the roadmap closed on 18 December 2020. We are revising the roadmap in response.",
        ),
        commit(
            "2021-01-06 15:30",
            DANA,
            "Add the standards and architecture page",
            Add(EN + "standards-and-architecture.md"),
            after(
                EN + "index.md",
                "which costs are met nationally, regionally and locally.\n",
                "- [Standards and architecture](standards-and-architecture.md): the rules that let different "
                "systems work together.\n",
            ),
            Edit("index.md", "3. Enablers:", "3. [Enablers](phase3-enablers/index.md):"),
            note="Added a page on standards and architecture.",
            branch="enablers-team/draft-enablers",
        ),
        Merge("2021-01-08 12:00", EDITORS, "enablers-team/draft-enablers", 11, "Draft enablers"),
        commit(
            "2021-01-11 09:30",
            DANA,
            "Open the consultation on the enablers",
            consultation(EN, "2021-01-11", "2021-03-31", "https://example.org/techplan/feedback/enablers"),
            status("M3.2", "planned", "in-progress"),
            status("M3.3", "planned", "in-progress"),
            status("M3.5", "planned", "in-progress"),
            note="Opened the consultation on the enablers. Comments are welcome through the online form until "
            "31 March 2021.",
            tag=Tag(
                "v3",
                "Enablers published for consultation",
                "The third phase, the enablers, is published for consultation: systems and infrastructure, what "
                "good looks like, who pays for what, and standards. The roadmap is being revised after its "
                "consultation.",
            ),
        ),
        commit(
            "2021-01-13 11:00",
            TOM,
            "Add social care and framing milestones",
            NewRecord("M2.5"),
            NewRecord("M2.6"),
            depends("M2.1", None, "M3.2"),
            depends("M2.4", None, "M3.3"),
            status("M2.1", "planned", "in-progress"),
            Edit(
                R + "three-to-five-years.md",
                "in three to five years. It is a direction",
                "in three to five years. We will test it with the system and publish it as a milestone in its own "
                "right by September 2021 ([[M2.5]]). It is a direction",
            ),
            Edit(
                R + "three-to-five-years.md",
                "paper notes ([[M2.1]]). For everyone, it means meeting the minimum digital foundations.",
                "paper notes ([[M2.1]]). For social care, it means digital care records in most providers "
                "([[M2.6]]). For everyone, it means meeting the minimum digital foundations ([[M3.2]]).",
            ),
            Edit(
                R + "next-twelve-months.md",
                "for every provider. These include",
                "for every provider ([[M3.2]]). These include",
            ),
            Edit(
                R + "next-twelve-months.md",
                "for sharing care records and simpler",
                "for sharing care records ([[M3.3]]) and simpler",
            ),
            Edit(
                R + "next-twelve-months.md",
                "It will follow clear rules on who pays for what.",
                "It will follow the rules on who pays for what ([[M3.5]]).",
            ),
            Edit(
                R + "next-twelve-months.md",
                "look like in digital transformation. Boards",
                "look like in digital transformation ([[M3.1]]). Boards",
            ),
            Edit(
                V + "what-we-want-to-achieve.md",
                "should be able to use digital records and share",
                "should be able to use digital care records ([[M2.6]]) and share",
            ),
            note="Added milestones for digital care records in adult social care (M2.6) and for the "
            "three-to-five-year framing (M2.5), and linked roadmap milestones to the enablers they depend on.",
            branch="roadmap-team/revised-roadmap",
        ),
        commit(
            "2021-01-18 16:10",
            TOM,
            "Publish the revised roadmap and say what changed after consultation",
            phase_status(R, "revising", "published"),
            Edit(
                R + "index.md",
                "We are consulting on the roadmap in autumn 2020, after the engagement on the "
                "[vision](../phase1-vision/index.md) has closed. The feedback will help us decide what to do first.",
                "We consulted on the roadmap in autumn 2020, after the engagement on the "
                "[vision](../phase1-vision/index.md) had closed. The feedback helped us decide what to do first.",
            ),
            before(
                R + "index.md",
                "## Milestones\n",
                "## What changed after consultation\n\nPeople told us the first draft of the roadmap said too "
                "little about social care. We added a milestone on digital care records for adult social care "
                "providers ([[M2.6]]). We also made the three-to-five-year framing a milestone in its own right "
                "([[M2.5]]), so that it would be tested with the system before it was published.\n\n",
            ),
            after(
                R + "next-twelve-months.md",
                "You can follow them all on the [roadmap page](../roadmap.md).\n",
                "\n## What we heard in consultation\n\nRespondents asked for fewer commitments, delivered well, "
                "rather than a long list. We cut the draft list down. They also asked for more detail on social "
                "care. We added social care to the shared care record work and to the plan for digital care "
                "records in adult social care ([[M2.6]]).\n",
            ),
            note="Published the revised roadmap, with what we heard in the consultation and what changed as a result.",
            branch="roadmap-team/revised-roadmap",
        ),
        Merge("2021-01-20 10:30", EDITORS, "roadmap-team/revised-roadmap", 14, "Revised roadmap after consultation"),
        commit(
            "2021-02-09 10:10",
            EDITORS,
            "Fix a typo in standards and architecture",
            Edit(EN + "standards-and-architecture.md", "a good reason not too.", "a good reason not to."),
        ),
        commit(
            "2021-03-15 14:20",
            TOM,
            "Draft the delivery phase",
            Add(D + "phase.yml"),
            Add(D + "milestones.yml"),
            Add(D + "index.md"),
            Add(D + "standards-guidance-and-policies.md"),
            Add(D + "funding-routes.md"),
            Add(D + "national-products.md"),
            Edit("index.md", "4. Delivery:", "4. [Delivery](phase4-delivery/index.md):"),
            note="Published the draft delivery phase: standards, guidance and policies, funding routes and national "
            "products.",
            branch="delivery-team/draft-delivery",
        ),
        commit(
            "2021-03-25 15:30",
            PRIYA,
            "Agree the shared values",
            status("M1.4", "in-progress", "done"),
            RecordEdit("M1.4", "The values in the vision are tested", "The values in the vision were tested"),
            Edit(
                V + "mission-and-values.md",
                "We are testing these values with patient groups, staff networks and professional bodies before we "
                "agree them",
                "We tested these values with patient groups, staff networks and professional bodies before agreeing "
                "them",
            ),
            Edit(
                V + "index.md",
                "We will also test the values with patient and staff groups before we agree them",
                "We also tested the values with patient and staff groups before agreeing them",
            ),
            note="Agreed the values in the vision with patient groups, staff networks and professional bodies (M1.4).",
        ),
        commit(
            "2021-03-26 10:40",
            TOM,
            "Rename the next twelve months page to the next year",
            Move(R + "next-twelve-months.md", R + "the-next-year.md"),
            Edit(R + "the-next-year.md", "# The next twelve months\n", "# The next year\n"),
            Edit(
                R + "index.md",
                "- [The next twelve months](next-twelve-months.md):",
                "- [The next year](the-next-year.md):",
            ),
            Edit(
                R + "done-since-launch.md",
                "[the next twelve months](next-twelve-months.md)",
                "[the next year](the-next-year.md)",
            ),
        ),
        commit(
            "2021-03-26 11:00",
            TOM,
            "Publish the delivery plan for the next year",
            status("M2.3", "in-progress", "done"),
            Edit(
                R + "the-next-year.md",
                "This page sets out what we will deliver in the year from April 2021. We will publish the full "
                "delivery plan for the year in March 2021 ([[M2.3]]). It builds on",
                "This page sets out what we committed to deliver in the year from April 2021. We published the full "
                "delivery plan for the year in March 2021 ([[M2.3]]). It built on",
            ),
            Edit(R + "the-next-year.md", "## What we will deliver\n", "## What we committed to\n"),
            Edit(R + "the-next-year.md", "We will agree the minimum", "We committed to agree the minimum"),
            Edit(R + "the-next-year.md", "We will publish core standards", "We committed to publish core standards"),
            Edit(
                R + "the-next-year.md",
                "We will open a funding route for trusts that are ready to reach the minimum foundations. It will "
                "follow the rules",
                "We committed to open a funding route for trusts that are ready to reach the minimum foundations. "
                "It follows the rules",
            ),
            Edit(R + "the-next-year.md", "We will work towards patients", "We committed to work towards patients"),
            Edit(R + "the-next-year.md", "We will publish a framework", "We committed to publish a framework"),
            Edit(
                R + "index.md",
                "the things we will deliver in the year",
                "the things we committed to deliver in the year",
            ),
            Edit(
                R + "done-since-launch.md",
                "The next step after this account is a delivery plan",
                "The next step after this account was a delivery plan",
            ),
            note="Published the delivery plan for the year from April 2021 (M2.3). The page on the next twelve "
            "months is now called the next year.",
        ),
        commit(
            "2021-03-31 16:00",
            DANA,
            "Publish who pays for what",
            status("M3.5", "in-progress", "done"),
            Edit(
                EN + "who-pays-for-what.md",
                "We will publish the model in March 2021 ([[M3.5]]), before we open any new funding route.",
                "We published the model in March 2021 ([[M3.5]]), before we opened any new funding route.",
            ),
            note="Published who pays for what (M3.5): which digital costs are met nationally, by integrated care "
            "systems and by each organisation.",
        ),
        commit(
            "2021-04-01 10:15",
            DANA,
            "Close the consultation on the enablers",
            phase_status(EN, "consultation", "revising"),
            note="The consultation on the enablers closed on 31 March 2021. We are revising this phase in response.",
        ),
        commit(
            "2021-04-06 15:00",
            TOM,
            "Add funding routes for social care",
            before(
                D + "funding-routes.md",
                "## How decisions are made\n",
                "## Routes for social care\n\nAdult social care providers can get help through their integrated "
                "care system to buy a digital care record. Providers can choose from a list of records that meet "
                "national standards. This route supports the aim that most providers use digital care records "
                "([[M2.6]]).\n\n",
            ),
            branch="delivery-team/draft-delivery",
        ),
        Merge("2021-04-09 11:00", EDITORS, "delivery-team/draft-delivery", 19, "Draft delivery phase"),
        commit(
            "2021-04-12 09:30",
            TOM,
            "Open the consultation on delivery",
            consultation(D, "2021-04-12", "2021-06-30"),
            status("M4.1", "planned", "in-progress"),
            status("M4.2", "planned", "in-progress"),
            status("M4.3", "planned", "in-progress"),
            note="Opened the consultation on delivery. Comments are welcome until 30 June 2021.",
            tag=Tag(
                "v4",
                "Delivery published for consultation",
                "The fourth phase, delivery, is published for consultation: standards, guidance and policies, "
                "funding routes and national products. The enablers are being revised after their consultation.",
            ),
        ),
        commit(
            "2021-04-14 14:30",
            DANA,
            "Link the vision, roadmap and enablers to delivery milestones",
            Edit(
                V + "why-technology.md",
                "Each problem above has a response in the later phases of the plan.",
                "Each problem above has a response in the later phases. Minimum foundations for every provider "
                "([[M3.2]]) tackle variable maturity. Common standards for sharing records ([[M3.3]]) help data "
                "flow.",
            ),
            Edit(
                V + "what-we-want-to-achieve.md",
                "The enablers phase will set out what must be in place first.",
                "The [enablers phase](../phase3-enablers/index.md) sets out what must be in place first.",
            ),
            Edit(
                V + "why-technology.md",
                "([[M3.3]]) help data flow.",
                "([[M3.3]]) and simpler guidance ([[M4.1]]) help data flow.",
            ),
            Edit(R + "done-since-launch.md", "in permanent guidance.", "in permanent guidance ([[M4.1]])."),
            Edit(
                R + "the-next-year.md",
                "on information governance. Together",
                "on information governance ([[M4.1]]). Together",
            ),
            Edit(
                R + "the-next-year.md",
                "the minimum foundations. It follows",
                "the minimum foundations ([[M4.2]]). It follows",
            ),
            Edit(R + "the-next-year.md", "through the NHS App.\n", "through the NHS App ([[M4.3]]).\n"),
            Edit(EN + "index.md", "Funding for trusts depends on", "Funding for trusts ([[M4.2]]) depends on"),
            Edit(
                EN + "systems-and-infrastructure.md",
                "The foundations set the target. The delivery phase will set out how organisations get there.",
                "The foundations set the target. The [delivery phase](../phase4-delivery/index.md) sets out how "
                "organisations get there, including funding for trusts that are ready ([[M4.2]]) and work on single "
                "sign-on for staff ([[M4.5]]).",
            ),
            Edit(
                EN + "who-pays-for-what.md",
                "Trusts that are ready to reach the minimum digital foundations will be able to get match funding.",
                "Trusts that are ready to reach the minimum digital foundations can get match funding through the "
                "digital aspirant route ([[M4.2]]).",
            ),
            Edit(
                EN + "who-pays-for-what.md",
                "extra help towards an electronic patient record.\n",
                "extra help towards an electronic patient record. The page on "
                "[funding routes](../phase4-delivery/funding-routes.md) explains how to apply.\n",
            ),
            Edit(
                EN + "standards-and-architecture.md",
                "The standards underpin several milestones. Shared care records in every integrated care system "
                "([[M2.4]]) depend on them.",
                "The standards underpin several delivery milestones. Shared care records in every integrated care "
                "system ([[M2.4]]), simpler information governance guidance ([[M4.1]]) and patient access to GP "
                "records through the NHS App ([[M4.3]]) all depend on them.",
            ),
            note="Linked the vision to the enablers that respond to each problem, and the vision, the roadmap and "
            "the enablers to the delivery milestones that build on them.",
        ),
        commit(
            "2021-04-21 11:00",
            DANA,
            "Publish the revised enablers",
            phase_status(EN, "revising", "published"),
            Edit(
                EN + "index.md",
                "We are consulting on this phase in early 2021. Feedback for this phase is collected through an "
                "online form rather than by email, so that we can ask",
                "We consulted on this phase in early 2021. Feedback for this phase was collected through an online "
                "form rather than by email, so that we could ask",
            ),
            before(
                EN + "index.md",
                "## Milestones\n",
                "## What we heard in consultation\n\nPeople told us three things most often:\n\n"
                "- they wanted a clear minimum standard, not a long list of aspirations\n"
                "- they needed to know who would pay before they could plan\n"
                "- they wanted fewer standards, enforced properly, rather than many that are optional\n\n"
                "We changed the draft as a result. We cut the list of minimum foundations to the items that "
                "matter most. We published the funding model before opening any new funding route. And we "
                "reduced the number of required standards for sharing records.\n\n",
            ),
            before(
                EN + "who-pays-for-what.md",
                "## Reviewing the model\n",
                "This funding is not meant to replace local spending. It is conditional on the organisation "
                "planning to pay the running costs once the new system is in place.\n\n## What we heard\n\n"
                "Respondents welcomed the clarity but raised two concerns. First, some organisations worried that "
                "running costs would rise after national funding ended. Second, social care providers said they "
                "could not meet their costs alone. In response, we made running costs a condition of funding, so "
                "the issue is planned for from the start. We also added national support for digital care records "
                "in adult social care ([[M2.6]]).\n\n",
            ),
            Edit(
                EN + "standards-and-architecture.md",
                "There are too many standards and too few are enforced. So we propose a short list",
                "We heard that there were too many standards and too few were enforced. So we have a short list",
            ),
            note="Published the revised enablers after consultation: a shorter list of minimum foundations, the "
            "funding model before any new funding route, and fewer required standards.",
        ),
        commit(
            "2021-05-19 10:45",
            TOM,
            "Bring the digital aspirant funding route forward to June",
            Due("M4.2", "2021-09-30", "2021-06-30"),
            depends("M2.1", "M3.2", "M3.2, M4.2"),
            Edit(
                "roadmap.md",
                "Some milestones depend on others. Follow",
                "Some milestones depend on others. For example, an electronic patient record in every trust "
                "([[M2.1]]) depends on agreeing the minimum digital foundations ([[M3.2]]) and on a funding route "
                "to help trusts get there ([[M4.2]]). Follow",
            ),
            note="Brought the opening of the digital aspirant funding route (M4.2) forward from September to June "
            "2021. The milestone for an electronic patient record in every trust (M2.1) now depends on it.",
        ),
        commit(
            "2021-05-26 16:20",
            TOM,
            "Update M2.5 due date",
            Due("M2.5", "2021-09-30", "2021-06-30"),
            body="Agreed at the programme board on 24 May.",
        ),
        commit(
            "2021-06-14 10:30",
            OMAR,
            "Draft the measures phase",
            Add(MS + "phase.yml"),
            Add(MS + "measures.yml"),
            Add(MS + "milestones.yml"),
            Add(MS + "index.md"),
            Add(MS + "digital-maturity.md"),
            Add(MS + "impact-for-patients-and-staff.md"),
            Edit("index.md", "5. Measures:", "5. [Measures](phase5-measures/index.md):"),
            note="Published the draft measures: digital maturity, and the impact for patients and staff.",
            branch="measures-team/draft-measures",
        ),
        commit(
            "2021-06-28 11:15",
            DANA,
            "Agree the minimum digital foundations",
            status("M3.2", "in-progress", "done"),
            status("M3.4", "planned", "in-progress"),
            Edit(
                EN + "systems-and-infrastructure.md",
                "We will agree them by June 2021 ([[M3.2]]).",
                "We agreed them in June 2021 ([[M3.2]]).",
            ),
            note="Agreed the minimum digital foundations for every provider (M3.2).",
        ),
        commit(
            "2021-06-28 14:50",
            OMAR,
            "Add a measure for social care records",
            NewRecord("K4"),
            before(
                MS + "digital-maturity.md",
                "## What the numbers do not show\n",
                "### Adult social care providers with a digital care record\n\nThis measure ([[K4]]) shows "
                "whether social care is keeping pace with the NHS.\n\n",
            ),
            note="Added a measure of digital care records in adult social care (K4).",
            branch="measures-team/draft-measures",
        ),
        commit(
            "2021-06-29 15:40",
            TOM,
            "Publish the three-to-five-year framing",
            status("M2.5", "planned", "done"),
            Edit(
                R + "three-to-five-years.md",
                "We will test it with the system and publish it as a milestone in its own right by September 2021 "
                "([[M2.5]]).",
                "We published it as a milestone in its own right in June 2021 ([[M2.5]]), after testing it with the "
                "system.",
            ),
            note="Published the three-to-five-year framing (M2.5), after testing it with the system.",
        ),
        commit(
            "2021-06-30 12:00",
            DANA,
            "Publish the core standards for sharing care records",
            status("M3.3", "in-progress", "done"),
            Edit(
                EN + "standards-and-architecture.md",
                "We will publish the core standards for sharing care records by June 2021 ([[M3.3]]).",
                "We published the core standards for sharing care records in June 2021 ([[M3.3]]).",
            ),
            note="Published the core standards for sharing care records (M3.3).",
        ),
        commit(
            "2021-07-01 10:30",
            TOM,
            "Close the delivery consultation and open the digital aspirant route",
            phase_status(D, "consultation", "revising"),
            status("M4.2", "in-progress", "done"),
            Edit(D + "funding-routes.md", "It opens in 2021 ([[M4.2]]).", "It opened in 2021 ([[M4.2]])."),
            note="The consultation on delivery closed on 30 June 2021, and we are revising this phase in response. "
            "The digital aspirant funding route for trusts is now open (M4.2).",
        ),
        Merge("2021-07-02 11:00", EDITORS, "measures-team/draft-measures", 23, "Draft measures"),
        commit(
            "2021-07-05 09:30",
            OMAR,
            "Open the consultation on the measures",
            consultation(MS, "2021-07-05", "2021-09-30"),
            status("M5.1", "planned", "in-progress"),
            note="Opened the consultation on the measures. Comments are welcome until 30 September 2021.",
            tag=Tag(
                "v5",
                "Measures published for consultation",
                "The fifth and final phase, the measures, is published for consultation, so every phase of the "
                "Tech Plan is now public. Delivery is being revised after its consultation.",
            ),
        ),
        commit(
            "2021-07-07 14:00",
            OMAR,
            "Link the plan to its measures",
            Edit(
                V + "what-we-want-to-achieve.md",
                "The measures phase will say how we will track progress.",
                "The [measures phase](../phase5-measures/index.md) says how we will track progress.",
            ),
            Edit(
                EN + "systems-and-infrastructure.md",
                "electronic patient record, but not all.",
                "electronic patient record, but not all ([[K1]]).",
            ),
            Edit(
                EN + "what-good-looks-like.md",
                "It also gives a fair basis for a national digital maturity assessment.",
                "It also gives a fair basis for the digital maturity assessment ([[M5.2]]).",
            ),
            Edit(
                EN + "what-good-looks-like.md",
                "check their own position and set priorities.",
                "check their own position and set priorities. The average score across trusts is one of the "
                "plan's measures ([[K2]]).",
            ),
            after(
                D + "standards-guidance-and-policies.md",
                "national teams help them.\n",
                "\nProgress is tracked as a measure of the plan ([[K3]]).\n",
            ),
            Edit(
                D + "national-products.md",
                "The pandemic brought many new users. But more people need to be able to see their full record, "
                "not just book appointments.",
                "The pandemic brought many new users ([[K5]]). But more people need to be able to see their full "
                "record, not just book appointments ([[K6]]).",
            ),
            note="Linked pages across the plan to the measures that track them.",
        ),
        commit(
            "2021-07-20 10:20",
            DANA,
            "Bring what good looks like forward to August",
            Due("M3.1", "2021-09-30", "2021-08-31"),
            status("M3.1", "planned", "in-progress"),
            Edit(EN + "what-good-looks-like.md", "by September 2021 ([[M3.1]])", "by August 2021 ([[M3.1]])"),
            note="Brought the publication of what good looks like (M3.1) forward from September to August 2021.",
        ),
        actual(
            "K3",
            "2021-06-30",
            "June 2021 data security",
            "2021-08-17 11:30",
            note="Added the June 2021 figure for trusts meeting the national data security standard (K3).",
        ),
        commit(
            "2021-08-26 15:10",
            DANA,
            "Publish what good looks like",
            status("M3.1", "in-progress", "done"),
            Edit(
                EN + "what-good-looks-like.md",
                "We will publish the full framework by August 2021 ([[M3.1]]).",
                "We published the full framework in August 2021 ([[M3.1]]).",
            ),
            Edit(
                EN + "index.md",
                "That is why we will agree and publish most of them in 2021",
                "That is why we agreed and published most of them in 2021",
            ),
            note="Published what good looks like (M3.1), the framework for digital transformation.",
        ),
        commit(
            "2021-09-13 10:00",
            TOM,
            "Drop the national app store",
            status("M4.4", "planned", "dropped"),
            RecordEdit(
                "M4.4",
                "      A national store of health apps that meet NHS standards, so that patients\n"
                "      and staff can find safe, effective apps in one place.\n",
                "      Dropped in 2021. Consultation feedback showed that clear assessment criteria\n"
                "      for digital products would help more than a national store.\n",
            ),
            before(
                D + "index.md",
                "## How delivery depends on other phases\n",
                "## What we dropped\n\nWe planned to relaunch the NHS Apps Library as a national app store "
                "([[M4.4]]). We dropped this in 2021. Consultation feedback showed that one clear set of "
                "assessment criteria would do more to help good products reach patients. We kept the milestone on "
                "the roadmap, marked as dropped, so the decision stays visible.\n\n",
            ),
            Edit(
                D + "national-products.md",
                "## The NHS Apps Library\n\nWe plan to relaunch the NHS Apps Library as a national app store "
                "([[M4.4]]). It will list apps that meet NHS standards, so that patients and staff can find safe, "
                "effective apps in one place.\n",
                "## What we chose not to build\n\nWe planned to relaunch the NHS Apps Library as a national app "
                "store ([[M4.4]]). We dropped that plan. A store would have needed constant upkeep and could not "
                "keep pace with new products. Instead, we published one set of criteria for assessing digital "
                "health products. Local organisations use it to choose safe, effective products for their "
                "patients.\n",
            ),
            Edit(
                EN + "standards-and-architecture.md",
                "We are developing one set of assessment criteria for digital health products. It will cover",
                "We now have one set of assessment criteria for digital health products. It covers",
            ),
            Edit(
                EN + "standards-and-architecture.md",
                "interoperability and usability.\n",
                "interoperability and usability. This replaced plans for a national app store ([[M4.4]]).\n",
            ),
            Edit(
                D + "standards-guidance-and-policies.md",
                "We are developing one set of criteria",
                "There is now one set of criteria",
            ),
            Edit(
                V + "mission-and-values.md",
                "we check each option against them.",
                "we check each option against them. When we dropped plans for a national app store ([[M4.4]]), for "
                "example, it was partly because a clear set of assessment criteria would do more to keep patients "
                "safe.",
            ),
            body="Responses to the delivery consultation favoured one set of assessment criteria over a store that "
            "would need constant upkeep.",
            note="Dropped the plan for a national app store (M4.4). Consultation feedback showed that one set of "
            "assessment criteria for digital products would help more.",
            branch="delivery-team/drop-apps-library",
        ),
        commit(
            "2021-09-14 11:30",
            TOM,
            "Rename national products to products delivered centrally",
            Move(D + "national-products.md", D + "central-products.md"),
            Edit(D + "central-products.md", "# National products\n", "# Products delivered centrally\n"),
            Edit(
                D + "index.md",
                "- [National products](national-products.md):",
                "- [Products delivered centrally](central-products.md):",
            ),
            branch="delivery-team/drop-apps-library",
        ),
        Merge("2021-09-16 10:15", EDITORS, "delivery-team/drop-apps-library", 27, "Drop the national app store"),
        commit(
            "2021-09-20 14:00",
            TOM,
            "Publish the revised delivery phase",
            phase_status(D, "revising", "published"),
            Edit(
                D + "index.md",
                "We are consulting on this phase in spring 2021. By then, the enablers will be agreed, so delivery "
                "can build on them.",
                "We consulted on this phase in spring 2021. By then, the enablers were agreed, so delivery could "
                "build on them.",
            ),
            after(
                D + "funding-routes.md",
                "- agree to share lessons with other trusts\n",
                "\n### Help for trusts with paper records\n\nSome trusts still rely on paper notes or on very old "
                "systems. They can get extra funding and expert help to buy and install an electronic patient "
                "record. This is the main route towards an electronic patient record in every trust ([[M2.1]]).\n",
            ),
            after(
                D + "funding-routes.md",
                "by route and by region each year.\n",
                "\n## What we heard\n\nSome respondents said match funding favours trusts that already have money. "
                "In response, we added the route for trusts with paper records, which does not require match "
                "funding. Others asked for longer funding periods, so that projects do not stop when a financial "
                "year ends. Funding now covers more than one year where the project needs it.\n",
            ),
            note="Published the revised delivery phase after consultation, with a new funding route for trusts that "
            "still use paper records.",
        ),
        commit(
            "2021-09-21 10:45",
            OMAR,
            "Add measures on log-on time and staff tools",
            NewRecord("K7"),
            NewRecord("K8"),
            NewRecord("M5.4"),
            after(
                MS + "index.md",
                "- be possible to compare over time\n",
                "\nRespondents to the consultation asked for measures that reflect what staff and patients "
                "experience, not just what systems are installed. So we added measures on log-on times ([[K7]]) "
                "and on whether staff have the tools they need ([[K8]]).\n",
            ),
            Edit(
                MS + "index.md",
                "For most measures, higher is better.",
                "For most measures, higher is better. For log-on times, lower is better.",
            ),
            before(
                MS + "impact-for-patients-and-staff.md",
                "## What staff and patients tell us\n",
                '## Impact for staff\n\n### Time for staff to log on\n\nThe plan described nurses who "have to '
                'wait 15 minutes to log on to their computers". This measure ([[K7]]) tracks the average time for '
                "a member of staff to log on and reach the system they need. Lower is better.\n\n### Staff who say "
                "they have the digital tools they need\n\nThis measure ([[K8]]) comes from a yearly survey of "
                "staff ([[M5.4]]). It asks whether they have the digital tools they need to do their job well.\n\n",
            ),
            note="Added measures on the time staff take to log on (K7) and on whether staff have the digital tools "
            "they need (K8), in response to the consultation.",
            branch="measures-team/staff-measures",
        ),
        commit(
            "2021-09-23 15:00",
            PRIYA,
            "Link the vision to the staff and patient measures",
            before(
                V + "what-we-want-to-achieve.md",
                "\n## For staff\n",
                "\nWe will know this is working when more people can see their GP record online ([[K6]]) and use "
                "the NHS App ([[K5]]).\n",
            ),
            before(
                V + "what-we-want-to-achieve.md",
                "\n## For health and care organisations\n",
                "\nWe will know this is working when log-on times fall ([[K7]]) and more staff say they have the "
                "tools they need ([[K8]]).\n",
            ),
            Edit(
                V + "why-technology.md",
                "and simpler guidance ([[M4.1]]) help data flow.",
                "and simpler guidance ([[M4.1]]) help data flow. We measure progress on log-on times ([[K7]]) and on "
                "patients' access to their records ([[K6]]).",
            ),
            branch="measures-team/staff-measures",
        ),
        commit(
            "2021-09-28 16:00",
            TOM,
            "Publish simpler information governance guidance",
            status("M4.1", "in-progress", "done"),
            Edit(
                D + "standards-guidance-and-policies.md",
                "We will publish simpler guidance by September 2021 ([[M4.1]]). It will replace a large body of "
                "older guidance with short, plain-English advice. It will cover:",
                "We published simpler guidance in September 2021 ([[M4.1]]). It replaced a large body of older "
                "guidance with short, plain-English advice. It covers:",
            ),
            note="Published simpler information governance guidance (M4.1).",
        ),
        Merge(
            "2021-09-29 11:00",
            EDITORS,
            "measures-team/staff-measures",
            31,
            "Staff measures",
            note="Added staff measures after the consultation on the measures, and linked the vision to them.",
        ),
        commit(
            "2021-09-30 16:30",
            OMAR,
            "Agree the final set of measures",
            phase_status(MS, "consultation", "published"),
            status("M5.1", "in-progress", "done"),
            status("M5.4", "planned", "in-progress"),
            Edit(
                MS + "index.md",
                "We are consulting on this phase in summer 2021. We will agree the final set of measures by "
                "September 2021 ([[M5.1]]).",
                "We consulted on this phase in summer 2021 and agreed the measures in September 2021 ([[M5.1]]).",
            ),
            note="Agreed the final set of measures after consultation (M5.1).",
        ),
        actual(
            "K7",
            "2021-09-30",
            "first log-on time",
            "2021-11-10 10:30",
            note="Added the first figure for the time staff take to log on (K7).",
        ),
        commit(
            "2021-11-17 14:20",
            TOM,
            "Re-forecast GP record access in the NHS App",
            Due("M4.3", "2021-12-31", "2022-06-30"),
            status("M4.3", "in-progress", "at-risk"),
            status("M4.5", "planned", "in-progress"),
            body="GP practices asked for more time to prepare for patients seeing new entries in their record.",
            note="Moved patient access to GP records through the NHS App (M4.3) from December 2021 to June 2022, and "
            "marked it at risk.",
        ),
        commit(
            "2021-11-24 11:40",
            TOM,
            "Move the shared care record milestone to September 2022",
            Due("M2.4", "2022-03-31", "2022-09-30"),
            status("M2.4", "planned", "in-progress"),
            note="Moved the milestone for a shared care record in every integrated care system (M2.4) from March to "
            "September 2022, to match the timetable for setting up integrated care systems.",
        ),
        commit(
            "2021-12-06 15:00",
            EDITORS,
            "Say how dates change on the roadmap page",
            Edit("index.md", "It supports the NHS Long Term Plan.", "It supports the goals of the NHS Long Term Plan."),
            before(
                "roadmap.md",
                "## The timeline\n",
                "## When dates change\n\nWe do not move a due date quietly. If a milestone slips, its status changes "
                "to delayed and the page history records when and why. A milestone is never deleted or given a new "
                "meaning. If we stop work on one, we mark it as dropped and keep it on the roadmap.\n\n",
            ),
            note="Explained how and why milestone dates change.",
            branch="editorial/annual-refresh-2021",
        ),
        actual(
            "K8",
            "2021-10-31",
            "first staff survey",
            "2021-12-08 10:20",
            note="Added the first staff survey figure for staff who have the digital tools they need (K8).",
        ),
        commit(
            "2021-12-09 11:20",
            PRIYA,
            "Say what has changed in the vision since first publication",
            before(
                V + "index.md",
                "## Milestones\n",
                "## What has changed since first publication\n\nThe vision was re-published after the engagement "
                "closed in September 2020. Later changes have been smaller: clearer wording, updated links and "
                "changes to match decisions taken in the later phases. Each version and its change note are in the "
                "page history.\n\n",
            ),
            note="Added a section on how the vision has changed since it was first published.",
            branch="editorial/annual-refresh-2021",
        ),
        Merge(
            "2021-12-15 10:00",
            EDITORS,
            "editorial/annual-refresh-2021",
            36,
            "Annual refresh 2021",
            tag=Tag(
                "v6",
                "The plan after consultation, December 2021",
                "Every phase has now been consulted on and published. This revision adds the staff measures, drops "
                "the national app store and re-forecasts the shared care record and GP record milestones.",
            ),
        ),
        # ---- 2022: delivery under way ----
        commit(
            "2022-01-19 11:00",
            OMAR,
            "Move the first digital maturity assessment to June 2022",
            Due("M5.2", "2022-03-31", "2022-06-30"),
            status("M5.2", "planned", "in-progress"),
            note="Moved the first national digital maturity assessment (M5.2) from March to June 2022, so that "
            "integrated care systems can take part.",
        ),
        commit(
            "2022-02-07 10:30",
            TOM,
            "Add the digital staff passport milestone",
            NewRecord("M4.6"),
            before(
                D + "central-products.md",
                "## National email and network\n",
                "## The digital staff passport\n\nThe digital staff passport will hold a record of a member of "
                "staff's skills and checks. When they move between NHS employers, the record moves with them "
                "([[M4.6]]). This saves days of repeated checks and lets staff start work sooner.\n\n",
            ),
            Edit(
                R + "three-to-five-years.md",
                "move with them between employers.",
                "move with them between employers ([[M4.6]]).",
            ),
            note="Added a milestone for the digital staff passport (M4.6).",
            branch="delivery-team/staff-passport",
        ),
        commit(
            "2022-02-08 12:00",
            TOM,
            "Fix the owner of the staff passport milestone",
            owner("M4.6", "NHSX", "Health Education England"),
            branch="delivery-team/staff-passport",
        ),
        Merge("2022-02-10 10:00", EDITORS, "delivery-team/staff-passport", 40, "Digital staff passport"),
        commit(
            "2022-02-16 15:30",
            PRIYA,
            "Move the digital inclusion framework to March 2023",
            Due("M1.5", "2022-03-31", "2023-03-31"),
            status("M1.5", "planned", "in-progress"),
            Edit(D + "standards-guidance-and-policies.md", "due in 2022", "due in 2023"),
            note="Moved the digital inclusion framework (M1.5) to March 2023, to test it with more local services "
            "first.",
        ),
        commit(
            "2022-03-09 11:15",
            TOM,
            "Move single sign-on to March 2023",
            Due("M4.5", "2022-03-31", "2023-03-31"),
            note="Moved single sign-on in every trust (M4.5) from March 2022 to March 2023: many trusts need to "
            "replace old devices first.",
        ),
        actual(
            "K5",
            "2022-03-31",
            "March 2022 NHS App",
            "2022-04-20 10:40",
            note="Added the March 2022 figure for NHS App registrations (K5).",
        ),
        actual(
            "K6",
            "2022-03-31",
            "March 2022 GP record access",
            "2022-05-04 11:00",
            note="Added the March 2022 figure for patients who can see their GP record online (K6).",
        ),
        actual(
            "K1",
            "2022-03-31",
            "March 2022 electronic record",
            "2022-05-11 14:10",
            note="Added the March 2022 figure for trusts with an electronic patient record (K1).",
        ),
        actual(
            "K4",
            "2022-03-31",
            "March 2022 social care record",
            "2022-05-18 10:25",
            note="Added the March 2022 figure for social care providers with a digital care record (K4).",
        ),
        commit(
            "2022-05-25 15:45",
            DANA,
            "Mark the data security milestone at risk and move it to June 2023",
            Due("M3.4", "2022-06-30", "2023-06-30"),
            status("M3.4", "in-progress", "at-risk"),
            RecordEdit(
                "M3.4",
                "Protection Toolkit.\n",
                "Protection Toolkit.\n      Most trusts do, but some still run old, unsupported systems.\n",
            ),
            Edit(
                EN + "systems-and-infrastructure.md",
                "which is a risk to patient data.",
                "which is a risk to patient data. This is the main reason not every trust meets the national data "
                "security standard yet ([[M3.4]]).",
            ),
            Edit(
                MS + "digital-maturity.md",
                "This measure ([[K3]]) shows how well patient data is protected.",
                "This measure ([[K3]]) shows how well patient data is protected. More trusts meet the standard each "
                "year. But some still run old software that no longer gets security updates. The milestone for "
                "every trust to meet the standard is at risk ([[M3.4]]).",
            ),
            note="Moved the milestone for every trust to meet the national data security standard (M3.4) from June "
            "2022 to June 2023, and marked it at risk: some trusts still run unsupported systems.",
        ),
        commit(
            "2022-06-22 16:05",
            TOM,
            "Update M4.3 forecast",
            Due("M4.3", "2022-06-30", "2022-11-01"),
            status("M4.3", "at-risk", "delayed"),
        ),
        commit(
            "2022-07-06 11:30",
            OMAR,
            "Publish the first digital maturity assessment",
            status("M5.2", "in-progress", "done"),
            RecordEdit("M5.2", "integrated care system assesses itself", "integrated care system assessed itself"),
            Edit(
                MS + "digital-maturity.md",
                "The first national assessment will run in 2022 ([[M5.2]]).",
                "The first national assessment ran in 2022 ([[M5.2]]).",
            ),
            note="Published the results of the first national digital maturity assessment (M5.2).",
        ),
        commit(
            "2022-07-13 10:00",
            EDITORS,
            "Move NHSX milestones to NHS England",
            owner("M1.6", "NHSX", "NHS England and NHS Improvement"),
            owner("M5.3", "NHSX", "NHS England and NHS Improvement"),
            note="NHSX became part of NHS England on 1 July 2022. Its open milestones (M1.6 and M5.3) now belong to "
            "NHS England and NHS Improvement.",
        ),
        actual(
            "K2",
            "2022-06-30",
            "first digital maturity score",
            "2022-08-10 11:20",
            note="Added the first average digital maturity assessment score (K2).",
        ),
        actual(
            "K3",
            "2022-06-30",
            "June 2022 data security",
            "2022-09-07 14:30",
            note="Added the June 2022 figure for trusts meeting the national data security standard (K3).",
        ),
        commit(
            "2022-09-30 15:00",
            TOM,
            "Every integrated care system has a shared care record",
            status("M2.4", "in-progress", "done"),
            Edit(
                D + "funding-routes.md",
                "shared care record for their area ([[M2.4]]).",
                "shared care record for their area. This helped every system to have one by September 2022 ([[M2.4]]).",
            ),
            Edit(
                R + "index.md",
                "see the information held by another.\n",
                "see the information held by another. This milestone was met in 2022.\n",
            ),
            note="Every integrated care system now has a shared care record (M2.4).",
        ),
        commit(
            "2022-11-02 10:15",
            TOM,
            "Patients can see their GP record in the NHS App",
            status("M4.3", "delayed", "done"),
            RecordEdit(
                "M4.3",
                "      through the NHS App and other online services.\n",
                "      through the NHS App and other online services. This finished later than\n"
                "      first planned, after extra safeguarding work with GP practices.\n",
            ),
            Edit(
                R + "the-next-year.md",
                "through the NHS App ([[M4.3]]).",
                "through the NHS App ([[M4.3]]). This took longer than a year and was finished later than first "
                "planned.",
            ),
            note="Patients can now see new entries in their GP record through the NHS App (M4.3), later than first "
            "planned.",
        ),
        actual(
            "K7",
            "2022-09-30",
            "September 2022 log-on time",
            "2022-11-16 11:40",
            note="Added the September 2022 figure for the time staff take to log on (K7).",
        ),
        commit(
            "2022-12-05 14:00",
            TOM,
            "Say what delivery has achieved so far",
            status("M4.6", "planned", "in-progress"),
            status("M2.6", "planned", "in-progress"),
            before(
                D + "index.md",
                "## What we dropped\n",
                "## What has been delivered\n\nBy December 2022, we had delivered:\n\n"
                "- simpler guidance on information governance ([[M4.1]])\n"
                "- a funding route for trusts ready to reach the minimum foundations ([[M4.2]])\n"
                "- access for patients to their GP record through the NHS App ([[M4.3]]), later than first "
                "planned\n\n## What is still in progress\n\nTwo delivery milestones are not yet complete.\n\n"
                "Single sign-on for staff in every trust ([[M4.5]]) is in progress. It is due by March 2023, and "
                "log-on times are still above target ([[K7]]).\n\nA digital staff passport ([[M4.6]]) is in "
                "progress. It lets staff move between NHS employers without repeating the same checks.\n\n",
            ),
            note="Added what delivery has achieved so far and what is still in progress.",
            branch="editorial/annual-refresh-2022",
        ),
        actual(
            "K8",
            "2022-10-31",
            "2022 staff survey",
            "2022-12-07 10:50",
            status("M5.4", "in-progress", "done"),
            note="Added the 2022 staff survey figure for staff who have the digital tools they need (K8). The "
            "national staff digital tools survey (M5.4) now runs every year.",
        ),
        commit(
            "2022-12-08 11:30",
            DANA,
            "Say where the enablers stand",
            before(
                EN + "index.md",
                "## Milestones\n",
                "## Where this phase stands\n\nMost of the enablers were delivered on time. One area needs more "
                "work. Not every trust yet meets the national data security standard ([[M3.4]]), which is why "
                "that milestone is at risk.\n\n",
            ),
            Edit(
                EN + "systems-and-infrastructure.md",
                "Log-on times are still too long in many places.",
                "Log-on times have fallen, but not yet to the target ([[K7]]).",
            ),
            note="Added where the enablers stand at the end of 2022.",
            branch="editorial/annual-refresh-2022",
        ),
        Merge(
            "2022-12-14 10:00",
            EDITORS,
            "editorial/annual-refresh-2022",
            52,
            "Annual refresh 2022",
            tag=Tag(
                "v7",
                "Annual refresh, December 2022",
                "The yearly review of every phase. Shared care records and patient access to GP records are "
                "delivered, data security and single sign-on are re-forecast, and the digital staff passport joins "
                "the plan.",
            ),
        ),
        # ---- 2023: what is late, and why ----
        commit(
            "2023-01-18 11:00",
            OMAR,
            "Move the public dashboard to March 2024",
            Due("M5.3", "2023-03-31", "2024-03-31"),
            status("M5.3", "planned", "in-progress"),
            RecordEdit(
                "M5.3", "      value.\n", "      value. The data is already published as downloads on this site.\n"
            ),
            Edit(
                MS + "impact-for-patients-and-staff.md",
                "You can download the data from this site.",
                "You can download the data from this site. A public dashboard of all the measures is being built "
                "([[M5.3]]).",
            ),
            note="Moved the public dashboard of the measures (M5.3) to March 2024. Until then the data is published "
            "as downloads on this site.",
        ),
        commit(
            "2023-03-28 15:20",
            PRIYA,
            "Publish the digital inclusion framework",
            status("M1.5", "in-progress", "done"),
            Edit(
                D + "standards-guidance-and-policies.md",
                "A framework for local services, due in 2023, will help them find out who is excluded",
                "A framework published in 2023 helps local services find out who is excluded",
            ),
            Edit(V + "index.md", "which will lead to a framework", "which led to a framework"),
            note="Published the digital inclusion framework for health and care (M1.5).",
        ),
        commit(
            "2023-04-05 11:10",
            TOM,
            "Mark single sign-on as delayed",
            status("M4.5", "in-progress", "delayed"),
            RecordEdit(
                "M4.5",
                "wait to log on.\n",
                "wait to log on. Many trusts\n      are done, but others need to replace old devices first.\n",
            ),
            Edit(
                D + "index.md",
                "is in progress. It is due by March 2023, and log-on times are still above target",
                "is delayed. Many trusts have it, but others must replace old devices first. This is one reason "
                "log-on times are still above target",
            ),
            note="Single sign-on in every trust (M4.5) missed March 2023 and is delayed: some trusts must replace "
            "old devices first.",
        ),
        commit(
            "2023-04-19 10:30",
            OMAR,
            "Add the March 2023 NHS App figure for K5",
            Actual("K5", "2023-03-31"),
            Edit(
                MS + "impact-for-patients-and-staff.md",
                "Registrations grew fast during the COVID-19 pandemic.",
                "Registrations grew fast during the COVID-19 pandemic. They reached the target in 2023, a year early.",
            ),
            note="Added the March 2023 figure for NHS App registrations (K5), which reached the target a year early.",
        ),
        actual(
            "K6",
            "2023-03-31",
            "March 2023 GP record access",
            "2023-05-03 11:00",
            note="Added the March 2023 figure for patients who can see their GP record online (K6).",
        ),
        actual(
            "K1",
            "2023-03-31",
            "March 2023 electronic record",
            "2023-05-10 14:15",
            note="Added the March 2023 figure for trusts with an electronic patient record (K1).",
        ),
        actual(
            "K4",
            "2023-03-31",
            "March 2023 social care record",
            "2023-05-17 10:20",
            note="Added the March 2023 figure for social care providers with a digital care record (K4).",
        ),
        commit(
            "2023-05-24 15:30",
            TOM,
            "Mark digital care records in social care at risk",
            status("M2.6", "in-progress", "at-risk"),
            RecordEdit(
                "M2.6",
                "      record.\n",
                "      record. Take-up has grown but is behind the rate needed to meet the target.\n",
            ),
            Edit(
                D + "funding-routes.md",
                "use digital care records ([[M2.6]]).",
                "use digital care records ([[M2.6]]). Take-up has grown, but not fast enough, so the milestone is at "
                "risk ([[K4]]).",
            ),
            Edit(
                MS + "digital-maturity.md",
                "keeping pace with the NHS.",
                "keeping pace with the NHS. Take-up has grown since funding became available through integrated "
                "care systems, but it is behind target ([[M2.6]]).",
            ),
            note="Marked digital care records in adult social care (M2.6) at risk: take-up is growing, but too slowly "
            "to reach the target.",
        ),
        commit(
            "2023-06-14 11:45",
            TOM,
            "Mark electronic patient records at risk",
            status("M2.1", "in-progress", "at-risk"),
            RecordEdit(
                "M2.1",
                "electronic patient record.\n",
                "electronic patient record.\n      Most trusts now have one, but some may not finish by March 2024.\n",
            ),
            Edit(
                R + "index.md",
                "Every trust should have one by March 2024.",
                "Most trusts now have one. Some may not finish by March 2024, so this milestone is marked as at risk.",
            ),
            after(
                D + "funding-routes.md",
                "an electronic patient record in every trust ([[M2.1]]).\n",
                "\nThis route has moved more slowly than planned. Buying and installing a record system often takes "
                "two years or more. Some trusts started late. That is why the milestone is at risk.\n",
            ),
            Edit(
                MS + "digital-maturity.md",
                "([[K1]]). Every trust should have an electronic patient record by March 2024 ([[M2.1]]).",
                "([[K1]]). The share of trusts with an electronic patient record has risen every year, but not fast "
                "enough to reach every trust by March 2024. This is why the milestone for an electronic record in "
                "every trust is at risk ([[M2.1]]).",
            ),
            note="Marked an electronic patient record in every trust (M2.1) at risk: some trusts may not finish by "
            "March 2024.",
        ),
        actual(
            "K2",
            "2023-06-30",
            "2023 digital maturity score",
            "2023-08-09 10:30",
            note="Added the 2023 average digital maturity assessment score (K2).",
        ),
        actual(
            "K3",
            "2023-06-30",
            "June 2023 data security",
            "2023-09-06 14:00",
            note="Added the June 2023 figure for trusts meeting the national data security standard (K3).",
        ),
        commit(
            "2023-09-13 10:20",
            DANA,
            "Plan an updated what good looks like",
            NewRecord("M3.6"),
            before(
                EN + "what-good-looks-like.md",
                "## How to use this page\n",
                "## Checking our best guess\n\nOur 2024 column was a best guess in 2021. Some parts have come true. "
                "Every integrated care system now has a shared care record ([[M2.4]]). Other parts have not. Not "
                "every trust has an electronic record ([[M2.1]]), and log-on times are still above 2 minutes "
                "([[K7]]). We plan to publish an updated framework that compares our guess with what happened "
                "([[M3.6]]).\n\n",
            ),
            Edit(
                EN + "index.md",
                "One area needs more work. Not every trust yet meets the national data security standard ([[M3.4]]), "
                "which is why that milestone is at risk.",
                "Two areas need more work. Not every trust yet meets the national data security standard ([[M3.4]]), "
                "which is why that milestone is at risk. And our best guess for 2024 needs to be checked against "
                "what actually happened. We plan to publish an updated framework ([[M3.6]]).",
            ),
            note="Added a milestone to publish an updated what good looks like for 2024 onwards (M3.6).",
            branch="enablers-team/checking-the-best-guess",
        ),
        commit(
            "2023-09-14 15:10",
            OMAR,
            "Plan the 2024 digital maturity assessment",
            NewRecord("M5.5"),
            Edit(
                MS + "digital-maturity.md",
                "ran in 2022 ([[M5.2]]).",
                "ran in 2022 ([[M5.2]]). A second assessment will let us compare progress, organisation by "
                "organisation ([[M5.5]]).",
            ),
            note="Added a milestone for a second national digital maturity assessment in 2024 (M5.5).",
            branch="enablers-team/checking-the-best-guess",
        ),
        Merge("2023-09-20 10:00", EDITORS, "enablers-team/checking-the-best-guess", 67, "Checking the 2024 best guess"),
        actual(
            "K7",
            "2023-09-30",
            "September 2023 log-on time",
            "2023-11-15 11:20",
            note="Added the September 2023 figure for the time staff take to log on (K7).",
        ),
        commit(
            "2023-12-04 14:30",
            OMAR,
            "Say where the measures stand",
            before(
                MS + "index.md",
                "## Measures\n",
                "## Where we stand\n\nSome measures are on track. NHS App registrations reached the target a year "
                "early ([[K5]]). Other measures are behind. Not every trust has an electronic patient record "
                "([[K1]]). Take-up of digital care records in adult social care is too slow ([[K4]]). We say what we "
                "are doing about each gap on the pages in this phase.\n\n",
            ),
            Edit(
                MS + "digital-maturity.md",
                "not just records.",
                "not just records. It has risen steadily and is broadly on track.",
            ),
            after(
                MS + "impact-for-patients-and-staff.md",
                "Lower is better.\n",
                "\nLog-on times have fallen by more than half, but they are still above the target of 2 minutes. "
                "The main reason is that single sign-on is not yet in place in every trust ([[M4.5]]).\n",
            ),
            Edit(
                MS + "impact-for-patients-and-staff.md",
                "to do their job well.",
                "to do their job well. The share who agree has risen each year and is close to being on track.",
            ),
            note="Added where each measure stands at the end of 2023.",
            branch="editorial/annual-refresh-2023",
        ),
        actual(
            "K8",
            "2023-10-31",
            "2023 staff survey",
            "2023-12-06 10:40",
            note="Added the 2023 staff survey figure for staff who have the digital tools they need (K8).",
        ),
        commit(
            "2023-12-07 11:00",
            EDITORS,
            "Fix a typo on the roadmap page",
            Edit("roadmap.md", "and the milestone say why", "and the milestone says why"),
            branch="editorial/annual-refresh-2023",
        ),
        Merge(
            "2023-12-13 10:00",
            EDITORS,
            "editorial/annual-refresh-2023",
            71,
            "Annual refresh 2023",
            tag=Tag(
                "v8",
                "Annual refresh, December 2023",
                "The yearly review of every phase. Electronic patient records and social care records are at risk "
                "and single sign-on is delayed; the measures pages now say where each measure stands.",
            ),
        ),
        # ---- 2024: the end of the delivery period ----
        commit(
            "2024-01-17 11:00",
            OMAR,
            "Plan the revision of the measures",
            NewRecord("M5.6"),
            after(
                MS + "digital-maturity.md",
                "we publish the method with the results.\n",
                "\n## What we are changing\n\nWe are revising these measures for the next period ([[M5.6]]). Two "
                "changes are likely. First, we expect to replace the record measure with one on how well records "
                "are used, since nearly every trust will soon have one. Second, we expect to report social care "
                "and NHS measures side by side.\n",
            ),
            Edit(
                MS + "impact-for-patients-and-staff.md",
                "([[M1.5]]) to track it.",
                "([[M1.5]]) to track it. We plan to add a measure on this in the next period.",
            ),
            after(
                MS + "impact-for-patients-and-staff.md",
                "is being built ([[M5.3]]).\n",
                "\n## What happens next\n\nWe are revising the measures for the next period ([[M5.6]]). We want "
                "to add more measures of what people experience, and fewer of what systems are installed.\n",
            ),
            note="Added a milestone to revise the measures for the next plan period (M5.6).",
        ),
        commit(
            "2024-02-14 15:00",
            TOM,
            "Mark electronic patient records as delayed",
            status("M2.1", "at-risk", "delayed"),
            RecordEdit(
                "M2.1",
                "      Most trusts now have one, but some may not finish by March 2024.\n",
                "      Most trusts now have one, but a small number will not finish by March 2024\n"
                "      and the date is being reset.\n",
            ),
            Edit(
                R + "index.md",
                "Some may not finish by March 2024, so this milestone is marked as at risk.",
                "A small number will not finish by March 2024, so this milestone is marked as delayed.",
            ),
            Edit(
                D + "funding-routes.md",
                "That is why the milestone is at risk.",
                "That is why the milestone is delayed.",
            ),
            Edit(
                MS + "digital-maturity.md",
                "is at risk ([[M2.1]]).",
                "is delayed ([[M2.1]]). The remaining trusts are mostly in the middle of buying or installing a "
                "system.",
            ),
            note="Marked an electronic patient record in every trust (M2.1) as delayed: a small number of trusts "
            "will not finish by March 2024, and the date is being reset.",
        ),
        commit(
            "2024-03-20 10:30",
            OMAR,
            "Add the provisional March 2024 NHS App figure for K5",
            Actual("K5", "2024-03-31"),
            Edit(MS + "impact-for-patients-and-staff.md", "a year early.", "a year early, and have kept growing."),
            note="Added the provisional year-end figure for NHS App registrations (K5).",
        ),
        commit(
            "2024-03-21 11:15",
            OMAR,
            "Add the provisional March 2024 GP record figure for K6",
            Actual("K6", "2024-03-31"),
            Edit(
                MS + "impact-for-patients-and-staff.md",
                "It depends on the GP record work in the NHS App ([[M4.3]]).",
                "It grew slowly at first. It rose sharply in late 2023, when access was switched on for most "
                "patients ([[M4.3]]). It is still below target.",
            ),
            note="Added the provisional year-end figure for patients who can see their GP record online (K6).",
        ),
        actual(
            "K1",
            "2024-03-31",
            "provisional March 2024 electronic record",
            "2024-03-25 10:20",
            note="Added the provisional year-end figure for trusts with an electronic patient record (K1).",
        ),
        actual(
            "K4",
            "2024-03-31",
            "provisional March 2024 social care record",
            "2024-03-26 14:40",
            note="Added the provisional year-end figure for social care providers with a digital care record (K4).",
        ),
        commit(
            "2024-03-28 11:00",
            OMAR,
            "Start revising the measures for the next period",
            phase_status(MS, "published", "revising"),
            Edit(
                MS + "phase.yml",
                "  makes for patients and staff.\n",
                "  makes for patients and staff. We are revising these measures for the next plan period.\n",
            ),
            Edit(
                MS + "index.md",
                "and agreed the measures in September 2021 ([[M5.1]]).",
                "and agreed the measures in September 2021 ([[M5.1]]). This phase is now being revised. The delivery "
                "period ended in March 2024, and we are reviewing which measures worked and what should replace "
                "them ([[M5.6]]).",
            ),
            Edit(D + "index.md", "By December 2022, we had delivered:", "By March 2024, we had delivered:"),
            note="The delivery period ends in March 2024. We are revising the measures for the next plan period.",
            tag=Tag(
                "v9",
                "End of the delivery period, March 2024",
                "The plan as its delivery period ends. Most milestones are done, electronic patient records are "
                "delayed, and the measures are being revised for the next plan period.",
            ),
        ),
    )


# --- Dates: UK office hours ---------------------------------------------------------------------------------------

BANK_HOLIDAYS = frozenset(
    date.fromisoformat(day)
    for day in (
        "2020-08-31 2020-12-25 2020-12-28 2021-01-01 2021-04-02 2021-04-05 2021-05-03 2021-05-31 2021-08-30 "
        "2021-12-27 2021-12-28 2022-01-03 2022-04-15 2022-04-18 2022-05-02 2022-06-02 2022-06-03 2022-08-29 "
        "2022-09-19 2022-12-26 2022-12-27 2023-01-02 2023-04-07 2023-04-10 2023-05-01 2023-05-08 2023-05-29 "
        "2023-08-28 2023-12-25 2023-12-26 2024-01-01 2024-03-29 2024-04-01"
    ).split()
)
"""Bank holidays in England over the story, when nobody commits."""
TAG_DELAY = timedelta(minutes=10)
"""A revision is tagged a few minutes after the commit that completes it."""


def uk_time(local: str) -> datetime:
    """A UK wall-clock time as an aware datetime: +01:00 in British Summer Time, +00:00 otherwise."""
    moment = datetime.strptime(local, "%Y-%m-%d %H:%M")
    # BST runs from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October; the story
    # only uses office hours, so comparing wall-clock times with those instants is exact enough.
    starts, ends = _last_sunday(moment.year, 3), _last_sunday(moment.year, 10)
    summer = datetime(starts.year, starts.month, starts.day, 2) <= moment < datetime(ends.year, ends.month, ends.day, 1)
    return moment.replace(tzinfo=timezone(timedelta(hours=1 if summer else 0)))


def _last_sunday(year: int, month: int) -> date:
    """The last Sunday of a month."""
    last = date(year, month + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - 6) % 7)


def check_story(steps: Sequence[Step]) -> None:
    """Fail unless the story is in time order, in office hours, and every branch is merged once after its commits."""
    previous: datetime | None = None
    open_branches: set[str] = set()
    merged: set[str] = set()
    numbers: list[int] = []
    for step in steps:
        moment = uk_time(step.when)
        times = [moment] + ([moment + TAG_DELAY] if step.tag else [])
        for when in times:
            if when.weekday() >= 5 or when.date() in BANK_HOLIDAYS or not 9 <= when.hour < 18:
                raise StoryError(f"{step.when}: not in office hours on a working day")
        if previous is not None and moment <= previous:
            raise StoryError(f"{step.when}: steps must be in time order")
        previous = moment
        if isinstance(step, Merge):
            if step.branch not in open_branches:
                raise StoryError(f"{step.when}: merging {step.branch}, which has no unmerged commits")
            open_branches.discard(step.branch)
            merged.add(step.branch)
            numbers.append(step.number)
        elif step.branch is not None:
            if step.branch in merged:
                raise StoryError(f"{step.when}: {step.branch} was already merged")
            open_branches.add(step.branch)
    if open_branches:
        raise StoryError(f"branches never merged: {', '.join(sorted(open_branches))}")
    if numbers != sorted(set(numbers)):
        raise StoryError("pull request numbers must increase")


# --- Deriving the past from the present ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Write:
    """Create a file with this content."""

    path: str
    text: str


@dataclass(frozen=True, slots=True)
class _Rename:
    """`git mv` a file."""

    src: str
    dst: str


@dataclass(frozen=True, slots=True)
class _Patch:
    """Replace text that occurs once in a file, with enough whole lines around it to be unique."""

    path: str
    old: str
    new: str


_Change = _Write | _Rename | _Patch


def _unique(text: str, part: str) -> bool:
    """Whether part occurs in text exactly once (overlaps count as more than once)."""
    found = text.find(part)
    return found != -1 and found == text.rfind(part)


def _patch(path: str, old_text: str, new_text: str) -> _Patch:
    """The smallest whole-line change, with context enough to be unique in both versions, from old to new text."""
    old_lines, new_lines = old_text.splitlines(keepends=True), new_text.splitlines(keepends=True)
    shortest = min(len(old_lines), len(new_lines))
    head = 0
    while head < shortest and old_lines[head] == new_lines[head]:
        head += 1
    tail = 0
    while tail < shortest - head and old_lines[-1 - tail] == new_lines[-1 - tail]:
        tail += 1
    above = below = 0
    while True:
        old = "".join(old_lines[head - above : len(old_lines) - tail + below])
        new = "".join(new_lines[head - above : len(new_lines) - tail + below])
        if old and new and _unique(old_text, old) and _unique(new_text, new):
            return _Patch(path, old, new)
        # Grow the context one line at a time, alternating sides, so patches stay small and branch-friendly.
        if above < head and (above <= below or below >= tail):
            above += 1
        elif below < tail:
            below += 1
        else:
            raise StoryError(f"{path}: cannot make a unique patch")


def _record_span(text: str, record: str, path: str) -> tuple[int, int]:
    """Where a record's block starts and ends: from its `- id:` line to the next record's, or the end."""
    start = re.search(rf"^  - id: {re.escape(record)}\n", text, re.M)
    if start is None:
        raise StoryError(f"{path}: no record {record}")
    following = re.compile(r"^  - id: ", re.M).search(text, start.end())
    return start.start(), following.start() if following else len(text)


class _Derivation:
    """Undo the story from the current plan backwards, to find what every step wrote."""

    def __init__(self, final: dict[str, str], steps: Sequence[Step]) -> None:
        self.texts = dict(final)
        self.final_name = {path: path for path in final}
        """Every name a file ever has, with its current name: renamed pages keep their place in the nav."""
        self.folders = {
            int(match.group(1)): path.split("/", 1)[0]
            for path in final
            if (match := re.fullmatch(r"phase([0-9]+)-[^/]+/phase\.yml", path))
        }
        self.changes: list[tuple[_Change, ...]] = [() for _ in steps]
        for index in range(len(steps) - 1, -1, -1):
            step = steps[index]
            if isinstance(step, Commit):
                try:
                    self.changes[index] = tuple(reversed([self._undo(op) for op in reversed(step.ops)]))
                except StoryError as error:
                    raise StoryError(f"{step.when} {step.subject!r}: {error}") from error
        # Files added to plan/ after the story was written arrive in its last commit, when everything they
        # could refer to exists, so the replay still ends with exactly the current plan.
        last = max(i for i, step in enumerate(steps) if isinstance(step, Commit) and step.branch is None)
        self.changes[last] += tuple(_Write(path, text) for path, text in sorted(self.texts.items()))

    def _record_path(self, record: str) -> str:
        """The data file holding a milestone (by its phase number) or a measure."""
        if record.startswith("M"):
            return f"{self.folders[int(record[1:].split('.')[0])]}/milestones.yml"
        return next(path for path in self.final_name if path.endswith("/measures.yml"))

    def _undo(self, op: Op) -> _Change:
        """Undo one operation on the texts; what doing it writes."""
        if isinstance(op, Add):
            if op.path not in self.texts:
                raise StoryError(f"adds {op.path}, which is not in the plan (or is added twice)")
            return _Write(op.path, self.texts.pop(op.path))
        if isinstance(op, Move):
            self.texts[op.src] = self.texts.pop(op.dst)
            self.final_name[op.src] = self.final_name[op.dst]
            return _Rename(op.src, op.dst)
        if isinstance(op, Edit):
            path, later = op.path, self.texts.get(op.path)
            if later is None or not _unique(later, op.new):
                raise StoryError(f"{path}: expected this once: {op.new!r}")
            earlier = later.replace(op.new, op.old, 1)
            if not _unique(earlier, op.old):
                raise StoryError(f"{path}: {op.old!r} would not be unique")
        else:
            path = self._record_path(op.record)
            later = self.texts[path]
            start, end = _record_span(later, op.record, path)
            block = later[start:end]
            if isinstance(op, NewRecord) and not block.endswith("\n\n"):
                # The last record has no blank line after it, so the blank line before it goes with it.
                if later[start - 2 : start] != "\n\n":
                    raise StoryError(f"{path}: {op.record} is the only record and cannot be removed")
                start -= 1
            earlier = later[:start] + self._undo_in_record(op, block, path) + later[end:]
        self.texts[path] = earlier
        return _patch(path, earlier, later)

    def _undo_in_record(self, op: Op, block: str, path: str) -> str:
        """A record's block as it was before the operation."""
        if isinstance(op, RecordEdit | Due):
            old, new = (
                (op.old, op.new) if isinstance(op, RecordEdit) else (f"    due: {op.old}\n", f"    due: {op.new}\n")
            )
            if not _unique(block, new):
                raise StoryError(f"{path}: {op.record} should have {new!r} once")
            return block.replace(new, old, 1)
        if isinstance(op, NewRecord):
            return ""  # a record in the middle takes the blank line after it along
        assert isinstance(op, Actual)
        line = re.search(rf"^      - \{{date: {re.escape(op.when)}, value: [^}}\n]*\}}\n", block, re.M)
        if line is None:
            raise StoryError(f"{path}: {op.record} has no actual for {op.when}")
        block = block[: line.start()] + block[line.end() :]
        # A measure without actuals has no `actuals:` key at all.
        return re.sub(r"^    actuals:\n(?!      - )", "", block, flags=re.M)


# --- mkdocs.yml ---------------------------------------------------------------------------------------------------

_NAV_PAGE = re.compile(r"^(?P<lead>\s*- (?:[^\n]*?: )?)(?P<path>[^\s:]+\.md)(?P<end>\s*)$")
_NAV_SECTION = re.compile(r"^(?P<indent>\s*)- [^\n]*:\s*$")


def demo_mkdocs(project: Path) -> str:
    """The project's mkdocs.yml for the demo repository: absolute hooks (and custom_dir), and a fixed today."""
    text = (project / "mkdocs.yml").read_text("utf-8")

    def absolute(value: str) -> str:
        """A project-relative path as an absolute, quoted YAML string."""
        path = Path(value.strip("'\""))
        return json.dumps((path if path.is_absolute() else project.resolve() / path).as_posix())

    hooks = re.search(r"^hooks:\n((?:[ \t]+- .*\n)+)", text, re.M)
    if hooks is None:
        raise StoryError("mkdocs.yml has no hooks: list")
    items = re.sub(r"^([ \t]+- )(.+?)[ \t]*$", lambda m: m.group(1) + absolute(m.group(2)), hooks.group(1), flags=re.M)
    text = text[: hooks.start(1)] + items + text[hooks.end(1) :]
    text = re.sub(
        r"^([ \t]+custom_dir:[ \t]*)(\S+)[ \t]*$",
        lambda m: m.group(1) + absolute(m.group(2)),
        text,
        count=1,
        flags=re.M,
    )
    plan = re.search(r"^extra:\n(?:(?:[ \t]+.*)?\n)*?  plan:\n", text, re.M)
    if plan is None:
        raise StoryError("mkdocs.yml has no extra.plan settings")
    text = re.sub(r"^    today: .*\n", "", text, flags=re.M)
    return text[: plan.end()] + f"    today: {TODAY}\n" + text[plan.end() :]


def nav_for(mkdocs: str, pages: dict[str, str], plan_pages: set[str]) -> str:
    """mkdocs.yml with the nav cut to the pages that exist at a point of the story, under their names then.

    plan_pages are the plan's pages as the project's nav names them; pages maps those that exist to the name
    they have at this point (a renamed page keeps its place). Entries for anything else, like the generated
    What's changed page, stay. Sections left empty go.
    """
    lines = mkdocs.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == "nav:"), None)
    if start is None:
        return mkdocs
    end = next((i for i in range(start + 1, len(lines)) if lines[i][:1] not in (" ", "\t", "\n")), len(lines))
    kept: list[str] = []
    for line in lines[start + 1 : end]:
        match = _NAV_PAGE.match(line)
        if match and match["path"] in plan_pages:
            if match["path"] not in pages:
                continue
            line = match["lead"] + pages[match["path"]] + match["end"]
        kept.append(line)
    nav: list[str] = []
    for index, line in enumerate(kept):
        section = _NAV_SECTION.match(line)
        if section and not _NAV_PAGE.match(line):
            following = kept[index + 1] if index + 1 < len(kept) else ""
            if len(following) - len(following.lstrip()) <= len(section["indent"]) or not following.strip():
                continue
        nav.append(line)
    return "".join(lines[: start + 1] + nav + lines[end:])


# --- Git ----------------------------------------------------------------------------------------------------------


class _Git:
    """The git command in one repository, with a hermetic configuration and an identity and date per call."""

    def __init__(self, root: Path) -> None:
        self.root = root
        # Nothing from the user's or the system's git configuration, nor from a git that called us.
        self.base = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
        self.base.update(
            GIT_CONFIG_GLOBAL=os.devnull,
            GIT_CONFIG_NOSYSTEM="1",
            GIT_TERMINAL_PROMPT="0",
            GIT_EDITOR="true",
            LC_ALL="C",
            TZ="UTC",
        )

    def __call__(self, *args: str, who: Person = EDITORS, when: datetime | None = None) -> str:
        """Run git as someone at some moment; its output."""
        env = dict(self.base)
        stamp = (when or datetime(2020, 1, 1, tzinfo=UTC)).isoformat()
        for role in ("AUTHOR", "COMMITTER"):
            env.update({f"GIT_{role}_NAME": who.name, f"GIT_{role}_EMAIL": who.email, f"GIT_{role}_DATE": stamp})
        command = ["git", "-c", "gc.auto=0", "-c", "maintenance.auto=false", "-c", "commit.gpgSign=false", *args]
        result = subprocess.run(command, cwd=self.root, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise StoryError(f"git {' '.join(args)} failed: {result.stderr.strip() or result.stdout.strip()}")
        return result.stdout


def _message(subject: str, body: str, note: str | None) -> str:
    """A commit message: subject, optional body, and the Change-note trailer as the last paragraph."""
    parts = [subject, body] if body else [subject]
    if note:
        parts.append(f"Change-note: {note}")
    return "\n\n".join(parts) + "\n"


class _Replayer:
    """Writes the story into a new repository, checking the work tree against the derived plan as it goes."""

    def __init__(self, target: Path, project: Path, steps: Sequence[Step]) -> None:
        self.target = target
        self.plan = target / "plan"
        self.steps = steps
        self.final = {
            path.relative_to(project / "plan").as_posix(): _text(path.read_bytes())
            for path in sorted((project / "plan").rglob("*"))
            if path.is_file()
        }
        self.derivation = _Derivation(self.final, steps)
        self.mkdocs = demo_mkdocs(project)
        self.plan_pages = {path for path in self.final if path.endswith(".md")}
        self.git = _Git(target)
        self.model: dict[str, str] = {}
        """The plan as main has it."""
        self.pending: dict[str, list[_Change]] = {}
        """Each open pull request's changes, which reach the model of main when it is merged."""
        self.branch = MAIN
        self.tags: list[str] = []

    def run(self) -> str:
        """Replay every step; the final HEAD."""
        self.target.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", MAIN)
        (self.target / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
        for index, step in enumerate(self.steps):
            moment = uk_time(step.when)
            if isinstance(step, Merge):
                self._switch(MAIN)
                message = _message(f"Merge pull request #{step.number} from {step.branch}", step.title, step.note)
                self.git("merge", "-q", "--no-ff", "-m", message, step.branch, who=step.who, when=moment)
                self.git("branch", "-q", "-d", step.branch)
                for change in self.pending.pop(step.branch):
                    _change_texts(self.model, change)
                self._check_main(f"merge of {step.branch}")
            else:
                self._switch(step.branch or MAIN)
                for change in self.derivation.changes[index]:
                    self._apply(change)
                    if step.branch is None:
                        _change_texts(self.model, change)
                    else:
                        self.pending.setdefault(step.branch, []).append(change)
                self._write_mkdocs()
                self.git("add", "-A")
                self.git("commit", "-q", "-m", _message(step.subject, step.body, step.note), who=step.who, when=moment)
                if step.branch is None:
                    self._check_main(step.subject)
            if step.tag is not None:
                tag = step.tag
                self.git("tag", "-a", tag.name, "-m", f"{tag.title}\n\n{tag.summary}\n", when=moment + TAG_DELAY)
                self.tags.append(tag.name)
        if self.model != self.final or self._disk() != self.final:
            raise StoryError("the replay did not end with the current plan")
        return self.git("rev-parse", "HEAD").strip()

    def _switch(self, branch: str) -> None:
        """Check out a branch, creating a pull request's branch from main the first time."""
        if branch == self.branch:
            return
        exists = self.git("branch", "--list", branch).strip()
        self.git("switch", "-q", *(() if exists else ("-c",)), branch, *(() if exists else (MAIN,)))
        self.branch = branch

    def _apply(self, change: _Change) -> None:
        """Make one change in the work tree of the current branch."""
        if isinstance(change, _Rename):
            self.git("mv", f"plan/{change.src}", f"plan/{change.dst}")
            return
        path = self.plan / change.path
        texts = {change.path: _text(path.read_bytes())} if path.exists() else {}
        try:
            _change_texts(texts, change)
        except StoryError as error:
            raise StoryError(f"on {self.branch}: {error}") from error
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_bytes(texts[change.path]))

    def _write_mkdocs(self) -> None:
        """mkdocs.yml with a nav of the pages in the work tree, so every commit builds."""
        pages = {self.derivation.final_name[p]: p for p in self._disk() if p.endswith(".md")}
        text = nav_for(self.mkdocs, pages, self.plan_pages)
        (self.target / "mkdocs.yml").write_bytes(text.encode("utf-8"))

    def _disk(self) -> dict[str, str]:
        """The plan in the work tree."""
        if not self.plan.exists():
            return {}
        return {
            p.relative_to(self.plan).as_posix(): _text(p.read_bytes())
            for p in sorted(self.plan.rglob("*"))
            if p.is_file()
        }

    def _check_main(self, what: str) -> None:
        """Main's work tree must be the derived plan; a merge that git resolved differently is a story bug."""
        if self._disk() != self.model:
            raise StoryError(f"after {what}, main differs from the derived plan")


def _text(data: bytes) -> str:
    """A file's bytes as text; bytes that are not UTF-8 survive the round trip through _bytes."""
    return data.decode("utf-8", "surrogateescape")


def _bytes(text: str) -> bytes:
    """Text back to exactly the bytes it was read from."""
    return text.encode("utf-8", "surrogateescape")


def _change_texts(texts: dict[str, str], change: _Change) -> None:
    """Make one change in a set of files held as texts."""
    if isinstance(change, _Write):
        if change.path in texts:
            raise StoryError(f"{change.path} already exists")
        texts[change.path] = change.text
    elif isinstance(change, _Rename):
        texts[change.dst] = texts.pop(change.src)
    else:
        text = texts.get(change.path, "")
        if not _unique(text, change.old):
            raise StoryError(f"{change.path}: the text to change is not there once: {change.old!r}")
        texts[change.path] = text.replace(change.old, change.new, 1)


def _reforecasts(steps: Sequence[Step]) -> tuple[tuple[str, tuple[date, ...]], ...]:
    """Each re-forecast milestone with its due dates in story order."""
    dues: dict[str, list[date]] = {}
    for step in steps:
        for op in step.ops if isinstance(step, Commit) else ():
            if isinstance(op, Due):
                history = dues.setdefault(op.record, [date.fromisoformat(op.old)])
                if history[-1] != date.fromisoformat(op.old):
                    raise StoryError(f"{op.record} moves from {op.old}, but was due {history[-1]}")
                history.append(date.fromisoformat(op.new))
    return tuple((record, tuple(history)) for record, history in dues.items())


def replay(target: Path, project: Path | None = None) -> ReplaySummary:
    """Write the plan's history into a new git repository at target, ending with exactly project's plan."""
    project = (project or Path(__file__).resolve().parents[2]).resolve()
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise StoryError(f"{target} must be an empty folder or not exist yet")
    steps = story()
    check_story(steps)
    replayer = _Replayer(target, project, steps)
    head = replayer.run()
    git = replayer.git
    return ReplaySummary(
        commits=int(git("rev-list", "--count", "HEAD").strip()),
        merges=int(git("rev-list", "--count", "--merges", "HEAD").strip()),
        tags=tuple(replayer.tags),
        head=head,
        reforecasts=_reforecasts(steps),
    )


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: replay the story into a folder and say what was written."""
    parser = argparse.ArgumentParser(
        prog="python -m techplan.demo.replay",
        description="Create a git repository whose history tells the Tech Plan's life, summer 2020 to March 2024.",
    )
    parser.add_argument("target", type=Path, help="an empty or new folder for the repository")
    parser.add_argument(
        "--project", type=Path, default=None, help="the project whose plan/ to replay (default: this one)"
    )
    args = parser.parse_args(argv)
    try:
        summary = replay(args.target, args.project)
    except StoryError as error:
        print(f"techplan.demo.replay: {error}", file=sys.stderr)
        return 1
    print(
        f"Replayed {summary.commits} commits ({summary.merges} merges) and {len(summary.tags)} tags "
        f"({summary.tags[0]}..{summary.tags[-1]}) into {args.target}; HEAD {summary.head[:12]}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
