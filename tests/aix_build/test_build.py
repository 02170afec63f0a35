"""aix_build.build: the .aix layout and the JSON App Inventor's designer reads (FACTS.md §1)."""

from __future__ import annotations

import json
import stat
import zipfile
from pathlib import Path
from typing import Any

import pytest

from aix_build.build import BuildError, build_aix
from aix_build.dex import DexError, find_dexer
from aix_build.sources import SourcesError, check_package_name
from model_export.model_folder.metadata import MetadataError
from tests.conftest import TRICKY_LABELS, needs_aix_tools_or_skip

pytestmark = pytest.mark.slow

PACKAGE = "org.pac.classifier"
REQUIRED_STRING_KEYS = (
    "type", "name", "external", "version", "categoryString", "helpString", "showOnPalette",
    "nonVisible", "iconName",
)  # fmt: skip
"""What ComponentDatabase.initComponent reads with asString()."""


def entries(aix: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(aix) as z:
        return {name: z.read(name) for name in z.namelist()}


def descriptor(aix: Path, package: str = PACKAGE) -> dict[str, Any]:
    (component,) = json.loads(entries(aix)[f"{package}/components.json"])
    return dict(component)


def test_the_aix_has_one_folder_named_after_the_package(built_aix: Path) -> None:
    names = set(entries(built_aix))

    assert {name.split("/")[0] for name in names} == {PACKAGE}
    assert {
        f"{PACKAGE}/components.json",
        f"{PACKAGE}/files/component_build_infos.json",
        f"{PACKAGE}/files/AndroidRuntime.jar",
        f"{PACKAGE}/aiwebres/icon.png",
        f"{PACKAGE}/LICENSE",
        f"{PACKAGE}/assets/pac_webview.html",
        f"{PACKAGE}/assets/pac_webview.js",
        f"{PACKAGE}/assets/model.json",
        f"{PACKAGE}/assets/metadata.json",
    } <= names
    assert f"{PACKAGE}/classes.jar" not in names  # no d8 here
    assert all("/" not in n.split("/assets/", 1)[1] for n in names if "/assets/" in n)


def test_components_json_has_what_the_designer_reads(built_aix: Path) -> None:
    component = descriptor(built_aix)

    for key in REQUIRED_STRING_KEYS:
        assert isinstance(component[key], str) and component[key], key
    assert component["type"] == f"{PACKAGE}.PersonalAudioClassifier"
    assert component["name"] == "PersonalAudioClassifier"
    assert (component["external"], component["nonVisible"]) == ("true", "true")
    assert component["categoryString"] == "EXTENSION"
    assert int(component["version"]) >= 1
    assert component["iconName"] == "aiwebres/icon.png"
    assert f"{PACKAGE}/{component['iconName']}" in entries(built_aix)
    for kind in ("properties", "blockProperties", "events", "methods"):
        assert isinstance(component[kind], list)


def test_every_block_has_its_parameters_and_yail_types(built_aix: Path) -> None:
    component = descriptor(built_aix)
    blocks = {
        (kind, b["name"]): [(p["name"], p["type"]) for p in b["params"]]
        for kind in ("events", "methods")
        for b in component[kind]
    }

    assert blocks == {
        ("events", "ClassifierReady"): [],
        ("events", "GotClassification"): [("result", "list")],
        ("events", "Error"): [("errorCode", "number"), ("errorMessage", "text")],
        ("events", "SoundCollected"): [("label", "text"), ("clips", "number")],
        ("methods", "ClassifySoundData"): [("path", "text")],
        ("methods", "CollectSoundData"): [("path", "text"), ("label", "text")],
        ("methods", "StartListening"): [],
        ("methods", "StopListening"): [],
    }
    for kind in ("events", "methods"):
        for block in component[kind]:
            assert block["description"] and block["deprecated"] == "false"
            assert "returnType" not in block  # all of them are void
    properties = {p["name"]: (p["type"], p["rw"]) for p in component["blockProperties"]}
    assert properties == {
        "Labels": ("list", "read-only"),
        "ModelName": ("text", "read-only"),
        "OverlapFactor": ("number", "read-write"),
        "MinimumConfidence": ("number", "read-write"),
        "BridgeUrl": ("text", "read-write"),
    }
    assert all(p["description"] for p in component["blockProperties"])
    designer = {p["name"]: p for p in component["properties"]}
    assert set(designer) == {"OverlapFactor", "MinimumConfidence", "BridgeUrl"}
    assert designer["BridgeUrl"]["editorType"] == "string"
    assert designer["OverlapFactor"] == {
        "name": "OverlapFactor",
        "editorType": "non_negative_float",
        "defaultValue": "0.5",
        "editorArgs": [],
    }


def test_build_info_lists_the_permission_and_exactly_the_assets(built_aix: Path) -> None:
    files = entries(built_aix)
    (info,) = json.loads(files[f"{PACKAGE}/files/component_build_infos.json"])
    assets = sorted(n.split("/assets/")[1] for n in files if "/assets/" in n)

    assert info["type"] == f"{PACKAGE}.PersonalAudioClassifier"
    assert info["permissions"] == ["android.permission.RECORD_AUDIO"]
    assert sorted(info["assets"]) == assets == sorted(descriptor(built_aix)["assets"])
    assert info["androidMinSdk"] == ["21"]


def test_android_runtime_jar_holds_only_the_extension_classes(built_aix: Path) -> None:
    jar = entries(built_aix)[f"{PACKAGE}/files/AndroidRuntime.jar"]
    path = built_aix.with_name("runtime.jar")
    path.write_bytes(jar)

    with zipfile.ZipFile(path) as z:
        names = z.namelist()

    assert f"{PACKAGE.replace('.', '/')}/PersonalAudioClassifier.class" in names
    assert all(n.startswith(PACKAGE.replace(".", "/") + "/") for n in names), names
    with zipfile.ZipFile(path) as z:  # class files for Java 8 (major version 52)
        header = z.read(f"{PACKAGE.replace('.', '/')}/PersonalAudioClassifier.class")[:8]
    assert header[:4] == b"\xca\xfe\xba\xbe" and int.from_bytes(header[6:8], "big") == 52


def test_the_model_and_its_tricky_labels_go_in_unchanged(
    built_aix: Path, tricky_model_dir: Path
) -> None:
    files = entries(built_aix)

    metadata = json.loads(files[f"{PACKAGE}/assets/metadata.json"])
    assert metadata["labels"] == TRICKY_LABELS
    assert files[f"{PACKAGE}/assets/model.json"] == (tricky_model_dir / "model.json").read_bytes()
    info = json.loads(files[f"{PACKAGE}/assets/pac_extension.json"])
    assert info == {"model_name": tricky_model_dir.name}


def test_the_same_inputs_give_the_same_bytes(
    tricky_model_dir: Path, aix_cache: Path, tmp_path: Path, built_aix: Path
) -> None:
    again = tmp_path / "again.aix"

    build_aix(tricky_model_dir, again, cache_dir=aix_cache, environ={})

    assert again.read_bytes() == built_aix.read_bytes()
    assert built_aix.stat().st_size < 8_000_000


def test_another_package_moves_everything(
    tricky_model_dir: Path, aix_cache: Path, tmp_path: Path
) -> None:
    out = tmp_path / "sounds.aix"

    build_aix(tricky_model_dir, out, package="com.example.sounds", cache_dir=aix_cache, environ={})

    assert {name.split("/")[0] for name in entries(out)} == {"com.example.sounds"}
    assert descriptor(out, "com.example.sounds")["type"] == (
        "com.example.sounds.PersonalAudioClassifier"
    )


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("sounds", "at least two parts"),
        ("com.Example.sounds", "'Example' is not a lower-case Java identifier"),
        ("com.example.class", "'class' is a reserved word"),
        ("com..sounds", "'' is not a lower-case Java identifier"),
        ("com.exämple.sounds", "'exämple' is not a lower-case Java identifier"),
    ],
)
def test_a_bad_package_name_is_refused_by_name(name: str, problem: str) -> None:
    with pytest.raises(SourcesError, match=problem):
        check_package_name(name)


