"""``"module:Class"`` references to plugin options models, imported when first needed.

A spec's ``config_model`` may name its model instead of holding it::

    ConnectionSpec("warehouse", _make, "my_plugin.options:WarehouseOptions", "...")

Registering the spec then imports nothing: the model's module is imported the first time a
project uses the component (or ``odibi validate``, ``odibi doctor`` and the reference docs look at
it). So every installed plugin costs a run its registration only, never its pydantic models.
"""

from __future__ import annotations

import functools
import importlib
from typing import TYPE_CHECKING

from odibi_core.errors import PluginError

if TYPE_CHECKING:
    from odibi_core.plugins.options import PluginOptions

def resolve_options_model(
    model: type[PluginOptions] | str | None, *, what: str
) -> type[PluginOptions] | None:
    """The options model ``model`` is or names; ``what`` names its component in errors.

    Raises:
        PluginError: the reference is malformed, cannot be imported, or does not name a
            :class:`~odibi_core.plugins.options.PluginOptions` subclass.
    """
    if model is None or not isinstance(model, str):
        return model
    return _resolve(model, what)


@functools.cache
def _resolve(reference: str, what: str) -> type[PluginOptions]:
    from odibi_core.plugins.options import PluginOptions

    module_name, sep, attribute = reference.partition(":")
    if not sep or not module_name or not attribute:
        raise PluginError(
            f"{what}: options model reference {reference!r} is not 'module:Class'",
            hint="Fix the spec's config_model in the plugin that registers it.",
        )
    try:
        target: object = importlib.import_module(module_name)
        for part in attribute.split("."):
            target = getattr(target, part)
    except Exception as exc:  # an import error of the plugin's own module, a missing name
        raise PluginError(
            f"{what}: its options model {reference!r} cannot be loaded: "
            f"{type(exc).__name__}: {exc}",
            hint="Reinstall the plugin, or report it to its authors.",
        ) from None
    if not (isinstance(target, type) and issubclass(target, PluginOptions)):
        raise PluginError(
            f"{what}: its options model {reference!r} is not a PluginOptions subclass",
            hint="Fix the spec's config_model in the plugin that registers it.",
        )
    return target


__all__ = ["resolve_options_model"]
