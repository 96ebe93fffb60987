#!/usr/bin/env python3
"""Generate Sources/KlaxonMapping/Phone/NumberingPlanData.swift from Google's libphonenumber metadata.

The metadata comes from the PyPI package `phonenumbers` (a faithful Python port of libphonenumber that ships its
metadata). Neither the build nor CI runs this script: the generated Swift file is committed, and this script is
here so that the data can be regenerated when the numbering plans change:

    python3 -m venv /tmp/phone-venv && /tmp/phone-venv/bin/pip install phonenumbers
    /tmp/phone-venv/bin/python scripts/generate-numbering-plan.py

For every region (and every non-geographic entity such as +800 or +882) it emits what parsing and validation
need: the country calling code, the international dialling prefix pattern, the national-prefix-for-parsing
pattern and its transform rule, the leading digits that pick a region within a shared country calling code, the
general description's possible lengths (and local-only lengths) and national number pattern, and the union of
the number-type patterns (fixed line, mobile, toll free, ...) that decides whether a number is valid.

The output is deterministic: regions sorted by code, country calling codes ascending with the main region of a
shared code first, no timestamps.
"""

import pathlib
import sys

try:
    import re._parser as sre_parse  # Python 3.11+
    import re._constants as sre_constants
except ImportError:  # pragma: no cover - older Pythons
    import sre_parse
    import sre_constants

import phonenumbers
from phonenumbers import PhoneMetadata
from phonenumbers.phonenumberutil import (
    COUNTRY_CODE_TO_REGION_CODE,
    COUNTRY_CODES_FOR_NON_GEO_REGIONS,
    SUPPORTED_REGIONS,
)

OUTPUT = pathlib.Path(__file__).resolve().parent.parent / "Sources/KlaxonMapping/Phone/NumberingPlanData.swift"

# A number is valid when it matches any of these types; the common ones come first so that matching ends sooner.
NUMBER_TYPES = [
    "fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost", "voip", "personal_number", "pager", "uan",
    "voicemail",
]


def check_pattern(pattern, where):
    """Fail unless the pattern stays inside the regex subset NumberPattern.swift implements.

    That subset is: digits, `\\d`, character classes of digits and digit ranges, `(?:...)` and capturing groups,
    `|`, `?`, `{n}`, `{n,m}` and `$`. It returns the set of lengths of the strings the pattern can match.
    """
    def lengths(items):
        result = {0}
        for op, arg in items:
            if op == sre_constants.LITERAL:
                if not 0x30 <= arg <= 0x39:
                    raise SystemExit(f"{where}: literal {chr(arg)!r} outside the digit subset: {pattern}")
                current = {1}
            elif op == sre_constants.IN:
                for item_op, item_arg in arg:
                    if item_op == sre_constants.LITERAL and 0x30 <= item_arg <= 0x39:
                        continue
                    if item_op == sre_constants.RANGE and all(0x30 <= c <= 0x39 for c in item_arg):
                        continue
                    if item_op == sre_constants.CATEGORY and item_arg == sre_constants.CATEGORY_DIGIT:
                        continue
                    raise SystemExit(f"{where}: character class item {item_op} unsupported: {pattern}")
                current = {1}
            elif op == sre_constants.SUBPATTERN:
                current = lengths(arg[-1])
            elif op == sre_constants.BRANCH:
                current = set()
                for branch in arg[1]:
                    current |= lengths(branch)
            elif op == sre_constants.MAX_REPEAT:
                low, high, item = arg
                if high == sre_constants.MAXREPEAT or high > 20:
                    raise SystemExit(f"{where}: unbounded repetition unsupported: {pattern}")
                item_lengths = lengths(item)
                current, repeated = set(), {0}
                for count in range(high + 1):
                    if count >= low:
                        current |= repeated
                    repeated = {a + b for a in repeated for b in item_lengths}
            elif op == sre_constants.AT and arg == sre_constants.AT_END:
                current = {0}
            else:
                raise SystemExit(f"{where}: regex operator {op} unsupported: {pattern}")
            result = {a + b for a in result for b in current}
        return result

    return lengths(sre_parse.parse(pattern))


def swift_string(value):
    if value is None:
        return "nil"
    if '"#' in value or "\n" in value:
        raise SystemExit(f"cannot emit {value!r} as a raw string")
    return f'#"{value}"#' if "\\" in value else f'"{value}"'


def swift_ints(values):
    return "[" + ", ".join(str(v) for v in values) + "]"


def java_transform_rule(rule):
    """libphonenumber's XML writes group references as `$1`; the Python port as `\\1`. Emit the XML form."""
    if rule is None:
        return None
    out, i = [], 0
    while i < len(rule):
        if rule[i] == "\\" and i + 1 < len(rule) and rule[i + 1].isdigit():
            out.append("$" + rule[i + 1])
            i += 2
        elif rule[i].isdigit():
            out.append(rule[i])
            i += 1
        else:
            raise SystemExit(f"transform rule {rule!r} is not digits and group references")
    return "".join(out)


