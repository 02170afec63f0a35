"""Check compiled classes against the real APIs' listing (``aix_build.api_listing``).

What a phone would refuse at run time, found at build time:

* a call or field access whose owner, name, descriptor (parameter and return
  types), static-ness or interface-ness differs from Android's or App
  Inventor's real class (``NoSuchMethodError``, ``IncompatibleClassChangeError``);
* a member that is not public (``IllegalAccessError``), unless a subclass uses
  a protected one;
* a member that Android's minimum level (the extension's ``androidMinSdk``)
  lacks, outside an override of a callback just as new;
* a method meant to override a callback (it overrides one of the stand-in)
  that overrides nothing on the phone, so it would never be called;
* a class extended or implemented that is not what the stand-in says;
* an annotation element, or an enum constant in one, that does not exist;
* a stand-in constant (javac copies constants into the code) whose value
  differs from the real one.

Class files are read with the JDK's ``javap``, run inside the JVM that
``aix_build.java`` starts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aix_build.api_listing import (
    LISTING_PATH,
    MIN_API,
    TARGET_API,
    Api,
    ClassInfo,
    Member,
    read_listing,
)

EXTERNAL = ("android/", "com/google/appinventor/")
OBJECT_METHODS = frozenset(
    [
        "equals",
        "hashCode",
        "toString",
        "getClass",
        "notify",
        "notifyAll",
        "wait",
        "clone",
        "finalize",
    ]
)


@dataclass(frozen=True)
class Ref:
    """One instruction's reference to a field or method (``opcode`` as javap names it)."""

    opcode: str
    owner: str
    name: str
    descriptor: str
    method: str  # where it is: "Class.method"


@dataclass
class ParsedClass:
    """What javap shows of one class file."""

    name: str
    interface: bool
    superclass: str | None
    interfaces: tuple[str, ...]
    members: list[Member] = field(default_factory=list)
    private: set[tuple[str, str]] = field(default_factory=set)  # private and synthetic
    refs: list[Ref] = field(default_factory=list)
    classes: list[tuple[str, str]] = field(default_factory=list)  # (class, where)
    annotations: list[tuple[str, list[tuple[str, str]], str]] = field(default_factory=list)


def javap(class_files: Sequence[Path]) -> str:
    """``javap -c -p -v`` of the class files, from the JDK inside this process's JVM."""
    from aix_build.java import JavaError, jvm

    jvm()
    from java.io import PrintWriter, StringWriter
    from java.util.spi import ToolProvider

    tool = ToolProvider.findFirst("javap")
    if not tool.isPresent():
        raise JavaError("this Java has no javap (a JRE, not a JDK?)")
    out, err = StringWriter(), StringWriter()
    code = tool.get().run(
        PrintWriter(out), PrintWriter(err), ["-c", "-p", "-v", *map(str, class_files)]
    )
    if code != 0:
        raise JavaError(f"javap failed: {str(err.toString()).strip()}")
    return str(out.toString())


def _internal(java_name: str) -> str:
    """``a.b.C$D<T>`` -> ``a/b/C$D``."""
    base = re.sub(r"<.*>", "", java_name.strip())
    parts = base.split(".")
    package = [p for p in parts if p[:1].islower()]
    return "/".join([*package, "$".join(parts[len(package) :])])


_HEADER = re.compile(
    r"^(?:[\w ]*?)\b(?P<kind>class|interface) (?P<name>\S+?)(?:<.*?>)?"
    r"(?: extends (?P<extends>.+?))?(?: implements (?P<implements>.+?))?$"
)
_INSTRUCTION = re.compile(
    r"^\s+\d+: (?P<op>\w+)\s+#\d+(?:,\s*\d+)?\s+"
    r"// (?P<what>Method|InterfaceMethod|Field|class) (?P<target>.+)$"
)