def test_bad_inputs_write_nothing(copy_model_dir: Any, aix_cache: Path, tmp_path: Path) -> None:
    needs_aix_tools_or_skip()
    out = tmp_path / "x.aix"
    model = copy_model_dir("model")
    with pytest.raises(MetadataError, match="no such model directory"):
        build_aix(tmp_path / "nope", out, cache_dir=aix_cache, environ={})
    with pytest.raises(BuildError, match="package name 'sounds'"):
        build_aix(model, out, package="sounds", cache_dir=aix_cache, environ={})
    with pytest.raises(BuildError, match=r"must end in \.aix"):
        build_aix(model, tmp_path / "x.zip", cache_dir=aix_cache, environ={})
    metadata = json.loads((model / "metadata.json").read_text())
    metadata["labels"][0] = "two\nlines"
    (model / "metadata.json").write_text(json.dumps(metadata))
    with pytest.raises(BuildError, match=r"label 'two\\nlines' has a control character U\+000A"):
        build_aix(model, out, cache_dir=aix_cache, environ={})

    assert list(tmp_path.glob("*.aix*")) == [] and not (tmp_path / "x.zip").exists()


def _fake_d8(path: Path, log: Path, *, fail: bool = False) -> Path:
    """A stand-in for Android's d8 with its documented arguments (d8 cannot run here)."""
    path.write_text(
        "#!/usr/bin/env python3\n"
        "import sys, zipfile\n"
        f"open({str(log)!r}, 'w').write('\\n'.join(sys.argv[1:]))\n"
        + ("sys.stderr.write('Error: boom\\n'); sys.exit(1)\n" if fail else "")
        + "out = sys.argv[sys.argv.index('--output') + 1]\n"
        "zipfile.ZipFile(out, 'w').writestr('classes.dex', b'dex\\n035\\x00')\n"
    )
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_d8_makes_classes_jar_for_the_companion(
    tricky_model_dir: Path, aix_cache: Path, tmp_path: Path
) -> None:
    log = tmp_path / "d8.args"
    d8 = _fake_d8(tmp_path / "d8", log)
    android_jar = tmp_path / "android.jar"
    with zipfile.ZipFile(android_jar, "w") as jar:  # compiled against too, ahead of stand-ins
        jar.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
    out = tmp_path / "with-dex.aix"

    report = build_aix(
        tricky_model_dir, out, d8=d8, android_jar=android_jar, cache_dir=aix_cache, environ={}
    )

    assert report.dexer is not None and report.dexer.source == "--d8"
    args = log.read_text().split("\n")
    assert args[:4] == ["--release", "--min-api", "21", "--output"]
    assert args[args.index("--lib") + 1] == str(android_jar)
    assert args[-1].endswith("AndroidRuntime.jar")
    jar = tmp_path / "classes.jar"
    jar.write_bytes(entries(out)[f"{PACKAGE}/classes.jar"])
    assert zipfile.ZipFile(jar).namelist() == ["classes.dex"]


