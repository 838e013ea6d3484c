"""The ``adjax`` commands, one module each: ``add_parser(sub)`` registers the command's
subparser and flags, and its ``run(args)`` (set as the parser's ``run`` default) returns the
exit code. ``adjax_code.app.cli`` assembles them."""
