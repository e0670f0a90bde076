"""The edits themselves: change a milestone's or measure's fields, add an actual, add a milestone.

Each public function drafts one command's edit from a Session; `make_edit` checks and writes
it. The fields `set` can change are derived from the plan's spec (techplan.plan.spec), so a
field added there can be set here without restating it.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from pathlib import Path

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from techplan.edit import EditError
from techplan.edit.scalars import FOLD_WIDTH, flow_list, fold_text, literal_text, parse_ids, write_scalar
from techplan.edit.session import Draft, Found, Session
from techplan.edit.splice import (
    FileEdit,
    Shape,
    block_end,
    colon_after,
    content_end,
    dash_column,
    entry_end,
    find_entry,
    is_empty,
    line_end,
    line_start,
    list_items,
    scalar_value,
    value_span,
)
from techplan.plan.settings import PlanConfig
from techplan.plan.spec import MEASURE, MILESTONE, RecordSpec
from techplan.plan.validate import parse_date

SCHEMA_LINE = "# yaml-language-server: $schema=../../techplan/plan/schemas/milestones.schema.json"
"""The first line of a new milestones.yml, so editors check it as they do the others."""

_WRITTEN_AS = {
    "text": "text",
    "markdown": "text",
    "choice": "text",
    "link": "text",
    "date": "date",
    "number": "number",
    "ids": "ids",
}
"""How a value of each kind of field (spec.Field.kind) is written: as text, a date, a number or a list of ids."""


def settable_fields(spec: RecordSpec) -> dict[str, str]:
    """The fields `set` changes, in the spec's order, and how each value is written.

    Every field but the id (ids never change) and lists of records (actuals have their own
    command); a record field such as a measure's target is set part by part: target.date, target.value.
    """
    kinds: dict[str, str] = {}
    for field in spec.fields:
        if field.kind in ("id", "records"):
            continue
        if field.kind == "record" and field.record is not None:
            for part in field.record.fields:
                kinds[f"{field.name}.{part.name}"] = _WRITTEN_AS[part.kind]
        else:
            kinds[field.name] = _WRITTEN_AS[field.kind]
    return kinds


MILESTONE_FIELDS = settable_fields(MILESTONE)
"""The milestone fields `techplan milestone set` changes, and how each value is written."""

MEASURE_FIELDS = settable_fields(MEASURE)
"""The measure fields `techplan measure set` changes, and how each value is written."""


def set_milestone(session: Session, record_id: str, changes: dict[str, str]) -> Draft:
    """`milestone set ID field=value ...`: change fields of a milestone."""
    found = session.find(MILESTONE.noun, record_id)
    edit = FileEdit(found.data)
    _set_fields(edit, found, MILESTONE, changes)
    return Draft((edit,), MILESTONE.noun, record_id, tuple(changes))


def set_measure(session: Session, record_id: str, changes: dict[str, str]) -> Draft:
    """`measure set ID field=value ...`: change fields of a measure."""
    found = session.find(MEASURE.noun, record_id)
    edit = FileEdit(found.data)
    _set_fields(edit, found, MEASURE, changes)
    return Draft((edit,), MEASURE.noun, record_id, tuple(changes))


def add_actual(session: Session, record_id: str, when: str, value: str) -> Draft:
    """`measure add-actual ID DATE VALUE`: add a measured value, in date order."""
    found = session.find(MEASURE.noun, record_id)
    edit = FileEdit(found.data)
    _add_actual(edit, found, when, value)
    return Draft((edit,), MEASURE.noun, record_id, ("actuals",))


def add_milestone(session: Session, phase: int, record_id: str | None, fields: dict[str, str]) -> Draft:
    """`milestone add --phase N ...`: add a milestone at the end of a phase's milestones.yml.

    `fields` are every milestone field but the id; without `record_id`, the next free id in the phase is used.
    """
    folder = session.phase_folder(phase)
    data = session.read(f"{folder}/milestones.yml")
    if data.error is not None:
        raise EditError(f"{data.display} cannot be read ({data.error}), so it cannot be edited safely; fix it first", 1)
    new_id = record_id or session.next_milestone_id(phase)
    series = re.fullmatch(r"M([0-9]+)\.[0-9]+", new_id)
    if series and int(series.group(1)) != phase:
        raise EditError(
            f"{new_id} is not an id for phase {phase}: its milestones are M{phase}.1, "
            f"M{phase}.2 and so on; leave out --id to use the next free one "
            f"({session.next_milestone_id(phase)})",
            1,
        )
    notes = () if record_id else (f"The new milestone's id is {new_id}, the next free id in phase {phase}.",)
    values = {"id": new_id, **fields}
    edit = FileEdit(data)
    _append_milestone(edit, session.config, values)
    return Draft((edit,), MILESTONE.noun, new_id, tuple(values), added=True, notes=notes)


def _set_fields(edit: FileEdit, found: Found, spec: RecordSpec, changes: dict[str, str]) -> None:
    """Change fields of one record in place."""
    record = found.node
    path: tuple[str | int, ...] = (found.list_key, found.index)
    kinds = settable_fields(spec)
    for name, value in changes.items():
        top, _, sub = name.partition(".")
        kind = kinds[name]
        entry = find_entry(record, top)
        if sub:
            nested = find_entry(entry[1], sub) if entry is not None else None
            if nested is None:
                raise EditError(
                    f"{found.record_id} has no {name} to change; write its {top} in the file by hand, "
                    f"like {top}: {{date: 2024-03-31, value: 100}}",
                    1,
                )
            in_braces = entry is not None and bool(getattr(entry[1], "flow_style", False))
            _replace_value(edit, nested, (*path, top, sub), value, kind, flow=in_braces)
            continue
        field_spec = spec.field(top)
        optional = field_spec is not None and not field_spec.required
        if kind == "ids":
            _set_ids(edit, record, path, spec, entry, parse_ids(value))
        elif entry is None:
            if value or not optional:
                rendered, shape = write_scalar(value, kind)
                _insert_field(edit, record, path, spec, top, [f": {rendered}" if rendered else ":"], shape)
        elif value == "" and optional:
            _remove_field(edit, record, path, entry)
        else:
            _replace_value(edit, entry, (*path, top), value, kind)


def _replace_value(
    edit: FileEdit,
    entry: tuple[ScalarNode, Node],
    path: tuple[str | int, ...],
    value: str,
    kind: str,
    flow: bool = False,
) -> None:
    """Replace one value where it is written, in the same style: a block stays a block, quotes stay quotes."""
    text, newline = edit.text, edit.newline
    key, old = entry
    if isinstance(old, ScalarNode) and old.style in ("|", ">") and value:
        header_break = text.find("\n", old.start_mark.index)
        end = block_end(text, old)
        if header_break != -1:
            body = text[header_break + 1 : end].replace("\r", "").split("\n") if end > header_break else []
            written = [line for line in body if line.strip()]
            indent = len(written[0]) - len(written[0].lstrip(" ")) if written else key.start_mark.column + 2
            # Wrap at the plan's usual width, or wider if the old text ran wider.
            width = max([FOLD_WIDTH, *(len(line) for line in body)])
            if old.style == ">":
                lines = fold_text(value, indent, width, newline)
            else:
                lines = literal_text(value, indent, newline)
            if lines is not None:
                start = line_end(text, old.start_mark.index)
                edit.splice(start, max(end, start), newline + lines)
                edit.expect(path, ("scalar", "str", value))
                return
    start, end, lead = value_span(text, key, old)
    style = old.style if isinstance(old, ScalarNode) else None
    rendered, shape = write_scalar(value, kind, style, flow=flow)
    if not rendered:
        # Nothing after the colon, not even a space: `owner:` is how an empty value is written.
        start, lead = colon_after(text, key) + 1, ""
    edit.splice(start, end, lead + rendered)
    edit.expect(path, shape)


def _set_ids(
    edit: FileEdit,
    record: MappingNode,
    path: tuple[str | int, ...],
    spec: RecordSpec,
    entry: tuple[ScalarNode, Node] | None,
    ids: list[str],
) -> None:
    """Set depends_on: a list in brackets, or one id a line if the file writes it that way."""
    if not ids:
        if entry is not None:
            _remove_field(edit, record, path, entry)
        return
    rendered, shape = flow_list(ids)
    if entry is None:
        _insert_field(edit, record, path, spec, "depends_on", [f": {rendered}"], shape)
        return
    key, old = entry
    if isinstance(old, SequenceNode) and not old.flow_style and old.value:
        column = dash_column(edit.text, old.value[0])
        if column is not None:
            items = [write_scalar(i, "text")[0] for i in ids]
            joined = (edit.newline + " " * column).join(f"- {item}" for item in items)
            edit.splice(int(old.start_mark.index), content_end(edit.text, old), joined)
            edit.expect((*path, "depends_on"), shape)
            return
    start, end, lead = value_span(edit.text, key, old)
    edit.splice(start, end, lead + rendered)
    edit.expect((*path, "depends_on"), shape)


def _insert_field(
    edit: FileEdit,
    record: MappingNode,
    path: tuple[str | int, ...],
    spec: RecordSpec,
    name: str,
    lines: list[str],
    shape: Shape,
) -> None:
    """Add a field the record lacks, on new lines after the field that usually comes before it.

    `lines` are what follows the key: the rest of its line, then any further lines, indented
    relative to the key.
    """
    if record.flow_style or not record.value:
        raise EditError(f"the record is written in braces; add {name} to it by hand", 1)
    order = list(spec.names)
    earlier = set(order[: order.index(name)]) if name in order else set(order)
    anchor = len(record.value) - 1
    for position, (key, _) in enumerate(record.value):
        if isinstance(key, ScalarNode) and key.value in earlier:
            anchor = position
    key, value = record.value[anchor]
    text, newline = edit.text, edit.newline
    column = record.start_mark.column
    where = line_end(text, entry_end(text, key, value))
    written = [" " * column + name + lines[0], *(" " * column + line for line in lines[1:])]
    edit.splice(where, where, newline + newline.join(written))
    edit.expect_inserted(path, anchor + 1, shape, key=name)


def _remove_field(
    edit: FileEdit, record: MappingNode, path: tuple[str | int, ...], entry: tuple[ScalarNode, Node]
) -> None:
    """Remove a field and its value: its whole lines, nothing else."""
    text = edit.text
    key, value = entry
    start = line_start(text, key.start_mark.index)
    if record.flow_style or text[start : key.start_mark.index].strip():
        raise EditError(f"{key.value} is not on a line of its own; remove it by hand", 1)
    end = text.find("\n", entry_end(text, key, value))
    if end == -1:
        # The last line of a file without a final line break: take the break before it instead.
        start, end = max(start - len(edit.newline), 0), len(text)
    else:
        end += 1
    edit.splice(start, end, "")
    edit.expect_removed((*path, str(key.value)))


def _list_offset(edit: FileEdit, default: int = 2) -> int:
    """How far the file indents a list's dashes under its key (ruamel's `offset`): 2 in the plan's files."""
    root = edit.data.root
    if isinstance(root, MappingNode) and root.value:
        key, value = root.value[0]
        if isinstance(value, SequenceNode) and not value.flow_style and value.value:
            column = dash_column(edit.text, value.value[0])
            if column is not None:
                return column - int(key.start_mark.column)
    return default


