"""Exact and near-duplicate detection; duplicates are linked with ``duplicate_of``, never dropped."""

from .minhash import find_duplicates

__all__ = ["find_duplicates"]
