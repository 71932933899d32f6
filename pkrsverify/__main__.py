import sys

try:
    from .cli import main
except KeyboardInterrupt:  # Ctrl-C while the command line itself loads: no traceback
    from .outcome import Outcome, exit_code
    print("pkrsverify: interrupted", file=sys.stderr)
    sys.exit(exit_code(Outcome(interrupted=True)))

sys.exit(main())
