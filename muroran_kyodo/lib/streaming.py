"""Downloads written while they are sent (JSON open data, iCal feeds): the rows are read from
the database in chunks and encoded one by one, so the process holds a chunk, never the file.
CSV has its own module (`csvexport.py`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, transaction
from django.db.models import Model, QuerySet
from django.http import StreamingHttpResponse

from .csvexport import CHUNK_CHARACTERS

_NOTHING = object()
# Rows fetched at a time, and the objects of a prefetch_related made per chunk.
CHUNK_ROWS = 2000


M = TypeVar("M", bound=Model)


def rows_of(queryset: QuerySet[M], chunk_size: int = CHUNK_ROWS) -> Iterator[M]:
    """`queryset.iterator(chunk_size)` that holds one chunk of rows in memory on every database.

    On PostgreSQL the settings turn server-side cursors off (they break behind pgbouncer in
    transaction mode), and then `.iterator()` receives the whole result in the driver before the
    first row: the rows are read here through a server-side cursor inside a transaction of their
    own, which pgbouncer's transaction mode allows. (QuerySet._iterator is what .iterator() calls
    with the cursor setting decided; the tests measure an export on PostgreSQL.)"""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql" or not connection.features.can_use_chunked_reads:
        yield from queryset.iterator(chunk_size=chunk_size)
        return
    # No savepoint inside an outer transaction: nothing is written here to roll back.
    with transaction.atomic(using=queryset.db, savepoint=False):
        yield from queryset._iterator(True, chunk_size)  # type: ignore[attr-defined]


def gathered(pieces: Iterable[Any], size: int = CHUNK_CHARACTERS) -> Iterator[Any]:
    """Small pieces (str or bytes, not mixed) joined into chunks of about `size`, so that a
    download makes few writes to the socket."""
    pending: list[Any] = []
    length = 0
    for piece in pieces:
        pending.append(piece)
        length += len(piece)
        if length >= size:
            yield pending[0][:0].join(pending)
            pending, length = [], 0
    if pending:
        yield pending[0][:0].join(pending)


class Streamed(list[Any]):
    """A list to the JSON encoder whose items are read from `items` only as they are written.

    `JSONEncoder.iterencode` (the pure-Python encoder, which it always uses) walks any list
    subclass with `bool()` and `iter()`: so a generator over a queryset's `.iterator()` becomes
    a JSON array without a list of every row. Read once."""

    def __init__(self, items: Iterable[Any]) -> None:
        super().__init__()
        self._items = iter(items)
        self._first: Any = _NOTHING
        self._started = False

    def _peek(self) -> None:
        if not self._started:
            self._started = True
            self._first = next(self._items, _NOTHING)

    def __bool__(self) -> bool:
        self._peek()
        return self._first is not _NOTHING

    def __iter__(self) -> Iterator[Any]:
        self._peek()
        if self._first is _NOTHING:
            return
        yield self._first
        self._first = _NOTHING
        yield from self._items


def json_response(data: Any) -> StreamingHttpResponse:
    """The bytes JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    would send, written as they are encoded: wrap the long arrays of `data` in `Streamed`."""
    encoder = DjangoJSONEncoder(ensure_ascii=False, indent=2)
    return StreamingHttpResponse(
        gathered(encoder.iterencode(data)), content_type="application/json"
    )


def ical_chunks(calendar: Any, events: Iterable[Any]) -> Iterator[bytes]:
    """An icalendar `Calendar` (its own properties, no components) and its events, written one
    event at a time: the same bytes as `calendar.to_ical()` with the events added to it."""
    end = b"END:VCALENDAR\r\n"
    head = calendar.to_ical()
    if not head.endswith(end):  # a calendar of no other shape reaches here
        raise ValueError("a calendar without components was expected")

    def pieces() -> Iterator[bytes]:
        yield head[: -len(end)]
        for event in events:
            yield event.to_ical()
        yield end

    return gathered(pieces())
