"""`wgreport portal`: the submission and review web application (Starlette, Jinja2 pages).

store.py keeps what the portal must not lose (invitations as token hashes, every upload as
a numbered revision, the append-only audit log); app.py serves the pages, each role only
where it may.
"""
