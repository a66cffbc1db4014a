"""Pydantic models of an Odibi project file. Unknown keys are errors everywhere.

Sections owned by plugins (a connection's options, ``engine_options``, the state backend's options)
are checked in a second step by the config model the plugin registered; see
``odibi_core.config.plugin_sections``. Number fields refuse booleans, NaN and infinity and
have upper bounds, so ``retry.max_attempts: true`` or ``workers: 1e30`` is an error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from odibi_core.config.strict_values import StrictNumbers
from odibi_core.config.transformer_step import TransformerStep

NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
FILE_FORMATS = ("csv", "parquet", "json")
TAG_PATTERN = r"^[A-Za-z0-9_.\-]+$"
"""A node tag: letters, digits, ``_``, ``.`` and ``-`` (no ``:``, ``+`` or ``,``: selector
syntax)."""


class StrictModel(StrictNumbers):
    """Base of every project model: unknown keys are rejected."""

    model_config = ConfigDict(extra="forbid")


class PluginSection(StrictNumbers):
    """A section whose extra keys belong to a plugin's config model (validated later)."""

    model_config = ConfigDict(extra="allow")

    def plugin_options(self) -> dict[str, Any]:
        """The keys this model does not own (handed to the plugin's config model)."""
        return dict(self.model_extra or {})

    def __repr_args__(self) -> Any:
        """Field values for ``repr``, with values under sensitive keys (``password``...) masked."""
        from odibi_core.redaction.mask import current_mask
        from odibi_core.redaction.patterns import is_secret_value_for_key

        for key, value in super().__repr_args__():
            yield (
                key,
                (
                    current_mask()
                    if key is not None and is_secret_value_for_key(key, value)
                    else value
                ),
            )


class ConnectionConfig(PluginSection):
    """``connections.<name>``: a ``type`` plus that type's own options."""

    type: str = Field(description="Registered connection type: `local` (builtin), `postgres`, ...")


class StateConfig(PluginSection):
    """``state:``: where run history, resume data and high-water marks live."""

    backend: str = Field(
        "local", description="State backend: `local` (odibi-state-local), `azure_blob`, ..."
    )
    lock_timeout: float = Field(
        60.0,
        ge=0,
        le=86_400,
        description="Seconds to wait for a held lock (also --lock-timeout, ODIBI_LOCK_TIMEOUT).",
    )
    history: int = Field(
        50, ge=1, le=100_000, description="Runs kept per pipeline in the state document."
    )


class SecretsConfig(StrictModel):
    """``secrets:``: the provider chain for ``${secret:NAME}`` and the redaction mask."""

    providers: list[str] = Field(
        default_factory=lambda: ["env", "dotenv"], description="Providers tried in order."
    )
    mask: str | None = Field(
        None,
        description="What a secret is replaced with in every output (default `[REDACTED]`; "
        "the environment variable `ODIBI_REDACTION_MASK` wins).",
    )

    @field_validator("mask")
    @classmethod
    def _valid_mask(cls, value: str | None) -> str | None:
        from odibi_core.redaction.mask import mask_problem

        problem = None if value is None else mask_problem(value)
        if problem is not None:
            raise ValueError(f"the redaction mask {problem}")
        return value


class PluginsConfig(StrictModel):
    """``plugins:``: which installed plugins may load, and which the project requires."""

    autoload: bool | None = Field(None, description="`false` loads no entry-point plugin.")
    allow: list[str] | None = Field(None, description="Only these distributions load.")
    deny: list[str] = Field(default_factory=list, description="These distributions never load.")
    requires: list[str] = Field(
        default_factory=list,
        description='Requirements checked first, e.g. `"odibi-state-azure>=0.1"`.',
    )
    import_timeout: float | None = Field(
        None,
        ge=0,
        le=600,
        description="Seconds each plugin may take to import before it is reported failed "
        "(default 5; "
        "`0`: no bound; the environment variable ODIBI_PLUGIN_IMPORT_TIMEOUT wins).",
    )


class RetryConfig(StrictModel):
    """``retry:``: retries of transient I/O errors only (a SQL error or failed validation is
    final)."""

    max_attempts: int = Field(3, ge=1, le=100, description="Attempts in total, the first included.")
    backoff: Literal["exponential", "fixed"] = "exponential"
    initial_delay: float = Field(
        0.5, ge=0, le=3600, description="Seconds before the second attempt."
    )
    max_delay: float = Field(30.0, ge=0, le=3600, description="Upper bound of one delay.")


