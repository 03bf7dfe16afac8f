"""Which kind of source a `--source` names: the portal (an http(s) URL) or a folder."""

from __future__ import annotations

from typing import Literal

SourceKind = Literal["portal", "folder"]


def source_kind(source: str) -> SourceKind:
    """The portal when `source` is an http(s) URL, otherwise a folder."""
    return "portal" if source.startswith(("http://", "https://")) else "folder"


def is_portal(source: str) -> bool:
    """Whether `source` is the portal (the one definition every layer uses)."""
    return source_kind(source) == "portal"
