"""Many cases at once: reading a batch (JSON Lines, or CSV typed by the decision's inputs)
in bounded lines and chunks, and deciding a chunk line by line into its output and the
decision-log blocks to write, the same bytes whether a batch runs in one process, in worker
processes, on a Dask cluster or behind the HTTP server.

May import: `base`, `ops`, `compiling`, `rulefiles`, `deciding`, `authoring`, `log`.
"""
