"""Renderers: each turns CheckResults (and nothing else) into one format."""
