"""cchc's own dossier store: Parquet partitioned by received month, one row per dossier (pure: no Django).

Why this shape: statistics scan tens of millions of dossiers, so they are kept as columnar Parquet
with their due time already computed (``due_day``, ``deadline``), read by DuckDB without any Python
per row. A re-import must update, never duplicate, and a failed import must leave the store as it
was; so every import writes the partitions it touches into a new *version* directory (untouched
partitions are hard-linked, not copied) and switches the ``CURRENT`` pointer file with one atomic
rename. Readers always see one complete version.

Layout under the root (default ``$CCHC_DATA_DIR/dossiers``)::

    CURRENT                                   name of the live version
    versions/<name>/month=YYYY-MM/*.parquet   hive partitions by month of received_at

Due times are computed with the working-day calendar at import time: after a change of the
calendar data file, re-import the files concerned.
"""

from __future__ import annotations

import csv
import os
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from .reader import DossierFileError, ExportMapping, RowError, read_dossiers, read_dossiers_lenient
from .scan import quote
from .schema import COLUMNS

Progress = Callable[[str, int, int], None]  # (Vietnamese stage, step, number of steps)
STORED_COLUMNS = (*COLUMNS, "due_day", "deadline")
_STEPS = 4


class ImportResult(NamedTuple):
    """What an import did: new dossiers, dossiers replaced, rows rejected, dossiers in the store after."""

    imported: int
    updated: int
    rejected: int
    total: int


def default_root() -> Path:
    """``$CCHC_DATA_DIR/dossiers`` (same default data dir as the settings, without importing Django)."""
    return Path(os.environ.get("CCHC_DATA_DIR", "./var")).resolve() / "dossiers"


class DossierStore:
    """The dossier store in one directory; see the module docstring for the layout and guarantees."""

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root) if root is not None else default_root()

    # -- reading ---------------------------------------------------------------------------------

    def current_dir(self) -> Path | None:
        """Directory of the live version, or None for an empty store."""
        try:
            name = (self.root / "CURRENT").read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        path = self.root / "versions" / name
        return path if name and path.is_dir() else None

    def glob(self) -> str | None:
        """Parquet glob of the live version (what ``dossier_stats`` accepts), None when empty."""
        current = self.current_dir()
        if current is None or not any(current.glob("month=*/*.parquet")):
            return None
        return str(current / "month=*" / "*.parquet")

    def source(self) -> str | None:
        """The source to give ``dossier_stats`` / ``late_without_apology_ids`` (the glob)."""
        return self.glob()

    def count(self) -> int:
        """Number of dossiers in the store (Parquet metadata only)."""
        pattern = self.glob()
        if pattern is None:
            return 0
        con = duckdb.connect()
        try:
            return int(con.execute(f"SELECT count(*) FROM read_parquet({quote(pattern)})").fetchall()[0][0])  # noqa: S608
        finally:
            con.close()

    def months(self) -> list[str]:
        """Partitions of the live version, YYYY-MM, sorted."""
        current = self.current_dir()
        if current is None:
            return []
        return sorted(p.name.split("=", 1)[1] for p in current.glob("month=*") if p.is_dir())

    # -- import ----------------------------------------------------------------------------------

    def import_file(
        self,
        path: str | Path,
        *,
        skip_bad: Path | None = None,
        mapping: ExportMapping | str | Path | None = None,
        progress: Progress | None = None,
    ) -> ImportResult:
        """Import a dossier export, replacing dossiers already stored under the same ``dossier_id``.

        All-or-nothing: any bad row raises DossierFileError and the store is unchanged, unless
        `skip_bad` is given, where the bad rows are written (line, reason, cells) and the others kept.
        """
        from .metrics import with_deadlines

        def step(stage: str, number: int) -> None:
            if progress is not None:
                progress(stage, number, _STEPS)

        step("Đọc và kiểm tra tệp", 1)
        rejected = 0
        if skip_bad is not None:
            table, rejects = read_dossiers_lenient(path, mapping=mapping)
            rejected = rejects.num_rows
            _write_rejects(rejects, Path(skip_bad))
        else:
            table = read_dossiers(path, mapping=mapping)
        step("Tính hạn xử lý theo lịch làm việc", 2)
        table = with_deadlines(table)
        step("Ghi các phân vùng tháng", 3)
        imported, updated, total = self._merge(table)
        step("Hoàn tất", 4)
        return ImportResult(imported, updated, rejected, total)

    def _merge(self, incoming: pa.Table) -> tuple[int, int, int]:
        """Write the months touched by `incoming` into a new version and switch to it atomically."""
        self.root.mkdir(parents=True, exist_ok=True)
        versions = self.root / "versions"
        versions.mkdir(exist_ok=True)
        current = self.current_dir()
        name = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
        staging = self.root / f".tmp-{name}"
        target = versions / name
        con = duckdb.connect()
        try:
            con.register("incoming_rows", incoming)
            columns = ", ".join(f'"{c}"' for c in STORED_COLUMNS)
            con.execute(
                f"CREATE TEMP VIEW incoming AS SELECT {columns}, "  # noqa: S608
                "strftime(received_at, '%Y-%m') AS month FROM incoming_rows"
            )
            months = {row[0] for row in con.execute("SELECT DISTINCT month FROM incoming").fetchall()}
            updated = 0
            stored_pattern = self.glob()
            if stored_pattern is not None:
                con.execute(
                    "CREATE TEMP VIEW stored AS SELECT * FROM "  # noqa: S608
                    f"read_parquet({quote(stored_pattern)}, hive_partitioning = true, "
                    "hive_types = {'month': VARCHAR})"
                )
                replaced = con.execute(
                    "SELECT month, count(*) FROM stored SEMI JOIN incoming USING (dossier_id) GROUP BY month"
                ).fetchall()
                updated = sum(n for _m, n in replaced)
                months |= {m for m, _n in replaced}
            month_list = ", ".join(quote(m) for m in sorted(months))
            staging.mkdir()
            if stored_pattern is not None and months:
                # the touched months: their stored rows not re-imported, plus the incoming rows
                rows = con.sql(
                    f"SELECT {columns}, month FROM stored WHERE month IN ({month_list}) "  # noqa: S608
                    "AND dossier_id NOT IN (SELECT dossier_id FROM incoming) "
                    f"UNION ALL SELECT {columns}, month FROM incoming"
                ).to_arrow_table()
            else:
                rows = incoming.select(list(STORED_COLUMNS)).append_column("month", _months(incoming))
            if rows.num_rows:
                _write_partitions(rows, staging / "parts")
            # the new version: rewritten months from staging, the others hard-linked from the current one
            target.mkdir()
            if (staging / "parts").is_dir():
                for part in (staging / "parts").iterdir():
                    part.rename(target / part.name)
            if current is not None:
                for part in current.glob("month=*"):
                    if part.name.split("=", 1)[1] in months or not part.is_dir():
                        continue
                    (target / part.name).mkdir()
                    for file in part.iterdir():
                        os.link(file, target / part.name / file.name)
            pointer = self.root / f".CURRENT-{name}"
            pointer.write_text(name, encoding="utf-8")
            os.replace(pointer, self.root / "CURRENT")  # the switch: one atomic rename
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            raise
        finally:
            con.close()
            shutil.rmtree(staging, ignore_errors=True)
        self._drop_old_versions(keep={name, current.name if current is not None else name})
        total = self.count()
        return incoming.num_rows - updated, updated, total

    def _drop_old_versions(self, keep: set[str]) -> None:
        """Keep the live version and the one before it (a reader may still be scanning it)."""
        for path in (self.root / "versions").iterdir():
            if path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)


