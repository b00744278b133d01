"""A formula right-hand side read by formulaic's parser into terms of checked factors.

formulaic (imported at first use) expands the term algebra (``a*b``, ``a:b``, ``(a + b)**2``,
``a / b``, ``- term``); every factor's Python expression is then checked by
:func:`rpeval._formula_ast.check_factor`. Nothing is evaluated here.

Examples
--------
>>> parsed = parse_formula("age*C(group) + np.log(priors + 1)", arg="covariates", caller="cox")
>>> [":".join(f.label for f in term) for term in parsed.terms]
['age', 'group', 'np.log(priors + 1)', 'age:group']
>>> parsed.columns
('age', 'group', 'priors')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rpeval._formula_ast import Factor, check_factor
from rpeval.errors import SpecificationError

__all__ = ["FormulaTerms", "parse_formula"]

_COLOUR = re.compile(r"\x1b\[[0-9;]*m|[⧛⧚]")
_HINT = (
    "join terms with + (a*b adds a, b and a:b); see the formulas page of the docs, "
    "or pass a list of column names"
)


@dataclass(frozen=True)
class FormulaTerms:
    """The terms of a formula (the intercept left out), each a tuple of factors."""

    text: str
    terms: tuple[tuple[Factor, ...], ...]

    @property
    def factors(self) -> tuple[Factor, ...]:
        """Every distinct factor, in order of first use."""
        return tuple(dict.fromkeys(f for term in self.terms for f in term))

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the formula reads, in order of first use."""
        return tuple(dict.fromkeys(c for f in self.factors for c in f.columns))

    @property
    def categorical(self) -> frozenset[str]:
        """Columns declared categorical with ``C()``."""
        return frozenset(f.label for f in self.factors if f.categorical)

    @property
    def references(self) -> dict[str, object]:
        """Reference levels given with ``Treatment()``, by column."""
        return {f.label: f.reference[0] for f in self.factors if f.reference is not None}


def _fail(text: str, what: str, arg: str, caller: str) -> SpecificationError:
    return SpecificationError(
        f"{caller}(): cannot read the formula {text!r} in `{arg}`: {what}", hint=_HINT
    )


def _formulaic_terms(text: str, arg: str, caller: str) -> list[list[tuple[str, str]]]:
    """Terms as lists of (expression, evaluation method), formulaic's own reading."""
    from formulaic import Formula
    from formulaic.errors import FormulaicError
    from formulaic.formula import SimpleFormula

    try:
        formula = Formula(text)
    except (
        FormulaicError,
        SyntaxError,
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        RecursionError,
    ) as error:
        first = _COLOUR.sub("", str(error)).strip().splitlines() or [type(error).__name__]
        what = "it nests too deeply" if isinstance(error, RecursionError) else first[0]
        raise _fail(text, what, arg, caller) from None
    if not isinstance(formula, SimpleFormula):
        raise _fail(text, "'|' and '~' are not supported; give one right-hand side", arg, caller)
    return [[(f.expr, str(f.eval_method.value)) for f in term.factors] for term in formula]


def parse_formula(text: str, *, arg: str, caller: str) -> FormulaTerms:
    """Read ``text`` into terms of checked factors; raise :class:`SpecificationError`."""
    terms: list[tuple[Factor, ...]] = []
    has_intercept = False
    for term in _formulaic_terms(text, arg, caller):
        if all(method == "literal" for _, method in term):
            if [expr for expr, _ in term] != ["1"]:
                raise _fail(text, "numbers are not covariates", arg, caller)
            has_intercept = True
            continue
        if any(method == "literal" for _, method in term):
            raise _fail(text, "numbers are not covariates", arg, caller)
        factors = tuple(
            Factor(expr, (expr,))  # a column name, backticks already removed
            if method == "lookup"
            else check_factor(expr, arg=arg, caller=caller)
            for expr, method in term
        )
        if factors not in terms:
            terms.append(factors)
    if not has_intercept:
        raise _fail(
            text,
            "'- 1' and '0 +' remove the intercept, but covariates never hold one: "
            "models that have an intercept add it themselves (Cox models have none)",
            arg,
            caller,
        )
    if not terms:
        raise _fail(text, "it has no covariate", arg, caller)
    parsed = FormulaTerms(text, tuple(terms))
    _check_references(parsed, arg, caller)
    declared = {f.label: f for f in parsed.factors if f.categorical}
    merged = (tuple(declared.get(f.label, f) for f in term) for term in terms)
    return FormulaTerms(text, tuple(dict.fromkeys(merged)))


def _check_references(parsed: FormulaTerms, arg: str, caller: str) -> None:
    seen: dict[str, tuple[object, ...] | None] = {}
    for factor in parsed.factors:
        if factor.categorical and seen.setdefault(factor.label, factor.reference) != (
            factor.reference
        ):
            raise _fail(
                parsed.text,
                f"C({factor.label}) is given with two different reference levels",
                arg,
                caller,
            )
