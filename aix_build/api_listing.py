"""The real APIs the extension links against, as a small listing to check compiled classes by.

The component compiles against stand-ins of Android and App Inventor
(``extension/java/standins``), because neither platform's classes exist here.
A stand-in that compiles proves nothing about the platform: a call compiled
against a wrong stand-in signature throws ``NoSuchMethodError`` on the phone.
So the stand-ins are held to a listing made from the real APIs:

* Android: the platform's API text files (``<level>/public/api/android.txt``
  and ``android-non-updatable.txt`` in AOSP ``prebuilts/sdk``), at the level
  the extension targets and at its ``androidMinSdk``;
* App Inventor: its runtime's Java sources (``appinventor/components/src`` of
  ``mit-cml/appinventor-sources``), parsed with javac's own parser.

``python -m aix_build.api_listing`` writes the listing (docs/extension.md,
"On a real phone", says how). It keeps only the classes that have a stand-in,
their real supertypes, and the real members whose names the stand-ins
declare, so it stays small. ``aix_build.api_check`` checks compiled classes
against it.

The listing's format, one line each, sorted; names are JVM internal names and
descriptors (``android/media/MediaCodec``, ``(Ljava/lang/String;)V``)::

    # comment lines: where the listing comes from
    class NAME [interface] super SUPER [implements I1,I2]
    member NAME FIELD_OR_METHOD ACCESS [static] [final] MEMBER_NAME DESCRIPTOR [= VALUE] [new]

``new`` marks Android members that the minimum API level lacks.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

LISTING_PATH = (
    Path(__file__).resolve().parent.parent / "extension" / "java" / "api" / "real-api.txt"
)
TARGET_API = 34
"""The Android API level App Inventor builds apps against (its ``android-34/android.jar``)."""
MIN_API = 21
"""The extension's ``androidMinSdk``: members it calls must exist there too."""

PRIMITIVES = {
    "void": "V",
    "boolean": "Z",
    "byte": "B",
    "char": "C",
    "short": "S",
    "int": "I",
    "long": "J",
    "float": "F",
    "double": "D",
}


@dataclass(frozen=True)
class Member:
    """A field or method of a real class (constructors are methods named ``<init>``)."""

    kind: str  # "field" or "method"
    name: str
    descriptor: str
    access: str  # "public" or "protected"
    static: bool = False
    final: bool = False
    value: str | None = None  # a field's constant value, as Java source text
    new: bool = False  # absent at MIN_API

    def line(self, owner: str) -> str:
        flags = [self.access] + ["static"] * self.static + ["final"] * self.final
        value = "" if self.value is None else f" = {self.value}"
        new = " new" if self.new else ""
        head = f"member {owner} {self.kind} {' '.join(flags)}"
        return f"{head} {self.name} {self.descriptor}{value}{new}"


@dataclass
class ClassInfo:
    """A real class or interface: its supertypes and (some of) its members."""

    name: str
    interface: bool
    superclass: str | None
    interfaces: tuple[str, ...] = ()
    members: list[Member] = field(default_factory=list)

    def line(self) -> str:
        kind = " interface" if self.interface else ""
        implements = f" implements {','.join(self.interfaces)}" if self.interfaces else ""
        return f"class {self.name}{kind} super {self.superclass or '-'}{implements}"


Api = dict[str, ClassInfo]


# --- Android's API text files (signature format 2.0) ---------------------------------------


