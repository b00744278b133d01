"""Covariate formulas in formulaic's grammar: the design each builds, the allow-list that
keeps Python out of configuration files, and (property tests) agreement with a design
built by hand, agreement with the plain coding for plain formulas, and junk that only
ever raises SpecificationError or DataError."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from numpy.typing import NDArray

from rpeval import _coding, _frames
from rpeval._formula_design import formula_design
from rpeval._formula_parse import parse_formula
from rpeval.errors import DataError, RpevalError, SpecificationError
from tests.hypothesis_budget import budget

KW = {"arg": "covariates", "caller": "cox"}


@contextlib.contextmanager
def raises(error: type[RpevalError], *patterns: str) -> Iterator[None]:
    with pytest.raises(error) as info:
        yield
    for pattern in patterns:
        assert pattern in str(info.value), (pattern, str(info.value))


def _frame(n: int = 8) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        {
            "age": rng.normal(30, 8, n).round(1),
            "priors": rng.integers(0, 5, n),
            "group": np.array(["a", "b", "c"])[np.arange(n) % 3],
            "site": pd.Categorical(np.array(["y", "x"])[np.arange(n) % 2], ["y", "x", "unused"]),
            "female": np.arange(n) % 4 == 0,
            "prior.arrests": rng.integers(0, 3, n),
            "home town": np.array(["p", "q"])[(np.arange(n) // 2) % 2],
        }
    )


def design(formula: str, frame: pd.DataFrame | None = None) -> _coding.DesignMatrix:
    spec = _frames.resolve_covariates(formula, **KW)
    return _frames.design_matrix(_frame() if frame is None else frame, spec, **KW)


# -- what the grammar builds ---------------------------------------------------------------


def test_interactions_transforms_and_reference_levels() -> None:
    df = _frame()
    got = design("age*C(group) + np.log(priors + 1) + I(age ** 2)", df)
    b, c = (df.group == "b").astype(float), (df.group == "c").astype(float)
    expected = {
        "age": df.age,
        "group[T.b]": b,
        "group[T.c]": c,
        "np.log(priors + 1)": np.log(df.priors + 1),
        "I(age ** 2)": df.age**2,
        "age:group[T.b]": df.age * b,
        "age:group[T.c]": df.age * c,
    }
    assert got.terms == tuple(expected)
    np.testing.assert_allclose(got.X, np.column_stack(list(expected.values())), rtol=1e-15)
    assert got.levels == {"group": ("a", "b", "c")}
    spelt_out = design("C(group) + age + C(group):age", df)  # a name twice, not plain
    assert spelt_out.terms == (  # interactions named in the order written, as in R
        "group[T.b]", "group[T.c]", "age", "group[T.b]:age", "group[T.c]:age"
    )  # fmt: skip
    ref = design("C(group, Treatment('b')) + C(priors, Treatment(reference=2))", df)
    assert ref.terms[:2] == ("group[T.a]", "group[T.c]")
    assert ref.levels["group"] == ("b", "a", "c") and ref.levels["priors"][0] == 2
    np.testing.assert_array_equal(ref.X[:, 0], (df.group == "a").astype(float))


def test_interaction_only_and_names_that_need_quoting() -> None:
    df = _frame()
    got = design("female:age + `home town` + prior.arrests + np.sqrt(prior.arrests)", df)
    assert got.terms == (
        "home town[T.q]",
        "prior.arrests",
        "np.sqrt(prior.arrests)",
        "female:age",
    )
    np.testing.assert_allclose(got.X[:, 3], df.female * df.age)
    np.testing.assert_allclose(got.X[:, 2], np.sqrt(df["prior.arrests"]))
    flag = design("I(group == 'a') + I((age > 30) & female)", df)
    assert flag.terms == ("I(group == 'a')", "I((age > 30) & female)")
    np.testing.assert_array_equal(flag.X[:, 0], (df.group == "a").astype(float))


def test_fitted_levels_code_new_data_the_same_way() -> None:
    df = _frame()
    spec = _frames.resolve_covariates("age:C(group, Treatment('c')) + site", **KW)
    fitted = _frames.design_matrix(df, spec, **KW)
    again = _frames.design_matrix(df.iloc[::-1], spec, **KW, levels=fitted.levels)
    np.testing.assert_array_equal(again.X, fitted.X[::-1])
    assert again.terms == fitted.terms
    with raises(DataError, "has levels ['d'] that the fitted model did not see"):
        _frames.design_matrix(df.assign(group="d"), spec, **KW, levels=fitted.levels)


def test_plain_formulas_do_not_import_formulaic() -> None:
    code = (
        "import json, sys, pandas as pd; from rpeval import _frames; "
        "import rpeval.recidivism, rpeval.matching, rpeval.surveys, rpeval.report; "
        "df = pd.DataFrame({'age': [1.0, 2.0], 'g': ['a', 'b']}); "
        "spec = _frames.resolve_covariates('age + C(g)', arg='x', caller='f'); "
        "_frames.design_matrix(df, spec, arg='x', caller='f'); "
        "before = 'formulaic' in sys.modules; "
        "spec = _frames.resolve_covariates('age:C(g)', arg='x', caller='f'); "
        "print(json.dumps([before, 'formulaic' in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert json.loads(out.stdout) == [False, True]


# -- what it refuses -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("formula", "what"),
    [
        ("__import__('os')", "calls __import__(), which is not an allowed function"),
        ("age + np.load('x')", "calls np.load(), which is not an allowed function"),
        ("np.linalg.inv(age)", "calls np.linalg.inv()"),
        ("log(age)", "calls log(), which is not an allowed function (write np.log)"),
        ("I(age.__class__)", "'age.__class__'"),  # read as a column name, never as attribute
        ("I(np.__dict__)", "uses 'np.__dict__' as a value"),
        ("I((lambda: 1)())", "calls lambda: 1(), which is not an allowed function"),
        ("I(age[0])", "holds a subscript"),
        ("I(age if age else 1)", "holds an if-expression"),
        ("I(age and 1)", "'and'/'or' (use & and |)"),
        ("np.log(x=age)", "passes keyword or starred arguments to np.log()"),
        ("I(age, priors)", "calls I() without exactly one argument"),
        ("I(b'x' == age)", "holds the literal b'x'"),
        ("I(3)", "uses no column"),
        ("C(group, Sum)", "codes a column other than by Treatment(reference)"),
        ("C(np.log(age))", "declares something other than a column categorical"),
        ("C(group, Treatment('a')) + C(group, Treatment('b'))", "two different reference levels"),
        ("scale(age) + center(priors)", "calls scale(), which is not an allowed function"),
        ("C(group, Treatment(__import__('os')))", "other than by Treatment(reference)"),
        ("C(group, contr.treatment('a'))", "other than by Treatment(reference)"),
        ("np.log(age).__class__", "cannot read the formula"),
        ("I(" + "-" * 5000 + "age)", "nests too deeply"),
        ("I(" + "+".join(["age"] * 2000) + ")", "nests too deeply"),
        ("age - 1", "'- 1' and '0 +' remove the intercept"),
        ("age + 0", "numbers are not covariates"),
        ("age | group", "'|' and '~' are not supported"),
        ("age + (", "cannot read the formula 'age + ('"),
        ("C(x y)", "invalid syntax"),
    ],
)
def test_refused_formulas_name_the_term(formula: str, what: str) -> None:
    error: type[RpevalError] = DataError if "age.__class__" in formula else SpecificationError
    with raises(error, "cox(): ", what):
        design(formula)


def test_data_errors_name_the_term_and_keep_the_old_messages() -> None:
    df = _frame()
    with raises(DataError, "term 'np.log(priors)' (argument `covariates`) gives 2 infinite"):
        design("age + np.log(priors)", df.assign(priors=[0, 0, 1, 2, 3, 4, 5, 6]))
    with raises(DataError, "term 'np.log(group)'", "cannot be computed"):
        design("np.log(group)", df)
    with raises(DataError, "column 'agee' (argument `covariates`) is not in `data`. Did you mean"):
        design("agee*C(group)", df)
    dated = df.assign(when=pd.to_datetime("2024-01-01"))
    with raises(DataError, "covariate 'when' (argument `covariates`) holds datetime64"):
        design("when:age", dated)
    with raises(DataError, "1 of 8 rows of `data` have missing values ('age': 1)"):
        design("np.log(age)", df.assign(age=[np.nan, *df.age[1:]]))
    with raises(DataError, "term 'I(age ** 10 ** 10)'", "gives 8 infinite"):
        design("I(age ** 10 ** 10)", df)  # integers are floats: no endless big-integer power
    with raises(DataError, "term \"I(group + 'x' * 10 ** 9)\"", "cannot be computed"):
        design("I(group + 'x' * 10 ** 9)", df)  # nor a gigabyte of text
    with raises(DataError, "the reference level 'z' of C(group, Treatment(...))"):
        design("C(group, Treatment('z'))", df)


# -- properties ----------------------------------------------------------------------------

ATOMS = {  # formula text -> (name of its design block, builder of its columns by hand)
    "age": "age",
    "priors": "priors",
    "female": "female",
    "C(group)": "group",
    "C(group, Treatment('c'))": "group_c",
    "site": "site",
    "np.log(priors + 1)": "np.log(priors + 1)",
    "I(age ** 2)": "I(age ** 2)",
    "np.sqrt(age)": "np.sqrt(age)",
}


def _blocks(df: pd.DataFrame) -> dict[str, dict[str, NDArray[np.float64]]]:
    """Each atom's design columns, built by hand with numpy."""

    def dummies(column: str, levels: list[str]) -> dict[str, NDArray[np.float64]]:
        values = df[column].astype(str).to_numpy()
        return {f"{column}[T.{v}]": (values == v).astype(float) for v in levels[1:]}

    return {
        "age": {"age": df.age.to_numpy(float)},
        "priors": {"priors": df.priors.to_numpy(float)},
        "female": {"female": df.female.to_numpy(float)},
        "group": dummies("group", ["a", "b", "c"]),
        "group_c": dummies("group", ["c", "a", "b"]),
        "site": dummies("site", ["y", "x"]),
        "np.log(priors + 1)": {"np.log(priors + 1)": np.log(df.priors.to_numpy(float) + 1)},
        "I(age ** 2)": {"I(age ** 2)": df.age.to_numpy(float) ** 2},
        "np.sqrt(age)": {"np.sqrt(age)": np.sqrt(df.age.to_numpy(float))},
    }


