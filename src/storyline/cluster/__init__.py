"""Group articles into stories: features, neighbours, shared-neighbour average link, incremental runs, stable ids."""

from .batch import cluster_articles, story_id
from .incremental import Assignment, ClusterState, assign
from .state_store import load_state, save_state

__all__ = ["Assignment", "ClusterState", "assign", "cluster_articles", "load_state", "save_state",
           "story_id"]