class LoggingConfig(StrictModel):
    """``logging:``: console log level and format (flags override)."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["text", "json"] = "text"
    file: str | None = Field(
        None,
        description="Also append every log line at `level` to this file (relative to the project "
        "file), redacted like the console. On a terminal the console shows WARNING and above "
        "unless "
        "`-v`, so this is where INFO lines go.",
    )

    @field_validator("level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


class ReportsConfig(StrictModel):
    """``reports:``: the run report (JSON + self-contained HTML) written after every pipeline
    run."""

    enabled: bool = Field(True, description="Write a report after every run, success or failure.")
    path: str = Field(
        ".odibi/reports",
        description="Folder of the reports, relative to the project file (not the cwd); "
        "a relative path stays inside the project folder, an absolute one may point anywhere.",
    )
    keep_last: int | None = Field(
        50,
        ge=1,
        le=100_000,
        description="Reports kept per pipeline, newest first (`null`: keep every report).",
    )
    max_age_days: float | None = Field(
        None,
        gt=0,
        le=36_500,
        description="Reports older than this many days are deleted (`null`: no age limit).",
    )
    samples: bool = Field(
        False,
        description="Show a few output rows per node (off by default: rows are raw data). "
        "Taken only "
        "where that costs no pass over the data; a failed validation shows rows that fail "
        "it. A node's "
        "`report_samples` overrides this; `mask_columns` and `sensitive` still apply.",
    )
    sample_rows: int = Field(5, ge=1, le=100, description="Rows per sample.")
    profile: bool = Field(
        False,
        description="Null ratios and distinct counts per column: one extra pass over each "
        "node's output.",
    )

    @field_validator("path")
    @classmethod
    def _inside_project(cls, value: str) -> str:
        from odibi_core.files.paths import project_relative

        return project_relative(value)


class IncrementalConfig(StrictModel):
    """``read.incremental``: read only new rows of ``column``: past the stored high-water mark, or
    within a rolling window of the last ``lookback`` ``unit`` s (``mode: rolling_window``)."""

    column: str
    mode: Literal["high_water_mark", "rolling_window"] = Field(
        "high_water_mark",
        description="`high_water_mark`: rows past the largest value read before; "
        "`rolling_window`: rows newer than now minus `lookback` (everything while the write "
        "target does not exist).",
    )
    lookback: int | None = Field(
        None, ge=1, description="Window length in `unit`s (`rolling_window`)."
    )
    unit: Literal["hour", "day", "month", "year"] = Field(
        "day", description="Unit of `lookback` (a month is 30 days, a year 365)."
    )

    @model_validator(mode="after")
    def _window_needs_lookback(self) -> IncrementalConfig:
        if self.mode == "rolling_window" and self.lookback is None:
            raise ValueError("mode rolling_window needs lookback: N")
        if self.mode == "high_water_mark" and self.lookback is not None:
            raise ValueError("lookback belongs to mode rolling_window")
        return self


class ReadConfig(StrictModel):
    """``read:``: one input of a node."""

    connection: str
    format: str | None = Field(
        None, description="`csv`, `parquet`, `json`, or a plugin format such as `delta`."
    )
    path: str | None = Field(None, description="Path under the connection root; globs allowed.")
    table: str | None = Field(None, description="Table (table connections).")
    query: str | None = Field(
        None, description="Query (table connections); bind values with `params`."
    )
    params: dict[str, Any] = Field(default_factory=dict)
    options: dict[str, Any] = Field(
        default_factory=dict,
        description="Reader options (e.g. `delimiter`); `lenient: true` reads a malformed "
        "CSV anyway.",
    )
    incremental: IncrementalConfig | None = None

    @model_validator(mode="after")
    def _one_target(self) -> ReadConfig:
        given = [k for k in ("path", "table", "query") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError("give exactly one of path, table or query")
        if self.path and not self.format:
            suffix = self.path.rsplit(".", 1)[-1].lower()
            if suffix in FILE_FORMATS:
                self.format = suffix
            else:
                raise ValueError(
                    f"cannot infer the format of {self.path!r}: "
                    "set format: csv|parquet|json (or a plugin format)"
                )
        return self


class SqlStep(StrictModel):
    """``- sql: ...``: a SQL step; upstream nodes are tables by name, the current frame is
    `this`."""

    sql: str


class FunctionStep(StrictModel):
    """``- function: name``: a registered Python step, called with ``params`` as keyword
    arguments."""

    function: str
    params: dict[str, Any] = Field(default_factory=dict)


STEP_KINDS: dict[str, type[BaseModel]] = {
    "sql": SqlStep,
    "function": FunctionStep,
    "transformer": TransformerStep,
}
"""Each kind of transform step, by the key that selects it."""


class InvalidStep(BaseModel):
    """A step naming no kind, or several: refused with a message saying which key to use."""

    model_config = ConfigDict(extra="allow")

    @model_validator(mode="before")
    @classmethod
    def _refuse(cls, value: Any) -> Any:
        from odibi_core.config.suggestions import did_you_mean

        kinds = ", ".join(f"{k}:" for k in STEP_KINDS)
        if not isinstance(value, dict):
            raise ValueError(f"a step is a SQL string or a mapping with one of {kinds}")
        given = [k for k in STEP_KINDS if k in value]
        if given:
            raise ValueError(
                f"a step has exactly one of {kinds} (this one has {' and '.join(given)})"
            )
        keys = [str(k) for k in value]
        hints = "".join(did_you_mean(k, STEP_KINDS) for k in keys[:1])
        found = ", ".join(keys) or "no keys"
        raise ValueError(f"a step needs one of {kinds} (found: {found}){hints}")


def step_kind(value: Any) -> str:
    """The union tag of a raw step: ``<sql>``, ``<function>``, ``<transformer>`` or ``<invalid>``.

    Tags are written in angle brackets so error locations never mistake them for keys.
    """
    if isinstance(value, str):
        return "<sql>"
    if isinstance(value, BaseModel):
        return next((f"<{k}>" for k, m in STEP_KINDS.items() if isinstance(value, m)), "<invalid>")
    if isinstance(value, dict):
        given = [k for k in STEP_KINDS if k in value]
        return f"<{given[0]}>" if len(given) == 1 else "<invalid>"
    return "<invalid>"


if TYPE_CHECKING:  # what validation yields (an invalid step never gets past it)
    Step = SqlStep | FunctionStep | TransformerStep
else:
    Step = Annotated[
        Annotated[SqlStep, Tag("<sql>")]
        | Annotated[FunctionStep, Tag("<function>")]
        | Annotated[TransformerStep, Tag("<transformer>")]
        | Annotated[InvalidStep, Tag("<invalid>")],
        Discriminator(step_kind),
    ]
    """A transform step, chosen by its key (``sql:``, ``function:`` or ``transformer:``): errors
    speak of it."""


class TransformConfig(StrictModel):
    """``transform:``: steps applied in order. A bare string is a SQL step."""

    steps: list[Step] = Field(
        min_length=1,
        description="Applied in order; each is SQL (`sql:` or a bare string) or Python "
        "(`function:`), never both.",
    )

    @field_validator("steps", mode="before")
    @classmethod
    def _strings_are_sql(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"sql": v} if isinstance(v, str) else v for v in value]
        return value


class RowCountRule(StrictModel):
    """``validation.row_count``: bounds on the number of rows."""

    min: int | None = Field(None, ge=0)
    max: int | None = Field(None, ge=0)


class CustomCheck(StrictModel):
    """``validation.custom``: a SQL condition every row must satisfy (NULL counts as failing)."""

    name: str
    sql: str


class ValidationConfig(StrictModel):
    """``validation:``: data checks run after the transforms and before the write (one data
    pass)."""

    not_null: list[str] = Field(default_factory=list)
    unique: list[str | list[str]] = Field(
        default_factory=list, description="Columns (or lists of columns) that must be unique."
    )
    accepted_values: dict[str, list[Any]] = Field(default_factory=dict)
    row_count: RowCountRule | None = None
    custom: list[CustomCheck] = Field(default_factory=list)
    on_failure: Literal["fail", "warn"] = Field(
        "fail", description="`fail` stops the node before writing; `warn` logs and writes."
    )


class WriteConfig(StrictModel):
    """``write:``: where a node's result goes."""

    connection: str
    format: str | None = Field(
        None, description="`csv`, `parquet`, `json`, or a plugin format such as `delta`."
    )
    path: str | None = None
    table: str | None = None
    mode: Literal["overwrite", "append", "error", "upsert", "merge"] = Field(
        "overwrite",
        description="`merge` (explicit clauses) exists for formats that offer it (`delta`).",
    )
    keys: list[str] = Field(
        default_factory=list, description="Key columns for `upsert` and `merge`."
    )
    options: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_target(self) -> WriteConfig:
        if bool(self.path) == bool(self.table):
            raise ValueError("give exactly one of path or table")
        if self.path and not self.format:
            suffix = self.path.rsplit(".", 1)[-1].lower()
            if suffix not in FILE_FORMATS:
                raise ValueError(
                    f"cannot infer the format of {self.path!r}: "
                    "set format: csv|parquet|json (or a plugin format)"
                )
            self.format = suffix
        if self.mode == "upsert" and not self.keys:
            raise ValueError("mode upsert needs keys: [...]")
        return self


