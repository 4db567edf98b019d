"""Rendering documents from a call's data: the blank application form and, later, official documents."""
