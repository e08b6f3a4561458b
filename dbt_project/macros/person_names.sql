{#- Name and address parts as person matching compares them. The member roll and the organizing contacts type
    names in mixed case with accents mostly dropped; the voter files use upper case and keep accents. The same SQL
    runs on DuckDB and PostgreSQL (accents and capture groups through dispatched macros). -#}

{#- Upper case, accents dropped, hyphens as spaces, anything but letters and spaces removed:
    'Muñoz-O''Brien' -> 'MUNOZ OBRIEN'. Empty -> NULL. -#}
{% macro person_name_std(column) -%}
    nullif(trim(regexp_replace(
        regexp_replace(upper({{ remove_accents(column) }}), '[^A-Z -]', '', 'g'), '[ -]+', ' ', 'g'
    )), '')
{%- endmacro %}

{#- The house number at the start of a street address: '9974 Oak Rd' -> '9974'. -#}
{% macro street_number(column) -%}
    {{ regex_group('trim(' ~ column ~ ')', '^([0-9]+)') }}
{%- endmacro %}

{#- The street after the house number, upper case, single-spaced, its suffix abbreviated as USPS does:
    '12   New   Street' -> 'NEW ST'. Empty -> NULL. -#}
{% macro street_name_std(column) -%}
    {%- set suffixes = {'STREET': 'ST', 'AVENUE': 'AVE', 'ROAD': 'RD', 'DRIVE': 'DR', 'LANE': 'LN', 'COURT': 'CT',
                        'BOULEVARD': 'BLVD', 'PARKWAY': 'PKWY', 'HIGHWAY': 'HWY', 'PLACE': 'PL', 'CIRCLE': 'CIR',
                        'TERRACE': 'TER', 'TRAIL': 'TRL'} -%}
    {%- set street = "trim(regexp_replace(regexp_replace(regexp_replace(upper(" ~ remove_accents(column) ~ "), "
                     "'^\\s*[0-9]+', ''), '[^A-Z0-9 ]', '', 'g'), '\\s+', ' ', 'g'))" -%}
    {%- set last_word = regex_group(street, '([A-Z0-9]+)$') -%}
    nullif(trim(regexp_replace({{ street }}, '[A-Z0-9]+$', '') || case {{ last_word }}
        {%- for word, abbreviation in suffixes.items() %}
        when '{{ word }}' then '{{ abbreviation }}'
        {%- endfor %}
        else {{ last_word }} end), '')
{%- endmacro %}
