"""The component's palette icon, drawn in code: a small sound wave (16x16 PNG)."""

from __future__ import annotations

import struct
import zlib

SIZE = 16
_BARS = (3, 6, 10, 14, 8, 12, 5, 9, 13, 7, 4)
"""Heights of the wave's bars, left to right."""
_COLOUR = (0x1E, 0x88, 0xA8)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def icon_png() -> bytes:
    """A 16x16 RGBA PNG: vertical bars of different heights, centred, on transparency."""
    left = (SIZE - len(_BARS)) // 2
    rows = []
    for y in range(SIZE):
        row = bytearray([0])  # filter: none
        for x in range(SIZE):
            i = x - left
            height = _BARS[i] if 0 <= i < len(_BARS) else 0
            on = abs(2 * y + 1 - SIZE) < height
            row += bytes((*_COLOUR, 255)) if on else bytes(4)
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + _chunk(b"IEND", b"")
    )
