"""The decision log and auditing: storing every decision with the rule text it rests on,
reading it back, explaining and replaying a logged decision, on an SQLite file or a
PostgreSQL server behind one interface (`backend.LogBackend`).

May import: `base`, `ops`, `compiling`, `rulefiles`, `deciding`, `authoring`.
"""
