"""Use cases of the members service, one module per feature; import the module you use.
Each handler takes a unit of work (entered by the caller) first, then the caller's identity."""
