"""`wgreport preview`: the live preview for the people who write the report (issue 41).

A long-lived local server (`server.py`, Starlette on uvicorn) builds the edition once and
then, on each save of an input, editorial file or template (`watcher.py`, watchfiles),
rebuilds it in the same process through the library's steps (`rebuild.py`: no Prefect run,
no draft number, nothing under drafts/ or final/; its files go to outputs/<year>/preview/).
The open page follows by server-sent events: the sections that changed are swapped into it
in place (`patch.py`), or it reloads itself when more changed; the problems of the saved files (the
issues of `wgreport validate`) are shown over the report; the chapters whose content
changed are laid out again in the background through the parts cache (`pdfjob.py`).
"""
