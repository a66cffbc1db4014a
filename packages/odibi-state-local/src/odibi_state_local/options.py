"""The ``state:`` keys of the ``local`` backend (besides the kernel's ``backend``,
``lock_timeout`` and ``history``)."""

from __future__ import annotations

from odibi_core.files.paths import project_relative
from odibi_core.plugin import PluginOptions
from pydantic import Field, field_validator

DEFAULT_STATE_PATH = ".odibi/state.json"
"""Where state lives by default, relative to the folder of the project file."""


class LocalStateOptions(PluginOptions):
    """Options of the ``local`` state backend.

    Example::

        state:
          backend: local
          path: .odibi/state.json   # the default
          lock_timeout: 60          # kernel key: seconds to wait for a held lock
    """

    path: str = Field(
        DEFAULT_STATE_PATH,
        description=(
            "State file. A relative path is resolved against the folder of the project file "
            "(never the working directory) and must stay inside it; an absolute path (or `~`) may "
            "point anywhere. Lock files sit beside it."
        ),
        min_length=1,
    )

    @field_validator("path")
    @classmethod
    def _inside_project(cls, value: str) -> str:
        return project_relative(value)
