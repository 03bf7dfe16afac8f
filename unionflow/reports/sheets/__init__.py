"""The sheets of report.xlsx that are not plain tables, one module each (`summary`)."""
