"""Sign-in with the municipality's own identity provider (issue 14, ADR 0020)."""
