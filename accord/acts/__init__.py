"""Acts: what a person or a peer does through a node, one module per kind of act.

Doors (the REST API, TAXII, the console, the CLI, a peer's sync) only parse a request, call
an act and render its answer. An act takes the node's context or a connection, the actor and
a typed request; it asks :mod:`accord.policy` (the only judge of who may see or do what),
does the work in the caller's transaction and appends its own audit entry. Dependency
direction: doors -> acts -> policy, audit -> store -> stix (``tests/test_architecture.py``
checks that doors never write audit entries or call the store's repository functions).

| act | module |
|---|---|
| publish (REST, TAXII, CLI, console, ingest, register publishing) | :mod:`accord.acts.publish` |
| receive from a peer, apply a peer's deletion | :mod:`accord.acts.receive` |
| read (lists, objects, versions, relationships) | :mod:`accord.acts.read` |
| delete, the tombstone feed, TAXII status | :mod:`accord.acts.taxii` |
| directory and membership (parties, accounts, channels) | :mod:`accord.acts.admin` |
| audit views and read receipts | :mod:`accord.acts.audit_view` |
| register views, links | :mod:`accord.acts.register` |
| the node's context (engine, name, limits, screening index) | :mod:`accord.acts.context` |
"""
