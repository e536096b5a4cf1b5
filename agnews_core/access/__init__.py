"""Who may do what: identities, roles, the one permission table, the guard every action passes and the audit log.

Sits just above config: data, store, review and sweeps check permissions where they carry an action out.
"""
