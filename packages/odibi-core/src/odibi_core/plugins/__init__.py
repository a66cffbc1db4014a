"""The plugin system: hookspecs, typed records, discovery and the manager facade."""
