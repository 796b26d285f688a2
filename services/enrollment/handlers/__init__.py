"""Use cases of the enrollment service, one module per feature; import the module you use.
Each handler takes a unit of work (entered by the caller) first, then the caller's identity
(commands, queries) or the consumed event. Reads that several features share go through
adapters/queries.py (a cover year, a union's district).

A handler module imports another only through these named seams:
- `eligibility.check_members`, `eligibility.member_terms` — who may be enrolled and on what terms
  (submissions check the members a union names);
- `submissions.get_submission`, `submissions.submission_view` — one submission in scope and as a
  screen shows it (review and batches act on submissions);
- `shared` — event values (`parse_date`, `parse_datetime`), Shanghai days as naive UTC and
  insert-or-ignore: helpers, no feature."""
