"""The companion bridge's protocol, version 1.1, as a pure state machine (no I/O).

One ``Session`` per WebSocket connection. The server feeds it what happens
(a text frame arrived, a clip was classified, the model was reloaded) and
carries out what it returns: ``Send`` a message, ``Classify`` a clip, or
``Close`` the connection. docs/bridge-protocol.md is the contract; every
message shape, limit and code is declared here.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from aix_build.sources import ERROR_CODES_PATH

PROTOCOL_VERSION = 1.1
"""What this bridge speaks: 1.1 is 1 plus CollectSoundData (clips sent to the studio)."""
ACCEPTED_PROTOCOLS = (1, 1.1)
"""What a client's hello may say: a version 1 client needs nothing that 1.1 changed."""

MAX_MESSAGE_BYTES = 2 * 1024 * 1024
"""The largest text frame the bridge reads (a 10 s WAV at 16 kHz is about 430 kB in base64)."""
MAX_AUDIO_SECONDS = 10.0
"""The longest clip the bridge classifies: the model's own maximum (max_clip_samples)."""
MAX_IN_FLIGHT = 8
"""Requests of one connection that may wait for their answer at once. The server stops
reading a connection that has this many (back-pressure), so a client never meets the
TOO_MANY_REQUESTS refusal that guards it here."""
IDLE_TIMEOUT_SECONDS = 300.0
"""A connection that sends nothing for this long is closed."""
HELLO_TIMEOUT_SECONDS = 10.0
"""A connection must say hello within this long."""
WRONG_CODE_DELAY_SECONDS = 1.0
"""After a wrong code, an address waits this long times its count of wrong codes (max 10 s)."""
ALLOWED_ORIGINS = (None, "https://pac.assets")
"""Handshakes the bridge accepts: no Origin header (the Companion, pac send) or the
extension's own WebView page. A web page on another site is refused (HTTP 403)."""

PAIRING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""Pairing codes use no 0/O or 1/I, as the Companion's do not: read off a screen, typed."""


def new_code() -> str:
    """A new random 6-character pairing code."""
    return "".join(secrets.choice(PAIRING_ALPHABET) for _ in range(6))


CLOSE_WRONG_CODE = 4001
"""Close code after a wrong or missing pairing code, or a first message that is not hello."""
CLOSE_UNSUPPORTED_PROTOCOL = 4002
CLOSE_IDLE = 4003

ERROR_CODES: dict[str, int] = {
    entry["name"]: int(entry["code"])
    for entry in json.loads(ERROR_CODES_PATH.read_text(encoding="utf-8"))["codes"]
}
"""The Error codes, shared with the extension (extension/error_codes.json)."""


@dataclass(frozen=True)
class Send:
    message: dict[str, Any]


@dataclass(frozen=True)
class Classify:
    id: str
    audio: bytes


@dataclass(frozen=True)
class Collect:
    """A clip a phone sends to a label of the studio's project (protocol 1.1)."""

    id: str
    label: str
    audio: bytes


@dataclass(frozen=True)
class Close:
    code: int
    reason: str


Action = Send | Classify | Collect | Close


def error(request_id: str | None, name: str, message: str) -> Send:
    return Send({"type": "Error", "id": request_id, "code": ERROR_CODES[name], "message": message})


def classifier_ready(labels: tuple[str, ...], model: str) -> Send:
    return Send({"type": "ClassifierReady", "labels": list(labels), "model": model})


