"""Accord: federated counter-terrorism intelligence cooperation on STIX 2.1."""

__version__ = "0.1.0"