def plan_entry(metadata, name):
    where = f"{metadata.id} (+{metadata.country_code})"
    general = metadata.general_desc
    possible = sorted(general.possible_length)
    local_only = sorted(general.possible_length_local_only)
    if not possible or possible[0] < 1:
        raise SystemExit(f"{where}: no possible lengths")
    general_lengths = check_pattern(general.national_number_pattern, where + " general")
    if not general_lengths <= set(possible) | set(local_only):
        raise SystemExit(f"{where}: general pattern matches lengths outside its possible lengths")

    # Valid = general description and any number type. Every type pattern only matches lengths from its own
    # possible lengths (checked here), so the union of the patterns carries the per-type length checks too.
    type_patterns = []
    for number_type in NUMBER_TYPES:
        desc = getattr(metadata, number_type)
        if desc is None or not desc.national_number_pattern:
            continue
        pattern = desc.national_number_pattern
        lengths = check_pattern(pattern, f"{where} {number_type}")
        allowed = set(desc.possible_length or general.possible_length)
        if not lengths <= allowed:
            raise SystemExit(f"{where} {number_type}: pattern lengths {sorted(lengths)} exceed {sorted(allowed)}")
        if pattern not in type_patterns:
            type_patterns.append(pattern)
    if not type_patterns:
        raise SystemExit(f"{where}: no number types")

    for field in ("international_prefix", "national_prefix_for_parsing", "leading_digits"):
        value = getattr(metadata, field)
        if value:
            check_pattern(value, f"{where} {field}")

    arguments = [
        f"region: {swift_string(metadata.id)}",
        f"countryCode: {metadata.country_code}",
        f"internationalPrefix: {swift_string(metadata.international_prefix or None)}",
        f"nationalPrefixForParsing: {swift_string(metadata.national_prefix_for_parsing or None)}",
        "nationalPrefixTransformRule: "
        + swift_string(java_transform_rule(metadata.national_prefix_transform_rule or None)),
        f"leadingDigits: {swift_string(metadata.leading_digits or None)}",
        f"possibleLengths: {swift_ints(possible)}",
        f"localOnlyLengths: {swift_ints(local_only)}",
        f"generalPattern: {swift_string(general.national_number_pattern)}",
        f"validPattern: {swift_string('|'.join(type_patterns))}",
    ]
    lines = [f"    private static let {name} = RegionPlan("]
    lines += [f"        {argument}," for argument in arguments[:-1]]
    lines.append(f"        {arguments[-1]}")
    lines.append("    )")
    return "\n".join(lines)


def main():
    regions = sorted(SUPPORTED_REGIONS)
    plans = {}  # static-let name -> metadata
    names_by_region = {}
    for region in regions:
        metadata = PhoneMetadata.metadata_for_region(region)
        name = f"region{region}"
        plans[name] = metadata
        names_by_region[region] = name
    names_by_code = {}
    for code in sorted(COUNTRY_CODE_TO_REGION_CODE):
        members = COUNTRY_CODE_TO_REGION_CODE[code]
        if members == ("001",):
            if code not in COUNTRY_CODES_FOR_NON_GEO_REGIONS:
                continue
            name = f"nonGeographic{code}"
            plans[name] = PhoneMetadata.metadata_for_nongeo_region(code)
            names_by_code[code] = [name]
            continue
        # libphonenumber lists the main country of a shared code first; make that explicit and checked.
        main = [r for r in members if PhoneMetadata.metadata_for_region(r).main_country_for_code]
        if len(members) > 1 and (len(main) != 1 or main[0] != members[0]):
            raise SystemExit(f"+{code}: main country is not listed first: {members}")
        names_by_code[code] = [names_by_region[r] for r in members]

    out = []
    out.append("// GENERATED by scripts/generate-numbering-plan.py from Google's libphonenumber metadata as shipped")
    out.append(f"// in the PyPI package phonenumbers {phonenumbers.__version__}. Do not edit by hand: change the generator")
    out.append("// and run it again. Patterns are libphonenumber's, verbatim; NumberPattern.swift describes their subset.")
    out.append("")
    out.append("extension NumberingPlan {")
    out.append("    /// The version of the `phonenumbers` package whose libphonenumber metadata this table holds.")
    out.append(f'    static let metadataVersion = "{phonenumbers.__version__}"')
    out.append("")
    out.append("    /// Every ISO 3166-1 alpha-2 region with a numbering plan, sorted.")
    out.append("    static let regionCodes: [String] = [")
    for start in range(0, len(regions), 16):
        out.append("        " + " ".join(f'"{r}",' for r in regions[start:start + 16]))
    out.append("    ]")
    out.append("")
    out.append("    /// The plan of an ISO 3166-1 alpha-2 region (upper case), or nil if there is none.")
    out.append("    static func plan(forRegion region: String) -> RegionPlan? {")
    out.append("        switch region {")
    for region in regions:
        out.append(f'        case "{region}": {names_by_region[region]}')
    out.append("        default: nil")
    out.append("        }")
    out.append("    }")
    out.append("")
    out.append("    /// The `index`th plan using `countryCode`, a shared code's main region at index 0; nil past the last.")
    out.append("    static func plan(forCountryCode countryCode: Int, at index: Int) -> RegionPlan? {")
    out.append("        switch countryCode {")
    for code, names in names_by_code.items():
        if len(names) == 1:
            out.append(f"        case {code}: index == 0 ? {names[0]} : nil")
        else:
            out.append(f"        case {code}:")
            out.append("            switch index {")
            for index, name in enumerate(names):
                out.append(f"            case {index}: {name}")
            out.append("            default: nil")
            out.append("            }")
    out.append("        default: nil")
    out.append("        }")
    out.append("    }")
    for name in sorted(plans, key=lambda n: (n.startswith("nonGeographic"), n)):
        out.append("")
        out.append(plan_entry(plans[name], name))
    out.append("}")
    OUTPUT.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size} bytes, {len(plans)} plans)", file=sys.stderr)


if __name__ == "__main__":
    main()
