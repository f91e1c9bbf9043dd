"""The patches room of the fake API server: patch arithmetic and server-side apply.

JSON merge patch, JSON patch, strategic merge patch (with the built-in list table), and
server-side apply: field paths and sets, the merge walks and ``managedFields`` bookkeeping.
Pure functions over plain dicts: no storage, no HTTP.
"""
