"""Use cases of the enrollment service, one module per feature; import the module you use.
Each handler takes a unit of work (entered by the caller) first, then the caller's identity
(commands, queries) or the consumed event. Reads that several features share go through
adapters/queries.py (a cover year, a union's district, one submission in scope and as a screen
shows it — review, batches and submission_lists all act on submissions).

A handler module imports another only through these named seams, each also named in the
importing module's docstring:
- `eligibility.check_members`, `eligibility.member_terms` — who may be enrolled and on what terms
  (submissions checks the members a union names).
- `cover_requests.follow_submissions` — a member's 个人参保申请 follows the submission naming them
  (submissions, review and batch_outcomes move it).
Row helpers (event values, Shanghai days as naive UTC, insert-or-ignore) are adapters/rows.py."""
