"""Offline evaluation: splits, metrics, recommenders, tuning on validation, reports."""
