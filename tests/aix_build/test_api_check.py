"""aix_build.api_check: the compiled extension against the real Android and App Inventor APIs.

The listing (extension/java/api/real-api.txt) is made from the real API files by
aix_build.api_listing. Here the component as shipped must pass, and each kind
of stand-in mistake that would break the app on a phone must be caught: a
stand-in copy with one mistake in it compiles, and the check names it.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from aix_build.api_check import check, check_classes, javap, parse_javap
from aix_build.api_listing import LISTING_PATH, parse_api_text, read_listing
from aix_build.build import compile_component
from aix_build.java import compile_java
from aix_build.sources import STANDINS, standin_sources
from tests.conftest import needs_aix_tools_or_skip

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def real() -> dict:
    return read_listing(LISTING_PATH.read_text(encoding="utf-8"))


def test_the_component_as_shipped_uses_only_the_real_apis(tmp_path: Path) -> None:
    needs_aix_tools_or_skip()
    classes, standins = compile_component(
        tmp_path / "build", package="org.pac.classifier", asset_names=["a.html"], cache_dir=tmp_path
    )

    assert check_classes(classes, standins) == []


@pytest.fixture
def mistake(tmp_path: Path) -> Iterator:
    """Compile ``source`` (class ``t.Use``) against stand-ins with one file edited."""
    needs_aix_tools_or_skip()

    def build(edits: dict[str, tuple[str, str]], source: str) -> list[str]:
        standins = tmp_path / "standins"
        shutil.copytree(STANDINS, standins)
        for relative, (old, new) in edits.items():
            path = standins / relative
            text = path.read_text(encoding="utf-8")
            assert old in text, (relative, old)
            path.write_text(text.replace(old, new), encoding="utf-8")
        standin_classes, our_classes = tmp_path / "standin-classes", tmp_path / "classes"
        compile_java(sorted(standins.rglob("*.java")), classpath=[], out_dir=standin_classes)
        use = tmp_path / "src" / "t" / "Use.java"
        use.parent.mkdir(parents=True)
        use.write_text(textwrap.dedent(source), encoding="utf-8")
        compile_java([use], classpath=[standin_classes], out_dir=our_classes)
        ours = parse_javap(javap(sorted(our_classes.rglob("*.class"))))
        theirs = parse_javap(javap(sorted(standin_classes.rglob("*.class"))))
        return check(ours, theirs, read_listing(LISTING_PATH.read_text(encoding="utf-8")))

    yield build


def test_a_wrong_parameter_type_is_caught(mistake) -> None:  # type: ignore[no-untyped-def]
    # The defect that would have crashed the app on its first recording.
    problems = mistake(
        {"android/media/MediaCodec.java": (
            "configure(MediaFormat format, Surface surface, MediaCrypto crypto, int flags)",
            "configure(MediaFormat format, Object surface, Object crypto, int flags)",
        )},
        """
        package t;
        class Use {
          void use(android.media.MediaCodec codec, android.media.MediaFormat format) {
            codec.configure(format, null, null, 0);
          }
        }
        """,
    )  # fmt: skip

    (problem,) = problems
    assert "android/media/MediaCodec.configure(MediaFormat, Object, Object, int)" in problem
    assert "configure(MediaFormat, Surface, MediaCrypto, int)" in problem
    assert "extension/java/standins/android/media/MediaCodec.java" in problem


def test_a_wrong_constant_is_caught(mistake) -> None:  # type: ignore[no-untyped-def]
    problems = mistake(
        {"android/media/AudioFormat.java": ("CHANNEL_IN_MONO = 16", "CHANNEL_IN_MONO = 1")},
        "package t;\nclass Use { int mono = android.media.AudioFormat.CHANNEL_IN_MONO; }\n",
    )

    assert problems == [
        "the stand-in constant android/media/AudioFormat.CHANNEL_IN_MONO is int 1, the phone's "
        "is 16: fix extension/java/standins/android/media/AudioFormat.java"
    ]


def test_static_where_the_phone_has_an_instance_method_is_caught(mistake) -> None:  # type: ignore[no-untyped-def]
    problems = mistake(
        {
            "android/webkit/WebView.java": (
                "public void stopLoading()",
                "public static void stopLoading()",
            )
        },
        "package t;\nclass Use { void use() { android.webkit.WebView.stopLoading(); } }\n",
    )

    assert len(problems) == 1 and "with invokestatic, but it is an instance member" in problems[0]


def test_a_class_that_is_an_interface_on_the_phone_is_caught(mistake) -> None:  # type: ignore[no-untyped-def]
    problems = mistake(
        {"android/webkit/WebResourceRequest.java": (
            "public interface WebResourceRequest {\n  Uri getUrl();\n\n  boolean isForMainFrame();",
            "public abstract class WebResourceRequest {\n  public abstract Uri getUrl();\n\n"
            "  public abstract boolean isForMainFrame();",
        )},
        "package t;\nclass Use {\n"
        "  Object use(android.webkit.WebResourceRequest r) { return r.getUrl(); }\n}\n",
    )  # fmt: skip

    assert (
        len(problems) == 1
        and "with invokevirtual, but" in problems[0]
        and "an interface" in problems[0]
    )


def test_a_callback_override_the_phone_would_never_call_is_caught(mistake) -> None:  # type: ignore[no-untyped-def]
    problems = mistake(
        {"android/webkit/WebViewClient.java": (
            "public boolean onRenderProcessGone(WebView view, RenderProcessGoneDetail detail)",
            "public boolean onRenderProcessGone(WebView view, Object detail)",
        )},
        """
        package t;
        class Use extends android.webkit.WebViewClient {
          @Override
          public boolean onRenderProcessGone(android.webkit.WebView view, Object detail) {
            return true;
          }
        }
        """,
    )  # fmt: skip

    (problem,) = problems
    assert "Use.onRenderProcessGone(WebView, Object) overrides" in problem
    assert "onRenderProcessGone(WebView, RenderProcessGoneDetail)" in problem
    assert "never be called" in problem


def test_a_member_android_21_lacks_is_caught_outside_its_callback(mistake) -> None:  # type: ignore[no-untyped-def]
    problems = mistake(
        {},
        """
        package t;
        class Use extends android.webkit.WebViewClient {
          boolean early(android.webkit.RenderProcessGoneDetail detail) {
            return detail.didCrash();  // API 26: NoSuchMethodError on Android 5 to 7
          }

          @Override
          public boolean onRenderProcessGone(
              android.webkit.WebView view, android.webkit.RenderProcessGoneDetail detail) {
            return detail.didCrash();  // only ever called where it exists
          }
        }
        """,
    )

    (problem,) = problems
    assert problem.startswith("Use.early uses android/webkit/RenderProcessGoneDetail.didCrash()")
    assert "Android 21" in problem


def test_a_test_hook_of_a_stand_in_is_not_the_phones(mistake) -> None:  # type: ignore[no-untyped-def]
    problems = mistake(
        {},
        "package t;\nclass Use { boolean use(android.webkit.WebView v) { return v.destroyed; } }\n",
    )

    assert len(problems) == 1 and "android/webkit/WebView.destroyed" in problems[0]
    assert "not in the listing" in problems[0]


def test_an_annotation_element_app_inventor_lacks_is_caught(mistake) -> None:  # type: ignore[no-untyped-def]
    problems = mistake(
        {"com/google/appinventor/components/annotations/SimpleEvent.java": (
            "boolean userVisible() default true;",
            "boolean userVisible() default true;\n  String color() default \"\";",
        )},
        """
        package t;
        class Use {
          @com.google.appinventor.components.annotations.SimpleEvent(color = "red")
          public void Ding() {}
        }
        """,
    )  # fmt: skip

    assert len(problems) == 1 and "SimpleEvent has no element color" in problems[0]


# --- the listing's own parsers ----------------------------------------------------------------


def test_the_api_text_parser_reads_generics_varargs_nested_classes_and_constants() -> None:
    text = textwrap.dedent(
        """\
        // Signature format: 2.0
        package android.media {

          public final class MediaCodec {
            method public void configure(@Nullable android.media.MediaFormat, @Nullable android.view.Surface, @Nullable android.media.MediaCrypto, int);
            method @NonNull public static android.media.MediaCodec createDecoderByType(@NonNull String) throws java.io.IOException;
            field public static final int BUFFER_FLAG_END_OF_STREAM = 4; // 0x4
          }

          public static final class MediaCodec.BufferInfo {
            ctor public MediaCodec.BufferInfo();
            field public int size;
          }

          public interface Thing<T extends java.lang.CharSequence> extends java.lang.Runnable java.io.Closeable {
            method public <E> E pick(java.util.Map<java.lang.String,E>, T...);
          }

        }
        """  # noqa: E501
    )

    api = parse_api_text(text)

    codec = api["android/media/MediaCodec"]
    assert [(m.name, m.descriptor, m.static, m.value) for m in codec.members] == [
        (
            "configure",
            "(Landroid/media/MediaFormat;Landroid/view/Surface;Landroid/media/MediaCrypto;I)V",
            False,
            None,
        ),
        ("createDecoderByType", "(Ljava/lang/String;)Landroid/media/MediaCodec;", True, None),
        ("BUFFER_FLAG_END_OF_STREAM", "I", True, "4"),
    ]  # fmt: skip
    info = api["android/media/MediaCodec$BufferInfo"]
    assert [(m.name, m.descriptor) for m in info.members] == [("<init>", "()V"), ("size", "I")]
    thing = api["android/media/Thing"]
    assert thing.interface and thing.interfaces == ("java/lang/Runnable", "java/io/Closeable")
    assert (
        thing.members[0].descriptor
        == "(Ljava/util/Map;[Ljava/lang/CharSequence;)Ljava/lang/Object;"
    )


def test_the_listing_names_only_real_members_of_the_standins_classes(real: dict) -> None:
    standin_files = {str(p.relative_to(STANDINS).with_suffix("")) for p in standin_sources()}
    listed = {name for name in real if not name.startswith("java/")}

    assert standin_files <= listed, sorted(standin_files - listed)
    assert all(
        m.kind in ("field", "method") and m.access in ("public", "protected")
        for info in real.values()
        for m in info.members
    )
