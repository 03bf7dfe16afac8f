-- A forced final publication and its recorded reason.
insert into publication_overrides values (?, ?, ?, ?, ?, ?)
