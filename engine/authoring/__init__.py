"""Tools for rule authors: validation, worked examples (with the pytest plugin), comparing
versions, writing a new version, and the rule documentation (Markdown and HTML).

May import: `base`, `ops`, `compiling`, `rulefiles`, `deciding`.
"""