def _add_actual(edit: FileEdit, found: Found, when: str, value: str) -> None:
    """Add {date, value} to a measure's actuals, in date order, written as the others are."""
    text, newline = edit.text, edit.newline
    record = found.node
    path: tuple[str | int, ...] = (found.list_key, found.index)
    date_text, date_shape = write_scalar(when, "date", flow=True)
    value_text, value_shape = write_scalar(value, "number", flow=True)
    shape = ["map", [[("scalar", "str", "date"), date_shape], [("scalar", "str", "value"), value_shape]]]
    flow_item = f"{{date: {date_text}, value: {value_text}}}"
    entry = find_entry(record, "actuals")
    if entry is None or is_empty(entry[1]):
        column = record.start_mark.column + _list_offset(edit)
        lines = [f"{' ' * (column - record.start_mark.column)}- {flow_item}"]
        if entry is None:
            _insert_field(edit, record, path, MEASURE, "actuals", [":", *lines], ["seq", [shape]])
        else:
            where = line_end(text, colon_after(text, entry[0]) + 1)
            edit.splice(where, where, newline + " " * column + f"- {flow_item}")
            edit.expect((*path, "actuals"), ["seq", [shape]])
        return
    actuals = entry[1]
    if not isinstance(actuals, SequenceNode):
        raise EditError(f"{found.record_id}'s actuals are not a list; fix them first (techplan check says how)", 1)
    new_date, _ = parse_date(when)
    position = 0
    for index, item in enumerate(actuals.value):
        item_date, _ = parse_date(scalar_value(find_entry(item, "date")) or "")
        # After every actual dated on or before it: a second value for a date lands after the
        # first, so the checker's "already has an actual" points at the new line.
        if new_date is None or (item_date is not None and item_date <= new_date):
            position = index + 1
    items = actuals.value
    if actuals.flow_style:
        # [..., {date: ..., value: ...}]: insert between the brackets, with a comma.
        if not items:
            where = int(actuals.start_mark.index) + 1
            edit.splice(where, where, flow_item)
        elif position == 0:
            where = int(items[0].start_mark.index)
            edit.splice(where, where, flow_item + ", ")
        else:
            where = int(items[position - 1].end_mark.index)
            edit.splice(where, where, ", " + flow_item)
        edit.expect_inserted((*path, "actuals"), position, shape)
        return
    model = items[min(position, len(items) - 1)]
    column = dash_column(text, model)
    if column is None:
        raise EditError(f"{found.record_id}'s actuals are written in a way the editor does not handle; edit by hand", 1)
    if isinstance(model, MappingNode) and model.flow_style:
        # Keep the spacing inside the braces the file uses: {date: ...} or { date: ... }.
        inner = " " if text[model.start_mark.index + 1 : model.start_mark.index + 2] == " " else ""
        item_lines = [f"- {{{inner}date: {date_text}, value: {value_text}{inner}}}"]
    else:
        pad = " " * (model.start_mark.column - column - 1)
        item_lines = [f"-{pad}date: {date_text}", f"{' ' * (model.start_mark.column - column)}value: {value_text}"]
    lines = [" " * column + line for line in item_lines]
    if position == 0:
        where = line_start(text, items[0].start_mark.index)
        edit.splice(where, where, newline.join(lines) + newline)
    else:
        where = line_end(text, content_end(text, items[position - 1]))
        edit.splice(where, where, newline + newline.join(lines))
    edit.expect_inserted((*path, "actuals"), position, shape)


