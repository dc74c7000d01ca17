"""GO! (Gemeenschapsonderwijs): the jobtraining for (adjunct-)directeurs and the vormingsattest.

GO! needs no operation of its own: its rules use the engine's generic operations. It
contributes its rule folder, registered through the `regelwerk` entry point like any plugin.
"""

from importlib import resources

from regelwerk.engine.ops.hookspecs import hookimpl


@hookimpl
def regelwerk_register_rules(register):
    register(resources.files("regelwerk.rules").joinpath("go"))
