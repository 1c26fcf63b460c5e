"""The schema's Alembic revisions, oldest first, as the tests expect them.

Tests that name the head or walk the history import these instead of writing the ids out, so a new
revision changes this list (and ``test_revisions_are_the_scripts``) rather than every such test.
"""

REVISIONS = ("a8b9ec836410", "d24a4742aa81", "c7e5d1f0a9b3", "e4b7a2c9d5f1", "f5c2a7d9e3b1")
HEAD = REVISIONS[-1]
