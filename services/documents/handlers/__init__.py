"""Use cases of the documents service, one module per feature; import the module you use.
Each handler takes a unit of work (entered by the caller) first, then the caller's identity
(queries, downloads) or the consumed event. Reads that several features share go through
adapters/queries.py.

A handler module imports another only through these named seams:
- `library.store`, `library.series_file` — the document store: a rendered version kept once per
  distinct input, and a version served in the caller's scope (notices and workbooks use it);
- `notices.render_submission_notice`, `notices.render_district_notice` — render what a newly
  known fact completes (read_models calls them after recording each fact)."""
