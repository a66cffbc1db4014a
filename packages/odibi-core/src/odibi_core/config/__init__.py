"""Project configuration: YAML with locations, imports, environments, references, models."""
