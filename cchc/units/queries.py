"""Hierarchy queries done in the database (recursive CTE works on SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from .models import Unit


def descendant_ids(unit_id: int, at: dt.date | None = None, include_self: bool = True) -> set[int]:
    """Ids of a unit and everything under it; with `at`, only units valid on that date."""
    table = connection.ops.quote_name(Unit._meta.db_table)
    valid = ""
    params: list = [unit_id]
    if at is not None:
        valid = (
            " AND (u.valid_from IS NULL OR u.valid_from <= %s)"
            " AND (u.valid_to IS NULL OR u.valid_to >= %s)"
        )
        params += [at, at]
    sql = (
        f"WITH RECURSIVE tree(id) AS (SELECT id FROM {table} WHERE id = %s "
        f"UNION SELECT u.id FROM {table} u JOIN tree t ON u.parent_id = t.id{valid}) "
        "SELECT id FROM tree"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = {row[0] for row in cursor.fetchall()}
    if not include_self:
        ids.discard(unit_id)
    return ids
