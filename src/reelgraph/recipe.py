"""Recipes: which views to blend, with which weights and options.

A recipe is a small TOML file::

    name = "seed"
    description = "The published genome/genres/stats blend."
    renormalise = false

    [views.genome]
    weight = 0.5

    [views.stats]
    weight = 0.25

Built-in recipes live in `reelgraph/recipes/*.toml`; `load_recipe` takes a built-in name or a
path. Unknown keys, views and options are rejected with a message naming them.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from reelgraph.errors import RecipeError
from reelgraph.features.base import View, make_view

_RECIPE_KEYS = {"name", "description", "renormalise", "views"}
MAX_WEIGHT = 1e6
"""Weights are relative; a cap keeps blended scores far from float overflow."""


@dataclass(frozen=True)
class ViewSpec:
    """One view of a recipe.

    Attributes:
        name: the registered view name.
        weight: its weight in the blend (>= 0).
        options: the view's options (its dataclass fields).
    """

    name: str
    weight: float
    options: dict[str, Any] = field(default_factory=dict)

    def make(self) -> View:
        """The configured view."""
        return make_view(self.name, self.options)


@dataclass(frozen=True)
class Recipe:
    """Views and weights.

    Attributes:
        name: the recipe's name.
        views: the views in blend order.
        description: one line for humans.
        renormalise: divide each pair's blended score by the total weight of the views both
            movies have, so a movie missing a view is not penalised by a silent zero.
    """

    name: str
    views: tuple[ViewSpec, ...]
    description: str = ""
    renormalise: bool = False

    @property
    def weights(self) -> dict[str, float]:
        """View name to weight."""
        return {v.name: v.weight for v in self.views}

    def with_weights(self, overrides: dict[str, float]) -> Recipe:
        """A copy with some weights replaced; a view not in the recipe is an error."""
        unknown = sorted(set(overrides) - set(self.weights))
        if unknown:
            raise RecipeError(
                f"cannot set the weight of {', '.join(map(repr, unknown))}: recipe "
                f"{self.name!r} has views {', '.join(self.weights)}"
            )
        weights = check_weights({**self.weights, **overrides}, f"recipe {self.name!r}")
        views = tuple(dataclasses.replace(v, weight=weights[v.name]) for v in self.views)
        return dataclasses.replace(self, views=views)

    def to_dict(self) -> dict[str, Any]:
        """The recipe as plain data (the TOML layout), for manifests."""
        return {
            "name": self.name,
            "description": self.description,
            "renormalise": self.renormalise,
            "views": {v.name: {"weight": v.weight, **v.options} for v in self.views},
        }


def builtin_recipes() -> list[str]:
    """Names of the recipes shipped with reelgraph."""
    folder = resources.files("reelgraph") / "recipes"
    return sorted(p.name.removesuffix(".toml") for p in folder.iterdir()
                  if p.name.endswith(".toml"))  # fmt: skip


def load_recipe(name_or_path: str | Path) -> Recipe:
    """A built-in recipe by name, or a recipe TOML file by path."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise RecipeError(f"recipe file {str(path)!r} does not exist")
        text, source = path.read_text(encoding="utf-8"), str(path)
    else:
        file = resources.files("reelgraph") / "recipes" / f"{name_or_path}.toml"
        if not file.is_file():
            raise RecipeError(
                f"unknown recipe {str(name_or_path)!r}; built-in recipes: "
                f"{', '.join(builtin_recipes())} (or give a path to a .toml file)"
            )
        text, source = file.read_text(encoding="utf-8"), f"built-in recipe {name_or_path!r}"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RecipeError(f"{source}: not valid TOML: {exc}") from None
    return recipe_from_dict(data, source)


def recipe_from_dict(data: dict[str, Any], source: str = "recipe") -> Recipe:
    """Validate plain data in the TOML layout and build a Recipe."""
    unknown = sorted(set(data) - _RECIPE_KEYS)
    if unknown:
        raise RecipeError(
            f"{source}: unknown key(s) {', '.join(map(repr, unknown))}; "
            f"allowed: {', '.join(sorted(_RECIPE_KEYS))}"
        )
    views_data = data.get("views")
    if not isinstance(views_data, dict) or not views_data:
        raise RecipeError(f"{source}: needs at least one [views.NAME] table with a weight")

    views = []
    for name, table in views_data.items():
        if not isinstance(table, dict) or "weight" not in table:
            found = ", ".join(map(repr, table)) if isinstance(table, dict) else repr(table)
            raise RecipeError(f"{source}: [views.{name}] needs a 'weight' (found: {found})")
        options = {k: v for k, v in table.items() if k != "weight"}
        spec = ViewSpec(name, check_weight(table["weight"], name, source), options)
        spec.make()  # rejects unknown views and options now, not mid-build
        views.append(spec)
    check_weights({v.name: v.weight for v in views}, source)
    renormalise = data.get("renormalise", False)
    if not isinstance(renormalise, bool):
        raise RecipeError(f"{source}: 'renormalise' must be true or false, not {renormalise!r}")
    return Recipe(
        name=str(data.get("name", source)),
        views=tuple(views),
        description=str(data.get("description", "")),
        renormalise=renormalise,
    )


def parse_weight_overrides(items: list[str] | tuple[str, ...]) -> dict[str, float]:
    """`["genome=0.6", "stats=0.1"]` -> {"genome": 0.6, "stats": 0.1}."""
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise RecipeError(f"weight override {item!r} is not of the form VIEW=WEIGHT")
        try:
            number = float(value)
        except ValueError:
            raise RecipeError(f"weight override {item!r}: {value!r} is not a number") from None
        out[name.strip()] = check_weight(number, name.strip(), f"weight override {item!r}")
    return out


def check_weight(value: Any, view: str, source: str = "weight") -> float:
    """A view weight as float: a finite number >= 0, else a RecipeError naming the view.

    Every entry point that takes weights (recipe files, `--weight`, query-time re-weighting
    in the CLI and the API) goes through this, so NaN, infinity and negatives never reach
    the engine.
    """
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or not math.isfinite(value) or not 0 <= value <= MAX_WEIGHT:
        raise RecipeError(f"{source}: weight of view {view!r} must be a finite number from 0 "
                          f"to {MAX_WEIGHT:g}, not {value!r}")  # fmt: skip
    return float(value) + 0.0  # turns -0.0 into 0.0


def check_weights(weights: dict[str, Any], source: str = "weights") -> dict[str, float]:
    """Check every weight (see `check_weight`) and that at least one is positive."""
    checked = {view: check_weight(w, view, source) for view, w in weights.items()}
    if checked and not any(checked.values()):
        raise RecipeError(f"{source}: every view weight is 0; at least one must be positive")
    return checked
