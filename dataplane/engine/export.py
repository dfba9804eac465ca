"""Streaming query results as CSV, JSON lines or XLSX with flat memory (S9 bulk download).

DuckDB hands the result over as Arrow record batches; each batch is formatted (CSV by
Arrow's writer, JSON lines already built by DuckDB) and yielded before the next one is
read, so memory stays at a few batches whatever the number of rows. XLSX goes through
openpyxl's write-only mode into a temporary file, which is then streamed.
"""

import csv
import io
import os
import queue
import tempfile
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv

BATCH_ROWS = 50_000
XLSX_SHEET_ROWS = 1_048_575          # Excel's limit, less the header row
FILE_CHUNK = 1 << 20
UTF8_BOM = "\ufeff".encode()


def _batches(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any],
             batch_rows: int) -> Iterator[pa.RecordBatch]:
    reader = con.sql(sql, params=list(params) or None).to_arrow_reader(batch_rows)
    try:
        yield from reader
    finally:
        reader.close()


def csv_header(names: Sequence[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(names)
    return buffer.getvalue().encode()


def stream_csv(con, sql: str, params: Sequence[Any], names: Sequence[str], *,
               bom: bool = True, batch_rows: int = BATCH_ROWS) -> Iterator[bytes]:
    """CSV (UTF-8, with a BOM so spreadsheet programs read Chinese correctly)."""
    yield (UTF8_BOM if bom else b"") + csv_header(names)
    options = pa_csv.WriteOptions(include_header=False, quoting_style="needed")
    for batch in _batches(con, sql, params, batch_rows):
        if batch.num_rows:
            sink = io.BytesIO()
            pa_csv.write_csv(batch, sink, write_options=options)
            yield sink.getvalue()


def _string_payload(column: pa.Array) -> bytes:
    """The concatenated values of a string column without nulls, straight from its buffers."""
    if column.type == pa.large_string():
        width = "q"
    elif column.type == pa.string():
        width = "i"
    else:
        return "".join(column.to_pylist()).encode()
    _validity, offsets, data = column.buffers()
    positions = memoryview(offsets).cast(width)
    start, end = positions[column.offset], positions[column.offset + len(column)]
    return bytes(memoryview(data)[start:end]) if data is not None else b""


def stream_json_lines(con, sql: str, params: Sequence[Any], *,
                      batch_rows: int = BATCH_ROWS) -> Iterator[bytes]:
    """JSON lines; ``sql`` yields one newline-terminated JSON text per row."""
    for batch in _batches(con, sql, params, batch_rows):
        if batch.num_rows:
            yield _string_payload(batch.column(0))


def write_xlsx(con, sql: str, params: Sequence[Any], names: Sequence[str], target,
               *, batch_rows: int = 10_000, sheet_rows: int = XLSX_SHEET_ROWS) -> int:
    """Write the rows to ``target`` as XLSX (write-only mode); returns the row count."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet, in_sheet, total = None, sheet_rows, 0
    for batch in _batches(con, sql, params, batch_rows):
        columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
        for row in zip(*columns, strict=True):
            if in_sheet >= sheet_rows:
                sheet = workbook.create_sheet(f"Sheet{len(workbook.worksheets) + 1}")
                sheet.append(list(names))
                in_sheet = 0
            sheet.append(row)
            in_sheet += 1
            total += 1
    if sheet is None:
        workbook.create_sheet("Sheet1").append(list(names))
    workbook.save(target)
    return total


def prefetched(chunks: Iterator[bytes], *, depth: int = 4) -> Iterator[bytes]:
    """Produce ``chunks`` in a background thread, up to ``depth`` ahead of the consumer.

    DuckDB and Arrow release the GIL, so scanning and formatting the next batches
    overlaps with sending the previous ones (measured ~1.5× faster than pulling batch by
    batch); memory grows by at most ``depth`` chunks. When the consumer stops early (a
    client that disconnects), the producer stops at its next chunk and closes ``chunks``.
    The producer is joined before this generator ends, so the caller may then close the
    DuckDB connection it used.
    """
    buffer: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    end = object()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                buffer.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for chunk in chunks:
                if not put(chunk):
                    return
            put(end)
        except BaseException as exc:  # handed to the consumer, raised there
            put(exc)
        finally:
            chunks.close()

    thread = threading.Thread(target=produce, name="dataplane-export", daemon=True)
    thread.start()
    try:
        while (item := buffer.get()) is not end:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def stream_file(path: str, *, remove: bool = True) -> Iterator[bytes]:
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(FILE_CHUNK):
                yield chunk
    finally:
        if remove:
            os.unlink(path)


def stream_xlsx(con, sql: str, params: Sequence[Any], names: Sequence[str], *,
                work_dir: str | None = None) -> Iterator[bytes]:
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", dir=work_dir, delete=False)
    handle.close()
    try:
        write_xlsx(con, sql, params, names, handle.name)
    except BaseException:
        os.unlink(handle.name)
        raise
    yield from stream_file(handle.name)
