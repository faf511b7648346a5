"""Tests of accord.correlate."""
