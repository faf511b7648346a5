"""Fixtures of the security tests: the MISP tests' node, the exercise tests' running one."""

from tests.exercise.test_api import running  # noqa: F401  (a fixture, used by name)
from tests.misp.conftest import misp_node  # noqa: F401  (a fixture, used by name)
