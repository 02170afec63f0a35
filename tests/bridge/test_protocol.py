"""bridge.protocol: the state machine, driven with literal messages."""

from __future__ import annotations

import base64
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bridge.protocol import (
    CLOSE_UNSUPPORTED_PROTOCOL,
    CLOSE_WRONG_CODE,
    MAX_IN_FLIGHT,
    Classify,
    Close,
    Collect,
    Send,
    Session,
)

HELLO = '{"type": "hello", "code": "AB12CD", "client": "test", "protocol": 1}'
WAV = base64.b64encode(b"RIFF....WAVE").decode()


def session() -> Session:
    return Session(code="AB12CD", labels=("clap", "snap"), model="mine")


def paired() -> Session:
    s = session()
    s.receive(HELLO)
    return s


def request(request_id: Any = "1", audio: Any = WAV) -> str:
    return json.dumps({"type": "ClassifySoundData", "id": request_id, "audio": audio})


def test_a_good_hello_gets_classifier_ready() -> None:
    s = session()

    assert s.receive(HELLO) == [
        Send({"type": "ClassifierReady", "labels": ["clap", "snap"], "model": "mine"})
    ]
    assert s.paired and s.client == "test"


def test_the_code_is_not_case_sensitive() -> None:
    s = session()
    s.receive(HELLO.replace("AB12CD", "ab12cd"))

    assert s.paired


def test_a_wrong_or_missing_code_is_refused_and_closed() -> None:
    for hello in (HELLO.replace("AB12CD", "ZZZZZZ"), '{"type": "hello", "protocol": 1}'):
        s = session()
        error, close = s.receive(hello)
        assert isinstance(error, Send) and error.message["code"] == -26
        assert error.message["id"] is None and "pairing code" in error.message["message"]
        assert close == Close(CLOSE_WRONG_CODE, "wrong code")
        assert s.closed and s.receive(request()) == []


def test_nothing_is_classified_before_a_good_hello() -> None:
    s = session()

    error, close = s.receive(request())

    assert isinstance(error, Send) and error.message["code"] == -27
    assert close == Close(CLOSE_WRONG_CODE, "hello required")


def test_another_protocol_version_is_refused() -> None:
    s = session()

    error, close = s.receive(HELLO.replace('"protocol": 1', '"protocol": 2'))

    assert isinstance(error, Send) and error.message["code"] == -29
    assert close.code == CLOSE_UNSUPPORTED_PROTOCOL  # type: ignore[union-attr]


def test_a_request_is_classified_and_answered_once() -> None:
    s = paired()

    assert s.receive(request("a1")) == [Classify("a1", b"RIFF....WAVE")]
    answer = s.classified("a1", [["clap", 0.9], ["snap", 0.1]])
    assert answer == [
        Send({"type": "GotClassification", "id": "a1", "result": [["clap", 0.9], ["snap", 0.1]]})
    ]
    assert s.classified("a1", [["clap", 0.9]]) == []  # exactly once


def codes(actions: list[Any]) -> list[tuple[Any, int]]:
    return [(a.message["id"], a.message["code"]) for a in actions]


def test_bad_input_gets_its_own_error_and_the_connection_stays_open() -> None:
    s = paired()

    assert codes(s.receive("{not json")) == [(None, -20)]
    assert codes(s.receive("[1, 2]")) == [(None, -20)]
    assert codes(s.receive('{"type": "Dance", "id": "x"}')) == [("x", -21)]
    assert codes(s.receive(request("b", "not base64!"))) == [("b", -22)]
    assert codes(s.receive(request("c", 7))) == [("c", -22)]
    assert codes(s.receive(request("d", ""))) == [("d", -23)]
    assert codes(s.receive(request(None))) == [(None, -25)]
    assert codes(s.receive(request(""))) == [(None, -25)]
    assert codes(s.binary()) == [(None, -20)]
    assert not s.closed
    assert s.receive(request("ok")) == [Classify("ok", b"RIFF....WAVE")]


def test_a_failed_request_gets_an_error_with_its_id() -> None:
    s = paired()
    s.receive(request("x"))

    assert codes(s.failed("x", "DECODE_FAILED", "not audio")) == [("x", -13)]
    assert s.failed("x", "DECODE_FAILED", "again") == []


def test_an_id_already_in_flight_is_refused() -> None:
    s = paired()
    s.receive(request("same"))

    assert codes(s.receive(request("same"))) == [("same", -25)]


def test_the_in_flight_limit_guards_the_core_and_has_room_says_when_to_read() -> None:
    s = paired()
    for i in range(MAX_IN_FLIGHT):
        assert s.has_room()
        assert isinstance(s.receive(request(str(i)))[0], Classify)
    assert not s.has_room()  # the server stops reading here (back-pressure)
    assert codes(s.receive(request("over"))) == [("over", -28)]
    s.classified("0", [])
    assert s.has_room()
    assert isinstance(s.receive(request("next"))[0], Classify)


