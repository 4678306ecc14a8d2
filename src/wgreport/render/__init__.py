"""Rendering: the context to HTML (Jinja2), languages, and the HTML to PDF (`pdf/`)."""
