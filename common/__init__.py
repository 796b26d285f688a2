"""Plumbing shared by every service: config, database, bus, outbox/inbox, identity, clock,
money, errors. It knows nothing of unions, members or money rules — only how things move."""
