"""Application layer: the use cases (import, periods, bilans, synchronisation, history, accounts), each
get → decide → one save, and their typed French errors. Imports the domain, the rules and storage."""
