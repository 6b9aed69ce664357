"""seqkeras.text.Vocabulary: reserved layouts, building, encode/decode, configs, files."""

import collections
import json
import os
import random

import numpy as np
import pytest
import tensorflow as tf

from seqkeras.text import (
    LM_RESERVED_TOKENS,
    SEQ2SEQ_RESERVED_TOKENS,
    Vocabulary,
    load_vocabulary,
    vocabulary_from_dict,
    vocabulary_to_dict,
)

CORPUS = ["b a b c", "c b a d", "e"]  # b:3, a:2, c:2, d:1, e:1


def test_reserved_layouts():
    plain = Vocabulary(["x"])
    assert plain.tokens == ["<pad>", "<unk>", "x"]
    assert (plain.pad_id, plain.unk_id, plain.bos_id, plain.eos_id) == (0, 1, None, None)
    eos_only = Vocabulary(["x"], eos_token="<eos>", pad_token="")
    assert eos_only.tokens == ["", "<unk>", "<eos>", "x"] and eos_only.eos_id == 2
    both = Vocabulary(["x"], **SEQ2SEQ_RESERVED_TOKENS)
    assert both.tokens == ["<pad>", "<unk>", "<s>", "</s>", "x"]
    assert (both.bos_id, both.eos_id) == (2, 3)
    bos_only = Vocabulary(["x"], bos_token="<s>")
    assert (bos_only.bos_id, bos_only.eos_id, len(bos_only)) == (2, None, 4)
    assert Vocabulary(["x"], **LM_RESERVED_TOKENS).reserved == ("", "<unk>", "<eos>")


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"unk_token": ""}, "unk_token must be a non-empty string"),
        ({"eos_token": "<unk>"}, "reserved tokens must differ"),
        ({"pad_token": None}, "pad_token"),
        ({"tokens": ["a", "a"]}, "unique; repeated: \\['a'\\]"),
        ({"tokens": ["<unk>"]}, "reserved tokens \\['<unk>'\\]"),
        ({"tokens": ["a", ""]}, "non-empty strings"),
        ({"tokens": "abc"}, "list of strings, not the string 'abc'"),
        ({"tokens": ["ab"], "split": "chars"}, "single characters"),
        ({"tokens": ["Ab"], "lowercase": True}, "lowercase=True.*'Ab'"),
        ({"max_size": 2}, "max_size must be an integer > 2"),
        ({"max_size": True}, "max_size"),
        ({"min_count": 0}, "min_count"),
    ],
)
def test_bad_arguments_are_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Vocabulary(**kwargs)


def _ranked_by_hand(texts, max_regular=None, min_count=1):
    counts = collections.Counter(t for text in texts for t in text.split())
    kept = [t for t in counts if counts[t] >= min_count]
    kept.sort(key=lambda t: (-counts[t], t))
    return kept[:max_regular]


def test_adapt_orders_by_frequency_then_alphabet_with_size_and_count_limits():
    assert Vocabulary.build(CORPUS).regular_tokens == ["b", "a", "c", "d", "e"]
    assert Vocabulary.build(CORPUS, max_size=4).regular_tokens == ["b", "a"]
    assert Vocabulary.build(CORPUS, min_count=2).regular_tokens == ["b", "a", "c"]
    rng = random.Random(1)
    words = [f"w{i}" for i in range(30)]
    texts = [" ".join(rng.choices(words, k=rng.randint(1, 12))) for _ in range(200)]
    for max_size, min_count in [(None, 1), (12, 1), (None, 40), (9, 30)]:
        vocab = Vocabulary.build(texts, max_size=max_size, min_count=min_count)
        expected = _ranked_by_hand(texts, None if max_size is None else max_size - 2, min_count)
        assert vocab.regular_tokens == expected


def test_adapt_takes_token_lists_and_skips_reserved_tokens_in_the_text():
    vocab = Vocabulary(lowercase=True, **LM_RESERVED_TOKENS).adapt(
        [["The", "<unk>", "cat"], "the <eos> dog <unk>"]
    )
    assert vocab.regular_tokens == ["the", "cat", "dog"]
    # Pre-tokenized corpora (PTB) spell unknown words and sentence ends with these.
    assert vocab.encode("the <unk> <eos>").tolist() == [3, 1, 2]
    with pytest.raises(ValueError, match="empty corpus"):
        Vocabulary().adapt(["", "  "])


def test_lookups_equal_a_brute_force_index():
    vocab = Vocabulary.build(CORPUS, **SEQ2SEQ_RESERVED_TOKENS)
    every = vocab.tokens
    probe = ["a", "zz", "<s>", "e", "</s>", "<pad>", "B", "b"]
    expected = [every.index(t) if t in every else 1 for t in probe]
    assert vocab.tokens_to_ids(probe).tolist() == expected
    assert vocab.tokens_to_ids(probe).dtype == np.int32
    assert [vocab.token_to_id(t) for t in probe] == expected
    assert vocab.ids_to_tokens(expected) == [t if t in every else "<unk>" for t in probe]
    assert vocab.id_to_token(4) == every[4] and ("zz" in vocab, "a" in vocab) == (False, True)
    assert vocab.tokens_to_ids([]).shape == (0,)


