"""Exact and near-duplicate detection; duplicates are linked with ``duplicate_of``, never dropped."""

from .minhash import DedupKey, dedup_key, find_duplicates, link_duplicates

__all__ = ["DedupKey", "dedup_key", "find_duplicates", "link_duplicates"]
