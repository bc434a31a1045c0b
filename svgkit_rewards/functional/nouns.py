"""Noun matching for object annotations: case, separators, plurals, synonyms, hypernyms.

A prompt asks for "two wine glasses"; the model annotates ``<g id="wineGlass-1">``. Both sides
are reduced to one *canonical noun*: lower case, words split on spaces, ``-``, ``_`` and camel
case, articles dropped, the last word made singular (regular English rules plus a table of
irregular plurals), and the result mapped through :data:`NOUN_SYNONYMS` to its group's first
name. COCO's 80 categories are all covered, with their common alternative names
(tv/television, couch/sofa, cell phone/phone, sports ball/ball, …).

:data:`HYPERNYMS` adds one-way matches: a required ``person`` is satisfied by an annotated
``woman``, but a required ``woman`` is not satisfied by ``person``.

Examples
--------
>>> canonical_noun("Wine_Glasses"), canonical_noun("television"), canonical_noun("sofas")
('wine glass', 'tv', 'couch')
>>> noun_matches("person", "girl"), noun_matches("girl", "person")
(True, False)
"""

from __future__ import annotations

import re

__all__ = ["HYPERNYMS", "NOUN_SYNONYMS", "canonical_noun", "noun_matches", "singular"]

#: Groups of names for one thing; the first is the canonical name. Every COCO category is here.
NOUN_SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("person", "human", "people", "pedestrian"),
    ("bicycle", "bike", "cycle"),
    ("car", "automobile", "auto", "sedan"),
    ("motorcycle", "motorbike", "motor bike", "motor cycle", "scooter"),
    ("airplane", "aeroplane", "plane", "aircraft", "jet", "airliner"),
    ("bus", "autobus", "coach bus"),
    ("train", "locomotive"),
    ("truck", "lorry"),
    ("boat", "ship", "sailboat", "sailing boat"),
    ("traffic light", "traffic signal", "stoplight", "stop light"),
    ("fire hydrant", "hydrant"),
    ("stop sign",),
    ("parking meter",),
    ("bench", "park bench"),
    ("bird",),
    ("cat", "kitten", "kitty"),
    ("dog", "puppy", "doggy", "hound"),
    ("horse", "pony"),
    ("sheep", "lamb"),
    ("cow", "cattle"),
    ("elephant",),
    ("bear",),
    ("zebra",),
    ("giraffe",),
    ("backpack", "rucksack", "knapsack"),
    ("umbrella", "parasol"),
    ("handbag", "purse"),
    ("tie", "necktie"),
    ("suitcase", "luggage"),
    ("frisbee", "flying disc"),
    ("skis", "ski"),
    ("snowboard",),
    ("sports ball", "ball"),
    ("kite",),
    ("baseball bat",),
    ("baseball glove", "baseball mitt", "mitt"),
    ("skateboard",),
    ("surfboard", "surf board"),
    ("tennis racket", "racket", "racquet", "tennis racquet"),
    ("bottle",),
    ("wine glass", "wineglass", "goblet"),
    ("cup", "mug", "teacup", "coffee cup"),
    ("fork",),
    ("knife",),
    ("spoon",),
    ("bowl",),
    ("banana",),
    ("apple",),
    ("sandwich",),
    ("orange",),
    ("broccoli",),
    ("carrot",),
    ("hot dog", "hotdog"),
    ("pizza",),
    ("donut", "doughnut"),
    ("cake",),
    ("chair",),
    ("couch", "sofa", "settee"),
    ("potted plant", "plant", "houseplant", "house plant", "pot plant", "flowerpot"),
    ("bed",),
    ("dining table", "table"),
    ("toilet",),
    ("tv", "television", "tv set", "tv monitor", "monitor", "screen"),
    ("laptop", "notebook computer", "laptop computer"),
    ("mouse", "computer mouse"),
    ("remote", "remote control", "tv remote"),
    ("keyboard",),
    ("cell phone", "phone", "mobile phone", "cellphone", "smartphone", "mobile", "telephone"),
    ("microwave", "microwave oven"),
    ("oven",),
    ("toaster",),
    ("sink",),
    ("refrigerator", "fridge"),
    ("book",),
    ("clock",),
    ("vase",),
    ("scissors",),
    ("teddy bear", "teddy"),
    ("hair drier", "hair dryer", "hairdryer", "blow dryer"),
    ("toothbrush", "tooth brush"),
)

