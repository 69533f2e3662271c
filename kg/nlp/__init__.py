"""spaCy components of the kg pipeline.

`kg.nlp.pipeline` imports the component modules (registering their factories); the
package's entry points let `spacy.load` find them too. The package itself imports
nothing, so the pure-Python parts (gazetteer, lexicon) load without spaCy.
"""
