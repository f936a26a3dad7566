"""Which process owns a piece of work, so that what a dead process left behind is found and cleaned up:
records it claimed (``claims``) and scratch folders it made (``scratch``)."""