#: Required noun → annotated nouns that also satisfy it (a kind of it).
HYPERNYMS: dict[str, frozenset[str]] = {
    "person": frozenset({"man", "woman", "boy", "girl", "child", "baby", "kid", "lady",
                         "gentleman"}),
    "bird": frozenset({"duck", "owl", "parrot", "eagle", "chicken", "penguin", "swan",
                       "pigeon", "sparrow", "crow", "seagull", "flamingo"}),
    "flower": frozenset({"rose", "tulip", "daisy", "sunflower", "lily"}),
    "tree": frozenset({"pine", "palm", "oak", "palm tree", "pine tree", "oak tree"}),
    "sports ball": frozenset({"football", "soccer ball", "basketball", "tennis ball",
                              "baseball", "volleyball", "beach ball"}),
}

_IRREGULAR: dict[str, str] = {
    "people": "people",  # its own synonym entry maps it to person
    "men": "man",
    "women": "woman",
    "children": "child",
    "mice": "mouse",
    "geese": "goose",
    "teeth": "tooth",
    "feet": "foot",
    "oxen": "ox",
    "dice": "die",
    "knives": "knife",
    "wives": "wife",
    "lives": "life",
    "leaves": "leaf",
    "loaves": "loaf",
    "wolves": "wolf",
    "shelves": "shelf",
    "halves": "half",
    "calves": "calf",
    "scarves": "scarf",
    "thieves": "thief",
    "shoes": "shoe",
    "toes": "toe",
    "canoes": "canoe",
    "skis": "skis",
    "scissors": "scissors",
    "glasses": "glass",
    "cacti": "cactus",
    "fungi": "fungus",
}
#: Words that end in "s" but are singular (or the same in both numbers).
_SINGULAR_S = frozenset(
    "bus gas lens glass grass bass boss dress class cactus octopus hippopotamus virus "
    "iris tennis chess news series species sheep fish deer moose bison aircraft swiss "
    "canvas atlas walrus platypus circus compass mattress".split()
)
_ARTICLES = frozenset({"a", "an", "the", "some", "one"})
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SPLIT = re.compile(r"[\s_\-.:/]+")

_CANON: dict[str, str] = {name: group[0] for group in NOUN_SYNONYMS for name in group}


def singular(word: str) -> str:
    """The singular of one lower-case English word (regular rules plus common irregulars).

    Examples
    --------
    >>> [singular(w) for w in ["apples", "boxes", "cherries", "buses", "knives", "glass"]]
    ['apple', 'box', 'cherry', 'bus', 'knife', 'glass']
    """
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) <= 3 or word in _SINGULAR_S or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "zes", "sses", "oes")):
        return word[:-2]
    if word.endswith("ses") and word[:-2] in _SINGULAR_S:
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


def canonical_noun(noun: str) -> str:
    """The canonical form of a noun phrase (see the module docstring).

    Parameters
    ----------
    noun
        A noun as a prompt or an annotation writes it: ``"Wine-Glasses"``, ``"cellPhone"``.

    Returns
    -------
    str
        Lower-case words joined by single spaces; ``""`` when nothing is left.

    Examples
    --------
    >>> canonical_noun("the Cell_Phones"), canonical_noun("motorbike"), canonical_noun("puppies")
    ('cell phone', 'motorcycle', 'dog')
    """
    if not isinstance(noun, str):
        raise TypeError(f"Expected `noun` to be a str, but got {type(noun).__name__}")
    words = [w for w in _SPLIT.split(_CAMEL.sub(" ", noun.strip()).lower()) if w]
    while words and words[0] in _ARTICLES:
        words.pop(0)
    if not words:
        return ""
    phrase = " ".join(words)
    if phrase in _CANON:
        return _CANON[phrase]
    words[-1] = singular(words[-1])
    phrase = " ".join(words)
    return _CANON.get(phrase, phrase)


def noun_matches(required: str, annotated: str) -> bool:
    """Whether an annotated noun satisfies a required one.

    Same canonical noun, or the annotation is a kind of the requirement (:data:`HYPERNYMS`).

    Examples
    --------
    >>> noun_matches("wine glasses", "wineGlass"), noun_matches("ball", "basketball")
    (True, True)
    >>> noun_matches("cat", "dog")
    False
    """
    req, ann = canonical_noun(required), canonical_noun(annotated)
    if not req or not ann:
        return False
    return req == ann or ann in HYPERNYMS.get(req, frozenset())
