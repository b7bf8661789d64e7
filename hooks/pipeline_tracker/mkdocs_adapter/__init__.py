"""How the site reaches MkDocs besides the hook: the serve-time fallback, the plain project."""