def test_a_client_that_waits_for_each_answer_is_never_refused() -> None:
    # 100 clips in a row, each answered before the next: no rate limit on top of in-flight.
    s = paired()
    for i in range(100):
        assert isinstance(s.receive(request(str(i)))[0], Classify)
        s.classified(str(i), [["clap", 1.0]])


def test_deeply_nested_json_is_a_bad_message_not_a_crash() -> None:
    s = paired()

    assert codes(s.receive("[" * 100_000 + "]" * 100_000)) == [(None, -20)]
    assert codes(s.receive('{"a":' * 100_000 + "1" + "}" * 100_000)) == [(None, -20)]
    assert not s.closed
    assert isinstance(s.receive(request("after"))[0], Classify)


def test_a_reload_tells_paired_clients_only() -> None:
    waiting, ready = session(), paired()

    assert waiting.model_changed(("a", "b", "c"), "v2") == []
    assert ready.model_changed(("a", "b", "c"), "v2") == [
        Send({"type": "ClassifierReady", "labels": ["a", "b", "c"], "model": "v2"})
    ]
    assert waiting.receive(HELLO)[0].message["labels"] == ["a", "b", "c"]  # type: ignore[union-attr]


def well_formed(action: Any) -> bool:
    if isinstance(action, Close):
        return action.code in (4001, 4002, 4003)
    if isinstance(action, Classify):
        return isinstance(action.id, str) and bool(action.id) and bool(action.audio)
    message = action.message
    json.dumps(message)
    if message["type"] == "Error":
        return set(message) == {"type", "id", "code", "message"} and message["code"] < 0
    return message["type"] in ("ClassifierReady", "GotClassification")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=10,
)
messages = st.one_of(
    st.text(max_size=200),
    json_values.map(json.dumps),
    st.fixed_dictionaries(
        {"type": st.sampled_from(["ClassifySoundData", "hello", "x"])},
        optional={
            "id": json_values,
            "audio": json_values | st.binary().map(lambda b: base64.b64encode(b).decode()),
            "code": json_values,
            "protocol": json_values,
        },
    ).map(json.dumps),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(messages, max_size=12), st.booleans())
def test_any_messages_get_well_formed_replies_and_no_crash(texts: list[str], pair: bool) -> None:
    s = paired() if pair else session()
    for text in texts:
        for action in s.receive(text):
            assert well_formed(action), action
            if isinstance(action, Classify):
                assert all(well_formed(a) for a in s.classified(action.id, [["clap", 1.0]]))


# --- protocol 1.1: CollectSoundData ----------------------------------------------------


def collect(request_id: Any = "1", label: Any = "clap", audio: Any = WAV) -> str:
    return json.dumps(
        {"type": "CollectSoundData", "id": request_id, "label": label, "audio": audio}
    )


def test_a_version_1_or_1_1_hello_is_accepted_and_nothing_else() -> None:
    for version, accepted in (("1", True), ("1.1", True), ("1.0", True), ("true", False),
                              ("2", False), ('"1"', False), ("1.2", False)):  # fmt: skip
        s = session()
        s.receive(HELLO.replace('"protocol": 1', f'"protocol": {version}'))
        assert s.paired is accepted, version


def test_a_bridge_that_does_not_collect_says_so() -> None:
    s = paired()

    assert codes(s.receive(collect("c1"))) == [("c1", -32)]
    assert not s.in_flight


def test_a_collected_clip_is_stored_and_answered_once() -> None:
    s = Session(code="AB12CD", labels=("clap",), model="m", collecting=True)
    s.receive(HELLO)

    assert s.receive(collect("c1", "snap")) == [Collect("c1", "snap", b"RIFF....WAVE")]
    answer = {"label": "snap", "clip": "phone-1.wav", "clips": 3}
    assert s.collected("c1", answer) == [Send({"type": "SoundCollected", "id": "c1", **answer})]
    assert s.collected("c1", answer) == []
    assert codes(s.receive(collect("c2", ""))) == [("c2", -33)]
    assert codes(s.receive(collect("c3", 5))) == [("c3", -33)]
    assert codes(s.receive(collect("c4", "clap", "%%%"))) == [("c4", -22)]
    assert codes(s.receive(collect(None))) == [(None, -25)]
    # Collections and classifications share the in-flight limit.
    for i in range(MAX_IN_FLIGHT):
        s.receive(collect(f"k{i}") if i % 2 else request(f"k{i}"))
    assert not s.has_room()
    assert codes(s.receive(collect("over"))) == [("over", -28)]
