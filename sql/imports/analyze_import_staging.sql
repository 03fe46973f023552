-- returns: status
-- Statistics of the staged lines (temporary tables get none by themselves),
-- so that the merges pick hash joins and sorts sized to the import.
analyze import_staging;
