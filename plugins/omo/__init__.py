"""OMO (Ons Middelbaar Onderwijs, Tilburg): which service line of the OMO-bureau handles a request.

Contributes the rule folder `rules/omo` and, because OMO is in the Netherlands, its own
working-day calendar `omo.nl` (Monday to Friday without the public holidays of country NL,
so King's Day does not count), for any rule of OMO that counts working days.
"""

from importlib import resources

from regelwerk.engine.ops.calendars import Calendar
from regelwerk.engine.ops.hookspecs import hookimpl


@hookimpl
def regelwerk_register_rules(register):
    register(resources.files("regelwerk.rules").joinpath("omo"))


@hookimpl
def regelwerk_register_calendars(register):
    register(Calendar("omo.nl", "NL", label="Nederlandse werkdagen"))
