"""What every file connection shares: path containment, staging names, atomic publication.

* :mod:`odibi_core.files.paths` - a connection's paths stay under its root (``..``, absolute paths,
  URIs, NUL characters and symlinks pointing elsewhere are refused).
* :mod:`odibi_core.files.owners` - which process owns a staging file, and whether it still lives.
* :mod:`odibi_core.files.temp_names` - the names of staging files and of outputs moved aside.
* :mod:`odibi_core.files.publish` - publishing a staged file or folder on a local file system and
  recovering from a publish a crash interrupted.
* :mod:`odibi_core.files.listing` - the files a read covers (globs and folders never include
  staging files).
"""
