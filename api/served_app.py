"""The app as a serving process makes it (`skillpath serve`): imported and started with the
cyclic garbage collector paused.

A serving process starts by making several hundred thousand objects that live as long as it
does: the modules, the routes, the catalog's snapshot. Each time enough of them have piled up,
the collector walks everything the process holds, so the walks grow with the heap; on
bench-scale's catalog they took a fifth of the start-up (docs/performance.md). Paused, the
collector waits until the app's lifespan has moved what is alive out of its sight
(`gc.freeze`, start-up's few garbage cycles with it) and turned it back on, before the first
request (api/app.py).

This module stays light to import: uvicorn imports it in every worker before anything else
of the service.
"""

import gc
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI


def create_served_app() -> "FastAPI":
    """uvicorn's factory for `skillpath serve`: the app, its modules imported with the
    collector paused (turned back on by the app's lifespan)."""
    gc.disable()
    from api.app import create_app

    return create_app()
