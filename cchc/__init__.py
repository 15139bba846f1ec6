"""cchc: provincial administrative-reform (CCHC) management."""

__version__ = "0.1.0"
