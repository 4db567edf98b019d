"""Reading files: type by content, guards against hostile files, and readers that produce a Document."""
