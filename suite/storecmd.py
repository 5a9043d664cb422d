"""`scripts/suite store` — list, import and export records of the results store."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .results.gbjson import FormatError
from .results.record import load_file, save_file
from .results.store import StoreError
from .results.storeloc import add_store_option, open_store


def add_parser(sub: argparse._SubParsersAction) -> None:
    """add_parser() registers `store list|import|export`."""
    parser = sub.add_parser("store", help="list, import or export stored records",
                            description=__doc__)
    add_store_option(parser)
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="list records, oldest first",
                                 description="List stored records, oldest first.")
    listing.set_defaults(handler=list_main)
    importing = actions.add_parser("import", help="import record or Google Benchmark JSON files",
                                   description="Import exported records (or bare Google Benchmark "
                                               "JSON). All files are validated before any is stored.")
    importing.add_argument("files", nargs="+", type=Path)
    importing.set_defaults(handler=import_main)
    exporting = actions.add_parser("export", help="export one record as a JSON file",
                                   description="Export a record (selector: id, latest, latest~N, "
                                               "uuid or git sha prefix) as a JSON file.")
    exporting.add_argument("selector")
    exporting.add_argument("file", type=Path)
    exporting.set_defaults(handler=export_main)


def list_main(args: argparse.Namespace) -> int:
    """list_main() prints one line per record."""
    try:
        with open_store(args.store, create=False) as store:
            for record in store.records():
                print(f"{record.describe()}  machine {record.machine_id}  "
                      f"{len(record.samples())} benchmarks")
    except StoreError as error:
        print(f"suite: {error}", file=sys.stderr)
        return 2
    return 0


def import_main(args: argparse.Namespace) -> int:
    """import_main() validates every file first, then stores the new ones in the store."""
    try:
        records = [load_file(path) for path in args.files]
        with open_store(args.store) as store:
            for path, record in zip(args.files, records):
                if store.has_uuid(record.uuid):
                    print(f"store: {path}: already stored ({record.uuid}), skipped")
                    continue
                store.add(record)
                print(f"store: imported {path} as {record.describe()}")
    except (FormatError, StoreError) as error:
        print(f"suite: {error}", file=sys.stderr)
        return 2
    return 0


def export_main(args: argparse.Namespace) -> int:
    """export_main() writes a record's export form."""
    try:
        with open_store(args.store, create=False) as store:
            record = store.get(args.selector)
    except StoreError as error:
        print(f"suite: {error}", file=sys.stderr)
        return 2
    save_file(record, args.file)
    print(f"store: exported {record.describe()} to {args.file}")
    return 0
