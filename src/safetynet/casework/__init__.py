"""Casework: the staff actions that follow a warning (DOMAIN §8), as commands.

    from safetynet.casework import commands as C, execute
    execute(engine, user, C.RecordAid(hh_id=12, aid_type="医疗救助", amount=2000, delivered_on=today,
                                      provider="工会", seen_version=3))

A staff action is a small import: validated by the domain rules, scoped, one transaction with its audit row
and the refresh, guarded by a row version (see `service`). Pages only collect input and show the outcome.
"""

from safetynet.casework.errors import CaseworkRefused, Conflict, Invalid, OutOfScope
from safetynet.casework.service import Outcome, execute

__all__ = ["CaseworkRefused", "Conflict", "Invalid", "OutOfScope", "Outcome", "execute"]
