"""goro's results tooling: benchmark runner, results store, statistics, regression gate, HTML report.

Entry point: ``scripts/suite`` (which runs ``python3 -m suite.cli`` on Debian's interpreter).
Layout: the command modules (``cli.py``, ``delegates.py``, ``*cmd.py``) sit here and import
downward only, from one sub-package per job — ``base`` (paths, processes), ``results`` (records,
Google Benchmark JSON, stores), ``analysis`` (statistics, verdicts, change points), ``render``
(terminal tables, HTML, plots, CI outputs) and ``run`` (packages, builds, measuring, the test
plan, mutants); each sub-package imports only those before it in that list.
Modules have one job each; heavy imports (numpy, scipy, matplotlib) happen inside the modules that
need them so ``scripts/suite --help`` and the package check work before those are installed.
"""
