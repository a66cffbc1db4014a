"""Contracts every plugin implements: engines, connections, state backends, secret providers,
and the context objects passed to lifecycle hooks."""