@st.composite
def hierarchical_formulas(draw: st.DrawFn) -> tuple[str, list[str], list[tuple[str, str]]]:
    """Main effects (one coding of group at most) and two-way interactions among them."""
    atoms = draw(st.lists(st.sampled_from(sorted(ATOMS)), min_size=1, max_size=4, unique=True))
    if "C(group)" in atoms and "C(group, Treatment('c'))" in atoms:
        atoms.remove("C(group)")
    pairs = [(a, b) for i, a in enumerate(atoms) for b in atoms[i + 1 :]]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=3)) if pairs else []
    star = draw(st.booleans())
    parts = [*atoms, *(f"{a}:{b}" for a, b in chosen)]
    if star and chosen:  # a*b for the first pair, the rest spelt out
        a, b = chosen[0]
        parts = [f"{a}*{b}", *[p for p in parts if p not in (a, b, f"{a}:{b}")]]
        atoms = [a, b, *[x for x in atoms if x not in (a, b)]]
    return " + ".join(parts), atoms, chosen


@budget(90, suppress_health_check=[HealthCheck.too_slow])
@given(formula=hierarchical_formulas(), n=st.integers(6, 12))
def test_random_formulas_match_a_design_built_by_hand(
    formula: tuple[str, list[str], list[tuple[str, str]]], n: int
) -> None:
    text, atoms, pairs = formula
    df = _frame(n)
    df["female"] = np.arange(n) % 2 == 0
    blocks = _blocks(df)
    expected: dict[str, NDArray[np.float64]] = {}
    for atom in atoms:
        expected.update(blocks[ATOMS[atom]])
    for a, b in pairs:
        for name_a, col_a in blocks[ATOMS[a]].items():
            for name_b, col_b in blocks[ATOMS[b]].items():
                expected[f"{name_a}:{name_b}"] = col_a * col_b
    got = design(text, df)
    main = [t for t in got.terms if ":" not in t]
    assert main == [t for t in expected if ":" not in t]  # main effects in the given order
    assert sorted(got.terms) == sorted(expected)
    for j, term in enumerate(got.terms):
        np.testing.assert_allclose(got.X[:, j], expected[term], rtol=1e-14, err_msg=term)


