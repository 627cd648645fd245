"""JSON text with limits (cli.jsontext), which the API's parser and the CLI share."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cli import jsontext
from cli.jsontext import MAX_DEPTH, JSONTextError, loads


def nested(depth):
    return "[" * depth + "]" * depth


def test_json_as_deep_as_the_limit_is_read_and_one_level_more_is_not():
    assert loads(nested(MAX_DEPTH)) is not None
    with pytest.raises(JSONTextError, match=f"nested deeper than {MAX_DEPTH} levels"):
        loads(nested(MAX_DEPTH + 1))


@pytest.mark.parametrize("text", ['"' + "[" * 1000 + '"', '["\\"' + "{" * 1000 + '"]', '{"a\\\\": "' + "[" * 1000 + '"}'])
def test_brackets_inside_strings_do_not_count_as_nesting(text):
    assert loads(text)


def test_a_surrogate_pair_is_text_and_a_lone_one_is_refused_with_its_path():
    assert loads('{"a": ["\\ud83d\\ude80"]}') == {"a": ["\U0001f680"]}
    with pytest.raises(JSONTextError) as caught:
        loads('{"a": ["ok", "\\ud83d"]}')
    assert caught.value.field == "a.1"


def test_nan_is_not_json():
    with pytest.raises(JSONTextError, match="malformed"):
        loads("[NaN]")



# The shortcuts (a bracket count, a search for what could decode to NUL or a lone surrogate) must
# refuse exactly what the full walk through the value refuses.
any_character = st.characters(exclude_categories=())  # NUL and lone surrogates included
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet=any_character, max_size=4),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(alphabet=any_character, max_size=3), children, max_size=3),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None)
@given(json_values, st.booleans())
def test_the_shortcuts_refuse_exactly_what_the_full_walk_refuses(value, ascii_only):
    text = json.dumps(value, ensure_ascii=ascii_only)
    walk_refuses = jsontext._unstorable_path(json.loads(text), ()) is not None
    try:
        loads(text)
    except JSONTextError:
        refused = True
    else:
        refused = False
    assert refused == walk_refuses
