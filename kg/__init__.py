"""kg: Chinese news text -> knowledge graph of who did what, where and when.

For notebooks: `kg.load()` is the spaCy pipeline (entities with canonical ids in
`span.kb_id_`, events in `doc._.events`); `kg.graph_of(texts)` is the networkx graph
of some texts, the same graph `kg build` writes.
"""

__version__ = "0.1.0"


def load(model: str | None = None):
    """The kg spaCy pipeline (the packaged one, or a saved one at `model`)."""
    from .nlp.pipeline import load_pipeline

    return load_pipeline(model)


def graph_of(texts, *, date: str | None = None, include_text: bool = True, nlp=None):
    """The knowledge graph (networkx MultiDiGraph) of news texts: one string or a list.

    Each text is read like a file of `kg build` (split into articles, dates, bylines);
    `date` (YYYY-MM-DD) is the publication date of texts that print none."""
    from .build import graph_of_articles
    from .ingest import split_articles

    texts = [texts] if isinstance(texts, str) else list(texts)
    articles = [a for i, text in enumerate(texts) for a in split_articles(text, f"text:{i + 1}", date)]
    return graph_of_articles(nlp or load(), articles, include_text=include_text, progress=False)
