"""pac studio: the local web page where a student records, trains, tests and exports."""
