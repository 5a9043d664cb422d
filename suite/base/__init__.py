"""Base: the lowest layer, what every other sub-package may use — where things live (paths) and
running external programs (procs). Standard library only; imports nothing else from suite/.
"""
