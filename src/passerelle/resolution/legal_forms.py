"""Legal forms of organisations: taken out of a name and reduced to a type
(Aktiengesellschaft = AG, OAO = Open Joint Stock Company, Sp. z o.o., OOO...); types of
one family (stock, limited, nonprofit; "any" for the forms that say nothing) are
compatible."""

from __future__ import annotations

from rapidfuzz.distance import Levenshtein

# legal form (as a token sequence) -> type; types in one family are compatible
_CANON = {
    "aktiengesellschaft": "ag",
    "joint stock company": "jsc",
    "ao": "jsc",
    "aktsionernoe obshchestvo": "jsc",
    "open joint stock company": "ojsc",
    "oao": "ojsc",
    "otkrytoe aktsionernoe obshchestvo": "ojsc",
    "public joint stock company": "pjsc",
    "pao": "pjsc",
    "publichnoe aktsionernoe obshchestvo": "pjsc",
    "closed joint stock company": "cjsc",
    "zao": "cjsc",
    "societe anonyme": "sa",
    "public limited company": "plc",
    "gesellschaft mit beschrankter haftung": "gmbh",
    "limited liability company": "llc",
    "ooo": "llc",
    "obshchestvo s ogranichennoi otvetstvennostyu": "llc",
    "tov": "llc",
    "s r l": "srl",
    "societatea cu raspundere limitata": "srl",
    "societa a responsabilita limitata": "srl",
    "sp z oo": "spzoo",
    "sp z o o": "spzoo",
    "besloten vennootschap": "bv",
    "limited": "ltd",
    "proprietary limited": "ptyltd",
    "pty ltd": "ptyltd",
    "private limited": "pvtltd",
    "avtonomnaya nekommercheskaya organizatsiya": "ano",
    "company": "co",
    "corporation": "corp",
    "incorporated": "inc",
}
_LEGAL_FORMS: dict[tuple[str, ...], str] = {}
_LEGAL_FAMILY: dict[str, str] = {}
for _family, _forms in {
    "stock": (
        "ag;aktiengesellschaft;jsc;joint stock company;ojsc;open joint stock company;oao;"
        "ao;aktsionernoe obshchestvo;otkrytoe aktsionernoe obshchestvo;pao;pjsc;"
        "public joint stock company;publichnoe aktsionernoe obshchestvo;cjsc;zao;"
        "closed joint stock company;sa;societe anonyme;plc;public limited company;nv;spa;"
        "ab;oyj;as;asa;kgaa;se;bhd;berhad;tbk"
    ),
    "limited": (
        "gmbh;gesellschaft mit beschrankter haftung;llc;limited liability company;ooo;"
        "obshchestvo s ogranichennoi otvetstvennostyu;tov;srl;sarl;s r l;"
        "societatea cu raspundere limitata;societa a responsabilita limitata;spzoo;sp z oo;"
        "sp z o o;bv;besloten vennootschap;ltd;limited;pty;pty ltd;proprietary limited;"
        "llp;lp;fze;fzco;fzc;fzllc;doo;sro;kft;eood;ood;sdn bhd;sdn;pvt;private limited;"
        "pte;pte ltd;lda;limitada;ltda;kg;ohg;gbr;ug"
    ),
    "any": "co;company;corp;corporation;inc;incorporated;group;holding;enterprise;firm",
    "nonprofit": (
        "ano;avtonomnaya nekommercheskaya organizatsiya;ngo;foundation;fondation;stiftung;"
        "ev;association;trust"
    ),
}.items():
    for _form in _forms.split(";"):
        _canon = _CANON.get(_form, _form.replace(" ", ""))
        _LEGAL_FORMS[tuple(_form.split())] = _canon
        _LEGAL_FAMILY[_canon] = _family
_PERSON_LEGAL = frozenset(
    ["llc", "ltd", "limited", "inc", "gmbh", "sa", "ag", "plc", "corp", "ooo", "jsc"]
)
_LEGAL_MAX = max(len(k) for k in _LEGAL_FORMS)
# words that also name the thing (Trust, Foundation, Group...) are kept as name parts too
_ALSO_NAME = frozenset(
    ["trust", "foundation", "fondation", "stiftung", "association", "group", "holding"]
)


def take_legal_forms(words: list[str], person: bool) -> tuple[list[str], set[str]]:
    """Take legal forms out of words, and return what is left and the legal form types found
    (for persons only the unambiguous forms: Nicolas Maduro SA)."""
    kept: list[str] = []
    found: set[str] = set()
    i = 0
    while i < len(words):
        for size in range(min(_LEGAL_MAX, len(words) - i), 0, -1):
            form = _LEGAL_FORMS.get(tuple(words[i : i + size]))
            if form is not None and (not person or form in _PERSON_LEGAL):
                found.add(form)
                if size == 1 and form in _ALSO_NAME:
                    kept.append(words[i])
                i += size
                break
        else:
            fuzzy = _fuzzy_legal(words, i)
            if fuzzy is not None and not person:
                found.add(fuzzy[0])
                i += fuzzy[1]
                continue
            kept.append(words[i])
            i += 1
    return kept, found


def _near(form: str, joined: str) -> bool:
    return Levenshtein.distance(joined, form, score_cutoff=1) <= 1


def _fuzzy_legal(words: list[str], i: int) -> tuple[str, int] | None:
    """A long legal form with one letter wrong or missing (Aktiengeselschaft)."""
    for size in range(min(_LEGAL_MAX, len(words) - i), 0, -1):
        joined = "".join(words[i : i + size])
        if len(joined) < 9:
            continue
        for form_words, form in _LEGAL_FORMS.items():
            if len(form_words) == size and _near("".join(form_words), joined):
                return form, size
    return None


def legal_family(form: str) -> str:
    """Return the family of a legal form type: stock, limited, any, nonprofit."""
    return _LEGAL_FAMILY.get(form, "any")