def test_a_failing_d8_is_reported_and_nothing_is_written(
    tricky_model_dir: Path, aix_cache: Path, tmp_path: Path
) -> None:
    d8 = _fake_d8(tmp_path / "d8", tmp_path / "log", fail=True)
    out = tmp_path / "x.aix"

    with pytest.raises(DexError, match="d8 \\(--d8\\) failed with exit 1: Error: boom"):
        build_aix(tricky_model_dir, out, d8=d8, cache_dir=aix_cache, environ={})

    assert not out.exists()


def test_d8_is_found_in_the_newest_android_build_tools(tmp_path: Path) -> None:
    for version in ("30.0.3", "34.0.0", "9.0.0"):
        tools = tmp_path / "sdk" / "build-tools" / version
        tools.mkdir(parents=True)
        (tools / "d8").write_text("")
    (tmp_path / "cache").mkdir()

    found = find_dexer(None, environ={"ANDROID_HOME": str(tmp_path / "sdk")}, cache_dir=tmp_path)

    assert found is not None
    assert found.command == (str(tmp_path / "sdk" / "build-tools" / "34.0.0" / "d8"),)
    assert found.source == "$ANDROID_HOME (34.0.0)"
    assert find_dexer(None, environ={}, cache_dir=tmp_path / "cache") is None
    with pytest.raises(DexError, match="no such file"):
        find_dexer(tmp_path / "missing-d8", environ={}, cache_dir=tmp_path)


def test_the_docs_show_the_blocks_and_errors_as_they_are(aix_cache: Path) -> None:
    needs_aix_tools_or_skip()
    from aix_build.docs import DOC, blocks_reference, error_table, render

    text = DOC.read_text(encoding="utf-8")
    parts = {"blocks": blocks_reference(aix_cache), "errors": error_table()}

    assert render(text, parts) == text, "docs/extension.md is stale: python -m aix_build.docs"
    assert "**ClassifySoundData**(path (text))" in text
