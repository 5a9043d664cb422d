"""Rendering: what people and CI systems read — terminal tables (console), human units, HTML
tables, plots and pages (html + templates/), and JSON/Markdown/JUnit for CI (ciout).
"""