class NodeConfig(StrictModel):
    """One node: read -> transform steps -> validations -> write."""

    name: str = Field(
        pattern=NAME_PATTERN,
        description="Unique in the pipeline; SQL sees the output by this name.",
    )
    description: str = ""
    depends_on: list[str] = Field(default_factory=list)
    read: ReadConfig | None = None
    transform: TransformConfig | None = None
    validation: ValidationConfig | None = None
    write: WriteConfig | None = None
    retry: RetryConfig | None = Field(None, description="Overrides the project's retry policy.")
    tags: list[Annotated[str, Field(pattern=TAG_PATTERN)]] = Field(
        default_factory=list,
        description="Labels for selecting nodes: `odibi run --select tag:NAME` (also `--exclude`).",
    )
    sensitive: bool = Field(False, description="Never show sample rows of this node in reports.")
    report_samples: bool | None = Field(
        None,
        description="Show a few output rows of this node in its run report: overrides "
        "`reports.samples` for this node (`sensitive: true` always withholds them).",
    )
    mask_columns: list[str] = Field(
        default_factory=list,
        description="Columns whose values are masked (`[REDACTED]`) in report samples.",
    )

    @model_validator(mode="after")
    def _has_input(self) -> NodeConfig:
        steps = self.transform.steps if self.transform is not None else []
        generates = bool(steps) and isinstance(steps[0], TransformerStep)
        inputs = len(set(self.depends_on))  # a repeated name is reported by the graph checks
        if self.read is None and not self.depends_on and not generates:
            raise ValueError(
                f"node {self.name!r} needs read:, depends_on: or a first transformer step"
            )
        if self.read is None and inputs > 1 and self.transform is not None:
            first = self.transform.steps[0]
            if isinstance(first, FunctionStep):
                raise ValueError(
                    f"node {self.name!r} has several inputs: its first step must be SQL naming them"
                )
        if self.read is None and inputs > 1 and self.transform is None:
            raise ValueError(
                f"node {self.name!r} has several inputs and no transform to combine them"
            )
        return self


