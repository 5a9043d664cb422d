"""Analysis: the statistics (stats), the one verdict rule (verdicts), change points and
callgrind parsing; the policy thresholds as options (policyoptions).

numpy/scipy are imported inside the modules that need them, never by this package.
"""