_VALUES = {
    "int": st.integers(-3, 3),
    "float": st.floats(-1e6, 1e6),
    "bool": st.booleans(),
    "text": st.sampled_from(["x", "y", "1", "z"]),
    "numeric text": st.sampled_from(["1", "2.5", "-3"]),
    "category": st.sampled_from(["p", "q"]),
}


@budget(90, suppress_health_check=[HealthCheck.too_slow])
@given(
    kinds=st.lists(st.sampled_from(sorted(_VALUES)), min_size=1, max_size=3),
    declared=st.lists(st.booleans(), min_size=3, max_size=3),
    n=st.integers(1, 6),
    data=st.data(),
)
def test_plain_formulas_code_alike_on_both_paths(
    kinds: list[str], declared: list[bool], n: int, data: st.DataObject
) -> None:
    columns = {}
    for j, kind in enumerate(kinds):
        cells = data.draw(st.lists(_VALUES[kind], min_size=n, max_size=n))
        dtype = "category" if kind == "category" else object if "text" in kind else None
        columns[f"v{j}"] = pd.Series(cells, dtype=dtype)
    df = pd.DataFrame(columns)
    text = " + ".join(f"C(v{j})" if declared[j] else f"v{j}" for j in range(len(kinds)))
    spec = _frames.resolve_covariates(text, **KW)
    assert spec.formula is None
    outcomes = []
    for build in ("plain", "formulaic"):
        try:
            if build == "plain":
                got = _frames.design_matrix(df, spec, **KW)
            else:
                parsed = parse_formula(text, **KW)
                got = formula_design(df, parsed, np.ones(n, bool), levels=None, **KW)
            outcomes.append((got.terms, got.X.tolist(), got.levels))
        except DataError as error:
            outcomes.append(("error", type(error).__name__))
    if outcomes[0][0] == "error" or outcomes[1][0] == "error":
        assert outcomes[0][0] == outcomes[1][0] == "error"
    else:
        assert outcomes[0] == outcomes[1]


_JUNK = st.lists(
    st.sampled_from(
        [
            *"ag C(),:*+-~|/^.'\"`[]{}01=<>&!%@",
            "age",
            "group",
            "np.",
            "log",
            "I(",
            "C(",
            "Treatment(",
            "__import__",
            "lambda",
            "**",
            "np.log(",
            "os",
        ]
    ),
    max_size=14,
).map("".join)


@budget(300, suppress_health_check=[HealthCheck.too_slow])
@given(text=_JUNK | st.text(max_size=16))
def test_junk_raises_only_specification_or_data_errors(text: str) -> None:
    try:
        spec = _frames.resolve_covariates(text, **KW)
    except SpecificationError:
        return
    df = _frame().rename(columns={"priors": "os"})
    with contextlib.suppress(SpecificationError, DataError):
        got = _frames.design_matrix(df, spec, **KW)
        assert got.X.shape == (len(df), len(got.terms))
        assert np.isfinite(got.X).all()
