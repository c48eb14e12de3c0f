"""The DuckDB engine: ingest, normalize to account-month MRR, movements, retention, cohorts.

Stages communicate through tables in one DuckDB connection:

- ``ingest`` reads the exports into the canonical tables ``accounts``, ``subscriptions``
  or ``mrr_input``, ``fx_rates`` (with the reporting currency at rate 1) and
  ``quarantine``.
- ``normalize`` turns them into ``revenue(account_id, currency, month, mrr_native)``:
  one row per account, currency and month with the MRR in that currency, and
  ``calendar(month)``, every month from the first with revenue to the as-of month.
- the analytic stages read ``revenue``, ``fx_rates`` and ``accounts`` and write the
  output tables of the public contract (account_mrr, movements, retention, metrics,
  cohorts).

Every statement after ingest goes through :class:`nrrgov.engine.sql.Pipeline`, so the
same SQL can be transpiled by sqlglot for a warehouse.
"""
