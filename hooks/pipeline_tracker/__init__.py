"""Drug development pipeline tracker: curated YAML records → checked → a cross-linked MkDocs site."""

__version__ = "0.1.0"