def _split_top(text: str, sep: str = ",") -> list[str]:
    """Split at ``sep`` outside <...>."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _erase(type_text: str, type_vars: dict[str, str]) -> str:
    """A Java type as written in an API file -> its JVM descriptor."""
    text = re.sub(r"@[\w.]+(\([^)]*\))?\s*", "", type_text).strip()
    dims = 0
    if text.endswith("..."):
        text, dims = text[:-3], 1
    while text.endswith("[]"):
        text, dims = text[:-2].strip(), dims + 1
    depth, out = 0, []
    for ch in text:  # drop type arguments
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth -= 1
        elif depth == 0:
            out.append(ch)
    base = "".join(out).strip()
    if base in PRIMITIVES:
        return "[" * dims + PRIMITIVES[base]
    if base in type_vars:
        return "[" * dims + type_vars[base]
    if base == "?":
        base = "java.lang.Object"
    if "." not in base:
        base = f"java.lang.{base}"
    parts = base.split(".")
    package = [p for p in parts if p[:1].islower()]
    classes = parts[len(package) :]
    return "[" * dims + "L" + "/".join(package) + "/" + "$".join(classes) + ";"


def _type_vars(text: str | None, outer: dict[str, str]) -> dict[str, str]:
    """``<T extends Foo, U>`` -> {T: erasure of Foo, U: Object}, on top of ``outer``."""
    found = dict(outer)
    if not text:
        return found
    for param in _split_top(text.strip()[1:-1]):
        name, _, bound = param.partition(" extends ")
        first_bound = bound.split("&")[0].strip() if bound else "java.lang.Object"
        found[name.strip()] = _erase(first_bound, found)
    return found


_CLASS = re.compile(
    r"^\s*(?P<mods>(?:[\w@]+\s+)*?)(?P<kind>class|interface|@interface|enum)\s+"
    r"(?P<name>[\w.]+)(?P<tparams><[^{]*?>)?"
    r"(?:\s+extends\s+(?P<extends>[^{]*?))?(?:\s+implements\s+(?P<implements>[^{]*?))?\s*\{\s*$"
)
_MEMBER = re.compile(
    r"^\s*(?P<kind>ctor|method|field|enum_constant|property)\s+(?P<rest>.*);(\s*//.*)?$"
)


def parse_api_text(text: str) -> Api:
    """Classes of an API text file, with every public and protected member."""
    api: Api = {}
    package = ""
    current: ClassInfo | None = None
    class_vars: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.rstrip()
        if line.startswith("package "):
            package = line.split()[1]
            continue
        match = _CLASS.match(re.sub(r"@(?!interface\b)[\w.]+(\([^)]*\))?\s*", "", line))
        if match:
            simple = match["name"]
            name = package.replace(".", "/") + "/" + simple.replace(".", "$")
            class_vars = _type_vars(match["tparams"], {})
            kind = match["kind"]
            supers = [_erase(t, class_vars)[1:-1] for t in _split_top(match["extends"] or "", " ")]
            impls = [
                _erase(t, class_vars)[1:-1] for t in _split_top(match["implements"] or "", " ")
            ]
            if kind in ("interface", "@interface"):
                current = ClassInfo(name, True, "java/lang/Object", tuple(supers))
            else:
                default = "java/lang/Enum" if kind == "enum" else "java/lang/Object"
                current = ClassInfo(name, False, supers[0] if supers else default, tuple(impls))
            api[name] = current
            continue
        member = _MEMBER.match(line)
        if current is None or member is None:
            continue
        parsed = _parse_member(member["kind"], member["rest"], current, class_vars)
        if parsed is not None:
            current.members.append(parsed)
    return api


def _parse_member(
    kind: str, rest: str, owner: ClassInfo, class_vars: dict[str, str]
) -> Member | None:
    rest = re.sub(r"@[\w.]+(\([^)]*\))?\s*", "", rest)
    words = rest.split()
    mods = set()
    while words and words[0] in (
        "public", "protected", "static", "final", "abstract", "default", "synchronized", "native",
        "transient", "volatile", "deprecated", "strictfp", "sealed",
    ):  # fmt: skip
        mods.add(words.pop(0))
    access = "protected" if "protected" in mods else "public"
    static = "static" in mods
    final = "final" in mods
    rest = " ".join(words)
    if kind == "field":
        declaration, _, value = rest.partition(" = ")
        type_text, _, name = declaration.rpartition(" ")
        return Member("field", name, _erase(type_text, class_vars), access, static, final,
                      value.strip() or None)  # fmt: skip
    if kind == "enum_constant":
        type_text, _, name = rest.rpartition(" ")
        return Member("field", name, "L" + owner.name + ";", "public", True, True)
    if kind not in ("ctor", "method"):
        return None
    head, _, params = rest.partition("(")
    params = params[: params.rfind(")")]
    method_vars = class_vars
    if head.startswith("<"):
        depth = 0
        for i, ch in enumerate(head):
            depth += {"<": 1, ">": -1}.get(ch, 0)
            if depth == 0:
                method_vars = _type_vars(head[: i + 1], class_vars)
                head = head[i + 1 :].strip()
                break
    parts = head.split()
    if kind == "ctor":
        name, returns = "<init>", "V"
    else:
        name, returns = parts[-1], _erase(" ".join(parts[:-1]), method_vars)
    args = "".join(_erase(p, method_vars) for p in _split_top(params))
    return Member("method", name, f"({args}){returns}", access, static, final)


# --- App Inventor's Java sources, through javac's parser ------------------------------------


def parse_java_sources(files: Sequence[Path]) -> Api:
    """Public and protected members of the classes in ``files`` (parsed, not compiled)."""
    from aix_build.java import jvm

    jpype = jvm()
    from javax.tools import ToolProvider

    compiler = ToolProvider.getSystemJavaCompiler()
    manager = compiler.getStandardFileManager(None, None, None)
    units = manager.getJavaFileObjectsFromStrings(
        jpype.java.util.Arrays.asList([str(f) for f in files])
    )
    task = compiler.getTask(None, manager, None, None, None, units)
    javac_task = jpype.JObject(task, jpype.JClass("com.sun.source.util.JavacTask"))
    known = {_source_class_name(f) for f in files}
    api: Api = {}
    for unit in javac_task.parse():
        package = str(unit.getPackageName()) if unit.getPackageName() is not None else ""
        imports = {}
        for imp in unit.getImports():
            if not imp.isStatic():
                qualified = str(imp.getQualifiedIdentifier())
                imports[qualified.rsplit(".", 1)[-1]] = qualified
        for decl in unit.getTypeDecls():
            if str(decl.getKind()) in ("CLASS", "INTERFACE", "ENUM", "ANNOTATION_TYPE"):
                _add_java_class(api, decl, package, [], imports, known)
    manager.close()
    return api


def _source_class_name(path: Path) -> str:
    text = path.read_text(encoding="utf-8", errors="replace")
    match = re.search(r"^\s*package\s+([\w.]+)\s*;", text, re.M)
    package = match[1] if match else ""
    return f"{package}.{path.stem}" if package else path.stem


def _add_java_class(
    api: Api, tree: Any, package: str, outer: list[str], imports: dict[str, str], known: set[str]
) -> None:
    simple = str(tree.getSimpleName())
    chain = [*outer, simple]
    name = package.replace(".", "/") + "/" + "$".join(chain)
    kind = str(tree.getKind())
    nested = {str(m.getSimpleName()) for m in tree.getMembers() if hasattr(m, "getSimpleName")}
    scope = _Scope(package, chain, imports, known, nested)
    class_vars = {str(p.getName()): scope.bound(p) for p in tree.getTypeParameters()}
    extends = tree.getExtendsClause()
    implements = [scope.descriptor(t, class_vars)[1:-1] for t in tree.getImplementsClause()]
    interface = kind in ("INTERFACE", "ANNOTATION_TYPE")
    if interface:
        superclass = "java/lang/Object"
        if kind == "ANNOTATION_TYPE":
            implements = ["java/lang/annotation/Annotation"]
    elif kind == "ENUM":
        superclass = "java/lang/Enum"
    else:
        superclass = scope.descriptor(extends, class_vars)[1:-1] if extends else "java/lang/Object"
    info = ClassInfo(name, interface, superclass, tuple(implements))
    api[name] = info
    for member in tree.getMembers():
        member_kind = str(member.getKind())
        if member_kind in ("CLASS", "INTERFACE", "ENUM", "ANNOTATION_TYPE"):
            _add_java_class(api, member, package, chain, imports, known)
            continue
        if member_kind not in ("VARIABLE", "METHOD"):
            continue  # initializer blocks
        flags = {str(f).lower() for f in member.getModifiers().getFlags()}
        if interface:
            flags.add("public")
            if member_kind == "VARIABLE":
                flags |= {"static", "final"}
        if member_kind == "VARIABLE" and kind == "ENUM" and _is_enum_constant(member, simple):
            info.members.append(
                Member("field", str(member.getName()), f"L{name};", "public", True, True)
            )
            continue
        if "public" not in flags and "protected" not in flags:
            continue
        access = "protected" if "protected" in flags else "public"
        if member_kind == "VARIABLE":
            init = member.getInitializer()
            value = None
            if (
                {"static", "final"} <= flags
                and init is not None
                and str(init.getKind()).endswith("_LITERAL")
            ):
                value = str(init)
            info.members.append(
                Member(
                    "field",
                    str(member.getName()),
                    scope.descriptor(member.getType(), class_vars),
                    access,
                    "static" in flags,
                    "final" in flags,
                    value,
                )  # fmt: skip
            )
            continue
        method_vars = dict(class_vars)
        for p in member.getTypeParameters():
            method_vars[str(p.getName())] = scope.bound(p)
        method_name = str(member.getName())
        args = "".join(scope.descriptor(p.getType(), method_vars) for p in member.getParameters())
        if method_name == "<init>":
            returns = "V"
        else:
            returns = scope.descriptor(member.getReturnType(), method_vars)
        info.members.append(
            Member(
                "method",
                method_name,
                f"({args}){returns}",
                access,
                "static" in flags,
                "final" in flags,
            )  # fmt: skip
        )
    if kind == "ENUM":
        info.members.append(Member("method", "values", f"()[L{name};", "public", True))


def _is_enum_constant(variable: Any, enum_name: str) -> bool:
    """An enum constant: its initializer is ``new EnumName(...)`` made by the parser."""
    init = variable.getInitializer()
    return (
        init is not None
        and str(init.getKind()) == "NEW_CLASS"
        and (str(init.getIdentifier()) == enum_name)
    )


@dataclass
class _Scope:
    """Resolves the type names of one source file to JVM names."""

    package: str
    chain: list[str]
    imports: dict[str, str]
    known: set[str]
    nested: set[str]

    def qualified(self, simple: str) -> str:
        head, _, tail = simple.partition(".")
        if head in self.nested:
            base = f"{self.package}.{'.'.join(self.chain)}.{head}"
        elif head in self.imports:
            base = self.imports[head]
        elif f"{self.package}.{head}" in self.known:
            base = f"{self.package}.{head}"
        elif head[:1].islower():  # already qualified
            return simple
        else:
            base = f"java.lang.{head}"
        return f"{base}.{tail}" if tail else base

    def bound(self, param: Any) -> str:
        bounds = list(param.getBounds())
        return self.descriptor(bounds[0], {}) if bounds else "Ljava/lang/Object;"

    def descriptor(self, tree: Any, type_vars: dict[str, str]) -> str:
        kind = str(tree.getKind())
        if kind == "PRIMITIVE_TYPE":
            return PRIMITIVES[str(tree).strip()]
        if kind == "ARRAY_TYPE":
            return "[" + self.descriptor(tree.getType(), type_vars)
        if kind == "PARAMETERIZED_TYPE":
            return self.descriptor(tree.getType(), type_vars)
        if kind == "ANNOTATED_TYPE":
            return self.descriptor(tree.getUnderlyingType(), type_vars)
        text = str(tree).strip()
        if text in type_vars:
            return type_vars[text]
        return _erase(self.qualified(text), {})


# --- The listing -----------------------------------------------------------------------------


def standin_declarations(standins: Path) -> dict[str, set[str]]:
    """{internal class name: names of the public and protected members it declares}."""
    parsed = parse_java_sources(sorted(standins.rglob("*.java")))
    return {name: {m.name for m in info.members} for name, info in parsed.items()}


def _chain(api: Api, name: str) -> list[str]:
    """``name`` and its supertypes that ``api`` knows, nearest first."""
    seen: list[str] = []
    todo = [name]
    while todo:
        current = todo.pop(0)
        if current in seen or current not in api:
            continue
        seen.append(current)
        info = api[current]
        todo += ([info.superclass] if info.superclass else []) + list(info.interfaces)
    return seen


def make_listing(
    real: Api, declared: dict[str, set[str]], *, min_api: Api, sources: Sequence[str]
) -> str:
    """The listing's text: each stand-in class's real chain, and the members named in it."""
    keep: dict[str, ClassInfo] = {}
    for standin, names in sorted(declared.items()):
        chain = _chain(real, standin)
        for name in chain:
            info = real[name]
            kept = keep.setdefault(name, replace(info, members=[]))
            for member in info.members:
                wanted = member.name in names or (member.name == "<init>" and name == standin)
                if wanted and member not in kept.members:
                    kept.members.append(member)
    lines = [f"# {line}" for line in sources]
    for name in sorted(keep):
        info = keep[name]
        lines.append(info.line())
        old = (
            {(m.kind, m.name, m.descriptor) for m in min_api[name].members}
            if name in min_api
            else None
        )
        for member in sorted(info.members, key=lambda m: (m.kind, m.name, m.descriptor)):
            is_new = old is not None and (member.kind, member.name, member.descriptor) not in old
            is_new = is_new or (old is None and name.startswith("android/"))
            lines.append(replace(member, new=is_new).line(name))
    return "\n".join(lines) + "\n"


def read_listing(text: str) -> Api:
    """The listing's classes and members (see the module docstring for the format)."""
    api: Api = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        words = line.split(" ")
        if words[0] == "class":
            interface = words[2] == "interface"
            rest = words[3:] if interface else words[2:]
            superclass = None if rest[1] == "-" else rest[1]
            interfaces = tuple(rest[3].split(",")) if len(rest) > 3 else ()
            api[words[1]] = ClassInfo(words[1], interface, superclass, interfaces)
            continue
        owner, kind = words[1], words[2]
        new = words[-1] == "new"
        if new:
            words = words[:-1]
        value = None
        if "=" in words:
            at = words.index("=")
            value = " ".join(words[at + 1 :])
            words = words[:at]
        flags = words[3:-2]
        api[owner].members.append(
            Member(
                kind,
                words[-2],
                words[-1],
                flags[0],
                "static" in flags,
                "final" in flags,
                value,
                new,
            )
        )
    return api


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m aix_build.api_listing",
        description="Write extension/java/api/real-api.txt from the real Android and App "
        "Inventor APIs.",
    )
    parser.add_argument("--android", type=Path, nargs="+", required=True, metavar="FILE",
                        help=f"API {TARGET_API} text files (android.txt or "
                        "android-non-updatable.txt)")  # fmt: skip
    parser.add_argument("--android-min", type=Path, required=True, metavar="FILE",
                        help=f"the API {MIN_API} android.txt")  # fmt: skip
    parser.add_argument("--appinventor", type=Path, required=True, metavar="DIR",
                        help="appinventor/components/src of App Inventor's sources")  # fmt: skip
    parser.add_argument("--source", action="append", default=[], metavar="TEXT",
                        help="where the inputs came from (repository, commit)")  # fmt: skip
    parser.add_argument("--out", type=Path, default=LISTING_PATH)
    args = parser.parse_args(list(argv) if argv is not None else None)

    from aix_build.sources import STANDINS

    real: Api = {}
    for path in args.android:
        real.update(parse_api_text(path.read_text(encoding="utf-8")))
    min_api = parse_api_text(args.android_min.read_text(encoding="utf-8"))
    declared = standin_declarations(STANDINS)
    wanted_ai = {n for n in declared if n.startswith("com/google/appinventor/")}
    ai_files = sorted(args.appinventor.rglob("*.java"))
    ai_api = parse_java_sources(ai_files)
    missing = sorted(n for n in wanted_ai if n not in ai_api)
    if missing:
        print(f"not found in {args.appinventor}: {', '.join(missing)}", file=sys.stderr)
        return 1
    real.update(ai_api)
    sources = [
        "The real API of every class that has a stand-in in extension/java/standins: its",
        "supertypes, and its members whose names the stand-ins use. Generated by",
        "python -m aix_build.api_listing (docs/extension.md, 'On a real phone'); do not edit.",
        *(f"Android API {TARGET_API}: {p.name} sha256 {_sha256(p)}" for p in args.android),
        f"Android API {MIN_API} (for 'new'): {args.android_min.name} "
        f"sha256 {_sha256(args.android_min)}",
        *args.source,
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        make_listing(real, declared, min_api=min_api, sources=sources), encoding="utf-8"
    )
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