def _months(table: pa.Table) -> pa.Array:
    """YYYY-MM of received_at for every row, through a dictionary of the few months (fast)."""
    import numpy as np

    months = table["received_at"].to_numpy().astype("datetime64[M]").astype(np.int64)
    if not len(months):
        return pa.array([], pa.string())
    first = int(months.min())
    labels = [f"{m // 12 + 1970:04d}-{m % 12 + 1:02d}" for m in range(first, int(months.max()) + 1)]
    indices = pa.array((months - first).astype(np.int32))
    return pc.cast(pa.DictionaryArray.from_arrays(indices, pa.array(labels, pa.string())), pa.string())


def _write_partitions(rows: pa.Table, directory: Path) -> None:
    """Hive partitions month=YYYY-MM written by pyarrow's multi-threaded dataset writer (snappy).

    Why pyarrow rather than DuckDB's partitioned COPY: on this data it writes about twice as fast,
    and the rows are already an Arrow table.
    """
    import pyarrow.dataset as ds

    ds.write_dataset(
        rows,
        directory,
        format="parquet",
        partitioning=ds.partitioning(pa.schema([("month", pa.string())]), flavor="hive"),
        basename_template="part-{i}.parquet",
        file_options=ds.ParquetFileFormat().make_write_options(compression="snappy"),
        max_rows_per_group=256 * 1024,
        min_rows_per_group=64 * 1024,
        existing_data_behavior="error",
    )


def _write_rejects(rejects: pa.Table, path: Path) -> None:
    """Rejected rows as CSV (UTF-8 with BOM for Excel): line, reason, then the cells as written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = ["Dòng", "Lý do", *rejects.column_names[2:]]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in zip(*(rejects.column(i).to_pylist() for i in range(rejects.num_columns)), strict=True):
            writer.writerow(["" if v is None else v for v in row])


__all__ = ["DossierFileError", "DossierStore", "ImportResult", "RowError", "default_root"]
