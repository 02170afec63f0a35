"""ear/render.py: the MIDI files it renders every note from."""

from __future__ import annotations

import struct

from ear.render import SLOT_SECONDS, midi_file


def events(data: bytes) -> list[tuple[int, bytes]]:
    """(absolute tick, event bytes) of a format-0 file with channel and meta events only."""
    assert data[:4] == b"MThd" and struct.unpack(">IHHH", data[4:14]) == (6, 0, 1, 480)
    assert data[14:18] == b"MTrk"
    (length,) = struct.unpack(">I", data[18:22])
    track = data[22:]
    assert len(track) == length
    out, at, tick = [], 0, 0
    while at < len(track):
        delta = 0
        while True:
            byte = track[at]
            at += 1
            delta = (delta << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        tick += delta
        size = {0xC0: 2, 0x90: 3, 0x80: 3}.get(track[at] & 0xF0, 3)
        out.append((tick, track[at : at + size]))
        at += size
    return out


def test_each_note_gets_its_slot_on_the_percussion_channel() -> None:
    notes = [(36, 100), (38, 60), (42, 127)]
    parsed = events(midi_file([(25, n, v, 1.2) for n, v in notes]))
    assert parsed[0] == (0, bytes([0xC9, 25]))  # the TR-808 kit on channel 10
    assert sum(e[0] == 0xC9 for _, e in parsed) == 1  # one kit: one program change
    ons = [(t, e[1], e[2]) for t, e in parsed if e[0] == 0x99]
    offs = [(t, e[1]) for t, e in parsed if e[0] == 0x89]
    silenced = [t for t, e in parsed if e[:2] == bytes([0xB9, 120])]
    slot = round(SLOT_SECONDS * 960)
    assert ons == [(i * slot, n, v) for i, (n, v) in enumerate(notes)]
    assert offs == [(i * slot + round(1.2 * 960), n) for i, (n, _) in enumerate(notes)]
    assert silenced == [slot, 2 * slot, 3 * slot]  # nothing sounds into the next slot
    assert parsed[-1][1] == b"\xff\x2f\x00" and parsed[-1][0] == 3 * slot


def test_a_new_program_is_changed_to_at_its_note_s_slot_with_its_own_length() -> None:
    parsed = events(midi_file([(0, 60, 90, 0.25), (0, 72, 90, 1.0), (41, 48, 60, 0.25)], channel=0))
    slot = round(SLOT_SECONDS * 960)
    changes = [(t, e) for t, e in parsed if e[0] == 0xC0]
    assert changes == [(0, bytes([0xC0, 0])), (2 * slot, bytes([0xC0, 41]))]
    ons = [(t, e[1]) for t, e in parsed if e[0] == 0x90]
    offs = [(t, e[1]) for t, e in parsed if e[0] == 0x80]
    assert ons == [(0, 60), (slot, 72), (2 * slot, 48)]
    assert offs == [(240, 60), (slot + 960, 72), (2 * slot + 240, 48)]
