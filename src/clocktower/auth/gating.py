"""Field-level gating (seed 004): every returned object keeps only the fields its reader may see.

A read schema subclasses GatedModel with an `object_type`; `Read.of(obj, auth)` remembers
the reader, and serialisation drops each field `f` unless `obj.<type>.f` is granted
(`obj.<type>.*` or `obj.*` grant all). `id` is always kept: it is how objects are named;
so is the `version` delta sync adds to an object (the order of its changes, not its data).
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, PrivateAttr, SerializationInfo, model_serializer
from pydantic.functional_serializers import SerializerFunctionWrapHandler

from clocktower.auth.context import AuthContext
from clocktower.auth.permissions import register_object_fields

ALWAYS_VISIBLE = frozenset({"id", "version"})
# Added by delta sync to every read schema it hands out; no field node of its own.
_UNGATED = frozenset({"version"})


class GatedModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    object_type: ClassVar[str] = ""
    # Worked out once per class, not per object: the grants that show every field, and
    # each field's node.
    _all_fields_grants: ClassVar[frozenset[str]] = frozenset()
    _field_nodes: ClassVar[dict[str, str]] = {}
    _reader: AuthContext | None = PrivateAttr(default=None)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if cls.object_type:
            register_object_fields(
                cls.object_type, [name for name in cls.model_fields if name not in _UNGATED]
            )
            # The only grants that match `obj.<type>.<f>` for every field name f.
            cls._all_fields_grants = frozenset({"*", "obj.*", f"obj.{cls.object_type}.*"})
            cls._field_nodes = {name: f"obj.{cls.object_type}.{name}" for name in cls.model_fields}

    @classmethod
    def of(cls, obj: Any, auth: AuthContext | None, **overrides: Any) -> Self:
        model = (
            cls.model_validate(obj, from_attributes=True)
            if not overrides
            else cls.model_validate(_attributes(obj, cls, overrides))
        )
        model._reader = auth
        return model

    @model_serializer(mode="wrap")
    def _gate(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo):  # type: ignore[no-untyped-def]
        # No return annotation on purpose: Pydantic then documents the model's own schema.
        data = handler(self)
        reader = self._reader
        if reader is None or not self.object_type or not isinstance(data, dict):
            return data
        grants = reader.grants
        if not grants.grants.isdisjoint(self._all_fields_grants):
            return data  # owners, admins and every built-in role: nothing to drop
        nodes = self._field_nodes
        return {
            key: value
            for key, value in data.items()
            if key in ALWAYS_VISIBLE
            or grants.matches(nodes.get(key) or f"obj.{self.object_type}.{key}")
        }


_MISSING = object()


def _attributes(obj: Any, model: type[BaseModel], overrides: dict[str, Any]) -> dict[str, Any]:
    """The model's fields as `obj` has them, with `overrides` in place of its own (those
    are not read off `obj` at all): one getattr per field, for every row of a list."""
    if isinstance(obj, dict):
        return {**obj, **overrides}
    found = dict(overrides)
    for name in model.model_fields:
        if name not in overrides:
            value = getattr(obj, name, _MISSING)
            if value is not _MISSING:
                found[name] = value
    return found
