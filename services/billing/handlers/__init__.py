"""Billing's use cases, one module per feature: prices, splits, pricing, settlement_credits, batches (vouchers,
feedback, write-off), overdue, payment_mail, bank_statements, reports, read_models. Reads go
through adapters/queries.py (the price table and the rates a split gives: adapters/rates.py);
rows written behind through adapters/ledger.py.

A handler module imports another only through these named seams:
- `splits.caller_union` — whose rates the caller may see (pricing's quote), and
  `splits.republish_rates` (read_models, when a district's special-industry flag changes its city
  subsidy);
- `settlement_credits.publish_credit_available` — what a district's credit account can still pay, announced
  when a batch uses credit (pricing) or a new cover year opens (read_models)."""
