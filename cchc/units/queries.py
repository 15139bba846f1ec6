"""Hierarchy and history queries done in the database (recursive CTE works on SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from .models import Unit


def _descendants_sql(unit_id: int, at: dt.date | None) -> tuple[str, list]:
    table = connection.ops.quote_name(Unit._meta.db_table)
    valid = ""
    params: list = [unit_id]
    if at is not None:
        valid = (
            " AND (u.valid_from IS NULL OR u.valid_from <= %s)"
            " AND (u.valid_to IS NULL OR u.valid_to >= %s)"
        )
        params += [at, at]
    # Only the quoted table name is interpolated; values go through parameters.
    sql = (
        f"WITH RECURSIVE tree(id) AS (SELECT id FROM {table} WHERE id = %s "  # noqa: S608
        f"UNION SELECT u.id FROM {table} u JOIN tree t ON u.parent_id = t.id{valid}) "
        "SELECT id FROM tree"
    )
    return sql, params


def descendant_ids(unit_id: int, at: dt.date | None = None, include_self: bool = True) -> set[int]:
    """Ids of a unit and everything under it; with `at`, only units valid on that date."""
    sql, params = _descendants_sql(unit_id, at)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = {row[0] for row in cursor.fetchall()}
    if not include_self:
        ids.discard(unit_id)
    return ids


def descendants(unit: Unit, at: dt.date | None = None) -> QuerySet[Unit]:
    """Everything under `unit` (not the unit itself); with `at`, only what exists on that date.

    A unit valid on the date but under an abolished one is left out too: on that date it is not
    part of this unit's tree. The filtering stays in the database, so the set may be large.
    """
    sql, params = _descendants_sql(unit.pk, at)
    inside = RawSQL(sql, params)  # noqa: S611 - parameterised, see _descendants_sql
    return Unit.objects.filter(id__in=inside).exclude(pk=unit.pk)


def ancestors(unit: Unit) -> list[Unit]:
    """The parent chain from the top unit down to the direct parent (breadcrumb order); cycle-safe."""
    chain: list[Unit] = []
    seen = {unit.pk}
    parent_id = unit.parent_id
    while parent_id is not None and parent_id not in seen:
        parent = Unit.objects.filter(pk=parent_id).first()
        if parent is None:
            break
        chain.append(parent)
        seen.add(parent_id)
        parent_id = parent.parent_id
    chain.reverse()
    return chain


def current_successors(unit: Unit, at: dt.date | None = None) -> list[Unit]:
    """The units that carry on `unit` on a date (today by default), following mergers and splits.

    A unit valid on the date is its own successor. Otherwise successor links are followed, as many
    steps as needed, until units valid on the date are reached; a link cycle or a dead end (an
    abolished unit with no successor) simply stops that branch. Result ordered by code.
    """
    at = at or timezone.localdate()
    if unit.is_valid_at(at):
        return [unit]
    found: dict[int, Unit] = {}
    seen = {unit.pk}
    frontier = [unit.pk]
    while frontier:
        step = list(Unit.objects.filter(predecessors__in=frontier).exclude(pk__in=seen).distinct())
        frontier = []
        for successor in step:
            seen.add(successor.pk)
            if successor.is_valid_at(at):
                found[successor.pk] = successor
            else:
                frontier.append(successor.pk)
    return sorted(found.values(), key=lambda u: u.code)
