"""Where records come from: a folder of files or the federation's portal.

Every source yields `RecordBatch`es of verbatim payload texts; everything after the transport
(landing, validation, loading) is one code path whatever the source.
"""
