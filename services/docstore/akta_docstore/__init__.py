"""Akta docstore: documents, versions, blobs, renditions and search."""
