{#- Union names as the words that name an affiliation: upper case, punctuation and the words AND, OF, THE out
    (two passes: "OF THE" overlaps), a number split from the letters it is glued to ("1199SEIU" -> "1199 SEIU"), space-padded so that an alias is
    found as whole words with position(). The same spelling for the names and for the aliases of the seed
    union_affiliation_aliases. -#}
{% macro union_name_words(column) -%}
    ' ' || trim({{ collapse_whitespace(
        "regexp_replace(regexp_replace(regexp_replace(regexp_replace(' ' || regexp_replace(upper(" ~ column ~ "), "
        ~ "'[^A-Z0-9]+', ' ', 'g') || ' ', '([0-9])([A-Z])', '\\1 \\2', 'g'), '([A-Z])([0-9])', '\\1 \\2', 'g'), "
        ~ "' (AND|OF|THE) ', ' ', 'g'), ' (AND|OF|THE) ', ' ', 'g')"
    ) }}) || ' '
{%- endmacro %}

{#- The local's designation in a union name: the number after LOCAL, LODGE, DISTRICT, COUNCIL, DIVISION or BRANCH
    ("Local No. 509" -> 509, "Lodge 1943", "District 1199"), else the first number of at most two trailing letters
    ("IBEW 46", "1199C", "32BJ SEIU", "SEIU Healthcare 1199NW"); NULL when the name holds none. -#}
{% macro union_designation(column) -%}
    {%- set padded = "' ' || regexp_replace(upper(" ~ column ~ "), '[^A-Z0-9]+', ' ', 'g') || ' '" -%}
    coalesce(
        {{ regex_group(padded, ' (?:LOCAL|LODGE|DISTRICT|COUNCIL|DIVISION|BRANCH)(?: UNION)?(?: NO| NUMBER)? ([0-9]+[A-Z]{0,2}) ') }},
        {{ regex_group(padded, ' ([0-9]+[A-Z]{0,2})(?:SEIU)? ') }}
    )
{%- endmacro %}
