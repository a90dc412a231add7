"""The command line: argv, the click app, options and config, the run and its exit code."""
