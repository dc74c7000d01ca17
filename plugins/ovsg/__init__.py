"""OVSG (Onderwijsvereniging van Steden en Gemeenten): the werkingscode of its pedagogical service.

Contributes the rule folder `rules/ovsg` and the Belgian working-day calendar its complaint
rule names (`ovsg.be`: Monday to Friday without the public holidays of country BE). The
number of days and the suspension window are parameters of the rule file, not of this module.
"""

from importlib import resources

from regelwerk.engine.ops.calendars import Calendar
from regelwerk.engine.ops.hookspecs import hookimpl


@hookimpl
def regelwerk_register_rules(register):
    register(resources.files("regelwerk.rules").joinpath("ovsg"))


@hookimpl
def regelwerk_register_calendars(register):
    register(Calendar("ovsg.be", "BE", label="Belgische werkdagen"))
