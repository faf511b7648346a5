"""Reading request bodies: media type, size limit, then bytes (never a half-read body)."""

from __future__ import annotations

from fastapi import Request

from accord.errors import PayloadTooLarge, UnsupportedMediaType


async def read_json_body(request: Request, limit: int, accepted: tuple[str, ...]) -> bytes:
    """The raw body, after checking its media type against ``accepted`` and its size."""
    content_type = request.headers.get("content-type", "")
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type not in accepted:
        raise UnsupportedMediaType(
            f"Content-Type {content_type or '(none)'!r} is not accepted here; send one of "
            + ", ".join(accepted)
        )
    return await read_raw_body(request, limit)


async def read_raw_body(request: Request, limit: int) -> bytes:
    """The raw body, refused with 413 as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the body is {declared} bytes; the limit is {limit}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the body is over the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
