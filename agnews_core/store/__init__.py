"""What lives on disk: the artifact layout, the artifact store, every record type, environment capture."""