@dataclass
class Session:
    """One connection's state: waiting for hello, then serving requests."""

    code: str
    labels: tuple[str, ...]
    model: str
    paired: bool = False
    closed: bool = False
    in_flight: set[str] = field(default_factory=set)
    client: str = ""
    collecting: bool = False
    """Whether CollectSoundData is served (the studio's bridge) or refused (pac bridge)."""

    def has_room(self) -> bool:
        """Whether another request may be read: fewer than MAX_IN_FLIGHT in flight."""
        return len(self.in_flight) < MAX_IN_FLIGHT

    def receive(self, text: str) -> list[Action]:
        """A text frame arrived."""
        if self.closed:
            return []
        try:
            message = json.loads(text)
        except ValueError as exc:
            return self._refuse_unpaired() or [error(None, "BAD_MESSAGE", f"not JSON: {exc}")]
        except RecursionError:
            return self._refuse_unpaired() or [
                error(None, "BAD_MESSAGE", "not JSON this bridge reads: nested too deeply")
            ]
        if not isinstance(message, dict):
            return self._refuse_unpaired() or [
                error(
                    None,
                    "BAD_MESSAGE",
                    f"a message must be a JSON object, got {type(message).__name__}",
                )
            ]
        kind = message.get("type")
        if not self.paired:
            return self._hello(message)
        if kind == "ClassifySoundData":
            return self._classify(message)
        if kind == "CollectSoundData":
            return self._collect(message)
        if kind == "hello":
            return [error(None, "UNKNOWN_TYPE", "already paired: hello comes once")]
        return [error(_id(message), "UNKNOWN_TYPE", f"unknown message type {kind!r}")]

    def binary(self) -> list[Action]:
        """A binary frame arrived: not part of the protocol."""
        if not self.paired:
            return self._refuse_unpaired()
        return [error(None, "BAD_MESSAGE", "binary frames are not part of protocol 1")]

    def collected(self, request_id: str, answer: dict[str, Any]) -> list[Action]:
        """A collected clip is stored: ``answer`` holds ``label``, ``clip`` and ``clips``."""
        if self.closed or request_id not in self.in_flight:
            return []
        self.in_flight.discard(request_id)
        return [Send({"type": "SoundCollected", "id": request_id, **answer})]

    def classified(self, request_id: str, result: list[list[Any]]) -> list[Action]:
        """The answer to a request: ``[[label, confidence], ...]``, highest first."""
        if self.closed or request_id not in self.in_flight:
            return []
        self.in_flight.discard(request_id)
        return [Send({"type": "GotClassification", "id": request_id, "result": result})]

    def failed(self, request_id: str, name: str, message: str) -> list[Action]:
        """A request could not be classified (bad audio, too long, ...)."""
        if self.closed or request_id not in self.in_flight:
            return []
        self.in_flight.discard(request_id)
        return [error(request_id, name, message)]

    def model_changed(self, labels: tuple[str, ...], model: str) -> list[Action]:
        """The bridge loaded a new model: paired clients hear ClassifierReady again."""
        self.labels, self.model = labels, model
        return [classifier_ready(labels, model)] if self.paired and not self.closed else []

    def idle(self) -> list[Action]:
        """Nothing arrived for IDLE_TIMEOUT_SECONDS (or no hello for HELLO_TIMEOUT_SECONDS)."""
        self.closed = True
        return [Close(CLOSE_IDLE, "idle")]

    def _refuse_unpaired(self) -> list[Action]:
        if self.paired:
            return []
        self.closed = True
        return [
            error(
                None, "HELLO_REQUIRED", "the first message must be a hello with the pairing code"
            ),
            Close(CLOSE_WRONG_CODE, "hello required"),
        ]

    def _hello(self, message: dict[str, Any]) -> list[Action]:
        if message.get("type") != "hello":
            return self._refuse_unpaired()
        version = message.get("protocol")
        if isinstance(version, bool) or version not in ACCEPTED_PROTOCOLS:
            self.closed = True
            return [
                error(
                    None,
                    "UNSUPPORTED_PROTOCOL",
                    f"this bridge speaks protocol {PROTOCOL_VERSION}, "
                    f"the client {message.get('protocol')!r}",
                ),
                Close(CLOSE_UNSUPPORTED_PROTOCOL, "unsupported protocol"),
            ]
        code = message.get("code")
        if not isinstance(code, str) or not hmac.compare_digest(
            code.strip().upper().encode(), self.code.upper().encode()
        ):
            self.closed = True
            return [
                error(None, "WRONG_CODE", "wrong pairing code: use the code pac bridge printed"),
                Close(CLOSE_WRONG_CODE, "wrong code"),
            ]
        self.paired = True
        self.client = str(message.get("client", ""))[:100]
        return [classifier_ready(self.labels, self.model)]

    def _classify(self, message: dict[str, Any]) -> list[Action]:
        request = self._request(message, "ClassifySoundData")
        if isinstance(request, Send):
            return [request]
        request_id, data = request
        self.in_flight.add(request_id)
        return [Classify(request_id, data)]

    def _collect(self, message: dict[str, Any]) -> list[Action]:
        if not self.collecting:
            return [
                error(
                    _id(message),
                    "COLLECTING_OFF",
                    "this bridge does not collect clips; pac studio does",
                )
            ]
        label = message.get("label")
        if not isinstance(label, str) or not label.strip():
            return [error(_id(message), "NO_SUCH_LABEL", "label must be a label's name")]
        request = self._request(message, "CollectSoundData")
        if isinstance(request, Send):
            return [request]
        request_id, data = request
        self.in_flight.add(request_id)
        return [Collect(request_id, label, data)]

    def _request(self, message: dict[str, Any], kind: str) -> tuple[str, bytes] | Send:
        """A request's id and decoded audio, or the Error that refuses it."""
        request_id = message.get("id")
        if not isinstance(request_id, str) or not request_id:
            return error(None, "BAD_ID", f"{kind} needs an id: a non-empty string")
        if request_id in self.in_flight:
            return error(request_id, "BAD_ID", f"id {request_id!r} is already in flight")
        if not self.has_room():
            return error(
                request_id,
                "TOO_MANY_REQUESTS",
                f"at most {MAX_IN_FLIGHT} requests in flight per connection",
            )
        audio = message.get("audio")
        if not isinstance(audio, str):
            return error(request_id, "BAD_AUDIO_FIELD", "audio must be a base64 string")
        try:
            data = base64.b64decode(audio, validate=True)
        except (binascii.Error, ValueError):
            return error(request_id, "BAD_AUDIO_FIELD", "audio is not valid base64")
        if not data:
            return error(request_id, "EMPTY_CLIP", "audio is empty")
        return request_id, data


def _id(message: dict[str, Any]) -> str | None:
    value = message.get("id")
    return value if isinstance(value, str) else None