def test_encode_with_start_end_and_length_limits():
    vocab = Vocabulary(["a", "b", "c"], **SEQ2SEQ_RESERVED_TOKENS)  # a=4 b=5 c=6
    assert vocab.encode("a b c").tolist() == [4, 5, 6]
    assert vocab.encode("a b z", add_bos=True, add_eos=True).tolist() == [2, 4, 5, 1, 3]
    assert vocab.encode("a b c", add_eos=True, max_length=3).tolist() == [4, 5, 6]  # end cut
    with pytest.raises(ValueError, match="input has 4 tokens, more than the maximum 3"):
        vocab.encode("a b c", add_eos=True, max_length=3, on_too_long="error")
    with pytest.raises(ValueError, match=r"unknown word\(s\) 'z', 'y' in 'z a y z'"):
        vocab.encode("z a y z", on_unknown="error")
    with pytest.raises(ValueError, match="empty input"):
        vocab.encode("   ")
    with pytest.raises(ValueError, match="on_unknown"):
        vocab.encode("a", on_unknown="skip")
    with pytest.raises(ValueError, match="on_too_long"):
        vocab.encode("a", on_too_long="wrap")
    with pytest.raises(ValueError, match="expected text as str"):
        vocab.encode(["a"])
    with pytest.raises(ValueError, match="add_bos=True, but this vocabulary has no bos_token"):
        Vocabulary(["a"]).encode("a", add_bos=True)


def test_encode_batch_pads_with_zero():
    vocab = Vocabulary(["a", "b"], eos_token="<eos>")  # eos=2 a=3 b=4
    batch = vocab.encode_batch(["a", "b a b", "a b"], add_eos=True)
    np.testing.assert_array_equal(batch, [[3, 2, 0, 0], [4, 3, 4, 2], [3, 4, 2, 0]])
    assert vocab.encode_batch(["a b a"], 2).tolist() == [[3, 4]]
    with pytest.raises(ValueError, match="single string"):
        vocab.encode_batch("a b")


def test_decode_skips_padding_and_start_and_stops_at_end():
    vocab = Vocabulary(["a", "b"], **SEQ2SEQ_RESERVED_TOKENS)  # a=4 b=5
    assert vocab.decode([2, 4, 0, 5, 1, 3, 4]) == "a b <unk>"
    assert vocab.decode(np.array([2, 4, 3, 5]), stop_at_eos=False) == "a </s> b"
    assert vocab.decode([]) == ""
    with pytest.raises(ValueError, match=r"token ids must lie in \[0, 6\); got \[6, -1\]"):
        vocab.decode([0, 6, 4, -1])
    chars = Vocabulary(list("ab "), split="chars", eos_token="<eos>")
    assert chars.decode(chars.encode("ab ba", add_eos=True)) == "ab ba"


def test_unknown_lists_each_oov_token_in_order():
    vocab = Vocabulary.build(["the apple and the salad"], split="words", lowercase=True)
    assert vocab.unknown("The apple, pear and PEAR salad!") == ["pear", "pear"]
    assert vocab.unknown("the apple") == []
    assert vocab.encode("pear apple pear").tolist().count(vocab.unk_id) == 2


def test_unbuilt_vocabulary():
    vocab = Vocabulary(split="chars")
    assert not vocab.is_built and "unbuilt" in repr(vocab)
    for call in (lambda: len(vocab), lambda: vocab.encode("a"), lambda: vocab.tokens):
        with pytest.raises(ValueError, match="adapt"):
            call()
    restored = Vocabulary.from_config(json.loads(json.dumps(vocab.get_config())))
    assert not restored.is_built and restored.split_name == "chars"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"split": "words_and_punctuation", "lowercase": True, "max_size": 6, **LM_RESERVED_TOKENS},
        {"split": "split_punctuation", "min_count": 1, **SEQ2SEQ_RESERVED_TOKENS},
        {"split": "chars", "pad_token": "", "unk_token": "?", "bos_token": "^"},
    ],
)
def test_config_json_and_file_round_trips(tmp_path, kwargs):
    vocab = Vocabulary.build(["The cat, the Hat!", "¿qué? sí."], **kwargs)
    config = json.loads(json.dumps(vocab.get_config()))
    for restored in (
        Vocabulary.from_config(config),
        vocabulary_from_dict(json.loads(json.dumps(vocabulary_to_dict(vocab)))),
    ):
        assert restored == vocab and restored.tokens == vocab.tokens
        assert restored.encode("the cat? ¿no!").tolist() == vocab.encode("the cat? ¿no!").tolist()
    path = tmp_path / "v.json"
    assert vocab.save(path) == str(path)
    assert load_vocabulary(path) == vocab == Vocabulary.load(path)
    assert json.loads(path.read_text())["class"] == "Vocabulary"
    assert Vocabulary.build(["a"]) != vocab


def test_save_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "v.json"
    Vocabulary(["old"]).save(path)
    before = path.read_bytes()

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        Vocabulary(["new"]).save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["v.json"]  # no temporary file left behind


def test_bad_configs_and_files_name_the_problem(tmp_path):
    with pytest.raises(ValueError, match=r"unknown vocabulary config keys \['size'\]"):
        Vocabulary.from_config({"tokens": [], "size": 3})
    with pytest.raises(ValueError, match="unknown vocabulary class 'BPE'"):
        vocabulary_from_dict({"class": "BPE", "config": {}})
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match="bad.json: not a vocabulary JSON file"):
        load_vocabulary(bad)
    bad.write_text(json.dumps({"tokens": ["a"], "split": "nope"}))
    with pytest.raises(ValueError, match="bad.json: split must be one of"):
        load_vocabulary(bad)


def test_graph_lookup_table_equals_python_ids():
    vocab = Vocabulary.build(["¿Qué? Sí, sí.", "No (no)."], split="split_punctuation",
                             lowercase=True, **SEQ2SEQ_RESERVED_TOKENS)  # fmt: skip
    texts = ["¿QUÉ no? ¡sí!", "nada", "no sí"]
    table = vocab.tf_lookup_table()
    ragged = table.lookup(vocab.tf_split(tf.constant(texts)))
    assert ragged.to_list() == [vocab.encode(t).tolist() for t in texts]
