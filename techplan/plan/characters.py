"""Characters text in the plan may not hold: named for the check, replaced in everything the site publishes.

One list serves both ends. The check refuses these characters in data fields and pages with a
message that names each one (`U+001B ESC`), and the outputs (pages, feeds, calendars) replace
any that still arrive, from commit messages or an old revision, so that every file stays valid.
"""

from __future__ import annotations

import re
import unicodedata

REFUSED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
"""Control characters (C0 but tab and newline, DEL, C1), the Unicode line and paragraph separators,
lone surrogates and the two non-characters XML forbids: invisible, or not text at all."""

UNPUBLISHABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
"""What no published file may hold: XML 1.0 forbids C0 but tab, newline and carriage return, lone
surrogates and U+FFFE/U+FFFF; HTML calls DEL and C1 parse errors; UTF-8 cannot encode a surrogate."""

REPLACEMENT = "\ufffd"
"""What an unpublishable character becomes: the replacement character, so a reader sees something was there."""

_C0 = (
    "NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI DLE DC1 DC2 DC3 DC4 NAK SYN ETB CAN EM SUB ESC FS GS RS US"
).split()
_C1 = (
    "PAD HOP BPH NBH IND NEL SSA ESA HTS HTJ VTS PLD PLU RI SS2 SS3 "
    "DCS PU1 PU2 STS CCH MW SPA EPA SOS SGCI SCI CSI ST OSC PM APC"
).split()


def describe_character(char: str) -> str:
    """Name a character the way a Unicode table does: `U+001B ESC`, `U+2028 LINE SEPARATOR`."""
    code = ord(char)
    if code < 0x20:
        name = _C0[code]
    elif code == 0x7F:
        name = "DEL"
    elif 0x80 <= code <= 0x9F:
        name = _C1[code - 0x80]
    elif 0xD800 <= code <= 0xDFFF:
        name = "(half of a character: a lone surrogate)"
    else:
        name = unicodedata.name(char, "(not a character)")
    return f"U+{code:04X} {name}"


def refused_characters(text: str) -> list[tuple[str, int]]:
    """Each distinct refused character in text with the offset where it first appears, in order."""
    first: dict[str, int] = {}
    for match in REFUSED.finditer(text):
        first.setdefault(match.group(), match.start())
    return list(first.items())


def without_refused(text: str) -> str:
    """Text with every refused character taken out."""
    return REFUSED.sub("", text)


def refused_message(text: str) -> str | None:
    """What to say about refused characters in text, naming each and where it is; None if there are none."""
    found = refused_characters(text)
    if not found:
        return None
    places = []
    for char, offset in found[:3]:
        before = _last_words(without_refused(text[:offset]))
        where = f'after "{before}"' if before else "at the start"
        places.append(f"{describe_character(char)} {where}")
    if len(found) > 3:
        places.append(f"{len(found) - 3} more")
    if len(found) == 1:
        return (
            f"contains {places[0]}, an invisible character that cannot be published; delete it "
            "(it often comes with text pasted from another program)"
        )
    listed = ", ".join(places[:-1]) + " and " + places[-1]
    return (
        f"contains {listed}, invisible characters that cannot be published; delete them "
        "(they often come with text pasted from another program)"
    )


def encodable(text: str) -> str:
    """Text UTF-8 can encode: each lone surrogate replaced by U+FFFD, everything else exact (for JSON)."""
    return _SURROGATE.sub(REPLACEMENT, text) if _SURROGATE.search(text) else text


_SURROGATE = re.compile("[\ud800-\udfff]")


def _last_words(text: str, limit: int = 24) -> str:
    """The end of a text, whole words where they fit in `limit` characters, "..." where it was cut."""
    words = text.split()
    kept: list[str] = []
    while words and len(" ".join([words[-1], *kept])) <= limit:
        kept.insert(0, words.pop())
    if not kept and words:
        return "..." + words[-1][-limit:]
    return ("..." if words else "") + " ".join(kept)


def publishable(text: str) -> str:
    """Text with every character no published file may hold replaced by U+FFFD."""
    return UNPUBLISHABLE.sub(REPLACEMENT, text) if UNPUBLISHABLE.search(text) else text
