"""Tags as a managed list: a category and a colour for the pages, a synonym merged into the
tag it means (putting it puts that one, so counts are not split), and a retired tag no
longer put on tickets while its history stays. Pure."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime

TAG = re.compile(r"[^\W_][\w.:-]{0,63}")  # as a ticket's tag (store/ticket_repo.py)
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
CATEGORY = re.compile(r"[\w][\w /&.-]{0,59}")


class TopicTagError(ValueError):
    """A tag definition that cannot be kept; the message starts with the culprit field."""


@dataclasses.dataclass(frozen=True)
class TopicTag:
    name: str
    category: str = ""
    colour: str = ""  # "#rrggbb", "" for the page's own
    merged_into: str | None = None  # a synonym of this tag
    retired: bool = False
    updated_at: datetime | None = None
    updated_by: str = ""
    uses: int = 0  # put in the last 30 days (as read)


def check_tag(tag: TopicTag, known: dict[str, TopicTag]) -> TopicTag:
    """``tag`` normalised; TopicTagError naming the field. ``known``: the tags defined."""
    tag = dataclasses.replace(
        tag,
        name=tag.name.strip().lower(),
        category=tag.category.strip(),
        merged_into=(tag.merged_into or "").strip().lower() or None,
    )
    if not TAG.fullmatch(tag.name):
        raise TopicTagError(f"name: {tag.name!r} is not a tag (letters and digits, then _.:-)")
    if tag.category and not CATEGORY.fullmatch(tag.category):
        raise TopicTagError(f"category: {tag.category!r} is not a category name")
    if tag.colour and not COLOUR.fullmatch(tag.colour):
        raise TopicTagError(f"colour: {tag.colour!r} is not #rrggbb")
    target = tag.merged_into
    if target is not None:
        if target == tag.name or not TAG.fullmatch(target):
            raise TopicTagError(f"merged_into: {target!r} is not another tag")
        into = known.get(target)
        if into is not None and (into.merged_into or into.retired):
            raise TopicTagError(
                f"merged_into: {target!r} is itself merged or retired (merge into what it means)"
            )
        if any(k.merged_into == tag.name for k in known.values()):
            raise TopicTagError(f"merged_into: other tags are merged into {tag.name!r}")
    return tag


def canonical(name: str, known: dict[str, TopicTag]) -> str:
    """The tag ``name`` stands for (itself unless it was merged into another)."""
    tag = known.get(name)
    return tag.merged_into if tag is not None and tag.merged_into else name
