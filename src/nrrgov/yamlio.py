"""Read YAML into plain Python values with the line and column of every node.

PyYAML's composer builds a node graph that keeps each node's marks. This module turns it
into dicts, lists and scalars plus a side table of 1-based positions keyed by path tuples
such as ``("metrics", 2, "formula")``. On the way it rejects what ``yaml.safe_load``
would accept silently or dangerously: duplicate keys (PyYAML keeps the last), tags other
than the standard safe ones, and aliases. Aliases are rejected outright, so a "billion
laughs" document, which nests aliases to expand into billions of nodes, costs no more
than its own text.

>>> document, problems = parse_yaml("name: nrr\\nformula: ending_mrr / starting_mrr\\n", "m.yml")
>>> document.data["formula"]
'ending_mrr / starting_mrr'
>>> document.position(("formula",))
Position(line=2, col=10, end_line=2, end_col=35, style=None)
>>> problems
[]
"""

from __future__ import annotations

import difflib
import logging
import re
import types
import typing
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from nrrgov.errors import Location, UserError

logger = logging.getLogger(__name__)

SYNTAX_CODE = "NRG101"
DUPLICATE_KEY_CODE = "NRG102"
TAG_CODE = "NRG103"
ALIAS_CODE = "NRG104"

_STANDARD = "tag:yaml.org,2002:"
SAFE_TAGS = frozenset(
    _STANDARD + name for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
)

# A path of mapping keys and sequence indexes from the document root.
NodePath = tuple


@dataclass(frozen=True)
class Position:
    """Position of a node in its file: 1-based start and end, and the scalar style.

    Attributes:
        style: None for a plain scalar or a collection, ``'`` or ``"`` for a quoted
            scalar, ``|`` or ``>`` for a block scalar.
    """

    line: int
    col: int
    end_line: int
    end_col: int
    style: str | None = None

    def at_offset(self, offset: int) -> Position:
        """Return the position of the character at 1-based ``offset`` inside a scalar.

        The result is exact for a plain scalar, or a quoted one without escapes, on one
        line. A block scalar or one that spans lines keeps the position of its start.
        """
        if self.style not in (None, "'", '"') or self.line != self.end_line:
            return self
        quote = 1 if self.style else 0
        return Position(self.line, self.col + quote + offset - 1, self.line, self.end_col)


@dataclass
class YamlDocument:
    """A parsed file: plain values and the positions of their nodes.

    Attributes:
        path: the file as shown to users (relative to where the command ran).
        data: dicts, lists and scalars; None for an empty file.
        values: path -> position of the value node at that path.
        keys: path -> position of the mapping key whose value is at that path.
        rejected: (line, column) of each node replaced by null because it was rejected
            (an alias or a tag), so that later checks do not report it again.
    """

    path: str
    data: Any
    values: dict[NodePath, Position] = field(default_factory=dict)
    keys: dict[NodePath, Position] = field(default_factory=dict)
    rejected: set[tuple[int, int]] = field(default_factory=set)

    def position(self, path: NodePath) -> Position:
        """Return the position of the value at ``path`` or of its nearest known ancestor."""
        for length in range(len(path), -1, -1):
            known = self.values.get(tuple(path[:length]))
            if known is not None:
                return known
        return Position(1, 1, 1, 1)

    def key_position(self, path: NodePath) -> Position:
        """Return the position of the key of ``path``, or of its value if it has no key."""
        return self.keys.get(tuple(path)) or self.position(path)

    def locate(self, path: NodePath, *, key: bool = False) -> Location:
        """Return a :class:`Location` (file, line, column) for ``path``."""
        found = self.key_position(path) if key else self.position(path)
        return Location(self.path, line=found.line, col=found.col)


