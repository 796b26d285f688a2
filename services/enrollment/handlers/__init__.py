"""Use cases of the enrollment service, one module per feature; import the module you use.
Each handler takes a unit of work (entered by the caller) first, then the caller's identity
(commands, queries) or the consumed event."""
