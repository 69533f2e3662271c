"""kg: Chinese news text -> knowledge graph of who did what, where and when."""

__version__ = "0.1.0"
