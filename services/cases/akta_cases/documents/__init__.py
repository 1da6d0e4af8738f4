"""The cases service's copy of docstore's documents, kept from docstore's events, for the
dashboard's latest documents. Docstore owns the documents; nothing here changes one."""
