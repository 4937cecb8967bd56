"""Settings are split by purpose: base (shared), dev, test and production.

Everything deployment-specific is read from the environment; see ``.env.example``.
"""
