drop table if exists staged_payloads
