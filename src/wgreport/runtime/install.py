"""The two installs: `pip install wgreport` (the members' light install: validate, new,
schema, status, comments, edition new) and `pip install 'wgreport[build]'` (the build:
Prefect, WeasyPrint, pandas, matplotlib and the PDF tools). See pyproject.toml."""

from __future__ import annotations

import importlib.util

#: One module of each large dependency of the build extra: if any is absent, it is not there.
BUILD_MODULES = ("prefect", "weasyprint", "pandas")


def _absent(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is None
    except (ImportError, ValueError):
        return True


def missing_build_extra(command: str) -> str | None:
    """Why `command` cannot run here (the build extra is not installed), or None."""
    missing = [m for m in BUILD_MODULES if _absent(m)]
    if not missing:
        return None
    return (
        f"{command} needs the build's dependencies ({', '.join(missing)} not installed): "
        "pip install 'wgreport[build]' (the light install, pip install wgreport, has "
        "validate, new, schema, status, comments and edition new)"
    )


#: What `wgreport portal` needs beyond the build (the `portal` extra).
PORTAL_MODULES = ("starlette", "uvicorn", "itsdangerous", "python_multipart")


def missing_portal_extra() -> str | None:
    """Why `wgreport portal` cannot run here, or None."""
    missing = [m for m in PORTAL_MODULES if _absent(m)]
    if not missing:
        return missing_build_extra("wgreport portal")
    return (
        f"wgreport portal needs the portal's dependencies ({', '.join(missing)} not "
        "installed): pip install 'wgreport[portal]'"
    )
