"""Engines: each takes a System and options and returns a CheckResult."""
