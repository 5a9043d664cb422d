"""Where the results store is: `--store PATH|URL`, $GORO_STORE, and opening either kind.

A path is the embedded SQLite store (the default: results/goro.sqlite); a `postgresql://` URL is
the shared PostgreSQL store a CI fleet writes to (store.py serves both). Every command that reads
or writes records takes its --store from add_store_option() and opens it with open_store(), so
the two kinds are interchangeable everywhere.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from ..base.paths import DEFAULT_STORE, REPO_ROOT
from .store import Location, Store, is_url

ENVIRONMENT = "GORO_STORE"


def location(text: str) -> Location:
    """location() is argparse's type for --store: a URL stays text (Path would fold its '//'),
    anything else is a path."""
    return text if is_url(text) else Path(text)


def default() -> Location:
    """default() is $GORO_STORE when set, else results/goro.sqlite."""
    value = os.environ.get(ENVIRONMENT)
    return location(value) if value else DEFAULT_STORE


def add_store_option(parser: argparse.ArgumentParser) -> None:
    """add_store_option() adds --store with the default above."""
    parser.add_argument("--store", type=location, default=default(), metavar="PATH|URL",
                        help=f"results store: an SQLite file (default "
                             f"{DEFAULT_STORE.relative_to(REPO_ROOT)}) or a postgresql:// URL; "
                             f"${ENVIRONMENT} sets the default")


def open_store(where: Location, create: bool = True) -> Store:
    """open_store() opens the SQLite file or the PostgreSQL database `where` names (create=False:
    a reader, which never creates a store)."""
    return Store(where, create=create)
