"""The language of the pages: the header's switch, kept in the session."""
