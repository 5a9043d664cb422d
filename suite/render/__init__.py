"""Rendering: what people and CI systems read — terminal tables (console), human units, HTML
tables, plots and pages (pages + templates/, html, verification, tracepage), and JSON/Markdown/JUnit for CI (ciout).
"""
