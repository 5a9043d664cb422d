"""Running: Debian packages, builds, the benchmark runner and measuring, the test command's step
plan and the mutation checks (mutants for C++, pymutants for suite/, ordermutants for algo/).
"""
