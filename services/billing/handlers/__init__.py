"""Use cases of the billing service, one module per feature; import the module you use."""
