"""Batches beyond one machine: deciding a dataset partition by partition on a Dask cluster
(`decide --cases FILE --scheduler tcp://...`), each partition's decisions logged by the
worker that made them to the shared decision log (PostgreSQL).

May import: `base`, `ops`, `compiling`, `rulefiles`, `deciding`, `authoring`, `log`, `batch`.
"""
