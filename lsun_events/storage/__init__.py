"""Storage adapters: store URL and settings, event transcoding, batched PostgreSQL writes, bulk loading,
per-school locks, bookkeeping tables shared by processes."""
