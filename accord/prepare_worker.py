"""The worker process behind :func:`accord.acts.publish.publish_stream`.

Protocol on its standard streams, one message after another: in, the pickled
``PublishLimits`` and then length-prefixed raw payloads; out, for each payload in order, a
length-prefixed pickle of ``("ok", Prepared)`` or ``("error", class name, detail, errors)``.
It touches no database and imports no web framework.
"""

from __future__ import annotations

import pickle
import sys
from typing import IO

from accord.errors import AccordError
from accord.prepare import prepare_bytes

HEADER = 8


def read_message(stream: IO[bytes]) -> bytes | None:
    """One length-prefixed message, or None at the end of the stream."""
    header = stream.read(HEADER)
    if len(header) < HEADER:
        return None
    size = int.from_bytes(header, "big")
    body = stream.read(size)
    if len(body) < size:
        return None
    return body


def write_message(stream: IO[bytes], body: bytes) -> None:
    stream.write(len(body).to_bytes(HEADER, "big"))
    stream.write(body)
    stream.flush()


def main() -> None:
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    first = read_message(source)
    if first is None:
        return
    limits = pickle.loads(first)
    while (raw := read_message(source)) is not None:
        try:
            reply: tuple[object, ...] = ("ok", prepare_bytes(raw, limits))
        except AccordError as exc:
            reply = ("error", type(exc).__name__, exc.detail, exc.errors)
        write_message(sink, pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    main()
