"""Rule files on disk: reading YAML with the place of every value, the JSON Schema check, and
loading a folder of rule files into a catalogue of compiled rule sets.

May import: `base`, `ops`, `compiling`.
"""
