"""`regelwerk serve`: the engine over HTTP (Starlette, served by uvicorn), with an OpenAPI
description, a JSON Schema of every decision's facts and a web page in Dutch.

One `Engine` per worker process, used only from the process's event loop (an Engine is
single-threaded). Needs the `server` extra; nothing below `cli` imports this package.

May import: `base`, `ops`, `compiling`, `rulefiles`, `deciding`, `authoring`, `log`, `batch`, `distributed`.
"""