class PipelineConfig(StrictModel):
    """One pipeline: a DAG of nodes."""

    pipeline: str = Field(pattern=r"^[A-Za-z0-9_.\-]+$")
    description: str = ""
    on_error: Literal["fail_fast", "continue"] = Field(
        "fail_fast", description="`continue` runs independent branches after a failure."
    )
    nodes: list[NodeConfig] = Field(min_length=1)


class ProjectConfig(StrictModel):
    """The root of a project file."""

    project: str
    description: str = ""
    engine: str = Field(
        "duckdb", description="`duckdb` (default), `pandas`, or a plugin's engine like `spark`."
    )
    engine_options: dict[str, Any] = Field(
        default_factory=dict, description="Checked by the engine's config model."
    )
    connections: dict[str, ConnectionConfig] = Field(default_factory=dict)
    secrets: SecretsConfig = Field(default_factory=SecretsConfig)
    state: StateConfig | None = Field(
        None, description="Default: `local` when odibi-state-local is installed."
    )
    plugins: PluginsConfig = Field(default_factory=PluginsConfig)
    retry: RetryConfig = Field(default_factory=RetryConfig)
    logging: LoggingConfig = Field(default_factory=LoggingConfig)
    reports: ReportsConfig = Field(default_factory=ReportsConfig)
    workers: int = Field(
        4, ge=1, le=256, description="Nodes of one layer run at most this many at once (--workers)."
    )
    imports: list[str] = Field(
        default_factory=list, description="Files merged under this one (paths relative to it)."
    )
    environments: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Overlays applied with --env NAME."
    )
    pipelines: list[PipelineConfig] = Field(min_length=1)

    def pipeline(self, name: str) -> PipelineConfig:
        """The pipeline called ``name`` (KeyError if none)."""
        for p in self.pipelines:
            if p.pipeline == name:
                return p
        raise KeyError(name)
