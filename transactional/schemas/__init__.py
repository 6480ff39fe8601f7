"""Request and response bodies of the HTTP API, one module per entity (``OrderCreate`` …).

Create / update bodies forbid unknown fields, so a client can never mass-assign price,
status, role, business unit or supplier through a body that should not carry them.
"""
