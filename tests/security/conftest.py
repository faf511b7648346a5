"""Fixtures of the security tests: the MISP tests' node."""

from tests.misp.conftest import misp_node  # noqa: F401  (a fixture, used by name)
