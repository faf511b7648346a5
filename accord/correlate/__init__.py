"""Correlation: what stored objects share, watches on it, and the alerts they raise."""
