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
