"""The decision log and auditing: storing every decision with the rule text it rests on,
reading it back, explaining and replaying a logged decision.

May import: `base`, `ops`, `compiling`, `rulefiles`, `deciding`, `authoring`.
"""
