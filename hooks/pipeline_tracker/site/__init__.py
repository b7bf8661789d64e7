"""Rendering the site: pages from templates, open data, feeds, and the whole build."""
