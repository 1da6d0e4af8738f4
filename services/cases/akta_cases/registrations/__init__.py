"""Registrations (journal entries, Noark 5 journalpost) filed in cases: incoming, outgoing,
internal memos and notes, with their correspondents, documents, status and reply chain."""