def _append_milestone(edit: FileEdit, config: PlanConfig, fields: dict[str, str]) -> None:
    """Add a milestone at the end of the file's list, laid out as the file's other milestones are."""
    text, newline = edit.text, edit.newline
    root = edit.data.root
    entry = find_entry(root, "milestones")
    items = list_items(root, "milestones")
    # Lay the new milestone out as the others are: where the dash and the keys go, whether
    # milestones are separated by a blank line, whether summaries are folded blocks.
    dash, column, block_indent, folded, blank = 2, 4, 2, True, True
    if items:
        first = items[0][1]
        column = int(first.start_mark.column)
        found_dash = dash_column(text, first)
        dash = column - 2 if found_dash is None else found_dash
        summary = find_entry(items[-1][1], "summary")
        if summary is not None and isinstance(summary[1], ScalarNode):
            folded = summary[1].style == ">"
            if folded:
                body = text[line_end(text, summary[1].start_mark.index) : block_end(text, summary[1])]
                written = [line for line in body.replace("\r", "").split("\n") if line.strip()]
                if written:
                    block_indent = len(written[0]) - len(written[0].lstrip(" ")) - int(summary[0].start_mark.column)
        if len(items) > 1:
            blank = any(_blank_between(text, a, b) for (_, a), (_, b) in itertools.pairwise(items))
    elif entry is not None and isinstance(entry[1], SequenceNode) and entry[1].value:
        raise EditError(f"the milestones in {edit.data.display} are not written one per item; edit it by hand", 1)
    elif entry is not None:
        dash = int(entry[0].start_mark.column) + _list_offset(edit)
        column = dash + 2
    lines, shape = _milestone_lines(fields, dash, column, block_indent, folded)

    list_entry_shape = ["seq", [shape]]
    if edit.data.raw is None:
        header = _schema_line(config, edit.data.path)
        edit.splice(0, 0, newline.join([header, "milestones:", *lines]) + newline)
        edit.expected = ["map", [[("scalar", "str", "milestones"), list_entry_shape]]]
        return
    if root is None or entry is None:
        if root is not None:
            raise EditError(f"{edit.data.display} has no milestones: list; add one by hand", 1)
        # Only comments so far: add the list after them.
        lead = "" if not text or text.endswith("\n") else newline
        edit.splice(len(text), len(text), lead + newline.join(["milestones:", *lines]) + newline)
        edit.expected = ["map", [[("scalar", "str", "milestones"), list_entry_shape]]]
        return
    key, value = entry
    if not items:
        if isinstance(value, SequenceNode) and value.flow_style:
            # `milestones: []`: the brackets go, the list is written below the key.
            colon = colon_after(text, key)
            edit.splice(colon + 1, int(value.end_mark.index), "")
        elif not is_empty(value):
            raise EditError(f"milestones: in {edit.data.display} is not a list; fix it first", 1)
        where = line_end(text, colon_after(text, key) + 1)
        edit.splice(where, where, newline + newline.join(lines))
        edit.expect(("milestones",), list_entry_shape)
        return
    last = items[-1][1]
    where = line_end(text, content_end(text, last))
    # Comment lines indented under the last milestone belong to it; the new one goes after them.
    while where < len(text):
        following = text.find("\n", where) + 1
        line = text[following : line_end(text, following)]
        if following and line.lstrip().startswith("#") and len(line) - len(line.lstrip(" ")) > dash:
            where = line_end(text, following)
        else:
            break
    edit.splice(where, where, newline + (newline if blank else "") + newline.join(lines))
    assert isinstance(value, SequenceNode)
    edit.expect_inserted(("milestones",), len(value.value), shape)


