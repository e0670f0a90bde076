"""Links between pages of the built site."""

from __future__ import annotations

import functools
import posixpath


@functools.lru_cache(maxsize=65536)
def relative_url(target: str, base: str) -> str:
    """A site-root-relative URL (`phase2-roadmap/`) as seen from another page's URL."""
    base_dir = base if base.endswith("/") or base == "" else posixpath.dirname(base) + "/"
    fragment = ""
    if "#" in target:
        target, fragment = target.split("#", 1)
        fragment = "#" + fragment
    if fragment and target == base:
        return fragment
    relative = posixpath.relpath("/" + target, "/" + base_dir)
    if target.endswith("/") or target == "":
        relative = relative.rstrip("/") + "/"
    return relative + fragment
