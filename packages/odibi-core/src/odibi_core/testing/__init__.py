"""Testing support for Odibi and its plugin authors.

* :mod:`odibi_core.testing.fixtures` - pytest fixtures, auto-loaded through the ``pytest11``
  entry point: ``make_plugin_manager``, ``clean_redaction``, ``write_project``.
* :mod:`odibi_core.testing.cli` - run ``odibi`` as a subprocess.
* Contract suites every implementation subclasses: ``odibi_core.testing.state_contract``
  (state backends, with the opt-in ``LeaseExpiryTests`` and ``LostLockTests`` of
  ``odibi_core.testing.state_contract_leases``) and ``odibi_core.testing.engine_contract``
  (engines).
"""
