"""What every page of the HTML report shares: the navigation (PAGES) and the jinja2 environment
over templates/. html.py, verification.py and tracepage.py render through it; none of them
imports another for it.
"""
from __future__ import annotations

from pathlib import Path

import jinja2

# The navigation bar, in order: (file name, label).
PAGES = [("index.html", "Summary"), ("workloads.html", "Distributions"),
         ("scaling.html", "Scaling"), ("designs.html", "Policies"), ("compare.html", "A/B"),
         ("history.html", "History"), ("gates.html", "Gates"), ("traces.html", "Traces"),
         ("verification.html", "Verification")]


def environment() -> jinja2.Environment:
    """environment() loads templates/ with autoescaping; an undefined name is an error."""
    return jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
                              autoescape=True, undefined=jinja2.StrictUndefined)
