"""Keep docs/extension.md's generated parts in step with their sources.

    python -m aix_build.docs          rewrite them (needs a JDK: it compiles the component)
    python -m aix_build.docs --check  exit 1 if they are out of date

The blocks reference comes from the component's annotations, the error table
from extension/error_codes.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from aix_build.describe import blocks_markdown, read_component
from aix_build.sources import COMPONENT_NAME, DEFAULT_PACKAGE, ERROR_CODES_PATH, REPO

DOC = REPO / "docs" / "extension.md"
_MARK = "<!-- generated: {name} (python -m aix_build.docs); do not edit by hand -->"
_END = "<!-- end generated: {name} -->"


def error_table() -> str:
    table = json.loads(ERROR_CODES_PATH.read_text(encoding="utf-8"))
    lines = ["| errorCode | name | meaning |", "|---|---|---|"]
    lines += [f"| {e['code']} | `{e['name']}` | {e['meaning']} |" for e in table["codes"]]
    return "\n".join(lines) + "\n"


def blocks_reference(cache_dir: Path) -> str:
    from aix_build.build import compile_component

    with tempfile.TemporaryDirectory(prefix="pac-docs-") as tmp:
        classpath = compile_component(
            Path(tmp), package=DEFAULT_PACKAGE, asset_names=[], cache_dir=cache_dir
        )
        component = read_component(f"{DEFAULT_PACKAGE}.{COMPONENT_NAME}", classpath=classpath)
    return blocks_markdown(component)


def render(text: str, parts: dict[str, str]) -> str:
    """``text`` with each generated part replaced; raises ValueError if a marker is missing."""
    for name, body in parts.items():
        start, end = _MARK.format(name=name), _END.format(name=name)
        if start not in text or end not in text:
            raise ValueError(f"{DOC}: the markers for {name!r} are missing")
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        text = f"{head}{start}\n\n{body}\n{end}{tail}"
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check; exit 1 if stale")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pac-docs-cache-") as cache:
        parts = {"blocks": blocks_reference(Path(cache)), "errors": error_table()}
    old = DOC.read_text(encoding="utf-8")
    new = render(old, parts)
    if args.check:
        if new != old:
            print(f"{DOC} is out of date: run python -m aix_build.docs", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
