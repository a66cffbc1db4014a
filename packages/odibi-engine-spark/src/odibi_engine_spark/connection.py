"""The ``hadoop`` connection: files under any Hadoop-compatible URI, for the spark engine.

``base_uri`` may be ``hdfs://namenode/lake``, ``abfss://container@account.dfs.core.windows.net/lake``,
``s3a://bucket/lake``, ``dbfs:/lake`` or ``file:///data/lake``: whatever the Spark cluster's Hadoop
configuration can open. Spark reads and writes the files; this connection checks existence and
publishes a finished write by renaming it, through the FileSystem API of the running SparkSession.
Credentials belong to the cluster's configuration (or ``engine_options.conf``), never here.
"""

from __future__ import annotations

import uuid
from typing import Any

from odibi_core.contracts.connection import CheckResult, FileConnection
from odibi_core.errors import OdibiError
from odibi_core.plugins.options import PluginOptions
from odibi_core.plugins.types import BuildContext
from pydantic import Field, field_validator

from odibi_engine_spark.errors import SparkEngineError


class HadoopOptions(PluginOptions):
    """Options of a ``hadoop`` connection."""

    base_uri: str = Field(description="Root URI, e.g. `abfss://lake@account.dfs.core.windows.net/sales`.")

    @field_validator("base_uri")
    @classmethod
    def _is_uri(cls, value: str) -> str:
        from odibi_engine_spark.files import is_uri

        if not is_uri(value):
            raise ValueError(f"{value!r} is not a URI (scheme://...); use a `local` connection for folders")
        return value.rstrip("/")


class HadoopConnection(FileConnection):
    """See the module docstring."""

    type = "hadoop"

    def __init__(self, name: str, base_uri: str) -> None:
        self.name = name
        self.base_uri = base_uri.rstrip("/")

    @classmethod
    def build(cls, options: HadoopOptions, context: BuildContext) -> HadoopConnection:
        """Factory used by the plugin registration."""
        return cls(context.name, options.base_uri)

    def _fs(self, uri: str) -> tuple[Any, Any]:
        from odibi_engine_spark.session import running_session

        session = running_session()
        if session is None:
            raise HadoopUnavailable(f"connection {self.name!r} (type hadoop) needs a running SparkSession")
        jvm: Any = session.sparkContext._jvm
        path = jvm.org.apache.hadoop.fs.Path(uri)
        return path.getFileSystem(session.sparkContext._jsc.hadoopConfiguration()), path

    def resolve(self, path: str) -> str:
        """``base_uri/path`` (a full URI is kept)."""
        from odibi_engine_spark.files import is_uri

        return path if is_uri(path) else f"{self.base_uri}/{path.lstrip('/')}"

    def exists(self, path: str) -> bool:
        """Whether anything exists at ``path`` (a glob matches at least one file)."""
        fs, target = self._fs(self.resolve(path))
        if any(c in path for c in "*?["):
            found = fs.globStatus(target)
            return found is not None and len(found) > 0
        return bool(fs.exists(target))

    def staging_path(self, path: str) -> str:
        """A hidden sibling of the target (same file system, so the rename is cheap)."""
        uri = self.resolve(path)
        parent, _, name = uri.rpartition("/")
        return f"{parent}/.{name}.odibi-tmp-{uuid.uuid4().hex[:8]}"

    def publish(self, staging: str, path: str) -> None:
        """Rename ``staging`` onto the target, moving an old target aside first and deleting it after."""
        uri = self.resolve(path)
        fs, target = self._fs(uri)
        _, source = self._fs(staging)
        parent, _, name = uri.rpartition("/")
        old = None
        if fs.exists(target):
            _, old = self._fs(f"{parent}/.{name}.odibi-old-{uuid.uuid4().hex[:8]}")
            if not fs.rename(target, old):
                raise SparkEngineError(f"could not move the old {self.name}:{path} aside")
        else:
            fs.mkdirs(target.getParent())
        if not fs.rename(source, target):
            if old is not None:
                fs.rename(old, target)
            raise SparkEngineError(f"could not publish {self.name}:{path}")
        if old is not None:
            fs.delete(old, True)

    def discard(self, staging: str) -> None:
        """Delete a failed write's staging file or folder."""
        fs, target = self._fs(staging)
        fs.delete(target, True)

    def check(self) -> CheckResult:
        """The root is listed when a SparkSession runs; otherwise only its form is checked."""
        try:
            fs, root = self._fs(self.base_uri)
        except HadoopUnavailable:
            return CheckResult(True, f"{self.base_uri} (checked when the spark engine runs)")
        return CheckResult(True, f"{self.base_uri} {'exists' if fs.exists(root) else 'does not exist yet'}")


class HadoopUnavailable(OdibiError):
    """A ``hadoop`` connection was used without a running SparkSession."""

    exit_code = SparkEngineError.exit_code
    default_hint = "Use engine: spark with hadoop connections."
