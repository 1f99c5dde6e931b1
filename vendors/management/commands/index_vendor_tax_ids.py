from vendors.management.commands import index_vendors


class Command(index_vendors.Command):
    # The command's first name, kept for the scripts and runbooks that call it
    # (localdev/run.py among them): it now adds every vendor index key.
    help = index_vendors.Command.help + " Also known as index_vendors."
