"""Contributor tools behind the CLI: fmt, new, diff, preview, and their safe file writes."""
