"""``Secret``: the type of a credential field in a plugin's config model.

It is a pydantic ``SecretStr`` that also registers its value with the redaction registry the
moment it is validated, whatever the field is called and wherever the value came from::

    from odibi_core.plugins.options import PluginOptions, Secret

    class WarehouseOptions(PluginOptions):
        host: str
        password: Secret

    opts = WarehouseOptions(host="db", password="hunter2-hunter2")
    repr(opts)               # "WarehouseOptions(host='db', password=Secret('[REDACTED]'))"
    opts.model_dump_json()   # '{"host":"db","password":"[REDACTED]"}'
    opts.password.get_secret_value()   # the real value, for the driver only
"""

from __future__ import annotations

from typing import Any

from pydantic import GetCoreSchemaHandler, SecretStr
from pydantic_core import SchemaSerializer, core_schema

from odibi_core.redaction.mask import current_mask
from odibi_core.redaction.registry import register_secret


def _masked(value: Any, info: core_schema.SerializationInfo) -> Any:
    if info.mode == "json":
        return current_mask() if value.get_secret_value() else ""
    return value


_SERIALIZATION = core_schema.plain_serializer_function_ser_schema(
    _masked, info_arg=True, when_used="always"
)


class Secret(SecretStr):
    """A credential: masked (``[REDACTED]``) in ``str``, ``repr``, ``model_dump_json`` and
    ``model_dump(mode="json")``; registered for redaction on creation, so it is also masked if a
    driver or an exception ever prints the raw value. ``get_secret_value()`` returns it."""

    def __init__(self, secret_value: str) -> None:
        super().__init__(secret_value)
        register_secret(secret_value, source="a Secret config field")

    def _display(self) -> str:
        return current_mask() if self.get_secret_value() else ""

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """SecretStr's schema with every serialiser replaced by one printing the mask."""
        schema = super().__get_pydantic_core_schema__(source, handler)
        _replace_serializers(schema)
        return schema

    __pydantic_serializer__ = SchemaSerializer(core_schema.any_schema(serialization=_SERIALIZATION))


def _replace_serializers(schema: Any) -> None:
    if isinstance(schema, dict):
        if "serialization" in schema:
            schema["serialization"] = _SERIALIZATION
        for value in schema.values():
            _replace_serializers(value)
    elif isinstance(schema, list):
        for value in schema:
            _replace_serializers(value)
