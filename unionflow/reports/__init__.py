"""Publication outputs for leadership and stewards: CSV files, and later HTML and Excel reports."""
