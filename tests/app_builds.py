"""Cheaper app builds for the tests: each handler's signature parsed once per process.

Most tests build the app afresh (`create_app`, a new one per client), and Litestar parses
every route handler's signature again at each build: resolving the type hints of some 420
handlers (`typing.get_type_hints`, an `eval` per annotation) was about half of the 0.26 s a
build took, and building apps was most of the CPU of a test folder such as `tests/sharing`
(README, "How long CI takes"). A parsed signature depends only on the function's code, its
defaults, whether it is bound, and the names it is resolved against, so it is kept by those
and handed to the next build (0.26 s → 0.09 s a build). `ParsedSignature` is a frozen
dataclass that Litestar only reads (it deep-copies one before changing it).

Only the tests do this: a server builds its app once.
"""

from __future__ import annotations

import inspect
from functools import partial
from typing import Any

from litestar._signature import SignatureModel
from litestar.utils.signature import ParsedSignature

# Each kept signature with the namespace's values it was resolved against: held here, so no
# id in a key can be reused by another object while the key is kept.
_PARSED: dict[tuple[Any, ...], tuple[ParsedSignature, tuple[Any, ...]]] = {}
_parse = ParsedSignature.from_fn.__func__  # type: ignore[attr-defined]


def _key(fn: Any, namespace: dict[str, Any]) -> tuple[Any, ...]:
    function = getattr(fn, "__func__", fn)
    return (
        getattr(function, "__code__", function),
        getattr(function, "__defaults__", None),
        getattr(function, "__kwdefaults__", None) and tuple(function.__kwdefaults__.items()),
        inspect.ismethod(fn),
        tuple(sorted((name, id(value)) for name, value in namespace.items())),
    )


def _from_fn(cls: type[ParsedSignature], fn: Any, signature_namespace: dict[str, Any]):
    try:
        key = _key(fn, signature_namespace)
        hash(key)
    except TypeError:  # an unhashable default: parsed as Litestar would
        return _parse(cls, fn, signature_namespace)
    kept = _PARSED.get(key)
    if kept is None:
        kept = _PARSED[key] = (
            _parse(cls, fn, signature_namespace),
            tuple(signature_namespace.values()),
        )
    return kept[0]


def parse_each_signature_once() -> None:
    """Install the memo (idempotent)."""
    ParsedSignature.from_fn = classmethod(_from_fn)  # type: ignore[method-assign,assignment]
    SignatureModel.create = classmethod(_create_once)  # type: ignore[method-assign,assignment]


def parsed_count() -> int:
    """How many signatures and signature models are kept (a second build adds none)."""
    return len(_PARSED) + len(_MODELS)


# Each handler's (and dependency's) signature model, the msgspec class its parameters are
# parsed with, kept by what `SignatureModel.create` makes it from: the kept parsed signature
# above, the dependency names, the type decoders and the data DTO (held with it, as above).
_MODELS: dict[tuple[Any, ...], tuple[type[SignatureModel], tuple[Any, ...]]] = {}
_create = SignatureModel.create.__func__  # type: ignore[attr-defined]


def _same(decoder: Any) -> Any:
    """A type decoder's identity: a `partial` made afresh at each build (Litestar's pydantic
    plugin makes one) by its function and arguments."""
    if isinstance(decoder, partial):
        return (id(decoder.func), decoder.args, tuple(sorted(decoder.keywords.items())))
    return id(decoder)


def _create_once(
    cls: type[SignatureModel],
    dependency_name_set: set[str],
    fn: Any,
    parsed_signature: ParsedSignature,
    type_decoders: Any,
    data_dto: Any = None,
) -> type[SignatureModel]:
    held = (fn, parsed_signature, tuple(type_decoders or ()), data_dto)
    try:
        key = (
            getattr(getattr(fn, "__func__", fn), "__code__", fn),
            id(parsed_signature),
            frozenset(dependency_name_set),
            tuple(tuple(map(_same, pair)) for pair in held[2]),
            id(data_dto),
        )
        hash(key)
    except TypeError:
        return _create(cls, dependency_name_set, fn, parsed_signature, type_decoders, data_dto)
    kept = _MODELS.get(key)
    if kept is None:
        model = _create(cls, dependency_name_set, fn, parsed_signature, type_decoders, data_dto)
        kept = _MODELS[key] = (model, held)
    return kept[0]
