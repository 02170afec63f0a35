"""The component's blocks, read back from its Java annotations: the one source of the block API.

``read_component`` reflects on the compiled class (through JPype) into plain
data; ``components_json`` and ``build_info_json`` turn that into the files App
Inventor reads (FACTS.md §1), and ``blocks_markdown`` into the blocks
reference in docs/extension.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aix_build.java import load_class

ANNOTATIONS = "com.google.appinventor.components.annotations"

YAIL_TYPES = {
    "boolean": "boolean",
    "java.lang.String": "text",
    "int": "number",
    "long": "number",
    "short": "number",
    "byte": "number",
    "float": "number",
    "double": "number",
    "com.google.appinventor.components.runtime.util.YailList": "list",
    "java.util.List": "list",
    "com.google.appinventor.components.runtime.util.YailDictionary": "dictionary",
    "java.lang.Object": "any",
}
"""Java type -> the block type App Inventor shows (ComponentDescriptorGenerator's rules)."""


class DescribeError(ValueError):
    """The component's annotations break a rule App Inventor's designer relies on."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str


@dataclass(frozen=True)
class Block:
    """An event or a method."""

    name: str
    description: str
    params: tuple[Param, ...]
    return_type: str | None = None


@dataclass(frozen=True)
class Property:
    name: str
    description: str
    type: str
    rw: str
    category: str
    designer: dict[str, Any] | None = None
    """``{editorType, defaultValue, editorArgs}`` when it is set in the Designer."""


@dataclass(frozen=True)
class Component:
    type: str
    name: str
    version: int
    version_name: str
    description: str
    icon_name: str
    help_url: str
    android_min_sdk: int
    non_visible: bool
    permissions: tuple[str, ...]
    assets: tuple[str, ...]
    events: tuple[Block, ...] = field(default=())
    methods: tuple[Block, ...] = field(default=())
    properties: tuple[Property, ...] = field(default=())


def _yail(java_type: Any, where: str) -> str:
    name = str(java_type.getName())
    if name not in YAIL_TYPES:
        raise DescribeError(f"{where}: Java type {name} has no App Inventor block type")
    return YAIL_TYPES[name]


def _split(names: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in names.split(",") if part.strip())


def read_component(class_name: str, *, classpath: Sequence[Path]) -> Component:
    """Reflect on a compiled component class (annotations with RUNTIME retention)."""

    def annotation(name: str) -> Any:
        return load_class(f"{ANNOTATIONS}.{name}", classpath=classpath)

    cls = load_class(class_name, classpath=classpath)
    designer = cls.getAnnotation(annotation("DesignerComponent"))
    simple_object = cls.getAnnotation(annotation("SimpleObject"))
    if designer is None or simple_object is None or not simple_object.external():
        raise DescribeError(
            f"{class_name}: needs @DesignerComponent and @SimpleObject(external = true)"
        )
    uses_assets = cls.getAnnotation(annotation("UsesAssets"))
    uses_permissions = cls.getAnnotation(annotation("UsesPermissions"))
    permissions: tuple[str, ...] = ()
    if uses_permissions is not None:
        permissions = _split(str(uses_permissions.permissionNames())) + tuple(
            str(p) for p in uses_permissions.value()
        )

    event_ann, function_ann = annotation("SimpleEvent"), annotation("SimpleFunction")
    property_ann, designer_ann = annotation("SimpleProperty"), annotation("DesignerProperty")
    events, methods = [], []
    getters: dict[str, Any] = {}
    setters: dict[str, Any] = {}
    for method in sorted(cls.getDeclaredMethods(), key=lambda m: str(m.getName())):
        event = method.getAnnotation(event_ann)
        function = method.getAnnotation(function_ann)
        if event is None and function is None and method.getAnnotation(property_ann) is None:
            continue  # not a block: helpers, and the compiler's synthetic accessors
        name = str(method.getName())
        where = f"{class_name}.{name}"
        params = tuple(
            Param(str(p.getName()), _yail(p.getType(), where)) for p in method.getParameters()
        )
        if event is not None:
            events.append(Block(name, str(event.description()), params))
        elif function is not None:
            returns = method.getReturnType()
            methods.append(
                Block(
                    name,
                    str(function.description()),
                    params,
                    None if str(returns.getName()) == "void" else _yail(returns, where),
                )
            )
        else:
            (getters if not params else setters)[name] = method

    properties = []
    for name in sorted(set(getters) | set(setters)):
        getter, setter = getters.get(name), setters.get(name)
        main: Any = getter if getter is not None else setter
        ann = main.getAnnotation(property_ann)
        if getter is not None and setter is not None:
            rw = "read-write"
        else:
            rw = "read-only" if getter is not None else "write-only"
        java_type = getter.getReturnType() if getter is not None else main.getParameterTypes()[0]
        category = str(ann.category().getName())
        designer_settings = None
        if setter is not None and setter.getAnnotation(designer_ann) is not None:
            d = setter.getAnnotation(designer_ann)
            designer_settings = {
                "editorType": str(d.editorType()),
                "defaultValue": str(d.defaultValue()),
                "editorArgs": [str(a) for a in d.editorArgs()],
            }
            if category == "Unspecified":
                raise DescribeError(f"{class_name}.{name}: a Designer property needs a category")
        if not str(ann.description()):
            raise DescribeError(f"{class_name}.{name}: the property has no description")
        properties.append(
            Property(
                name,
                str(ann.description()),
                _yail(java_type, f"{class_name}.{name}"),
                rw,
                category,
                designer_settings,
            )
        )
    for block in events + methods:
        if not block.description:
            raise DescribeError(f"{class_name}.{block.name}: the block has no description")
    return Component(
        type=str(cls.getName()),
        name=str(cls.getSimpleName()),
        version=int(designer.version()),
        version_name=str(designer.versionName()),
        description=str(designer.description()),
        icon_name=str(designer.iconName()),
        help_url=str(designer.helpUrl()),
        android_min_sdk=int(designer.androidMinSdk()),
        non_visible=bool(designer.nonVisible()),
        permissions=permissions,
        assets=_split(str(uses_assets.fileNames())) if uses_assets is not None else (),
        events=tuple(events),
        methods=tuple(methods),
        properties=tuple(properties),
    )


def _block_json(block: Block) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": block.name,
        "description": block.description,
        "deprecated": "false",
        "params": [{"name": p.name, "type": p.type} for p in block.params],
    }
    if block.return_type is not None:
        out["returnType"] = block.return_type
    return out


def components_json(component: Component, *, date_built: str) -> list[dict[str, Any]]:
    """``components.json``: an array with this component's descriptor (strings, as App
    Inventor's ComponentDatabase reads them)."""
    return [
        {
            "type": component.type,
            "name": component.name,
            "external": "true",
            "version": str(component.version),
            "versionName": component.version_name,
            "dateBuilt": date_built,
            "categoryString": "EXTENSION",
            "helpString": component.description,
            "helpUrl": component.help_url,
            "showOnPalette": "true",
            "nonVisible": "true" if component.non_visible else "false",
            "iconName": component.icon_name,
            "licenseName": "",
            "androidMinSdk": str(component.android_min_sdk),
            "properties": [
                {"name": p.name, **p.designer} for p in component.properties if p.designer
            ],
            "blockProperties": [
                {
                    "name": p.name,
                    "description": p.description,
                    "type": p.type,
                    "rw": p.rw,
                    "deprecated": "false",
                    "category": p.category,
                }
                for p in component.properties
            ],
            "events": [_block_json(b) for b in component.events],
            "methods": [_block_json(b) for b in component.methods],
            "assets": list(component.assets),
        }
    ]


def build_info_json(component: Component) -> list[dict[str, Any]]:
    """``files/component_build_infos.json``: what the build server adds to an APK."""
    return [
        {
            "type": component.type,
            "permissions": list(component.permissions),
            "assets": list(component.assets),
            "libraries": [],
            "native": [],
            "activities": [],
            "metadata": [],
            "activityMetadata": [],
            "androidMinSdk": [str(component.android_min_sdk)],
            "broadcastReceivers": [],
            "queries": [],
            "services": [],
            "contentProviders": [],
            "xmls": [],
            "features": [],
        }
    ]


def blocks_markdown(component: Component) -> str:
    """The blocks reference of docs/extension.md, generated from the annotations."""
    lines = [f"### Events of {component.name}", ""]
    for block in component.events:
        params = ", ".join(f"{p.name} ({p.type})" for p in block.params)
        lines += [f"- **{block.name}**({params}): {block.description}"]
    lines += ["", f"### Methods of {component.name}", ""]
    for block in component.methods:
        params = ", ".join(f"{p.name} ({p.type})" for p in block.params)
        returns = f" → {block.return_type}" if block.return_type else ""
        lines += [f"- **{block.name}**({params}){returns}: {block.description}"]
    lines += ["", f"### Properties of {component.name}", ""]
    for prop in component.properties:
        where = ", also in the Designer" if prop.designer else ""
        default = f", default {prop.designer['defaultValue']}" if prop.designer else ""
        lines += [f"- **{prop.name}** ({prop.type}, {prop.rw}{where}{default}): {prop.description}"]
    return "\n".join(lines) + "\n"
