"""Correlation: the values STIX objects share, and the warning lists that flag the common ones."""