def _blank_between(text: str, first: Node, second: Node) -> bool:
    """Whether a blank line separates two list items."""
    gap = text[line_end(text, content_end(text, first)) : line_start(text, second.start_mark.index)]
    return any(not line.strip() for line in gap.replace("\r", "").split("\n")[1:-1])


def _milestone_lines(
    fields: dict[str, str], dash: int, column: int, block_indent: int, folded: bool
) -> tuple[list[str], Shape]:
    """The lines of a new milestone, and how it reads."""
    pad = " " * column
    lines: list[str] = []
    pairs: list[Shape] = []
    kinds = settable_fields(MILESTONE)
    for name in MILESTONE.names:
        value = fields[name]
        if kinds.get(name) == "ids":
            ids = parse_ids(value)
            if not ids:
                continue
            rendered, shape = flow_list(ids)
            written = [f"{name}: {rendered}"]
        elif name == "summary" and folded and (body := fold_text(value, column + block_indent, FOLD_WIDTH, "\n")):
            written = [f"{name}: >-", *(line[column:] for line in body.split("\n"))]
            shape = ("scalar", "str", value)
        else:
            rendered, shape = write_scalar(value, kinds.get(name, "text"))
            written = [f"{name}: {rendered}" if rendered else f"{name}:"]
        pairs.append([("scalar", "str", name), shape])
        lines += [pad + line for line in written]
    lines[0] = " " * dash + "-" + " " * (column - dash - 1) + lines[0][column:]
    return lines, ["map", pairs]


def _schema_line(config: PlanConfig, path: Path) -> str:
    """The schema comment for a new milestones.yml: as another milestones.yml has it, else the usual one."""
    for other in sorted(config.plan_dir.glob("*/milestones.yml")):
        with contextlib.suppress(OSError, UnicodeDecodeError):
            first = other.read_text(encoding="utf-8-sig").split("\n", 1)[0].rstrip("\r")
            if first.startswith("# yaml-language-server:") and other.parent.parent == path.parent.parent:
                return first
    return SCHEMA_LINE
