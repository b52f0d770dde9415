"""Small helpers that depend only on the standard library, numpy and torch."""