def _split_types(text: str | None) -> list[str]:
    if not text:
        return []
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += {"<": 1, ">": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [_internal(p) for p in parts if p.strip()]


def parse_javap(text: str) -> dict[str, ParsedClass]:
    """The classes in ``javap -c -p -v`` output."""
    classes: dict[str, ParsedClass] = {}
    for chunk in re.split(r"^Classfile ", text, flags=re.M)[1:]:
        parsed = _parse_class(chunk)
        classes[parsed.name] = parsed
    return classes


def _parse_class(chunk: str) -> ParsedClass:
    lines = chunk.splitlines()
    header = next(
        line for line in lines if _HEADER.match(line.strip()) and not line.startswith(" ")
    )
    match = _HEADER.match(header.strip())
    assert match is not None
    name = _internal(match["name"])
    interface = match["kind"] == "interface"
    supers = _split_types(match["extends"])
    if interface:
        parsed = ParsedClass(name, True, "java/lang/Object", tuple(supers))
    else:
        parsed = ParsedClass(name, False, supers[0] if supers else "java/lang/Object",
                             tuple(_split_types(match["implements"])))  # fmt: skip
    body = lines[lines.index("{") + 1 :] if "{" in lines else []
    current_method = ""
    declaration = ""
    in_annotations = False
    annotation_type: str | None = None
    elements: list[tuple[str, str]] = []
    for i, line in enumerate(body):
        if line.startswith("  ") and not line.startswith("   ") and line.rstrip().endswith(";"):
            declaration = line.strip()
            in_annotations = False
            continue
        stripped = line.strip()
        if stripped.startswith("descriptor: ") and declaration:
            descriptor = stripped.removeprefix("descriptor: ")
            flags_line = body[i + 1].strip() if i + 1 < len(body) else ""
            member = _member(declaration, descriptor, flags_line, name, body[i + 2 : i + 3])
            current_method = f"{name.rsplit('/', 1)[-1]}.{member.name}"
            if "ACC_PRIVATE" in flags_line or "ACC_SYNTHETIC" in flags_line:
                parsed.private.add((member.name, member.descriptor))
            else:
                parsed.members.append(member)
            declaration = ""
            continue
        instruction = _INSTRUCTION.match(line)
        if instruction:
            target = instruction["target"].strip()
            if instruction["what"] == "class":
                parsed.classes.append((target.strip('"'), current_method))
                continue
            member_ref, _, descriptor = target.rpartition(":")
            owner, _, member_name = member_ref.rpartition(".")
            parsed.refs.append(
                Ref(
                    instruction["op"],
                    owner or name,
                    member_name.strip('"'),
                    descriptor,
                    current_method,
                )
            )
            continue
        caught = re.match(r"^\s+\d+\s+\d+\s+\d+\s+Class (\S+)$", line)
        if caught:
            parsed.classes.append((caught[1], current_method))
            continue
        if stripped == "RuntimeVisibleAnnotations:":
            in_annotations = True
            continue
        if in_annotations:
            if re.match(r"^[\w.$]+\($", stripped):
                annotation_type, elements = _internal(stripped[:-1]), []
            elif stripped == ")" and annotation_type:
                parsed.annotations.append((annotation_type, elements, current_method or name))
                annotation_type = None
            elif annotation_type and "=" in stripped:
                key, _, value = stripped.partition("=")
                elements.append((key, value))
            elif not stripped or (stripped.endswith(":") and not stripped.startswith(("0", "1"))):
                in_annotations = bool(annotation_type)
    return parsed


def _member(declaration: str, descriptor: str, flags: str, owner: str, after: list[str]) -> Member:
    access = "protected" if "ACC_PROTECTED" in flags else "public"
    static = "ACC_STATIC" in flags
    final = "ACC_FINAL" in flags
    if descriptor.startswith("("):
        head = declaration.split("(")[0]
        words = head.split()
        simple = owner.rsplit("/", 1)[-1].replace("$", ".")
        if declaration.startswith("static {}"):
            name = "<clinit>"
        elif words and words[-1].replace("$", ".").endswith(simple):
            name = "<init>"
        else:
            name = words[-1] if words else head
        return Member("method", name, descriptor, access, static, final)
    name = declaration.rstrip(";").split()[-1]
    value = None
    if after and after[0].strip().startswith("ConstantValue: "):
        value = after[0].strip().removeprefix("ConstantValue: ")
    return Member("field", name, descriptor, access, static, final, value)


# --- the check ---------------------------------------------------------------------------------


def _readable(name: str, descriptor: str) -> str:
    """``configure(MediaFormat, Surface, MediaCrypto, int)`` from a method descriptor."""
    if not descriptor.startswith("("):
        return name
    types, i, args = descriptor[1 : descriptor.index(")")], 0, []
    while i < len(types):
        dims = 0
        while types[i] == "[":
            dims, i = dims + 1, i + 1
        if types[i] == "L":
            end = types.index(";", i)
            simple = types[i + 1 : end].rsplit("/", 1)[-1].replace("$", ".")
            i = end + 1
        else:
            simple = {v: k for k, v in {
                "boolean": "Z", "byte": "B", "char": "C", "short": "S", "int": "I", "long": "J",
                "float": "F", "double": "D",
            }.items()}[types[i]]  # fmt: skip
            i += 1
        args.append(simple + "[]" * dims)
    return f"{name}({', '.join(args)})"


@dataclass
class _World:
    """Our classes and the real ones, to resolve references as the JVM does."""

    ours: dict[str, ParsedClass]
    real: Api

    def info(self, name: str) -> ParsedClass | ClassInfo | None:
        return self.ours.get(name) or self.real.get(name)

    def supers(self, name: str) -> list[str]:
        """``name`` and every supertype this world knows, nearest first (classes first)."""
        seen: list[str] = []
        todo = [name]
        while todo:
            current = todo.pop(0)
            if current in seen:
                continue
            seen.append(current)
            info = self.info(current)
            if info is not None:
                todo += ([info.superclass] if info.superclass else []) + list(info.interfaces)
        return seen

    def find(self, owner: str, kind: str, name: str, descriptor: str) -> tuple[str, Member] | str:
        """The declaring class and member, or why there is none ("jdk": a JDK class's)."""
        for current in self.supers(owner):
            info = self.info(current)
            if info is None:
                if current == "java/lang/Object":
                    if kind == "method" and name in OBJECT_METHODS:
                        return "jdk"
                    continue
                if current.startswith("java/"):
                    return "jdk"
                continue
            for member in info.members:
                if member.kind == kind and member.name == name and member.descriptor == descriptor:
                    return current, member
            if isinstance(info, ParsedClass) and (name, descriptor) in info.private:
                return current, Member(kind, name, descriptor, "private")
        return "missing"

    def overloads(self, owner: str, name: str) -> list[str]:
        found = []
        for current in self.supers(owner):
            info = self.real.get(current)
            if info is not None:
                found += [_readable(m.name, m.descriptor) for m in info.members if m.name == name]
        return found


def _external(name: str) -> bool:
    return name.startswith(EXTERNAL)


def _fix(owner: str) -> str:
    """Where the stand-in of ``owner`` lives."""
    return f"fix extension/java/standins/{owner.split('$')[0]}.java"


def _short(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def check(ours: dict[str, ParsedClass], standins: dict[str, ParsedClass], real: Api) -> list[str]:
    """The problems of ``ours`` against ``real``; ``standins`` are what they compiled against."""
    world = _World(ours, real)
    problems: list[str] = []
    callbacks: set[str] = set()  # "Class.method" overriding a member new since MIN_API
    for cls in ours.values():
        problems += _check_supertypes(cls, real)
        problems += _check_overrides(cls, world, _World({**standins, **ours}, {}), callbacks)
    for cls in ours.values():
        problems += _check_refs(cls, world, callbacks)
        problems += _check_annotations(cls, real)
    for standin in standins.values():
        problems += _check_constants(standin, world)
    return problems


def _check_supertypes(cls: ParsedClass, real: Api) -> list[str]:
    problems = []
    supers = [("extends", cls.superclass)] if cls.superclass else []
    for kind, parent in supers + [("implements", i) for i in cls.interfaces]:
        if not _external(parent):
            continue
        info = real.get(parent)
        if info is None:
            problems.append(f"{_short(cls.name)} {kind} {parent}, which is not in the listing")
        elif info.interface != (kind == "implements" or cls.interface):
            actual = "an interface" if info.interface else "a class"
            problems.append(
                f"{_short(cls.name)} {kind} {parent}, which is {actual} on the phone: "
                + _fix(parent)
            )
    return problems


def _check_overrides(
    cls: ParsedClass, world: _World, compiled: _World, callbacks: set[str]
) -> list[str]:
    """Methods that override a platform method of the stand-ins must override one on the phone."""
    problems = []
    parents = [p for p in [cls.superclass, *cls.interfaces] if p]
    for member in cls.members:
        if member.kind != "method" or member.static or member.name.startswith("<"):
            continue
        meant = _first_found(compiled, parents, member)
        if meant is None or not _external(meant[0]):
            continue  # overrides nothing of the platform's
        found = _first_found(world, parents, member)
        label = f"{_short(cls.name)}.{_readable(member.name, member.descriptor)}"
        if found is None:
            others = "; ".join(world.overloads(meant[0], member.name)) or "no such method"
            problems.append(
                f"{label} overrides {meant[0]}.{member.name} of the stand-in, but the phone's has "
                f"{others}, so it would never be called: {_fix(meant[0])}"
            )
        elif found[1].final or found[1].static:
            problems.append(f"{label} overrides a final or static method of {found[0]}")
        elif found[1].new:
            callbacks.add(f"{_short(cls.name)}.{member.name}")
    return problems


def _first_found(world: _World, parents: list[str], member: Member) -> tuple[str, Member] | None:
    for parent in parents:
        found = world.find(parent, "method", member.name, member.descriptor)
        if not isinstance(found, str):
            return found
    return None


def _check_refs(cls: ParsedClass, world: _World, callbacks: set[str]) -> list[str]:
    """Every field and method the class uses, as the phone would link it."""
    problems = []
    subclass_of = set(world.supers(cls.name))
    for ref in cls.refs:
        kind = "method" if ref.descriptor.startswith("(") else "field"
        resolved = world.find(ref.owner, kind, ref.name, ref.descriptor)
        label = f"{ref.owner}.{_readable(ref.name, ref.descriptor)}"
        if resolved == "jdk":
            continue
        if isinstance(resolved, str):  # missing
            if not any(_external(s) for s in world.supers(ref.owner)):
                continue  # only our own classes and the JDK's
            others = world.overloads(ref.owner, ref.name)
            if others:
                problems.append(
                    f"{ref.method} uses {label}, which the phone does not have (API "
                    f"{TARGET_API} has {'; '.join(others)}): {_fix(ref.owner)}"
                )
            else:
                problems.append(
                    f"{ref.method} uses {label}, which is not in the listing {LISTING_PATH.name} "
                    "(not on the phone, or regenerate the listing: docs/extension.md)"
                )
            continue
        declaring, member = resolved
        if not _external(declaring):
            continue
        if member.static != (ref.opcode in ("invokestatic", "getstatic", "putstatic")):
            what = "static" if member.static else "an instance member"
            problems.append(
                f"{ref.method} uses {label} with {ref.opcode}, but it is {what} on the phone: "
                f"{_fix(declaring)}"
            )
        owner = world.info(ref.owner)
        calls = ref.opcode in ("invokeinterface", "invokevirtual")
        if calls and owner is not None and (ref.opcode == "invokeinterface") != owner.interface:
            actual = "an interface" if owner.interface else "a class"
            problems.append(
                f"{ref.method} calls {label} with {ref.opcode}, but {ref.owner} is {actual} on "
                f"the phone: {_fix(ref.owner)}"
            )
        if member.access == "protected" and declaring not in subclass_of:
            problems.append(f"{ref.method} uses {label}, which is protected on the phone")
        if member.new and ref.method not in callbacks:
            problems.append(
                f"{ref.method} uses {label}, which Android {MIN_API} (the extension's "
                "androidMinSdk) does not have"
            )
    for used, where in cls.classes:
        if _external(used) and used not in world.real:
            problems.append(f"{where} uses class {used}, which is not in the listing")
    return problems


def _check_annotations(cls: ParsedClass, real: Api) -> list[str]:
    problems = []
    for annotation, elements, where in cls.annotations:
        if not _external(annotation):
            continue
        info = real.get(annotation)
        if info is None:
            problems.append(f"{where} is annotated with {annotation}, which is not in the listing")
            continue
        names = {m.name for m in info.members if m.kind == "method"}
        for key, value in elements:
            if key not in names:
                problems.append(
                    f"{where}: {_short(annotation)} has no element {key} on App Inventor: "
                    f"{_fix(annotation)}"
                )
            enum = re.match(r"^L([\w/$]+);\.(\w+)$", value)
            if enum and _external(enum[1]):
                enum_class = real.get(enum[1])
                if enum_class is None or enum[2] not in {m.name for m in enum_class.members}:
                    problems.append(f"{where}: {enum[1]}.{enum[2]} does not exist on App Inventor")
    return problems


def _check_constants(standin: ParsedClass, world: _World) -> list[str]:
    """javac copies constants into the code: every one a stand-in has must be the phone's."""
    problems: list[str] = []
    if not _external(standin.name):
        return problems
    for member in standin.members:
        if member.value is None:
            continue
        resolved = world.find(standin.name, "field", member.name, member.descriptor)
        if isinstance(resolved, str):
            problems.append(
                f"the stand-in constant {standin.name}.{member.name} is not on the phone: "
                f"{_fix(standin.name)}"
            )
        elif _constant(member.value) != _constant(resolved[1].value):
            problems.append(
                f"the stand-in constant {standin.name}.{member.name} is {member.value}, the "
                f"phone's is {resolved[1].value}: {_fix(standin.name)}"
            )
    return problems


def _constant(text: str | None) -> object:
    """A constant as javap (``int 4``, ``String mime``) or a listing (``4``, ``"mime"``) has it."""
    if text is None:
        return None
    text = text.strip()
    javap_form = re.match(r"^(int|long|float|double|String) (.*)$", text, re.S)
    if javap_form:
        kind, value = javap_form.groups()
        if kind == "String":
            return value
        text = value
    if text.startswith('"') and text.endswith('"'):
        return bytes(text[1:-1], "utf-8").decode("unicode_escape")
    number = text.rstrip("lLfFdD")
    try:
        return int(number, 0)
    except ValueError:
        try:
            return float(number)
        except ValueError:
            return text


def check_classes(
    classes_dir: Path, standins_dir: Path, *, listing: Path = LISTING_PATH
) -> list[str]:
    """Check the compiled extension in ``classes_dir`` (the stand-ins it compiled against
    in ``standins_dir``) against the listing; return the problems, none when all is well."""
    ours = parse_javap(javap(sorted(classes_dir.rglob("*.class"))))
    standins = parse_javap(javap(sorted(standins_dir.rglob("*.class"))))
    real = read_listing(listing.read_text(encoding="utf-8"))
    return check(ours, standins, real)


def format_problems(problems: Iterable[str]) -> str:
    return "\n".join(f"  - {p}" for p in problems)
