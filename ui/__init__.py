"""Streamlit-only helpers shared by the pages: cached loaders, URL-backed filters, rendering bits.

The analysis lives in ``vrc_geo``; nothing here computes a figure.
"""
