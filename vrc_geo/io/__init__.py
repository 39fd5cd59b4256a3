"""Readers for every source the tool takes: police.uk files, boundaries, reference tables, health extracts."""
