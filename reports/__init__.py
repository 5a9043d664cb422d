"""goro's results tooling: benchmark runner, results store, statistics, regression gate, HTML report.

Entry point: ``scripts/suite`` (which runs ``python3 -m reports.cli`` on Debian's interpreter).
Modules have one job each; heavy imports (numpy, scipy, matplotlib) happen inside the modules that
need them so ``scripts/suite --help`` and the package check work before those are installed.
"""
