"""Streaming exports (S9 bulk download): batches in order, errors surfaced, and a client
that goes away stops the producer. Engine level, no database."""

import threading

import duckdb
import pytest

from dataplane.engine.export import prefetched, stream_csv, stream_json_lines


def numbers(n, *, fail_at=None, closed=None):
    try:
        for i in range(n):
            if i == fail_at:
                raise RuntimeError("engine failure")
            yield f"{i}\n".encode()
    finally:
        if closed is not None:
            closed.set()


def test_prefetched_keeps_order():
    assert b"".join(prefetched(numbers(1000))) == b"".join(numbers(1000))


def test_prefetched_raises_the_producer_error():
    chunks = prefetched(numbers(10, fail_at=5))
    with pytest.raises(RuntimeError, match="engine failure"):
        list(chunks)


def test_consumer_leaving_early_stops_and_closes_the_producer():
    closed = threading.Event()
    chunks = prefetched(numbers(10_000_000, closed=closed), depth=2)
    assert next(chunks) == b"0\n"
    chunks.close()  # what Django does when the client disconnects
    assert closed.is_set()
    assert not any(t.name == "dataplane-export" for t in threading.enumerate())


def test_csv_and_json_lines_stream_in_batches():
    con = duckdb.connect()
    sql = "SELECT i AS n, 'x' || i AS s FROM range(5) t(i)"
    parts = list(stream_csv(con, sql, [], ["n", "s"], batch_rows=2))
    assert parts[0] == b"\xef\xbb\xbfn,s\n"
    assert b"".join(parts[1:]).decode().splitlines() == ['0,"x0"', '1,"x1"', '2,"x2"', '3,"x3"',
                                                         '4,"x4"']
    lines = b"".join(stream_json_lines(
        con, "SELECT json_object('n', i) || chr(10) FROM range(3) t(i)", [], batch_rows=2))
    assert lines == b'{"n":0}\n{"n":1}\n{"n":2}\n'


def test_query_searches_sorts_and_counts_on_what_leaves(tmp_path):
    """Search and sort run on the output (masked) values, inside the engine, with bound
    parameters; the count agrees with the search."""
    from dataplane.engine.query import OutColumn, Query, Sort
    from dataplane.engine.types import ColumnType
    from dataplane.masking import MaskKind, MaskRule

    path = str(tmp_path / "t.parquet")
    duckdb.sql("COPY (SELECT * FROM (VALUES ('张三丰', 3), ('李四', 1), ('王五''s', 2)) "
               f"AS t(name, n)) TO '{path}' (FORMAT parquet)")
    name = OutColumn("name", ColumnType.STRING, rule=MaskRule(MaskKind.NAME))
    n = OutColumn("n", ColumnType.INTEGER)
    con = duckdb.connect()
    query = Query(path=path, columns=[name, n], search="张", order=[Sort(n, descending=True)])
    sql, params = query.rows_sql(limit=10)
    assert "张" not in sql and params == ["张"]
    assert con.sql(sql, params=params).fetchall() == [("张**", 3)]
    hidden = Query(path=path, columns=[name, n], search="三")  # only in the raw value
    sql, params = hidden.count_sql()
    assert con.sql(sql, params=params).fetchall() == [(0,)]
    sql, params = Query(path=path, columns=[name, n], search="*").count_sql()
    assert con.sql(sql, params=params).fetchall() == [(3,)]
    raw = Query(path=path, columns=[n], search="张")  # no text column leaves: no match
    sql, params = raw.count_sql()
    assert con.sql(sql, params=params or None).fetchall() == [(0,)]
    sql, params = Query(path=path, columns=[n], order=[Sort(n)]).rows_sql()
    assert [r[0] for r in con.sql(sql).fetchall()] == [1, 2, 3]
