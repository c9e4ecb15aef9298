"""Use cases. No FastAPI here: every function takes a `Principal` and plain values."""
