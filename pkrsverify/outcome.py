"""What a command found, and the one place its exit code is decided.

Every command returns an `Outcome`; the CLI turns input errors, Ctrl-C and
internal errors into one too; `exit_code` is the only function that maps
an outcome to a number:

| code | meaning |
|---|---|
| 0 | every property holds (or is proved); every expectation met; every stack large enough |
| 1 | a property is violated; an expectation contradicted; a stack can overflow; with `--strict` (and always under `test`), a verdict that holds only vacuously |
| 2 | the input or the command line is wrong |
| 3 | a resource limit was hit before a verdict |
| 4 | the engines disagree (a bug in one of them, never a verdict) |
| 70 | internal error: an exception pkrsverify did not expect (please report it) |
| 130 | interrupted (Ctrl-C), with what was reached so far |

When several apply the most telling wins: an internal error, then an
interruption, a disagreement, bad input, a violation, a limit.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


EXIT_CODES = """\
  0    every property holds (or is proved); every expectation met; every stack large enough
  1    a property is violated; an expectation contradicted; a stack can overflow;
       with --strict, a verdict that holds only vacuously
  2    the input or the command line is wrong
  3    a resource limit was hit before a verdict
  4    the engines disagree (a bug in one of them)
  70   internal error: please report it
  130  interrupted (Ctrl-C)"""


class ExitCode(IntEnum):
    HOLDS = 0
    VIOLATED = 1
    INPUT = 2
    LIMIT = 3
    DISAGREE = 4
    INTERNAL = 70
    INTERRUPTED = 130


@dataclass(frozen=True, slots=True)
class Outcome:
    violated: bool = False     # a property violated, an expectation contradicted, a stack too small
    vacuous: bool = False      # `--strict`: something holds only because it was never exercised
    undecided: bool = False    # a limit was hit before some verdict
    disagree: bool = False     # `--engine both`: the engines disagree
    input_error: bool = False  # the input or the command line is wrong
    interrupted: bool = False
    internal: bool = False

    def __or__(self, other: Outcome) -> Outcome:
        return Outcome(*(a or b for a, b in zip(_fields(self), _fields(other))))


def _fields(outcome: Outcome) -> tuple[bool, ...]:
    return (outcome.violated, outcome.vacuous, outcome.undecided, outcome.disagree, outcome.input_error,
            outcome.interrupted, outcome.internal)


def of_results(results, strict: bool = False) -> Outcome:
    """The outcome of CheckResults: violated if any property is, undecided if any is unknown,
    interrupted if a run was; with `strict`, vacuous if any holds only vacuously."""
    return Outcome(violated=any(r.violated for r in results), undecided=any(r.unknown for r in results),
                   interrupted=any(r.interrupted for r in results),
                   vacuous=strict and any(r.vacuous for r in results))


def exit_code(outcome: Outcome) -> int:
    for flag, code in ((outcome.internal, ExitCode.INTERNAL), (outcome.interrupted, ExitCode.INTERRUPTED),
                       (outcome.disagree, ExitCode.DISAGREE), (outcome.input_error, ExitCode.INPUT),
                       (outcome.violated or outcome.vacuous, ExitCode.VIOLATED),
                       (outcome.undecided, ExitCode.LIMIT)):
        if flag:
            return int(code)
    return int(ExitCode.HOLDS)


__all__ = ["ExitCode", "Outcome", "of_results", "exit_code", "EXIT_CODES"]
