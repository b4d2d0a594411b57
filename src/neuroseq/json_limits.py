"""Decode JSON from outside with limits on size, nesting and number length.

Python's ``json`` turns a 5,000-digit integer into a ValueError (the interpreter's limit on
integer digits) and very deep nesting into a RecursionError in whatever walks the result
next; neither is a clear message. This checks the text first, in one linear pass, and
answers every problem with a ``JsonLimitError`` that says what was found and what is
allowed. The assessment format needs nesting depth 4 and numbers of a few digits.
"""

from __future__ import annotations

import json
from typing import Any

MAX_NUMBER_DIGITS = 100


class JsonLimitError(ValueError):
    """The text is not JSON the application accepts; the message says why."""


def _kb(size: int) -> str:
    return f"{size / 1024:.0f} KB"


def nesting_depth(text: str) -> int:
    """Deepest nesting of ``[``/``{`` outside strings (no parse, no recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _number(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_NUMBER_DIGITS:
        raise JsonLimitError(f"a number with {digits} digits; at most {MAX_NUMBER_DIGITS}")
    return int(text)


def _constant(name: str) -> Any:
    raise JsonLimitError(f"{name} is not a JSON number")


def load_json_limited(text: str, *, max_bytes: int, max_depth: int) -> Any:
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > max_bytes:
        raise JsonLimitError(f"the text is {_kb(size)}; at most {_kb(max_bytes)}")
    depth = nesting_depth(text)
    if depth > max_depth:
        raise JsonLimitError(f"nested {depth} levels deep; at most {max_depth}")
    try:
        return json.loads(text, parse_int=_number, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise JsonLimitError(
            f"not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise JsonLimitError(f"nested too deep; at most {max_depth}") from None
