"""The account the node's host acts for on the command line (``--account NAME``).

The CLI runs on the node's host as the operator; commands that act in a party's name (its
watches, its alerts) name the account they act for. Only an account that could act itself
is accepted: a disabled, revoked or expired account adds no watch and reads no alert.
"""

from __future__ import annotations

from sqlalchemy import Connection

from accord.errors import NotFound, refused
from accord.store import directory
from accord.store.directory import Account


def acting_account(connection: Connection, name: str) -> Account:
    """The usable account named ``name``; a refusal naming the ``account`` field otherwise."""
    try:
        account = directory.get_account(connection, name)
    except NotFound:
        account = None
    if account is None:
        message = f"no account named {name!r}"
    elif not directory.usable(account):
        message = f"the account {name!r} is disabled, revoked or its token expired"
    else:
        return account
    raise refused("account", message)
