"""Importing the old CLIxChat (a Django + django-mptt bot): its dialog tree as a flow file, and
with its history, its users and their interactions, so every teacher continues where they were."""
