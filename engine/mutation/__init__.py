"""Law mutation testing: is every threshold of every measure pinned by one of its embedded tests?

`subsidy rules mutate [ID]` moves each parameter value and each number literal of a measure by its
smallest unit up and down and flips each comparison boundary (engine.mutation.mutants), runs the
measure's tests against each mutant (engine.mutation.run) and lists the mutants no test kills. A mutant
that cannot change any outcome is named in the rule under `equivalent_mutants:` with a reason.
"""

from engine.mutation.mutants import Mutant, mutants_of
from engine.mutation.run import MeasureReport, Survivor, mutate_all, mutate_measure

__all__ = ["MeasureReport", "Mutant", "Survivor", "mutants_of", "mutate_all", "mutate_measure"]
