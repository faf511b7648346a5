"""STIX 2.1: fast parsing and validation, identifiers, timestamps and TLP markings."""
