"""Recipes: built-ins, TOML files, weight overrides and their errors."""

from __future__ import annotations

import pytest

from reelgraph.errors import RecipeError
from reelgraph.recipe import builtin_recipes, load_recipe, parse_weight_overrides


def test_seed_recipe_is_the_published_blend():
    seed = load_recipe("seed")
    assert seed.weights == {"genome": 0.5, "genres": 0.25, "stats": 0.25}
    assert not seed.renormalise
    assert {"seed", "default"} <= set(builtin_recipes())


def test_recipe_file_and_overrides(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('name = "mine"\n[views.genres]\nweight = 1.0\nidf = true\n')
    recipe = load_recipe(path)
    assert recipe.name == "mine" and recipe.views[0].options == {"idf": True}
    assert recipe.with_weights({"genres": 2.0}).weights == {"genres": 2.0}
    assert parse_weight_overrides(["genome=0.6", " stats = 0.1"]) == {"genome": 0.6, "stats": 0.1}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('name = "x"\ncolour = "red"\n[views.genres]\nweight = 1\n', "unknown key(s) 'colour'"),
        ("[views.plot]\nweight = 1\n", "unknown view 'plot'"),
        ("[views.genres]\nweight = 1\nbogus = 2\n", "has no option(s) 'bogus'"),
        ("[views.genres]\nidf = true\n", "needs a 'weight'"),
        ("[views.genres]\nweight = -1\n", "must be a finite number from 0 to 1e+06, not -1"),
        ("[views.genres]\nweight = nan\n", "must be a finite number from 0 to 1e+06, not nan"),
        ("[views.genres]\nweight = 0\n", "every view weight is 0"),
        ("[views.genres]\nwieght = 1\n", "needs a 'weight' (found: 'wieght')"),
        ('[views.genres]\nweight = "a lot"\n', "not 'a lot'"),
        ('name = "x"\n', "needs at least one [views.NAME]"),
        ("[views.genres\n", "not valid TOML"),
        ("renormalise = 1\n[views.genres]\nweight = 1\n", "'renormalise' must be true or false"),
    ],
)
def test_bad_recipe_files_are_named_errors(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(RecipeError) as info:
        load_recipe(path)
    assert message in str(info.value)


def test_unknown_builtin_and_bad_overrides():
    with pytest.raises(RecipeError, match="unknown recipe 'nope'; built-in recipes: "):
        load_recipe("nope")
    with pytest.raises(RecipeError, match="recipe 'seed' has views genome, genres, stats"):
        load_recipe("seed").with_weights({"plot": 1.0})
    with pytest.raises(RecipeError, match="not of the form VIEW=WEIGHT"):
        parse_weight_overrides(["genome"])
    with pytest.raises(RecipeError, match="'x' is not a number"):
        parse_weight_overrides(["genome=x"])


@pytest.mark.parametrize(
    "item", ["genome=nan", "genome=inf", "genome=1e999", "genome=-1", "genome=1.7e308"]
)
def test_non_finite_and_negative_overrides_are_rejected(item):
    with pytest.raises(RecipeError, match="must be a finite number from 0 to 1e\\+06"):
        parse_weight_overrides([item])


def test_all_zero_overrides_are_rejected():
    zero = {"genome": 0.0, "genres": 0.0, "stats": 0.0}
    with pytest.raises(RecipeError, match="every view weight is 0"):
        load_recipe("seed").with_weights(zero)


def test_view_option_types_are_checked(tmp_path):
    path = tmp_path / "typed.toml"
    path.write_text('[views.genres]\nweight = 1\nidf = "yes"\n')
    with pytest.raises(RecipeError, match=r"option 'idf' must be bool .* not 'yes'"):
        load_recipe(path)
