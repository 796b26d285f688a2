"""Billing's use cases, one module per feature: prices, splits, pricing, credits, batches (vouchers,
feedback, write-off), overdue, payment_mail, bank_statements, reports, read_models. Reads go
through adapters/queries.py; rows written behind through adapters/ledger.py.

A handler module imports another only through these named seams:
- `prices.load_price_table` — the price table the centre set (splits and pricing price with it);
- `splits.rates_of_district`, `splits.effective_rates`, `splits.caller_union` — the rates a
  district's split gives each union (pricing), and `splits.republish_rates` (read_models, when a
  district's special-industry flag changes its city subsidy);
- `credits.publish_credit_available` — what a district's credit account can still pay, announced
  when a batch uses credit (pricing) or a new cover year opens (read_models)."""
