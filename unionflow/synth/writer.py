"""The only module of `synth` that touches the file system: writes the source folder (SPEC §4).

Everything written is a function of its inputs: no clocks, no locale, fixed line endings, and the
XLSX creation date pinned so two runs produce byte-identical files.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import xlsxwriter

from unionflow.synth import texts
from unionflow.synth.layout import FilePlan, SubmissionLayout
from unionflow.synth.records import ReviewSet, SubmissionSet
from unionflow.synth.schema import CHINESE_HEADERS, CRITERIA, REVIEW_COLUMNS, SUBMISSION_FIELDS, UNIT_COLUMNS

MONEY_FIELD = "innovation_value_cny"
UTF8_BOM = b"\xef\xbb\xbf"
JSONL_BATCH = 50_000
RECORD_SUFFIXES = (".json", ".jsonl", ".csv", ".xlsx")


def clean_columns(clean: pd.DataFrame) -> dict[str, np.ndarray]:
    """The submission columns as NumPy arrays (converted once: Arrow-backed text is slow to
    convert per chunk)."""
    return {name: clean[name].to_numpy() for name in SUBMISSION_FIELDS}


def clean_payloads(columns_by_name: dict[str, np.ndarray], rows: np.ndarray) -> list[dict[str, Any]]:
    """Clean rows as submission objects (plain Python values, SPEC field order)."""
    columns = [columns_by_name[name][rows].tolist() for name in SUBMISSION_FIELDS]
    return [dict(zip(SUBMISSION_FIELDS, values, strict=True)) for values in zip(*columns, strict=True)]


def _records(
    subs: SubmissionSet, columns: dict[str, np.ndarray], src: np.ndarray, idx: np.ndarray
) -> list[Any]:
    """Records in order: dicts, or raw text for malformed lines."""
    records: list[Any] = [None] * len(src)
    clean_pos = np.flatnonzero(src == 0)
    for pos, payload in zip(clean_pos, clean_payloads(columns, idx[clean_pos]), strict=True):
        records[pos] = payload
    for pos in np.flatnonzero(src == 1):
        records[pos] = subs.extras[int(idx[pos])].payload
    return records


def _write_jsonl(path: Path, subs: SubmissionSet, columns: dict[str, np.ndarray], plan: FilePlan) -> None:
    # In batches, so a 250,000-line file never exists as Python objects all at once.
    with path.open("wb") as handle:
        for start in range(0, len(plan), JSONL_BATCH):
            stop = start + JSONL_BATCH
            records = _records(subs, columns, plan.src[start:stop], plan.idx[start:stop])
            lines = [r.encode("utf-8") if isinstance(r, str) else orjson.dumps(r) for r in records]
            handle.write(b"\n".join(lines) + b"\n")


def _cell_text(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return f"{value:.2f}" if name == MONEY_FIELD else repr(value)
    return str(value)


def _gbk_csv(records: list[dict[str, Any]]) -> bytes:
    # Excel on Chinese Windows: GBK, CRLF line ends, Chinese headers.
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([CHINESE_HEADERS[name] for name in SUBMISSION_FIELDS])
    for record in records:
        writer.writerow([_cell_text(name, record.get(name, "")) for name in SUBMISSION_FIELDS])
    return buffer.getvalue().encode("gbk")


def _xlsx(path: Path, records: list[dict[str, Any]], year: int) -> None:
    workbook = xlsxwriter.Workbook(str(path))
    # A fixed creation time keeps the file byte-identical between runs.
    workbook.set_properties({"created": datetime(year + 1, 1, 1), "author": "unionflow synth"})
    sheet = workbook.add_worksheet("submissions")
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "0.00"})
    for col, name in enumerate(SUBMISSION_FIELDS):
        sheet.write_string(0, col, name, bold)
    for row, record in enumerate(records, start=1):
        for col, name in enumerate(SUBMISSION_FIELDS):
            value = record.get(name)
            if value is None:
                continue
            if isinstance(value, bool):
                sheet.write_boolean(row, col, value)
            elif isinstance(value, int | float):
                sheet.write_number(row, col, value, money if name == MONEY_FIELD else None)
            else:
                sheet.write_string(row, col, str(value))
    sheet.freeze_panes(1, 0)
    workbook.close()


def write_submissions(out: Path, subs: SubmissionSet, layout: SubmissionLayout, year: int) -> None:
    """Write every file of the submissions layout under `out`."""
    folder = out / "submissions"
    folder.mkdir(parents=True, exist_ok=True)
    # Files of an earlier run into the same folder would be read as extra submissions.
    for stale in folder.iterdir():
        if stale.is_file() and stale.suffix in RECORD_SUFFIXES:
            stale.unlink()
    columns = clean_columns(subs.clean)
    for plan in layout.files:
        path = out / plan.path
        if plan.fmt == "jsonl":
            _write_jsonl(path, subs, columns, plan)
            continue
        records = _records(subs, columns, plan.src, plan.idx)
        if plan.fmt == "json_list":
            path.write_bytes(orjson.dumps(records, option=orjson.OPT_INDENT_2) + b"\n")
        elif plan.fmt == "json_single":
            path.write_bytes(orjson.dumps(records[0], option=orjson.OPT_INDENT_2) + b"\n")
        elif plan.fmt == "csv_gbk":
            path.write_bytes(_gbk_csv(records))
        elif plan.fmt == "xlsx":
            _xlsx(path, records, year)
        else:  # pragma: no cover - layout only produces the formats above
            raise ValueError(f"unknown format {plan.fmt}")


def write_units(out: Path, frame: pd.DataFrame) -> None:
    """units.csv: UTF-8 without BOM, LF line ends."""
    frame.loc[:, list(UNIT_COLUMNS)].to_csv(
        out / "units.csv", index=False, encoding="utf-8", lineterminator="\n"
    )


def _local_time_text(epochs: np.ndarray) -> pa.Array:
    local = (np.asarray(epochs, dtype=np.int64) + 8 * 3600).astype("datetime64[s]")
    return pc.strftime(pa.array(local), format="%Y-%m-%dT%H:%M:%S+08:00")


def review_table(reviews: ReviewSet) -> pa.Table:
    """reviews.csv as an Arrow table (scores as text so bad cells fit), built column-wise in
    Arrow: millions of reviews never become Python strings."""
    frame = reviews.frame
    size = len(frame)
    numbers = pc.cast(pa.array(np.arange(1, size + 1, dtype=np.int64)), pa.string())
    ids = pa.array(reviews.unit_ids, pa.string())
    comments = pa.array(texts.COMMENT_CHOICES, pa.string())
    columns: dict[str, pa.Array] = {
        "review_id": pc.binary_join_element_wise(
            f"R{reviews.year}-", pc.utf8_lpad(numbers, reviews.id_width, "0"), ""
        ),
        "year": pa.array(np.full(size, reviews.year, dtype=np.int64)),
        "reviewer_unit_id": pc.take(ids, pa.array(frame["_reviewer"].to_numpy())),
        "reviewee_unit_id": pc.take(ids, pa.array(frame["_reviewee"].to_numpy())),
    }
    for criterion in CRITERIA:
        values = pc.cast(pa.array(frame[criterion].to_numpy(dtype=np.int64)), pa.string())
        bad = reviews.overrides.get(criterion, {})
        if bad:
            positions = sorted(bad)
            mask = np.zeros(size, dtype=bool)
            mask[positions] = True
            replacements = pa.array([bad[p] for p in positions], pa.string())
            values = pc.replace_with_mask(values, pa.array(mask), replacements)
        columns[criterion] = values
    columns["submitted_at"] = _local_time_text(frame["_t"].to_numpy())
    columns["comment"] = pc.take(comments, pa.array(frame["_comment"].to_numpy()))
    return pa.table({name: columns[name] for name in REVIEW_COLUMNS})


def write_reviews(out: Path, reviews: ReviewSet, year: int) -> None:
    """reviews.csv: UTF-8 with BOM (opens in Excel), LF line ends, no quoting needed."""
    table = review_table(reviews)
    with (out / "reviews.csv").open("wb") as handle:
        handle.write(UTF8_BOM)
        handle.write((",".join(REVIEW_COLUMNS) + "\n").encode("utf-8"))
        options = pacsv.WriteOptions(include_header=False, quoting_style="none")
        pacsv.write_csv(table, handle, options)


def write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    """manifest.json: pretty-printed, sorted keys, UTF-8."""
    text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False)
    (out / "manifest.json").write_text(text + "\n", encoding="utf-8")
