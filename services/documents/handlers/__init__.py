"""Use cases of the documents service, one module per feature; import the module you use.
Each handler takes a unit of work (entered by the caller) first, then the caller's identity
(queries, downloads) or the consumed event. Reads that several features share go through
adapters/queries.py.

A handler module imports another only through these named seams:
- `library.store`, `library.series_file`, `library.withdraw`, `library.announce_withdrawn` — the
  document store: a rendered version kept once per distinct input, a version served in the
  caller's scope, versions withdrawn (作废) and said so (notices and workbooks use it);
- `notices.render_submission_notice`, `notices.render_district_notice`,
  `notices.withdraw_returned_notice` — render what a newly known fact completes, and supersede a
  returned submission's notice (read_models calls them after recording each fact)."""