class YamlError(UserError):
    """A problem found while reading a YAML file.

    Attributes:
        value: the offending text, when there is one.
        node_path: the path of the offending node, for schema errors.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        where: Location,
        hint: str | None = None,
        value: str | None = None,
        node_path: NodePath | None = None,
    ) -> None:
        super().__init__(code, message, where=where, hint=hint)
        self.value = value
        self.node_path = node_path


def parse_yaml(text: str, path: str) -> tuple[YamlDocument | None, list[YamlError]]:
    """Parse one YAML document from ``text``, collecting every problem found.

    Args:
        text: the file's contents.
        path: the file as shown in messages.

    Returns:
        The document (None when the text is not valid YAML) and the problems. A document
        is returned alongside problems such as a duplicate key, with the offending node
        dropped or replaced by null, so that later checks still run on the rest.
    """
    problems: list[YamlError] = []
    loader = _PositionalLoader(text, path)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        return None, [_syntax_error(error, path)]
    except RecursionError:
        return None, [_too_deep(path)]
    finally:
        loader.dispose()
    problems.extend(loader.alias_problems())

    document = YamlDocument(path=path, data=None)
    document.rejected.update(
        (alias.start_mark.line + 1, alias.start_mark.column + 1) for alias in loader.aliases
    )
    if root is None:
        return document, problems
    try:
        document.data = _Builder(document, problems).build(root, ())
    except RecursionError:
        return None, [_too_deep(path)]
    return document, problems


def _too_deep(path: str) -> YamlError:
    return YamlError(
        SYNTAX_CODE,
        "the YAML nests too deeply to read",
        where=Location(path, line=1, col=1),
        hint="definitions files need only a few levels of nesting; flatten the structure",
    )


def _syntax_error(error: yaml.MarkedYAMLError, path: str) -> YamlError:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else None
    col = mark.column + 1 if mark else None
    problem = error.problem or "invalid YAML"
    context = f" ({error.context})" if error.context else ""
    return YamlError(
        SYNTAX_CODE,
        f"invalid YAML: {problem}{context}",
        where=Location(path, line=line, col=col),
        hint="check the indentation and quoting at this line and the one before",
    )


class _PositionalLoader(yaml.SafeLoader):
    """A safe loader whose composer replaces every alias with null and records it."""

    def __init__(self, text: str, path: str) -> None:
        super().__init__(text)
        self.display_path = path
        self.aliases: list[yaml.AliasEvent] = []

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        if self.check_event(yaml.AliasEvent):
            event = self.get_event()
            self.aliases.append(event)
            return ScalarNode(_STANDARD + "null", "", event.start_mark, event.end_mark)
        return super().compose_node(parent, index)

    def alias_problems(self) -> list[YamlError]:
        """Return one problem for the first alias that counts the others, to keep reports short."""
        if not self.aliases:
            return []
        first = self.aliases[0]
        more = len(self.aliases) - 1
        extra = f" ({more} more alias{'es' if more > 1 else ''} in this file)" if more else ""
        where = Location(
            self.display_path, line=first.start_mark.line + 1, col=first.start_mark.column + 1
        )
        return [
            YamlError(
                ALIAS_CODE,
                f"YAML alias '*{first.anchor}' is not allowed{extra}",
                where=where,
                hint="write the value out in full where it is used; aliases are rejected so "
                "that a small file cannot expand into a huge one",
                value=f"*{first.anchor}",
            )
        ]


class _Builder:
    """Turns composed nodes into plain values, recording positions and problems."""

    def __init__(self, document: YamlDocument, problems: list[YamlError]) -> None:
        self.document = document
        self.problems = problems
        self.constructor = SafeConstructor()

    def build(self, node: Node, path: NodePath) -> Any:
        self.document.values[path] = _position(node)
        if node.tag not in SAFE_TAGS:
            tag = _shorten_tag(node.tag)
            self._problem(TAG_CODE, node, f"tag {tag!r} is not allowed", _TAG_HINT, tag)
            self.document.rejected.add((node.start_mark.line + 1, node.start_mark.column + 1))
            return None
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        return self._scalar(node)

    def _mapping(self, node: MappingNode, path: NodePath) -> dict:
        result: dict = {}
        first_seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = self._key(key_node)
            if key is _INVALID:
                continue
            if key in first_seen:
                message = f"duplicate key {key!r} (first defined at line {first_seen[key]})"
                hint = "remove one of the two; YAML parsers silently keep only the last"
                self._problem(DUPLICATE_KEY_CODE, key_node, message, hint, str(key))
                continue
            first_seen[key] = key_node.start_mark.line + 1
            self.document.keys[(*path, key)] = _position(key_node)
            result[key] = self.build(value_node, (*path, key))
        return result

    def _key(self, node: Node) -> Any:
        if not isinstance(node, ScalarNode) or node.tag not in SAFE_TAGS:
            message = "a mapping key must be a plain name"
            self._problem(SYNTAX_CODE, node, message, "write the key as a plain word", None)
            return _INVALID
        return self._scalar(node)

    def _scalar(self, node: ScalarNode) -> Any:
        # Dates stay text: the specs parse the formats they accept, such as YYYY-MM.
        if node.tag == _STANDARD + "timestamp":
            return node.value
        try:
            value = self.constructor.construct_object(node, deep=True)
            if node.tag in _NUMBER_TAGS and not _PLAIN_NUMBER.match(node.value):
                # YAML 1.1 reads 012 as octal 10, 0x1F as hex and 1:30 as 90.
                message = f"YAML reads {node.value!r} as the number {value!r}"
                hint = "write the number in plain decimals without a leading zero, or quote it"
                self._problem(INVALID_VALUE_CODE, node, message, hint, node.value)
            return value
        except ConstructorError as error:
            self._problem(SYNTAX_CODE, node, f"invalid value: {error.problem}", None, node.value)
            return None
        except ValueError:
            message = f"invalid value {node.value!r} for tag {_shorten_tag(node.tag)!r}"
            self._problem(SYNTAX_CODE, node, message, "remove the tag or fix the value", node.value)
            return None

    def _problem(
        self, code: str, node: Node, message: str, hint: str | None, value: str | None
    ) -> None:
        mark = node.start_mark
        where = Location(self.document.path, line=mark.line + 1, col=mark.column + 1)
        self.problems.append(YamlError(code, message, where=where, hint=hint, value=value))


_INVALID = object()
_TAG_HINT = (
    "remove the tag: definitions files use plain YAML values (strings, numbers, booleans, "
    "null, lists and mappings) and never construct Python objects"
)


def _shorten_tag(tag: str) -> str:
    """Write a standard tag the way it appears in files: ``!!python/object``."""
    return "!!" + tag.removeprefix(_STANDARD) if tag.startswith(_STANDARD) else tag


def _position(node: Node) -> Position:
    start, end = node.start_mark, node.end_mark
    style = node.style if isinstance(node, ScalarNode) else None
    return Position(start.line + 1, start.column + 1, end.line + 1, end.column + 1, style)


# Validation errors from the pydantic specs, mapped back onto the document's nodes.

UNKNOWN_KEY_CODE = "NRG105"
MISSING_KEY_CODE = "NRG106"
INVALID_VALUE_CODE = "NRG107"
INCONSISTENT_CODE = "NRG108"

_PATTERN_HINTS = {
    r"^[a-z][a-z0-9_]*$": "use lowercase letters, digits and underscores, starting with a letter",
    r"^\d{4}-(0[1-9]|1[0-2])$": "write the month as YYYY-MM, for example 2025-01",
    r"^[A-Z]{3}$": "use a three-letter ISO 4217 currency code such as USD",
}
_NUMBER_TAGS = {_STANDARD + "int", _STANDARD + "float"}
_PLAIN_NUMBER = re.compile(r"^[-+]?(0|[1-9][0-9]*)(\.[0-9]*)?([eE][-+]?[0-9]+)?$|^[-+]?\.[0-9]+$")
_YAML_BOOLEAN_WORDS = {"yes", "no", "on", "off", "true", "false", "y", "n"}


def validation_problems(
    error: ValidationError, document: YamlDocument, model: type[BaseModel]
) -> list[YamlError]:
    """Map each error pydantic raised while validating ``document`` onto its node.

    A missing key points at the mapping that lacks it, an unknown key at the key itself
    (with the closest valid key as a hint), any other error at the offending value.
    """
    return [_validation_problem(detail, document, model) for detail in error.errors()]


def _validation_problem(detail: dict, document: YamlDocument, model: type[BaseModel]) -> YamlError:
    loc = tuple(detail["loc"])
    kind = detail["type"]
    if kind == "missing":
        key = loc[-1]
        where = document.locate(loc[:-1])
        message = f"missing required key {key!r}"
        hint = f"add '{key}: ...' here"
        return YamlError(MISSING_KEY_CODE, message, where=where, hint=hint, node_path=loc)
    if kind == "extra_forbidden":
        return _unknown_key(loc, document, model)
    if not loc and kind in ("model_type", "dict_type"):
        return _not_a_mapping(detail, document, model)
    if kind in ("value_error", "assertion_error"):
        return _inconsistent(detail, loc, document)
    return _invalid_value(detail, loc, document)


def _not_a_mapping(detail: dict, document: YamlDocument, model: type[BaseModel]) -> YamlError:
    """Describe a file whose top level is a list or a single value instead of keys."""
    found = "a list" if isinstance(detail.get("input"), list) else "a single value"
    keys = ", ".join(f"'{name}:'" for name in _allowed_keys(model, ()))
    return YamlError(
        INVALID_VALUE_CODE,
        f"the file holds {found} at its top level; expected a mapping of keys ({keys})",
        where=document.locate(()),
        hint=f"start the file with a top-level key such as {keys.split(', ')[0]}",
        node_path=(),
    )


def _unknown_key(loc: tuple, document: YamlDocument, model: type[BaseModel]) -> YamlError:
    key = str(loc[-1])
    allowed = _allowed_keys(model, loc[:-1])
    close = difflib.get_close_matches(key, allowed, n=1)
    if close:
        hint = f"did you mean {close[0]!r}?"
    else:
        hint = f"allowed keys here: {', '.join(allowed)}" if allowed else None
    where = document.locate(loc, key=True)
    message = f"unknown key {key!r}"
    return YamlError(UNKNOWN_KEY_CODE, message, where=where, hint=hint, value=key, node_path=loc)


def _inconsistent(detail: dict, loc: tuple, document: YamlDocument) -> YamlError:
    """Map an error from a model validator, which concerns the mapping at ``loc`` as a whole.

    When the message quotes a key inside that mapping (as in "columns names 'amout'"),
    the error points at that key instead.
    """
    message = detail["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    where = document.locate(loc)
    for quoted in re.findall(r"'([^']+)'", message):
        inner = [path for path in document.keys if path[: len(loc)] == loc and path[-1] == quoted]
        if inner:
            where = document.locate(inner[0], key=True)
            break
    return YamlError(INCONSISTENT_CODE, message, where=where, node_path=loc)


def _invalid_value(detail: dict, loc: tuple, document: YamlDocument) -> YamlError:
    value = detail.get("input")
    name = next((part for part in reversed(loc) if isinstance(part, str)), "value")
    reason = detail["msg"][:1].lower() + detail["msg"][1:]
    shown = _quote(value)
    return YamlError(
        INVALID_VALUE_CODE,
        f"invalid value {shown} for {name!r}: {reason}",
        where=document.locate(loc),
        hint=_value_hint(detail, value),
        value=None if isinstance(value, dict | list) else str(value),
        node_path=loc,
    )


def _value_hint(detail: dict, value: Any) -> str | None:
    context = detail.get("ctx") or {}
    if "hint" in context:
        # A spec's own check gives its hint through a PydanticCustomError's context.
        return str(context["hint"])
    if detail["type"] == "literal_error":
        choices = re.findall(r"'([^']*)'", str(context.get("expected", "")))
        close = difflib.get_close_matches(str(value), choices, n=1)
        return f"did you mean {close[0]!r}?" if close else f"use one of: {', '.join(choices)}"
    if detail["type"] == "string_pattern_mismatch":
        return _PATTERN_HINTS.get(context.get("pattern"))
    if detail["type"] == "string_type" and isinstance(value, bool):
        return (
            "put the value in quotes: YAML reads unquoted yes, no, on, off, true and false "
            "as booleans"
        )
    if detail["type"] == "tuple_type" and isinstance(value, str):
        return f"write a list, for example [{value}]"
    return _TYPE_HINTS.get(detail["type"])


_TYPE_HINTS = {
    "int_parsing": "write a whole number, such as 12, without quotes",
    "int_from_float": "write a whole number, such as 12, without quotes",
    "float_parsing": "write a number, such as 0.95, without quotes",
    "bool_parsing": "write true or false",
    "bool_type": "write true or false",
    "string_type": "write text; quote it if it could read as a number or a boolean",
    "list_type": "write a list, such as [a, b]",
    "dict_type": "write a mapping of keys and values",
}


def _quote(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _allowed_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """Return the keys the model accepts at ``loc``, a path of keys and indexes into it."""
    current: Any = model
    for part in loc:
        current = _unwrap_optional(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field_info = current.model_fields.get(part) if isinstance(part, str) else None
            if field_info is None:
                return []
            current = field_info.annotation
        else:
            arguments = [arg for arg in typing.get_args(current) if arg is not Ellipsis]
            if not arguments:
                return []
            current = arguments[-1]
    current = _unwrap_optional(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _unwrap_optional(annotation: Any) -> Any:
    arguments = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(arguments) == 1:
        return arguments[0]
    return annotation
