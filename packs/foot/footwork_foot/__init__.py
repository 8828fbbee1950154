"""The Footwork foot pack.

Its content is pack.toml beside this file; footwork reads it, no code needed.
"""
