"""Execution: the pipeline runner, node execution, validations and retries."""
